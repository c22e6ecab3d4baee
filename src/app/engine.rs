//! The non-reactive half of the page: datasets, the compute device and the training run, and the
//! commands the buttons send (train, pause, step, reset). The loop yields to the browser between
//! chunks of steps and reads losses back asynchronously, so the page never freezes.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

use burn::tensor::Device;
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::browser::{now_ms, sleep_ms, yield_to_browser};
use super::compute_backend::BackendKind;
use super::state::{EpochResult, MistakeView, Phase, PlaygroundState};
use crate::data::MnistDataset;
use crate::run::{RunEvent, TrainingRun};
use crate::settings::PlaygroundSettings;

/// Steps between loss reads on WebGPU. Measured in headless Chromium on SwiftShader: issuing a step
/// blocks the page for about as long as the step runs (10 steps: 72 s with the first shader
/// compilations), so the page yields after every step to stay responsive and make Pause immediate.
const GPU_STEPS_PER_READ: usize = 1;
/// On the CPU every step computes synchronously; yield after this much work so input stays responsive.
const CPU_SLICE_MS: f64 = 30.0;
/// How long the loop waits before asking again for a run that a snapshot save or fine-tune holds.
const BUSY_RETRY_MS: i32 = 20;

#[derive(Default)]
pub struct Engine {
    pub device: Option<Device>,
    pub backend_kind: Option<BackendKind>,
    pub train: Option<Arc<MnistDataset>>,
    pub test: Option<Arc<MnistDataset>>,
    /// `None` before the first Train/Step, and while the training loop holds it across an await.
    pub run: Option<TrainingRun>,
    /// Bumped by Reset so that a loop still awaiting a read does not put back a stale run.
    pub generation: u64,
    /// Something holds the run right now (it is out of `run`): the training loop, a snapshot being
    /// saved, a fine-tune. Others wait for it or refuse.
    pub busy: bool,
    /// The training loop is running. Train and Step then only change what it does next, so a click
    /// that lands while it saves or reads is never lost and two loops never race for the run.
    pub driving: bool,
    /// Step was pressed while the loop was training: it pauses, then takes exactly one more step.
    pub step_requested: bool,
    /// Time spent training (not evaluating) and images seen, for images/s.
    pub train_ms: f64,
    pub train_images: usize,
    /// The model the drawing panel predicts with: the one training here, or the pretrained one.
    pub predictor: Option<Predictor>,
    /// The shipped pretrained model, once downloaded.
    pub pretrained: Option<Pretrained>,
    /// The latest snapshot of the run (also in IndexedDB when persistence is on): the weights to go
    /// back to if the GPU is lost.
    pub last_snapshot: Option<Rc<crate::snapshot::RunSnapshot>>,
}

/// A model for inference and what the page says about it.
#[derive(Clone)]
pub struct Predictor {
    pub model: crate::model::Mlp,
    pub description: String,
}

/// The pretrained weights (kept as bytes so a fresh copy can be made on any device) and their facts.
#[derive(Clone)]
pub struct Pretrained {
    pub bytes: Rc<Vec<u8>>,
    pub facts: crate::weights_file::TrainingFacts,
}

impl Pretrained {
    pub fn describe(&self) -> String {
        let acc = self.facts.test_accuracy.map(|a| format!(", {:.1} % test accuracy", a * 100.0)).unwrap_or_default();
        format!("pretrained model ({} epochs{acc})", self.facts.epochs)
    }
}

/// Describes the model of `run` for the drawing panel.
pub fn describe_run(run: &TrainingRun, accuracy: Option<f64>) -> String {
    let p = run.progress();
    let acc = accuracy.map(|a| format!(", {:.1} % test accuracy", a * 100.0)).unwrap_or_default();
    let steps = if p.steps == 1 { "1 step".to_string() } else { format!("{} steps", p.steps) };
    format!("model trained here ({steps}, epoch {} of {}{acc})", (p.epoch + 1).min(p.epochs), p.epochs)
}

/// Points the drawing panel at the run's current weights.
pub fn publish_predictor(engine: &EngineHandle, state: &PlaygroundState, run: &TrainingRun) {
    let accuracy = state.epochs.with_untracked(|e| e.last().map(|r| r.accuracy));
    engine.borrow_mut().predictor = Some(Predictor { model: run.session().inference_model(), description: describe_run(run, accuracy) });
    state.model_version.update(|v| *v += 1);
}

