//! Adam in one kernel per parameter, on WebGPU (issue 15).
//!
//! burn's `Adam::step` launches ten elementwise kernels per parameter, each reading and writing the
//! whole tensor: measured on SwiftShader that was a third of a step once the matmuls were fast. Here
//! one kernel reads the weights, gradient and both moments once and writes the weights and moments
//! once, in place where burn allows it (`super::kernel`). The arithmetic is burn's, operation for
//! operation and in the same order, as on the CPU path ([`super::StepScalars`]), except that
//! cubecl's WGSL compiler fuses each multiply-add into one `fma` (`kernel.rs`): within rounding of
//! burn's `Adam`, not bit for bit.
//!
//! It is a burn backend extension like `register_matmul`: on burn's cubecl backend it is the kernel;
//! on the CPU (`flex`) it is burn's own operations in burn's order, which the CPU path does not use
//! (it has its own fused loop) but which lets `cargo test` hold this module's bookkeeping (the step
//! count, the first step's zero moments, the state it hands back) against burn's `Adam`.

use std::cell::Cell;

use burn::backend::tensor::FloatTensor;
use burn::backend::{Backend, DType, Dispatch, Scalar, backend_extension};
use burn::optim::{AdaptiveMomentumState, AdamState};
use burn::tensor::Tensor;

use super::{StepScalars, runs_on_cpu, shapes_fit};

/// The extension: one Adam step of one parameter, `(weights, gradient, first moment, second moment)`
/// in, the new `(weights, first moment, second moment)` out, all of one shape. `time` is Adam's step
/// count after this step (1 for the first).
#[backend_extension(Flex, Cube: cfg(target_family = "wasm"))]
pub trait FusedAdamStep: Backend {
    fn fused_adam_step(
        weight: FloatTensor<Self>,
        grad: FloatTensor<Self>,
        moment_1: FloatTensor<Self>,
        moment_2: FloatTensor<Self>,
        time: usize,
        learning_rate: f64,
    ) -> (FloatTensor<Self>, FloatTensor<Self>, FloatTensor<Self>);
}

impl FusedAdamStep for burn::backend::Flex {
    fn fused_adam_step(
        weight: FloatTensor<Self>,
        grad: FloatTensor<Self>,
        moment_1: FloatTensor<Self>,
        moment_2: FloatTensor<Self>,
        time: usize,
        learning_rate: f64,
    ) -> (FloatTensor<Self>, FloatTensor<Self>, FloatTensor<Self>) {
        adam_by_operations::<Self>(weight, grad, moment_1, moment_2, StepScalars::new(time, learning_rate))
    }
}

/// burn's `AdaptiveMomentum::transform` and `Adam::step` as separate operations of backend `B`.
pub(super) fn adam_by_operations<B: Backend>(
    weight: FloatTensor<B>,
    grad: FloatTensor<B>,
    moment_1: FloatTensor<B>,
    moment_2: FloatTensor<B>,
    s: StepScalars,
) -> (FloatTensor<B>, FloatTensor<B>, FloatTensor<B>) {
    let scalar = |value: f32| Scalar::new(value, &DType::F32);
    let moment_1 = B::float_add(B::float_mul_scalar(moment_1, scalar(s.beta_1)), B::float_mul_scalar(grad.clone(), scalar(s.one_minus_beta_1)));
    let grad_squared = B::float_mul(grad.clone(), grad);
    let moment_2 = B::float_add(B::float_mul_scalar(moment_2, scalar(s.beta_2)), B::float_mul_scalar(grad_squared, scalar(s.one_minus_beta_2)));
    let denominator = B::float_add_scalar(B::float_sqrt(moment_2.clone()), scalar(s.epsilon));
    let step = B::float_div(B::float_mul_scalar(moment_1.clone(), scalar(s.combined_factor)), denominator);
    let weight = B::float_sub(weight, B::float_mul_scalar(step, scalar(s.learning_rate)));
    (weight, moment_1, moment_2)
}

thread_local! {
    /// Whether WebGPU parameters take the fused kernel; only the benchmark's peer engine turns it off.
    static FUSED_ON_DEVICE: Cell<bool> = const { Cell::new(true) };
}

/// Makes this thread's WebGPU Adam steps use the fused kernel (`true`, the default) or burn's ten
/// operations (`false`: `?bench=webgpu-burn-adam`, the peer that measures what the kernel gives).
pub fn use_fused_on_device(enabled: bool) {
    FUSED_ON_DEVICE.with(|flag| flag.set(enabled));
}

/// Whether [`step`] should update this parameter: a non-CPU device, the kernel in use, and plain
/// (not autodiff: the extension has no autodiff side) `f32` tensors of one shape with plain Adam's
/// state.
pub fn fits<const D: usize>(tensor: &Tensor<D>, grad: &Tensor<D>, state: &Option<AdamState<D>>) -> bool {
    let plain = |t: &Tensor<D>| !t.is_autodiff();
    let state_plain = state.as_ref().is_none_or(|s| plain(&s.momentum.moment_1) && plain(&s.momentum.moment_2));
    FUSED_ON_DEVICE.with(Cell::get)
        && !runs_on_cpu(&tensor.device())
        && plain(tensor)
        && plain(grad)
        && state_plain
        && shapes_fit(tensor, grad, state)
}

/// One Adam step of a parameter that [`fits`] (plain tensors, not autodiff): the new weights and
/// Adam's new state. The first step starts from zero moments, which gives burn's first step
/// exactly (`0·β + x = x`).
pub fn step<const D: usize>(
    learning_rate: f64,
    tensor: Tensor<D>,
    grad: Tensor<D>,
    state: Option<AdamState<D>>,
) -> (Tensor<D>, Option<AdamState<D>>) {
    let (time, moment_1, moment_2) = match state {
        Some(s) => (s.momentum.time.saturating_add(1), s.momentum.moment_1, s.momentum.moment_2),
        None => (1, tensor.zeros_like(), tensor.zeros_like()), // shape of the parameter ×2
    };
    let (weight, moment_1, moment_2) = <Dispatch as FusedAdamStep>::fused_adam_step(
        tensor.into_dispatch(),
        grad.into_dispatch(),
        moment_1.into_dispatch(),
        moment_2.into_dispatch(),
        time,
        learning_rate,
    );
    let state = AdaptiveMomentumState::new(time, Tensor::from_dispatch(moment_1), Tensor::from_dispatch(moment_2));
    (Tensor::from_dispatch(weight), Some(AdamState::new(state)))
}
