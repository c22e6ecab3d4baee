//! Small wrappers over browser APIs used by several components: time, yielding, the query string,
//! feature detection. Everything returns a value or an error string; nothing here panics.

use js_sys::Promise;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// Milliseconds from `performance.now()` (0 when unavailable).
pub fn now_ms() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map(|p| p.now()).unwrap_or(0.0)
}

pub async fn sleep_ms(ms: i32) {
    let promise = Promise::new(&mut |resolve, _reject| {
        if let Some(window) = web_sys::window() {
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        } else {
            let _ = resolve.call0(&JsValue::UNDEFINED);
        }
    });
    let _ = JsFuture::from(promise).await;
}

/// The page's query parameters as `(key, value)` pairs, decoded.
pub fn query_pairs() -> Vec<(String, String)> {
    let Some(search) = web_sys::window().and_then(|w| w.location().search().ok()) else {
        return Vec::new();
    };
    let Ok(params) = web_sys::UrlSearchParams::new_with_str(&search) else {
        return Vec::new();
    };
    let mut pairs = Vec::new();
    if let Ok(Some(iter)) = js_sys::try_iter(&params) {
        for entry in iter.flatten() {
            let entry: js_sys::Array = entry.unchecked_into();
            if let (Some(k), Some(v)) = (entry.get(0).as_string(), entry.get(1).as_string()) {
                pairs.push((k, v));
            }
        }
    }
    pairs
}

/// A JS error (or anything thrown) as text for the page.
pub fn js_error_text(e: &JsValue) -> String {
    e.as_string()
        .or_else(|| e.dyn_ref::<js_sys::Error>().map(|e| String::from(e.message())))
        .unwrap_or_else(|| format!("{e:?}"))
}

/// Awaits a JS promise, turning a rejection into text.
pub async fn await_promise(promise: JsValue) -> Result<JsValue, String> {
    let promise: Promise = promise.dyn_into().map_err(|_| "not a promise".to_string())?;
    JsFuture::from(promise).await.map_err(|e| js_error_text(&e))
}

/// Hands `bytes` to the browser as a file download.
pub fn offer_download(bytes: &[u8], name: &str) -> Result<(), String> {
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let blob = web_sys::Blob::new_with_u8_array_sequence(&parts).map_err(|e| js_error_text(&e))?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(|e| js_error_text(&e))?;
    let document = web_sys::window().and_then(|w| w.document()).ok_or("no document")?;
    let anchor: web_sys::HtmlAnchorElement =
        document.create_element("a").map_err(|e| js_error_text(&e))?.dyn_into().map_err(|_| "no anchor element")?;
    anchor.set_href(&url);
    anchor.set_download(name);
    anchor.click();
    // Revoked later: revoking at once can cancel the download in some browsers.
    leptos::task::spawn_local(async move {
        sleep_ms(60_000).await;
        let _ = web_sys::Url::revoke_object_url(&url);
    });
    Ok(())
}

/// This tab's id, kept in sessionStorage (which a reload keeps and a new tab does not), so each tab's
/// saved run is its own. Without sessionStorage a fresh id per load.
pub fn tab_id() -> String {
    const KEY: &str = "backprop-playground.tab";
    let storage = web_sys::window().and_then(|w| w.session_storage().ok().flatten());
    if let Some(id) = storage.as_ref().and_then(|s| s.get_item(KEY).ok().flatten()) {
        return id;
    }
    let id = format!("{:x}-{:x}", js_sys::Date::now() as u64, (js_sys::Math::random() * 1e12) as u64);
    if let Some(storage) = storage {
        let _ = storage.set_item(KEY, &id);
    }
    id
}
