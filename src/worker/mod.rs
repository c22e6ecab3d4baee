//! The trainer's dedicated Web Worker (wasm only): message plumbing around the core's
//! [`crate::trainer`] loop, plus what only a browser can do — fetch the data and the pretrained model,
//! set up WebGPU (or fall back to the CPU), keep snapshots in IndexedDB.
//!
//! Messages are `postcard` bytes in a `Uint8Array` whose buffer is transferred, both ways.

mod backend;
mod bench;
mod data;
mod helper;
mod indexed_db;
mod js;
mod tabs;

use std::rc::Rc;

use futures_channel::mpsc::{UnboundedReceiver, UnboundedSender, unbounded};
use futures_lite::StreamExt;
use js_sys::{Array, Uint8Array};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

use crate::i18n::Text;
use crate::settings::PlaygroundSettings;
use crate::text;
use crate::protocol::{Command, Event, Phase, decode, encode};
use crate::data::{Dataset, MnistDataset};
use crate::trainer::{Prepared, Trainer, answer_while, serve};
use indexed_db::IndexedDbStore;

/// Where the page serves the pretrained model (copied from `www/models` by Trunk).
const PRETRAINED_PATH: &str = "models/pretrained-mnist.safetensors";

fn scope() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

/// Posts one event to the page, transferring its buffer. A message that cannot be posted has
/// nowhere to go but the console.
fn post(event: &Event) {
    let bytes = match encode(event) {
        Ok(bytes) => bytes,
        Err(e) => return web_sys::console::error_1(&e.into()),
    };
    let array = Uint8Array::from(bytes.as_slice());
    let transfer = Array::of1(&array.buffer());
    if let Err(e) = scope().post_message_with_transfer(&array, &transfer) {
        web_sys::console::error_1(&e);
    }
}

fn command_from(event: &MessageEvent) -> Result<Command, String> {
    let array: Uint8Array = event.data().dyn_into().map_err(|_| "a message that is not bytes".to_string())?;
    decode(&array.to_vec())
}

/// The worker's wasm linear memory and (Chromium only) its JS heap, in bytes.
fn memory_in_use() -> (f64, f64) {
    let wasm = js::get(&js::get(&wasm_bindgen::memory(), "buffer"), "byteLength").as_f64().unwrap_or(0.0);
    let heap = js::get(&js::get(&js::get(&js::global(), "performance"), "memory"), "usedJSHeapSize").as_f64().unwrap_or(0.0);
    (wasm, heap)
}

/// Tells the page why the worker is dying (the page only sees "unreachable" otherwise), then logs the
/// panic as usual.
fn report_panics() {
    std::panic::set_hook(Box::new(|info| {
        let payload = info.payload();
        let message = payload.downcast_ref::<&str>().map(|s| s.to_string()).or_else(|| payload.downcast_ref::<String>().cloned()).unwrap_or_else(|| info.to_string());
        post(&Event::Panicked(message));
        console_error_panic_hook::hook(info);
    }));
}

/// Starts the worker: listens for commands, then tells the page it is listening.
pub fn start() {
    if scope().name() == helper::NAME {
        return helper::serve();
    }
    report_panics();
    let (sender, commands) = unbounded::<Command>();
    // The worker's own messages to its loop (the background timing of a backend).
    let own_commands = sender.clone();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| match command_from(&event) {
        Ok(command) => {
            let _ = sender.unbounded_send(command);
        }
        Err(e) => post(&Event::Error(text!("unreadable-command", reason = e))),
    });
    scope().set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // Lives as long as the worker.
    on_message.forget();
    wasm_bindgen_futures::spawn_local(run(commands, own_commands));
    post(&Event::WorkerStarted);
}