/// Shared handle: the engine is used from event handlers and from the async loop, never across an
/// `await` while borrowed.
pub type EngineHandle = Rc<RefCell<Engine>>;

enum Taken {
    Run(TrainingRun, u64),
    /// Another loop holds the run; it carries on, this one stops quietly.
    Busy,
    NotReady,
}

/// Takes the run out (creating it from `settings` if there is none) for use across awaits.
fn take_run(engine: &EngineHandle, settings: &PlaygroundSettings) -> Taken {
    let mut e = engine.borrow_mut();
    if e.busy {
        return Taken::Busy;
    }
    let generation = e.generation;
    let run = match e.run.take() {
        Some(run) => run,
        None => {
            let (Some(device), Some(train), Some(test)) = (e.device.clone(), e.train.clone(), e.test.clone()) else {
                return Taken::NotReady;
            };
            e.train_ms = 0.0;
            e.train_images = 0;
            TrainingRun::new(settings.training.clone(), train, test, &device)
        }
    };
    e.busy = true;
    Taken::Run(run, generation)
}

fn put_back(engine: &EngineHandle, run: TrainingRun, generation: u64) {
    let mut e = engine.borrow_mut();
    if e.generation == generation {
        e.run = Some(run);
        e.busy = false;
    }
}

fn apply_events(state: &PlaygroundState, events: Vec<RunEvent>) {
    let mut new_losses = Vec::new();
    let mut new_lines = Vec::new();
    for event in events {
        match event {
            RunEvent::Loss(l) => new_losses.push(l.loss),
            RunEvent::Log(line) => new_lines.push(line),
            RunEvent::Diverged { step, loss, restored_step } => {
                let why = format!(
                    "Training stopped: the loss became {loss} at step {step} (the learning rate is probably too high). \
                     The weights from step {restored_step}, before it went wrong, are kept."
                );
                new_lines.push(why.clone());
                state.phase.set(Phase::Diverged(why.clone()));
                state.error.set(Some(why));
            }
        }
    }
    if !new_losses.is_empty() {
        state.losses.update(|l| l.extend(new_losses));
    }
    if !new_lines.is_empty() {
        state.log.update(|l| l.extend(new_lines));
    }
}

fn show_evaluation(state: &PlaygroundState, run: &TrainingRun, eval: &crate::evaluation::Evaluation) {
    let epoch = run.progress().epoch.saturating_sub(1);
    state.log.update(|l| l.push(eval.seed_log_line()));
    state.epochs.update(|e| e.push(EpochResult { epoch, accuracy: eval.accuracy(), mean_loss: eval.mean_loss() }));
    state.confusion.set(Some(eval.confusion));
    let test = run.test_set();
    state.mistakes.set(
        eval.mistakes
            .iter()
            .map(|m| MistakeView { pixels: test.image(m.index).to_vec(), truth: m.truth, predicted: m.predicted, index: m.index })
            .collect(),
    );
}

/// How a chunk of training ended, for the loop that drives it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum ChunkEnd {
    /// Steps ran and training goes on.
    More,
    /// The loop stopped here (Pause, a single step, Reset, the end, divergence, an error); it goes on
    /// only if the phase says Training again (Train was pressed meanwhile).
    Stopped,
    /// Someone else holds the run (a snapshot being saved, a fine-tune); try again shortly.
    RunBusy,
    /// Nothing to train yet.
    NotReady,
}

