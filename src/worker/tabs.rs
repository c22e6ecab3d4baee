//! Other tabs of the page: each trainer worker says on a `BroadcastChannel` whether it is training
//! (when its phase changes, and every 2 s while it trains), and counts the other tabs that said so in
//! the last 6 s, so a tab closed mid-training stops counting by itself.

use std::cell::RefCell;
use std::collections::BTreeMap;

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{BroadcastChannel, MessageEvent};

use super::js::{get, now_ms};
use crate::protocol::{Event, Phase};

const CHANNEL: &str = "backprop-playground.tabs";
const HEARTBEAT_MS: i32 = 2_000;
const FORGET_AFTER_MS: f64 = 6_000.0;

struct Tabs {
    channel: BroadcastChannel,
    me: String,
    training: bool,
    /// Other tabs that said they are training, and when they last said so.
    others: BTreeMap<String, f64>,
    reported: usize,
}

thread_local! {
    static TABS: RefCell<Option<Tabs>> = const { RefCell::new(None) };
}

fn announce(tabs: &Tabs) {
    let message = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&message, &"tab".into(), &tabs.me.as_str().into());
    let _ = js_sys::Reflect::set(&message, &"training".into(), &tabs.training.into());
    let _ = tabs.channel.post_message(&message);
}

/// The number of other tabs training now, if it changed since it was last reported.
fn recount(tabs: &mut Tabs) -> Option<usize> {
    let now = now_ms();
    tabs.others.retain(|_, seen| now - *seen < FORGET_AFTER_MS);
    let count = tabs.others.len();
    (count != tabs.reported).then(|| {
        tabs.reported = count;
        count
    })
}

/// Joins the channel as `me`; `emit` receives the count of other training tabs when it changes.
pub fn start(me: &str, emit: impl Fn(Event) + Clone + 'static) {
    let Ok(channel) = BroadcastChannel::new(CHANNEL) else { return };
    let on_message_emit = emit.clone();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |message: MessageEvent| {
        let data = message.data();
        let (Some(tab), Some(training)) = (get(&data, "tab").as_string(), get(&data, "training").as_bool()) else { return };
        let changed = TABS.with(|t| {
            let mut t = t.borrow_mut();
            let tabs = t.as_mut()?;
            if tab == tabs.me {
                return None;
            }
            if training {
                tabs.others.insert(tab, now_ms());
            } else {
                tabs.others.remove(&tab);
            }
            recount(tabs)
        });
        if let Some(count) = changed {
            on_message_emit(Event::OtherTabsTraining(count));
        }
    });
    channel.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    TABS.with(|t| *t.borrow_mut() = Some(Tabs { channel, me: me.to_string(), training: false, others: BTreeMap::new(), reported: 0 }));
    let heartbeat = Closure::<dyn FnMut()>::new(move || {
        let changed = TABS.with(|t| {
            let mut t = t.borrow_mut();
            let tabs = t.as_mut()?;
            if tabs.training {
                announce(tabs);
            }
            recount(tabs)
        });
        if let Some(count) = changed {
            emit(Event::OtherTabsTraining(count));
        }
    });
    let scope: web_sys::WorkerGlobalScope = js_sys::global().unchecked_into();
    let _ = scope.set_interval_with_callback_and_timeout_and_arguments_0(heartbeat.as_ref().unchecked_ref(), HEARTBEAT_MS);
    heartbeat.forget();
}

/// Tells the other tabs when this one starts or stops training.
pub fn observe(event: &Event) {
    let Event::Phase(phase) = event else { return };
    let training = matches!(phase, Phase::Training | Phase::Evaluating);
    TABS.with(|t| {
        if let Some(tabs) = t.borrow_mut().as_mut() {
            if tabs.training != training {
                tabs.training = training;
                announce(tabs);
            }
        }
    });
}
