"""Module 03 — layers: Linear, Dropout, Sequential."""
import numpy as np
import pytest

from tinytorch.core.activations import ReLU, Sigmoid
from tinytorch.core.layers import Dropout, Linear, Sequential
from tinytorch.core.tensor import Tensor


# --- Linear ------------------------------------------------------------------------------------

def test_linear_parameter_shapes():
    layer = Linear(5, 3)
    assert layer.weight.shape == (5, 3), \
        f"weight must be (in_features, out_features) = (5, 3), got {layer.weight.shape}: did you use PyTorch's (out, in)?"
    assert layer.bias.shape == (3,), f"bias must be (out_features,) = (3,), got {layer.bias.shape}"


def test_linear_parameters_are_trainable_float32_tensors():
    layer = Linear(5, 3)
    for name, p in (("weight", layer.weight), ("bias", layer.bias)):
        assert isinstance(p, Tensor), f"{name} must be a Tensor"
        assert p.requires_grad, f"{name} must have requires_grad=True so that it can be trained"
        assert p.dtype == np.float32, f"{name} should be float32, got {p.dtype}"


def test_linear_initialisation_bound():
    layer = Linear(100, 50, seed=0)
    bound = 1 / np.sqrt(100)
    assert np.all(np.abs(layer.weight.data) <= bound + 1e-7), "weights must lie in [-1/sqrt(in), 1/sqrt(in)]"
    assert np.abs(layer.weight.data).max() > 0.8 * bound, "weights look too small: use the full uniform range"
    assert abs(layer.weight.data.mean()) < 0.01, "weights should be centred on zero"
    assert np.all(np.abs(layer.bias.data) <= bound + 1e-7)


def test_linear_not_all_equal():
    layer = Linear(10, 10, seed=3)
    assert len(np.unique(layer.weight.data)) > 50, "weights must be random, not constant (symmetry would never break)"


def test_linear_seed_reproducible_and_distinct():
    a, b, c = Linear(6, 4, seed=42), Linear(6, 4, seed=42), Linear(6, 4, seed=43)
    assert np.array_equal(a.weight.data, b.weight.data), "the same seed must give the same weights"
    assert not np.array_equal(a.weight.data, c.weight.data), "different seeds must give different weights"


def test_linear_forward_matches_formula():
    layer = Linear(4, 3, seed=1)
    x = np.random.default_rng(0).normal(size=(7, 4)).astype(np.float32)
    out = layer(Tensor(x))
    expected = x @ layer.weight.data + layer.bias.data
    assert out.shape == (7, 3), f"(7, 4) through Linear(4, 3) should be (7, 3), got {out.shape}"
    assert np.allclose(out.data, expected, atol=1e-5), "Linear must compute x @ weight + bias"


def test_linear_without_bias():
    layer = Linear(3, 2, bias=False, seed=0)
    assert layer.bias is None, "with bias=False, bias must be None"
    assert layer.parameters() == [layer.weight] or (
        len(layer.parameters()) == 1 and layer.parameters()[0] is layer.weight)
    x = np.ones((1, 3), dtype=np.float32)
    assert np.allclose(layer(Tensor(x)).data, x @ layer.weight.data)


def test_linear_parameters_are_the_same_objects():
    layer = Linear(3, 2)
    params = layer.parameters()
    assert len(params) == 2, f"Linear has 2 parameters, got {len(params)}"
    assert params[0] is layer.weight and params[1] is layer.bias, \
        "parameters() must return the weight and bias tensors themselves (not copies), weight first"


def test_linear_single_example_vector():
    layer = Linear(3, 2, seed=0)
    out = layer(Tensor([1.0, 2.0, 3.0]))
    assert out.shape == (2,), f"a single (3,) input should give (2,), got {out.shape}"


def test_linear_wrong_input_size_raises():
    with pytest.raises(ValueError) as info:
        Linear(4, 2)(Tensor(np.ones((3, 5))))
    assert "4" in str(info.value), f"the message should say the expected size 4, got: {info.value}"


def test_linear_accepts_numpy_input():
    layer = Linear(2, 1, seed=0)
    out = layer(np.array([[1.0, 1.0]], dtype=np.float32))
    assert isinstance(out, Tensor) and out.shape == (1, 1)


# --- Dropout -----------------------------------------------------------------------------------

