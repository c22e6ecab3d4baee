//! Data: the IDX reader, the in-memory MNIST dataset (MNIST or Fashion-MNIST), and batching.

#[cfg(feature = "trainer")]
pub mod batcher;
pub mod dataset;
pub mod idx;
pub mod mnist;

#[cfg(feature = "trainer")]
pub use batcher::{MnistBatch, epoch_order, make_batch};
pub use dataset::Dataset;
pub use idx::IdxError;
pub use mnist::{MnistDataset, Split};
