"""Can I make a GPT write faster by remembering what it has computed?

Capability: a GPT keeps the keys and values of every layer in a KV cache, so each new token costs one position
of work instead of the whole text: a trained GPT writes exactly the same tokens with the cache as without it,
greedy or sampled, several times faster, and the cache's memory is what 2 · layers · positions · embed_dim
numbers take.
"""
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

import tinytorch
from tinytorch.core.losses import CrossEntropyLoss
from tinytorch.core.optimizers import Adam
from tinytorch.core.tensor import Tensor
from tinytorch.core.transformer import GPT
from tinytorch.perf.memoization import KVCache, kv_cache_nbytes


def test_a_trained_gpt_writes_the_same_text_with_a_kv_cache():
    pattern = np.array([3, 1, 4, 1, 5, 9, 2, 6])
    stream = np.tile(pattern, 12)
    context = 40
    model = GPT(vocab_size=10, embed_dim=16, num_heads=2, num_layers=1, max_len=context, seed=18)
    optimizer = Adam(model.parameters(), lr=0.02)
    rng = np.random.default_rng(18)
    for _ in range(100):
        starts = rng.integers(0, len(stream) - context - 1, size=8)
        x = np.stack([stream[s:s + context] for s in starts])
        y = np.stack([stream[s + 1:s + context + 1] for s in starts])
        loss = CrossEntropyLoss()(model(x).reshape(-1, 10), Tensor(y.reshape(-1)))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    assert float(loss.data) < 0.1, f"the GPT learns the repeating pattern first: loss {float(loss.data):.3f}"

    prompt = [stream[2:6].tolist()]
    written = model.generate_cached(prompt, max_new_tokens=context - 3, top_k=1)
    assert written[0].tolist() == stream[2:2 + context + 1].tolist(), f"it continues the pattern: {written[0]}"
    assert np.array_equal(written, model.generate(prompt, max_new_tokens=context - 3, top_k=1))
    for seed in (0, 1):
        assert np.array_equal(model.generate_cached(prompt, 30, temperature=2.0, seed=seed),
                              model.generate(prompt, 30, temperature=2.0, seed=seed)), "sampled: the same draws"
    cache = KVCache.for_model(model)
    assert cache.nbytes == kv_cache_nbytes(model) == 2 * 1 * context * 16 * 4


# Timed in a child process with one BLAS thread, so that other programs on the machine (which slow NumPy's
# threaded products, the large ones of generate the most) do not flatter the cache.
TIMING = """
import json, time
import numpy as np
from tinytorch.core.transformer import GPT
import tinytorch.perf.memoization
model = GPT(vocab_size=65, embed_dim=128, num_heads=4, num_layers=2, max_len=160, seed=0)
prompt = np.random.default_rng(1).integers(0, 65, size=(1, 64))
model.generate(prompt, 2)
model.generate_cached(prompt, 2)
plain, cached = [], []
for _ in range(2):
    started = time.perf_counter()
    model.generate(prompt, 96, seed=3)
    plain.append(time.perf_counter() - started)
    started = time.perf_counter()
    model.generate_cached(prompt, 96, seed=3)
    cached.append(time.perf_counter() - started)
print(json.dumps([min(plain), min(cached)]))
"""


def test_writing_96_tokens_is_several_times_faster_with_the_cache():
    GPT(vocab_size=5, embed_dim=8, num_heads=2, num_layers=1, max_len=4).generate_cached([[1]], 1)
    home = str(Path(tinytorch.__file__).resolve().parents[1])
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1",
               PYTHONPATH=os.pathsep.join([home, os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep))
    proc = subprocess.run([sys.executable, "-c", TIMING], env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else proc.stdout
    plain, cached = json.loads(proc.stdout.strip().splitlines()[-1])
    assert plain / cached >= 2.5, f"generate {plain:.3f} s, with the cache {cached:.3f} s"
