"""1986 — Backpropagation: a multi-layer perceptron learns to read handwritten digits.

Needs modules 01 tensor, 02 activations, 03 layers, 04 losses, 05 autograd, 06 optimizers,
07 training, 08 dataloader. Data: milestones/data/digits.npz (UCI optical digits, shipped with the repo).
Run from anywhere: python milestones/1986_mlp_digits/run.py
"""
import json
import sys
import time
from pathlib import Path

import numpy as np

from tinytorch.core.activations import ReLU
from tinytorch.core.autograd import no_grad
from tinytorch.core.dataloader import DataLoader, TensorDataset
from tinytorch.core.layers import Dropout, Linear, Sequential
from tinytorch.core.losses import CrossEntropyLoss
from tinytorch.core.optimizers import Adam
from tinytorch.core.tensor import Tensor
from tinytorch.core.training import Trainer, accuracy

SEED = 1986
TARGET_ACCURACY = 0.90
DATA = Path(__file__).resolve().parent.parent / "data" / "digits.npz"
SHADES = " .:-=+*#%@"


def load_digits():
    """8x8 images with pixel values 0..16 and their labels 0..9."""
    with np.load(DATA) as archive:
        return archive["images"], archive["labels"]


def split(images, labels, test_fraction, rng):
    """Shuffle, then hold out `test_fraction` of each digit class for testing."""
    train_idx, test_idx = [], []
    for digit in range(10):
        members = rng.permutation(np.flatnonzero(labels == digit))
        cut = int(round(len(members) * test_fraction))
        test_idx.extend(members[:cut])
        train_idx.extend(members[cut:])
    return rng.permutation(train_idx), np.array(test_idx)


def ascii_digit(image):
    return ["".join(SHADES[min(int(v) * len(SHADES) // 17, len(SHADES) - 1)] * 2 for v in row) for row in image]


def main():
    started = time.perf_counter()
    rng = np.random.default_rng(SEED)
    images, labels = load_digits()
    features = (images.reshape(len(images), 64) / 16.0).astype(np.float32)
    train_idx, test_idx = split(images, labels, 0.2, rng)

    train = DataLoader(TensorDataset(features[train_idx], labels[train_idx]), batch_size=32, shuffle=True, seed=SEED)
    test = DataLoader(TensorDataset(features[test_idx], labels[test_idx]), batch_size=256)
    print("1986: Rumelhart, Hinton and Williams train multi-layer networks with backpropagation.")
    print(f"  {len(train_idx)} training and {len(test_idx)} held-out images of handwritten digits (8x8 pixels)")

    model = Sequential(
        Linear(64, 128, seed=SEED), ReLU(),
        Dropout(0.1, seed=SEED),
        Linear(128, 10, seed=SEED + 1),
    )
    trainer = Trainer(model, Adam(model.parameters(), lr=0.003), CrossEntropyLoss(), metric=accuracy)
    for epoch in range(1, 21):
        trainer.fit(train, test, epochs=1)
        if epoch in (1, 2, 5, 10, 15, 20):
            print(f"  epoch {epoch:2d}  train loss {trainer.history['train_loss'][-1]:.4f}  "
                  f"held-out accuracy {trainer.history['val_accuracy'][-1]:.1%}")

    final = trainer.evaluate(test)
    model.eval()
    with no_grad():
        predicted = model(Tensor(features[test_idx])).data.argmax(axis=1)
    truth = labels[test_idx]
    per_digit = [float(np.mean(predicted[truth == d] == d)) for d in range(10)]
    print("  per digit: " + "  ".join(f"{d}:{a:.0%}" for d, a in enumerate(per_digit)))

    shown = rng.choice(len(test_idx), size=4, replace=False)
    rows = [ascii_digit(images[test_idx[i]]) for i in shown]
    print("  a few held-out digits and what the network reads:")
    for line in range(8):
        print("    " + "   ".join(r[line] for r in rows))
    print("    " + "   ".join(f"read {predicted[i]}, is {truth[i]}".ljust(16) for i in shown))

    seconds = time.perf_counter() - started
    print(f"  held-out accuracy {final['accuracy']:.1%} (target {TARGET_ACCURACY:.0%}) in {seconds:.1f} s")
    print(json.dumps({"milestone": "1986_mlp_digits", "accuracy": round(final["accuracy"], 4),
                      "seconds": round(seconds, 2)}))
    return 0 if final["accuracy"] >= TARGET_ACCURACY else 1


if __name__ == "__main__":
    sys.exit(main())
