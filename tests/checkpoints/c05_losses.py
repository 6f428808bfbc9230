"""Can I measure how wrong predictions are?

Capability: score regression with mean squared error, multi-class classification with cross-entropy on
logits, and yes/no classification with binary cross-entropy — stably, as a single number.
"""
import numpy as np

from tinytorch.core.activations import Sigmoid
from tinytorch.core.losses import BinaryCrossEntropyLoss, CrossEntropyLoss, MSELoss
from tinytorch.core.tensor import Tensor


def test_better_predictions_have_lower_loss():
    labels = np.array([0, 1, 2, 1])
    right = Tensor(np.eye(3)[labels] * 4)
    wrong = Tensor(np.eye(3)[(labels + 1) % 3] * 4)
    ce = CrossEntropyLoss()
    assert ce(right, labels).item() < ce(wrong, labels).item()
    assert np.isclose(ce(Tensor(np.zeros((4, 3))), labels).item(), np.log(3), atol=1e-5)


def test_regression_loss():
    assert np.isclose(MSELoss()(Tensor([[1.0], [2.0]]), Tensor([[1.0], [4.0]])).item(), 2.0)


def test_binary_loss_on_sigmoid_outputs():
    probs = Sigmoid()(Tensor([[4.0], [-4.0], [0.0]]))
    loss = BinaryCrossEntropyLoss()(probs, Tensor([[1.0], [0.0], [1.0]]))
    expected = -(np.log(1 / (1 + np.exp(-4))) * 2 + np.log(0.5)) / 3
    assert np.isclose(loss.item(), expected, atol=1e-5)
    assert np.isfinite(BinaryCrossEntropyLoss()(Tensor([0.0]), Tensor([1.0])).item())
