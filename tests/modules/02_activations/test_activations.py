"""Module 02 — activations: ReLU, Sigmoid, Tanh, GELU, Softmax."""
import math

import numpy as np
import pytest

from tinytorch.core.activations import GELU, ReLU, Sigmoid, Softmax, Tanh
from tinytorch.core.tensor import Tensor

ELEMENTWISE = [ReLU, Sigmoid, Tanh, GELU]


def gelu_reference(x):
    return 0.5 * x * (1 + math.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))


# --- shared behaviour --------------------------------------------------------------------------

@pytest.mark.parametrize("activation_class", ELEMENTWISE + [Softmax])
def test_returns_new_tensor_of_same_shape(activation_class):
    x = Tensor(np.random.default_rng(0).normal(size=(4, 5)))
    before = x.data.copy()
    out = activation_class()(x)
    assert isinstance(out, Tensor), f"{activation_class.__name__} must return a Tensor, got {type(out).__name__}"
    assert out.shape == (4, 5), f"{activation_class.__name__} must keep the shape (4, 5), got {out.shape}"
    assert np.array_equal(x.data, before), f"{activation_class.__name__} must not modify its input in place"
    assert activation_class().parameters() == [], "activations have no learnable parameters"


@pytest.mark.parametrize("activation_class", ELEMENTWISE + [Softmax])
def test_forward_and_call_agree(activation_class):
    x = Tensor([[0.5, -1.5, 2.0]])
    activation = activation_class()
    assert np.allclose(activation(x).data, activation.forward(x).data)


@pytest.mark.parametrize("activation_class", ELEMENTWISE)
def test_elementwise_works_on_any_rank(activation_class):
    activation = activation_class()
    assert activation(Tensor(1.0)).shape == ()
    assert activation(Tensor(np.zeros((2, 3, 4)))).shape == (2, 3, 4)


@pytest.mark.parametrize("activation_class", ELEMENTWISE + [Softmax])
def test_keeps_float32(activation_class):
    out = activation_class()(Tensor([[1.0, -2.0]]))
    assert out.dtype == np.float32, f"{activation_class.__name__} turned float32 into {out.dtype}"


# --- ReLU --------------------------------------------------------------------------------------

def test_relu_values():
    out = ReLU()(Tensor([-3.0, -0.1, 0.0, 0.1, 3.0]))
    assert np.allclose(out.data, [0, 0, 0, 0.1, 3.0]), f"ReLU must clip negatives to 0 and keep positives, got {out.data}"


def test_relu_all_negative_gives_zeros():
    assert np.all(ReLU()(Tensor(-np.ones((3, 3)))).data == 0)


# --- Sigmoid -----------------------------------------------------------------------------------

def test_sigmoid_values():
    x = np.array([-4.0, -1.0, 0.0, 1.0, 4.0])
    out = Sigmoid()(Tensor(x))
    assert np.allclose(out.data, 1 / (1 + np.exp(-x)), atol=1e-6), f"sigmoid values wrong: {out.data}"


def test_sigmoid_symmetry():
    x = Tensor([0.3, 1.7, 5.0])
    left = Sigmoid()(-x).data
    right = 1 - Sigmoid()(x).data
    assert np.allclose(left, right, atol=1e-6), "sigmoid(-x) must equal 1 - sigmoid(x)"


def test_sigmoid_extremes_do_not_overflow():
    with np.errstate(over="raise"):
        out = Sigmoid()(Tensor([-1000.0, -100.0, 100.0, 1000.0]))
    assert np.all(np.isfinite(out.data)), "sigmoid produced inf/nan: use exp(-|x|)"
    assert np.allclose(out.data, [0, 0, 1, 1], atol=1e-6)


def test_sigmoid_in_open_interval_for_moderate_inputs():
    out = Sigmoid()(Tensor(np.linspace(-10, 10, 41)))
    assert np.all(out.data > 0) and np.all(out.data < 1)


# --- Tanh --------------------------------------------------------------------------------------

def test_tanh_values():
    x = np.array([-2.0, -0.5, 0.0, 0.5, 2.0])
    assert np.allclose(Tanh()(Tensor(x)).data, np.tanh(x), atol=1e-6)


def test_tanh_is_odd_and_bounded():
    x = Tensor(np.linspace(-30, 30, 61))
    out = Tanh()(x).data
    assert np.allclose(out, -Tanh()(-x).data), "tanh(-x) must equal -tanh(x)"
    assert np.all(np.abs(out) <= 1), "tanh must stay within [-1, 1]"


# --- GELU --------------------------------------------------------------------------------------

def test_gelu_values():
    xs = [-3.0, -1.0, -0.5, 0.0, 0.5, 1.0, 3.0]
    out = GELU()(Tensor(xs)).data
    expected = [gelu_reference(x) for x in xs]
    assert np.allclose(out, expected, atol=1e-5), f"GELU (tanh approximation) wrong: {out} vs {expected}"


def test_gelu_behaves_like_relu_far_from_zero():
    out = GELU()(Tensor([-10.0, 10.0])).data
    assert abs(out[0]) < 1e-6 and abs(out[1] - 10) < 1e-5, "GELU should be ~0 for very negative and ~x for very positive x"


def test_gelu_slightly_negative_below_zero():
    assert GELU()(Tensor([-0.5])).data[0] < 0, "GELU(-0.5) is slightly negative (unlike ReLU)"


# --- Softmax -----------------------------------------------------------------------------------

def test_softmax_rows_sum_to_one():
    x = Tensor(np.random.default_rng(1).normal(size=(5, 7)))
    out = Softmax()(x).data
    assert np.allclose(out.sum(axis=-1), 1, atol=1e-6), f"each row must sum to 1, got {out.sum(axis=-1)}"
    assert np.all(out > 0)


def test_softmax_values():
    out = Softmax()(Tensor([1.0, 2.0, 3.0])).data
    expected = np.exp([1, 2, 3]) / np.exp([1, 2, 3]).sum()
    assert np.allclose(out, expected, atol=1e-6), f"softmax([1,2,3]) should be {expected}, got {out}"


def test_softmax_shift_invariant():
    x = np.array([[0.5, 1.5, -2.0]])
    a = Softmax()(Tensor(x)).data
    b = Softmax()(Tensor(x + 100)).data
    assert np.allclose(a, b, atol=1e-6), "adding a constant to every score must not change softmax"


def test_softmax_large_values_are_stable():
    with np.errstate(over="raise", invalid="raise"):
        out = Softmax()(Tensor([[1000.0, 999.0, 1001.0]])).data
    assert np.all(np.isfinite(out)), "softmax overflowed: subtract the row max before exp"
    assert np.isclose(out.sum(), 1)
    assert np.argmax(out) == 2


def test_softmax_dim_argument():
    x = Tensor([[1.0, 2.0], [3.0, 4.0]])
    by_column = Softmax(dim=0)(x).data
    assert np.allclose(by_column.sum(axis=0), 1), f"Softmax(dim=0) must normalise each column, got {by_column}"
    by_row = Softmax(dim=1)(x).data
    assert np.allclose(by_row.sum(axis=1), 1)
    assert not np.allclose(by_column, by_row), "dim must change which axis is normalised"


def test_softmax_default_dim_is_last():
    x = Tensor(np.random.default_rng(2).normal(size=(2, 3, 4)))
    assert np.allclose(Softmax()(x).data.sum(axis=-1), 1), "the default dim is -1 (the last axis)"


def test_activations_accept_numpy_input():
    out = ReLU()(np.array([-1.0, 2.0]))
    assert isinstance(out, Tensor) and np.allclose(out.data, [0, 2]), "calling with a NumPy array should work too"
