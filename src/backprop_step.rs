//! What the backprop stepper shows for one sample, computed from the live model: the chain rule of the
//! last two layers with the real numbers, each gradient checked against burn's autodiff and a finite
//! difference, every layer's parameters and activations, and step 5's update of one weight written out
//! with the run's own learning rate, optimizer and (for Adam) its running moments.
//!
//! `apply_update` then runs that very update through burn — on a copy of the run (where the
//! written-out numbers must match burn's to 1e-6) or on the live run.

use serde::{Deserialize, Serialize};

use crate::chain_rule::{AdamStep, ChainRule};
use crate::data::mnist::NUM_CLASSES;
use crate::optimizer::OptimizerKind;
#[cfg(feature = "trainer")]
use {
    burn::tensor::{Device, Tensor, Transaction},
    crate::chain_rule::{adam_step, autodiff_gradients, chain_rule, finite_difference, read_pair, sgd_step, single_input},
    crate::data::{MnistDataset, make_batch},
    crate::model::Mlp,
    crate::optimizer::{ADAM_BETA1, ADAM_BETA2, ADAM_EPSILON},
    crate::training::{TrainingConfig, TrainingSession},
};

/// Agreement needed for a green tick (f32 on the GPU: autodiff to 1e-5, finite differences to 1e-3).
pub const AUTODIFF_TOLERANCE: f64 = 1e-5;
pub const FD_TOLERANCE: f64 = 1e-3;
/// burn's update of the chosen weight must equal the written-out one to this.
pub const UPDATE_TOLERANCE: f64 = 1e-6;

/// One checked gradient entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GradCheck {
    pub name: String,
    pub closed_form: f64,
    pub autodiff: f64,
    pub finite_difference: Option<f64>,
}

impl GradCheck {
    pub fn ok(&self) -> bool {
        (self.closed_form - self.autodiff).abs() <= AUTODIFF_TOLERANCE
            && self.finite_difference.is_none_or(|fd| (fd - self.closed_form).abs() <= FD_TOLERANCE)
    }
}

/// Per layer: its first weights and bias values, and this sample's `z` and `h` (logits for the last).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LayerStats {
    pub name: String,
    /// `(in, out)`: burn's weight layout.
    pub shape: (usize, usize),
    pub weights: Vec<f32>,
    pub bias: Vec<f32>,
    pub z: Vec<f32>,
    pub h: Vec<f32>,
}

/// Step 5: one update of `W_L[unit, label]`, as the run's optimizer will make it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WeightUpdate {
    pub optimizer: OptimizerKind,
    pub learning_rate: f64,
    /// The weight before the update and `g = ∂L/∂w` on this sample.
    pub weight: f64,
    pub gradient: f64,
    pub sgd: f64,
    /// Adam's step `t` (from 1) and the moments it starts from (0 before the run's first step).
    pub adam_t: usize,
    pub adam_m_before: f64,
    pub adam_v_before: f64,
    pub adam: AdamStep,
}

impl WeightUpdate {
    /// The weight after the update the run's optimizer makes.
    pub fn new_weight(&self) -> f64 {
        match self.optimizer {
            OptimizerKind::Adam => self.adam.w,
            OptimizerKind::Sgd => self.sgd,
        }
    }
}

/// Everything the panel shows, computed once per sample and model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BackpropView {
    pub chain: ChainRule,
    pub checks: Vec<GradCheck>,
    pub layers: Vec<LayerStats>,
    /// The hidden unit whose row of ∂L/∂W_L is shown.
    pub unit: usize,
    pub update: WeightUpdate,
    /// The sample, so step 5 can apply a real update on it.
    pub pixels: Vec<u8>,
}

impl BackpropView {
    /// Index of the chosen weight `W_L[unit, label]` in the last layer's row-major `[in, 10]` values.
    pub fn weight_index(&self) -> usize {
        self.unit * NUM_CLASSES + self.chain.label as usize
    }
}

