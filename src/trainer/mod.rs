//! The one owner of everything that learns: the device, the datasets, the run and its optimizer, the
//! pretrained model, inference, fine-tuning, the backprop stepper's numbers and the snapshots.
//!
//! [`serve`] is the trainer's only loop: it handles [`Command`]s one at a time, in arrival order, and
//! between commands runs one chunk of training while the phase is Training. A command that arrives
//! while a step, a read or a save is in flight simply waits its turn, so nothing here needs "busy"
//! flags or generation counters. The worker runs this loop on WebGPU or the CPU; native tests run it
//! on `Device::flex()` and script the order commands arrive in.

pub mod budget;
mod network_view;
pub mod store;

use std::cell::OnceCell;
use std::future::Future;
use std::pin::pin;
use std::rc::Rc;
use std::sync::Arc;

use burn::tensor::Device;
use futures_channel::mpsc::{TryRecvError, UnboundedReceiver};
use futures_lite::{StreamExt, future};
use web_time::Instant;

use crate::backprop_step::{self, BackpropView, OptimizerContext, UPDATE_TOLERANCE};
use crate::cpu_forward::CpuForward;
use crate::data::{Dataset, MnistDataset};
use crate::data::dataset::dataset_name;
use crate::data::mnist::{IMAGE_PIXELS, NUM_CLASSES};
use crate::evaluation::{Evaluation, ReadError};
use crate::i18n::{Arg, Text};
use crate::fine_tune::{FINE_TUNE_STEPS, fine_tune};
use crate::model::Mlp;
use crate::run::{RunEvent, TrainingRun};
use crate::settings::PlaygroundSettings;
use crate::snapshot::{EpochRecord, RunHistory, RunSnapshot};
use crate::text;
use crate::training::{TrainingConfig, TrainingSession};
use crate::weights_file::{self, TrainingFacts};
use crate::protocol::{self, BackendInfo, BackendKind, BackpropSample, Command, EpochResult, Event, MistakeView, Notice, Persistence, Phase, RecentModel, RunView};
use budget::MemoryBudget;
use store::{RunStore, Unreadable};

/// On the CPU every step computes synchronously; after this much work the loop reads the losses and
/// looks at its commands again, so a Pause or a prediction waits at most about this long.
const CPU_SLICE_MS: f64 = 30.0;
/// The profiler samples one step in this many (its phases are waited for, which costs three reads).
pub const PROFILE_EVERY: usize = 50;
/// The name a downloaded model gets.
pub const DOWNLOAD_NAME: &str = "backprop-playground-mnist.safetensors";

/// The shipped pretrained weights (kept as bytes so a fresh copy can be made on any device).
struct Pretrained {
    bytes: Vec<u8>,
    facts: TrainingFacts,
}

impl Pretrained {
    fn describe(&self) -> Text {
        describe_pretrained(&self.facts)
    }
}

fn describe_pretrained(facts: &TrainingFacts) -> Text {
    text!("model-pretrained", epochs = facts.epochs, accuracy = accuracy_suffix(facts.test_accuracy))
}

/// The model the drawing panel and the backprop stepper use, and what the page says about it.
struct Predictor {
    model: Mlp,
    description: Text,
    /// The model's weights copied out for single images on the CPU, read at its first prediction
    /// (`None` inside: a model the copy cannot take, predicted through its device).
    cpu_copy: OnceCell<Option<CpuForward>>,
}

impl Predictor {
    fn new(model: Mlp, description: Text) -> Self {
        Self { model, description, cpu_copy: OnceCell::new() }
    }
}

/// The stepper's last view, with the model version and optimizer settings it was computed for.
struct ShownBackprop {
    view: BackpropView,
    model_version: u64,
    sample: BackpropSample,
    settings: PlaygroundSettings,
}

/// What the worker hands over once the data and the device are ready.
pub struct Prepared {
    pub train: MnistDataset,
    pub test: MnistDataset,
    pub device: Device,
    pub backend: BackendInfo,
    /// The pretrained model's file, or why it could not be fetched; `None` where the dataset has no
    /// pretrained model (Fashion-MNIST).
    pub pretrained: Option<Result<Vec<u8>, String>>,
    /// What the device lets a run use.
    pub budget: MemoryBudget,
}

pub struct Trainer<S: RunStore> {
    store: S,
    emit: Rc<dyn Fn(Event)>,
    settings: PlaygroundSettings,
    device: Option<Device>,
    backend: Option<BackendKind>,
    budget: MemoryBudget,
    train: Option<Arc<MnistDataset>>,
    test: Option<Arc<MnistDataset>>,
    run: Option<TrainingRun>,
    phase: Phase,
    pretrained: Option<Pretrained>,
    predictor: Option<Predictor>,
    /// Counts every change of the predictor's weights.
    model_version: u64,
    /// The charts, log and results of the current run, as saved in its snapshot.
    history: RunHistory,
    /// The latest snapshot: what a lost GPU falls back to.
    last_snapshot: Option<RunSnapshot>,
    persistence: Persistence,
    /// Time spent training (not evaluating) and images seen, for images/s.
    train_ms: f64,
    train_images: usize,
    backprop: Option<ShownBackprop>,
    /// `?debug=device-lost`: destroys the GPU devices and says how many.
    lose_device: Option<Box<dyn Fn() -> usize>>,
    /// `?debug=device-lost`: crashes the worker, as an uncaught WebGPU error does.
    crash: Option<Box<dyn Fn()>>,
    /// Reads the worker's memory (wasm, JS heap) for `Event::Memory` after each epoch.
    memory_probe: Option<Box<dyn Fn() -> (f64, f64)>>,
    /// "Recent models": what destructive actions replaced or forgot, newest last (also in the store).
    recent: Vec<(u64, RunSnapshot)>,
    /// Recent entries the store has but that cannot be read, with why (kept, never overwritten).
    broken_recent: Vec<(u64, Unreadable)>,
    /// The entry the last destructive action kept, which Undo brings back.
    undo: Option<u64>,
    /// The recent entry that holds exactly the current run, until the model changes again.
    kept_current: Option<u64>,
    /// Steps since the profiler's last sample.
    steps_since_profile: usize,
    /// A backend being timed in the background (WebGPU on a software adapter, in auto mode), to
    /// switch to, with the run, if it measures faster.
    candidate: Option<(Device, BackendInfo, MemoryBudget)>,
    /// The network view is open: send the first layer's tiles when the weights change.
    watching_weights: bool,
    /// The model version and time of the tiles sent last.
    tiles_sent: Option<(u64, Instant)>,
}

/// Recent models kept at most.
pub const MAX_RECENT: usize = 5;

/// Milliseconds since 1970.
fn now_epoch_ms() -> f64 {
    web_time::SystemTime::now().duration_since(web_time::SystemTime::UNIX_EPOCH).map(|d| d.as_secs_f64() * 1e3).unwrap_or(0.0)
}

/// The last "Caused by:" of a device error, without the backtrace: "Destroyed: Device was destroyed".
fn short_reason(error: &str) -> String {
    let error = error.split("Backtrace").next().unwrap_or(error);
    error.rsplit("Caused by:").next().unwrap_or(error).trim().trim_end_matches('.').to_string()
}

