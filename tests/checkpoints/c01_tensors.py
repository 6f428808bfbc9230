"""Can I create tensors and compute with them?

Capability: build tensors from Python data, combine them with broadcasting arithmetic and matrix
multiplication, reshape them, and reduce them — the operations every network is made of.
"""
import numpy as np

from tinytorch.core.tensor import Tensor, ones, randn, zeros


def test_create_and_inspect():
    image_batch = zeros(8, 3, 4, 4)
    assert image_batch.shape == (8, 3, 4, 4) and image_batch.numel() == 384
    assert Tensor([[1, 2], [3, 4]]).dtype == np.float32
    assert np.array_equal(randn(2, 2, seed=0).data, randn(2, 2, seed=0).data)


def test_linear_model_by_hand():
    x = Tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    w = Tensor([[1.0, -1.0, 0.5], [0.0, 2.0, 1.0]])
    b = ones(3)
    y = x @ w + b
    assert y.shape == (3, 3)
    assert np.allclose(y.data, x.data @ w.data + 1)


def test_statistics_of_a_batch():
    x = Tensor(np.arange(12, dtype=np.float32).reshape(3, 4))
    centred = x - x.mean(axis=0)
    assert np.allclose(centred.mean(axis=0).data, 0)
    assert np.isclose(x.max().item(), 11)
    assert x.reshape(4, 3).transpose().shape == (3, 4)
    assert np.isclose(((x - 5.5) ** 2).sum().item(), ((np.arange(12) - 5.5) ** 2).sum())
