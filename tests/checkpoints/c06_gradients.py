"""Can I compute gradients automatically?

Capability: call backward() on a loss computed through layers, activations and losses, and get the
gradient of every parameter — matching finite differences.
"""
import numpy as np

from tinytorch.core.activations import Tanh
from tinytorch.core.autograd import no_grad
from tinytorch.core.layers import Linear, Sequential
from tinytorch.core.losses import CrossEntropyLoss
from tinytorch.core.tensor import Tensor


def test_backward_fills_every_parameter():
    model = Sequential(Linear(4, 6, seed=0), Tanh(), Linear(6, 3, seed=1))
    loss = CrossEntropyLoss()(model(Tensor(np.ones((5, 4), dtype=np.float32))), np.array([0, 1, 2, 1, 0]))
    loss.backward()
    for p in model.parameters():
        assert p.grad is not None and p.grad.shape == p.shape


def test_gradient_matches_finite_difference():
    x = np.random.default_rng(0).normal(size=(3, 2))
    w = np.random.default_rng(1).normal(size=(2, 2))
    labels = np.array([1, 0, 1])

    def loss_at(w_values):
        return CrossEntropyLoss()(Tanh()(Tensor(x) @ Tensor(w_values)), labels)

    weight = Tensor(w.copy(), requires_grad=True)
    CrossEntropyLoss()(Tanh()(Tensor(x) @ weight), labels).backward()
    eps = 1e-6
    for index in np.ndindex(w.shape):
        plus, minus = w.copy(), w.copy()
        plus[index] += eps
        minus[index] -= eps
        numeric = (loss_at(plus).item() - loss_at(minus).item()) / (2 * eps)
        assert np.isclose(weight.grad.data[index], numeric, atol=1e-6)


def test_no_grad_for_inference():
    model = Linear(3, 1, seed=0)
    with no_grad():
        out = model(Tensor([[1.0, 2.0, 3.0]]))
    assert out.grad_fn is None
