"""Can I make a model meet a deployment target and prove it?

Capability: train the digits MLP of the 1986 milestone, state a target (bytes, latency, accuracy), build optimised
candidates with my own quantization and fusion, measure each with my profiler and benchmark harness, and get a report
that says, limit by limit, whether each candidate met it in this run, and which one ships.
"""
import json

from tinytorch.capstone import Target, deployment_report, format_report, load_digits, optimise, split_digits, train_mlp
from tinytorch.perf.profiling import model_size_bytes


def test_my_digit_reader_meets_a_size_and_accuracy_target_and_the_report_proves_it():
    features, labels = load_digits()
    train_x, train_y, test_x, test_y = split_digits(features[:800], labels[:800], seed=21)
    model = train_mlp(train_x, train_y, hidden=64, epochs=8, seed=21)
    target = Target(max_size_bytes=model_size_bytes(model) // 3, max_latency_ms=100.0, min_accuracy=0.85)
    report = deployment_report(optimise(model, train_x[:200]), target, test_x, test_y, test_x[:1],
                               warmup=1, repeats=10)
    rows = {row["name"]: row for row in report["candidates"]}
    assert not rows["float32"]["checks"]["max_size_bytes"]["met"], "the float32 model is too big for this target"
    assert report["chosen"] == "int8", format_report(report)
    assert all(check["met"] for check in rows["int8"]["checks"].values())
    assert rows["int8"]["accuracy"] >= 0.85 and abs(rows["int8"]["accuracy"] - rows["float32"]["accuracy"]) <= 0.05
    assert json.loads(json.dumps(report)) == report
