#!/usr/bin/env bash
# One command for the whole benchmark (BENCHMARKS.md): builds the page and the trainer (their optimised profiles),
# runs the browser half (this project vs TF.js 4.22 in headless Chromium) and the native half (this
# project vs the seed's PyTorch code), and prints the tables. Options go to bench/browser.mjs
# (e.g. --repeats 5 --engines ours-cpu,tfjs-wasm).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PATH"

echo "== building the page (release) and the native trainer" >&2
CARGO_TARGET_DIR=target/web trunk build --release > target/bench-trunk.log 2>&1 || { tail -40 target/bench-trunk.log; exit 1; }
cargo build --release --bin train

# PyTorch for the native comparison: the system's if it has one, else a venv from PyPI; skipped if neither works.
python=python3
if ! python3 -c "import torch, numpy" 2>/dev/null; then
  if [ ! -x target/bench-venv/bin/python ]; then
    (python3 -m venv target/bench-venv || { sudo apt-get install -y python3-venv && python3 -m venv target/bench-venv; }) >&2 || true
  fi
  if [ -x target/bench-venv/bin/python ]; then
    target/bench-venv/bin/python -c "import torch, numpy, safetensors" 2>/dev/null \
      || target/bench-venv/bin/pip install --quiet torch numpy safetensors >&2 \
      || echo "PyTorch could not be installed from PyPI; the PyTorch rows will be skipped." >&2
    python=target/bench-venv/bin/python
  fi
fi

echo "== browser benchmark" >&2
node bench/browser.mjs "$@"
echo "== native benchmark" >&2
BENCH_PYTHON="$python" python3 bench/native.py
