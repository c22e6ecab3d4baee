//! One training step — forward, loss, backward, update — for any burn device, and the settings that
//! drive it. The loss comes back as a tensor: the caller decides when to read it (on WebGPU every read
//! is async and stalls the queue, so the page reads only every few steps).

use serde::{Deserialize, Serialize};

use crate::model::MlpConfig;
pub use crate::optimizer::{ADAM_BETA1, ADAM_BETA2, ADAM_EPSILON, OptimizerKind};
#[cfg(feature = "trainer")]
use {
    burn::module::Module,
    burn::nn::loss::CrossEntropyLossConfig,
    burn::optim::GradientsParams,
    burn::tensor::{Device, Tensor},
    web_time::Instant,
    crate::data::MnistBatch,
    crate::model::Mlp,
    crate::optimizer::MlpOptimizer,
};

/// Upper bounds that keep a typo from freezing a browser tab.
pub const MAX_HIDDEN_LAYERS: usize = 6;
pub const MAX_LAYER_WIDTH: usize = 4096;
pub const MAX_BATCH_SIZE: usize = 8192;
pub const MAX_EPOCHS: usize = 1000;

/// Everything that defines a training run; `TrainingConfig::new()` is the seed's script.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainingConfig {
    pub model: MlpConfig,
    pub optimizer: OptimizerKind,
    pub learning_rate: f64,
    pub batch_size: usize,
    pub epochs: usize,
    /// Seed of the order batches are drawn in.
    pub shuffle_seed: u64,
}

#[cfg(feature = "trainer")]
impl burn::config::Config for TrainingConfig {}

impl Default for TrainingConfig {
    fn default() -> Self {
        Self::new()
    }
}

impl TrainingConfig {
    /// The seed's script: its model, Adam, learning rate 0.001, batch 64, one epoch, shuffle seed 42.
    pub fn new() -> Self {
        Self { model: MlpConfig::new(), optimizer: OptimizerKind::Adam, learning_rate: 1e-3, batch_size: 64, epochs: 1, shuffle_seed: 42 }
    }

    pub fn with_model(mut self, model: MlpConfig) -> Self {
        self.model = model;
        self
    }

    pub fn with_optimizer(mut self, optimizer: OptimizerKind) -> Self {
        self.optimizer = optimizer;
        self
    }

    pub fn with_learning_rate(mut self, learning_rate: f64) -> Self {
        self.learning_rate = learning_rate;
        self
    }

    pub fn with_batch_size(mut self, batch_size: usize) -> Self {
        self.batch_size = batch_size;
        self
    }

    pub fn with_epochs(mut self, epochs: usize) -> Self {
        self.epochs = epochs;
        self
    }

    pub fn with_shuffle_seed(mut self, shuffle_seed: u64) -> Self {
        self.shuffle_seed = shuffle_seed;
        self
    }
}

/// A setting that cannot be used, with the reason in words a user can act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidSetting {
    pub field: &'static str,
    pub message: String,
}

impl std::fmt::Display for InvalidSetting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl TrainingConfig {
    /// Checks every field; the first problem found is returned.
    pub fn validate(&self) -> Result<(), InvalidSetting> {
        let bad = |field, message: String| Err(InvalidSetting { field, message });
        if !(self.learning_rate.is_finite() && self.learning_rate > 0.0 && self.learning_rate <= 100.0) {
            return bad("learning rate", format!("must be a number above 0 and at most 100, got {}", self.learning_rate));
        }
        if self.batch_size == 0 || self.batch_size > MAX_BATCH_SIZE {
            return bad("batch size", format!("must be between 1 and {MAX_BATCH_SIZE}, got {}", self.batch_size));
        }
        if self.epochs == 0 || self.epochs > MAX_EPOCHS {
            return bad("epochs", format!("must be between 1 and {MAX_EPOCHS}, got {}", self.epochs));
        }
        if self.model.hidden.is_empty() || self.model.hidden.len() > MAX_HIDDEN_LAYERS {
            return bad("hidden sizes", format!("give 1 to {MAX_HIDDEN_LAYERS} layer sizes, got {}", self.model.hidden.len()));
        }
        if let Some(&w) = self.model.hidden.iter().find(|&&w| w == 0 || w > MAX_LAYER_WIDTH) {
            return bad("hidden sizes", format!("each size must be between 1 and {MAX_LAYER_WIDTH}, got {w}"));
        }
        Ok(())
    }
}

