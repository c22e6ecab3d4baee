//! From `u8` images to normalised batches on a device, and the seeded order samples are visited in.

use burn::tensor::{Device, Int, Tensor, TensorData};
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;

pub use super::mnist::{MNIST_MEAN, MNIST_STD};
use super::mnist::{IMAGE_PIXELS, MnistDataset};

/// One batch on a device.
#[derive(Debug, Clone)]
pub struct MnistBatch {
    /// `[batch, 784]`, normalised pixels.
    pub images: Tensor<2>,
    /// `[batch]`, digits 0…9.
    pub targets: Tensor<1, Int>,
}

/// Maps a raw pixel to the network's input scale.
pub fn normalise_pixel(pixel: u8) -> f32 {
    (pixel as f32 / 255.0 - MNIST_MEAN) / MNIST_STD
}

/// Normalised f32 pixels of several 784-pixel images, concatenated.
pub fn normalise_images<'a>(images: impl IntoIterator<Item = &'a [u8]>) -> Vec<f32> {
    images.into_iter().flat_map(|img| img.iter().map(|&p| normalise_pixel(p))).collect()
}

/// Builds the batch holding samples `indices` of `dataset` on `device`.
pub fn make_batch(dataset: &MnistDataset, indices: &[usize], device: &Device) -> MnistBatch {
    make_batch_from(&[(dataset, indices)], device)
}

/// One batch drawn from several datasets (e.g. the user's digits and MNIST), in the order given.
pub fn make_batch_from(parts: &[(&MnistDataset, &[usize])], device: &Device) -> MnistBatch {
    let samples = || parts.iter().flat_map(|(d, idx)| idx.iter().map(move |&i| (*d, i)));
    let count = samples().count();
    let pixels = normalise_images(samples().map(|(d, i)| d.image(i)));
    let labels: Vec<i64> = samples().map(|(d, i)| d.label(i) as i64).collect();
    // [batch, 784]
    let images = Tensor::<2>::from_data(TensorData::new(pixels, [count, IMAGE_PIXELS]), device);
    // [batch]
    let targets = Tensor::<1, Int>::from_data(TensorData::new(labels, [count]), device);
    MnistBatch { images, targets }
}

/// The order of samples in epoch `epoch`: a shuffle seeded by `(seed, epoch)`, so a run can be repeated
/// exactly and every epoch still sees a different order (as PyTorch's `shuffle=True` does).
pub fn epoch_order(len: usize, seed: u64, epoch: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..len).collect();
    let mut rng = StdRng::seed_from_u64(seed ^ (epoch as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    order.shuffle(&mut rng);
    order
}

/// Number of batches an epoch of `len` samples has; the last one may be short (PyTorch's default).
pub fn batches_per_epoch(len: usize, batch_size: usize) -> usize {
    len.div_ceil(batch_size.max(1))
}