/// ", 97.9 % test accuracy" when there is one (a percentage with one decimal).
fn accuracy_suffix(accuracy: Option<f64>) -> Text {
    match accuracy {
        Some(a) => text!("accuracy-suffix", percent = format!("{:.1}", a * 100.0)),
        None => text!("empty"),
    }
}

fn describe_run(run: &TrainingRun, accuracy: Option<f64>) -> Text {
    let p = run.progress();
    text!("model-trained-here", steps = p.steps, epoch = (p.epoch + 1).min(p.epochs), epochs = p.epochs, accuracy = accuracy_suffix(accuracy))
}

impl<S: RunStore> Trainer<S> {
    pub fn new(store: S, emit: Rc<dyn Fn(Event)>) -> Self {
        Self {
            store,
            emit,
            settings: PlaygroundSettings::default(),
            device: None,
            backend: None,
            budget: MemoryBudget::cpu(),
            train: None,
            test: None,
            run: None,
            phase: Phase::LoadingData(Default::default()),
            pretrained: None,
            predictor: None,
            model_version: 0,
            history: RunHistory::default(),
            last_snapshot: None,
            persistence: Persistence::Unknown,
            train_ms: 0.0,
            train_images: 0,
            backprop: None,
            lose_device: None,
            memory_probe: None,
            crash: None,
            recent: Vec::new(),
            broken_recent: Vec::new(),
            undo: None,
            kept_current: None,
            candidate: None,
            watching_weights: false,
            tiles_sent: None,
            steps_since_profile: 0,
        }
    }

    /// A backend the worker is timing in the background; [`Command::BackendMeasured`] decides.
    pub fn set_backend_candidate(&mut self, device: Device, info: BackendInfo, budget: MemoryBudget) {
        self.candidate = Some((device, info, budget));
    }

    /// Reports the worker's memory after every epoch (wasm only has such numbers).
    pub fn set_memory_probe(&mut self, probe: Box<dyn Fn() -> (f64, f64)>) {
        self.memory_probe = Some(probe);
    }

    /// Arms the GPU drills: [`Command::SimulateDeviceLoss`] then calls `destroy`, and
    /// [`Command::SimulateCrash`] calls `crash`.
    pub fn set_device_loss_drill(&mut self, destroy: Box<dyn Fn() -> usize>, crash: Box<dyn Fn()>) {
        self.lose_device = Some(destroy);
        self.crash = Some(crash);
    }

    pub fn emit(&self, event: Event) {
        (self.emit)(event);
    }

    pub fn store(&self) -> &S {
        &self.store
    }

    pub fn phase(&self) -> &Phase {
        &self.phase
    }

    /// Steps the current run has taken (0 without a run).
    pub fn steps(&self) -> usize {
        self.run.as_ref().map_or(0, |r| r.progress().steps)
    }

    /// The run's settings, if there is a run.
    pub fn run_config(&self) -> Option<&TrainingConfig> {
        self.run.as_ref().map(|r| r.session().config())
    }

    pub fn is_training(&self) -> bool {
        self.phase == Phase::Training
    }

    pub fn set_phase(&mut self, phase: Phase) {
        if self.phase != phase {
            self.phase = phase.clone();
            self.emit(Event::Phase(phase));
        }
    }

    fn error(&self, text: Text) {
        self.emit(Event::Error(text));
    }

    fn notice(&self, to: Notice, text: Text) {
        self.emit(Event::Notice { to, text: Some(text) });
    }

    fn hide_notice(&self, to: Notice) {
        self.emit(Event::Notice { to, text: None });
    }

    fn set_persistence(&mut self, persistence: Persistence) {
        self.persistence = persistence.clone();
        self.emit(Event::Persistence(persistence));
    }

    /// Before the data is in: predicts with the pretrained model on the CPU, so a digit drawn while
    /// the datasets download (11 MB, seconds on a classroom network) is read at once. Nothing else
    /// changes: [`Trainer::prepare`] replaces this predictor with the model on the chosen device (or
    /// the saved run), and reports a file that does not load.
    pub fn predict_before_data(&mut self, dataset: Dataset, pretrained: &[u8]) {
        // Once prepared, the trainer's device and predictor are the chosen ones.
        if !dataset.has_pretrained_model() || self.train.is_some() {
            return;
        }
        let device = Device::flex();
        let Ok(loaded) = weights_file::load(pretrained, &device) else { return };
        self.predictor = Some(Predictor::new(loaded.model, describe_pretrained(&loaded.facts)));
        self.device = Some(device);
        self.publish_model_change();
    }

    /// While the data downloads: answers what needs no data (a drawing's prediction, once
    /// [`Trainer::predict_before_data`] has a model; until then with nothing, so the page asks again
    /// when the model arrives) and hands every other command back, to be handled in arrival order
    /// once the trainer is prepared.
    pub async fn handle_before_data(&mut self, command: Command) -> Option<Command> {
        match command {
            Command::Predict { id, pixels } if self.predictor.is_some() => self.predict(id, &pixels).await,
            Command::Predict { id, .. } => self.emit(Event::Prediction { id, activations: Default::default() }),
            other => return Some(other),
        }
        None
    }

    /// Takes the data and the device, loads the pretrained model and restores the saved run; the
    /// phase becomes Ready (or Paused/Finished with a restored run) only after all of that, so no
    /// command can act on a run that is about to be replaced.
    pub async fn prepare(&mut self, prepared: Prepared, settings: PlaygroundSettings) {
        let Prepared { train, test, device, backend, pretrained, budget } = prepared;
        self.budget = budget;
        self.settings = settings;
        self.emit(Event::DatasetSizes { train: train.len(), test: test.len() });
        self.train = Some(Arc::new(train));
        self.test = Some(Arc::new(test));
        self.backend = Some(backend.kind);
        self.device = Some(device.clone());
        self.emit(Event::Backend(backend));
        let pretrained = pretrained.filter(|_| self.settings.dataset.has_pretrained_model());
        match pretrained.map(|p| p.map_err(|e| text!("pretrained-not-downloaded", reason = e)).and_then(|bytes| {
            let loaded = weights_file::load(&bytes, &device).map_err(|e| text!("pretrained-damaged", reason = e.describe()))?;
            Ok((bytes, loaded))
        })) {
            None => self.publish_model_change(),
            Some(Ok((bytes, loaded))) => {
                let pretrained = Pretrained { bytes, facts: loaded.facts };
                self.predictor = Some(Predictor::new(loaded.model, pretrained.describe()));
                self.pretrained = Some(pretrained);
                self.publish_model_change();
            }
            Some(Err(e)) => {
                // Not the CPU copy made before the data came (`predict_before_data`) either: the
                // page says why there is no pretrained model.
                self.predictor = None;
                self.error(e);
            }
        }
        // Restoring first: the store moves an unreadable record among the recent models, which
        // are read next. A saved run of the other dataset joins them after that, so it gets a
        // fresh id and counts towards the limit.
        let (restored, other_dataset) = self.restore_saved().await;
        self.load_recent().await;
        if let Some((snapshot, why)) = other_dataset {
            self.move_to_recent(snapshot, why).await;
        }
        if !restored {
            self.set_phase(Phase::Ready);
        }
    }

