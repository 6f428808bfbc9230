"""Module 17 — memoization: a preallocated KV cache, a forward pass for new tokens only at the right positions,
and cached generation that writes exactly the tokens `generate` writes (greedy and sampled), several times
faster for 128 new tokens; the cache's memory is 2 · layers · batch · heads · positions · head_dim · itemsize, and it
refuses, in a sentence, to grow past the model's max_len."""
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import tinytorch
from tinytorch.core.autograd import no_grad
from tinytorch.core.transformer import GPT, generate
from tinytorch.perf.memoization import KVCache, cached_forward, generate_cached, kv_cache_nbytes


def tiny(**options):
    settings = dict(vocab_size=13, embed_dim=16, num_heads=4, num_layers=2, max_len=20, seed=0)
    settings.update(options)
    return GPT(**settings)


# ---------------------------------------------------------------- the cache

@pytest.mark.parametrize("layers, batch, heads, positions, head_dim", [
    (1, 1, 1, 1, 1), (2, 3, 4, 16, 8), (4, 1, 2, 64, 16), (12, 2, 12, 5, 64)])
def test_the_cache_is_preallocated_and_its_bytes_follow_the_formula(layers, batch, heads, positions, head_dim):
    cache = KVCache(layers, batch, heads, positions, head_dim)
    assert cache.keys.shape == cache.values.shape == (layers, batch, heads, positions, head_dim)
    assert cache.nbytes == 2 * layers * batch * heads * positions * head_dim * 4 == cache.keys.nbytes * 2
    assert cache.length == 0 and cache.used_nbytes == 0


@pytest.mark.parametrize("factor", ["num_layers", "batch", "max_len", "embed_dim"])
def test_cache_memory_grows_linearly_with_each_factor(factor):
    base = dict(vocab_size=5, embed_dim=16, num_heads=4, num_layers=2, max_len=8)
    bigger = dict(base, **{factor: base.get(factor, 1) * 3}) if factor != "batch" else base
    batch = 3 if factor == "batch" else 1
    assert kv_cache_nbytes(GPT(**bigger), batch) == 3 * kv_cache_nbytes(GPT(**base), 1)
    assert KVCache.for_model(GPT(**bigger), batch).nbytes == kv_cache_nbytes(GPT(**bigger), batch)


def test_kv_cache_nbytes_counts_positions_and_itemsize():
    model = tiny()
    assert kv_cache_nbytes(model, 2, positions=5, itemsize=2) == 2 * 2 * 2 * 5 * 16 * 2
    cache = KVCache.for_model(model, 2)
    with no_grad():
        cached_forward(model, [[1, 2, 3], [4, 5, 6]], cache)
    assert cache.used_nbytes == kv_cache_nbytes(model, 2, positions=3)


def test_update_returns_views_of_every_stored_position_in_order():
    cache = KVCache(1, 1, 1, 5, 2)
    for step in range(5):
        keys, values = cache.update(0, np.full((1, 1, 1, 2), step), np.full((1, 1, 1, 2), -step))
        cache.advance(1)
        assert keys[0, 0, :, 0].tolist() == list(range(step + 1)) and values[0, 0, -1, 0] == -step
    assert np.shares_memory(keys, cache.keys), "views, not copies: nothing is copied per token"


def test_a_full_cache_refuses_with_a_sentence_and_keeps_what_it_holds():
    cache = KVCache(2, 1, 2, 4, 3)
    cache.update(0, np.ones((1, 2, 3, 3)), np.ones((1, 2, 3, 3)))
    cache.advance(3)
    before = cache.keys.copy()
    with pytest.raises(ValueError, match=r"holds 4 positions.*3 are filled: 2 more do not fit.*at most 1 more"):
        cache.update(1, np.full((1, 2, 2, 3), 9.0), np.full((1, 2, 2, 3), 9.0))
    with pytest.raises(ValueError, match="max_len"):
        cache.advance(2)
    assert cache.length == 3 and np.array_equal(cache.keys, before)
    cache.reset()
    assert cache.length == 0
    cache.update(0, np.ones((1, 2, 4, 3)), np.ones((1, 2, 4, 3)))


