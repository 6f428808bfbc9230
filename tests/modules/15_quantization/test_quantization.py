"""Module 15 — quantization: scale and zero point (real zero exact, rounding within half a step, clipping),
per tensor and per channel, calibration by min/max and percentiles, QuantizedLinear and QuantizedConv2d against an
integer reference and the float layers, quantize_model on copies of an MLP, a CNN and a GPT, and the claim of the
module on handwritten digits: at least 3.5x smaller in stored bytes, at most one point of accuracy lost."""
import warnings
from pathlib import Path

import numpy as np
import pytest

from tinytorch.core.activations import ReLU
from tinytorch.core.autograd import no_grad
from tinytorch.core.dataloader import DataLoader, TensorDataset
from tinytorch.core.layers import Dropout, Layer, Linear, Sequential
from tinytorch.core.losses import CrossEntropyLoss
from tinytorch.core.optimizers import Adam
from tinytorch.core.spatial import Conv2d, Flatten, MaxPool2d
from tinytorch.core.tensor import Tensor
from tinytorch.core.training import accuracy
from tinytorch.core.transformer import GPT
from tinytorch.perf.profiling import count_parameters, model_size_bytes, named_layers
from tinytorch.perf.quantization import (QuantizedConv2d, QuantizedLinear, RangeObserver, integer_matmul,
                                        dequantize, quantization_params, quantize, quantize_model, quantize_weight)

RNG = np.random.default_rng(15)
def _course_data(name):
    """A file of the course's data (milestones/data), found above this test file: in the course, a student edition
    and an nbgrader assignment alike."""
    for folder in Path(__file__).resolve().parents:
        if (folder / "milestones" / "data" / name).is_file():
            return folder / "milestones" / "data" / name
    raise FileNotFoundError(f"milestones/data/{name} is not above this test file: run it in the course")


DIGITS = _course_data("digits.npz")
RANGES = [(-1.0, 3.0), (0.5, 2.0), (-5.0, -0.1), (-1e-3, 1e-3), (0.0, 255.0), (-100.0, 0.01)]


# ---------------------------------------------------------------- scale and zero point

@pytest.mark.parametrize("low, high", RANGES)
def test_real_zero_is_exact_and_the_range_ends_are_the_extreme_levels(low, high):
    scale, zero_point = quantization_params(low, high)
    assert scale.dtype == np.float32 and zero_point.dtype == np.int32
    assert dequantize(quantize(np.zeros(4), scale, zero_point), scale, zero_point).tolist() == [0.0] * 4
    ends = quantize(np.array([min(low, 0.0), max(high, 0.0)]), scale, zero_point)
    assert ends.tolist() == [-128, 127]


@pytest.mark.parametrize("low, high", RANGES)
def test_rounding_moves_a_value_at_most_half_a_step(low, high):
    x = RNG.uniform(low, high, size=2000).astype(np.float32)
    scale, zero_point = quantization_params(low, high)
    error = np.abs(dequantize(quantize(x, scale, zero_point), scale, zero_point) - x)
    assert error.max() <= scale / 2 * 1.001 + 1e-7


@pytest.mark.parametrize("low, high", RANGES)
def test_symmetric_uses_zero_point_zero_and_127_for_the_largest_magnitude(low, high):
    scale, zero_point = quantization_params(low, high, symmetric=True)
    biggest = max(abs(low), abs(high))
    assert zero_point == 0 and scale == pytest.approx(biggest / 127, rel=1e-6)
    assert abs(int(quantize(np.array([biggest if abs(high) >= abs(low) else -biggest]), scale, 0)[0])) == 127


def test_values_outside_the_range_are_clipped():
    scale, zero_point = quantization_params(-1.0, 1.0)
    assert quantize(np.array([1e6, -1e6, 1.5]), scale, zero_point).tolist() == [127, -128, 127]


@pytest.mark.parametrize("low, high, message", [(1.0, -1.0, "low <= high"), (np.nan, 1.0, "finite"),
                                                (0.0, np.inf, "finite"), ([0.0, 1.0], [1.0], "same shape")])
def test_bad_ranges_are_refused_with_a_sentence(low, high, message):
    with pytest.raises(ValueError, match=message):
        quantization_params(low, high)


def test_an_all_zero_weight_needs_no_division_by_zero():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        levels, scale, zero_point = quantize_weight(np.zeros((3, 4)), axis=1)
    assert np.all(levels == 0) and np.all(scale == 1.0) and np.all(zero_point == 0)


