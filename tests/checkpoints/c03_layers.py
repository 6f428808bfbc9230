"""Can I build a layer with learnable parameters?

Capability: create Linear layers with reproducible random weights, run batches through them, and
list their parameters; use Dropout in training and evaluation mode.
"""
import numpy as np

from tinytorch.core.layers import Dropout, Linear
from tinytorch.core.tensor import Tensor


def test_linear_layer():
    layer = Linear(784, 128, seed=0)
    out = layer(Tensor(np.zeros((32, 784), dtype=np.float32)))
    assert out.shape == (32, 128)
    assert np.allclose(out.data, layer.bias.data), "zero input gives the bias"
    assert sum(p.numel() for p in layer.parameters()) == 784 * 128 + 128
    assert all(p.requires_grad for p in layer.parameters())


def test_reproducible_initialisation():
    assert np.array_equal(Linear(10, 5, seed=3).weight.data, Linear(10, 5, seed=3).weight.data)


def test_dropout_modes():
    x = Tensor(np.ones((100, 100), dtype=np.float32))
    dropout = Dropout(0.25, seed=0)
    assert 0.2 < np.mean(dropout(x).data == 0) < 0.3
    dropout.eval()
    assert np.array_equal(dropout(x).data, x.data)
