"""Module 14 — profiling: parameters and bytes counted once per tensor, the layer tree walked with dotted names,
FLOPs checked against the shapes of the products the layers really compute, hooks that always leave the model as
it was, latency statistics, peak memory through tracemalloc, and the Profiler on an MLP, a CNN and a GPT."""
import time
import tracemalloc

import numpy as np
import pytest

from tinytorch.core.activations import ReLU
from tinytorch.core.attention import MultiHeadAttention
from tinytorch.core.layers import Dropout, Layer, Linear, Sequential
from tinytorch.core.losses import CrossEntropyLoss
from tinytorch.core.optimizers import SGD, Adam
from tinytorch.core.spatial import Conv2d, Flatten, MaxPool2d, im2col
from tinytorch.core.tensor import Tensor
from tinytorch.core.transformer import GPT
from tinytorch.perf.profiling import (Profiler, Timing, attention_flops, conv2d_flops, count_parameters,
                                      forward_hooks, linear_flops, measure_latency, measure_peak_memory,
                                      model_size_bytes, named_layers, training_step)

RNG = np.random.default_rng(14)


def mlp(hidden=32, seed=0):
    return Sequential(Linear(64, hidden, seed=seed), ReLU(), Linear(hidden, 10, seed=seed + 1))


def no_wrappers_left(model):
    return all("forward" not in vars(layer) for _, layer in named_layers(model))


# ---------------------------------------------------------------- sizes

@pytest.mark.parametrize("hidden", [1, 7, 128])
def test_count_parameters_of_an_mlp(hidden):
    assert count_parameters(mlp(hidden)) == 64 * hidden + hidden + hidden * 10 + 10


def test_a_tensor_used_twice_is_counted_and_stored_once():
    first, second = Linear(8, 8, seed=0), Linear(8, 8, seed=1)
    second.weight = first.weight                      # tied weights, as GPT-2's head and embedding
    model = Sequential(first, second)
    assert count_parameters(model) == 64 + 8 + 8
    assert model_size_bytes(model) == 4 * (64 + 8 + 8)


def test_size_follows_the_dtype():
    model = mlp()
    for p in model.parameters():
        p.data = p.data.astype(np.float64)
    assert model_size_bytes(model) == 8 * count_parameters(model)


def test_buffers_are_stored_but_not_counted_as_parameters():
    class Quantized(Layer):
        def __init__(self):
            super().__init__()
            self.codes = np.zeros((10, 10), dtype=np.int8)
            self.scale = Tensor(np.ones(10, dtype=np.float32))

        def forward(self, x):
            return x

        def buffers(self):
            return [self.codes, self.scale, self.codes]   # listed twice: stored once

    model = Sequential(Quantized(), Linear(10, 2, seed=0))
    assert count_parameters(model) == 22
    assert model_size_bytes(model) == 100 + 40 + 22 * 4


@pytest.mark.parametrize("not_a_model", [np.zeros(3), 3, "model", None])
def test_sizes_refuse_what_is_not_a_model(not_a_model):
    for measure in (count_parameters, model_size_bytes, Profiler):
        with pytest.raises(TypeError, match="model"):
            measure(not_a_model)


# ---------------------------------------------------------------- walking the layers

def test_named_layers_of_a_gpt_follow_the_attributes_in_order():
    gpt = GPT(vocab_size=11, embed_dim=8, num_heads=2, num_layers=2, max_len=6, seed=0)
    names = [name for name, _ in named_layers(gpt)]
    assert names[:4] == ["", "token_embedding", "position_embedding", "blocks.0"]
    assert names[4:10] == ["blocks.0.ln1", "blocks.0.attn", "blocks.0.attn.q_proj", "blocks.0.attn.k_proj",
                           "blocks.0.attn.v_proj", "blocks.0.attn.out_proj"]
    assert names[-2:] == ["ln_f", "head"]
    assert len(names) == len(set(names))


def test_named_layers_survives_a_layer_that_points_back_to_its_parent():
    parent = Sequential(Linear(2, 2, seed=0), ReLU())
    parent.layers[0].owner = parent                  # a cycle in the object graph
    assert [name for name, _ in named_layers(parent)] == ["", "layers.0", "layers.1"]