@pytest.mark.parametrize("shape, axis", [((6, 5), 1), ((6, 5), 0), ((4, 3, 3, 3), 0), ((2, 7), -1)])
def test_per_channel_gives_every_channel_its_own_full_range(shape, axis):
    weight = RNG.normal(size=shape) * np.geomspace(1e-3, 10, shape[axis]).reshape(
        [-1 if a == axis % len(shape) else 1 for a in range(len(shape))])
    levels, scale, zero_point = quantize_weight(weight, axis=axis)
    assert levels.dtype == np.int8 and scale.shape == (shape[axis],)
    biggest = np.abs(levels.astype(np.int32)).max(axis=tuple(a for a in range(len(shape)) if a != axis % len(shape)))
    assert np.all(biggest == 127), "each channel's largest weight is level +-127"
    relative = np.abs(dequantize(levels, scale, zero_point, axis=axis) - weight).max() / np.abs(weight).max()
    assert relative <= 0.5 / 127 + 1e-6


# ---------------------------------------------------------------- calibration

def test_minmax_observer_keeps_the_running_extremes():
    observer = RangeObserver()
    batches = [RNG.normal(size=(5, 3)), Tensor(RNG.normal(size=7) * 4), np.array([])]
    for batch in batches:
        observer.observe(batch)
    values = np.concatenate([np.ravel(b.data if isinstance(b, Tensor) else b) for b in batches])
    assert observer.range() == (values.min(), values.max())
    assert observer.values == [], "min/max keeps two numbers, not the data"


@pytest.mark.parametrize("percentile", [99.0, 99.9, 100.0])
def test_percentile_observer_matches_numpy(percentile):
    values = np.concatenate([RNG.uniform(0, 2, 5000), [80.0, -40.0]])
    observer = RangeObserver("percentile", percentile)
    observer.observe(values[:3000])
    observer.observe(values[3000:])
    assert observer.range() == pytest.approx((np.percentile(values, 100 - percentile),
                                              np.percentile(values, percentile)))


def test_a_percentile_range_ignores_an_outlier_and_keeps_the_steps_fine():
    values = np.concatenate([RNG.uniform(0, 2, 20_000), [50.0]]).astype(np.float32)
    errors = {}
    for method in ("minmax", "percentile"):
        observer = RangeObserver(method, 99.9)
        observer.observe(values)
        scale, zero_point = quantization_params(*observer.range())
        errors[method] = np.median(np.abs(dequantize(quantize(values, scale, zero_point), scale, zero_point) - values))
    assert errors["percentile"] < errors["minmax"] / 5, errors


@pytest.mark.parametrize("options, message", [({"method": "mean"}, "method"), ({"percentile": 40}, "percentile"),
                                              ({"percentile": 101}, "percentile"), ({"percentile": "99"}, "percentile")])
def test_observer_refuses_bad_settings(options, message):
    with pytest.raises(ValueError, match=message):
        RangeObserver(**options)


def test_observer_refuses_a_range_of_nothing_and_nan_values():
    with pytest.raises(ValueError, match="no values"):
        RangeObserver().range()
    with pytest.raises(ValueError, match="NaN"):
        RangeObserver().observe(np.array([1.0, np.nan]))


# ---------------------------------------------------------------- quantized layers

def reference_linear(layer, x):
    """The integer arithmetic written out in int64, independent of the layer's own code."""
    levels = np.clip(np.round(x / layer.input_scale) + layer.input_zero_point, -128, 127).astype(np.int64)
    total = (levels - layer.input_zero_point) @ layer.weight_levels.astype(np.int64)
    return total * (layer.input_scale * layer.weight_scale) + (0 if layer.bias is None else layer.bias)


@pytest.mark.parametrize("per_channel", [True, False])
@pytest.mark.parametrize("bias", [True, False])
def test_quantized_linear_is_its_integer_arithmetic_and_close_to_the_float_layer(per_channel, bias):
    linear = Linear(40, 12, bias=bias, seed=1)
    x = RNG.uniform(-1, 2, size=(9, 40)).astype(np.float32)
    layer = QuantizedLinear(linear, (-1.0, 2.0), per_channel=per_channel)
    got = layer(Tensor(x)).data
    assert got.dtype == np.float32
    assert np.allclose(got, reference_linear(layer, x), rtol=1e-5, atol=1e-6)
    expected = linear(Tensor(x)).data
    assert np.abs(got - expected).max() < 0.03 * np.abs(expected).max()
    assert layer.weight_scale.shape == ((12,) if per_channel else ())


def test_quantized_linear_takes_any_leading_axes():
    linear = Linear(8, 3, seed=0)
    layer = QuantizedLinear(linear, (-3.0, 3.0))
    x = RNG.normal(size=(2, 5, 8)).astype(np.float32)
    assert layer(Tensor(x)).shape == (2, 5, 3)
    assert np.allclose(layer(Tensor(x)).data[1], layer(Tensor(x[1])).data)


