"""Can I update parameters to reduce a loss?

Capability: use SGD with momentum, Adam and AdamW to turn gradients into parameter updates that drive
a loss down.
"""
import numpy as np

from tinytorch.core.activations import Tanh
from tinytorch.core.autograd import no_grad
from tinytorch.core.layers import Linear, Sequential
from tinytorch.core.losses import MSELoss
from tinytorch.core.optimizers import SGD, Adam, AdamW
from tinytorch.core.tensor import Tensor


def fit(make_optimizer, steps=150):
    rng = np.random.default_rng(0)
    x = Tensor(rng.uniform(-2, 2, size=(64, 1)).astype(np.float32))
    y = Tensor((x.data ** 2).astype(np.float32))
    model = Sequential(Linear(1, 16, seed=0), Tanh(), Linear(16, 1, seed=1))
    optimizer = make_optimizer(model.parameters())
    losses = []
    for _ in range(steps):
        optimizer.zero_grad()
        loss = MSELoss()(model(x), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    with no_grad():
        losses.append(MSELoss()(model(x), y).item())   # after the last step
    return losses


def test_sgd_with_momentum_reduces_loss():
    losses = fit(lambda ps: SGD(ps, lr=0.05, momentum=0.9))
    assert losses[-1] < 0.2 * losses[0]


def test_adam_reduces_loss():
    losses = fit(lambda ps: Adam(ps, lr=0.05))
    assert losses[-1] < 0.1 * losses[0]


def test_adamw_reduces_loss():
    losses = fit(lambda ps: AdamW(ps, lr=0.05, weight_decay=0.01))
    assert losses[-1] < 0.1 * losses[0]