    /// Handles one command completely (its reads and saves included) before the next.
    pub async fn handle(&mut self, command: Command) {
        self.handle_command(command).await;
        self.refresh_tiles().await;
    }

    async fn handle_command(&mut self, command: Command) {
        match command {
            // The worker handles these before and around the loop.
            Command::Start { .. } | Command::RetryData | Command::Bench { .. } => {}
            Command::SimulateCrash => {
                if let Some(crash) = &self.crash {
                    crash();
                }
            }
            Command::SimulateDeviceLoss => {
                if let Some(destroy) = &self.lose_device {
                    let n = destroy();
                    self.notice(Notice::Weights, text!("debug-devices-destroyed", count = n));
                }
            }
            Command::Train { settings } => self.train_command(&settings).await,
            Command::Pause => {
                if self.is_training() {
                    self.set_phase(Phase::Paused);
                    self.save_or_fall_back().await;
                }
            }
            Command::Step { settings } => self.step_command(&settings).await,
            Command::Reset => self.reset().await,
            Command::UsePretrained { settings } => self.use_pretrained(&settings).await,
            Command::LoadWeights { name, bytes, settings } => self.load_weights(&name, &bytes, &settings).await,
            Command::Download => self.download().await,
            Command::Predict { id, pixels } => self.predict(id, &pixels).await,
            Command::InspectTest { index } => self.inspect_test(index).await,
            Command::WatchWeights { on } => {
                self.watching_weights = on;
                self.tiles_sent = None;
            }
            Command::FineTune { digits, settings } => self.fine_tune(digits, &settings).await,
            Command::Backprop { sample, settings } => {
                let settings = self.parse_settings(&settings).unwrap_or_else(|| self.settings.clone());
                self.compute_backprop(sample, settings).await;
            }
            Command::ApplyUpdate { live } => self.apply_update(live).await,
            Command::BackendMeasured { gpu, cpu, adapter } => self.backend_measured(gpu, cpu, &adapter).await,
            // A read that failed first has already moved the trainer (and a second loss finds it on
            // the CPU). A candidate being timed is dropped, so a timing that finished before the loss
            // cannot move the run onto the dead device.
            Command::GpuLost { reason } => {
                if self.on_gpu() {
                    self.fall_back_to_cpu(&reason);
                } else if self.candidate.take().is_some() {
                    self.emit(Event::Backend(BackendInfo::cpu(text!("backend-gpu-failed-measuring", reason = short_reason(&reason)))));
                }
            }
            Command::RestoreRecent { id } => self.restore_recent(id).await,
            Command::DownloadRecent { id } => self.download_recent(id),
            Command::Undo => match self.undo.take() {
                Some(id) => {
                    self.emit(Event::UndoOffer(None));
                    self.restore_recent(id).await;
                }
                None => self.notice(Notice::Weights, text!("nothing-to-undo")),
            },
        }
    }

    /// One chunk of training (while the phase is Training): a few steps, their losses, and at the end
    /// of an epoch the evaluation and a snapshot.
    pub async fn tick(&mut self) {
        if self.is_training() {
            self.train_chunk(false).await;
            self.refresh_tiles().await;
        }
    }

    fn parse_settings(&self, query: &str) -> Option<PlaygroundSettings> {
        let (mut settings, errors) = PlaygroundSettings::from_query(query);
        if let Some(e) = errors.first() {
            self.error(text!("fix-settings-first", problems = e.describe()));
            return None;
        }
        // The data (which dataset, its limits) and the backend were fixed when the data loaded.
        settings.train_limit = self.settings.train_limit;
        settings.test_limit = self.settings.test_limit;
        settings.backend = self.settings.backend;
        settings.dataset = self.settings.dataset;
        Some(settings)
    }

    fn ready(&self) -> Option<(Device, Arc<MnistDataset>, Arc<MnistDataset>)> {
        Some((self.device.clone()?, self.train.clone()?, self.test.clone()?))
    }

    /// Makes sure there is a run to train: a finished one is replaced by a fresh one, a missing one
    /// is created from `settings`. False (with a message) when there is nothing to train with.
    async fn ensure_run(&mut self, query: &str) -> bool {
        let Some((device, train, test)) = self.ready() else {
            self.error(text!("not-ready-yet"));
            return false;
        };
        if self.run.as_ref().is_some_and(|r| r.finished()) {
            self.keep_current(text!("because-new-run")).await;
            self.forget_run();
        }
        if self.run.is_none() {
            let Some(settings) = self.parse_settings(query) else { return false };
            if let Err(e) = settings.training.validate() {
                self.error(text!("fix-settings-first", problems = Text::verbatim(e.to_string())));
                return false;
            }
            if let Err(e) = budget::check(&settings.training, &self.budget) {
                self.error(e);
                return false;
            }
            self.run = Some(TrainingRun::new(settings.training.clone(), train, test, &device));
            self.settings = settings;
            self.train_ms = 0.0;
            self.train_images = 0;
        }
        true
    }

    async fn train_command(&mut self, settings: &str) {
        if self.is_training() || !self.ensure_run(settings).await {
            return;
        }
        self.clear_undo();
        self.emit(Event::ClearError);
        self.set_phase(Phase::Training);
    }

    async fn step_command(&mut self, settings: &str) {
        if self.is_training() {
            self.set_phase(Phase::Paused);
        }
        if self.ensure_run(settings).await {
            self.clear_undo();
            self.train_chunk(true).await;
        }
    }

    /// The metrics of the run as the page shows them.
    fn run_view(&self) -> RunView {
        let test = self.test.clone();
        let image = |i: usize| test.as_ref().filter(|t| i < t.len()).map(|t| t.image(i).to_vec());
        RunView {
            progress: self.run.as_ref().map(|r| r.progress()),
            losses: self.history.losses.clone(),
            epochs: self.history.epochs.iter().map(|e| EpochResult { epoch: e.epoch, accuracy: e.accuracy, mean_loss: e.mean_loss }).collect(),
            log: self.history.log.clone(),
            confusion: self.history.confusion.clone(),
            mistakes: self
                .history
                .mistakes
                .iter()
                .filter_map(|&(index, truth, predicted)| Some(MistakeView { pixels: image(index)?, truth, predicted, index }))
                .collect(),
            images_per_second: None,
        }
    }

    /// Points the predictor at the run's current weights.
    fn publish_run_model(&mut self) {
        let Some(run) = &self.run else { return };
        let accuracy = self.history.epochs.last().map(|e| e.accuracy);
        self.predictor = Some(Predictor::new(run.session().inference_model(), describe_run(run, accuracy)));
        self.publish_model_change();
    }

    fn publish_model_change(&mut self) {
        self.model_version += 1;
        self.kept_current = None;
        if let Some(p) = &self.predictor {
            self.emit(Event::Predictor { description: p.description.clone(), version: self.model_version });
        }
    }

