"""Module 18 — acceleration: matrix products with loops, dot products and tiles that agree with NumPy; the fused
Linear+ReLU (forward, backward, memory counted in bytes); the fusion pass; the autotuner that refuses a wrong answer
and picks the fastest right one. Speed is asserted only as large ratios that hold on a loaded machine."""
from functools import partial

import numpy as np
import pytest

from tinytorch.core.activations import ReLU
from tinytorch.core.layers import Linear, Sequential
from tinytorch.core.tensor import Tensor
from tinytorch.perf.acceleration import (LinearReLU, cache_sizes, fastest, fuse_linear_relu, linear_relu,
                                         matmul_blocked, matmul_dot, matmul_loops, memory_use, time_call)

RNG = np.random.default_rng(18)
KERNELS = [matmul_loops, matmul_dot, partial(matmul_blocked, tile=3), partial(matmul_blocked, tile=64)]
KERNEL_IDS = ["loops", "dot", "blocked-3", "blocked-64"]


# ---------------------------------------------------------------- the matrix products

@pytest.mark.parametrize("kernel", KERNELS, ids=KERNEL_IDS)
@pytest.mark.parametrize("n, k, m", [(1, 1, 1), (1, 7, 1), (5, 1, 4), (7, 5, 3), (9, 9, 9), (3, 8, 11)])
def test_every_kernel_agrees_with_numpy(kernel, n, k, m):
    a, b = RNG.normal(size=(n, k)), RNG.normal(size=(k, m))
    out = kernel(a, b)
    assert out.shape == (n, m)
    assert np.allclose(out, a @ b)


@pytest.mark.parametrize("kernel", KERNELS, ids=KERNEL_IDS)
def test_kernels_keep_float32_and_take_tensors(kernel):
    a = RNG.normal(size=(4, 3)).astype(np.float32)
    b = RNG.normal(size=(3, 2)).astype(np.float32)
    out = kernel(Tensor(a), Tensor(b))
    assert out.dtype == np.float32
    assert np.allclose(out, a @ b, atol=1e-5)


@pytest.mark.parametrize("kernel", KERNELS, ids=KERNEL_IDS)
@pytest.mark.parametrize("shape_a, shape_b, words", [((2, 3), (2, 3), ["(2, 3)", "match"]),
                                                     ((3,), (3, 2), ["matrices", "(3,)"]),
                                                     ((2, 2, 2), (2, 2), ["matrices"])])
def test_kernels_refuse_shapes_that_do_not_multiply(kernel, shape_a, shape_b, words):
    with pytest.raises(ValueError) as error:
        kernel(np.ones(shape_a), np.ones(shape_b))
    assert all(word in str(error.value) for word in words), error.value


@pytest.mark.parametrize("tile", [0, -1, 1.5, "8", True, None])
def test_blocked_refuses_a_tile_that_is_not_a_positive_whole_number(tile):
    with pytest.raises(ValueError, match="tile must be a whole number"):
        matmul_blocked(np.ones((2, 2)), np.ones((2, 2)), tile=tile)


def test_blocked_with_a_tile_larger_than_the_matrix_is_one_product():
    a, b = RNG.normal(size=(5, 6)), RNG.normal(size=(6, 4))
    assert np.allclose(matmul_blocked(a, b, tile=1000), a @ b)


def test_vectorised_is_far_faster_than_loops():
    """A ratio, not a time: at n = 48 three Python loops do 110,592 steps; one BLAS call is tens of microseconds.
    Measured above 100x on a quiet machine; 10x holds under heavy load."""
    a, b = RNG.normal(size=(48, 48)), RNG.normal(size=(48, 48))
    loops = time_call(matmul_loops, a, b, repeats=3)
    blas = time_call(np.matmul, a, b, repeats=15)
    assert loops > 10 * blas, f"three loops {loops * 1e3:.2f} ms vs one call {blas * 1e3:.3f} ms"


# ---------------------------------------------------------------- time_call and cache_sizes

def test_time_call_warms_up_then_times_each_repeat():
    calls = []
    seconds = time_call(lambda: calls.append(1), repeats=4, warmup=2)
    assert len(calls) == 6, "2 warm-up calls, then 4 timed ones"
    assert seconds >= 0


@pytest.mark.parametrize("options, message", [({"repeats": 0}, "repeats"), ({"warmup": -1}, "warmup"),
                                              ({"repeats": 2.0}, "repeats")])
def test_time_call_refuses_nonsense(options, message):
    with pytest.raises(ValueError, match=message):
        time_call(lambda: None, **options)
    with pytest.raises(TypeError, match="not callable"):
        time_call(42)


