//! How much memory a network needs to train here, estimated from its settings before anything is
//! built, and the budget of the device it would train on. A setting over budget is refused with the
//! estimate and the limit, instead of the tab aborting (wasm32 stops at 4 GiB) or WebGPU failing.

use crate::data::mnist::IMAGE_PIXELS;
use crate::i18n::Text;
use crate::optimizer::OptimizerKind;
use crate::training::TrainingConfig;

const MB: f64 = 1024.0 * 1024.0;
const F32: u64 = 4;

/// What a device allows a run to use.
#[derive(Debug, Clone, PartialEq)]
pub struct MemoryBudget {
    pub total_bytes: u64,
    /// The largest single tensor (on WebGPU: one storage buffer binding).
    pub tensor_bytes: u64,
    /// Where, in words: "the CPU path in wasm".
    pub device: Text,
}

impl MemoryBudget {
    /// burn's CPU backend in wasm32: a quarter of the 4 GiB address space, leaving room for the page,
    /// the datasets and the allocator's slack.
    pub fn cpu() -> Self {
        Self { total_bytes: 1 << 30, tensor_bytes: 1 << 30, device: crate::text!("budget-cpu") }
    }

    /// A WebGPU adapter: a run may use twice its largest buffer (at most 2 GiB: the adapter does not say
    /// how much memory it has), and no tensor may exceed one storage binding.
    pub fn webgpu(max_buffer_bytes: u64, max_binding_bytes: u64) -> Self {
        Self {
            total_bytes: (2 * max_buffer_bytes).min(2 << 30),
            tensor_bytes: max_binding_bytes.min(max_buffer_bytes),
            device: crate::text!("budget-webgpu"),
        }
    }
}

/// The memory one run of `config` needs, by kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemoryEstimate {
    pub parameters: u64,
    /// Every copy of the parameters a run holds.
    pub parameter_bytes: u64,
    /// One batch's activations and their gradients.
    pub activation_bytes: u64,
    pub largest_tensor_bytes: u64,
}

impl MemoryEstimate {
    pub fn total_bytes(&self) -> u64 {
        self.parameter_bytes + self.activation_bytes
    }
}

/// Copies of every parameter while training: the weights and their gradients; Adam's two moments; the
/// last good weights kept against divergence (with their moments); one snapshot (weights and moments,
/// as bytes).
fn parameter_copies(optimizer: OptimizerKind) -> u64 {
    match optimizer {
        OptimizerKind::Adam => 2 + 2 + 3 + 3,
        OptimizerKind::Sgd => 2 + 1 + 1,
    }
}

pub fn estimate(config: &TrainingConfig) -> MemoryEstimate {
    let shapes = config.model.layer_shapes();
    let parameters = config.model.parameter_count() as u64;
    let batch = config.batch_size as u64;
    let widths: u64 = IMAGE_PIXELS as u64 + shapes.iter().map(|&(_, out)| out as u64).sum::<u64>();
    // Per sample: the input and each layer's pre-activation and activation, and a gradient of each.
    let activation_bytes = batch * widths * F32 * 4;
    let largest_weight = shapes.iter().map(|&(i, o)| (i * o) as u64 * F32).max().unwrap_or(0);
    let widest = shapes.iter().map(|&(i, o)| i.max(o) as u64).max().unwrap_or(0);
    MemoryEstimate {
        parameters,
        parameter_bytes: parameters * F32 * parameter_copies(config.optimizer),
        activation_bytes,
        largest_tensor_bytes: largest_weight.max(batch * widest * F32),
    }
}

/// `53600266` → `53,600,266`, as the page writes large numbers.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn mb(bytes: u64) -> String {
    format!("{} MB", thousands((bytes as f64 / MB).round() as u64))
}

/// The estimate when `config` fits `budget`, else a message with the estimate and the limit.
pub fn check(config: &TrainingConfig, budget: &MemoryBudget) -> Result<MemoryEstimate, Text> {
    let e = estimate(config);
    if e.total_bytes() > budget.total_bytes {
        return Err(crate::text!(
            "budget-too-big",
            needed = mb(e.total_bytes()),
            parameters = thousands(e.parameters),
            optimizer = if config.optimizer == OptimizerKind::Adam { "adam" } else { "sgd" },
            parameter_bytes = mb(e.parameter_bytes),
            batch = config.batch_size,
            activation_bytes = mb(e.activation_bytes),
            allowed = mb(budget.total_bytes),
            device = budget.device.clone()
        ));
    }
    if e.largest_tensor_bytes > budget.tensor_bytes {
        return Err(crate::text!(
            "budget-tensor-too-big",
            needed = mb(e.largest_tensor_bytes),
            allowed = mb(budget.tensor_bytes),
            device = budget.device.clone()
        ));
    }
    Ok(e)
}
