"""The native half of the benchmark: this project's CPU trainer against the seed's PyTorch code on the
same machine, one epoch of 60,000 images and the 2,048-image run; images/s (training loop only), epoch
time, test accuracy and peak memory (max RSS of each run, measured as a child process). PyTorch runs
with one thread and with its default; where it is missing the comparison is skipped with a message.
Writes target/bench/native.json and prints a table.
"""
import json
import os
import re
import resource
import subprocess
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
PYTHON = os.environ.get("BENCH_PYTHON", sys.executable)


def measured(cmd):
    """Runs cmd as a child of a fresh Python, so its max RSS is its own."""
    wrapper = ("import resource, subprocess, sys; p = subprocess.run(sys.argv[1:], capture_output=True, text=True); "
               "sys.stdout.write(p.stdout); sys.stderr.write(p.stderr); "
               "print('MAXRSS_KB', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); sys.exit(p.returncode)")
    p = subprocess.run([sys.executable, "-c", wrapper, *cmd], capture_output=True, text=True, cwd=ROOT)
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{p.stderr[-2000:]}")
    rss = int(re.search(r"MAXRSS_KB (\d+)", p.stdout).group(1))
    return p.stdout, p.stderr, rss * 1024


def ours(limit):
    cmd = [os.path.join(ROOT, "target/release/train"), "--epochs", "1"] + (["--limit", str(limit)] if limit else [])
    out, err, rss = measured(cmd)
    m = re.search(r"trained 1 epoch\(s\) on (\d+) images in ([\d.]+) s \((\d+) images/s", err)
    acc = float(re.search(r"Test Accuracy of the model on the \d+ test images: ([\d.]+)%", out).group(1)) / 100
    return {"engine": "backprop-playground (burn flex CPU, 1 thread)", "images": int(m.group(1)), "seconds": float(m.group(2)),
            "images_per_second": float(m.group(3)), "test_accuracy": acc, "peak_rss_bytes": rss}


def pytorch(threads, limit):
    cmd = [PYTHON, os.path.join(ROOT, "bench/pytorch_seed.py"), "--threads", str(threads)] + (["--limit", str(limit)] if limit else [])
    out, _, rss = measured(cmd)
    result = json.loads(out.splitlines()[0])
    result["peak_rss_bytes"] = rss
    return result


def main():
    results = {"machine": {"cpus": os.cpu_count(), "uname": " ".join(os.uname())}, "runs": {}}
    has_torch = subprocess.run([PYTHON, "-c", "import torch, numpy"], capture_output=True).returncode == 0
    if not has_torch:
        print(f"PyTorch is not importable by {PYTHON} (it could not be installed from PyPI here): the PyTorch rows are skipped.", file=sys.stderr)
    for limit, label in [(0, "60,000 images (1 epoch)"), (2048, "2,048 images")]:
        rows = [ours(limit)]
        if has_torch:
            rows += [pytorch(1, limit), pytorch(0, limit)]
        results["runs"][label] = rows
    os.makedirs(os.path.join(ROOT, "target/bench"), exist_ok=True)
    with open(os.path.join(ROOT, "target/bench/native.json"), "w") as f:
        json.dump(results, f, indent=1)
    print(f"\nNative training on this machine ({os.cpu_count()} CPUs), seed MLP, Adam 1e-3, batch 64; training loop timed, evaluation apart.\n")
    print("| run | engine | images/s | time s | test accuracy | peak RSS MB |")
    print("|---|---|---:|---:|---:|---:|")
    for label, rows in results["runs"].items():
        for r in rows:
            print(f"| {label} | {r['engine']} | {r['images_per_second']:,.0f} | {r['seconds']:.2f} | {100 * r['test_accuracy']:.1f} % | {r['peak_rss_bytes'] / 1e6:.0f} |")
        if len(rows) > 1:
            print(f"| {label} | **ratio** ours / PyTorch 1 thread | **{rows[0]['images_per_second'] / rows[1]['images_per_second']:.2f}×** | | | |")
            print(f"| {label} | ratio ours / PyTorch default threads | {rows[0]['images_per_second'] / rows[2]['images_per_second']:.2f}× | | | |")
    print("\nJSON: target/bench/native.json")


if __name__ == "__main__":
    main()