/// Runs up to one chunk of steps, reads the losses, and evaluates at the end of an epoch.
async fn train_chunk(engine: &EngineHandle, state: PlaygroundState, settings: &PlaygroundSettings, single_step: bool) -> ChunkEnd {
    let (mut run, generation) = match take_run(engine, settings) {
        Taken::Run(run, generation) => (run, generation),
        Taken::Busy => return ChunkEnd::RunBusy,
        Taken::NotReady => {
            state.error.set(Some("The data or the compute backend is not ready yet.".into()));
            return ChunkEnd::NotReady;
        }
    };
    let on_gpu = engine.borrow().backend_kind == Some(BackendKind::WebGpu);
    let start = now_ms();
    let mut steps = 0;
    let images_before = run.progress().steps;
    while !run.finished() && !run.epoch_complete() {
        let keep_going = single_step || state.phase.get_untracked() == Phase::Training;
        if !keep_going {
            break;
        }
        run.step();
        steps += 1;
        let chunk_full = if on_gpu { steps >= GPU_STEPS_PER_READ } else { now_ms() - start >= CPU_SLICE_MS };
        if single_step || chunk_full {
            break;
        }
    }
    let read = run.read_losses().await;
    let elapsed = now_ms() - start;
    let batch_size = run.session().config().batch_size;
    {
        let mut e = engine.borrow_mut();
        if e.generation == generation {
            e.train_ms += elapsed;
            e.train_images += (run.progress().steps - images_before) * batch_size;
            if e.train_ms > 0.0 && e.train_images > 0 {
                state.images_per_second.set(Some(e.train_images as f64 / (e.train_ms / 1000.0)));
            }
        }
    }
    if engine.borrow().generation != generation {
        return ChunkEnd::Stopped; // Reset while we were reading.
    }
    match read {
        Ok(events) => apply_events(&state, events),
        Err(e) if on_gpu => {
            super::persistence::fall_back_to_cpu(engine, &state, &e.to_string());
            return ChunkEnd::Stopped;
        }
        Err(e) => {
            state.error.set(Some(format!("Reading results from the device failed: {e}. The model is kept; try Resume.")));
            state.phase.set(Phase::Paused);
            put_back(engine, run, generation);
            return ChunkEnd::Stopped;
        }
    }
    state.progress.set(Some(run.progress()));
    let mut epoch_done = false;
    if run.epoch_complete() && !run.diverged() {
        let resume_to = state.phase.get_untracked();
        state.phase.set(Phase::Evaluating);
        match run.finish_epoch().await {
            Ok(eval) => {
                show_evaluation(&state, &run, &eval);
                epoch_done = true;
            }
            Err(e) if on_gpu => {
                super::persistence::fall_back_to_cpu(engine, &state, &e.to_string());
                return ChunkEnd::Stopped;
            }
            Err(e) => state.error.set(Some(format!("Evaluation failed: {e}"))),
        }
        state.progress.set(Some(run.progress()));
        if engine.borrow().generation != generation {
            return ChunkEnd::Stopped;
        }
        state.phase.set(if resume_to == Phase::Training { Phase::Training } else { resume_to });
    }
    let finished = run.finished();
    let diverged = run.diverged();
    if run.session().steps() > 0 {
        publish_predictor(engine, &state, &run);
    }
    let continues = !finished && !diverged && !single_step && state.phase.get_untracked() == Phase::Training;
    if epoch_done || !continues {
        // After every epoch and whenever the loop stops (pause, step, end): keep the user's work.
        if let Err(e) = super::persistence::save_snapshot(engine, &state, settings, &run).await {
            if on_gpu {
                super::persistence::fall_back_to_cpu(engine, &state, &e);
                return ChunkEnd::Stopped;
            }
            state.persistence.set(super::state::Persistence::Off(format!("the weights could not be read for saving ({e})")));
        }
        if engine.borrow().generation != generation {
            return ChunkEnd::Stopped;
        }
    }
    put_back(engine, run, generation);
    if diverged {
        return ChunkEnd::Stopped;
    }
    if finished {
        state.phase.set(Phase::Finished);
        return ChunkEnd::Stopped;
    }
    if !single_step && state.phase.get_untracked() == Phase::Training { ChunkEnd::More } else { ChunkEnd::Stopped }
}

/// Starts (or resumes) training until the run ends, Pause or Reset.
pub fn start_training(engine: EngineHandle, state: PlaygroundState, settings: PlaygroundSettings) {
    if engine.borrow().run.as_ref().is_some_and(|r| r.finished()) {
        reset(&engine, &state);
    }
    state.error.set(None);
    state.phase.set(Phase::Training);
    engine.borrow_mut().step_requested = false;
    drive(engine, state, settings, false);
}

/// One batch, then stop. While training, it pauses first and then takes one more step.
pub fn single_step(engine: EngineHandle, state: PlaygroundState, settings: PlaygroundSettings) {
    if engine.borrow().run.as_ref().is_some_and(|r| r.finished()) {
        reset(&engine, &state);
    }
    state.phase.set(Phase::Paused);
    let running = engine.borrow().driving;
    if running {
        engine.borrow_mut().step_requested = true;
    }
    drive(engine, state, settings, true);
}

