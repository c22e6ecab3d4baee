#!/usr/bin/env bash
# Runs every test (installs what it needs first; safe to run again):
#   1. native tests of the learning core (cargo test, CPU backend);
#   2. the wasm build of the page and its worker (Trunk), which is also the wasm32 compile check (the page
#      without the `trainer` feature: a view that reaches for burn fails here);
#   3. browser tests in headless Chromium on WebGPU (wasm-pack test);
#   4. end-to-end tests of the built page (node:test + playwright-core).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PATH"
export CHROMEDRIVER=/usr/bin/chromedriver
web_target=target/web
mkdir -p target test-artifacts
started=$(date +%s)

# The wasm build is the long one: start it first, in its own target dir, beside the native tests.
echo "[test] building the page and its worker (wasm) in the background; log: target/trunk-build.log"
( CARGO_TARGET_DIR=$web_target trunk build --release > target/trunk-build.log 2>&1 ) &
trunk_pid=$!

echo "[test] native tests"
cargo test --release

echo "[test] waiting for the page build"
if ! wait "$trunk_pid"; then
  tail -n 60 target/trunk-build.log
  echo "[test] the wasm build of the page failed" >&2
  exit 1
fi
echo "[test] page built in dist/ ($(du -sh dist | cut -f1))"

echo "[test] browser tests (headless Chromium, WebGPU through SwiftShader)"
# SwiftShader is slow: allow the runner more than its default 20 s per page.
# Under the worker's own profile, so they reuse the dependencies its Trunk build compiled.
WASM_BINDGEN_TEST_TIMEOUT=600 CARGO_TARGET_DIR=$web_target wasm-pack test --headless --chrome -- --profile worker --test browser

echo "[test] end-to-end tests of the built page"
node --test --test-concurrency=1 tests/e2e/

echo "[test] all passed in $(( $(date +%s) - started )) s"
