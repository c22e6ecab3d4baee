//! What the page shows, as signals. Plain data only (Send + Sync); the model and datasets live in
//! [`super::engine::Engine`], outside the reactive graph.

use leptos::prelude::*;

use super::compute_backend::BackendInfo;
use super::dataset_loader::DownloadProgress;
use crate::data::mnist::NUM_CLASSES;
use crate::run::Progress;

/// The page's phase, which decides which buttons are enabled.
#[derive(Debug, Clone, PartialEq)]
pub enum Phase {
    LoadingData(DownloadProgress),
    DataFailed(String),
    ChoosingBackend(String),
    Ready,
    Training,
    Paused,
    Evaluating,
    Finished,
    Diverged(String),
}

/// A misclassified test digit for the gallery.
#[derive(Debug, Clone, PartialEq)]
pub struct MistakeView {
    pub pixels: Vec<u8>,
    pub truth: u8,
    pub predicted: u8,
    pub index: usize,
}

/// Test results after an epoch.
#[derive(Debug, Clone, PartialEq)]
pub struct EpochResult {
    pub epoch: usize,
    pub accuracy: f64,
    pub mean_loss: f64,
}

/// Whether runs are kept in this browser (IndexedDB), and the latest save.
#[derive(Debug, Clone, PartialEq)]
pub enum Persistence {
    Unknown,
    /// Working; the text says what was saved last, if anything.
    On(Option<String>),
    /// Unavailable or failing (private mode, full disk); the text says why.
    Off(String),
}

#[derive(Clone, Copy)]
pub struct PlaygroundState {
    pub phase: RwSignal<Phase>,
    pub backend: RwSignal<Option<BackendInfo>>,
    pub progress: RwSignal<Option<Progress>>,
    /// Training loss of every step, in order.
    pub losses: RwSignal<Vec<f32>>,
    pub epochs: RwSignal<Vec<EpochResult>>,
    pub log: RwSignal<Vec<String>>,
    pub images_per_second: RwSignal<Option<f64>>,
    pub confusion: RwSignal<Option<[[u32; NUM_CLASSES]; NUM_CLASSES]>>,
    pub mistakes: RwSignal<Vec<MistakeView>>,
    /// The latest problem, shown in the error banner (`error-message`).
    pub error: RwSignal<Option<String>>,
    /// Images used for training / testing after `?train=` / `?test=` limits.
    pub dataset_sizes: RwSignal<Option<(usize, usize)>>,
    /// Bumped whenever the predicting model's weights change, so predictions refresh.
    pub model_version: RwSignal<u64>,
    /// Which model the drawing panel predicts with, in words.
    pub predictor_description: RwSignal<String>,
    /// The user's current drawing as the network sees it, with the predicted digit.
    pub drawing: RwSignal<Option<(Vec<u8>, u8)>>,
    pub persistence: RwSignal<Persistence>,
    /// "Restored model from …", shown with a Start fresh button after a reload.
    pub restored_note: RwSignal<Option<String>>,
}

impl PlaygroundState {
    pub fn new() -> Self {
        Self {
            phase: RwSignal::new(Phase::LoadingData(DownloadProgress::default())),
            backend: RwSignal::new(None),
            progress: RwSignal::new(None),
            losses: RwSignal::new(Vec::new()),
            epochs: RwSignal::new(Vec::new()),
            log: RwSignal::new(Vec::new()),
            images_per_second: RwSignal::new(None),
            confusion: RwSignal::new(None),
            mistakes: RwSignal::new(Vec::new()),
            error: RwSignal::new(None),
            dataset_sizes: RwSignal::new(None),
            model_version: RwSignal::new(0),
            predictor_description: RwSignal::new(String::new()),
            drawing: RwSignal::new(None),
            persistence: RwSignal::new(Persistence::Unknown),
            restored_note: RwSignal::new(None),
        }
    }

    /// Forgets the metrics of the previous run (the model is reset separately).
    pub fn clear_run(&self) {
        self.progress.set(None);
        self.losses.set(Vec::new());
        self.epochs.set(Vec::new());
        self.log.set(Vec::new());
        self.images_per_second.set(None);
        self.confusion.set(None);
        self.mistakes.set(Vec::new());
        self.error.set(None);
    }
}

impl Default for PlaygroundState {
    fn default() -> Self {
        Self::new()
    }
}
