//! Offline after one visit (`use_offline_copy`): registers the service worker that the build
//! generates (`scripts/service-worker.mjs` writes `sw.js` next to the page, with every file of this
//! build precached under its hash), and says whether the page is now running from that copy: the
//! browser is offline and the service worker answered for it.

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

/// Relative, so the page works from any sub-path; its scope is the page's own folder.
const SERVICE_WORKER_URL: &str = "./sw.js";

/// `navigator.serviceWorker` exists only in secure contexts (https, localhost): a classroom server
/// at `http://192.168.…` has none, and then there is no offline copy either.
fn has_service_workers(navigator: &web_sys::Navigator) -> bool {
    js_sys::Reflect::get(navigator, &"serviceWorker".into()).is_ok_and(|sw| !sw.is_undefined() && !sw.is_null())
}

fn running_from_offline_copy() -> bool {
    let Some(window) = web_sys::window() else { return false };
    let navigator = window.navigator();
    !navigator.on_line() && has_service_workers(&navigator) && navigator.service_worker().controller().is_some()
}

/// Registers the service worker once `loaded` first holds, and returns whether the page runs from
/// its offline copy, kept up to date by the browser's `online`/`offline` events (removed with the
/// view). The service worker's install fetches every file of the build (17 MB with MNIST): started
/// with the page, it doubled what a first visit downloads before the trainer was ready.
pub fn use_offline_copy(loaded: Signal<bool>) -> RwSignal<bool> {
    let offline = RwSignal::new(running_from_offline_copy());
    let Some(window) = web_sys::window() else { return offline };
    // A browser without service workers (or a file:// page) simply has no offline copy.
    if has_service_workers(&window.navigator()) {
        Effect::new(move |registered: Option<bool>| {
            if registered == Some(true) || !loaded.get() {
                return registered == Some(true);
            }
            let Some(window) = web_sys::window() else { return true };
            let registration = window.navigator().service_worker().register(SERVICE_WORKER_URL);
            // Awaited so a refusal (no sw.js in a dev build) is not an uncaught rejection in the console.
            wasm_bindgen_futures::spawn_local(async move {
                let _ = wasm_bindgen_futures::JsFuture::from(registration).await;
            });
            true
        });
    }
    let update = Closure::<dyn Fn()>::new(move || offline.set(running_from_offline_copy()));
    let function: js_sys::Function = update.as_ref().unchecked_ref::<js_sys::Function>().clone();
    for event in ["online", "offline"] {
        let _ = window.add_event_listener_with_callback(event, &function);
    }
    let update = send_wrapper::SendWrapper::new(update);
    let function = send_wrapper::SendWrapper::new(function);
    on_cleanup(move || {
        if let Some(window) = web_sys::window() {
            for event in ["online", "offline"] {
                let _ = window.remove_event_listener_with_callback(event, &function);
            }
        }
        drop(update);
    });
    offline
}
