//! The page's side of the trainer worker: `use_trainer` starts the worker, owns it and its message
//! handlers (and terminates it when the view goes away), queues commands until the worker says it
//! is listening, and applies every event to the page's signals. Components get a [`Trainer`] handle
//! and only ever call [`Trainer::send`].

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use js_sys::{Array, Uint8Array};
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{ErrorEvent, MessageEvent, Worker, WorkerOptions, WorkerType};

use super::browser::{js_error_text, offer_download};
use super::controls::SettingsForm;
use super::state::{Confusion, PlaygroundState};
use crate::data::mnist::NUM_CLASSES;
use crate::settings::PlaygroundSettings;
use crate::text;
use crate::protocol::{Command, Event, Notice, decode, encode};

/// Trunk's loader for the `trainer-worker` binary (worker files keep their names, unhashed),
/// relative to the page so the page works from any sub-path.
const WORKER_URL: &str = "./trainer-worker_loader.js";

/// Restarts after a crash of the worker, per page load (a crash that repeats is not retried for ever).
const MAX_RESTARTS: u32 = 2;

struct Connection {
    worker: RefCell<Option<Worker>>,
    /// Commands sent before the worker listens.
    queued: RefCell<Vec<Command>>,
    listening: Cell<bool>,
    /// The `Start` command, sent again to a worker started after a crash.
    start: RefCell<Option<Command>>,
    restarts: Cell<u32>,
    /// The panic message the dying worker sent, for the page's message.
    panic: RefCell<Option<String>>,
    /// The current worker's handlers; they live as long as it does.
    handlers: RefCell<Option<(Closure<dyn FnMut(MessageEvent)>, Closure<dyn FnMut(ErrorEvent)>)>>,
}

/// A handle on the trainer; copy it into any component.
#[derive(Clone, Copy)]
pub struct Trainer {
    connection: StoredValue<Rc<Connection>, LocalStorage>,
    state: PlaygroundState,
}

impl Trainer {
    pub fn send(&self, command: Command) {
        let connection = self.connection.get_value();
        if matches!(command, Command::Start { .. }) {
            *connection.start.borrow_mut() = Some(command.clone());
        }
        if !connection.listening.get() {
            connection.queued.borrow_mut().push(command);
            return;
        }
        if let Some(worker) = connection.worker.borrow().as_ref() {
            post(worker, &command, self.state);
        }
    }
}

fn post(worker: &Worker, command: &Command, state: PlaygroundState) {
    let bytes = match encode(command) {
        Ok(b) => b,
        Err(e) => return state.error.set(Some(text!("trainer-unreachable", reason = e))),
    };
    let array = Uint8Array::from(bytes.as_slice());
    let transfer = Array::of1(&array.buffer());
    if let Err(e) = worker.post_message_with_transfer(&array, &transfer) {
        state.error.set(Some(text!("trainer-unreachable", reason = js_error_text(&e))));
    }
}

fn confusion_from(rows: &[Vec<u32>]) -> Option<Confusion> {
    let mut m = [[0u32; NUM_CLASSES]; NUM_CLASSES];
    if rows.len() != NUM_CLASSES || rows.iter().any(|r| r.len() != NUM_CLASSES) {
        return None;
    }
    for (target, row) in m.iter_mut().zip(rows) {
        target.copy_from_slice(row);
    }
    Some(m)
}

/// Puts one event on the page.
fn apply(event: Event, state: PlaygroundState, form: SettingsForm) {
    match event {
        Event::WorkerStarted | Event::Panicked(_) => {}
        Event::Phase(phase) => state.phase.set(phase),
        Event::Backend(info) => state.backend.set(Some(info)),
        Event::DatasetSizes { train, test } => state.dataset_sizes.set(Some((train, test))),
        Event::Run(view) => {
            state.progress.set(view.progress);
            state.losses.set(view.losses);
            state.epochs.set(view.epochs);
            state.log.set(view.log);
            state.confusion.set(view.confusion.as_deref().and_then(confusion_from));
            state.mistakes.set(view.mistakes);
            state.images_per_second.set(view.images_per_second);
            state.profile.set(None);
        }
        Event::Progress(p) => state.progress.set(Some(p)),
        Event::Losses(losses) => state.losses.update(|l| l.extend(losses)),
        Event::Log(lines) => state.log.update(|l| l.extend(lines)),
        Event::Epoch { result, confusion, mistakes } => {
            state.epochs.update(|e| e.push(result));
            state.confusion.set(confusion_from(&confusion));
            state.mistakes.set(mistakes);
        }
        Event::Speed(ips) => state.images_per_second.set(Some(ips)),
        Event::Profile(p) => state.profile.set(Some(p)),
        Event::Predictor { description, version } => {
            state.predictor_description.set(description);
            state.model_version.set(version);
        }
        Event::Prediction { id, activations } => state.prediction.set(Some((id, activations))),
        Event::WeightTiles(tiles) => state.weight_tiles.set(Some(tiles)),
        Event::Inspected { index, label, pixels, activations } => {
            state.inspected.set(Some((pixels, activations)));
            state.inspected_test.set(Some((index, label)));
        }
        Event::Persistence(p) => state.persistence.set(p),
        Event::FormSettings(query) => form.set_training(&PlaygroundSettings::from_query(&query).0),
        Event::Notice { to, text } => {
            match to {
                Notice::Weights => state.weights_status.set(text),
                Notice::Drawing => state.draw_message.set(text),
                Notice::Backprop => state.apply_result.set(text),
                Notice::Restored => state.restored_note.set(text),
            }
        }
        Event::Error(e) => state.error.set(Some(e)),
        Event::ClearError => state.error.set(None),
        Event::Backprop(view) => state.backprop.set(Some(view)),
        Event::Download { name, bytes } => match offer_download(&bytes, &name) {
            Ok(()) => state.weights_status.set(Some(text!("downloaded", name = name))),
            Err(e) => state.error.set(Some(text!("download-failed", reason = e))),
        },
        Event::Recent(list) => state.recent.set(list),
        Event::UndoOffer(offer) => state.undo_offer.set(offer),
        Event::OtherTabsTraining(n) => state.other_tabs_training.set(n),
        Event::Memory { wasm_bytes, js_heap_bytes } => state.worker_memory.set(Some((wasm_bytes, js_heap_bytes))),
        Event::BenchResult(json) => {
            if let Some(window) = web_sys::window() {
                let _ = js_sys::Reflect::set(&window, &"__benchResult".into(), &json.clone().into());
            }
            state.bench_result.set(Some(json));
        }
    }
}

