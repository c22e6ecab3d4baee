//! Keyboard shortcuts a teacher uses while talking (`use_shortcuts`): Space train/pause, S one step,
//! C clear the drawing, ←/→ the backprop phases, P projector mode, ? this list. Each presses the
//! same button a mouse would (so a disabled button stays disabled), and none fires while the reader
//! types in a field, holds Ctrl/Alt/⌘, or has a button focused where Space already means "press".

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{HtmlElement, KeyboardEvent};

/// Clicks the enabled element with this `data-testid`; false when there is none or it is disabled.
fn press(testid: &str) -> bool {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else { return false };
    let Ok(Some(element)) = document.query_selector(&format!("[data-testid=\"{testid}\"]")) else { return false };
    if element.has_attribute("disabled") {
        return false;
    }
    match element.dyn_into::<HtmlElement>() {
        Ok(element) => {
            element.click();
            true
        }
        Err(_) => false,
    }
}

/// Whether the key belongs to what has focus: a field being typed in, or Space on a control the
/// keyboard moved to (Space presses it). A button that merely kept focus after a mouse click or a tap
/// does not count (`focus_by_pointer`), so Space still means train/pause after clicking Step.
fn belongs_to_focus(event: &KeyboardEvent, focus_by_pointer: bool) -> bool {
    let Some(target) = event.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()) else { return false };
    let tag = target.tag_name().to_ascii_lowercase();
    let editable = target.dyn_ref::<HtmlElement>().is_some_and(|e| e.is_content_editable());
    if editable || matches!(tag.as_str(), "input" | "textarea" | "select") {
        return true;
    }
    event.key() == " " && matches!(tag.as_str(), "button" | "summary" | "a") && !focus_by_pointer
}

/// The backprop panel is at least partly on screen: ←/→ only turn its phases while it can be seen.
fn backprop_in_view() -> bool {
    let Some(window) = web_sys::window() else { return false };
    let Some(panel) = window.document().and_then(|d| d.query_selector(".panel.backprop").ok().flatten()) else { return false };
    let rect = panel.get_bounding_client_rect();
    let height = window.inner_height().ok().and_then(|h| h.as_f64()).unwrap_or(0.0);
    rect.height() > 0.0 && rect.bottom() > 0.0 && rect.top() < height
}

fn handle(event: &KeyboardEvent, focus_by_pointer: bool, projector: RwSignal<bool>, help_open: RwSignal<bool>) {
    // A held key repeats: one press, one action.
    if event.repeat() || event.default_prevented() || event.ctrl_key() || event.alt_key() || event.meta_key() || belongs_to_focus(event, focus_by_pointer) {
        return;
    }
    let handled = match event.key().as_str() {
        " " => {
            // A button the mouse left focused would also be pressed, by Space's keyup: let it go.
            if let Some(focused) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.active_element()) {
                if let Some(focused) = focused.dyn_ref::<HtmlElement>() {
                    focused.blur().ok();
                }
            }
            press("pause-button") || press("train-button")
        }
        "s" | "S" => press("step-button"),
        "c" | "C" => press("clear-canvas"),
        "ArrowLeft" => backprop_in_view() && press("phase-prev"),
        "ArrowRight" => backprop_in_view() && press("phase-next"),
        "p" | "P" => {
            projector.update(|p| *p = !*p);
            true
        }
        "?" => {
            help_open.update(|o| *o = !*o);
            true
        }
        "Escape" if help_open.get_untracked() => {
            help_open.set(false);
            true
        }
        _ => false,
    };
    if handled {
        // Space would otherwise scroll the page, and arrows too.
        event.prevent_default();
    }
}

/// Listens on the window for the page's lifetime (keys, and pointer presses to know how the focus
/// got where it is); the listeners are removed when the view goes.
pub fn use_shortcuts(projector: RwSignal<bool>, help_open: RwSignal<bool>) {
    let Some(window) = web_sys::window() else { return };
    // Whether the focus last moved by a pointer press (true) or by the keyboard (false).
    let by_pointer = std::rc::Rc::new(std::cell::Cell::new(false));
    let on_key = {
        let by_pointer = by_pointer.clone();
        Closure::<dyn Fn(KeyboardEvent)>::new(move |event: KeyboardEvent| {
            if event.key() == "Tab" {
                by_pointer.set(false);
            }
            handle(&event, by_pointer.get(), projector, help_open)
        })
    };
    let on_pointer = Closure::<dyn Fn()>::new(move || by_pointer.set(true));
    let listeners = [("keydown", on_key.as_ref().unchecked_ref::<js_sys::Function>().clone()), ("pointerdown", on_pointer.as_ref().unchecked_ref::<js_sys::Function>().clone())];
    for (event, function) in &listeners {
        // Capture: a component that stops a pointer event still moves the focus.
        let _ = window.add_event_listener_with_callback_and_bool(event, function, true);
    }
    let kept = send_wrapper::SendWrapper::new((on_key, on_pointer, listeners));
    on_cleanup(move || {
        let (on_key, on_pointer, listeners) = kept.take();
        if let Some(window) = web_sys::window() {
            for (event, function) in &listeners {
                let _ = window.remove_event_listener_with_callback_and_bool(event, function, true);
            }
        }
        drop((on_key, on_pointer));
    });
}
