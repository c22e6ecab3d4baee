//! The seed's network, `MetaVerseModel`: Linear(784,512) ReLU Linear(512,256) ReLU Linear(256,128) ReLU
//! Linear(128,10), built from a config whose default is exactly that.
//!
//! Layers are a list; layer `i` is PyTorch's `fc{i+1}` (see [`Mlp::layer_name`]), so weights can be
//! exchanged with the seed's `state_dict()`. burn stores a Linear weight as `[in, out]`; PyTorch as `[out, in]`.

use serde::{Deserialize, Serialize};

use crate::data::mnist::{IMAGE_PIXELS, NUM_CLASSES};
#[cfg(feature = "trainer")]
use {
    burn::module::{Module, Param},
    burn::nn::Linear,
    burn::tensor::activation,
    burn::tensor::{Device, Tensor, TensorData},
    rand::rngs::StdRng,
    rand::{RngExt, SeedableRng},
};

/// The non-linearity between layers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Activation {
    Relu,
    Sigmoid,
    Tanh,
}

// The configs are burn `Config`s in the trainer build, and plain serde types without it (the page has no
// burn): the same fields, defaults and `with_*` builders, and the format `#[derive(Config)]` generates
// (the fields by name, in order). Only its `Display` (pretty JSON) is gone; nothing used it.
#[cfg(feature = "trainer")]
impl burn::config::Config for Activation {}

#[cfg(feature = "trainer")]
impl Activation {
    pub fn apply<const D: usize>(self, z: Tensor<D>) -> Tensor<D> {
        match self {
            Activation::Relu => activation::relu(z),
            Activation::Sigmoid => activation::sigmoid(z),
            Activation::Tanh => activation::tanh(z),
        }
    }
}

impl Activation {
    pub fn name(self) -> &'static str {
        match self {
            Activation::Relu => "ReLU",
            Activation::Sigmoid => "sigmoid",
            Activation::Tanh => "tanh",
        }
    }

    /// The activation whose [`name`](Self::name) this is.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "ReLU" => Some(Activation::Relu),
            "sigmoid" => Some(Activation::Sigmoid),
            "tanh" => Some(Activation::Tanh),
            _ => None,
        }
    }
}

/// Architecture of the MLP; `MlpConfig::new()` is the seed's model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MlpConfig {
    /// Sizes of the hidden layers, input side first.
    pub hidden: Vec<usize>,
    pub activation: Activation,
    /// Seed of the initial weights: the same seed gives the same weights on every backend.
    pub init_seed: u64,
}

#[cfg(feature = "trainer")]
impl burn::config::Config for MlpConfig {}

impl Default for MlpConfig {
    fn default() -> Self {
        Self::new()
    }
}

impl MlpConfig {
    /// The seed's model: hidden layers 512, 256, 128, ReLU, init seed 42.
    pub fn new() -> Self {
        Self { hidden: vec![512, 256, 128], activation: Activation::Relu, init_seed: 42 }
    }

    pub fn with_hidden(mut self, hidden: Vec<usize>) -> Self {
        self.hidden = hidden;
        self
    }

    pub fn with_activation(mut self, activation: Activation) -> Self {
        self.activation = activation;
        self
    }

    pub fn with_init_seed(mut self, init_seed: u64) -> Self {
        self.init_seed = init_seed;
        self
    }

    /// `(inputs, outputs)` of every layer, e.g. `[(784,512), (512,256), (256,128), (128,10)]`.
    pub fn layer_shapes(&self) -> Vec<(usize, usize)> {
        let mut sizes = Vec::with_capacity(self.hidden.len() + 2);
        sizes.push(IMAGE_PIXELS);
        sizes.extend_from_slice(&self.hidden);
        sizes.push(NUM_CLASSES);
        sizes.windows(2).map(|w| (w[0], w[1])).collect()
    }

    /// Number of trainable numbers (weights and biases).
    pub fn parameter_count(&self) -> usize {
        self.layer_shapes().iter().map(|(i, o)| i * o + o).sum()
    }
}