/// The link's settings with the CPU backend: a worker restarted after a crash does not touch the GPU
/// again (a WebGPU validation or out-of-memory error is the likely cause).
fn on_the_cpu(start: &Command) -> Option<Command> {
    let Command::Start { base_url, settings, debug_device_lost, tab } = start else { return None };
    let (mut settings, _) = PlaygroundSettings::from_query(settings);
    settings.backend = crate::settings::BackendPreference::Cpu;
    Some(Command::Start { base_url: base_url.clone(), settings: settings.to_query(), debug_device_lost: *debug_device_lost, tab: tab.clone() })
}

/// Starts a worker for `connection` and wires its handlers; on a crash it starts the next one.
fn spawn(connection: &Rc<Connection>, state: PlaygroundState, form: SettingsForm) {
    let options = WorkerOptions::new();
    // Trunk's loader shim calls importScripts, which only classic workers have.
    options.set_type(WorkerType::Classic);
    let worker = match Worker::new_with_options(WORKER_URL, &options) {
        Ok(worker) => worker,
        Err(e) => {
            return state.error.set(Some(text!("trainer-cannot-start", reason = js_error_text(&e))));
        }
    };
    let weak = Rc::downgrade(connection);
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |message: MessageEvent| {
        let event = match message.data().dyn_into::<Uint8Array>().map_err(|_| "not bytes".to_string()).and_then(|a| decode::<Event>(&a.to_vec())) {
            Ok(event) => event,
            Err(e) => return state.error.set(Some(text!("unreadable-event", reason = e))),
        };
        if let Event::Panicked(why) = &event {
            if let Some(connection) = weak.upgrade() {
                *connection.panic.borrow_mut() = Some(why.clone());
            }
            return;
        }
        if event == Event::WorkerStarted {
            if let Some(connection) = weak.upgrade() {
                connection.listening.set(true);
                let queued = std::mem::take(&mut *connection.queued.borrow_mut());
                if let Some(worker) = connection.worker.borrow().as_ref() {
                    for command in &queued {
                        post(worker, command, state);
                    }
                }
            }
        }
        apply(event, state, form);
    });
    let weak = Rc::downgrade(connection);
    let on_error = Closure::<dyn FnMut(ErrorEvent)>::new(move |error: ErrorEvent| {
        error.prevent_default();
        let Some(connection) = weak.upgrade() else { return };
        let why = connection.panic.borrow_mut().take().unwrap_or_else(|| error.message());
        let restart = connection.restarts.get() < MAX_RESTARTS;
        let start = connection.start.borrow().as_ref().and_then(on_the_cpu).filter(|_| restart);
        let Some(start) = start else {
            return state.error.set(Some(text!("trainer-crashed-reload", reason = why)));
        };
        connection.restarts.set(connection.restarts.get() + 1);
        // Nothing is enabled until the new worker reports its own phase.
        state.phase.set(super::state::Phase::ChoosingBackend(text!("trainer-restarting")));
        state.backend.set(None);
        state.worker_restarts.update(|n| *n += 1);
        state.error.set(Some(text!("trainer-crashed-restarted", reason = why)));
        if let Some(old) = connection.worker.borrow_mut().take() {
            old.terminate();
        }
        connection.listening.set(false);
        *connection.queued.borrow_mut() = vec![start];
        // Deferred: this handler belongs to the worker being replaced.
        let connection = connection.clone();
        leptos::task::spawn_local(async move { spawn(&connection, state, form) });
    });
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    *connection.worker.borrow_mut() = Some(worker);
    *connection.handlers.borrow_mut() = Some((on_message, on_error));
}

/// Starts the trainer worker for this page and returns the handle components send commands with.
pub fn use_trainer(state: PlaygroundState, form: SettingsForm) -> Trainer {
    let connection = Rc::new(Connection {
        worker: RefCell::new(None),
        queued: RefCell::new(Vec::new()),
        listening: Cell::new(false),
        start: RefCell::new(None),
        restarts: Cell::new(0),
        panic: RefCell::new(None),
        handlers: RefCell::new(None),
    });
    spawn(&connection, state, form);
    let owned = send_wrapper::SendWrapper::new(connection.clone());
    on_cleanup(move || {
        if let Some(worker) = owned.take().worker.borrow_mut().take() {
            worker.terminate();
        }
    });
    Trainer { connection: StoredValue::new_local(connection), state }
}
