//! The seed's §4.2 worked example: one sigmoid neuron `ŷ = σ(x·W + b)` with `L = ½(y − ŷ)²`.
//!
//! The closed forms here are what the page prints. The article printed `∂L/∂W = (y − ŷ)·ŷ(1 − ŷ)·x`;
//! that sign is wrong — the gradient is `(ŷ − y)·ŷ(1 − ŷ)·x`, and the tests check it against burn's
//! autodiff and against finite differences.

#[cfg(feature = "trainer")]
use burn::tensor::{Device, Tensor, TensorData};

/// Inputs, target and parameters of the neuron.
#[derive(Debug, Clone, PartialEq)]
pub struct SigmoidNeuron {
    pub x: Vec<f64>,
    pub y: f64,
    pub w: Vec<f64>,
    pub b: f64,
}

/// Every intermediate of one forward/backward/update, as the page shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct NeuronStep {
    /// `z = x·W + b`
    pub z: f64,
    /// `ŷ = σ(z)`
    pub y_hat: f64,
    /// `L = ½(y − ŷ)²`
    pub loss: f64,
    /// `∂L/∂ŷ = ŷ − y`
    pub dl_dyhat: f64,
    /// `∂ŷ/∂z = ŷ(1 − ŷ)`
    pub dyhat_dz: f64,
    /// `∂L/∂W = (ŷ − y)·ŷ(1 − ŷ)·x`
    pub dw: Vec<f64>,
    /// `∂L/∂b = (ŷ − y)·ŷ(1 − ŷ)`
    pub db: f64,
    /// `W ← W − α·∂L/∂W`
    pub w_new: Vec<f64>,
    /// `b ← b − α·∂L/∂b`
    pub b_new: f64,
}

pub fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

impl SigmoidNeuron {
    /// The article's defaults: `x = (0.5, −1.2)`, `y = 1`, `W = (0.3, 0.8)`, `b = 0.1`.
    pub fn article_example() -> Self {
        Self { x: vec![0.5, -1.2], y: 1.0, w: vec![0.3, 0.8], b: 0.1 }
    }

    /// The learning rate the worked example uses.
    pub const ARTICLE_ALPHA: f64 = 0.5;

    pub fn loss_at(&self, w: &[f64], b: f64) -> f64 {
        let z: f64 = self.x.iter().zip(w).map(|(x, w)| x * w).sum::<f64>() + b;
        0.5 * (self.y - sigmoid(z)).powi(2)
    }

    /// Forward, the correct gradients, and one gradient-descent update with learning rate `alpha`.
    pub fn step(&self, alpha: f64) -> NeuronStep {
        self.step_with_sign(alpha, 1.0)
    }

    /// The update the article's sign leads to: `∂L/∂W = (y − ŷ)·ŷ(1 − ŷ)·x`, i.e. gradient *ascent*.
    /// Shown on the page to let students watch the loss grow.
    pub fn step_with_article_sign(&self, alpha: f64) -> NeuronStep {
        self.step_with_sign(alpha, -1.0)
    }

    fn step_with_sign(&self, alpha: f64, sign: f64) -> NeuronStep {
        let z: f64 = self.x.iter().zip(&self.w).map(|(x, w)| x * w).sum::<f64>() + self.b;
        let y_hat = sigmoid(z);
        let loss = 0.5 * (self.y - y_hat).powi(2);
        let dl_dyhat = sign * (y_hat - self.y);
        let dyhat_dz = y_hat * (1.0 - y_hat);
        let db = dl_dyhat * dyhat_dz;
        let dw: Vec<f64> = self.x.iter().map(|x| db * x).collect();
        let w_new = self.w.iter().zip(&dw).map(|(w, g)| w - alpha * g).collect();
        let b_new = self.b - alpha * db;
        NeuronStep { z, y_hat, loss, dl_dyhat, dyhat_dz, dw, db, w_new, b_new }
    }

    /// The same neuron after the update of `step`.
    pub fn updated(&self, step: &NeuronStep) -> Self {
        Self { w: step.w_new.clone(), b: step.b_new, ..self.clone() }
    }

    #[cfg(feature = "trainer")]
    /// `(∂L/∂W, ∂L/∂b)` from burn's autodiff on `device`, as an independent check of the closed form.
    pub fn autodiff_gradients(&self, device: &Device) -> (Vec<f64>, f64) {
        let device = device.clone().autodiff();
        let n = self.x.len();
        let f32s = |v: &[f64]| v.iter().map(|&a| a as f32).collect::<Vec<f32>>();
        // [1, n]
        let x = Tensor::<2>::from_data(TensorData::new(f32s(&self.x), [1, n]), &device);
        // [n, 1]
        let w = Tensor::<2>::from_data(TensorData::new(f32s(&self.w), [n, 1]), &device).require_grad();
        // [1]
        let b = Tensor::<1>::from_data(TensorData::new(vec![self.b as f32], [1]), &device).require_grad();
        let z = x.matmul(w.clone()) + b.clone().unsqueeze::<2>(); // [1, 1]
        let y_hat = burn::tensor::activation::sigmoid(z); // [1, 1]
        let loss = (y_hat.neg().add_scalar(self.y)).powi_scalar(2).mul_scalar(0.5).sum(); // [1]
        let grads = loss.backward();
        let read = |t: Option<Tensor<2>>| t.map(|t| t.into_data().iter::<f64>().collect::<Vec<f64>>()).unwrap_or_default();
        let dw = read(w.grad(&grads));
        let db = b.grad(&grads).map(|t| t.into_data().iter::<f64>().next().unwrap_or(f64::NAN)).unwrap_or(f64::NAN);
        (dw, db)
    }

    /// Central finite differences of the loss, step `h`, as a second independent check.
    pub fn finite_difference_gradients(&self, h: f64) -> (Vec<f64>, f64) {
        let dw = (0..self.w.len())
            .map(|i| {
                let mut plus = self.w.clone();
                let mut minus = self.w.clone();
                plus[i] += h;
                minus[i] -= h;
                (self.loss_at(&plus, self.b) - self.loss_at(&minus, self.b)) / (2.0 * h)
            })
            .collect();
        let db = (self.loss_at(&self.w, self.b + h) - self.loss_at(&self.w, self.b - h)) / (2.0 * h);
        (dw, db)
    }
}
