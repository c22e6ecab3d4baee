//! The page's entry point (Trunk builds this binary for wasm32).

#[cfg(target_family = "wasm")]
fn main() {
    backprop_playground::run_static_constructors();
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(backprop_playground::app::App);
}

#[cfg(not(target_family = "wasm"))]
fn main() {
    eprintln!("The playground runs in the browser: serve it with ./scripts/serve.sh (the README's first command).");
    std::process::exit(2);
}
