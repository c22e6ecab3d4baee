//! Adam on the CPU in one pass per parameter.
//!
//! burn's `Adam::step` is ten tensor operations per parameter (scale, add, square, scale, add, sqrt,
//! add, scale, divide, subtract), each a pass over memory with its own allocation: on the 567k weights
//! of the seed's MLP that was a third of a CPU step (issue 15). Here the weights, gradient and moments
//! are taken out of their tensors (without copying, when the tensor is the only owner of its buffer),
//! updated in one loop that reads each value once and writes it once, and put back.
//!
//! The arithmetic is burn's, operation for operation and in the same order (no fused multiply-add), so
//! the result is the same as `burn::optim::Adam` to the last bit; `tests/native/optimizer_state.rs`
//! holds the two within 1e-6 over 100 steps. Only CPU (`flex`) tensors take this path: on WebGPU a read
//! is asynchronous, so there the same arithmetic is one kernel per parameter ([`on_device`]).

#[cfg(target_family = "wasm")]
mod kernel;
pub mod on_device;

use burn::optim::{AdaptiveMomentumState, AdamState};
use burn::tensor::{DType, Device, Tensor, TensorData};

use crate::optimizer::{ADAM_BETA1, ADAM_BETA2, ADAM_EPSILON};

/// Whether `device` computes on the CPU, where a tensor's values can be taken synchronously.
pub fn runs_on_cpu(device: &Device) -> bool {
    // burn compares devices without their autodiff flag.
    *device == Device::flex()
}

/// Adam's per-step scalars, computed as burn computes them.
#[derive(Clone, Copy, Debug)]
pub(crate) struct StepScalars {
    pub(crate) beta_1: f32,
    pub(crate) one_minus_beta_1: f32,
    pub(crate) beta_2: f32,
    pub(crate) one_minus_beta_2: f32,
    pub(crate) combined_factor: f32,
    pub(crate) epsilon: f32,
    pub(crate) learning_rate: f32,
}

impl StepScalars {
    pub(crate) fn new(time: usize, learning_rate: f64) -> Self {
        let time = i32::try_from(time).unwrap_or(i32::MAX);
        let bias_correction2_sqrt = (1.0 - ADAM_BETA2.powi(time)).sqrt();
        Self {
            beta_1: ADAM_BETA1,
            one_minus_beta_1: 1.0 - ADAM_BETA1,
            beta_2: ADAM_BETA2,
            one_minus_beta_2: 1.0 - ADAM_BETA2,
            combined_factor: bias_correction2_sqrt / (1.0 - ADAM_BETA1.powi(time)),
            epsilon: ADAM_EPSILON * bias_correction2_sqrt,
            learning_rate: learning_rate as f32,
        }
    }
}

/// The loop itself: `w`, `m`, `v` updated in place from `g`, all four the same length. Natively
/// LLVM vectorises it at -O3; the worker is built at `opt-level = "s"`, where rustc turns the loop
/// vectoriser off, so wasm has it written 4-wide ([`update_simd128`]).
fn update(s: StepScalars, w: &mut [f32], g: &[f32], m: &mut [f32], v: &mut [f32]) {
    for (((w, &g), m), v) in w.iter_mut().zip(g).zip(m.iter_mut()).zip(v.iter_mut()) {
        *m = *m * s.beta_1 + g * s.one_minus_beta_1;
        *v = *v * s.beta_2 + (g * g) * s.one_minus_beta_2;
        let step = (*m * s.combined_factor) / (v.sqrt() + s.epsilon);
        *w -= step * s.learning_rate;
    }
}

/// [`update`] four lanes at a time: the same operations in the same order on each lane (wasm's
/// f32x4 arithmetic and square root round as the scalar ones do), so the same bits.
#[cfg(target_arch = "wasm32")]
#[target_feature(enable = "simd128")]
fn update_simd128(s: StepScalars, w: &mut [f32], g: &[f32], m: &mut [f32], v: &mut [f32]) {
    use core::arch::wasm32::{f32x4_add, f32x4_div, f32x4_mul, f32x4_splat, f32x4_sqrt, f32x4_sub, v128, v128_load, v128_store};
    let n = w.len().min(g.len()).min(m.len()).min(v.len());
    let (w, g, m, v) = (&mut w[..n], &g[..n], &mut m[..n], &mut v[..n]);
    let (beta_1, one_minus_beta_1) = (f32x4_splat(s.beta_1), f32x4_splat(s.one_minus_beta_1));
    let (beta_2, one_minus_beta_2) = (f32x4_splat(s.beta_2), f32x4_splat(s.one_minus_beta_2));
    let (combined_factor, epsilon, learning_rate) = (f32x4_splat(s.combined_factor), f32x4_splat(s.epsilon), f32x4_splat(s.learning_rate));
    let (mut w4, mut m4, mut v4) = (w.chunks_exact_mut(4), m.chunks_exact_mut(4), v.chunks_exact_mut(4));
    let g4 = g.chunks_exact(4);
    let tail_g = g4.remainder();
    for (((w, g), m), v) in (&mut w4).zip(g4).zip(&mut m4).zip(&mut v4) {
        // SAFETY: each chunk is exactly four f32s (16 bytes); v128_load/v128_store accept any
        // alignment.
        unsafe {
            let g = v128_load(g.as_ptr() as *const v128);
            let m_new = f32x4_add(f32x4_mul(v128_load(m.as_ptr() as *const v128), beta_1), f32x4_mul(g, one_minus_beta_1));
            let v_new = f32x4_add(f32x4_mul(v128_load(v.as_ptr() as *const v128), beta_2), f32x4_mul(f32x4_mul(g, g), one_minus_beta_2));
            let step = f32x4_div(f32x4_mul(m_new, combined_factor), f32x4_add(f32x4_sqrt(v_new), epsilon));
            let w_new = f32x4_sub(v128_load(w.as_ptr() as *const v128), f32x4_mul(step, learning_rate));
            v128_store(m.as_mut_ptr() as *mut v128, m_new);
            v128_store(v.as_mut_ptr() as *mut v128, v_new);
            v128_store(w.as_mut_ptr() as *mut v128, w_new);
        }
    }
    update(s, w4.into_remainder(), tail_g, m4.into_remainder(), v4.into_remainder());
}

