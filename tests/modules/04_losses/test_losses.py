"""Module 04 — losses: MSELoss, CrossEntropyLoss, BinaryCrossEntropyLoss, log_softmax."""
import numpy as np
import pytest

from tinytorch.core.losses import BinaryCrossEntropyLoss, CrossEntropyLoss, MSELoss, log_softmax
from tinytorch.core.tensor import Tensor


def reference_log_softmax(x):
    x = np.asarray(x, dtype=np.float64)
    shifted = x - x.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


# --- MSE ---------------------------------------------------------------------------------------

def test_mse_zero_for_perfect_predictions():
    x = Tensor([[1.0, -2.0], [3.0, 4.0]])
    assert MSELoss()(x, Tensor(x.data.copy())).item() == 0.0


def test_mse_value():
    pred = np.array([[0.5], [2.0], [-1.0]], dtype=np.float32)
    target = np.array([[1.0], [1.0], [1.0]], dtype=np.float32)
    loss = MSELoss()(Tensor(pred), Tensor(target))
    expected = np.mean((pred - target) ** 2)
    assert np.isclose(loss.item(), expected), f"MSE should be {expected:.4f}, got {loss.item():.4f}"


def test_mse_is_mean_not_sum():
    small = MSELoss()(Tensor(np.ones(2)), Tensor(np.zeros(2))).item()
    large = MSELoss()(Tensor(np.ones(200)), Tensor(np.zeros(200))).item()
    assert np.isclose(small, large), f"MSE must average over elements (got {small} for 2 and {large} for 200)"


def test_mse_returns_scalar_tensor():
    loss = MSELoss()(Tensor(np.zeros((3, 2))), Tensor(np.ones((3, 2))))
    assert isinstance(loss, Tensor), f"losses must return a Tensor, got {type(loss).__name__}"
    assert loss.shape == (), f"the loss must be a scalar tensor of shape (), got {loss.shape}"


def test_mse_rejects_broadcasting_shapes():
    with pytest.raises(ValueError) as info:
        MSELoss()(Tensor(np.zeros((5, 1))), Tensor(np.zeros(5)))
    assert "(5, 1)" in str(info.value) and "(5,)" in str(info.value), f"name both shapes in the message: {info.value}"


def test_mse_accepts_numpy():
    assert np.isclose(MSELoss()(np.array([1.0, 3.0]), np.array([1.0, 1.0])).item(), 2.0)


# --- log_softmax -------------------------------------------------------------------------------

def test_log_softmax_matches_reference():
    x = np.random.default_rng(0).normal(size=(4, 6))
    out = log_softmax(Tensor(x))
    assert out.shape == (4, 6)
    assert np.allclose(out.data, reference_log_softmax(x), atol=1e-6)


def test_log_softmax_stable_for_huge_logits():
    with np.errstate(over="raise", divide="raise"):
        out = log_softmax(Tensor([[1e4, 0.0, -1e4]]))
    assert np.all(np.isfinite(out.data)), "log_softmax must not overflow: subtract the max"
    assert np.allclose(out.data, [[0.0, -1e4, -2e4]])


def test_log_softmax_dim():
    x = np.random.default_rng(1).normal(size=(3, 5))
    out = log_softmax(Tensor(x), dim=0)
    assert np.allclose(np.exp(out.data).sum(axis=0), 1), "log_softmax(dim=0) normalises each column"


# --- CrossEntropy ------------------------------------------------------------------------------

def test_cross_entropy_matches_reference():
    rng = np.random.default_rng(2)
    logits = rng.normal(size=(8, 5))
    labels = rng.integers(0, 5, 8)
    loss = CrossEntropyLoss()(Tensor(logits), Tensor(labels))
    expected = -reference_log_softmax(logits)[np.arange(8), labels].mean()
    assert np.isclose(loss.item(), expected, atol=1e-5), f"cross-entropy should be {expected:.5f}, got {loss.item():.5f}"


def test_cross_entropy_uniform_logits_cost_log_classes():
    loss = CrossEntropyLoss()(Tensor(np.zeros((4, 7))), np.array([0, 1, 2, 6]))
    assert np.isclose(loss.item(), np.log(7), atol=1e-5), f"uniform logits over 7 classes cost log(7)={np.log(7):.4f}"