    /// Predict with the pretrained model again (after Reset, or a GPU loss with nothing saved).
    fn predict_with_pretrained(&mut self) {
        let device = self.device.clone();
        self.predictor = match (&self.pretrained, device) {
            (Some(p), Some(device)) => weights_file::load(&p.bytes, &device).ok().map(|l| Predictor::new(l.model, p.describe())),
            _ => None,
        };
        self.publish_model_change();
    }

    /// Drops the run and its metrics (not the saved copy).
    fn forget_run(&mut self) {
        self.run = None;
        self.history = RunHistory::default();
        self.train_ms = 0.0;
        self.train_images = 0;
        self.emit(Event::Run(RunView::default()));
    }

    fn record_events(&mut self, events: Vec<RunEvent>) {
        let mut losses = Vec::new();
        let mut lines = Vec::new();
        for event in events {
            match event {
                RunEvent::Loss(l) => losses.push(l.loss),
                RunEvent::Log(line) => lines.push(line),
                RunEvent::Diverged { step, loss, restored_step } => {
                    let why = text!("diverged", loss = loss.to_string(), step = step, restored_step = restored_step);
                    // The log keeps the seed's English, like its other lines.
                    lines.push(why.english());
                    self.set_phase(Phase::Diverged(why.clone()));
                    self.error(why);
                }
            }
        }
        if !losses.is_empty() {
            self.history.losses.extend_from_slice(&losses);
            self.emit(Event::Losses(losses));
        }
        if !lines.is_empty() {
            self.history.log.extend_from_slice(&lines);
            self.emit(Event::Log(lines));
        }
    }

    fn record_evaluation(&mut self, eval: &Evaluation, epoch: usize) {
        let line = eval.seed_log_line();
        self.history.log.push(line.clone());
        self.emit(Event::Log(vec![line]));
        let result = EpochResult { epoch, accuracy: eval.accuracy(), mean_loss: eval.mean_loss() };
        self.history.epochs.push(EpochRecord { epoch, accuracy: result.accuracy, mean_loss: result.mean_loss });
        let confusion: Vec<Vec<u32>> = eval.confusion.iter().map(|row| row.to_vec()).collect();
        self.history.confusion = Some(confusion.clone());
        self.history.mistakes = eval.mistakes.iter().map(|m| (m.index, m.truth, m.predicted)).collect();
        let test = self.test.clone();
        let mistakes = eval
            .mistakes
            .iter()
            .filter_map(|m| {
                let pixels = test.as_ref().filter(|t| m.index < t.len())?.image(m.index).to_vec();
                Some(MistakeView { pixels, truth: m.truth, predicted: m.predicted, index: m.index })
            })
            .collect();
        self.emit(Event::Epoch { result, confusion, mistakes });
    }

    fn on_gpu(&self) -> bool {
        self.backend == Some(BackendKind::WebGpu)
    }

    /// Runs up to one chunk of steps (one, for Step), reads the losses, evaluates at the end of an
    /// epoch, and snapshots after an epoch and whenever training stops.
    async fn train_chunk(&mut self, single_step: bool) {
        let on_gpu = self.on_gpu();
        let sample_now = self.steps_since_profile >= PROFILE_EVERY && !single_step;
        let Some(run) = self.run.as_mut() else { return };
        let start = Instant::now();
        let steps_before = run.progress().steps;
        let mut profiled = None;
        while !run.finished() && !run.epoch_complete() {
            if sample_now && profiled.is_none() {
                match run.step_profiled().await {
                    Ok(timings) => profiled = Some(timings),
                    Err(e) if on_gpu => return self.fall_back_to_cpu(&e),
                    Err(_) => profiled = Some(None),
                }
            } else {
                run.step();
            }
            // On WebGPU one step is already long (seconds on a software adapter): read after each.
            if single_step || on_gpu || start.elapsed().as_secs_f64() * 1e3 >= CPU_SLICE_MS {
                break;
            }
        }
        let stepped = run.progress().steps - steps_before;
        let batch_size = run.session().config().batch_size;
        let read_start = Instant::now();
        let read = run.read_losses().await;
        let read_ms = read_start.elapsed().as_secs_f64() * 1e3;
        self.train_ms += start.elapsed().as_secs_f64() * 1e3;
        self.train_images += (run.progress().steps - steps_before) * batch_size;
        let events = match read {
            Ok(events) => events,
            Err(e) if on_gpu => return self.fall_back_to_cpu(&e.to_string()),
            Err(e) => {
                self.error(text!("read-failed", reason = e.to_string()));
                self.set_phase(Phase::Paused);
                return;
            }
        };
        self.record_events(events);
        let speed = (self.train_ms > 0.0 && self.train_images > 0).then(|| self.train_images as f64 / (self.train_ms / 1000.0));
        if let Some(ips) = speed {
            self.emit(Event::Speed(ips));
        }
        self.steps_since_profile += stepped;
        if let Some(Some(t)) = profiled {
            self.steps_since_profile = 0;
            // What a step costs on average when nobody looks (reads included), from the run's speed.
            let plain_step_ms = speed.map_or(f64::NAN, |ips| batch_size as f64 * 1000.0 / ips);
            self.emit(Event::Profile(protocol::StepProfile {
                forward_ms: t.forward_ms,
                backward_ms: t.backward_ms,
                update_ms: t.update_ms,
                read_ms,
                plain_step_ms,
                images_per_second: speed.unwrap_or(f64::NAN),
                backend: if on_gpu { BackendKind::WebGpu } else { BackendKind::Cpu },
                every: PROFILE_EVERY,
            }));
        }
        let Some((progress, epoch_over)) = self.run.as_ref().map(|r| (r.progress(), r.epoch_complete() && !r.diverged())) else { return };
        self.emit(Event::Progress(progress));
        let mut epoch_done = false;
        if epoch_over {
            let resume_to = self.phase.clone();
            self.set_phase(Phase::Evaluating);
            let Some(run) = self.run.as_mut() else { return };
            let epoch = run.progress().epoch;
            match run.finish_epoch().await {
                Ok(eval) => {
                    self.record_evaluation(&eval, epoch);
                    epoch_done = true;
                }
                Err(e) if on_gpu => return self.fall_back_to_cpu(&e.to_string()),
                Err(e) => self.error(text!("evaluation-failed", reason = e.to_string())),
            }
            if let Some(run) = &self.run {
                self.emit(Event::Progress(run.progress()));
            }
            self.set_phase(resume_to);
        }
        let Some(run) = &self.run else { return };
        let (finished, diverged, stepped) = (run.finished(), run.diverged(), run.session().steps() > 0);
        if stepped {
            self.publish_run_model();
        }
        if diverged {
            // The phase already says why; the good weights are saved below.
        } else if finished {
            self.set_phase(Phase::Finished);
        } else if single_step {
            self.set_phase(Phase::Paused);
        }
        if epoch_done || !self.is_training() {
            self.save_or_fall_back().await;
        }
        if let (true, Some(probe)) = (epoch_done, &self.memory_probe) {
            let (wasm_bytes, js_heap_bytes) = probe();
            self.emit(Event::Memory { wasm_bytes, js_heap_bytes });
        }
        if diverged {
            self.keep_current(text!("because-diverged")).await;
        }
    }

