//! One batch's step computed in shares, one share per worker (issue 15, "all cores"), on the CPU.
//!
//! Each worker holds the same weights and computes the mean loss and gradients of its share of the
//! batch ([`share_gradients`]); the worker that owns the run adds the shares, each weighted by its
//! size, and takes the one optimizer step ([`TrainingSession::apply_shares`]). A batch's mean loss is
//! the size-weighted mean of its shares' means, and so is its gradient: the step is the one batch's
//! step, up to the order floats are summed in.
//!
//! What crosses between workers is every parameter's values in layer order, each layer's weight
//! (`[in, out]`, row-major) then its bias ([`parameters`], [`mlp_from_parameters`]). Gradients and
//! a helper's weights are moved in and out of tensors without copying; the owner's weights are
//! copied once (the model keeps them), and once more into each message.
//!
//! The benchmark's `cpu-2workers` engine uses this (`worker/helper.rs`); the trainer does not: on a
//! 2-core machine the split step measured slower than one worker (BENCHMARKS.md).

use burn::module::Param;
use burn::nn::Linear;
use burn::optim::GradientsParams;
use burn::tensor::{Device, Tensor, TensorData};

use crate::data::MnistBatch;
use crate::fused_adam::{runs_on_cpu, take_values};
use crate::data::mnist::{IMAGE_PIXELS, NUM_CLASSES};
use crate::model::{Activation, Mlp};
use crate::training::{TrainingSession, mean_cross_entropy};

/// One share's result: how many images it had, their mean loss, and the gradient of that mean with
/// respect to every parameter (one vector per parameter, in [`parameters`]'s order).
#[derive(Debug, Clone, PartialEq)]
pub struct ShareGradients {
    pub images: usize,
    pub loss: f32,
    pub gradients: Vec<Vec<f32>>,
}

/// The `(rows, columns)` of each layer's weight; its bias has `columns` values.
pub fn layer_shapes(model: &Mlp) -> Vec<(usize, usize)> {
    model.layers.iter().map(|l| { let [rows, columns] = l.weight.val().dims(); (rows, columns) }).collect()
}

/// How many values each parameter of a model of these layers has, in [`parameters`]'s order
/// (`None` if a count overflows).
pub fn parameter_lens(shapes: &[(usize, usize)]) -> Option<Vec<usize>> {
    shapes.iter().map(|&(rows, columns)| Some([rows.checked_mul(columns)?, columns])).collect::<Option<Vec<_>>>().map(|l| l.concat())
}

/// Whether these layers make an MLP from images to classes: at least one layer, 784 inputs, each
/// layer's outputs the next one's inputs, 10 outputs.
pub fn shapes_chain(shapes: &[(usize, usize)]) -> bool {
    let (Some(first), Some(last)) = (shapes.first(), shapes.last()) else { return false };
    first.0 == IMAGE_PIXELS && last.1 == NUM_CLASSES && shapes.windows(2).all(|w| w[0].1 == w[1].0)
}

/// Every parameter's values: each layer's weight (`[in, out]`, row-major), then its bias. CPU tensors
/// of layers with biases only (`None` elsewhere: a read on WebGPU is asynchronous, and only the CPU
/// path is split).
pub fn parameters(model: &Mlp) -> Option<Vec<Vec<f32>>> {
    let mut values = Vec::with_capacity(2 * model.layers.len());
    for layer in &model.layers {
        let weight = layer.weight.val().inner(); // [in, out]
        if !runs_on_cpu(&weight.device()) {
            return None;
        }
        values.push(take_values(weight)?);
        values.push(take_values(layer.bias.as_ref()?.val().inner())?); // [out]
    }
    Some(values)
}

/// A model of these layers with these values (as [`parameters`] gives them), on `device` (an
/// autodiff device gives a model that can be trained). `None` when the layers do not chain
/// ([`shapes_chain`]) or a length is wrong.
pub fn mlp_from_parameters(shapes: &[(usize, usize)], activation: Activation, values: Vec<Vec<f32>>, device: &Device) -> Option<Mlp> {
    if !shapes_chain(shapes) || values.iter().map(Vec::len).ne(parameter_lens(shapes)?) {
        return None;
    }
    let mut values = values.into_iter();
    let mut layers = Vec::with_capacity(shapes.len());
    for &(rows, columns) in shapes {
        let (weight, bias) = (values.next()?, values.next()?);
        layers.push(Linear {
            weight: Param::from_data(TensorData::new(weight, [rows, columns]), device), // [in, out]
            bias: Some(Param::from_data(TensorData::new(bias, [columns]), device)), // [out]
        });
    }
    Some(Mlp { layers, activation })
}