def test_dropout_drop_rate_and_scaling():
    x = Tensor(np.ones((500, 100), dtype=np.float32))
    out = Dropout(0.3, seed=0)(x).data
    rate = np.mean(out == 0)
    assert 0.27 < rate < 0.33, f"with p=0.3 about 30% should be zero, got {rate:.3f}"
    assert np.allclose(out[out != 0], 1 / 0.7), "kept elements must be scaled by 1/(1-p)"


def test_dropout_preserves_expectation():
    x = Tensor(np.full((400, 100), 3.0, dtype=np.float32))
    out = Dropout(0.5, seed=1)(x).data
    assert abs(out.mean() - 3.0) < 0.1, f"dropout must keep the mean (~3.0), got {out.mean():.3f}"


def test_dropout_eval_is_identity():
    x = Tensor(np.random.default_rng(0).normal(size=(10, 10)))
    d = Dropout(0.9, seed=0)
    d.eval()
    assert d.training is False
    assert np.array_equal(d(x).data, x.data), "in eval mode dropout must pass the input through unchanged"
    d.train()
    assert not np.array_equal(d(x).data, x.data), "after train() dropout must drop again"


def test_dropout_edges():
    x = Tensor(np.ones((4, 4), dtype=np.float32))
    assert np.array_equal(Dropout(0.0)(x).data, x.data), "p=0 must keep every element unchanged"
    out = Dropout(1.0)(x).data
    assert np.all(out == 0) and np.all(np.isfinite(out)), "p=1 must give zeros (and not divide by zero)"
    with pytest.raises(ValueError):
        Dropout(1.5)


def test_dropout_masks_change_between_calls():
    x = Tensor(np.ones((20, 20), dtype=np.float32))
    d = Dropout(0.5, seed=0)
    assert not np.array_equal(d(x).data, d(x).data), "each call must draw a new random mask"


def test_dropout_seed_reproducible():
    x = Tensor(np.ones((8, 8), dtype=np.float32))
    assert np.array_equal(Dropout(0.5, seed=7)(x).data, Dropout(0.5, seed=7)(x).data)


def test_dropout_keeps_shape():
    x = Tensor(np.ones((2, 3, 4), dtype=np.float32))
    assert Dropout(0.5, seed=0)(x).shape == (2, 3, 4)


# --- Sequential --------------------------------------------------------------------------------

def test_sequential_chains_in_order():
    first, second = Linear(3, 4, seed=0), Linear(4, 2, seed=1)
    model = Sequential(first, ReLU(), second)
    x = Tensor(np.random.default_rng(0).normal(size=(5, 3)).astype(np.float32))
    expected = np.maximum(x.data @ first.weight.data + first.bias.data, 0) @ second.weight.data + second.bias.data
    out = model(x)
    assert out.shape == (5, 2), f"expected (5, 2), got {out.shape}"
    assert np.allclose(out.data, expected, atol=1e-5), "Sequential must apply the layers in the order given"


def test_sequential_collects_parameters_in_order():
    a, b = Linear(3, 4), Linear(4, 2)
    model = Sequential(a, Sigmoid(), b)
    params = model.parameters()
    assert len(params) == 4, f"two Linear layers -> 4 parameters, got {len(params)}"
    assert params[0] is a.weight and params[1] is a.bias and params[2] is b.weight and params[3] is b.bias


def test_sequential_accepts_list():
    model = Sequential([Linear(2, 3), ReLU()])
    assert len(model) == 2
    assert model(Tensor([[1.0, 2.0]])).shape == (1, 3)


def test_sequential_empty_is_identity():
    x = Tensor([1.0, 2.0])
    assert np.array_equal(Sequential()(x).data, x.data)


def test_sequential_eval_reaches_dropout():
    model = Sequential(Linear(4, 4, seed=0), Dropout(0.5, seed=0))
    x = Tensor(np.ones((3, 4), dtype=np.float32))
    model.eval()
    assert model[1].training is False, "Sequential.eval() must switch every layer to eval mode"
    assert np.array_equal(model(x).data, model(x).data)
    model.train()
    assert model[1].training is True


def test_nested_sequential():
    inner = Sequential(Linear(2, 3), ReLU())
    model = Sequential(inner, Linear(3, 1))
    assert len(model.parameters()) == 4, "parameters of nested Sequentials must be collected too"
    assert model(Tensor([[1.0, 2.0]])).shape == (1, 1)