#[cfg(feature = "trainer")]
impl TrainingConfig {
    /// This config with its architecture (hidden sizes, activation) taken from `model`: the settings
    /// to keep training a model that was loaded from a file or a saved run.
    pub fn fitted_to(&self, model: &Mlp) -> Self {
        self.clone().with_model(self.model.clone().with_hidden(model.hidden_sizes()).with_activation(model.activation))
    }

    /// The optimizer this config asks for, with the seed's (PyTorch's) hyper-parameters.
    pub fn init_optimizer(&self) -> MlpOptimizer {
        MlpOptimizer::new(self.optimizer)
    }
}

/// Mean cross-entropy of a batch through `model`, still on the autodiff graph: the loss of every
/// step, of a whole batch ([`TrainingSession::step`]) or of a share of one (`data_parallel`).
#[cfg(feature = "trainer")]
pub fn mean_cross_entropy(model: &Mlp, batch: &MnistBatch) -> Tensor<1> {
    // Detached so that one batch can be stepped on repeatedly: each step builds a fresh graph.
    let logits = model.forward(batch.images.clone().detach()); // [batch, 10]
    CrossEntropyLossConfig::new().init(&logits.device()).forward(logits, batch.targets.clone()) // [1]
}

/// Wall-clock milliseconds of each phase of one step, measured with the device synchronised
/// between phases (so they are honest, and slower than an unmeasured step).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct PhaseTimings {
    pub forward_ms: f64,
    pub backward_ms: f64,
    pub update_ms: f64,
}

/// The model, its optimizer state and the step counter: everything that changes while training.
#[cfg(feature = "trainer")]
#[derive(Clone)]
pub struct TrainingSession {
    pub model: Mlp,
    optimizer: MlpOptimizer,
    config: TrainingConfig,
    device: Device,
    steps: usize,
}

#[cfg(feature = "trainer")]
impl TrainingSession {
    /// A fresh model from `config` on `device` (autodiff is switched on here).
    pub fn new(config: TrainingConfig, device: &Device) -> Self {
        let device = device.clone().autodiff();
        let model = config.model.init(&device);
        Self::with_model(config, model, &device)
    }

    /// Continues training `model` (e.g. one loaded from a file) with fresh optimizer state.
    /// A model on a plain device is switched to autodiff here (`to_device` would not do it: burn
    /// compares devices without their autodiff flag).
    pub fn with_model(config: TrainingConfig, model: Mlp, device: &Device) -> Self {
        let device = device.clone().autodiff();
        let tracked = model.layers.first().is_some_and(|l| l.weight.val().is_autodiff());
        let model = if tracked { model } else { model.with_autodiff() };
        Self {
            model,
            optimizer: config.init_optimizer(),
            config,
            device,
            steps: 0,
        }
    }

    /// Continues training `model` with optimizer state saved earlier (see [`MlpOptimizer::save`]).
    pub fn with_model_and_optimizer(config: TrainingConfig, model: Mlp, optimizer: MlpOptimizer, steps: usize, device: &Device) -> Self {
        let mut session = Self::with_model(config, model, device);
        session.optimizer = optimizer;
        session.steps = steps;
        session
    }

    pub fn optimizer(&self) -> &MlpOptimizer {
        &self.optimizer
    }

    pub fn config(&self) -> &TrainingConfig {
        &self.config
    }

    pub fn device(&self) -> &Device {
        &self.device
    }

    /// Optimizer steps taken so far.
    pub fn steps(&self) -> usize {
        self.steps
    }

