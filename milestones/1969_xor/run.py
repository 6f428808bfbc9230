"""1969 — The XOR problem: one neuron cannot learn it, a hidden layer can.

Needs modules 01 tensor, 02 activations, 03 layers, 04 losses, 05 autograd, 06 optimizers.
Run from anywhere: python milestones/1969_xor/run.py
"""
import json
import sys
import time

import numpy as np

from tinytorch.core.activations import Sigmoid, Tanh
from tinytorch.core.autograd import no_grad
from tinytorch.core.layers import Linear, Sequential
from tinytorch.core.losses import BinaryCrossEntropyLoss
from tinytorch.core.optimizers import Adam
from tinytorch.core.tensor import Tensor

SEED = 1969
CORNERS = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], dtype=np.float32)
XOR = np.array([0.0, 1.0, 1.0, 0.0], dtype=np.float32)


def noisy_xor(n, rng):
    """Points scattered around the four corners of the unit square, labelled with XOR of the corner."""
    corner = rng.integers(0, 4, n)
    points = CORNERS[corner] + rng.normal(scale=0.12, size=(n, 2))
    return points.astype(np.float32), XOR[corner].reshape(-1, 1)


def train(model, x, y, steps=600):
    optimizer = Adam(model.parameters(), lr=0.05)
    loss_fn = BinaryCrossEntropyLoss()
    for _ in range(steps):
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
    return loss.item()


def accuracy_of(model, x, y):
    with no_grad():
        return float(np.mean((model(x).data > 0.5) == (y.data > 0.5)))


def main():
    started = time.perf_counter()
    rng = np.random.default_rng(SEED)
    train_x, train_y = (Tensor(a) for a in noisy_xor(200, rng))
    test_x, test_y = (Tensor(a) for a in noisy_xor(200, rng))
    corners, xor = Tensor(CORNERS), Tensor(XOR.reshape(-1, 1))

    print("1969: Minsky and Papert show that a single-layer perceptron cannot learn XOR.")
    single = Sequential(Linear(2, 1, seed=SEED), Sigmoid())
    single_loss = train(single, train_x, train_y)
    single_accuracy = accuracy_of(single, test_x, test_y)
    print(f"  single neuron:  loss {single_loss:.3f}, held-out accuracy {single_accuracy:.1%}  (a line cannot split XOR)")

    print("1986 answer: add a hidden layer and train it with backpropagation.")
    mlp = Sequential(Linear(2, 8, seed=SEED), Tanh(), Linear(8, 1, seed=SEED + 1), Sigmoid())
    mlp_loss = train(mlp, train_x, train_y)
    mlp_accuracy = accuracy_of(mlp, test_x, test_y)
    corner_accuracy = accuracy_of(mlp, corners, xor)
    with no_grad():
        outputs = mlp(corners).data.reshape(-1)
    print(f"  2-8-1 network:  loss {mlp_loss:.3f}, held-out accuracy {mlp_accuracy:.1%}")
    for (a, b), target, out in zip(CORNERS, XOR, outputs):
        print(f"    XOR({a:.0f}, {b:.0f}) = {target:.0f}   network says {out:.3f}")

    seconds = time.perf_counter() - started
    solved = single_accuracy < 0.9 and mlp_accuracy >= 0.97 and corner_accuracy == 1.0
    print(json.dumps({"milestone": "1969_xor", "accuracy": round(mlp_accuracy, 4),
                      "single_layer_accuracy": round(single_accuracy, 4), "seconds": round(seconds, 2)}))
    return 0 if solved else 1


if __name__ == "__main__":
    sys.exit(main())
