//! Data: the IDX reader, the in-memory MNIST dataset, and batching.

pub mod batcher;
pub mod idx;
pub mod mnist;

pub use batcher::{MnistBatch, epoch_order, make_batch};
pub use idx::IdxError;
pub use mnist::{MnistDataset, Split};
