//! Strips the function-name section from the page's `.wasm` (1.1 MB of its gzip size; panics and
//! errors are reported as text, so the page never shows a symbolised stack). Only the link of the
//! `playground` binary for wasm changes, so no dependency is rebuilt for it.
//! `BACKPROP_KEEP_NAMES=1` keeps the names, for `bench/wasm-sizes.mjs` (what each crate weighs).
fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=BACKPROP_KEEP_NAMES");
    let keep_names = std::env::var("BACKPROP_KEEP_NAMES").as_deref() == Ok("1");
    if std::env::var("CARGO_CFG_TARGET_ARCH").as_deref() == Ok("wasm32") && !keep_names {
        println!("cargo:rustc-link-arg-bin=playground=--strip-all");
        println!("cargo:rustc-link-arg-bin=trainer-worker=--strip-all");
    }
}
