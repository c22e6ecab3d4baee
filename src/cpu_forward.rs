//! One image through the network on the CPU, without tensors: the drawing's prediction.
//!
//! Through burn a single image is a dozen tensor operations (the matmuls, bias adds, activations,
//! softmax's five), each with its own allocation and dispatch; in wasm that cost ≈ 0.6 ms for
//! ≈ 0.6 M multiply-adds (issue 15: goal < 0.5 ms), and on WebGPU a GPU pass and a read per drawing
//! (≈ 140 ms on a software adapter). Here the predicting model's weights are copied out once per
//! model ([`CpuForward::read`], one read on either backend), and each image is then a few loops on
//! the CPU that skip what is exactly zero: the ink-free pixels (most of a drawing) and the units
//! ReLU turned off.
//!
//! The first layer works on raw pixels: with `x = a·p + c` (the normalisation, `a = 1/(255·std)`,
//! `c = −mean/std`), `x·W = a·(p·W) + c·(1·W)`, and `1·W` (each column's sum) is computed with the
//! copy. The sums run in another order than burn's matmul, so the numbers equal burn's within float
//! rounding (`tests/native/network_view.rs`: within 1e-4, as the strips' own check), not to the bit.

use burn::tensor::{DType, Transaction};

use crate::data::batcher::normalise_pixel;
use crate::data::mnist::IMAGE_PIXELS;
use crate::evaluation::ReadError;
use crate::inspect::Activations;
use crate::model::{Activation, Mlp};

/// Larger models (the settings allow hundreds of millions of weights on WebGPU) keep predicting
/// through their device: copying them out for each new model would cost more than it saves. 4 M
/// weights is a 16 MB copy; the seed's model has 0.57 M.
pub const MAX_PARAMETERS: usize = 4_000_000;

/// One Linear layer's numbers: `weight` is `[fan_in, fan_out]` row-major, as burn keeps it.
struct Layer {
    weight: Vec<f32>,
    bias: Vec<f32>,
    fan_out: usize,
}

/// A CPU copy of a model, for single images.
pub struct CpuForward {
    layers: Vec<Layer>,
    activation: Activation,
    /// Each first-layer column's sum, `1·W₁` (`[fan_out₁]`).
    first_column_sums: Vec<f32>,
}

impl CpuForward {
    /// Copies `model`'s weights out with one read (asynchronous: on WebGPU it waits for the GPU,
    /// once per model, instead of a GPU forward pass and read per drawing). `Ok(None)`: the model is
    /// over [`MAX_PARAMETERS`], its layers do not chain from 784 pixels, or are not `f32`.
    pub async fn read(model: &Mlp) -> Result<Option<Self>, ReadError> {
        let parameters: usize = model.layers.iter().map(|l| l.weight.dims()).map(|[fan_in, fan_out]| fan_in * fan_out + fan_out).sum();
        if parameters > MAX_PARAMETERS {
            return Ok(None);
        }
        let mut transaction = Transaction::default();
        let mut shapes = Vec::with_capacity(model.layers.len());
        for linear in &model.layers {
            let [fan_in, fan_out] = linear.weight.dims();
            if linear.weight.dtype() != DType::F32 || fan_out == 0 {
                return Ok(None);
            }
            shapes.push((fan_in, fan_out, linear.bias.is_some()));
            transaction = transaction.register(linear.weight.val()); // [fan_in, fan_out]
            if let Some(bias) = &linear.bias {
                transaction = transaction.register(bias.val()); // [fan_out]
            }
        }
        let mut read = transaction.execute_async().await?.into_iter();
        let mut layers = Vec::with_capacity(shapes.len());
        let mut expected_fan_in = IMAGE_PIXELS;
        for (fan_in, fan_out, has_bias) in shapes {
            let weight = read.next().and_then(|d| d.try_into_vec::<f32>().ok());
            let bias = if has_bias { read.next().and_then(|d| d.try_into_vec::<f32>().ok()) } else { Some(vec![0.0; fan_out]) };
            let (Some(weight), Some(bias)) = (weight, bias) else { return Ok(None) };
            if fan_in != expected_fan_in || weight.len() != fan_in * fan_out || bias.len() != fan_out {
                return Ok(None);
            }
            layers.push(Layer { weight, bias, fan_out });
            expected_fan_in = fan_out;
        }
        let Some(first_column_sums) = layers.first().map(|l| column_sums(&l.weight, l.fan_out)) else { return Ok(None) };
        Ok(Some(Self { layers, activation: model.activation, first_column_sums }))
    }

