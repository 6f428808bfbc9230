"""Module 17's KV cache on these machines: the time to write 128 tokens after a 32-token prompt with
`generate` (the whole text recomputed for every token) and with `generate_cached` (one new position per token),
for a GPT of the size module 13 measures (vocab 65, embed_dim 128, 4 heads, 4 layers, max_len 256), trained
weights not needed (the work does not depend on them). Also checks that both write the same tokens, and gives
the cache's memory. The issue's target: at least 5x.

Run: python bench/kv_cache.py [--runs N]. Runs alternate (uncached, cached) after a warm-up; the figure is the
ratio of the medians (time.perf_counter). The load average is printed: other programs on a 2-core machine make
NumPy's threaded matrix products much slower, which inflates the uncached time more than the cached one.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tinytorch.core.transformer import GPT  # noqa: E402
from tinytorch.perf.memoization import KVCache  # noqa: E402

TARGET = 5.0


def main(runs: int) -> int:
    model = GPT(vocab_size=65, embed_dim=128, num_heads=4, num_layers=4, max_len=256, seed=0)
    prompt = np.random.default_rng(0).integers(0, 65, size=(1, 32))
    model.generate(prompt, 4, seed=0)
    model.generate_cached(prompt, 4, seed=0)
    plain, cached, identical = [], [], True
    for run in range(runs):
        started = time.perf_counter()
        expected = model.generate(prompt, 128, seed=run)
        plain.append(time.perf_counter() - started)
        started = time.perf_counter()
        written = model.generate_cached(prompt, 128, seed=run)
        cached.append(time.perf_counter() - started)
        identical = identical and bool(np.array_equal(written, expected))
    p, c = statistics.median(plain), statistics.median(cached)
    cache = KVCache.for_model(model)
    weights = sum(parameter.data.nbytes for parameter in model.parameters())
    print(f"GPT(embed_dim=128, 4 heads, 4 layers, max_len 256), 32-token prompt, 128 new tokens, {runs} runs")
    print(f"generate          {p:7.3f} s   (median; {min(plain):.3f} to {max(plain):.3f})")
    print(f"generate_cached   {c:7.3f} s   (median; {min(cached):.3f} to {max(cached):.3f})")
    print(f"speed-up          {p / c:7.1f}x  (target {TARGET:.0f}x); same tokens in every run: {identical}")
    print(f"cache memory      {cache.nbytes / 2**20:7.2f} MiB for 256 positions ({cache.nbytes / weights:.2f}x the "
          f"weights' {weights / 2**20:.2f} MiB)")
    print(f"load average      {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    figures = {"bench": "kv_cache", "runs": runs, "seconds_generate": round(p, 3), "seconds_cached": round(c, 3),
               "speedup": round(p / c, 1), "identical": identical, "cache_bytes": cache.nbytes,
               "load_average": round(os.getloadavg()[0], 1)}
    print(json.dumps(figures))
    return 0 if identical and p / c >= TARGET else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    sys.exit(main(parser.parse_args().runs))