#[cfg(feature = "trainer")]
/// Reads every layer's parameters and this sample's activations in one transfer.
async fn layer_stats(model: &Mlp, pixels: &[u8], device: &Device) -> Result<Vec<LayerStats>, String> {
    let trace = model.forward_trace(single_input(pixels, device));
    let last = model.layers.len().saturating_sub(1);
    let mut t = Transaction::default();
    for (i, layer) in model.layers.iter().enumerate() {
        let (Some(pre), Some(post)) = (trace.pre.get(i), trace.post.get(i).or(trace.pre.get(i))) else {
            return Err("the forward trace is shorter than the network".into());
        };
        t = t.register(layer.weight.val()); // [in, out]
        t = t.register(layer.bias.as_ref().map(|b| b.val()).unwrap_or_else(|| Tensor::<1>::zeros([1], device))); // [out]
        t = t.register(pre.clone()); // [1, out]
        t = t.register(if i < last { post.clone() } else { pre.clone() }); // [1, out]
    }
    let data = t.execute_async().await.map_err(|e| e.to_string())?;
    let v = |i: usize| data.get(i).map(|d| d.iter::<f32>().collect::<Vec<f32>>()).unwrap_or_default();
    Ok(model
        .layers
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let [a, b] = l.weight.dims();
            LayerStats { name: Mlp::layer_name(i), shape: (a, b), weights: v(4 * i), bias: v(4 * i + 1), z: v(4 * i + 2), h: v(4 * i + 3) }
        })
        .collect())
}

#[cfg(feature = "trainer")]
/// The optimizer state step 5 starts from: the live run's, or a fresh one for a model that is not
/// training here (the pretrained or an uploaded model).
pub struct OptimizerContext<'a> {
    pub session: Option<&'a TrainingSession>,
    /// Used when there is no session.
    pub config: &'a TrainingConfig,
}

#[cfg(feature = "trainer")]
/// Computes the view for `model` on one sample. `model` is the model the page predicts with.
pub async fn compute(model: &Mlp, pixels: &[u8], label: u8, device: &Device, context: OptimizerContext<'_>) -> Result<BackpropView, String> {
    let layers = model.layers.len();
    if layers < 2 {
        return Err("the chain-rule view needs at least one hidden layer".into());
    }
    if label as usize >= NUM_CLASSES {
        return Err(format!("label {label} is not a digit"));
    }
    let chain = chain_rule(model, pixels, label, device).await.map_err(|e| e.to_string())?;
    let ad_device = device.clone().autodiff();
    let tracked = model.with_autodiff();
    let (ad_w, ad_b, ad_w_prev) = autodiff_gradients(&tracked, pixels, label, &ad_device).await.map_err(|e| e.to_string())?;
    let (_, n) = chain.sizes;
    // The hidden unit with the largest activation: its row of ∂L/∂W_L is the most telling.
    let unit = chain.hidden_out_in.iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1)).map(|(i, _)| i).unwrap_or(0);
    let k = label as usize;
    let w_index = unit * NUM_CLASSES + k;
    // The largest entry of ∂L/∂W_{L−1}, so the finite difference is well above rounding noise.
    let prev_index = chain.grad_w_prev.iter().enumerate().max_by(|a, b| a.1.abs().total_cmp(&b.1.abs())).map(|(i, _)| i).unwrap_or(0);
    let n = n.max(1);
    let fd_out = finite_difference(model, layers - 1, unit, k, pixels, label, 1e-2, device).await.map_err(|e| e.to_string())?;
    let fd_prev = finite_difference(model, layers - 2, prev_index / n, prev_index % n, pixels, label, 1e-3, device).await.map_err(|e| e.to_string())?;
    let at = |values: &[f32], i: usize| values.get(i).copied().unwrap_or(f32::NAN) as f64;
    let checks = vec![
        GradCheck {
            name: format!("∂L/∂W{layers}[{unit}, {k}]"),
            closed_form: at(&chain.grad_w_out, w_index),
            autodiff: at(&ad_w, w_index),
            finite_difference: Some(fd_out),
        },
        GradCheck { name: format!("∂L/∂b{layers}[{k}]"), closed_form: at(&chain.grad_b_out, k), autodiff: at(&ad_b, k), finite_difference: None },
        GradCheck {
            name: format!("∂L/∂W{}[{}, {}]", layers - 1, prev_index / n, prev_index % n),
            closed_form: at(&chain.grad_w_prev, prev_index),
            autodiff: at(&ad_w_prev, prev_index),
            finite_difference: Some(fd_prev),
        },
    ];
    let stats = layer_stats(model, pixels, device).await?;
    let weight = stats.last().map(|s| at(&s.weights, w_index)).unwrap_or(f64::NAN);
    let gradient = checks.first().map(|c| c.closed_form).unwrap_or(f64::NAN);
    let update = weight_update(weight, gradient, layers - 1, w_index, context).await?;
    Ok(BackpropView { chain, checks, layers: stats, unit, update, pixels: pixels.to_vec() })
}

