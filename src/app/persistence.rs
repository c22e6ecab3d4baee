//! Keeping the user's run: snapshots after every epoch and on pause (IndexedDB, and in memory as the
//! last good weights), restoring one after a reload, "Start fresh", and moving to the CPU with those
//! weights when the GPU is lost. Storage failures turn persistence off with a note; training goes on.

use std::rc::Rc;

use burn::tensor::Device;
use leptos::prelude::*;

use super::compute_backend::{BackendInfo, BackendKind};
use super::engine::{EngineHandle, Predictor, describe_run, pretrained_predictor};
use super::model_store;
use super::state::{EpochResult, MistakeView, Persistence, Phase, PlaygroundState};
use crate::data::mnist::NUM_CLASSES;
use crate::run::TrainingRun;
use crate::settings::PlaygroundSettings;
use crate::snapshot::{EpochRecord, RunHistory, RunSnapshot};

/// The charts, log and results as the page shows them now.
pub fn history_from_state(state: &PlaygroundState) -> RunHistory {
    RunHistory {
        losses: state.losses.get_untracked(),
        epochs: state
            .epochs
            .get_untracked()
            .into_iter()
            .map(|e| EpochRecord { epoch: e.epoch, accuracy: e.accuracy, mean_loss: e.mean_loss })
            .collect(),
        log: state.log.get_untracked(),
        confusion: state.confusion.get_untracked().map(|c| c.iter().map(|row| row.to_vec()).collect()),
        mistakes: state.mistakes.get_untracked().into_iter().map(|m| (m.index, m.truth, m.predicted)).collect(),
    }
}

/// Puts a saved history back on the page (mistake images come from `run`'s test set).
pub fn show_history(state: &PlaygroundState, history: &RunHistory, run: &TrainingRun) {
    state.losses.set(history.losses.clone());
    state.epochs.set(history.epochs.iter().map(|e| EpochResult { epoch: e.epoch, accuracy: e.accuracy, mean_loss: e.mean_loss }).collect());
    state.log.set(history.log.clone());
    let confusion = history.confusion.as_ref().and_then(|rows| {
        let mut m = [[0u32; NUM_CLASSES]; NUM_CLASSES];
        (rows.len() == NUM_CLASSES && rows.iter().all(|r| r.len() == NUM_CLASSES)).then(|| {
            for (i, row) in rows.iter().enumerate() {
                m[i].copy_from_slice(row);
            }
            m
        })
    });
    state.confusion.set(confusion);
    let test = run.test_set();
    state.mistakes.set(
        history
            .mistakes
            .iter()
            .filter(|(index, _, _)| *index < test.len())
            .map(|&(index, truth, predicted)| MistakeView { pixels: test.image(index).to_vec(), truth, predicted, index })
            .collect(),
    );
    state.progress.set(Some(run.progress()));
}

fn clock(ms: f64) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms));
    String::from(date.to_locale_string("en-GB", &wasm_bindgen::JsValue::UNDEFINED))
}

fn describe_snapshot(snapshot: &RunSnapshot) -> String {
    let acc = snapshot.meta.history.epochs.last().map(|e| format!(", {:.1} %", e.accuracy * 100.0)).unwrap_or_default();
    format!("saved {}, epoch {}, step {}{acc}", clock(snapshot.meta.saved_at_ms), snapshot.meta.epoch, snapshot.meta.steps)
}

/// Snapshots `run` (reading the device asynchronously), keeps it as the last good weights, and writes
/// it to IndexedDB unless persistence is off. Storage problems only turn persistence off; an `Err` means
/// the device could not be read (on WebGPU: the GPU is gone).
pub async fn save_snapshot(engine: &EngineHandle, state: &PlaygroundState, settings: &PlaygroundSettings, run: &TrainingRun) -> Result<(), String> {
    let settings = PlaygroundSettings { training: run.session().config().clone(), ..settings.clone() };
    let snapshot = match RunSnapshot::capture(run, &settings, history_from_state(state), js_sys::Date::now()).await {
        Ok(s) => Rc::new(s),
        Err(e) => return Err(e.to_string()),
    };
    engine.borrow_mut().last_snapshot = Some(snapshot.clone());
    if matches!(state.persistence.get_untracked(), Persistence::Off(_)) {
        return Ok(());
    }
    match model_store::save(&snapshot).await {
        Ok(()) => state.persistence.set(Persistence::On(Some(describe_snapshot(&snapshot)))),
        Err(e) => state.persistence.set(Persistence::Off(e)),
    }
    Ok(())
}

