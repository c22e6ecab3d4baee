//! Strips the function-name section from the page's `.wasm` (1.1 MB of its gzip size; panics and
//! errors are reported as text, so the page never shows a symbolised stack). Only the link of the
//! `playground` binary for wasm changes, so no dependency is rebuilt for it.
fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    if std::env::var("CARGO_CFG_TARGET_ARCH").as_deref() == Ok("wasm32") {
        println!("cargo:rustc-link-arg-bin=playground=--strip-all");
        println!("cargo:rustc-link-arg-bin=trainer-worker=--strip-all");
    }
}