#[cfg(feature = "trainer")]
/// Step 5 written out for weight `index` of layer `layer`, from the optimizer state the run has now.
async fn weight_update(weight: f64, gradient: f64, layer: usize, index: usize, context: OptimizerContext<'_>) -> Result<WeightUpdate, String> {
    let (config, optimizer) = match context.session {
        Some(session) => (session.config(), Some(session.optimizer())),
        None => (context.config, None),
    };
    let (mut m_before, mut v_before, mut t) = (0.0, 0.0, 1);
    if let Some(optimizer) = optimizer.filter(|o| o.kind() == OptimizerKind::Adam) {
        if let Some((m, v)) = optimizer.weight_moments(layer) {
            let data = Transaction::default().register(m).register(v).execute_async().await.map_err(|e| e.to_string())?;
            let at = |i: usize| data.get(i).and_then(|d| d.iter::<f32>().nth(index)).map(f64::from).unwrap_or(f64::NAN);
            m_before = at(0);
            v_before = at(1);
            t = optimizer.adam_time() + 1;
        }
    }
    let alpha = config.learning_rate;
    let adam = adam_step(weight, gradient, m_before, v_before, t as i32, alpha, ADAM_BETA1 as f64, ADAM_BETA2 as f64, ADAM_EPSILON as f64);
    Ok(WeightUpdate {
        optimizer: config.optimizer,
        learning_rate: alpha,
        weight,
        gradient,
        sgd: sgd_step(weight, gradient, alpha),
        adam_t: t,
        adam_m_before: m_before,
        adam_v_before: v_before,
        adam,
    })
}

#[cfg(feature = "trainer")]
/// What applying step 5 did to the chosen weight.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Applied {
    pub before: f64,
    pub after: f64,
}

#[cfg(feature = "trainer")]
/// One optimizer step of `session` on `view`'s sample; reads the chosen weight before and after.
/// The caller has checked that `view` was computed on this session's model.
pub async fn apply_update(session: &mut TrainingSession, view: &BackpropView) -> Result<Applied, String> {
    let last = session.model.layers.len().checked_sub(1).ok_or("the network has no layers")?;
    if view.layers.len() != last + 1 {
        return Err("the numbers shown are for another network; compute them again".into());
    }
    let sample = MnistDataset::new(view.pixels.clone(), vec![view.chain.label]).map_err(|e| e.to_string())?;
    let batch = make_batch(&sample, &[0], session.device());
    let weight = |s: &TrainingSession| s.model.layers.get(last).map(|l| l.weight.val());
    let before = weight(session).ok_or("the network has no layers")?; // [in, 10]
    session.step(&batch);
    let after = weight(session).ok_or("the network has no layers")?; // [in, 10]
    let (before, after) = read_pair(before, after, view.weight_index()).await.map_err(|e| e.to_string())?;
    Ok(Applied { before, after })
}
