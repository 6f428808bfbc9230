"""1998 — LeNet: a convolutional network reads handwritten digits, better than the 1986 perceptron.

Needs modules 01 tensor, 02 activations, 03 layers, 04 losses, 05 autograd, 06 optimizers,
07 training, 08 dataloader, 09 spatial. Data: milestones/data/digits.npz (UCI optical digits, shipped
with the repo). Run from anywhere: python milestones/1998_lenet_digits/run.py
"""
import json
import os
import sys
import time
from pathlib import Path

# One BLAS thread: this network's matrix products are small, and on a busy 2-core machine two BLAS threads wait
# for each other more than they help (measured: 6.7 s with one thread, 15.3 s with two). Set before NumPy
# loads its BLAS; a value the caller has set wins.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np

from tinytorch.core.activations import ReLU
from tinytorch.core.autograd import no_grad
from tinytorch.core.dataloader import DataLoader, TensorDataset
from tinytorch.core.layers import Dropout, Linear, Sequential
from tinytorch.core.losses import CrossEntropyLoss
from tinytorch.core.optimizers import Adam
from tinytorch.core.spatial import Conv2d, Flatten, MaxPool2d
from tinytorch.core.tensor import Tensor
from tinytorch.core.training import Trainer, accuracy

SEED = 1998
SPLIT_SEED = 1986          # the 1986 milestone's split: both networks are judged on the same held-out digits
MLP_ACCURACY = 0.978       # what the 1986 multi-layer perceptron reaches on them
TARGET_ACCURACY = 0.98
EPOCHS = 30
LEARNING_RATE_CUTS = {15: 0.3, 22: 0.3, 27: 0.3}   # epoch -> factor: smaller steps to settle at the end
DATA = Path(__file__).resolve().parent.parent / "data" / "digits.npz"
SHADES = " .:-=+*#%@"


def load_digits():
    """8x8 images with pixel values 0..16 and their labels 0..9."""
    with np.load(DATA) as archive:
        return archive["images"], archive["labels"]


def split(images, labels, test_fraction, rng):
    """Shuffle, then hold out `test_fraction` of each digit class for testing (as the 1986 milestone does)."""
    train_idx, test_idx = [], []
    for digit in range(10):
        members = rng.permutation(np.flatnonzero(labels == digit))
        cut = int(round(len(members) * test_fraction))
        test_idx.extend(members[:cut])
        train_idx.extend(members[cut:])
    return rng.permutation(train_idx), np.array(test_idx)


def lenet():
    """LeNet's plan, sized for 8x8 digits: convolution, pooling, convolution, pooling, then a classifier."""
    return Sequential(
        Conv2d(1, 32, kernel_size=3, padding=1, seed=SEED), ReLU(), MaxPool2d(2),        # 1x8x8  -> 32x4x4
        Conv2d(32, 64, kernel_size=3, padding=1, seed=SEED + 1), ReLU(), MaxPool2d(2),   # 32x4x4 -> 64x2x2
        Flatten(), Dropout(0.2, seed=SEED + 2),                                          # -> 256
        Linear(256, 128, seed=SEED + 3), ReLU(), Dropout(0.4, seed=SEED + 4),
        Linear(128, 10, seed=SEED + 5),
    )


def ascii_digit(image):
    return ["".join(SHADES[min(int(v) * len(SHADES) // 17, len(SHADES) - 1)] * 2 for v in row) for row in image]


def main():
    started = time.perf_counter()
    images, labels = load_digits()
    pictures = (images / 16.0).astype(np.float32)[:, np.newaxis]     # (N, 1, 8, 8): one grey channel
    train_idx, test_idx = split(images, labels, 0.2, np.random.default_rng(SPLIT_SEED))
    rng = np.random.default_rng(SEED)

    train = DataLoader(TensorDataset(pictures[train_idx], labels[train_idx]), batch_size=32, shuffle=True, seed=SEED)
    test = DataLoader(TensorDataset(pictures[test_idx], labels[test_idx]), batch_size=360)
    print("1998: LeCun, Bottou, Bengio and Haffner's LeNet-5 reads handwritten digits with convolutions.")
    print(f"  {len(train_idx)} training and {len(test_idx)} held-out images of handwritten digits (8x8 pixels), "
          f"the 1986 milestone's split")

    model = lenet()
    count = sum(p.numel() for p in model.parameters())
    print(f"  LeNet-style network: conv 32 -> pool -> conv 64 -> pool -> 128 -> 10, {count:,} parameters")
    optimizer = Adam(model.parameters(), lr=0.003)
    trainer = Trainer(model, optimizer, CrossEntropyLoss(), metric=accuracy)
    for epoch in range(1, EPOCHS + 1):
        optimizer.lr *= LEARNING_RATE_CUTS.get(epoch, 1.0)
        trainer.fit(train, test, epochs=1)
        if epoch in (1, 2, 5, 10, 15, 20, 25, 30):
            print(f"  epoch {epoch:2d}  train loss {trainer.history['train_loss'][-1]:.4f}  "
                  f"held-out accuracy {trainer.history['val_accuracy'][-1]:.1%}")

    final = trainer.evaluate(test)
    model.eval()
    with no_grad():
        predicted = model(Tensor(pictures[test_idx])).data.argmax(axis=1)
    truth = labels[test_idx]
    per_digit = [float(np.mean(predicted[truth == d] == d)) for d in range(10)]
    print("  per digit: " + "  ".join(f"{d}:{a:.0%}" for d, a in enumerate(per_digit)))

    wrong = np.flatnonzero(predicted != truth)
    shown = wrong[:4] if len(wrong) else rng.choice(len(test_idx), size=4, replace=False)
    rows = [ascii_digit(images[test_idx[i]]) for i in shown]
    print(f"  {len(wrong)} of {len(test_idx)} held-out digits misread; " +
          ("the first ones:" if len(wrong) else "a few read correctly:"))
    for line in range(8):
        print("    " + "   ".join(r[line] for r in rows))
    print("    " + "   ".join(f"read {predicted[i]}, is {truth[i]}".ljust(16) for i in shown))

    seconds = time.perf_counter() - started
    print(f"  held-out accuracy {final['accuracy']:.1%} (target {TARGET_ACCURACY:.0%}; the 1986 MLP: "
          f"{MLP_ACCURACY:.1%}) in {seconds:.1f} s")
    print(json.dumps({"milestone": "1998_lenet_digits", "accuracy": round(final["accuracy"], 4),
                      "seconds": round(seconds, 2)}))
    return 0 if final["accuracy"] >= TARGET_ACCURACY else 1


if __name__ == "__main__":
    sys.exit(main())
