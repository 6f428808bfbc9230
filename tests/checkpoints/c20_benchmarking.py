"""Can I measure my model's speed honestly and tell, later, whether it changed?

Capability: benchmark variants of a model with warm-up, repeats and a bootstrap confidence interval of the median;
call a variant faster only when the intervals show it; save the report with the machine and the time as JSON, load
it back and compare a later run against it.
"""
import numpy as np

from tinytorch.bench import compare_runs, format_changes, format_table, load_results, run_benchmark, save_results
from tinytorch.core.activations import ReLU
from tinytorch.core.layers import Linear, Sequential
from tinytorch.core.tensor import Tensor


def test_a_benchmark_of_my_model_is_honest_saved_and_compared_over_time(tmp_path):
    model = Sequential(Linear(16, 64, seed=20), ReLU(), Linear(64, 4, seed=21))
    data = Tensor(np.random.default_rng(20).standard_normal((64, 16)).astype(np.float32))

    def one_at_a_time():
        for i in range(64):
            model(data[i:i + 1])

    def batched():
        model(data)

    candidates = {"one at a time": one_at_a_time, "batched": batched}
    report = run_benchmark(candidates, warmup=1, repeats=10)
    loop, batch = report["results"]
    assert batch["verdict"] == "faster" and batch["ci_high"] < loop["ci_low"], format_table(report)
    assert loop["verdict"] == "baseline" and batch["speedup"] > 3

    path = save_results(report, tmp_path / "benchmarks" / "first.json")
    saved = load_results(path)
    assert saved == report and saved["machine"]["numpy"] == np.__version__

    later = run_benchmark(candidates, warmup=1, repeats=10)
    changes = compare_runs(saved, later)
    assert changes["same_machine"] and [row["name"] for row in changes["rows"]] == ["one at a time", "batched"]
    assert all(row["verdict"] in ("faster", "slower", "same within noise") for row in changes["rows"])
    assert "one at a time" in format_changes(changes)