def test_quantized_layers_refuse_what_they_cannot_be_made_from_or_applied_to():
    with pytest.raises(TypeError, match="Linear"):
        QuantizedLinear(Conv2d(1, 1, 1), (0.0, 1.0))
    with pytest.raises(TypeError, match="Conv2d"):
        QuantizedConv2d(Linear(2, 2), (0.0, 1.0))
    with pytest.raises(ValueError, match="last dimension must be 8"):
        QuantizedLinear(Linear(8, 2), (0.0, 1.0))(Tensor(np.ones((3, 7))))
    with pytest.raises(ValueError, match="input channel"):
        QuantizedConv2d(Conv2d(3, 2, 3), (0.0, 1.0))(Tensor(np.ones((1, 1, 5, 5))))
    with pytest.raises(ValueError, match="low <= high"):
        QuantizedLinear(Linear(2, 2), (1.0, 0.0))


def test_integer_products_are_exact_and_refused_where_float64_would_round():
    a = RNG.integers(-255, 256, size=(7, 2000))
    b = RNG.integers(-127, 128, size=(2000, 5))
    assert np.array_equal(integer_matmul(a, b), a @ b)
    with pytest.raises(OverflowError, match="2\\*\\*53"):
        integer_matmul(np.full((1, 3), 2 ** 26), np.full((3, 1), 2 ** 26))


@pytest.mark.parametrize("shape, kernel, stride, padding", [
    ((2, 3, 6, 6), 3, 1, 1), ((1, 2, 7, 5), (3, 2), 2, 1), ((3, 1, 4, 4), 1, 1, 0), ((1, 2, 8, 8), 3, 2, 2)])
@pytest.mark.parametrize("per_channel", [True, False])
def test_quantized_conv2d_matches_the_float_convolution(shape, kernel, stride, padding, per_channel):
    conv = Conv2d(shape[1], 4, kernel_size=kernel, stride=stride, padding=padding, seed=2)
    x = RNG.uniform(0.5, 2.0, size=shape).astype(np.float32)   # all positive: real zero is level -128, not 0
    layer = QuantizedConv2d(conv, (0.5, 2.0), per_channel=per_channel)
    expected, got = conv(Tensor(x)).data, layer(Tensor(x)).data
    assert got.shape == expected.shape and got.dtype == np.float32
    assert np.abs(got - expected).max() < 0.03 * np.abs(expected).max(), "padding must be real zero"


def test_quantized_layers_store_int8_and_train_nothing():
    for layer in (QuantizedLinear(Linear(64, 32, seed=0), (0.0, 1.0)), QuantizedConv2d(Conv2d(8, 16, 3), (0.0, 1.0))):
        assert layer.parameters() == [] and count_parameters(layer) == 0
        assert layer.weight_levels.dtype == np.int8
        assert model_size_bytes(layer) == sum(np.asarray(b).nbytes for b in layer.buffers())


# ---------------------------------------------------------------- whole models

def small_cnn(seed=0):
    return Sequential(Conv2d(1, 8, 3, padding=1, seed=seed), ReLU(), MaxPool2d(2),
                      Conv2d(8, 16, 3, padding=1, seed=seed + 1), ReLU(), MaxPool2d(2),
                      Flatten(), Linear(64, 64, seed=seed + 2), ReLU(), Linear(64, 10, seed=seed + 3))


def test_quantize_model_works_on_a_copy_and_replaces_every_linear_and_conv():
    model = small_cnn()
    before = [p.data.copy() for p in model.parameters()]
    x = RNG.uniform(0, 1, size=(50, 1, 8, 8)).astype(np.float32)
    quantized = quantize_model(model, x)
    kinds = [type(layer).__name__ for layer in quantized]
    assert kinds.count("QuantizedConv2d") == 2 and kinds.count("QuantizedLinear") == 2
    assert "Conv2d" not in kinds and "Linear" not in kinds
    assert all(np.array_equal(a, p.data) for a, p in zip(before, model.parameters())), "the float model is untouched"
    assert isinstance(model[0], Conv2d) and isinstance(model[9], Linear)
    with no_grad():
        expected = model(Tensor(x)).data
    assert np.abs(quantized(Tensor(x)).data - expected).max() < 0.05 * np.abs(expected).max()


def test_quantize_model_reaches_layers_deep_inside_a_gpt():
    gpt = GPT(vocab_size=13, embed_dim=16, num_heads=2, num_layers=2, max_len=8, seed=0)
    ids = RNG.integers(0, 13, size=(20, 8))
    quantized = quantize_model(gpt, ids)
    kinds = [type(layer).__name__ for _, layer in named_layers(quantized)]
    assert "Linear" not in kinds and kinds.count("QuantizedLinear") == 2 * (4 + 2) + 1, "projections, FFN, head"
    with no_grad():
        expected = gpt(ids).data
    got = quantized(ids).data
    assert np.mean(got.argmax(-1) == expected.argmax(-1)) > 0.9, "it mostly predicts the same next token"
    assert quantized.generate([[1, 2, 3]], max_new_tokens=5, top_k=1).shape == (1, 8)