def test_cache_sizes_are_positive_byte_counts():
    sizes = cache_sizes()
    assert all(name.startswith("L") and isinstance(size, int) and size > 0 for name, size in sizes.items())


# ---------------------------------------------------------------- the fused Linear + ReLU

def float64(layer):
    for p in layer.parameters():
        p.data = p.data.astype(np.float64)
    return layer


@pytest.mark.parametrize("x_shape", [(6, 5), (2, 3, 5), (5,), (1, 5)])
@pytest.mark.parametrize("bias", [True, False])
def test_fused_matches_linear_then_relu_forward_and_backward(x_shape, bias):
    linear = float64(Linear(5, 4, bias=bias, seed=1))
    x_data = RNG.normal(size=x_shape)
    g = None
    grads = []
    for fused in (False, True):
        x = Tensor(x_data.copy(), requires_grad=True)
        out = linear_relu(x, linear.weight, linear.bias) if fused else ReLU()(linear(x))
        g = RNG.normal(size=out.shape) if g is None else g
        out.backward(Tensor(g))
        grads.append((out.data, x.grad.data, *[p.grad.data for p in linear.parameters()]))
        for p in linear.parameters():
            p.grad = None
    for unfused, fused in zip(*grads):
        assert fused.shape == unfused.shape and np.allclose(fused, unfused)


def test_fused_gradient_matches_finite_differences():
    x_data, w_data, b_data = RNG.normal(size=(3, 4)), RNG.normal(size=(4, 3)), RNG.normal(size=3)
    g = RNG.normal(size=(3, 3))
    tensors = [Tensor(a.copy(), requires_grad=True) for a in (x_data, w_data, b_data)]
    linear_relu(*tensors).backward(Tensor(g))
    for which, array in enumerate((x_data, w_data, b_data)):
        for index in np.ndindex(array.shape):
            values = [x_data.copy(), w_data.copy(), b_data.copy()]
            values[which][index] += 1e-6
            plus = np.sum(linear_relu(*[Tensor(v) for v in values]).data * g)
            values[which][index] -= 2e-6
            minus = np.sum(linear_relu(*[Tensor(v) for v in values]).data * g)
            assert abs(tensors[which].grad.data[index] - (plus - minus) / 2e-6) < 1e-5


def test_fused_input_without_grad_gets_none_and_records_nothing_when_nothing_learns():
    linear = Linear(3, 2, seed=0)
    x = Tensor(RNG.normal(size=(4, 3)))
    out = linear_relu(x, linear.weight, linear.bias)
    out.sum().backward()
    assert x.grad is None and linear.weight.grad is not None
    frozen = Tensor(RNG.normal(size=(3, 2)))
    assert linear_relu(x, frozen).grad_fn is None, "no input requires grad: no graph"


def test_fused_keeps_one_output_where_the_unfused_layers_keep_several():
    """Bytes, counted by tracemalloc: deterministic, so the claim is asserted exactly as the lesson makes it."""
    layer = Linear(128, 128, seed=0)
    x = Tensor(RNG.normal(size=(256, 128)).astype(np.float32), requires_grad=True)
    output = 256 * 128 * 4
    _, unfused_peak, unfused_kept = memory_use(Sequential(layer, ReLU()), x)
    fused_out, fused_peak, fused_kept = memory_use(LinearReLU.from_linear(layer), x)
    assert fused_out.data.nbytes == output
    assert fused_kept < 1.25 * output, f"fused keeps {fused_kept / output:.2f} outputs"
    assert unfused_kept > 2.5 * output, f"unfused keeps {unfused_kept / output:.2f} outputs"
    assert fused_peak < 0.5 * unfused_peak, f"peak: fused {fused_peak}, unfused {unfused_peak} bytes"


def test_fused_output_owns_its_array_and_later_ops_do_not_change_the_gradient():
    linear = Linear(3, 3, seed=2)
    x = Tensor(RNG.normal(size=(2, 3)), requires_grad=True)
    out = linear_relu(x, linear.weight, linear.bias)
    before = out.data.copy()
    (out * 2).sum().backward()
    assert np.array_equal(out.data, before), "backward leaves the output as it was"


@pytest.mark.parametrize("x_shape, weight_shape, bias_shape, message", [
    ((2, 4), (5, 3), (3,), r"\(2, 4\)"), ((2, 5), (5, 3), (4,), "bias must have shape"),
    ((2, 5), (5,), None, "weight")])
def test_fused_refuses_shapes_that_do_not_fit(x_shape, weight_shape, bias_shape, message):
    bias = None if bias_shape is None else Tensor(np.ones(bias_shape))
    with pytest.raises(ValueError, match=message):
        linear_relu(Tensor(np.ones(x_shape)), Tensor(np.ones(weight_shape)), bias)


