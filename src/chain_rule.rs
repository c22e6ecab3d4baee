//! Backpropagation through the real network, written out as the page shows it, for one sample:
//!
//! `p = softmax(z_L)`, `L = −log p_y`, `δ_L = p − onehot(y)`, `∂L/∂W_L = h_{L−1}ᵀ·δ_L`, `∂L/∂b_L = δ_L`,
//! `δ_{L−1} = (δ_L·W_Lᵀ) ⊙ f′(z_{L−1})` (for ReLU `f′ = 1[z > 0]`), `∂L/∂W_{L−1} = h_{L−2}ᵀ·δ_{L−1}`.
//!
//! These closed forms are computed with the project's own tensor code on the live device — not by
//! asking autodiff — and then checked against burn's autodiff and central finite differences.
//! (burn stores `W` as `[in, out]`, so `z = h·W + b` and `∂L/∂W = hᵀ·δ` has W's shape.)

#[cfg(feature = "trainer")]
use {
    burn::module::Param,
    burn::nn::loss::CrossEntropyLossConfig,
    burn::tensor::activation::{sigmoid, softmax},
    burn::tensor::{Device, Int, Tensor, TensorData, Transaction},
    crate::data::batcher::normalise_images,
    crate::data::mnist::{IMAGE_PIXELS, NUM_CLASSES},
    crate::evaluation::ReadError,
    crate::model::{Activation, Mlp},
};

/// Every number of the last two layers' backward pass for one sample. Matrices are row-major in
/// burn's `[in, out]` layout.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ChainRule {
    pub label: u8,
    /// `z_L`, the logits `[10]`.
    pub logits: Vec<f32>,
    /// `p = softmax(z_L)` `[10]`.
    pub probabilities: Vec<f32>,
    /// `L = −log p_y`.
    pub loss: f32,
    /// `δ_L = ∂L/∂z_L = p − onehot(y)` `[10]`.
    pub delta_out: Vec<f32>,
    /// `h_{L−1}`, the last hidden layer's activations `[n]`.
    pub hidden_out_in: Vec<f32>,
    /// `∂L/∂W_L = h_{L−1}ᵀ·δ_L` `[n, 10]`.
    pub grad_w_out: Vec<f32>,
    /// `∂L/∂b_L = δ_L` `[10]`.
    pub grad_b_out: Vec<f32>,
    /// `z_{L−1}` `[n]`.
    pub pre_prev: Vec<f32>,
    /// `δ_L·W_Lᵀ` `[n]`: the error arriving at layer `L−1`'s outputs.
    pub upstream_prev: Vec<f32>,
    /// `f′(z_{L−1})` `[n]` (the ReLU mask: 1 where `z > 0`, else 0).
    pub activation_grad_prev: Vec<f32>,
    /// `δ_{L−1} = (δ_L·W_Lᵀ) ⊙ f′(z_{L−1})` `[n]`.
    pub delta_prev: Vec<f32>,
    /// `h_{L−2}`, the input of layer `L−1` `[m]` (the image itself for a one-hidden-layer net).
    pub hidden_prev_in: Vec<f32>,
    /// `∂L/∂W_{L−1} = h_{L−2}ᵀ·δ_{L−1}` `[m, n]`.
    pub grad_w_prev: Vec<f32>,
    /// Sizes `(m, n)`: inputs of layer `L−1`, width of the last hidden layer.
    pub sizes: (usize, usize),
}

#[cfg(feature = "trainer")]
/// `[1, 784]` network input for one image.
pub fn single_input(pixels: &[u8], device: &Device) -> Tensor<2> {
    Tensor::<2>::from_data(TensorData::new(normalise_images([pixels]), [1, IMAGE_PIXELS]), device)
}

#[cfg(feature = "trainer")]
fn activation_derivative(activation: Activation, z: Tensor<2>) -> Tensor<2> {
    match activation {
        Activation::Relu => z.greater_elem(0.0).float(), // 1[z > 0]
        Activation::Sigmoid => {
            let s = sigmoid(z); // σ(z)
            s.clone() * s.neg().add_scalar(1.0) // σ(1 − σ)
        }
        Activation::Tanh => {
            let t = z.tanh(); // tanh(z)
            t.clone().mul(t).neg().add_scalar(1.0) // 1 − tanh²
        }
    }
}