def test_named_layers_finds_layers_in_tuples_and_plain_attributes():
    class Two(Layer):
        def __init__(self):
            super().__init__()
            self.pair = (Linear(3, 3, seed=0), Dropout(0.5))
            self.rate = 0.5
            self.last = Linear(3, 1, seed=1)

        def forward(self, x):
            return self.last(self.pair[1](self.pair[0](x)))

    assert [name for name, _ in named_layers(Two())] == ["", "pair.0", "pair.1", "last"]


# ---------------------------------------------------------------- FLOPs

@pytest.mark.parametrize("shape", [(1, 5), (32, 5), (2, 3, 5)])
@pytest.mark.parametrize("bias", [True, False])
def test_linear_flops_are_twice_the_multiply_adds_plus_the_bias(shape, bias):
    layer = Linear(5, 7, bias=bias, seed=0)
    rows = int(np.prod(shape[:-1]))
    x = np.ones(shape)
    products = x.reshape(rows, 5).shape[0] * 5 * layer.weight.shape[1]     # (rows x 5) @ (5 x 7)
    assert linear_flops(layer, shape) == 2 * products + (rows * 7 if bias else 0)


@pytest.mark.parametrize("shape, kernel, stride, padding", [
    ((2, 3, 5, 6), 3, 1, 0), ((1, 2, 7, 7), (3, 2), 2, 1), ((3, 4, 3, 3), 1, 1, 0), ((1, 1, 6, 6), 3, 2, 0)])
@pytest.mark.parametrize("bias", [True, False])
def test_conv2d_flops_match_its_im2col_product(shape, kernel, stride, padding, bias):
    conv = Conv2d(shape[1], 4, kernel_size=kernel, stride=stride, padding=padding, bias=bias, seed=0)
    cols, out_h, out_w = im2col(np.zeros(shape), kernel, stride, padding)
    multiply_adds = cols.shape[0] * cols.shape[1] * 4                       # cols @ weight.reshape(4, -1).T
    outputs = shape[0] * 4 * out_h * out_w
    assert conv2d_flops(conv, shape) == 2 * multiply_adds + (outputs if bias else 0)


@pytest.mark.parametrize("batch, queries, keys, embed, heads", [(1, 1, 1, 4, 1), (2, 5, 5, 8, 2), (3, 4, 9, 12, 3)])
def test_attention_flops_are_its_two_products(batch, queries, keys, embed, heads):
    layer = MultiHeadAttention(embed, heads)
    head_dim = embed // heads
    scores = batch * heads * queries * head_dim * keys          # (Lq x d) @ (d x Lk) per head
    weighted = batch * heads * queries * keys * head_dim        # (Lq x Lk) @ (Lk x d) per head
    key_shape = None if keys == queries else (batch, keys, embed)
    assert attention_flops(layer, (batch, queries, embed), key_shape) == 2 * (scores + weighted)


# ---------------------------------------------------------------- hooks

def test_hooks_see_every_call_and_are_removed():
    model = mlp()
    calls = []
    with forward_hooks(model, lambda name, layer, args, output: calls.append(name)):
        model(Tensor(np.ones((2, 64))))
        model(Tensor(np.ones((2, 64))))
    assert calls == ["layers.0", "layers.1", "layers.2", ""] * 2
    assert no_wrappers_left(model)
    model(Tensor(np.ones((2, 64))))
    assert len(calls) == 8, "after the block, no hook runs"


def test_hooks_are_removed_when_the_forward_fails():
    model = mlp()
    with pytest.raises(ValueError, match="last dimension"):
        with forward_hooks(model, lambda *args: None):
            model(Tensor(np.ones((2, 63))))
    assert no_wrappers_left(model)


def test_nested_hooks_both_run_and_unwind_in_order():
    model = mlp()
    outer, inner = [], []
    with forward_hooks(model, lambda name, *rest: outer.append(name)):
        with forward_hooks(model, lambda name, *rest: inner.append(name)):
            model(Tensor(np.ones((1, 64))))
        model(Tensor(np.ones((1, 64))))
    assert len(inner) == 4 and len(outer) == 8
    assert no_wrappers_left(model)


def test_a_forward_set_on_the_object_is_given_back():
    layer = Linear(3, 3, seed=0)
    layer.forward = lambda x: x * 2                # someone's own patch
    patched = layer.forward
    with forward_hooks(layer, lambda *args: None):
        layer(Tensor(np.ones((1, 3))))
    assert layer.forward is patched


