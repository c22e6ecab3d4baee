//! Any byte string given to the weights loader must come back as a model or an error, never a panic.
//! `cargo +nightly fuzz run weights_loader -- -max_total_time=60` (needs cargo-fuzz and a nightly
//! toolchain); the test command runs a bounded stable-Rust mutation fuzz of the same loader instead
//! (tests/native/pytorch_weights.rs).
#![no_main]

use burn::tensor::Device;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = backprop_playground::weights_file::load(data, &Device::flex());
});
