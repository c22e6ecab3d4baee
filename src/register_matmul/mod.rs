//! A matrix product for WebGPU adapters on which workgroup barriers are expensive (issue 15).
//!
//! burn 0.22's matmul on an adapter without cooperative matrices is cubek's `SimpleUnit`: tiles
//! staged in workgroup memory behind barriers. SwiftShader, the software adapter Chromium offers
//! where there is no GPU, runs that at a small fraction of its arithmetic rate. Here each unit keeps
//! a small block of the output in registers and reads its operands straight from the buffers, so
//! there is no shared memory and no barrier (`kernel.rs`).
//!
//! It is a burn backend extension: on WebGPU it launches that kernel, on the CPU (`flex`) it is burn's
//! own matmul, and under autodiff its backward pass is burn's (the gradient of `a·b` is `g·bᵀ` for `a`
//! and `aᵀ·g` for `b`), each product again through this extension (`backward.rs`). Which matmul a
//! WebGPU layer uses is decided once per worker from the adapter ([`use_register_tiled`]); the CPU
//! path always runs burn's `Linear`.

mod backward;
#[cfg(target_family = "wasm")]
mod kernel;

use std::cell::Cell;

use burn::backend::{Dispatch, backend_extension, tensor::FloatTensor};
use burn::nn::Linear;
use burn::tensor::Tensor;

use crate::fused_adam::runs_on_cpu;

/// The extension: one operation, `[m, k] · [k, n] → [m, n]`.
#[backend_extension(Autodiff, Flex, Cube: cfg(target_family = "wasm"))]
pub trait RegisterTiledMatmul: burn::backend::Backend {
    fn register_tiled_matmul(lhs: FloatTensor<Self>, rhs: FloatTensor<Self>) -> FloatTensor<Self>;
}

impl RegisterTiledMatmul for burn::backend::Flex {
    fn register_tiled_matmul(lhs: FloatTensor<Self>, rhs: FloatTensor<Self>) -> FloatTensor<Self> {
        <Self as burn::backend::ops::FloatTensorOps<Self>>::float_matmul(lhs, rhs)
    }
}

thread_local! {
    /// Whether WebGPU layers use this kernel; written by the worker once it knows its adapter.
    static REGISTER_TILED: Cell<bool> = const { Cell::new(false) };
}

/// Makes the WebGPU layers of this thread use the register-tiled kernel (`true`: software
/// adapters such as SwiftShader, where it was measured faster) or burn's (`false`, the default:
/// hardware adapters, where burn picks kernels made for them).
pub fn use_register_tiled(enabled: bool) {
    REGISTER_TILED.with(|flag| flag.set(enabled));
}

/// Whether [`linear`] uses the register-tiled kernel on a non-CPU device.
pub fn register_tiled_in_use() -> bool {
    REGISTER_TILED.with(Cell::get)
}

/// `lhs · rhs` through the extension, on any device.
pub fn matmul(lhs: Tensor<2>, rhs: Tensor<2>) -> Tensor<2> {
    let product = <Dispatch as RegisterTiledMatmul>::register_tiled_matmul(lhs.into_dispatch(), rhs.into_dispatch());
    Tensor::from_dispatch(product) // [m, n]
}

/// `layer(x)`: burn's `Linear` on the CPU or where the register-tiled kernel is not in use, else
/// `x · W + b` with the register-tiled product.
pub fn linear(layer: &Linear, x: Tensor<2>) -> Tensor<2> {
    if !register_tiled_in_use() || runs_on_cpu(&x.device()) {
        return layer.forward(x); // [batch, out]
    }
    let z = matmul(x, layer.weight.val()); // [batch, out]
    match &layer.bias {
        Some(bias) => z + bias.val().unsqueeze_dim(0), // [batch, out]
        None => z,
    }
}
