//! The messages between the page and the trainer worker. Plain serde types, encoded with `postcard`
//! into one byte buffer per message (sent as a transferable `ArrayBuffer`), so large payloads (an
//! uploaded weights file, a download) are not copied element by element and NaN stays NaN.
//!
//! Commands flow page → worker and are handled one at a time, in order; events flow back and are
//! the only way the page learns anything about the run.

use serde::{Deserialize, Serialize};

use crate::backprop_step::BackpropView;
use crate::i18n::Text;
use crate::run::Progress;
pub use crate::inspect::{Activations, FirstLayerTiles};

/// What the page asks the trainer to do. `settings` is the settings form as a query string
/// ([`crate::settings::PlaygroundSettings::to_query`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Command {
    /// Sent once, first: where the page is (data and the model are fetched relative to it), the
    /// link's settings (data limits, backend), whether the GPU-loss drill is on, and this tab's id
    /// (its saved run is its own).
    Start { base_url: String, settings: String, debug_device_lost: bool, tab: String },
    /// Try the data download again after it failed.
    RetryData,
    /// Train (or resume) until the run ends or Pause.
    Train { settings: String },
    Pause,
    /// One batch, then paused.
    Step { settings: String },
    /// Forget the run and its saved copy; predict with the pretrained model again.
    Reset,
    /// Continue from the shipped pretrained model.
    UsePretrained { settings: String },
    /// A `.safetensors` file the user picked or dropped.
    LoadWeights { name: String, bytes: Vec<u8>, settings: String },
    /// The model the page predicts with, as a `.safetensors` file (answered by [`Event::Download`]).
    Download,
    /// Class probabilities for a 28×28 drawing (answered by [`Event::Prediction`] with the same id).
    Predict { id: u64, pixels: Vec<u8> },
    /// The network view opened (`true`) or closed: while it is open the trainer sends
    /// [`Event::WeightTiles`] whenever the predicting model's weights change.
    WatchWeights { on: bool },
    /// Every layer's output for test image `index` (modulo the test set's size), for the network
    /// view (answered by [`Event::Inspected`]).
    InspectTest { index: usize },
    /// "Teach it back": a few steps on the user's labelled drawings mixed with MNIST.
    FineTune { digits: Vec<LabelledDigit>, settings: String },
    /// Compute the backprop stepper's numbers for a test digit or a drawing.
    /// `settings` give the learning rate and optimizer when no run exists yet.
    Backprop { sample: BackpropSample, settings: String },
    /// Apply step 5 of the shown view: to a copy of the run (checked against the written-out step)
    /// or to the live run.
    ApplyUpdate { live: bool },
    /// `?debug=device-lost` only: destroy the worker's WebGPU devices.
    SimulateDeviceLoss,
    /// `?debug=device-lost` only: make the worker crash as an uncaught WebGPU error would.
    SimulateCrash,
    /// Make a recent model the current run again (the current one, if it trained, is kept first).
    RestoreRecent { id: u64 },
    /// A recent model's weights as a `.safetensors` file.
    DownloadRecent { id: u64 },
    /// Bring back what the last action replaced or forgot.
    Undo,
    /// `?bench=cpu|webgpu[&profile=1]`: run the benchmark protocol instead of the playground
    /// (answered by [`Event::BenchResult`]).
    Bench { base_url: String, engine: String, profile: bool },
    /// Sent by the worker to itself: the candidate backend (WebGPU on a software adapter, in auto
    /// mode) was timed in the background against the CPU path, in images per second.
    BackendMeasured { gpu: Result<f64, String>, cpu: Result<f64, String>, adapter: String },
    /// Sent by the worker to itself: a WebGPU device's `lost` promise settled, with the browser's
    /// reason. The trainer moves to the CPU at once rather than at its next read of the GPU.
    GpuLost { reason: String },
}

/// A drawing the user labelled ("my digits").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LabelledDigit {
    pub pixels: Vec<u8>,
    pub label: u8,
}

/// The sample the backprop stepper works on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum BackpropSample {
    /// A test image by index (clamped to the test set).
    Test(usize),
    /// A drawing, labelled with the network's prediction.
    Drawing { pixels: Vec<u8>, label: u8 },
}

/// Where the page (and so the run) is; decides which buttons are enabled.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Phase {
    LoadingData(DownloadProgress),
    DataFailed(Text),
    ChoosingBackend(Text),
    Ready,
    Training,
    Paused,
    Evaluating,
    Finished,
    Diverged(Text),
}

/// Bytes of the data received so far and in total (when the server says).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct DownloadProgress {
    pub loaded: u64,
    pub total: Option<u64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum BackendKind {
    WebGpu,
    Cpu,
}

/// The chosen backend and what the page says about it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BackendInfo {
    pub kind: BackendKind,
    /// e.g. "WebGPU — swiftshader (software adapter)" or "CPU (wasm)".
    pub name: Text,
    /// Why this one: the measured figures, or why WebGPU is unavailable.
    pub reason: Text,
}

impl BackendInfo {
    /// The CPU path in wasm, with why it is the one.
    pub fn cpu(reason: Text) -> Self {
        Self { kind: BackendKind::Cpu, name: crate::text!("backend-cpu"), reason }
    }
}

