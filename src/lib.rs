//! Backprop Playground: train the seed's MLP on MNIST, natively or in the browser on WebGPU.
//!
//! The learning core (everything but `app` and `worker`) has no UI or DOM code and is written against
//! burn's runtime `Device`: the same functions run on the CPU device in `cargo test` and on WebGPU in
//! the trainer worker. `trainer` is the one loop that owns a run; `worker` (wasm only) runs it in a
//! dedicated Web Worker, and `app` (wasm only) is the page: a view that sends commands and renders
//! events.

#[cfg(target_family = "wasm")]
pub mod app;
pub mod backprop_step;
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
pub mod trainer;
pub mod training;
pub mod weights_file;
#[cfg(target_family = "wasm")]
pub mod worker;

/// Runs a future to completion on the current thread. Native only: in the page futures are awaited.
#[cfg(not(target_family = "wasm"))]
pub fn block_on<F: std::future::Future>(future: F) -> F::Output {
    futures_lite::future::block_on(future)
}
