"""Module 17's KV cache on these machines: the time to write 128 tokens after a 32-token prompt with
`generate` (the whole text recomputed for every token) and with `generate_cached` (one new position per token),
for a GPT of the size module 13 measures (vocab 65, embed_dim 128, 4 heads, 4 layers, max_len 256); trained
weights are not needed (the work does not depend on them). Also checks that both write the same tokens, and gives
the cache's memory. The issue's target: at least 5x.

Run: python bench/kv_cache.py [--runs N]. Each figure comes from a fresh child process, measured twice: with
NumPy's BLAS on one thread, and with BLAS as the environment sets it (threads on every core). Runs alternate
(uncached, cached) after a warm-up; a figure is the ratio of the medians (time.perf_counter). On a loaded 2-core
machine threaded BLAS slows down many times over, generate's large products far more than the cache's small ones,
so the threaded ratio then flatters the cache; the single-threaded one compares the algorithms. Exits 1 if the
tokens differ or the single-threaded speed-up is below 5x.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TARGET = 5.0
ONE_THREAD = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def measure(runs: int) -> dict:
    """In this process: medians of `runs` alternated runs of each, after a warm-up."""
    import numpy as np

    from tinytorch.core.transformer import GPT
    from tinytorch.perf.memoization import KVCache

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
    weights = sum(parameter.data.nbytes for parameter in model.parameters())
    return {"seconds_generate": statistics.median(plain), "seconds_cached": statistics.median(cached),
            "range_generate": [min(plain), max(plain)], "range_cached": [min(cached), max(cached)],
            "identical": identical, "cache_bytes": KVCache.for_model(model).nbytes, "weights_bytes": weights}


def in_child(runs: int, extra_env: dict) -> dict:
    env = dict(os.environ, **extra_env)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    proc = subprocess.run([sys.executable, __file__, "--child", "--runs", str(runs)], env=env, capture_output=True,
                          text=True, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(runs: int) -> int:
    print(f"GPT(embed_dim=128, 4 heads, 4 layers, max_len 256), 32-token prompt, 128 new tokens, {runs} runs each")
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores at the start")
    figures = {"bench": "kv_cache", "runs": runs}
    for label, extra in (("BLAS on 1 thread", ONE_THREAD), ("BLAS as set", {})):
        f = in_child(runs, extra)
        ratio = f["seconds_generate"] / f["seconds_cached"]
        print(f"{label:<17} generate {f['seconds_generate']:7.3f} s   generate_cached {f['seconds_cached']:6.3f} s   "
              f"speed-up {ratio:5.1f}x   same tokens: {f['identical']}")
        figures["one_thread" if extra else "as_set"] = {**f, "speedup": round(ratio, 1)}
    f = figures["one_thread"]
    print(f"cache memory      {f['cache_bytes'] / 2**20:.2f} MiB for 256 positions "
          f"({f['cache_bytes'] / f['weights_bytes']:.2f}x the weights' {f['weights_bytes'] / 2**20:.2f} MiB)")
    print(f"target {TARGET:.0f}x (single-threaded): {'met' if f['speedup'] >= TARGET else 'NOT met'}")
    print(json.dumps(figures))
    ok = f["identical"] and figures["as_set"]["identical"] and f["speedup"] >= TARGET
    return 0 if ok else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.runs)))
        sys.exit(0)
    sys.exit(main(args.runs))