/// Whether runs are kept in this browser (IndexedDB), and the latest save.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Persistence {
    Unknown,
    /// Working; the text says what was saved last, if anything.
    On(Option<Text>),
    /// Unavailable or failing (private mode, full disk); the text says why.
    Off(Text),
}

/// A misclassified test digit for the gallery.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MistakeView {
    pub pixels: Vec<u8>,
    pub truth: u8,
    pub predicted: u8,
    pub index: usize,
}

/// Test results after an epoch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EpochResult {
    pub epoch: usize,
    pub accuracy: f64,
    pub mean_loss: f64,
}

/// Everything the charts and panels show about a run, sent whole when the run is replaced
/// (reset, restore, loaded weights, GPU loss) and then kept up to date by the smaller events.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct RunView {
    pub progress: Option<Progress>,
    pub losses: Vec<f32>,
    pub epochs: Vec<EpochResult>,
    pub log: Vec<String>,
    pub confusion: Option<Vec<Vec<u32>>>,
    pub mistakes: Vec<MistakeView>,
    pub images_per_second: Option<f64>,
}

/// The profiler's sample: one step split into its phases (each waited for), the time spent reading
/// results back, and the speed, on which backend; taken every `every` steps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepProfile {
    pub forward_ms: f64,
    pub backward_ms: f64,
    pub update_ms: f64,
    /// Reading the losses of the chunk the sample was in (one transfer).
    pub read_ms: f64,
    /// An average step of the run (from its speed), for what the sampling costs.
    pub plain_step_ms: f64,
    pub images_per_second: f64,
    pub backend: BackendKind,
    pub every: usize,
}

/// One entry of "recent models", as the page lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecentModel {
    pub id: u64,
    /// When it was kept (ms since 1970); the page writes it the reader's way.
    pub kept_at_ms: f64,
    /// What replaced or forgot it.
    pub because: Text,
    pub steps: usize,
    pub epoch: usize,
    pub test_accuracy: Option<f64>,
    /// e.g. "784-512-256-128-10, Adam, lr 0.001, batch 64".
    pub settings: Text,
    /// Why it cannot be restored, if it cannot.
    pub problem: Option<Text>,
    /// Its weights file can be downloaded (an unreadable record's weights may still be intact).
    pub downloadable: bool,
}

/// Which message line a short text belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Notice {
    /// Under "Your model" (loaded, downloaded, debug).
    Weights,
    /// Under the drawing panel (fine-tuning, my digits).
    Drawing,
    /// Step 5 of the backprop stepper.
    Backprop,
    /// "Restored model from …" with Start fresh; no text hides it.
    Restored,
}

/// What the trainer tells the page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Event {
    /// The worker is listening; the page sends nothing before this (earlier messages would be lost
    /// while its wasm loads).
    WorkerStarted,
    Phase(Phase),
    Backend(BackendInfo),
    DatasetSizes { train: usize, test: usize },
    /// The whole run view (after the run was replaced or forgotten).
    Run(RunView),
    Progress(Progress),
    /// Newly read training losses, one per step, in order.
    Losses(Vec<f32>),
    Log(Vec<String>),
    Epoch { result: EpochResult, confusion: Vec<Vec<u32>>, mistakes: Vec<MistakeView> },
    Speed(f64),
    /// A profiler sample (every [`StepProfile::every`] steps while training).
    Profile(StepProfile),
    /// The model the page predicts with changed; `version` counts the changes.
    Predictor { description: Text, version: u64 },
    /// The answer to `Predict { id }`: the ten probabilities and every hidden layer's output;
    /// empty when there is none (the reason comes as a notice).
    Prediction { id: u64, activations: Activations },
    /// The predicting model's first layer as 28×28 tiles (while the network view is open).
    WeightTiles(FirstLayerTiles),
    /// The answer to `InspectTest`: the test image, its true class and every layer's output.
    Inspected { index: usize, label: u8, pixels: Vec<u8>, activations: Activations },
    Persistence(Persistence),
    /// The settings form should show these (a restored run's, a loaded file's architecture).
    FormSettings(String),
    /// The line's new text; `None` hides it.
    Notice { to: Notice, text: Option<Text> },
    /// Shown in the error banner.
    Error(Text),
    ClearError,
    Backprop(Result<BackpropView, Text>),
    Download { name: String, bytes: Vec<u8> },
    /// The recent models, newest first.
    Recent(Vec<RecentModel>),
    /// What Undo would bring back, if anything ("the run Reset forgot, 3 steps").
    UndoOffer(Option<Text>),
    /// The worker's memory after an epoch (the soak benchmark reads it): wasm linear memory, and
    /// the JS heap where the browser tells (0 otherwise).
    Memory { wasm_bytes: f64, js_heap_bytes: f64 },
    /// The worker is about to die of a panic (its message); the page then restarts it.
    Panicked(String),
    /// How many other tabs of this page are training right now.
    OtherTabsTraining(usize),
    /// `?bench=…` only: the benchmark's JSON result.
    BenchResult(String),
}

/// The wire format of both directions.
pub fn encode<T: Serialize>(message: &T) -> Result<Vec<u8>, String> {
    postcard::to_allocvec(message).map_err(|e| format!("could not encode a message ({e})"))
}

pub fn decode<'a, T: Deserialize<'a>>(bytes: &'a [u8]) -> Result<T, String> {
    postcard::from_bytes(bytes).map_err(|e| format!("could not decode a message ({e})"))
}
