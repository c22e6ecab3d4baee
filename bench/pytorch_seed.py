"""The seed's PyTorch training (MetaVerseModel, Adam 1e-3, batch 64, shuffled), timed like the native
trainer: training loop only, then the test accuracy. Prints one JSON line.

    python3 bench/pytorch_seed.py --threads 1 [--limit 2048]     # --threads 0: PyTorch's default
"""
import argparse
import json
import os
import sys
import time

import torch
import torch.nn as nn

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scripts"))
from pytorch_compat import MetaVerseModel, accuracy, idx, normalise, train_epoch  # noqa: E402

parser = argparse.ArgumentParser()
parser.add_argument("--threads", type=int, default=1)
parser.add_argument("--limit", type=int, default=0)
args = parser.parse_args()
if args.threads > 0:
    torch.set_num_threads(args.threads)
torch.manual_seed(42)
train_x, train_y = normalise(idx("train-images-idx3-ubyte")), torch.from_numpy(idx("train-labels-idx1-ubyte").astype("int64"))
if args.limit:
    train_x, train_y = train_x[: args.limit], train_y[: args.limit]
test_x, test_y = normalise(idx("t10k-images-idx3-ubyte")), torch.from_numpy(idx("t10k-labels-idx1-ubyte").astype("int64"))

model = MetaVerseModel()
optimizer = torch.optim.Adam(model.parameters(), lr=0.001)
loss_fn = nn.CrossEntropyLoss()
start = time.perf_counter()
train_epoch(model, optimizer, loss_fn, train_x, train_y)
seconds = time.perf_counter() - start
print(json.dumps({
    "engine": f"PyTorch {torch.__version__} ({'1 thread' if args.threads == 1 else f'{torch.get_num_threads()} threads'})",
    "images": len(train_x),
    "seconds": seconds,
    "images_per_second": len(train_x) / seconds,
    "test_accuracy": accuracy(model, test_x, test_y),
}))
