//! The WebGPU side: Adam's step as one elementwise kernel, and the extension's implementation for
//! burn's cubecl backend.

use burn::backend::{DType, TensorMetadata};
use burn_cubecl::CubeBackend;
use burn_cubecl::kernel::into_contiguous;
use burn_cubecl::tensor::CubeTensor;
use cubecl::calculate_cube_count_elemwise;
use cubecl::prelude::*;

use super::StepScalars;
use super::on_device::{FusedAdamStep, adam_by_operations};

/// One unit per value: the moments, then the weight, in place. The operations and their order are
/// burn's (`AdaptiveMomentum::transform`, `Adam::step`), but cubecl's optimiser (`InstCombinePass`,
/// always on for WGSL) turns each product that feeds an add into one `fma`, which rounds once where
/// burn's separate kernels round twice: the result is within rounding of burn's, not the same bits
/// (`tests/browser.rs` holds it within 1e-6 over 100 steps).
#[allow(clippy::too_many_arguments)]
#[cube(launch_unchecked)]
fn fused_adam_kernel(
    weight: &mut Tensor<f32>,   // shape of the parameter
    grad: &Tensor<f32>,         // same shape
    moment_1: &mut Tensor<f32>, // same shape
    moment_2: &mut Tensor<f32>, // same shape
    beta_1: f32,
    one_minus_beta_1: f32,
    beta_2: f32,
    one_minus_beta_2: f32,
    combined_factor: f32,
    epsilon: f32,
    learning_rate: f32,
) {
    let i = ABSOLUTE_POS;
    if i >= weight.len() {
        terminate!();
    }
    let g = grad[i];
    let m = moment_1[i] * beta_1 + g * one_minus_beta_1;
    let v = moment_2[i] * beta_2 + (g * g) * one_minus_beta_2;
    let step = (m * combined_factor) / (f32::sqrt(v) + epsilon);
    weight[i] = weight[i] - step * learning_rate;
    moment_1[i] = m;
    moment_2[i] = v;
}

/// A contiguous tensor this step may overwrite: the same one when nothing else holds its buffer
/// (the usual case: the optimizer's own moments, weights the model let go of), else a copy, so a
/// clone held elsewhere (a snapshot, a pending read) keeps its values.
fn writable(tensor: CubeTensor) -> CubeTensor {
    let tensor = into_contiguous(tensor);
    if tensor.can_mut() { tensor } else { tensor.copy() }
}

impl FusedAdamStep for CubeBackend {
    fn fused_adam_step(
        weight: CubeTensor,
        grad: CubeTensor,
        moment_1: CubeTensor,
        moment_2: CubeTensor,
        time: usize,
        learning_rate: f64,
    ) -> (CubeTensor, CubeTensor, CubeTensor) {
        let scalars = StepScalars::new(time, learning_rate);
        let shape = weight.shape();
        let fits = |t: &CubeTensor| t.shape() == shape && t.dtype == DType::F32;
        // The caller checks this (`fused_adam::shapes_fit`); anything else still gets Adam, unfused.
        if !(fits(&weight) && fits(&grad) && fits(&moment_1) && fits(&moment_2)) {
            return adam_by_operations::<Self>(weight, grad, moment_1, moment_2, scalars);
        }
        let count = shape.num_elements();
        if count == 0 {
            return (weight, moment_1, moment_2);
        }
        let (weight, moment_1, moment_2) = (writable(weight), writable(moment_1), writable(moment_2));
        let grad = into_contiguous(grad);
        let client = weight.client.clone();
        let cube_dim = CubeDim::new(&client, count);
        let cube_count = calculate_cube_count_elemwise(&client, count, cube_dim);
        // SAFETY: all four tensors are contiguous, of `count` f32 values each (checked above), and the
        // kernel touches index `i` only when `i < count`. The three it writes own their buffers
        // (`writable`), so no other tensor sees the writes, and none of them aliases `grad`.
        unsafe {
            fused_adam_kernel::launch_unchecked(
                &client,
                cube_count,
                cube_dim,
                weight.clone().into_tensor_arg(),
                grad.into_tensor_arg(),
                moment_1.clone().into_tensor_arg(),
                moment_2.clone().into_tensor_arg(),
                scalars.beta_1,
                scalars.one_minus_beta_1,
                scalars.beta_2,
                scalars.one_minus_beta_2,
                scalars.combined_factor,
                scalars.epsilon,
                scalars.learning_rate,
            );
        }
        (weight, moment_1, moment_2)
    }
}