    /// Snapshots the run; on WebGPU a failed read means the GPU is gone.
    async fn save_or_fall_back(&mut self) {
        if let Err(e) = self.save_snapshot().await {
            if self.on_gpu() {
                self.fall_back_to_cpu(&e);
            } else {
                self.set_persistence(Persistence::Off(text!("persistence-unreadable-weights", reason = e)));
            }
        }
    }

    fn describe_snapshot(&self, snapshot: &RunSnapshot) -> Text {
        let accuracy = crate::i18n::percent_suffix(snapshot.meta.history.epochs.last().map(|e| e.accuracy));
        text!(
            "snapshot-described",
            time = Arg::Time(snapshot.meta.saved_at_ms),
            epoch = snapshot.meta.epoch,
            step = snapshot.meta.steps,
            accuracy = accuracy
        )
    }

    /// A snapshot of the current run as it is now (read from the device), with the run's own training
    /// settings; `None` without a run.
    async fn capture_run(&self) -> Option<Result<RunSnapshot, ReadError>> {
        let run = self.run.as_ref()?;
        let settings = PlaygroundSettings { training: run.session().config().clone(), ..self.settings.clone() };
        Some(RunSnapshot::capture(run, &settings, self.history.clone(), now_epoch_ms()).await)
    }

    /// Reads the run from the device, keeps it as the last good weights and writes it to the store
    /// unless persistence is off. Storage problems only turn persistence off; `Err` means the device
    /// could not be read.
    async fn save_snapshot(&mut self) -> Result<(), String> {
        let Some(captured) = self.capture_run().await else { return Ok(()) };
        let snapshot = captured.map_err(|e| e.to_string())?;
        if matches!(self.persistence, Persistence::Off(_)) {
            self.last_snapshot = Some(snapshot);
            return Ok(());
        }
        let result = self.store.save(&snapshot).await;
        let persistence = match result {
            Ok(()) => Persistence::On(Some(self.describe_snapshot(&snapshot))),
            Err(e) => Persistence::Off(e),
        };
        self.last_snapshot = Some(snapshot);
        self.set_persistence(persistence);
        Ok(())
    }

    /// Makes the saved run, if there is one, the current run. True when one was restored; this
    /// tab's run of the other dataset comes back instead, with why, for [`Self::move_to_recent`].
    async fn restore_saved(&mut self) -> (bool, Option<(RunSnapshot, Text)>) {
        let saved = match self.store.load().await {
            Ok(saved) => saved,
            Err(e) => {
                self.set_persistence(Persistence::Off(e));
                return (false, None);
            }
        };
        self.set_persistence(Persistence::On(None));
        let (snapshot, note, own) = match saved {
            Some(Ok(s)) => {
                let note = text!("restored-from-browser", saved = self.describe_snapshot(&s));
                (s, note, true)
            }
            Some(Err(unreadable)) => {
                let download = if unreadable.model.is_some() { text!("saved-run-weights-downloadable") } else { text!("empty") };
                self.error(text!("saved-run-unreadable", reason = unreadable.why, download = download));
                return (false, None);
            }
            None => match self.store.latest_elsewhere(self.settings.dataset).await {
                Ok(Some(s)) => {
                    let note = text!("restored-from-other-tab", saved = self.describe_snapshot(&s));
                    (s, note, false)
                }
                _ => return (false, None),
            },
        };
        if let Some(other) = self.other_dataset(&snapshot) {
            // This tab's own run is moved among the recent models once they are read (`prepare`);
            // another tab's run of the other dataset stays with that tab.
            return (false, own.then_some((snapshot, other)));
        }
        let described = self.describe_snapshot(&snapshot);
        match self.adopt_snapshot(snapshot, note) {
            Ok(()) => {
                self.set_persistence(Persistence::On(Some(described)));
                (true, None)
            }
            Err(e) => {
                self.error(text!("saved-run-not-restored", reason = e));
                (false, None)
            }
        }
    }

    /// This tab's run of the other dataset moves to the recent models (where the page with that
    /// dataset restores it from) before a run on this dataset could overwrite the tab's record;
    /// once it is stored there, the tab's record goes, so a reload does not copy it again.
    async fn move_to_recent(&mut self, snapshot: RunSnapshot, why: Text) {
        if self.keep_snapshot(snapshot, text!("because-other-dataset")).await.1 {
            let _ = self.store.clear().await;
        }
        self.notice(Notice::Weights, why);
    }

    /// Makes `snapshot` the current run, paused (or finished), and says `note`; `Err`: why it cannot
    /// be restored (nothing changed).
    fn adopt_snapshot(&mut self, snapshot: RunSnapshot, note: Text) -> Result<(), Text> {
        let Some((device, train, test)) = self.ready() else { return Err(text!("data-not-loaded-reason")) };
        match snapshot.restore(train, test, &device) {
            Ok((run, dropped)) => {
                self.history = snapshot.meta.history.expanded();
                let finished = run.finished();
                self.run = Some(run);
                self.train_ms = 0.0;
                self.train_images = 0;
                self.emit(Event::Run(self.run_view()));
                self.emit(Event::FormSettings(snapshot.settings().to_query()));
                self.notice(Notice::Restored, match dropped {
                    Some(why) => text!("restored-with-note", note = note, why = why),
                    None => note,
                });
                self.last_snapshot = Some(snapshot);
                self.publish_run_model();
                self.set_phase(if finished { Phase::Finished } else { Phase::Paused });
                Ok(())
            }
            Err(e) => Err(e),
        }
    }

    /// Reads the recent models the store keeps (the unreadable ones too, with why).
    async fn load_recent(&mut self) {
        let Ok(entries) = self.store.recent().await else { return };
        for (id, entry) in entries {
            match entry {
                Some(Ok(snapshot)) => self.recent.push((id, snapshot)),
                Some(Err(unreadable)) => self.broken_recent.push((id, unreadable)),
                None => {}
            }
        }
        self.recent.sort_by_key(|(id, _)| *id);
        self.emit_recent();
    }

    fn emit_recent(&self) {
        let mut list: Vec<RecentModel> = self
            .recent
            .iter()
            .map(|(id, s)| {
                let settings = s.settings();
                let t = &settings.training;
                let mut sizes = vec![IMAGE_PIXELS];
                sizes.extend(&t.model.hidden);
                sizes.push(NUM_CLASSES);
                let sizes = sizes.iter().map(|n| n.to_string()).collect::<Vec<_>>().join("-");
                RecentModel {
                    id: *id,
                    kept_at_ms: *id as f64,
                    because: s.meta.kept_because.clone().unwrap_or_else(|| text!("empty")),
                    steps: s.meta.steps,
                    epoch: s.meta.epoch,
                    test_accuracy: s.meta.history.epochs.last().map(|e| e.accuracy),
                    settings: text!("recent-settings", sizes = sizes, optimizer = t.optimizer.name(), lr = t.learning_rate.to_string(), batch = t.batch_size, dataset = dataset_name(settings.dataset)),
                    problem: None,
                    downloadable: true,
                }
            })
            .chain(self.broken_recent.iter().map(|(id, unreadable)| RecentModel {
                id: *id,
                kept_at_ms: *id as f64,
                because: text!("empty"),
                steps: 0,
                epoch: 0,
                test_accuracy: None,
                settings: text!("empty"),
                problem: Some(unreadable.why.clone()),
                downloadable: unreadable.model.is_some(),
            }))
            .collect();
        list.sort_by(|a, b| b.id.cmp(&a.id));
        self.emit(Event::Recent(list));
    }