/// Runs the training loop unless it is already running, in which case the phase and
/// `step_requested` just set tell the running loop what to do next.
fn drive(engine: EngineHandle, state: PlaygroundState, settings: PlaygroundSettings, first_is_single_step: bool) {
    {
        let mut e = engine.borrow_mut();
        if e.driving {
            return;
        }
        e.driving = true;
    }
    spawn_local(async move {
        // Let the click that started this finish (and the page repaint) before the first step.
        yield_to_browser().await;
        let mut single = first_is_single_step;
        loop {
            match train_chunk(&engine, state, &settings, single).await {
                ChunkEnd::NotReady => break,
                ChunkEnd::RunBusy => {
                    if !single && state.phase.get_untracked() != Phase::Training {
                        break;
                    }
                    sleep_ms(BUSY_RETRY_MS).await;
                    continue;
                }
                ChunkEnd::More => single = false,
                ChunkEnd::Stopped => {
                    single = std::mem::take(&mut engine.borrow_mut().step_requested);
                    let training = state.phase.get_untracked() == Phase::Training;
                    if !single && !training {
                        break;
                    }
                }
            }
            yield_to_browser().await;
        }
        engine.borrow_mut().driving = false;
    });
}

pub fn pause(state: &PlaygroundState) {
    if state.phase.get_untracked() == Phase::Training {
        state.phase.set(Phase::Paused);
    }
}

/// Forgets the run (model, optimizer state, metrics); the data and backend stay.
pub fn reset(engine: &EngineHandle, state: &PlaygroundState) {
    {
        let mut e = engine.borrow_mut();
        e.generation += 1;
        e.run = None;
        e.busy = false;
        e.step_requested = false;
        e.train_ms = 0.0;
        e.train_images = 0;
        e.predictor = e.pretrained.as_ref().and_then(|p| pretrained_predictor(p, e.device.as_ref()?));
    }
    state.model_version.update(|v| *v += 1);
    state.clear_run();
    state.phase.set(Phase::Ready);
}

/// The pretrained model as a predictor on `device`.
pub fn pretrained_predictor(pretrained: &Pretrained, device: &Device) -> Option<Predictor> {
    let loaded = crate::weights_file::load(&pretrained.bytes, device).ok()?;
    Some(Predictor { model: loaded.model, description: pretrained.describe() })
}

/// Replaces the run with one that starts from the pretrained weights (so training and fine-tuning
/// continue from them), and predicts with it.
pub fn use_pretrained(engine: &EngineHandle, state: &PlaygroundState, settings: &PlaygroundSettings) -> Result<(), String> {
    let Some(pretrained) = engine.borrow().pretrained.clone() else {
        return Err("The pretrained model is not loaded yet.".into());
    };
    use_weights(engine, state, settings, &pretrained.bytes, |_| pretrained.describe()).map(|_| ())
}

/// Replaces the run with one that starts from the weights in `bytes` (a `.safetensors` file). A bad
/// file is refused with the reason and changes nothing. `describe` names the model from its facts.
pub fn use_weights(
    engine: &EngineHandle,
    state: &PlaygroundState,
    settings: &PlaygroundSettings,
    bytes: &[u8],
    describe: impl FnOnce(&crate::weights_file::TrainingFacts) -> String,
) -> Result<crate::weights_file::TrainingFacts, String> {
    let mut e = engine.borrow_mut();
    if e.busy {
        return Err("Pause training first.".into());
    }
    let (Some(device), Some(train), Some(test)) = (e.device.clone(), e.train.clone(), e.test.clone()) else {
        return Err("The data is not loaded yet.".into());
    };
    let loaded = crate::weights_file::load(bytes, &device.clone().autodiff()).map_err(|err| err.to_string())?;
    let config = settings.training.fitted_to(&loaded.model);
    let facts = loaded.facts.clone();
    let session = crate::training::TrainingSession::with_model(config, loaded.model, &device);
    e.predictor = Some(Predictor { model: session.inference_model(), description: describe(&facts) });
    e.run = Some(TrainingRun::from_session(session, train, test));
    e.generation += 1;
    drop(e);
    state.clear_run();
    state.restored_note.set(None);
    state.phase.set(Phase::Paused);
    state.model_version.update(|v| *v += 1);
    Ok(facts)
}

/// Snapshots the current run now (e.g. after loading weights), unless a training loop holds it.
pub async fn persist_current(engine: EngineHandle, state: PlaygroundState, settings: PlaygroundSettings) {
    let Taken::Run(run, generation) = take_run(&engine, &settings) else { return };
    let result = super::persistence::save_snapshot(&engine, &state, &settings, &run).await;
    put_back(&engine, run, generation);
    if let Err(e) = result {
        state.persistence.set(super::state::Persistence::Off(format!("the weights could not be read for saving ({e})")));
    }
}