#[cfg(feature = "trainer")]
/// The closed-form backward pass of the last two layers for one image with label `label`.
pub async fn chain_rule(model: &Mlp, pixels: &[u8], label: u8, device: &Device) -> Result<ChainRule, ReadError> {
    let layers = model.layers.len();
    let trace = model.forward_trace(single_input(pixels, device));
    let logits = trace.pre[layers - 1].clone(); // [1, 10]
    let p = softmax(logits.clone(), 1); // [1, 10]
    let mut onehot = vec![0.0f32; NUM_CLASSES];
    onehot[label as usize % NUM_CLASSES] = 1.0;
    let onehot = Tensor::<2>::from_data(TensorData::new(onehot, [1, NUM_CLASSES]), device); // [1, 10]
    let loss = (p.clone() * onehot.clone()).sum().log().neg(); // [1]
    let delta_out = p.clone() - onehot; // [1, 10]
    let h_last = if layers >= 2 { trace.post[layers - 2].clone() } else { trace.input.clone() }; // [1, n]
    let grad_w_out = h_last.clone().transpose().matmul(delta_out.clone()); // [n, 10]
    let grad_b_out = delta_out.clone(); // [1, 10]

    // One layer down (for a net with at least one hidden layer).
    let w_out = model.layers[layers - 1].weight.val(); // [n, 10]
    let upstream = delta_out.clone().matmul(w_out.transpose()); // [1, n]
    let (pre_prev, h_prev_in) = if layers >= 2 {
        let pre = trace.pre[layers - 2].clone(); // [1, n]
        let input = if layers >= 3 { trace.post[layers - 3].clone() } else { trace.input.clone() }; // [1, m]
        (pre, input)
    } else {
        (upstream.clone().zeros_like(), trace.input.clone())
    };
    let act_grad = activation_derivative(model.activation, pre_prev.clone()); // [1, n]
    let delta_prev = upstream.clone() * act_grad.clone(); // [1, n]
    let grad_w_prev = h_prev_in.clone().transpose().matmul(delta_prev.clone()); // [m, n]
    let sizes = (h_prev_in.dims()[1], pre_prev.dims()[1]);

    let data = Transaction::default()
        .register(logits)
        .register(p)
        .register(loss)
        .register(delta_out)
        .register(h_last)
        .register(grad_w_out)
        .register(grad_b_out)
        .register(pre_prev)
        .register(upstream)
        .register(act_grad)
        .register(delta_prev)
        .register(h_prev_in)
        .register(grad_w_prev)
        .execute_async()
        .await?;
    let v = |i: usize| data.get(i).map(|d| d.iter::<f32>().collect::<Vec<f32>>()).unwrap_or_default();
    Ok(ChainRule {
        label,
        logits: v(0),
        probabilities: v(1),
        loss: v(2).first().copied().unwrap_or(f32::NAN),
        delta_out: v(3),
        hidden_out_in: v(4),
        grad_w_out: v(5),
        grad_b_out: v(6),
        pre_prev: v(7),
        upstream_prev: v(8),
        activation_grad_prev: v(9),
        delta_prev: v(10),
        hidden_prev_in: v(11),
        grad_w_prev: v(12),
        sizes,
    })
}

#[cfg(feature = "trainer")]
/// The same three gradients from burn's autodiff: `(∂L/∂W_L, ∂L/∂b_L, ∂L/∂W_{L−1})`, flattened.
/// `model` must live on an autodiff device.
pub async fn autodiff_gradients(model: &Mlp, pixels: &[u8], label: u8, device: &Device) -> Result<(Vec<f32>, Vec<f32>, Vec<f32>), ReadError> {
    let layers = model.layers.len();
    let logits = model.forward(single_input(pixels, device)); // [1, 10]
    let target = Tensor::<1, Int>::from_data(TensorData::new(vec![label as i64], [1]), device); // [1]
    let loss = CrossEntropyLossConfig::new().init(device).forward(logits, target); // [1]
    let grads = loss.backward();
    let last = &model.layers[layers - 1];
    let w_out = last.weight.grad(&grads);
    let b_out = last.bias.as_ref().and_then(|b| b.grad(&grads));
    let w_prev = if layers >= 2 { model.layers[layers - 2].weight.grad(&grads) } else { None };
    let missing = || ReadError::WithContext { reason: "autodiff returned no gradient (is the model on an autodiff device?)".into() };
    let data = Transaction::default()
        .register(w_out.ok_or_else(missing)?)
        .register(b_out.ok_or_else(missing)?)
        .register(w_prev.ok_or_else(missing)?)
        .execute_async()
        .await?;
    let v = |i: usize| data.get(i).map(|d| d.iter::<f32>().collect::<Vec<f32>>()).unwrap_or_default();
    Ok((v(0), v(1), v(2)))
}

