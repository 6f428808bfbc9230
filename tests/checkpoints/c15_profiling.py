"""Can I measure what my model costs?

Capability: profile a LeNet-style CNN on handwritten digits as an ML systems engineer would: its parameters and
bytes, FLOPs per layer counted from the shapes a real forward pass sees (a multiply-add is 2 FLOPs), latency of a
forward pass and of a training step as a median with its spread after warm-up, and their peak memory (tracemalloc);
then read the profile: which layer does the arithmetic, which holds the parameters, what training costs in memory.
"""
from pathlib import Path

import numpy as np

from tinytorch.core.activations import ReLU
from tinytorch.core.layers import Linear, Sequential
from tinytorch.core.losses import CrossEntropyLoss
from tinytorch.core.optimizers import Adam
from tinytorch.core.spatial import Conv2d, Flatten, MaxPool2d
from tinytorch.core.tensor import Tensor
from tinytorch.perf.profiling import Profiler, named_layers

DIGITS = Path(__file__).resolve().parents[2] / "milestones" / "data" / "digits.npz"


def test_a_profile_of_the_digits_cnn_says_where_the_work_and_the_memory_are():
    with np.load(DIGITS) as archive:
        images, labels = archive["images"][:64], archive["labels"][:64]
    x = Tensor((images / 16.0).astype(np.float32)[:, np.newaxis])
    model = Sequential(Conv2d(1, 8, 3, padding=1, seed=0), ReLU(), MaxPool2d(2),
                       Conv2d(8, 16, 3, padding=1, seed=1), ReLU(), MaxPool2d(2),
                       Flatten(), Linear(64, 32, seed=2), ReLU(), Linear(32, 10, seed=3))
    report = Profiler(model, warmup=1, repeats=5).report(x, labels, CrossEntropyLoss(),
                                                         Adam(model.parameters(), lr=1e-3))
    parameters = (8 * 9 + 8) + (16 * 8 * 9 + 16) + (64 * 32 + 32) + (32 * 10 + 10)
    assert report["parameters"] == parameters and report["size_bytes"] == 4 * parameters
    layers = {p.name: p for p in report["layers"]}
    assert layers["layers.3"].flops == 2 * 64 * 16 * 4 * 4 * 8 * 9 + 64 * 16 * 4 * 4, "the second convolution"
    assert max(report["layers"], key=lambda p: p.flops).name == "layers.3", "the arithmetic is in the convolutions"
    assert max(report["layers"], key=lambda p: p.parameters).name == "layers.7", "the parameters in a Linear layer"
    assert report["flops"] == sum(p.flops for p in report["layers"])
    for timing in (report["forward_latency"], report["training_latency"]):
        assert len(timing.samples) == 5 and 0 < timing.min <= timing.q1 <= timing.median <= timing.q3 <= timing.max
    assert report["forward_memory"] >= 64 * 8 * 8 * 8 * 4, "at least the first convolution's output"
    assert report["training_memory"] > report["forward_memory"], "training keeps activations and gradients"
    assert all("forward" not in vars(layer) for _, layer in named_layers(model)), "profiling leaves the model as is"