@pytest.mark.parametrize("layer", [-1, 2, 1.0, True, "0"])
def test_update_refuses_a_layer_the_cache_does_not_have(layer):
    with pytest.raises(ValueError, match=r"layer must be 0 … 1"):
        KVCache(2, 1, 1, 4, 2).update(layer, np.ones((1, 1, 1, 2)), np.ones((1, 1, 1, 2)))


@pytest.mark.parametrize("shape", [(1, 1, 2), (2, 1, 1, 2), (1, 2, 1, 2), (1, 1, 1, 3), (1, 1, 0, 2)])
def test_update_refuses_keys_of_the_wrong_shape(shape):
    with pytest.raises(ValueError, match=r"\(batch=1, heads=1, n, head_dim=2\)"):
        KVCache(1, 1, 1, 4, 2).update(0, np.ones(shape), np.ones(shape))


@pytest.mark.parametrize("name, value", [("num_layers", 0), ("batch_size", -1), ("max_len", 2.5), ("head_dim", True)])
def test_the_cache_refuses_sizes_that_are_not_whole_numbers(name, value):
    sizes = dict(num_layers=1, batch_size=1, num_heads=1, max_len=4, head_dim=2)
    sizes[name] = value
    with pytest.raises(ValueError, match=name):
        KVCache(**sizes)


# ---------------------------------------------------------------- cached forward

@pytest.mark.parametrize("chunks", [[6], [1, 1, 1, 1, 1, 1], [3, 1, 2], [2, 4]])
def test_cached_forward_gives_the_full_forward_logits_in_any_chunks(chunks):
    model = tiny()
    ids = np.array([[1, 5, 2, 7, 3, 9], [4, 4, 0, 12, 8, 6]])
    with no_grad():
        full = model(ids).data
        cache = KVCache.for_model(model, 2)
        start, pieces = 0, []
        for n in chunks:
            pieces.append(cached_forward(model, ids[:, start:start + n], cache).data)
            start += n
    assert np.allclose(np.concatenate(pieces, axis=1), full, atol=1e-5)


def test_cached_forward_uses_the_positions_after_the_cache():
    """A token fed alone after three cached ones is at position 3: its logits differ from the same token at 0."""
    model = tiny()
    with no_grad():
        cache = KVCache.for_model(model)
        cached_forward(model, [[1, 2, 3]], cache)
        at_three = cached_forward(model, [[4]], cache).data[0, 0]
        expected = model([[1, 2, 3, 4]]).data[0, 3]
        model.position_embedding.weight.data[3] += np.random.default_rng(0).normal(size=16)   # position 3 only
        cache.reset()
        cached_forward(model, [[1, 2, 3]], cache)
        moved = cached_forward(model, [[4]], cache).data[0, 0]
    assert np.allclose(at_three, expected, atol=1e-5)
    assert not np.allclose(moved, at_three, atol=1e-3), "row 3 of the position table is the one read"


def test_cached_forward_refuses_what_does_not_fit():
    model = tiny(max_len=4)
    cache = KVCache.for_model(model)
    with pytest.raises(ValueError, match="max_len"):
        cached_forward(model, [[1, 2, 3, 4, 5]], cache)
    assert cache.length == 0
    with pytest.raises(ValueError, match=r"\(batch=1, n\)"):
        cached_forward(model, [[1], [2]], cache)
    with pytest.raises(IndexError, match="outside the embedding table"):
        cached_forward(model, [[13]], cache)


# ---------------------------------------------------------------- generate_cached

@pytest.mark.parametrize("options", [{"top_k": 1}, {"seed": 0}, {"seed": 1, "temperature": 0.5},
                                     {"seed": 2, "temperature": 1.5, "top_k": 3}, {"seed": 3, "top_k": 100}])
def test_generate_cached_writes_exactly_what_generate_writes(options):
    model = tiny(max_len=40)
    prompt = [[1, 2, 3], [9, 8, 7], [0, 0, 0]]
    assert np.array_equal(generate_cached(model, prompt, 30, **options), generate(model, prompt, 30, **options))


def test_the_method_the_dtype_and_no_graph():
    model = tiny()
    out = model.generate_cached([[1, 2]], 5, seed=0)
    assert out.dtype == np.int64 and out.shape == (1, 7) and out[0, :2].tolist() == [1, 2]
    assert all(p.grad is None for p in model.parameters())