    /// Every hidden layer's output and the class probabilities for one 28×28 image (0 = background,
    /// 255 = ink); `None` for another number of pixels.
    pub fn activations(&self, pixels: &[u8]) -> Option<Activations> {
        if pixels.len() != IMAGE_PIXELS {
            return None;
        }
        let (first, rest) = self.layers.split_first()?;
        // x = a·p + c with a = normalise(1) − normalise(0) per unit of p/1, c = normalise(0).
        let offset = normalise_pixel(0);
        let per_level = (normalise_pixel(255) - offset) / 255.0;
        let mut z = vec![0.0f32; first.fan_out];
        accumulate_rows(&mut z, &first.weight, pixels.iter().map(|&p| p as f32), first.fan_out);
        for ((z, &sum), &b) in z.iter_mut().zip(&self.first_column_sums).zip(&first.bias) {
            *z = per_level * *z + offset * sum + b;
        }
        let mut hidden = Vec::with_capacity(self.layers.len().saturating_sub(1));
        for layer in rest {
            let h = self.activate(z);
            let mut next = layer.bias.clone();
            accumulate_rows(&mut next, &layer.weight, h.iter().copied(), layer.fan_out);
            hidden.push(h);
            z = next;
        }
        Some(Activations { hidden, probabilities: softmax(&z) })
    }

    fn activate(&self, mut z: Vec<f32>) -> Vec<f32> {
        for v in z.iter_mut() {
            *v = match self.activation {
                // NaN stays NaN, as in burn's relu.
                Activation::Relu => if *v < 0.0 { 0.0 } else { *v },
                Activation::Sigmoid => 1.0 / (1.0 + (-*v).exp()),
                Activation::Tanh => v.tanh(),
            };
        }
        z
    }
}

/// `out += Σᵢ inputᵢ · W[i, :]`, skipping inputs that are exactly zero (their rows add nothing).
fn accumulate_rows(out: &mut [f32], weight: &[f32], input: impl Iterator<Item = f32>, fan_out: usize) {
    // simd128 is in every browser that runs this page's wasm at all (Chrome 91, Firefox 89, Safari
    // 16.4); gemm's kernels in the same binary already use it.
    #[cfg(target_arch = "wasm32")]
    accumulate_rows_simd128(out, weight, input, fan_out);
    #[cfg(not(target_arch = "wasm32"))]
    for (x, row) in input.zip(weight.chunks_exact(fan_out)) {
        if x != 0.0 {
            add_scaled(out, x, row);
        }
    }
}

/// `out += x · row`, as far as both go. Natively LLVM vectorises it at -O3.
fn add_scaled(out: &mut [f32], x: f32, row: &[f32]) {
    for (o, &w) in out.iter_mut().zip(row) {
        *o += x * w;
    }
}

/// [`accumulate_rows`] four outputs at a time: the worker is built at `opt-level = "s"`, where
/// rustc turns LLVM's loop vectoriser off. Each output adds the same products in the same order.
#[cfg(target_arch = "wasm32")]
#[target_feature(enable = "simd128")]
fn accumulate_rows_simd128(out: &mut [f32], weight: &[f32], input: impl Iterator<Item = f32>, fan_out: usize) {
    use core::arch::wasm32::{f32x4_add, f32x4_mul, f32x4_splat, v128, v128_load, v128_store};
    let width = fan_out.min(out.len());
    let out = &mut out[..width];
    for (x, row) in input.zip(weight.chunks_exact(fan_out)) {
        if x != 0.0 {
            let x4 = f32x4_splat(x);
            let (mut out4, row4) = (out.chunks_exact_mut(4), row.chunks_exact(4));
            let tail_row = row4.remainder();
            for (o, w) in (&mut out4).zip(row4) {
                // SAFETY: each chunk is exactly four f32s (16 bytes); v128_load/v128_store accept
                // any alignment.
                unsafe {
                    let sum = f32x4_add(v128_load(o.as_ptr() as *const v128), f32x4_mul(x4, v128_load(w.as_ptr() as *const v128)));
                    v128_store(o.as_mut_ptr() as *mut v128, sum);
                }
            }
            add_scaled(out4.into_remainder(), x, tail_row);
        }
    }
}

fn column_sums(weight: &[f32], fan_out: usize) -> Vec<f32> {
    let mut sums = vec![0.0f32; fan_out];
    for row in weight.chunks_exact(fan_out) {
        for (s, &w) in sums.iter_mut().zip(row) {
            *s += w;
        }
    }
    sums
}

/// `exp(z − max) / Σ exp(z − max)`, as burn's softmax computes it.
fn softmax(z: &[f32]) -> Vec<f32> {
    let max = z.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let exps: Vec<f32> = z.iter().map(|v| (v - max).exp()).collect();
    let total: f32 = exps.iter().sum();
    exps.iter().map(|e| e / total).collect()
}