    fn clear_undo(&mut self) {
        if self.undo.take().is_some() {
            self.emit(Event::UndoOffer(None));
        }
    }

    /// Keeps the current run among the recent models before an action replaces or forgets it (only
    /// a run that trained at least one step). Returns the entry's id.
    async fn keep_current(&mut self, because: Text) -> Option<u64> {
        let run = self.run.as_ref()?;
        let steps = run.progress().steps;
        if steps == 0 {
            return None;
        }
        // Kept already and unchanged since (e.g. at divergence, then Reset): nothing new to keep.
        if let Some(id) = self.kept_current {
            self.offer_undo(id);
            return Some(id);
        }
        let snapshot = match &self.last_snapshot {
            Some(s) if s.meta.steps == steps => s.clone(),
            _ => match self.capture_run().await? {
                Ok(s) => s,
                Err(e) => {
                    self.error(text!("keep-current-failed", reason = e.to_string()));
                    return None;
                }
            },
        };
        let (id, _) = self.keep_snapshot(snapshot, because).await;
        self.offer_undo(id);
        self.kept_current = Some(id);
        Some(id)
    }

    /// Puts `snapshot` among the recent models, in the store too; returns its id and whether the
    /// store took it. When it did not, the oldest stored entries stay stored (only this page's list
    /// drops them), so a full store never loses a model to a keep that failed.
    async fn keep_snapshot(&mut self, mut snapshot: RunSnapshot, because: Text) -> (u64, bool) {
        snapshot.meta.kept_because = Some(because);
        let id = (now_epoch_ms() as u64).max(self.recent.last().map_or(0, |(id, _)| id + 1));
        let stored = match self.store.keep_recent(id, &snapshot).await {
            Ok(()) => true,
            Err(e) => {
                self.set_persistence(Persistence::Off(text!("persistence-recent-failed", reason = e)));
                false
            }
        };
        self.recent.push((id, snapshot));
        while self.recent.len() > MAX_RECENT {
            let (oldest, _) = self.recent.remove(0);
            if stored {
                let _ = self.store.forget_recent(oldest).await;
            }
        }
        self.emit_recent();
        (id, stored)
    }

    /// Why `snapshot` cannot be this page's run: it learnt from the other dataset.
    fn other_dataset(&self, snapshot: &RunSnapshot) -> Option<Text> {
        let theirs = snapshot.settings().dataset;
        (theirs != self.settings.dataset).then(|| text!("run-other-dataset", dataset = dataset_name(theirs)))
    }

    fn offer_undo(&mut self, id: u64) {
        self.undo = Some(id);
        let text = self.recent.iter().find(|(i, _)| *i == id).map(|(_, s)| {
            let because = s.meta.kept_because.clone().unwrap_or_else(|| text!("empty"));
            text!("undo-offer", because = because, steps = s.meta.steps)
        });
        self.emit(Event::UndoOffer(text));
    }

    /// Makes a recent model the current run again, keeping the current one first.
    async fn restore_recent(&mut self, id: u64) {
        let Some(snapshot) = self.recent.iter().find(|(i, _)| *i == id).map(|(_, s)| s.clone()) else {
            return self.notice(Notice::Weights, text!("recent-gone"));
        };
        if let Some(other) = self.other_dataset(&snapshot) {
            return self.notice(Notice::Weights, other);
        }
        if self.is_training() {
            self.set_phase(Phase::Paused);
        }
        self.keep_current(text!("because-recent-restored")).await;
        let because = snapshot.meta.kept_because.clone().unwrap_or_else(|| text!("empty"));
        let note = text!("restored-recent", because = because, epoch = snapshot.meta.epoch, step = snapshot.meta.steps);
        let mut current = snapshot;
        current.meta.kept_because = None;
        match self.adopt_snapshot(current, note) {
            Ok(()) => {
                self.backprop = None;
                self.save_or_fall_back().await;
            }
            Err(e) => self.error(text!("recent-not-restored", reason = e)),
        }
    }

    fn download_recent(&mut self, id: u64) {
        let kept = self.recent.iter().find(|(i, _)| *i == id).map(|(_, s)| (format!("backprop-playground-step-{}.safetensors", s.meta.steps), s.model.clone()));
        let rescued = || self.broken_recent.iter().find(|(i, _)| *i == id).and_then(|(_, u)| u.model.clone()).map(|m| (format!("backprop-playground-rescued-{id}.safetensors"), m));
        match kept.or_else(rescued) {
            Some((name, bytes)) => self.emit(Event::Download { name, bytes }),
            None => self.notice(Notice::Weights, text!("recent-gone")),
        }
    }

    /// Forgets the run everywhere, the saved copy included; the data and backend stay.
    async fn reset(&mut self) {
        self.keep_current(text!("because-reset")).await;
        self.forget_run();
        self.last_snapshot = None;
        self.backprop = None;
        self.predict_with_pretrained();
        self.hide_notice(Notice::Restored);
        self.emit(Event::ClearError);
        if !matches!(self.persistence, Persistence::Off(_)) {
            let persistence = match self.store.clear().await {
                Ok(()) => Persistence::On(None),
                Err(e) => Persistence::Off(e),
            };
            self.set_persistence(persistence);
        }
        self.set_phase(if self.ready().is_some() { Phase::Ready } else { self.phase.clone() });
    }

    /// Replaces the run with one that starts from `model` (loaded from a file), paused.
    fn replace_run(&mut self, model: Mlp, settings: PlaygroundSettings, description: Text) {
        let Some((device, train, test)) = self.ready() else { return };
        let config = settings.training.fitted_to(&model);
        let session = TrainingSession::with_model(config, model, &device);
        self.settings = PlaygroundSettings { training: session.config().clone(), ..settings };
        self.predictor = Some(Predictor::new(session.inference_model(), description));
        self.run = Some(TrainingRun::from_session(session, train, test));
        self.history = RunHistory::default();
        self.train_ms = 0.0;
        self.train_images = 0;
        self.emit(Event::Run(self.run_view()));
        self.emit(Event::FormSettings(self.settings.to_query()));
        self.hide_notice(Notice::Restored);
        self.set_phase(Phase::Paused);
        self.publish_model_change();
    }

    async fn use_pretrained(&mut self, query: &str) {
        let Some(settings) = self.parse_settings(query) else { return };
        let Some((bytes, description)) = self.pretrained.as_ref().map(|p| (p.bytes.clone(), p.describe())) else {
            return self.notice(Notice::Drawing, text!("pretrained-not-loaded"));
        };
        let Some(device) = self.device.clone() else { return };
        match weights_file::load(&bytes, &device.autodiff()) {
            Ok(loaded) => {
                self.keep_current(text!("because-use-pretrained")).await;
                self.replace_run(loaded.model, settings, description);
                self.notice(Notice::Drawing, text!("using-pretrained"));
                self.save_or_fall_back().await;
            }
            Err(e) => self.error(text!("pretrained-damaged", reason = e.describe())),
        }
    }