def test_generate_cached_fills_the_cache_exactly_to_max_len_and_no_further():
    model = tiny(max_len=10)
    assert np.array_equal(generate_cached(model, [[1, 2, 3]], 8, seed=4), generate(model, [[1, 2, 3]], 8, seed=4))
    with pytest.raises(ValueError, match=r"need 11 positions.*has 10.*at most 8 new tokens.*generate\(\)"):
        generate_cached(model, [[1, 2, 3]], 9)
    with pytest.raises(ValueError, match="at most 0 new tokens"):
        generate_cached(model, [list(range(11))], 1)
    assert generate_cached(model, [[1, 2, 3]], 0).tolist() == [[1, 2, 3]]


@pytest.mark.parametrize("options", [{"temperature": 0}, {"temperature": float("nan")}, {"top_k": 0},
                                     {"top_k": 2.0}, {"max_new_tokens": -1}, {"max_new_tokens": 1.5}])
def test_generate_cached_refuses_the_settings_generate_refuses(options):
    settings = {"max_new_tokens": 2, **options}
    with pytest.raises(ValueError, match="temperature|top_k|max_new_tokens"):
        generate_cached(tiny(), [[1]], **settings)


@pytest.mark.parametrize("prompt, error, message", [
    (np.zeros((1, 0), dtype=np.int64), ValueError, "at least one token"), ([1, 2], ValueError, r"\(batch, seq\)"),
    ([[1.5]], ValueError, "not a whole number"), ([[13]], IndexError, "outside the embedding table")])
def test_generate_cached_refuses_a_prompt_that_is_not_token_ids(prompt, error, message):
    with pytest.raises(error, match=message):
        generate_cached(tiny(), prompt, 2)


# ---------------------------------------------------------------- the speed-up

# Timed in a child process whose BLAS uses one thread: on a loaded 2-core machine NumPy's threaded matrix products
# slow down many times over, and far more for generate's large products than for the cache's small ones, which would
# flatter the cache. One thread compares the two algorithms, not the machine's load.
TIMING = """
import json, sys, time
import numpy as np
from tinytorch.core.transformer import GPT, generate
from tinytorch.perf.memoization import generate_cached
embed_dim, layers, prompt_len, new_tokens = (int(a) for a in sys.argv[1:5])
model = GPT(vocab_size=65, embed_dim=embed_dim, num_heads=4, num_layers=layers, max_len=prompt_len + new_tokens, seed=0)
prompt = np.random.default_rng(0).integers(0, 65, size=(1, prompt_len))
generate(model, prompt, 2, seed=0)
generate_cached(model, prompt, 2, seed=0)
plain, cached, identical = [], [], True
for run in range(2):
    started = time.perf_counter()
    expected = generate(model, prompt, new_tokens, seed=run)
    plain.append(time.perf_counter() - started)
    started = time.perf_counter()
    written = generate_cached(model, prompt, new_tokens, seed=run)
    cached.append(time.perf_counter() - started)
    identical = identical and bool(np.array_equal(written, expected))
print(json.dumps({"plain": min(plain), "cached": min(cached), "identical": identical}))
"""


def time_generation(embed_dim, layers, prompt_len, new_tokens):
    """{"plain", "cached": fastest of two runs each, after a warm-up, in seconds; "identical"}, single-threaded."""
    package_home = str(Path(tinytorch.__file__).resolve().parents[1])
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1",
               PYTHONPATH=os.pathsep.join([package_home, os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep))
    proc = subprocess.run([sys.executable, "-c", TIMING, str(embed_dim), str(layers), str(prompt_len), str(new_tokens)],
                          env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else proc.stdout
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_128_new_tokens_are_at_least_3x_faster_with_the_cache_and_identical():
    """bench/kv_cache.py measures the issue's >= 5x with more runs; this keeps a margin that holds on a loaded
    machine (measured here about 10x, single-threaded)."""
    generate_cached(tiny(), [[1]], 1)           # the student's own code first, in this process
    figures = time_generation(embed_dim=128, layers=2, prompt_len=64, new_tokens=128)
    assert figures["identical"], "the same 128 sampled tokens with and without the cache"
    assert figures["plain"] / figures["cached"] >= 3, figures