/// The mean cross-entropy of `batch` and its gradients, for a model on an autodiff CPU device whose
/// layers chain (`None` for an empty batch or a model on another device).
pub fn share_gradients(model: &Mlp, batch: &MnistBatch) -> Option<ShareGradients> {
    let [images, _] = batch.images.dims();
    let tracked = model.layers.first().is_some_and(|l| l.weight.val().is_autodiff() && runs_on_cpu(&l.weight.val().device()));
    if images == 0 || !tracked || !shapes_chain(&layer_shapes(model)) {
        return None;
    }
    let loss = mean_cross_entropy(model, batch); // [1]
    let mut grads = GradientsParams::from_grads(loss.backward(), model);
    let loss = take_values(loss.detach().inner())?.first().copied()?;
    let mut gradients = Vec::with_capacity(2 * model.layers.len());
    for layer in &model.layers {
        gradients.push(take_values(grads.remove::<2>(layer.weight.id)?)?); // [in, out]
        gradients.push(take_values(grads.remove::<1>(layer.bias.as_ref()?.id)?)?); // [out]
    }
    Some(ShareGradients { images, loss, gradients })
}

/// The size-weighted mean of the shares' losses and gradients (the one batch's), summed into the
/// first share's vectors; `None` when there are no images or the shares' gradients are not `lens`.
pub fn combine(shares: Vec<ShareGradients>, lens: &[usize]) -> Option<(f32, Vec<Vec<f32>>)> {
    let total: usize = shares.iter().map(|s| s.images).sum();
    if total == 0 || shares.iter().any(|s| s.gradients.iter().map(Vec::len).ne(lens.iter().copied())) {
        return None;
    }
    let weight = |share: &ShareGradients| share.images as f32 / total as f32;
    let mut shares = shares.into_iter();
    let first = shares.next()?;
    let first_weight = weight(&first);
    let mut loss = first.loss * first_weight;
    let mut sum = first.gradients;
    sum.iter_mut().flatten().for_each(|g| *g *= first_weight);
    for share in shares {
        let w = weight(&share);
        loss += share.loss * w;
        for (s, g) in sum.iter_mut().flatten().zip(share.gradients.iter().flatten()) {
            *s += g * w;
        }
    }
    Some((loss, sum))
}

impl TrainingSession {
    /// [`share_gradients`] of this session's model.
    pub fn share_gradients(&self, batch: &MnistBatch) -> Option<ShareGradients> {
        share_gradients(&self.model, batch)
    }

    /// One optimizer step from the shares of one batch (this worker's and the helpers'). Returns the
    /// batch's mean loss before the step, or `None` (and no step) when the shares do not fit the model.
    pub fn apply_shares(&mut self, shares: Vec<ShareGradients>) -> Option<f32> {
        let shapes = layer_shapes(&self.model);
        let (loss, sums) = combine(shares, &parameter_lens(&shapes)?)?;
        // Gradients live beside the autodiff graph, on the plain device (as `GradientsParams::from_grads` gives them).
        let device = self.model.layers.first()?.weight.val().inner().device();
        let mut grads = GradientsParams::new();
        let mut sums = sums.into_iter();
        for (layer, &(rows, columns)) in self.model.layers.iter().zip(&shapes) {
            let (weight, bias) = (sums.next()?, sums.next()?);
            grads.register(layer.weight.id, Tensor::<2>::from_data(TensorData::new(weight, [rows, columns]), &device)); // [in, out]
            if let Some(b) = &layer.bias {
                grads.register(b.id, Tensor::<1>::from_data(TensorData::new(bias, [columns]), &device)); // [out]
            }
        }
        self.apply(grads);
        Some(loss)
    }
}