    async fn load_weights(&mut self, name: &str, bytes: &[u8], query: &str) {
        let Some(settings) = self.parse_settings(query) else { return };
        let Some(device) = self.device.clone() else {
            return self.error(text!("weights-not-loaded", name = name, reason = text!("data-not-loaded")));
        };
        match weights_file::load(bytes, &device.autodiff()) {
            Ok(loaded) => {
                if let Err(e) = budget::check(&settings.training.fitted_to(&loaded.model), &self.budget) {
                    return self.error(text!("weights-not-loaded", name = name, reason = e));
                }
                if self.is_training() {
                    self.set_phase(Phase::Paused);
                }
                let description = text!("model-uploaded", name = name, epochs = loaded.facts.epochs, accuracy = accuracy_suffix(loaded.facts.test_accuracy));
                self.keep_current(text!("because-load-weights", name = name)).await;
                self.replace_run(loaded.model, settings, description);
                self.notice(Notice::Weights, text!("weights-loaded", name = name));
                self.save_or_fall_back().await;
            }
            Err(e) => self.error(text!("weights-not-loaded", name = name, reason = text!("sentence", text = e.describe()))),
        }
    }

    async fn download(&mut self) {
        let Some(predictor) = &self.predictor else {
            return self.error(text!("download-no-model"));
        };
        let facts = match (&self.run, &self.pretrained) {
            (None, Some(p)) => p.facts.clone(),
            _ => TrainingFacts {
                epochs: self.run.as_ref().map_or(0, |r| r.progress().epoch),
                test_accuracy: self.history.epochs.last().map(|e| e.accuracy),
                source: "trained in Backprop Playground".into(),
            },
        };
        match weights_file::save(&predictor.model, &facts).await {
            Ok(bytes) => self.emit(Event::Download { name: DOWNLOAD_NAME.into(), bytes }),
            Err(e) if self.on_gpu() => self.fall_back_to_cpu(&e.to_string()),
            Err(e) => self.error(text!("download-unreadable", reason = e.to_string())),
        }
    }

    async fn fine_tune(&mut self, digits: Vec<protocol::LabelledDigit>, query: &str) {
        // Drawings are labelled as digits: teaching them to a model of clothes would mislabel it.
        if !self.settings.dataset.has_pretrained_model() {
            return self.notice(Notice::Drawing, text!("teach-back-digits-only"));
        }
        if digits.is_empty() {
            return self.notice(Notice::Drawing, text!("label-first"));
        }
        if self.is_training() {
            self.set_phase(Phase::Paused);
        }
        if self.run.is_none() {
            // Nothing trained here yet: fine-tune the pretrained model.
            self.use_pretrained(query).await;
        }
        let count = digits.len();
        let pixels: Vec<u8> = digits.iter().flat_map(|d| d.pixels.iter().copied()).collect();
        let labels: Vec<u8> = digits.iter().map(|d| d.label).collect();
        let mine = match MnistDataset::new(pixels, labels) {
            Ok(m) if m.labels().iter().all(|&l| (l as usize) < NUM_CLASSES) => m,
            Ok(_) => return self.notice(Notice::Drawing, text!("my-digits-unreadable", reason = text!("label-not-digit"))),
            Err(e) => return self.notice(Notice::Drawing, text!("my-digits-unreadable", reason = Text::verbatim(e.to_string()))),
        };
        let Some(run) = self.run.as_mut() else {
            return self.notice(Notice::Drawing, text!("data-not-loaded-sentence"));
        };
        let seed = run.session().steps() as u64;
        let train = run.train_set().clone();
        let losses = fine_tune(run.session_mut(), &mine, &train, FINE_TUNE_STEPS, seed);
        let last = match losses.last() {
            Some(l) => l.clone().into_data_async().await.ok().and_then(|d| d.iter::<f32>().next()),
            None => None,
        };
        self.publish_run_model();
        let last_loss = last.map(|l| format!("{l:.4}")).unwrap_or("?".into());
        self.notice(Notice::Drawing, text!("fine-tuned", steps = FINE_TUNE_STEPS, count = count, loss = last_loss));
        self.save_or_fall_back().await;
    }

    /// The model the stepper explains: the live run's, else the one the page predicts with.
    fn explained_model(&self) -> Option<Mlp> {
        match &self.run {
            Some(run) => Some(run.session().inference_model()),
            None => self.predictor.as_ref().map(|p| p.model.clone()),
        }
    }

    async fn compute_backprop(&mut self, sample: BackpropSample, settings: PlaygroundSettings) {
        let (Some(model), Some(device), Some(test)) = (self.explained_model(), self.device.clone(), self.test.clone()) else {
            return self.emit(Event::Backprop(Err(text!("backprop-waiting"))));
        };
        let (pixels, label) = match &sample {
            BackpropSample::Test(i) => {
                let Some(i) = test.len().checked_sub(1).map(|last| (*i).min(last)) else {
                    return self.emit(Event::Backprop(Err(text!("backprop-no-test-images"))));
                };
                (test.image(i).to_vec(), test.label(i))
            }
            BackpropSample::Drawing { pixels, label } if pixels.len() == IMAGE_PIXELS => (pixels.clone(), *label),
            BackpropSample::Drawing { .. } => return self.emit(Event::Backprop(Err(text!("draw-first")))),
        };
        let config = settings.training.fitted_to(&model);
        let context = OptimizerContext { session: self.run.as_ref().map(|r| r.session()), config: &config };
        let result = backprop_step::compute(&model, &pixels, label, &device, context).await;
        match &result {
            Ok(view) => {
                self.backprop = Some(ShownBackprop { view: view.clone(), model_version: self.model_version, sample, settings });
            }
            Err(e) if self.on_gpu() => return self.fall_back_to_cpu(e),
            Err(_) => self.backprop = None,
        }
        self.emit(Event::Backprop(result.map_err(Text::verbatim)));
    }

    async fn apply_update(&mut self, live: bool) {
        let Some(shown) = self.backprop.take() else {
            return self.notice(Notice::Backprop, text!("backprop-compute-first"));
        };
        if shown.model_version != self.model_version {
            // The model trained or was replaced since: the shown numbers (even the layer count) may
            // belong to another network. Show the current ones instead of applying stale ones.
            self.notice(Notice::Backprop, text!("backprop-model-changed"));
            return self.compute_backprop(shown.sample, shown.settings).await;
        }
        let view = &shown.view;
        if live {
            let Some(run) = self.run.as_mut() else {
                self.backprop = Some(shown);
                return self.notice(Notice::Backprop, text!("backprop-no-live-run"));
            };
            let result = backprop_step::apply_update(run.session_mut(), view).await;
            self.publish_run_model();
            match result {
                Ok(a) => self.notice(Notice::Backprop, text!("applied-live", before = format!("{:.6}", a.before), after = format!("{:.6}", a.after))),
                Err(e) => self.notice(Notice::Backprop, Text::verbatim(e)),
            }
            return;
        }
        let (Some(model), Some(device)) = (self.explained_model(), self.device.clone()) else {
            return self.notice(Notice::Backprop, text!("no-model-yet"));
        };
        // A copy of the run (same optimizer state), or of the predicting model with a fresh optimizer
        // and the form's settings: exactly what the written-out step assumed.
        let mut copy = match &self.run {
            Some(run) => run.session().clone(),
            None => TrainingSession::with_model(shown.settings.training.fitted_to(&model), model, &device),
        };
        let result = backprop_step::apply_update(&mut copy, view).await;
        let expected = view.update.new_weight();
        let optimizer = view.update.optimizer.name();
        self.backprop = Some(shown);
        match result {
            Ok(a) => {
                let gap = (expected - a.after).abs();
                let tick = if gap <= UPDATE_TOLERANCE { "✔" } else { "✘" };
                self.notice(
                    Notice::Backprop,
                    text!(
                        "applied-copy",
                        optimizer = optimizer,
                        before = format!("{:.6}", a.before),
                        after = format!("{:.6}", a.after),
                        expected = format!("{expected:.6}"),
                        gap = format!("{gap:.1e}"),
                        tick = tick
                    ),
                );
            }
            Err(e) => self.notice(Notice::Backprop, Text::verbatim(e)),
        }
    }

