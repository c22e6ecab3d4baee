#!/usr/bin/env bash
# Serves the playground at http://127.0.0.1:8080 (installs what it needs first; safe to run again).
# The first build compiles burn for WebGPU and takes a while (15–35 minutes on 2 cores).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PATH"
# The wasm side has its own target dir so it can build beside native builds.
export CARGO_TARGET_DIR=target/web
echo "[serve] building; the page will be at http://127.0.0.1:8080/ once trunk says it is serving"
exec trunk serve --release "$@"
