//! Backprop Playground: train the seed's MLP on MNIST, natively or in the browser on WebGPU.
//!
//! The learning core (everything but `app` and `worker`) has no UI or DOM code and is written against
//! burn's runtime `Device`: the same functions run on the CPU device in `cargo test` and on WebGPU in
//! the trainer worker. `trainer` is the one loop that owns a run; `worker` (wasm only) runs it in a
//! dedicated Web Worker, and `app` (wasm only) is the page: a view that sends commands and renders
//! events.
//!
//! Without the default `trainer` feature only what the page needs is compiled: the settings, the
//! protocol, the texts and the pure halves of the mixed modules (their plain types and closed forms);
//! everything written against burn is behind `#[cfg(feature = "trainer")]`.

#[cfg(target_family = "wasm")]
pub mod app;
pub mod backprop_step;
pub mod chain_rule;
#[cfg(feature = "trainer")]
pub mod cpu_forward;
pub mod data;
#[cfg(feature = "trainer")]
pub mod data_parallel;
pub mod equations;
#[cfg(feature = "trainer")]
pub mod evaluation;
pub mod export;
#[cfg(feature = "trainer")]
pub mod fine_tune;
#[cfg(feature = "trainer")]
pub mod fused_adam;
pub mod i18n;
pub mod inference;
pub mod inspect;
pub mod model;
pub mod neuron;
pub mod optimizer;
pub mod preprocess;
pub mod protocol;
#[cfg(feature = "trainer")]
pub mod register_matmul;
pub mod run;
pub mod settings;
#[cfg(feature = "trainer")]
pub mod snapshot;
#[cfg(feature = "trainer")]
pub mod trainer;
pub mod training;
pub mod weights_file;
#[cfg(all(target_family = "wasm", feature = "trainer"))]
pub mod worker;

/// Runs a future to completion on the current thread. Native only: in the page futures are awaited.
#[cfg(not(target_family = "wasm"))]
pub fn block_on<F: std::future::Future>(future: F) -> F::Output {
    futures_lite::future::block_on(future)
}

/// Runs the binary's static constructors (cubecl registers its IR dialects through `inventory`) once,
/// first thing in `main`. Without this call wasm-ld links the binary "command-style" and wraps every
/// export — that is, every call from JavaScript into wasm: each event handler, each resolved promise —
/// in a fresh run of all constructors, which measured 4 ms per call on the page and is most of what a
/// read of a one-element tensor cost. Referencing `__wasm_call_ctors` turns the wrapping off, so every
/// wasm binary of this crate (the page, the worker, the browser tests) must call this before burn.
#[cfg(target_family = "wasm")]
pub fn run_static_constructors() {
    use std::sync::atomic::{AtomicBool, Ordering};
    static DONE: AtomicBool = AtomicBool::new(false);
    unsafe extern "C" {
        fn __wasm_call_ctors();
    }
    if !DONE.swap(true, Ordering::SeqCst) {
        // SAFETY: runs once per instance, as the linker's own wrapper would have before the first export.
        unsafe { __wasm_call_ctors() }
    }
}