    /// The background timing is in: move to the candidate (with the run, its optimizer state and its
    /// charts) if it is faster, else stay on the CPU path and say why with the figures.
    async fn backend_measured(&mut self, gpu: Result<f64, String>, cpu: Result<f64, String>, adapter: &str) {
        let Some((device, info, budget)) = self.candidate.take() else { return };
        let speeds = |g: f64, c: f64| (format!("{g:.0}"), format!("{c:.0}"));
        let verdict = match (gpu, cpu) {
            (Ok(g), Ok(c)) if g > c => {
                let (gpu, cpu) = speeds(g, c);
                return self.switch_backend(device, BackendInfo { reason: text!("backend-measured-gpu", gpu = gpu, cpu = cpu), ..info }, budget).await;
            }
            (Ok(g), Ok(c)) => {
                let (gpu, cpu) = speeds(g, c);
                text!("backend-measured-cpu", gpu = gpu, cpu = cpu, adapter = adapter)
            }
            (Err(e), _) => text!("backend-gpu-failed-measuring", reason = e),
            (Ok(_), Err(e)) => text!("backend-cpu-failed-measuring", reason = e),
        };
        self.emit(Event::Backend(BackendInfo::cpu(verdict)));
    }

    /// Moves everything that learns to `device`: the run (weights and Adam's moments through a
    /// snapshot, so nothing changes but where the numbers live) or else the pretrained model. A run
    /// that would not fit there, or that cannot be read, stays where it is.
    async fn switch_backend(&mut self, device: Device, info: BackendInfo, budget: MemoryBudget) {
        if let Some(Err(why)) = self.run.as_ref().map(|run| budget::check(run.session().config(), &budget)) {
            return self.emit(Event::Backend(BackendInfo::cpu(why)));
        }
        let moved = match self.capture_run().await {
            Some(Ok(snapshot)) => match (self.train.clone(), self.test.clone()) {
                (Some(train), Some(test)) => Some(snapshot.restore(train, test, &device).map(|(run, _)| run)),
                _ => Some(Err(text!("data-not-loaded-reason"))),
            },
            Some(Err(e)) => Some(Err(Text::verbatim(e.to_string()))),
            None => None,
        };
        let moved = match moved {
            Some(Ok(run)) => Some(run),
            Some(Err(why)) => return self.emit(Event::Backend(BackendInfo::cpu(why))),
            None => None,
        };
        self.device = Some(device);
        self.backend = Some(info.kind);
        self.budget = budget;
        self.backprop = None;
        self.train_ms = 0.0;
        self.train_images = 0;
        self.emit(Event::Backend(info));
        match moved {
            Some(run) => {
                self.run = Some(run);
                self.publish_run_model();
            }
            None => self.predict_with_pretrained(),
        }
    }

    /// The GPU failed (lost device, failed read): continue on the CPU from the last snapshot.
    pub fn fall_back_to_cpu(&mut self, error: &str) {
        let reason = short_reason(error);
        let device = Device::flex();
        self.device = Some(device.clone());
        self.backend = Some(BackendKind::Cpu);
        self.budget = MemoryBudget::cpu();
        self.backprop = None;
        self.run = None;
        self.train_ms = 0.0;
        self.train_images = 0;
        let restored = match (&self.last_snapshot, self.train.clone(), self.test.clone()) {
            (Some(snapshot), Some(train), Some(test)) => snapshot.restore(train, test, &device).ok().map(|(run, _)| (run, snapshot.clone())),
            _ => None,
        };
        self.emit(Event::Backend(BackendInfo::cpu(text!("backend-after-gpu-loss"))));
        let message = match restored {
            Some((run, snapshot)) => {
                self.history = snapshot.meta.history.expanded();
                self.run = Some(run);
                self.emit(Event::Run(self.run_view()));
                self.publish_run_model();
                self.set_phase(Phase::Paused);
                text!("gpu-lost-restored", reason = reason, step = snapshot.meta.steps, epoch = snapshot.meta.epoch)
            }
            None => {
                self.forget_run();
                self.predict_with_pretrained();
                self.set_phase(Phase::Ready);
                text!("gpu-lost-fresh", reason = reason)
            }
        };
        self.error(message);
    }
}

/// Runs `work` (a download, before the trainer is prepared) while answering what needs no data
/// ([`Trainer::handle_before_data`]); every other command is pushed to `held`, in arrival order, for
/// the caller to hand to the trainer once it is prepared. `None`: the sender is gone.
pub async fn answer_while<S: RunStore, T>(trainer: &mut Trainer<S>, commands: &mut UnboundedReceiver<Command>, held: &mut Vec<Command>, work: impl Future<Output = T>) -> Option<T> {
    enum Next<T> {
        Done(T),
        Command(Option<Command>),
    }
    let mut work = pin!(work);
    loop {
        // Dropping the wait for a command when `work` ends first loses none: the channel keeps it.
        let next = future::or(async { Next::Done(work.as_mut().await) }, async { Next::Command(commands.next().await) }).await;
        match next {
            Next::Done(done) => return Some(done),
            Next::Command(None) => return None,
            Next::Command(Some(command)) => held.extend(trainer.handle_before_data(command).await),
        }
    }
}

/// The trainer's loop: every queued command in order, then (while training) one chunk, then
/// `yield_now` so new commands can arrive; idle, it waits for the next command. Ends when the
/// sender is gone.
pub async fn serve<S: RunStore, Y: Future<Output = ()>>(trainer: &mut Trainer<S>, commands: &mut UnboundedReceiver<Command>, yield_now: impl Fn() -> Y) {
    loop {
        loop {
            match commands.try_recv() {
                Ok(command) => trainer.handle(command).await,
                Err(TryRecvError::Closed) => return,
                Err(TryRecvError::Empty) => break,
            }
        }
        if trainer.is_training() {
            trainer.tick().await;
            yield_now().await;
            continue;
        }
        match commands.next().await {
            Some(command) => trainer.handle(command).await,
            None => return,
        }
    }
}