/// The values of a CPU `f32` tensor (without copying when it is their only owner).
pub(crate) fn take_values<const D: usize>(tensor: Tensor<D>) -> Option<Vec<f32>> {
    let data = burn::tensor::try_read_sync(tensor.into_data_async())?.ok()?;
    data.try_into_vec::<f32>().ok()
}

/// Whether [`step`] can update this parameter: CPU `f32` tensors of one shape.
pub fn fits<const D: usize>(tensor: &Tensor<D>, grad: &Tensor<D>, state: &Option<AdamState<D>>) -> bool {
    runs_on_cpu(&tensor.device()) && shapes_fit(tensor, grad, state)
}

/// Whether weights, gradient and moments are `f32` tensors of one shape, with no AMSGrad moment:
/// what either fused pass (this one, [`on_device`]) takes.
pub(crate) fn shapes_fit<const D: usize>(tensor: &Tensor<D>, grad: &Tensor<D>, state: &Option<AdamState<D>>) -> bool {
    let same = |t: &Tensor<D>| t.dims() == tensor.dims() && t.dtype() == DType::F32;
    // AMSGrad's extra moment is not part of the fused pass (the session's Adam never uses it).
    let state_fits = state.as_ref().is_none_or(|s| same(&s.momentum.moment_1) && same(&s.momentum.moment_2) && s.momentum.max_moment_2.is_none());
    same(tensor) && same(grad) && state_fits
}

/// One Adam step of a parameter that [`fits`] (plain tensors, not autodiff): the new weights and
/// Adam's new state.
///
/// Taking values out of CPU tensors that fit cannot fail short of a fault inside burn. If it ever
/// did, the weights come back as NaN and the state empty: the run then treats the step as diverged
/// and goes back to its last good weights, which is what a user sees for any failed step.
pub fn step<const D: usize>(
    learning_rate: f64,
    tensor: Tensor<D>,
    grad: Tensor<D>,
    state: Option<AdamState<D>>,
) -> (Tensor<D>, Option<AdamState<D>>) {
    let shape = tensor.dims();
    let device = tensor.device();
    let make = |values: Vec<f32>| Tensor::<D>::from_data(TensorData::new(values, shape), &device); // shape of the parameter
    let count = shape.iter().product::<usize>();
    let taken = (|| {
        let (time, m, v) = match state {
            Some(s) => (s.momentum.time + 1, take_values(s.momentum.moment_1)?, take_values(s.momentum.moment_2)?),
            // Zero moments give exactly burn's first step: 0·β + x = x.
            None => (1, vec![0.0; count], vec![0.0; count]),
        };
        let g = take_values(grad)?;
        let w = take_values(tensor)?;
        [g.len(), m.len(), v.len(), w.len()].iter().all(|&n| n == count).then_some((time, w, g, m, v))
    })();
    let Some((time, mut w, g, mut m, mut v)) = taken else {
        return (make(vec![f32::NAN; count]), None);
    };
    let scalars = StepScalars::new(time, learning_rate);
    // simd128 is in every browser that runs WebGPU or this page's wasm at all (Chrome 91, Firefox
    // 89, Safari 16.4); gemm's kernels in the same binary already use it. (On wasm a function with a
    // target feature is safe to call: an engine without it refuses the module.)
    #[cfg(target_arch = "wasm32")]
    update_simd128(scalars, &mut w, &g, &mut m, &mut v);
    #[cfg(not(target_arch = "wasm32"))]
    update(scalars, &mut w, &g, &mut m, &mut v);
    let state = AdamState::new(AdaptiveMomentumState::new(time, make(m), make(v)));
    (make(w), Some(state))
}
