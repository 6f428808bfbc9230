"""Can I add non-linearity with activation functions?

Capability: apply ReLU, Sigmoid, Tanh, GELU and Softmax to tensors, with numerically stable results
for extreme inputs.
"""
import numpy as np

from tinytorch.core.activations import GELU, ReLU, Sigmoid, Softmax, Tanh
from tinytorch.core.tensor import Tensor


def test_activation_shapes_and_ranges():
    x = Tensor(np.linspace(-5, 5, 20).reshape(4, 5))
    assert np.all(ReLU()(x).data >= 0)
    assert np.all((Sigmoid()(x).data > 0) & (Sigmoid()(x).data < 1))
    assert np.all(np.abs(Tanh()(x).data) < 1)
    assert GELU()(x).shape == (4, 5)


def test_softmax_gives_class_probabilities():
    scores = Tensor([[3.0, 1.0, 0.2], [1000.0, 1000.0, -1000.0]])
    probs = Softmax()(scores).data
    assert np.allclose(probs.sum(axis=1), 1)
    assert np.argmax(probs[0]) == 0
    assert np.allclose(probs[1], [0.5, 0.5, 0.0])


def test_non_linearity_breaks_linearity():
    x = Tensor([[-1.0], [1.0]])
    relu = ReLU()
    assert not np.allclose(relu(x * -1).data, (relu(x) * -1).data), "ReLU(-x) differs from -ReLU(x)"