    /// The model without autodiff, for inference and evaluation.
    pub fn inference_model(&self) -> Mlp {
        self.model.valid()
    }

    /// Mean cross-entropy of a batch, still on the autodiff graph.
    pub fn batch_loss(&self, batch: &MnistBatch) -> Tensor<1> {
        mean_cross_entropy(&self.model, batch)
    }

    /// Forward, loss, backward and update on one batch. Returns the batch's loss before the update,
    /// detached (`[1]`); nothing is read back from the device.
    pub fn step(&mut self, batch: &MnistBatch) -> Tensor<1> {
        let loss = self.batch_loss(batch); // [1]
        let grads = GradientsParams::from_grads(loss.backward(), &self.model);
        self.apply(grads);
        loss.detach()
    }

    /// Like [`step`](Self::step), timing each phase. Only meaningful where the device can be waited on
    /// synchronously (native); the page measures whole steps instead.
    #[cfg(not(target_family = "wasm"))]
    pub fn step_profiled(&mut self, batch: &MnistBatch) -> (Tensor<1>, PhaseTimings) {
        let sync = |d: &Device| {
            // A failed sync means the step failed; the caller sees it when reading the loss.
            let _ = d.sync();
        };
        let start = Instant::now();
        let loss = self.batch_loss(batch); // [1]
        sync(&self.device);
        let forward_done = Instant::now();
        let grads = GradientsParams::from_grads(loss.backward(), &self.model);
        sync(&self.device);
        let backward_done = Instant::now();
        self.apply(grads);
        sync(&self.device);
        let update_done = Instant::now();
        let ms = |a: Instant, b: Instant| (b - a).as_secs_f64() * 1e3;
        let timings = PhaseTimings {
            forward_ms: ms(start, forward_done),
            backward_ms: ms(forward_done, backward_done),
            update_ms: ms(backward_done, update_done),
        };
        (loss.detach(), timings)
    }

    /// Like [`step_profiled`](Self::step_profiled) for devices that can only be waited on
    /// asynchronously (WebGPU in the page): after each phase it reads the loss back, and since the
    /// device runs its queue in order, that read completes only after the phase's work has. The
    /// extra reads make the step slower than [`step`](Self::step); the split is what matters.
    pub async fn step_profiled_async(&mut self, batch: &MnistBatch) -> Result<(f32, PhaseTimings), String> {
        async fn wait_for(loss: &Tensor<1>) -> Result<f32, String> {
            let data = loss.clone().into_data_async().await.map_err(|e| e.to_string())?;
            data.iter::<f32>().next().ok_or_else(|| "empty loss".to_string())
        }
        let start = Instant::now();
        let loss = self.batch_loss(batch); // [1]
        let value = wait_for(&loss).await?;
        let forward_done = Instant::now();
        let grads = GradientsParams::from_grads(loss.backward(), &self.model);
        wait_for(&self.first_weight_sum()).await?;
        let backward_done = Instant::now();
        self.apply(grads);
        wait_for(&self.first_weight_sum()).await?;
        let update_done = Instant::now();
        let ms = |a: Instant, b: Instant| (b - a).as_secs_f64() * 1e3;
        Ok((value, PhaseTimings { forward_ms: ms(start, forward_done), backward_ms: ms(forward_done, backward_done), update_ms: ms(backward_done, update_done) }))
    }

    /// A one-element tensor queued after everything before it (a read of it waits for them all).
    fn first_weight_sum(&self) -> Tensor<1> {
        match self.model.layers.first() {
            Some(layer) => layer.weight.val().inner().sum(), // [1]
            None => Tensor::zeros([1], &self.device),       // [1]
        }
    }

    pub(crate) fn apply(&mut self, grads: GradientsParams) {
        // Moved out rather than cloned: a parameter held only by the optimizer can be updated in place.
        let empty = Mlp { layers: Vec::new(), activation: self.model.activation };
        let model = std::mem::replace(&mut self.model, empty);
        self.model = self.optimizer.step(self.config.learning_rate, model, grads);
        self.steps += 1;
    }
}