def test_calibration_batches_may_come_from_a_dataloader():
    model = Sequential(Linear(8, 4, seed=0), ReLU(), Linear(4, 2, seed=1))
    x = RNG.normal(size=(64, 8)).astype(np.float32)
    loader = DataLoader(TensorDataset(x, np.zeros(64)), batch_size=16)
    assert np.allclose(quantize_model(model, loader)(Tensor(x)).data, quantize_model(model, x)(Tensor(x)).data)


def test_calibration_must_reach_every_layer_and_there_must_be_data():
    class Unused(Layer):
        def __init__(self):
            super().__init__()
            self.used, self.spare = Linear(4, 4, seed=0), Linear(4, 4, seed=1)

        def forward(self, x):
            return self.used(x)

    with pytest.raises(ValueError, match="spare"):
        quantize_model(Unused(), np.ones((3, 4), np.float32))
    with pytest.raises(ValueError, match="calibration data"):
        quantize_model(Unused(), [])


@pytest.mark.parametrize("method", ["minmax", "percentile"])
def test_percentile_calibration_quantizes_too(method):
    model = Sequential(Linear(16, 16, seed=0), ReLU(), Linear(16, 3, seed=1))
    x = RNG.normal(size=(300, 16)).astype(np.float32)
    quantized = quantize_model(model, x, method=method, percentile=99.9)
    with no_grad():
        agree = np.mean(quantized(Tensor(x)).data.argmax(1) == model(Tensor(x)).data.argmax(1))
    assert agree > 0.95


# ---------------------------------------------------------------- the claim, on handwritten digits

def digits():
    with np.load(DIGITS) as archive:
        images, labels = archive["images"], archive["labels"]
    order = np.random.default_rng(15).permutation(len(labels))
    return (images / 16.0).astype(np.float32), labels.astype(np.int64), order[:1400], order[1400:]


def train(model, x, y, epochs):
    optimizer, loss_fn, rng = Adam(model.parameters(), lr=0.005), CrossEntropyLoss(), np.random.default_rng(0)
    for _ in range(epochs):
        for batch in np.array_split(rng.permutation(len(y)), len(y) // 64):
            optimizer.zero_grad()
            loss_fn(model(Tensor(x[batch])), y[batch]).backward()
            optimizer.step()
    return model


@pytest.mark.parametrize("kind", ["mlp", "cnn"])
def test_a_digit_reader_gets_at_least_3_5x_smaller_and_loses_at_most_one_point(kind):
    pixels, labels, train_idx, test_idx = digits()
    if kind == "mlp":
        model, x = Sequential(Linear(64, 64, seed=0), ReLU(), Linear(64, 10, seed=1)), pixels.reshape(-1, 64)
        epochs = 8
    else:
        model, x = small_cnn(), pixels[:, np.newaxis]
        epochs = 5
    train(model, x[train_idx], labels[train_idx], epochs)
    with no_grad():
        before = accuracy(model(Tensor(x[test_idx])), labels[test_idx])
    quantized = quantize_model(model, x[train_idx[:200]])
    after = accuracy(quantized(Tensor(x[test_idx])), labels[test_idx])
    ratio = model_size_bytes(model) / model_size_bytes(quantized)
    assert before > 0.85, f"the {kind} learned to read digits: {before:.1%}"
    assert ratio >= 3.5, f"{kind}: {model_size_bytes(model):,} -> {model_size_bytes(quantized):,} bytes, {ratio:.2f}x"
    assert after >= before - 0.01, f"{kind}: held-out accuracy {before:.2%} -> {after:.2%}"


def test_the_quantized_copy_is_calibrated_and_used_in_evaluation_mode():
    model = Sequential(Linear(16, 32, seed=0), ReLU(), Dropout(0.5, seed=0), Linear(32, 4, seed=1))
    x = RNG.normal(size=(100, 16)).astype(np.float32)
    quantized = quantize_model(model, x)
    assert model[2].training, "the float model keeps its mode"
    assert not quantized[2].training, "Dropout is off in the quantized copy"
    first, second = quantized(Tensor(x)).data, quantized(Tensor(x)).data
    assert np.array_equal(first, second), "inference is deterministic"
    model.eval()
    with no_grad():
        expected = model(Tensor(x)).data
    assert np.abs(first - expected).max() < 0.05 * np.abs(expected).max(), "ranges calibrated without dropout"