/// Looks for a saved run and, if there is one, makes it the current run. Called once the data and the
/// backend are ready. Returns the settings it was trained with, for the form.
pub async fn restore_saved(engine: &EngineHandle, state: &PlaygroundState) -> Option<PlaygroundSettings> {
    let saved = match model_store::load().await {
        Ok(saved) => saved,
        Err(e) => {
            state.persistence.set(Persistence::Off(e));
            return None;
        }
    };
    state.persistence.set(Persistence::On(None));
    let snapshot = match saved? {
        Ok(s) => Rc::new(s),
        Err(e) => {
            state.error.set(Some(format!("The run saved in this browser could not be read ({e}); starting fresh.")));
            return None;
        }
    };
    let ready = {
        let e = engine.borrow();
        (e.device.clone(), e.train.clone(), e.test.clone())
    };
    let (Some(device), Some(train), Some(test)) = ready else {
        return None;
    };
    match snapshot.restore(train, test, &device) {
        Ok((run, dropped)) => {
            show_history(state, &snapshot.meta.history, &run);
            let note = format!("Restored model from this browser ({}).", describe_snapshot(&snapshot));
            state.restored_note.set(Some(match dropped {
                Some(why) => format!("{note} Note: {why}."),
                None => note,
            }));
            state.persistence.set(Persistence::On(Some(describe_snapshot(&snapshot))));
            let accuracy = snapshot.meta.history.epochs.last().map(|e| e.accuracy);
            state.phase.set(if run.finished() { Phase::Finished } else { Phase::Paused });
            let mut e = engine.borrow_mut();
            e.predictor = Some(Predictor { model: run.session().inference_model(), description: describe_run(&run, accuracy) });
            e.run = Some(run);
            e.generation += 1;
            e.last_snapshot = Some(snapshot.clone());
            drop(e);
            state.model_version.update(|v| *v += 1);
            Some(snapshot.settings())
        }
        Err(e) => {
            state.error.set(Some(format!("The run saved in this browser could not be restored ({e}); starting fresh.")));
            None
        }
    }
}

/// Forgets the saved run and the current one.
pub async fn start_fresh(engine: EngineHandle, state: PlaygroundState) {
    super::engine::reset(&engine, &state);
    engine.borrow_mut().last_snapshot = None;
    state.restored_note.set(None);
    if !matches!(state.persistence.get_untracked(), Persistence::Off(_)) {
        match model_store::clear().await {
            Ok(()) => state.persistence.set(Persistence::On(None)),
            Err(e) => state.persistence.set(Persistence::Off(e)),
        }
    }
}

/// The last "Caused by:" of a device error, without the backtrace line: "Destroyed: Device was destroyed."
fn short_reason(error: &str) -> String {
    let error = error.split("Backtrace").next().unwrap_or(error);
    error.rsplit("Caused by:").next().unwrap_or(error).trim().trim_end_matches('.').to_string()
}

/// The GPU failed (lost device, failed read): continue on the CPU from the last snapshot.
pub fn fall_back_to_cpu(engine: &EngineHandle, state: &PlaygroundState, error: &str) {
    let reason = short_reason(error);
    let device = Device::flex();
    let mut e = engine.borrow_mut();
    e.generation += 1;
    e.busy = false;
    e.run = None;
    e.device = Some(device.clone());
    e.backend_kind = Some(BackendKind::Cpu);
    e.train_ms = 0.0;
    e.train_images = 0;
    let (train, test, snapshot) = (e.train.clone(), e.test.clone(), e.last_snapshot.clone());
    let restored = match (snapshot, train, test) {
        (Some(snapshot), Some(train), Some(test)) => snapshot.restore(train, test, &device).ok().map(|(run, _)| (run, snapshot)),
        _ => None,
    };
    let resumable = restored.is_some();
    let message = match restored {
        Some((run, snapshot)) => {
            let accuracy = snapshot.meta.history.epochs.last().map(|e| e.accuracy);
            e.predictor = Some(Predictor { model: run.session().inference_model(), description: describe_run(&run, accuracy) });
            e.run = Some(run);
            drop(e);
            if let Some(run) = engine.borrow().run.as_ref() {
                show_history(state, &snapshot.meta.history, run);
            }
            format!(
                "The GPU stopped working ({reason}). Training moved to the CPU with the last saved weights (step {}, epoch {}); press Resume to continue.",
                snapshot.meta.steps, snapshot.meta.epoch
            )
        }
        None => {
            e.predictor = e.pretrained.as_ref().and_then(|p| pretrained_predictor(p, &device));
            drop(e);
            state.clear_run();
            format!("The GPU stopped working ({reason}) before any weights were saved. Training moved to the CPU and starts afresh.")
        }
    };
    state.backend.set(Some(BackendInfo {
        kind: BackendKind::Cpu,
        name: "CPU (wasm)".into(),
        reason: "moved here after the GPU was lost; reload the page to try WebGPU again".into(),
    }));
    state.phase.set(if resumable { Phase::Paused } else { Phase::Ready });
    state.model_version.update(|v| *v += 1);
    state.error.set(Some(message));
}
