//! Backprop Playground: train the seed's MLP on MNIST, natively or in the browser on WebGPU.
//!
//! The learning core (`data`, `model`, `training`, `evaluation`, `neuron`) has no UI or DOM code and is
//! written against burn's runtime `Device`: the same functions run on the CPU device in `cargo test`
//! and on WebGPU in the page. The page itself lives in `app` (wasm only).

#[cfg(target_family = "wasm")]
pub mod app;
pub mod chain_rule;
pub mod data;
pub mod equations;
pub mod evaluation;
pub mod fine_tune;
pub mod inference;
pub mod model;
pub mod neuron;
pub mod optimizer;
pub mod preprocess;
pub mod run;
pub mod settings;
pub mod snapshot;
pub mod training;
pub mod weights_file;

/// Runs a future to completion on the current thread. Native only: in the page futures are awaited.
#[cfg(not(target_family = "wasm"))]
pub fn block_on<F: std::future::Future>(future: F) -> F::Output {
    futures_lite::future::block_on(future)
}