/// Waits for `Start` (answering a benchmark request instead, if that comes), loads the data, picks
/// the device, then hands everything to the trainer's loop.
async fn run(mut commands: UnboundedReceiver<Command>, own_commands: UnboundedSender<Command>) {
    let emit: Rc<dyn Fn(Event)> = Rc::new(|event| {
        tabs::observe(&event);
        backend::observe(&event);
        post(&event);
    });
    let (base_url, query, debug_device_lost, tab) = loop {
        match commands.next().await {
            Some(Command::Start { base_url, settings, debug_device_lost, tab }) => break (base_url, settings, debug_device_lost, tab),
            Some(Command::Bench { base_url, engine, profile }) => emit(Event::BenchResult(bench::run_json(&base_url, &engine, profile).await)),
            Some(_) => {}
            None => return,
        }
    };
    let (settings, _) = PlaygroundSettings::from_query(&query);
    tabs::start(&tab, |event| post(&event));
    let mut trainer = Trainer::new(IndexedDbStore::for_tab(&tab), emit.clone());
    trainer.set_memory_probe(Box::new(memory_in_use));
    let lost_to = own_commands.clone();
    backend::watch_gpu_devices(move |reason| {
        let _ = lost_to.unbounded_send(Command::GpuLost { reason });
    });
    if debug_device_lost {
        // A panic, as wgpu's default handler of an uncaught WebGPU error is: the worker dies.
        trainer.set_device_loss_drill(Box::new(backend::destroy_recorded_devices), Box::new(|| panic!("simulated uncaught WebGPU error")));
    }
    let mut held = Vec::new();
    let Some((train, test, pretrained)) = load_data(&mut trainer, &mut commands, &mut held, &emit, &base_url, settings.dataset).await else { return };
    let train = match settings.train_limit {
        Some(n) => train.first(n),
        None => train,
    };
    let test = match settings.test_limit {
        Some(n) => test.first(n),
        None => test,
    };
    let sample = train.first(256);
    let choice = backend::choose_backend(settings.backend, |s| emit(Event::Phase(Phase::ChoosingBackend(s)))).await;
    let (device, backend, budget) = (choice.device, choice.info, choice.budget);
    trainer.prepare(Prepared { train, test, device, backend, pretrained, budget }, settings).await;
    if let Some(candidate) = choice.candidate {
        // Ready already, on the CPU path; WebGPU is timed now, between the loop's own work, and the
        // trainer moves there (with the run) only if it measured faster.
        trainer.set_backend_candidate(candidate.device.clone(), candidate.info.clone(), candidate.budget.clone());
        wasm_bindgen_futures::spawn_local(async move {
            let (gpu, cpu) = backend::time_candidate(&candidate, &sample).await;
            let _ = own_commands.unbounded_send(Command::BackendMeasured { gpu, cpu, adapter: candidate.adapter });
        });
    }
    // What the page asked for during the download, in the order it asked, before anything newer.
    for command in held {
        trainer.handle(command).await;
    }
    serve(&mut trainer, &mut commands, js::yield_now).await;
}

/// The datasets and the pretrained model's file (or why it could not be fetched; `None` where the
/// dataset has none).
type Downloaded = (MnistDataset, MnistDataset, Option<Result<Vec<u8>, String>>);

/// Downloads the pretrained model, then MNIST or Fashion-MNIST, reporting progress. The model comes
/// first (2.3 MB, a fifth of the data, which came one file after the other anyway): the trainer reads
/// a digit drawn during the rest of the download with it. Every other command waits in `held`, in
/// arrival order, through a failure and its Retry too. `None`: the page is gone.
async fn load_data(trainer: &mut Trainer<IndexedDbStore>, commands: &mut UnboundedReceiver<Command>, held: &mut Vec<Command>, emit: &Rc<dyn Fn(Event)>, base_url: &str, dataset: Dataset) -> Option<Downloaded> {
    let mut pretrained: Option<Result<Vec<u8>, String>> = None;
    loop {
        // Said even when unchanged: a worker restarted after a crash tells the page it is loading
        // before the model's file is in.
        let loading = Phase::LoadingData(Default::default());
        match *trainer.phase() == loading {
            true => trainer.emit(Event::Phase(loading)),
            false => trainer.set_phase(loading),
        }
        // Fetched again after a failure, so a Retry once the network is back brings the model too.
        if dataset.has_pretrained_model() && !matches!(pretrained, Some(Ok(_))) {
            let fetched = answer_while(trainer, commands, held, data::fetch_bytes(&data::resolve(base_url, PRETRAINED_PATH))).await?;
            if let Ok(bytes) = &fetched {
                trainer.predict_before_data(dataset, bytes);
            }
            pretrained = Some(fetched);
        }
        let progress = emit.clone();
        let download = data::load_mnist(base_url, dataset, move |p| progress(Event::Phase(Phase::LoadingData(p))));
        match answer_while(trainer, commands, held, download).await? {
            Ok((train, test)) => return Some((train, test, pretrained)),
            Err(e) => {
                trainer.set_phase(Phase::DataFailed(Text::verbatim(&e)));
                trainer.emit(Event::Error(text!("data-failed", reason = e)));
                loop {
                    match commands.next().await? {
                        Command::RetryData => break,
                        command => held.extend(trainer.handle_before_data(command).await),
                    }
                }
            }
        }
    }
}
