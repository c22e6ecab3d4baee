//! What the page shows, as signals: a mirror of the trainer's events (see `client.rs`, the only
//! writer of what comes from the worker) plus the page's own view state. Plain data only; no tensor
//! lives on the page.

use leptos::prelude::*;

use crate::backprop_step::BackpropView;
use crate::data::mnist::NUM_CLASSES;
use crate::i18n::Text;
use crate::run::Progress;
pub use crate::protocol::{Activations, FirstLayerTiles};
pub use crate::protocol::{BackendInfo, EpochResult, MistakeView, Persistence, Phase, RecentModel, StepProfile};

pub type Confusion = [[u32; NUM_CLASSES]; NUM_CLASSES];

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
    pub confusion: RwSignal<Option<Confusion>>,
    pub mistakes: RwSignal<Vec<MistakeView>>,
    /// The latest problem, shown in the error banner (`error-message`).
    pub error: RwSignal<Option<Text>>,
    /// Images used for training / testing after `?train=` / `?test=` limits.
    pub dataset_sizes: RwSignal<Option<(usize, usize)>>,
    /// Counts the changes of the predicting model's weights, so predictions refresh.
    pub model_version: RwSignal<u64>,
    /// Which model the drawing panel predicts with, in words.
    pub predictor_description: RwSignal<Text>,
    /// The latest prediction from the trainer: `(request id, probabilities and every layer's output)`.
    pub prediction: RwSignal<Option<(u64, Activations)>>,
    /// The drawing as the network saw it with what every layer made of it (the network view's
    /// strips); written by the drawing panel when its prediction arrives.
    pub inspected: RwSignal<Option<(Vec<u8>, Activations)>>,
    /// Which test image `inspected` is, with its true class; `None` when it is the drawing.
    pub inspected_test: RwSignal<Option<(usize, u8)>>,
    /// The predicting model's first layer as tiles, while the network view is open.
    pub weight_tiles: RwSignal<Option<FirstLayerTiles>>,
    /// The user's current drawing as the network sees it, with the predicted digit.
    pub drawing: RwSignal<Option<(Vec<u8>, u8)>>,
    pub persistence: RwSignal<Persistence>,
    /// "Restored model from …", shown with a Start fresh button after a reload.
    pub restored_note: RwSignal<Option<Text>>,
    /// The line under "Your model" (loaded, downloaded, debug).
    pub weights_status: RwSignal<Option<Text>>,
    /// The line under the drawing panel (fine-tuning, my digits).
    pub draw_message: RwSignal<Option<Text>>,
    /// The backprop stepper's numbers for the chosen sample, or why there are none.
    pub backprop: RwSignal<Option<Result<BackpropView, Text>>>,
    /// What step 5's "apply" did.
    pub apply_result: RwSignal<Option<Text>>,
    /// `?bench=…`: the benchmark's JSON once it is done.
    pub bench_result: RwSignal<Option<String>>,
    /// Models that an action replaced or forgot, newest first.
    pub recent: RwSignal<Vec<RecentModel>>,
    /// What Undo would bring back.
    pub undo_offer: RwSignal<Option<Text>>,
    /// The worker's `(wasm, JS heap)` bytes after the latest epoch.
    pub worker_memory: RwSignal<Option<(f64, f64)>>,
    /// Bumped when a crashed worker is replaced: requests sent to the old one will not be answered.
    pub worker_restarts: RwSignal<u32>,
    /// Other tabs of this page training now.
    pub other_tabs_training: RwSignal<usize>,
    /// The profiler's latest sample.
    pub profile: RwSignal<Option<StepProfile>>,
}

impl PlaygroundState {
    pub fn new() -> Self {
        Self {
            phase: RwSignal::new(Phase::LoadingData(Default::default())),
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
            predictor_description: RwSignal::new(crate::text!("no-model-description")),
            prediction: RwSignal::new(None),
            inspected: RwSignal::new(None),
            inspected_test: RwSignal::new(None),
            weight_tiles: RwSignal::new(None),
            drawing: RwSignal::new(None),
            persistence: RwSignal::new(Persistence::Unknown),
            restored_note: RwSignal::new(None),
            weights_status: RwSignal::new(None),
            draw_message: RwSignal::new(None),
            backprop: RwSignal::new(None),
            apply_result: RwSignal::new(None),
            bench_result: RwSignal::new(None),
            recent: RwSignal::new(Vec::new()),
            undo_offer: RwSignal::new(None),
            other_tabs_training: RwSignal::new(0),
            worker_restarts: RwSignal::new(0),
            worker_memory: RwSignal::new(None),
            profile: RwSignal::new(None),
        }
    }
}

impl Default for PlaygroundState {
    fn default() -> Self {
        Self::new()
    }
}