#[cfg(feature = "trainer")]
impl MlpConfig {
    /// Builds the model with PyTorch's `nn.Linear` initialisation, `U(−1/√fan_in, 1/√fan_in)` for weights
    /// and biases. The numbers are drawn on the CPU from `init_seed`, so WebGPU and the CPU backend start
    /// from bit-identical weights.
    pub fn init(&self, device: &Device) -> Mlp {
        let mut rng = StdRng::seed_from_u64(self.init_seed);
        let layers = self
            .layer_shapes()
            .into_iter()
            .map(|(fan_in, fan_out)| {
                let bound = 1.0 / (fan_in as f32).sqrt();
                // Drawn in PyTorch's [out, in] order, stored transposed as burn's [in, out].
                let torch_order: Vec<f32> = (0..fan_in * fan_out).map(|_| rng.random_range(-bound..bound)).collect();
                let mut weight = vec![0.0f32; fan_in * fan_out];
                for o in 0..fan_out {
                    for i in 0..fan_in {
                        weight[i * fan_out + o] = torch_order[o * fan_in + i];
                    }
                }
                let bias: Vec<f32> = (0..fan_out).map(|_| rng.random_range(-bound..bound)).collect();
                linear_from_values(weight, bias, fan_in, fan_out, device)
            })
            .collect();
        Mlp { layers, activation: self.activation }
    }
}

#[cfg(feature = "trainer")]
/// A Linear layer holding the given numbers; `weight` is `[fan_in, fan_out]` row-major.
pub fn linear_from_values(weight: Vec<f32>, bias: Vec<f32>, fan_in: usize, fan_out: usize, device: &Device) -> Linear {
    Linear {
        // [fan_in, fan_out]
        weight: Param::from_data(TensorData::new(weight, [fan_in, fan_out]), device),
        // [fan_out]
        bias: Some(Param::from_data(TensorData::new(bias, [fan_out]), device)),
    }
}

/// The multilayer perceptron.
#[cfg(feature = "trainer")]
#[derive(Module, Debug)]
pub struct Mlp {
    pub layers: Vec<Linear>,
    #[module(skip)]
    pub activation: Activation,
}

/// Every intermediate of one forward pass, for the backprop page: `pre[i] = z_{i+1}`, `post[i] = h_{i+1}`.
#[cfg(feature = "trainer")]
#[derive(Debug, Clone)]
pub struct ForwardTrace {
    /// `[batch, 784]`
    pub input: Tensor<2>,
    /// Pre-activations of every layer, `[batch, size_i]`; the last one is the logits.
    pub pre: Vec<Tensor<2>>,
    /// Activations of the hidden layers, `[batch, size_i]`.
    pub post: Vec<Tensor<2>>,
}

#[cfg(feature = "trainer")]
impl Mlp {
    /// PyTorch's name of layer `index`: `fc1`, `fc2`, …
    pub fn layer_name(index: usize) -> String {
        format!("fc{}", index + 1)
    }

    /// Logits for a batch of normalised images.
    pub fn forward(&self, images: Tensor<2>) -> Tensor<2> {
        let last = self.layers.len() - 1;
        let mut x = images; // [batch, 784]
        for (i, layer) in self.layers.iter().enumerate() {
            x = crate::register_matmul::linear(layer, x); // [batch, out_i]
            if i < last {
                x = self.activation.apply(x); // [batch, out_i]
            }
        }
        x // [batch, 10]
    }

    /// Forward pass keeping every pre-activation and activation.
    pub fn forward_trace(&self, images: Tensor<2>) -> ForwardTrace {
        let last = self.layers.len() - 1;
        let mut pre = Vec::with_capacity(self.layers.len());
        let mut post = Vec::with_capacity(last);
        let mut x = images.clone(); // [batch, 784]
        for (i, layer) in self.layers.iter().enumerate() {
            let z = crate::register_matmul::linear(layer, x); // [batch, out_i]
            pre.push(z.clone());
            if i < last {
                x = self.activation.apply(z); // [batch, out_i]
                post.push(x.clone());
            } else {
                x = z;
            }
        }
        ForwardTrace { input: images, pre, post }
    }

    /// The same weights on the autodiff flavour of their device, every parameter tracked: a model
    /// loaded or used for inference can then be trained or differentiated.
    pub fn with_autodiff(&self) -> Mlp {
        let layers = self
            .layers
            .iter()
            .map(|l| Linear {
                weight: Param::from_tensor(l.weight.val().autodiff()), // [in, out]
                bias: l.bias.as_ref().map(|b| Param::from_tensor(b.val().autodiff())), // [out]
            })
            .collect();
        Mlp { layers, activation: self.activation }
    }

    /// Hidden sizes, read back from the layers (e.g. after loading weights).
    pub fn hidden_sizes(&self) -> Vec<usize> {
        self.layers.iter().take(self.layers.len().saturating_sub(1)).map(|l| l.weight.dims()[1]).collect()
    }
}