def test_cross_entropy_confident_right_vs_wrong():
    ce = CrossEntropyLoss()
    right = ce(Tensor([[10.0, 0.0, 0.0]]), np.array([0])).item()
    wrong = ce(Tensor([[10.0, 0.0, 0.0]]), np.array([1])).item()
    assert right < 0.001, f"a confident correct prediction should cost ~0, got {right}"
    assert wrong > 9, f"a confident wrong prediction should cost ~10, got {wrong}"


def test_cross_entropy_one_hot_targets_match_indices():
    logits = Tensor(np.random.default_rng(3).normal(size=(3, 4)))
    labels = np.array([3, 0, 1])
    by_index = CrossEntropyLoss()(logits, labels).item()
    by_one_hot = CrossEntropyLoss()(logits, Tensor(np.eye(4)[labels])).item()
    assert np.isclose(by_index, by_one_hot, atol=1e-6), "one-hot targets must give the same loss as class indices"


def test_cross_entropy_soft_targets():
    logits = np.array([[1.0, 2.0]])
    target = np.array([[0.25, 0.75]])
    expected = -(target * reference_log_softmax(logits)).sum()
    assert np.isclose(CrossEntropyLoss()(Tensor(logits), Tensor(target)).item(), expected, atol=1e-6)


def test_cross_entropy_extreme_logits_finite():
    loss = CrossEntropyLoss()(Tensor([[500.0, -500.0], [-500.0, 500.0]]), np.array([1, 0]))
    assert np.isfinite(loss.item()), "cross-entropy must stay finite for extreme logits (use log_softmax)"
    assert np.isclose(loss.item(), 1000.0, rtol=1e-4)


def test_cross_entropy_rejects_bad_labels():
    with pytest.raises(ValueError):
        CrossEntropyLoss()(Tensor(np.zeros((2, 3))), np.array([0, 3]))
    with pytest.raises(ValueError):
        CrossEntropyLoss()(Tensor(np.zeros((2, 3))), np.array([0, -1]))


def test_cross_entropy_returns_scalar():
    loss = CrossEntropyLoss()(Tensor(np.zeros((2, 3), dtype=np.float32)), np.array([0, 1]))
    assert isinstance(loss, Tensor) and loss.shape == ()
    assert loss.dtype == np.float32, f"float32 logits should give a float32 loss, got {loss.dtype}"


# --- BCE ---------------------------------------------------------------------------------------

def test_bce_value():
    p = np.array([0.8, 0.3, 0.6])
    y = np.array([1.0, 0.0, 0.0])
    expected = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    loss = BinaryCrossEntropyLoss()(Tensor(p), Tensor(y))
    assert np.isclose(loss.item(), expected, atol=1e-6), f"BCE should be {expected:.5f}, got {loss.item():.5f}"


def test_bce_at_one_half_is_log_two():
    loss = BinaryCrossEntropyLoss()(Tensor([0.5, 0.5]), Tensor([1.0, 0.0]))
    assert np.isclose(loss.item(), np.log(2), atol=1e-6)


def test_bce_clips_zero_and_one():
    with np.errstate(divide="raise"):
        loss = BinaryCrossEntropyLoss()(Tensor([0.0, 1.0, 1.0]), Tensor([1.0, 0.0, 1.0]))
    assert np.isfinite(loss.item()), "BCE must clip probabilities to [eps, 1 - eps]: log(0) is -inf"
    assert loss.item() > 10, "a certain, wrong prediction must still be very expensive"


def test_bce_shape_mismatch():
    with pytest.raises(ValueError):
        BinaryCrossEntropyLoss()(Tensor(np.full((4, 1), 0.5)), Tensor(np.ones(4)))


def test_bce_2d_and_scalar_output():
    loss = BinaryCrossEntropyLoss()(Tensor(np.full((3, 1), 0.9, dtype=np.float32)), Tensor(np.ones((3, 1))))
    assert loss.shape == () and np.isclose(loss.item(), -np.log(0.9), atol=1e-6)


def test_losses_do_not_modify_inputs():
    p = Tensor([0.2, 0.7])
    y = Tensor([0.0, 1.0])
    before = p.data.copy()
    BinaryCrossEntropyLoss()(p, y)
    MSELoss()(p, y)
    assert np.array_equal(p.data, before), "a loss must not change its inputs"
