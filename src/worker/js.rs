//! Small wrappers over what a dedicated worker's global scope offers (`self`, not `window`): time,
//! timers, yielding, property access. Everything returns a value or text; nothing here panics.

use js_sys::{Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// The worker's global scope (`self`).
pub fn global() -> JsValue {
    js_sys::global().into()
}

/// `obj[key]`, or `undefined`.
pub fn get(obj: &JsValue, key: &str) -> JsValue {
    Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// A JS error (or anything thrown) as text.
pub fn js_error_text(e: &JsValue) -> String {
    e.as_string()
        .or_else(|| e.dyn_ref::<js_sys::Error>().map(|e| String::from(e.message())))
        .or_else(|| {
            let (name, message) = (get(e, "name").as_string()?, get(e, "message").as_string()?);
            Some(format!("{name}: {message}"))
        })
        .unwrap_or_else(|| format!("{e:?}"))
}

/// Awaits a JS promise, turning a rejection into text.
pub async fn await_promise(promise: JsValue) -> Result<JsValue, String> {
    let promise: Promise = promise.dyn_into().map_err(|_| "not a promise".to_string())?;
    JsFuture::from(promise).await.map_err(|e| js_error_text(&e))
}

/// Milliseconds from `performance.now()` (0 when unavailable).
pub fn now_ms() -> f64 {
    global().unchecked_into::<web_sys::WorkerGlobalScope>().performance().map(|p| p.now()).unwrap_or(0.0)
}

/// `navigator.gpu`, if this worker is offered WebGPU at all (Chromium offers it to dedicated workers).
pub fn navigator_gpu() -> Option<JsValue> {
    let gpu = get(&get(&global(), "navigator"), "gpu");
    (!gpu.is_undefined() && !gpu.is_null()).then_some(gpu)
}

/// Waits `ms` milliseconds (`setTimeout`).
pub async fn sleep_ms(ms: i32) {
    let scope: web_sys::WorkerGlobalScope = global().unchecked_into();
    let promise = Promise::new(&mut |resolve, _reject| {
        if scope.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms).is_err() {
            let _ = resolve.call0(&JsValue::UNDEFINED);
        }
    });
    let _ = JsFuture::from(promise).await;
}

/// Gives the event loop one turn, so messages that arrived meanwhile are delivered. A message to
/// ourselves through a `MessageChannel` rather than `setTimeout(0)`, which browsers clamp to 4 ms
/// when nested: at a training chunk every 30 ms that would be a tenth of the time.
pub async fn yield_now() {
    let Ok(channel) = web_sys::MessageChannel::new() else { return sleep_ms(0).await };
    let promise = Promise::new(&mut |resolve, _reject| {
        let on_message = Closure::once_into_js(move |_: web_sys::MessageEvent| {
            let _ = resolve.call0(&JsValue::UNDEFINED);
        });
        channel.port1().set_onmessage(Some(on_message.unchecked_ref()));
    });
    if channel.port2().post_message(&JsValue::NULL).is_err() {
        return sleep_ms(0).await;
    }
    let _ = JsFuture::from(promise).await;
    channel.port1().close();
}
