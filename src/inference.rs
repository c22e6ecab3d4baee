//! Predicting one digit: the drawing case. Returns tensors; the caller reads them (async on WebGPU).

#[cfg(feature = "trainer")]
use {
    burn::tensor::activation::softmax,
    burn::tensor::{Device, Tensor, TensorData},
    crate::data::batcher::normalise_images,
    crate::data::mnist::IMAGE_PIXELS,
    crate::model::Mlp,
};

#[cfg(feature = "trainer")]
/// Class probabilities `[10]` for one 28×28 image (0 = background, 255 = ink).
pub fn digit_probabilities(model: &Mlp, pixels: &[u8], device: &Device) -> Tensor<1> {
    let input = normalise_images([pixels]);
    // [1, 784]
    let x = Tensor::<2>::from_data(TensorData::new(input, [1, IMAGE_PIXELS]), device);
    let logits = model.forward(x); // [1, 10]
    softmax(logits, 1).reshape([10]) // [10]
}

/// The most likely digit and its probability.
pub fn top_prediction(probabilities: &[f32]) -> Option<(u8, f32)> {
    probabilities
        .iter()
        .enumerate()
        .filter(|(_, p)| p.is_finite())
        .max_by(|a, b| a.1.total_cmp(b.1))
        .map(|(i, &p)| (i as u8, p))
}
