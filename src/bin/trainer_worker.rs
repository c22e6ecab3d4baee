//! The trainer's Web Worker (Trunk builds this binary with `data-type="worker"`).

#[cfg(target_family = "wasm")]
fn main() {
    backprop_playground::run_static_constructors();
    // worker::start installs a panic hook that tells the page, then logs like console_error_panic_hook.
    backprop_playground::worker::start();
}

#[cfg(not(target_family = "wasm"))]
fn main() {
    eprintln!("The trainer worker runs in the browser, started by the page.");
    std::process::exit(2);
}