def test_linear_relu_layer_starts_like_linear_with_the_same_seed():
    fused, linear = LinearReLU(6, 3, seed=7), Linear(6, 3, seed=7)
    assert all(np.array_equal(p.data, q.data) for p, q in zip(fused.parameters(), linear.parameters()))
    assert len(LinearReLU(6, 3, bias=False).parameters()) == 1
    with pytest.raises(ValueError, match="LinearReLU"):
        fused(Tensor(np.ones((2, 5))))


# ---------------------------------------------------------------- the fusion pass

def test_fusion_pass_fuses_each_linear_relu_pair_and_shares_parameters():
    model = Sequential(Linear(4, 8, seed=0), ReLU(), ReLU(), Linear(8, 8, seed=1), ReLU(), Linear(8, 2, seed=2), ReLU())
    fused = fuse_linear_relu(model)
    assert [type(layer).__name__ for layer in fused] == ["LinearReLU", "ReLU", "LinearReLU", "LinearReLU"]
    assert [id(p) for p in fused.parameters()] == [id(p) for p in model.parameters()]
    assert [type(layer).__name__ for layer in model] == ["Linear", "ReLU", "ReLU", "Linear", "ReLU", "Linear", "ReLU"], \
        "the original model is left as it was"
    x = Tensor(RNG.normal(size=(5, 4)))
    assert np.allclose(fused(x).data, model(x).data, atol=1e-6)


def test_fusion_pass_leaves_a_model_without_pairs_alone_and_refuses_non_sequential():
    model = Sequential(ReLU(), Linear(3, 3, seed=0))
    assert [type(layer) for layer in fuse_linear_relu(model)] == [ReLU, Linear]
    assert len(fuse_linear_relu(Sequential())) == 0
    with pytest.raises(TypeError, match="Sequential"):
        fuse_linear_relu(Linear(3, 3))


# ---------------------------------------------------------------- the autotuner

def test_autotuner_picks_one_blas_call_over_loops_and_reports_every_candidate():
    a, b = RNG.normal(size=(32, 32)), RNG.normal(size=(32, 32))
    tuning = fastest({"loops": matmul_loops, "dot": matmul_dot, "numpy": np.matmul}, a, b, repeats=3)
    assert tuning.name == "numpy" and tuning.function is np.matmul, repr(tuning)
    assert set(tuning.seconds) == {"loops", "dot", "numpy"}
    assert "numpy" in repr(tuning).splitlines()[1], "the table lists the fastest first"


def test_autotuner_compares_tensor_results_by_their_data():
    linear = Linear(8, 8, seed=0)
    x = Tensor(RNG.normal(size=(16, 8)).astype(np.float32))
    tuning = fastest({"unfused": Sequential(linear, ReLU()), "fused": LinearReLU.from_linear(linear)}, x)
    assert tuning.name in {"unfused", "fused"}


def test_autotuner_accepts_float32_rounding_between_kernels():
    a = RNG.normal(size=(200, 200)).astype(np.float32)
    b = RNG.normal(size=(200, 200)).astype(np.float32)
    tuning = fastest([partial(matmul_blocked, tile=7), np.matmul], a, b, repeats=1, warmup=0)
    assert tuning.name in tuning.seconds


@pytest.mark.parametrize("wrong", [lambda a, b: a @ b.T, lambda a, b: a @ b + 0.01, lambda a, b: (a @ b)[:-1]],
                         ids=["transposed", "shifted", "wrong-shape"])
def test_autotuner_refuses_a_candidate_that_disagrees_and_names_it(wrong):
    a, b = RNG.normal(size=(6, 6)), RNG.normal(size=(6, 6))
    with pytest.raises(ValueError, match="'wrong' does not agree with 'right'"):
        fastest({"right": np.matmul, "wrong": wrong}, a, b)


@pytest.mark.parametrize("candidates, error, message", [
    ({}, ValueError, "at least one candidate"), ([], ValueError, "at least one candidate"),
    ({"x": 3}, TypeError, "candidate 'x' is not callable"), ("np.matmul", TypeError, "dict"),
    ([np.matmul, np.matmul], ValueError, "two candidates are called 'matmul'")])
def test_autotuner_refuses_nonsense_with_a_sentence(candidates, error, message):
    with pytest.raises(error, match=message):
        fastest(candidates, np.ones((2, 2)), np.ones((2, 2)))


@pytest.mark.parametrize("options", [{"repeats": 0}, {"warmup": -1}])
def test_autotuner_refuses_bad_counts(options):
    with pytest.raises(ValueError, match="must be a whole number"):
        fastest([np.matmul], np.ones((2, 2)), np.ones((2, 2)), **options)
