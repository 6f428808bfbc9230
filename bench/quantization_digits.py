"""Quantization of the digit readers, with the milestones' full networks and training: stored bytes, held-out
accuracy and forward latency, float32 against INT8 (per tensor and per channel; min/max and percentile
calibration). Module 15 claims at least 3.5x smaller and at most one point of accuracy lost; its tests check that
on small networks trained for seconds, this script on the 1986 MLP and the 1998 LeNet-style CNN as the milestones
train them (on the milestones' split: 20 % of each digit held out, 359 images).

Needs the instructor edition of tinytorch (modules 01-15 exported). Run: python bench/quantization_digits.py
Prints a table and one JSON line with every figure. Latency: module 14's measure_latency (warm-up, repeats,
median), both models measured in the same session, reported as a ratio.
"""

from __future__ import annotations

import os

# One BLAS thread, as the 1998 milestone: these products are small, and on a busy 2-core machine two threads wait
# for each other more than they help. Set before NumPy loads; a value the caller has set wins.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tinytorch.core.activations import ReLU  # noqa: E402
from tinytorch.core.autograd import no_grad  # noqa: E402
from tinytorch.core.dataloader import DataLoader, TensorDataset  # noqa: E402
from tinytorch.core.layers import Dropout, Linear, Sequential  # noqa: E402
from tinytorch.core.losses import CrossEntropyLoss  # noqa: E402
from tinytorch.core.optimizers import Adam  # noqa: E402
from tinytorch.core.spatial import Conv2d, Flatten, MaxPool2d  # noqa: E402
from tinytorch.core.tensor import Tensor  # noqa: E402
from tinytorch.core.training import Trainer, accuracy  # noqa: E402
from tinytorch.perf.profiling import measure_latency, model_size_bytes  # noqa: E402
from tinytorch.perf.quantization import quantize_model  # noqa: E402

DATA = REPO / "milestones" / "data" / "digits.npz"
SPLIT_SEED = 1986
CALIBRATION_IMAGES = 500


def split(labels, test_fraction, rng):
    """Hold out `test_fraction` of each digit class (the milestones' split)."""
    train_idx, test_idx = [], []
    for digit in range(10):
        members = rng.permutation(np.flatnonzero(labels == digit))
        cut = int(round(len(members) * test_fraction))
        test_idx.extend(members[:cut])
        train_idx.extend(members[cut:])
    return rng.permutation(train_idx), np.array(test_idx)


def mlp():
    """The 1986 milestone's network."""
    return Sequential(Linear(64, 128, seed=1986), ReLU(), Dropout(0.1, seed=1986), Linear(128, 10, seed=1987))


def lenet():
    """The 1998 milestone's network."""
    return Sequential(
        Conv2d(1, 32, kernel_size=3, padding=1, seed=1998), ReLU(), MaxPool2d(2),
        Conv2d(32, 64, kernel_size=3, padding=1, seed=1999), ReLU(), MaxPool2d(2),
        Flatten(), Dropout(0.2, seed=2000),
        Linear(256, 128, seed=2001), ReLU(), Dropout(0.4, seed=2002),
        Linear(128, 10, seed=2003),
    )


def train(model, x, y, x_test, y_test, epochs, seed, lr_cuts=None):
    loader = DataLoader(TensorDataset(x, y), batch_size=32, shuffle=True, seed=seed)
    held_out = DataLoader(TensorDataset(x_test, y_test), batch_size=360)
    optimizer = Adam(model.parameters(), lr=0.003)
    trainer = Trainer(model, optimizer, CrossEntropyLoss(), metric=accuracy)
    for epoch in range(1, epochs + 1):
        optimizer.lr *= (lr_cuts or {}).get(epoch, 1.0)
        trainer.fit(loader, held_out, epochs=1)
    model.eval()
    return model


def evaluate(model, x, y):
    with no_grad():
        return accuracy(model(Tensor(x)), y)


def bench(name, model, x_train, x_test, y_test):
    before = evaluate(model, x_test, y_test)
    float_bytes = model_size_bytes(model)
    float_time = measure_latency(lambda: evaluate(model, x_test, y_test), warmup=2, repeats=15)
    rows = {"float32": {"bytes": float_bytes, "accuracy": round(before, 4)}}
    print(f"\n{name}: float32 {float_bytes:,} bytes, held-out accuracy {before:.2%}, "
          f"forward on {len(y_test)} images {float_time.median * 1e3:.1f} ms median")
    calibration = x_train[:CALIBRATION_IMAGES]
    for per_channel in (False, True):
        for method in ("minmax", "percentile"):
            quantized = quantize_model(model, calibration, per_channel=per_channel, method=method, percentile=99.99)
            after = evaluate(quantized, x_test, y_test)
            int8_bytes = model_size_bytes(quantized)
            label = f"int8 per {'channel' if per_channel else 'tensor'}, {method}"
            row = {"bytes": int8_bytes, "ratio": round(float_bytes / int8_bytes, 3), "accuracy": round(after, 4),
                   "points_lost": round((before - after) * 100, 2)}
            if per_channel and method == "minmax":
                int8_time = measure_latency(lambda: evaluate(quantized, x_test, y_test), warmup=2, repeats=15)
                row["latency_ratio"] = round(int8_time.median / float_time.median, 2)
            rows[label] = row
            timing = f", int8/float32 time {row['latency_ratio']:.2f}x" if "latency_ratio" in row else ""
            print(f"  {label:<34} {int8_bytes:>9,} bytes ({row['ratio']:.2f}x smaller)  accuracy {after:.2%} "
                  f"({(after - before) * 100:+.2f} points){timing}")
    return rows


def main():
    started = time.perf_counter()
    with np.load(DATA) as archive:
        images, labels = archive["images"], archive["labels"].astype(np.int64)
    train_idx, test_idx = split(labels, 0.2, np.random.default_rng(SPLIT_SEED))
    pixels = (images / 16.0).astype(np.float32)
    flat, pictures = pixels.reshape(-1, 64), pixels[:, np.newaxis]
    y_train, y_test = labels[train_idx], labels[test_idx]

    print(f"training the 1986 MLP and the 1998 CNN as the milestones do ({len(train_idx)} training, "
          f"{len(test_idx)} held-out digits) ...")
    the_mlp = train(mlp(), flat[train_idx], y_train, flat[test_idx], y_test, epochs=20, seed=1986)
    the_cnn = train(lenet(), pictures[train_idx], y_train, pictures[test_idx], y_test, epochs=30, seed=1998,
                    lr_cuts={15: 0.3, 22: 0.3, 27: 0.3})
    figures = {"bench": "quantization_digits",
               "mlp": bench("1986 MLP", the_mlp, flat[train_idx], flat[test_idx], y_test),
               "cnn": bench("1998 LeNet-style CNN", the_cnn, pictures[train_idx], pictures[test_idx], y_test),
               "seconds": None}
    figures["seconds"] = round(time.perf_counter() - started, 1)
    claim = all(row["ratio"] >= 3.5 and row["points_lost"] <= 1.0
                for model in ("mlp", "cnn") for label, row in figures[model].items() if label.endswith("minmax")
                and "channel" in label)
    print(f"\nclaim (per channel, min/max): at least 3.5x smaller and at most one point lost: "
          f"{'holds' if claim else 'does NOT hold'}; {figures['seconds']} s")
    print(json.dumps(figures))
    return 0 if claim else 1


if __name__ == "__main__":
    sys.exit(main())
