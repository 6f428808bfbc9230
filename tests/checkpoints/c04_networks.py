"""Can I build a multi-layer network and run it forward?

Capability: stack Linear layers and activations in a Sequential model, run a batch through the whole
multi-layer perceptron, and collect all of its parameters.
"""
import numpy as np

from tinytorch.core.activations import ReLU, Softmax
from tinytorch.core.layers import Dropout, Linear, Sequential
from tinytorch.core.tensor import Tensor


def test_mlp_forward_pass():
    mlp = Sequential(Linear(64, 32, seed=0), ReLU(), Dropout(0.1, seed=0), Linear(32, 10, seed=1), Softmax())
    mlp.eval()
    images = Tensor(np.random.default_rng(0).random((16, 64)).astype(np.float32))
    probs = mlp(images)
    assert probs.shape == (16, 10)
    assert np.allclose(probs.data.sum(axis=1), 1, atol=1e-5)
    assert len(mlp.parameters()) == 4
    assert sum(p.numel() for p in mlp.parameters()) == 64 * 32 + 32 + 32 * 10 + 10


def test_network_matches_manual_computation():
    first, second = Linear(3, 4, seed=1), Linear(4, 2, seed=2)
    net = Sequential(first, ReLU(), second)
    x = np.random.default_rng(1).normal(size=(5, 3)).astype(np.float32)
    hidden = np.maximum(x @ first.weight.data + first.bias.data, 0)
    assert np.allclose(net(Tensor(x)).data, hidden @ second.weight.data + second.bias.data, atol=1e-5)


def test_deep_network_stays_finite():
    layers = []
    for i in range(10):
        layers += [Linear(32, 32, seed=i), ReLU()]
    deep = Sequential(*layers)
    out = deep(Tensor(np.random.default_rng(2).normal(size=(8, 32)).astype(np.float32)))
    assert out.shape == (8, 32) and np.all(np.isfinite(out.data))