def test_hooks_refuse_what_is_not_a_function():
    with pytest.raises(TypeError, match="hook"):
        with forward_hooks(mlp(), "print"):
            pass


# ---------------------------------------------------------------- latency and memory

def test_timing_statistics_match_numpy():
    samples = RNG.exponential(size=25).tolist()
    timing = Timing(samples)
    assert timing.median == pytest.approx(np.median(samples))
    assert (timing.q1, timing.q3) == pytest.approx((np.percentile(samples, 25), np.percentile(samples, 75)))
    assert timing.iqr == pytest.approx(timing.q3 - timing.q1)
    assert (timing.min, timing.max) == (min(samples), max(samples))
    assert "ms median" in str(timing)


def test_a_timing_needs_runs():
    with pytest.raises(ValueError, match="at least one"):
        Timing([])


def test_latency_warms_up_then_times_each_repeat():
    calls = []
    timing = measure_latency(lambda: calls.append(time.perf_counter()), warmup=4, repeats=6)
    assert len(calls) == 10 and len(timing.samples) == 6


def test_latency_of_a_sleep_is_at_least_the_sleep():
    timing = measure_latency(lambda: time.sleep(0.003), warmup=0, repeats=3)
    assert timing.min >= 0.003


@pytest.mark.parametrize("options", [{"repeats": 0}, {"repeats": -2}, {"warmup": -1}, {"repeats": 1.5},
                                     {"warmup": True}, {"repeats": "10"}])
def test_latency_refuses_counts_that_are_not_whole_numbers(options):
    with pytest.raises(ValueError, match="whole number"):
        measure_latency(lambda: None, **options)


def test_latency_and_memory_refuse_what_cannot_be_called():
    with pytest.raises(TypeError, match="function"):
        measure_latency(42)
    with pytest.raises(TypeError, match="function"):
        measure_peak_memory([1, 2])


@pytest.mark.parametrize("size", [100_000, 1_000_000, 4_000_000])
def test_peak_memory_of_one_array(size):
    peak = measure_peak_memory(lambda: np.zeros(size, dtype=np.uint8) + 1)
    assert size <= peak < 2 * size + 100_000, f"{size:,}-byte arrays: {peak:,}"


class Boom(Exception):
    """An error of the test's own (not a RuntimeError: a NotImplementedError is one)."""


def test_peak_memory_leaves_tracing_as_it_found_it_even_after_an_error():
    def fails():
        np.ones(1000)
        raise Boom("boom")

    with pytest.raises(Boom):
        measure_peak_memory(fails)
    assert not tracemalloc.is_tracing()
    tracemalloc.start()
    try:
        measure_peak_memory(lambda: None)
        assert tracemalloc.is_tracing()
    finally:
        tracemalloc.stop()


# ---------------------------------------------------------------- the Profiler

def test_profiler_layers_add_up_to_the_model():
    model = Sequential(Conv2d(1, 4, 3, padding=1, seed=0), ReLU(), MaxPool2d(2), Flatten(), Linear(64, 10, seed=1))
    x = Tensor(RNG.random((5, 1, 8, 8)).astype(np.float32))
    profiler = Profiler(model, warmup=0, repeats=1)
    layers = profiler.layers(x)
    assert sum(p.parameters for p in layers) == count_parameters(model)
    assert [p.flops for p in layers] == [0, conv2d_flops(model[0], (5, 1, 8, 8)), 0, 0, 0,
                                         linear_flops(model[4], (5, 64))]
    assert [p.output_shape for p in layers][1:] == [(5, 4, 8, 8), (5, 4, 8, 8), (5, 4, 4, 4), (5, 64), (5, 10)]
    assert no_wrappers_left(model)


def test_a_layer_called_twice_counts_both_calls():
    shared = Linear(6, 6, seed=0)
    model = Sequential(shared, ReLU(), shared)
    (first, *_) = [p for p in Profiler(model).layers(Tensor(np.ones((3, 6)))) if p.name == "layers.0"]
    assert first.calls == 2 and first.flops == 2 * linear_flops(shared, (3, 6))