#[cfg(feature = "trainer")]
/// Central finite difference `(L(w + h) − L(w − h)) / 2h` for weight `(row, col)` of layer `layer`.
pub async fn finite_difference(model: &Mlp, layer: usize, row: usize, col: usize, pixels: &[u8], label: u8, h: f32, device: &Device) -> Result<f64, ReadError> {
    let [rows, cols] = model.layers[layer].weight.dims();
    let loss_with = |offset: f32| {
        let mut bump = vec![0.0f32; rows * cols];
        bump[row * cols + col] = offset;
        let bump = Tensor::<2>::from_data(TensorData::new(bump, [rows, cols]), device); // [rows, cols]
        let mut perturbed = model.clone();
        let weight = perturbed.layers[layer].weight.val() + bump; // [rows, cols]
        perturbed.layers[layer].weight = Param::from_tensor(weight);
        let logits = perturbed.forward(single_input(pixels, device)); // [1, 10]
        let target = Tensor::<1, Int>::from_data(TensorData::new(vec![label as i64], [1]), device); // [1]
        CrossEntropyLossConfig::new().init(device).forward(logits, target) // [1]
    };
    let data = Transaction::default().register(loss_with(h)).register(loss_with(-h)).execute_async().await?;
    let read = |i: usize| data.get(i).and_then(|d| d.iter::<f64>().next()).unwrap_or(f64::NAN);
    Ok((read(0) - read(1)) / (2.0 * h as f64))
}

/// One Adam update of a single weight, written out: the numbers the page shows.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct AdamStep {
    /// `m ← β1·m + (1−β1)·g`
    pub m: f64,
    /// `v ← β2·v + (1−β2)·g²`
    pub v: f64,
    /// `m̂ = m / (1 − β1ᵗ)`
    pub m_hat: f64,
    /// `v̂ = v / (1 − β2ᵗ)`
    pub v_hat: f64,
    /// `w ← w − α·m̂ / (√v̂ + ε)`
    pub w: f64,
}

/// Adam's update of weight `w` with gradient `g` at step `t` (from 1), given the previous moments.
#[allow(clippy::too_many_arguments)]
pub fn adam_step(w: f64, g: f64, m: f64, v: f64, t: i32, alpha: f64, beta1: f64, beta2: f64, epsilon: f64) -> AdamStep {
    let m = beta1 * m + (1.0 - beta1) * g;
    let v = beta2 * v + (1.0 - beta2) * g * g;
    let m_hat = m / (1.0 - beta1.powi(t));
    let v_hat = v / (1.0 - beta2.powi(t));
    AdamStep { m, v, m_hat, v_hat, w: w - alpha * m_hat / (v_hat.sqrt() + epsilon) }
}

/// SGD's update: `w ← w − α·g`.
pub fn sgd_step(w: f64, g: f64, alpha: f64) -> f64 {
    w - alpha * g
}

#[cfg(feature = "trainer")]
/// Reads element `index` of two tensors in one transfer, e.g. a weight before and after an update.
pub async fn read_pair(before: Tensor<2>, after: Tensor<2>, index: usize) -> Result<(f64, f64), ReadError> {
    let data = Transaction::default().register(before).register(after).execute_async().await?;
    let at = |i: usize| data.get(i).and_then(|d| d.iter::<f64>().nth(index)).unwrap_or(f64::NAN);
    Ok((at(0), at(1)))
}
