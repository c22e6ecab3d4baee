//! What the network view shows, read from the live model: the first layer's weights as 28×28 tiles,
//! and every layer's output for one image.
//!
//! Both are plain numbers for the page (serde, no tensors). They are read with one async
//! `Transaction` each, so on WebGPU they wait for the GPU like every other read and never block it.

use serde::{Deserialize, Serialize};

use crate::data::mnist::IMAGE_PIXELS;
#[cfg(feature = "trainer")]
use {
    burn::tensor::activation::softmax,
    burn::tensor::{Device, Tensor, TensorData, Transaction},
    crate::data::batcher::normalise_images,
    crate::evaluation::ReadError,
    crate::model::Mlp,
};

/// The first layer's incoming weights, one 28×28 tile per unit.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FirstLayerTiles {
    /// Units of the first layer (512 in the seed's model).
    pub units: usize,
    /// Unit-major: tile `j` is `weights[j * 784 .. (j + 1) * 784]`, pixel `p` of it the weight from
    /// input pixel `p` (row-major 28×28) to unit `j` — PyTorch's `fc1.weight[j][p]`.
    #[serde(with = "f32_bytes")]
    pub weights: Vec<f32>,
    /// `fc1.bias`, one per unit.
    pub biases: Vec<f32>,
    /// The one scale the colour map uses for all tiles (−scale … 0 … +scale): the 99th percentile of
    /// |weight|, so a few large weights do not wash every tile out; the 1 % beyond it saturate.
    pub scale: f32,
    /// The trainer's model version these weights belong to.
    pub model_version: u64,
}

/// `Vec<f32>` as one little-endian byte string: postcard then copies it instead of encoding and
/// decoding each number through serde, which took the page's main thread ≈ 9 ms per set of tiles.
mod f32_bytes {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(values: &[f32], serializer: S) -> Result<S::Ok, S::Error> {
        let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
        serializer.serialize_bytes(&bytes)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<f32>, D::Error> {
        let bytes = serde_bytes::ByteBuf::deserialize(deserializer)?;
        if bytes.len() % 4 != 0 {
            return Err(serde::de::Error::invalid_length(bytes.len(), &"a multiple of 4 bytes"));
        }
        Ok(bytes.chunks_exact(4).filter_map(|c| <[u8; 4]>::try_from(c).ok()).map(f32::from_le_bytes).collect())
    }
}

impl FirstLayerTiles {
    /// Tile `unit`'s 784 weights, if the unit exists.
    pub fn tile(&self, unit: usize) -> Option<&[f32]> {
        self.weights.get(unit * IMAGE_PIXELS..(unit + 1) * IMAGE_PIXELS)
    }
}

#[cfg(feature = "trainer")]
/// Reads `model`'s first layer as tiles.
pub async fn first_layer_tiles(model: &Mlp, model_version: u64) -> Result<FirstLayerTiles, ReadError> {
    let layer = model.layers.first().ok_or(ReadError::WithContext { reason: "the model has no layers".into() })?;
    let [inputs, units] = layer.weight.dims();
    if units == 0 {
        return Err(ReadError::WithContext { reason: "the first layer has no units".into() });
    }
    if inputs != IMAGE_PIXELS {
        return Err(ReadError::WithContext { reason: format!("the first layer takes {inputs} inputs, not {IMAGE_PIXELS}") });
    }
    // Read as stored and turned unit-major here: on WebGPU a transposed read would be one more
    // kernel on the GPU (on a software adapter, CPU time taken from the page).
    let mut transaction = Transaction::default().register(layer.weight.val()); // [784, units]
    if let Some(bias) = &layer.bias {
        transaction = transaction.register(bias.val()); // [units]
    }
    let mut data = transaction.execute_async().await?.into_iter();
    let by_input: Vec<f32> = data.next().map(|d| d.iter::<f32>().collect()).unwrap_or_default();
    let biases: Vec<f32> = data.next().map(|d| d.iter::<f32>().collect()).unwrap_or_else(|| vec![0.0; units]);
    if by_input.len() != units * IMAGE_PIXELS || biases.len() != units {
        return Err(ReadError::WithContext { reason: "the first layer's weights came back short".into() });
    }
    let mut weights = vec![0.0f32; by_input.len()];
    for (pixel, row) in by_input.chunks_exact(units).enumerate() {
        for (unit, &w) in row.iter().enumerate() {
            if let Some(slot) = weights.get_mut(unit * IMAGE_PIXELS + pixel) {
                *slot = w;
            }
        }
    }
    let scale = percentile_of_magnitudes(&weights, 0.99);
    Ok(FirstLayerTiles { units, weights, biases, scale, model_version })
}

/// The `q` quantile of |v| over the finite values (0 when there are none).
pub fn percentile_of_magnitudes(values: &[f32], q: f64) -> f32 {
    let mut magnitudes: Vec<f32> = values.iter().filter(|v| v.is_finite()).map(|v| v.abs()).collect();
    if magnitudes.is_empty() {
        return 0.0;
    }
    let last = magnitudes.len() - 1;
    let rank = ((last as f64) * q.clamp(0.0, 1.0)).round() as usize;
    let (_, value, _) = magnitudes.select_nth_unstable_by(rank.min(last), f32::total_cmp);
    *value
}

/// Every layer's output for one image: what the activation strips show.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Activations {
    /// The hidden layers' outputs after the non-linearity (ReLU's zeros are exact zeros), input side first.
    pub hidden: Vec<Vec<f32>>,
    /// The ten output probabilities (softmax of the last layer).
    pub probabilities: Vec<f32>,
}

#[cfg(feature = "trainer")]
/// One 28×28 image (0 = background, 255 = ink) through `model`, every layer kept.
pub async fn activations(model: &Mlp, pixels: &[u8], device: &Device) -> Result<Activations, ReadError> {
    if pixels.len() != IMAGE_PIXELS {
        return Err(ReadError::WithContext { reason: format!("{} pixels, not {IMAGE_PIXELS}", pixels.len()) });
    }
    let input = normalise_images([pixels]);
    let x = Tensor::<2>::from_data(TensorData::new(input, [1, IMAGE_PIXELS]), device); // [1, 784]
    let trace = model.forward_trace(x);
    let logits = trace.pre.last().cloned().ok_or(ReadError::WithContext { reason: "the model has no layers".into() })?; // [1, 10]
    let hidden_count = trace.post.len();
    let mut transaction = Transaction::default();
    for h in trace.post {
        transaction = transaction.register(h); // [1, size_i]
    }
    transaction = transaction.register(softmax(logits, 1)); // [1, 10]
    let mut values: Vec<Vec<f32>> = transaction.execute_async().await?.into_iter().map(|d| d.iter::<f32>().collect()).collect();
    let probabilities = values.pop().unwrap_or_default();
    if values.len() != hidden_count {
        return Err(ReadError::WithContext { reason: "a layer's output came back missing".into() });
    }
    Ok(Activations { hidden: values, probabilities })
}
