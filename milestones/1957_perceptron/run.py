"""1957 — Rosenblatt's perceptron: one neuron learns to separate two classes.

Needs modules 01 tensor, 02 activations, 03 layers, 04 losses, 05 autograd, 06 optimizers.
Run from anywhere: python milestones/1957_perceptron/run.py
"""
import json
import sys
import time

import numpy as np

from tinytorch.core.activations import Sigmoid
from tinytorch.core.autograd import no_grad
from tinytorch.core.layers import Linear, Sequential
from tinytorch.core.losses import BinaryCrossEntropyLoss
from tinytorch.core.optimizers import SGD
from tinytorch.core.tensor import Tensor

SEED = 1957
TARGET_ACCURACY = 0.95


def two_clouds(n, rng):
    """Two Gaussian clouds of 2-D points, labelled 0 and 1: linearly separable (almost surely)."""
    labels = (rng.random(n) < 0.5).astype(np.float32)
    centers = np.where(labels[:, None] == 1, [[2.0, 2.0]], [[-2.0, -1.0]])
    points = centers + rng.normal(scale=0.8, size=(n, 2))
    return points.astype(np.float32), labels.reshape(-1, 1)


def main():
    started = time.perf_counter()
    rng = np.random.default_rng(SEED)
    train_x, train_y = two_clouds(200, rng)
    test_x, test_y = two_clouds(100, rng)

    # The perceptron: a weighted sum of the inputs plus a bias, squashed into a probability.
    perceptron = Sequential(Linear(2, 1, seed=SEED), Sigmoid())
    optimizer = SGD(perceptron.parameters(), lr=0.5)
    loss_fn = BinaryCrossEntropyLoss()
    x, y = Tensor(train_x), Tensor(train_y)

    print("1957: Frank Rosenblatt's perceptron learns to tell two classes apart.")
    for epoch in range(1, 101):
        optimizer.zero_grad()
        loss = loss_fn(perceptron(x), y)
        loss.backward()
        optimizer.step()
        if epoch in (1, 10, 25, 50, 100):
            print(f"  epoch {epoch:3d}  loss {loss.item():.4f}")

    with no_grad():
        predictions = perceptron(Tensor(test_x)).data
    accuracy = float(np.mean((predictions > 0.5) == (test_y > 0.5)))
    w = perceptron[0].weight.data.reshape(-1)
    b = float(perceptron[0].bias.data[0])
    seconds = time.perf_counter() - started
    print(f"  decision boundary: {w[0]:.2f}·x1 {w[1]:+.2f}·x2 {b:+.2f} = 0")
    print(f"  held-out accuracy: {accuracy:.1%} on {len(test_x)} new points (target {TARGET_ACCURACY:.0%})")
    print(json.dumps({"milestone": "1957_perceptron", "accuracy": round(accuracy, 4), "seconds": round(seconds, 2)}))
    return 0 if accuracy >= TARGET_ACCURACY else 1


if __name__ == "__main__":
    sys.exit(main())
