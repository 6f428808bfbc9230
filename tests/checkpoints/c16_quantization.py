"""Can I make a trained model about four times smaller without losing its accuracy?

Capability: quantize a digits classifier to INT8 — weights symmetric per output channel, inputs affine with ranges
calibrated on sample data — so that it stores at least 3.5x fewer bytes (measured by the profiler: every parameter
and buffer) and reads handwritten digits it never saw within one point of the float model, computing with integers.
"""
from pathlib import Path

import numpy as np

from tinytorch.core.activations import ReLU
from tinytorch.core.autograd import no_grad
from tinytorch.core.layers import Linear, Sequential
from tinytorch.core.losses import CrossEntropyLoss
from tinytorch.core.optimizers import Adam
from tinytorch.core.tensor import Tensor
from tinytorch.core.training import accuracy
from tinytorch.perf.profiling import model_size_bytes, named_layers
from tinytorch.perf.quantization import QuantizedLinear, quantize_model

def _course_data(name):
    """A file of the course's data (milestones/data), found above this checkpoint: in the course, a student edition
    and an nbgrader assignment alike."""
    for folder in Path(__file__).resolve().parents:
        if (folder / "milestones" / "data" / name).is_file():
            return folder / "milestones" / "data" / name
    raise FileNotFoundError(f"milestones/data/{name} is not above this checkpoint: run it in the course")


DIGITS = _course_data("digits.npz")


def test_the_digits_mlp_in_int8_is_at_least_3_5x_smaller_and_as_accurate():
    with np.load(DIGITS) as archive:
        pixels = (archive["images"] / 16.0).astype(np.float32).reshape(-1, 64)
        labels = archive["labels"].astype(np.int64)
    order = np.random.default_rng(16).permutation(len(labels))
    train, test = order[:1400], order[1400:]
    model = Sequential(Linear(64, 128, seed=0), ReLU(), Linear(128, 10, seed=1))   # the 1986 milestone's MLP
    optimizer, loss_fn, rng = Adam(model.parameters(), lr=0.003), CrossEntropyLoss(), np.random.default_rng(0)
    for _ in range(6):
        for batch in np.array_split(rng.permutation(train), len(train) // 32):
            optimizer.zero_grad()
            loss_fn(model(Tensor(pixels[batch])), labels[batch]).backward()
            optimizer.step()
    with no_grad():
        before = accuracy(model(Tensor(pixels[test])), labels[test])
    quantized = quantize_model(model, pixels[train[:200]])
    after = accuracy(quantized(Tensor(pixels[test])), labels[test])
    float_bytes, int8_bytes = model_size_bytes(model), model_size_bytes(quantized)

    assert before > 0.9, f"the float MLP reads digits: {before:.1%}"
    assert float_bytes >= 3.5 * int8_bytes, f"{float_bytes:,} -> {int8_bytes:,} bytes ({float_bytes / int8_bytes:.2f}x)"
    assert after >= before - 0.01, f"held-out accuracy {before:.2%} -> {after:.2%} ({len(test)} digits)"
    layers = [layer for _, layer in named_layers(quantized) if isinstance(layer, QuantizedLinear)]
    assert len(layers) == 2 and all(layer.weight_levels.dtype == np.int8 for layer in layers)
    assert isinstance(model[0], Linear), "the float model is still there to compare with"