def test_profiler_leaves_the_model_unchanged_when_the_input_is_wrong():
    model = mlp()
    with pytest.raises(ValueError, match="last dimension must be 64"):
        Profiler(model).layers(Tensor(np.ones((2, 10))))
    assert no_wrappers_left(model)


def test_forward_is_measured_without_a_graph():
    model = mlp()
    outputs = []
    with forward_hooks(model, lambda name, layer, args, output: outputs.append(output)):
        Profiler(model, warmup=0, repeats=1).forward_latency(Tensor(np.ones((2, 64))))
    assert outputs and all(o.grad_fn is None for o in outputs), "inference: no_grad, nothing kept for backward"


def test_gpt_flops_by_hand():
    gpt = GPT(vocab_size=7, embed_dim=8, num_heads=2, num_layers=2, max_len=5, hidden_dim=16, seed=0)
    rows = 3 * 5
    per_block = 4 * (2 * rows * 8 * 8 + rows * 8) + 4 * 3 * 5 * 5 * 8 \
        + (2 * rows * 8 * 16 + rows * 16) + (2 * rows * 16 * 8 + rows * 8)
    head = 2 * rows * 8 * 7 + rows * 7
    assert Profiler(gpt).flops(RNG.integers(0, 7, (3, 5))) == 2 * per_block + head


def test_training_step_trains():
    model = mlp(seed=3)
    x = Tensor(RNG.random((32, 64)).astype(np.float32))
    y = RNG.integers(0, 10, 32)
    optimizer = Adam(model.parameters(), lr=0.01)
    losses = [training_step(model, CrossEntropyLoss(), optimizer, x, y).item() for _ in range(30)]
    assert losses[-1] < 0.5 * losses[0]


def test_memory_grows_with_the_batch_and_training_needs_more():
    model = mlp(hidden=128)
    small, large = Tensor(np.ones((64, 64), np.float32)), Tensor(np.ones((512, 64), np.float32))
    profiler = Profiler(model)
    small_peak, large_peak = profiler.forward_memory(small), profiler.forward_memory(large)
    assert large_peak >= 512 * 128 * 4, "at least the hidden activations of the batch"
    assert large_peak > 4 * small_peak, f"8x the batch: {small_peak:,} -> {large_peak:,} bytes"
    y = np.zeros(512, dtype=np.int64)
    training = profiler.training_memory(large, y, CrossEntropyLoss(), SGD(model.parameters(), lr=0.01))
    assert training > 1.5 * large_peak, f"activations kept for backward and gradients: {training:,} vs {large_peak:,}"


@pytest.mark.parametrize("given", [{"y": [0]}, {"loss_fn": CrossEntropyLoss}, {"y": [0], "optimizer": object}])
def test_report_refuses_half_a_training_setup(given):
    with pytest.raises(ValueError, match="y, loss_fn and optimizer"):
        Profiler(mlp()).report(Tensor(np.ones((1, 64))), **given)


def test_report_has_every_figure():
    model = mlp()
    x, y = Tensor(np.ones((4, 64), np.float32)), np.arange(4)
    report = Profiler(model, warmup=1, repeats=3).report(x, y, CrossEntropyLoss(), SGD(model.parameters(), lr=0.0))
    assert report["parameters"] == count_parameters(model) and report["size_bytes"] == 4 * report["parameters"]
    assert report["flops"] == linear_flops(model[0], (4, 64)) + linear_flops(model[2], (4, 32))
    for key in ("forward_latency", "training_latency"):
        assert len(report[key].samples) == 3 and report[key].median > 0
    assert report["training_memory"] > report["forward_memory"] > 0


@pytest.mark.parametrize("options", [{"warmup": -1}, {"repeats": 0}])
def test_profiler_refuses_bad_counts(options):
    with pytest.raises(ValueError, match="whole number"):
        Profiler(mlp(), **options)


def test_peak_memory_does_not_remember_what_ran_before_it():
    tracemalloc.start()
    try:
        np.ones(5_000_000, dtype=np.uint8)          # a 5 MB peak, gone before the measurement starts
        peak = measure_peak_memory(lambda: np.ones(1000, dtype=np.uint8))
    finally:
        tracemalloc.stop()
    assert peak < 100_000, f"the peak of a 1 kB allocation, not of the earlier 5 MB: {peak:,} bytes"
