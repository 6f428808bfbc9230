"""`tito benchmark`: the student's framework timed by the student's own harness in a subprocess, only where the
modules it needs are complete, each run saved under .tito/benchmarks/ and compared with the one before."""

from __future__ import annotations

import json
import sys

import pytest
from real_course import copy_course, record_complete, upto

from tito_jupyter import engine
from tito_jupyter.engine.context import Context

FAST = {"repeats": 3}


def run(root, args=None, events=None):
    from tito_jupyter.engine.results import EventSink

    return engine.run("benchmark", args or {}, Context(project=root, events=EventSink(events)))


@pytest.fixture
def course(tmp_path):
    return copy_course(tmp_path / "course")


def saved(root):
    return sorted(p.name for p in (root / ".tito" / "benchmarks").glob("*.json"))


def test_without_module_19_it_says_to_complete_19_first_and_saves_nothing(course):
    record_complete(course, upto(18))
    result = run(course, FAST)
    assert not result.ok
    assert result.summary.startswith("Complete module 19_benchmarking first (`tito complete 19`)"), result.summary
    assert not (course / ".tito" / "benchmarks").exists()


def test_benchmarks_whose_modules_are_not_complete_are_listed_as_not_run_never_faked(course):
    record_complete(course, [*upto(6), "19"])
    before = set(sys.modules)
    result = run(course, FAST)
    assert result.ok, result.summary
    assert [row["name"] for row in result.data["rows"]] == ["tensor_matmul", "mlp_forward", "mlp_train_step"]
    assert result.data["not_run"]["conv2d_forward"] == ["09_spatial"]
    assert result.data["not_run"]["gpt_train_step"] == ["11_embeddings", "12_attention", "13_transformers"]
    assert result.data["not_run"]["mlp_forward_int8"] == ["14_profiling", "15_quantization"]
    assert "Not run: conv2d_forward, attention_forward, gpt_train_step" in result.summary
    assert all(row["median_ms"] > 0 and row["ci_low_ms"] <= row["median_ms"] <= row["ci_high_ms"]
               for row in result.data["rows"])
    # Measured by the student's package in a subprocess: tito's own process never imported it.
    assert not {name for name in set(sys.modules) - before if name.startswith("tinytorch")}
    (name,) = saved(course)
    report = json.loads((course / ".tito" / "benchmarks" / name).read_text())
    assert report["schema"] == "tinytorch.bench/1" and report["tito"]["not_run"] == result.data["not_run"]
    assert [r["name"] for r in report["results"]] == ["tensor_matmul", "mlp_forward", "mlp_train_step"]
    assert all(len(r["seconds"]) == 3 for r in report["results"])


def test_two_runs_are_saved_apart_and_the_second_is_compared_with_the_first(course):
    record_complete(course, upto(19))
    first = run(course, {**FAST, "only": ["mlp_forward", "conv2d_forward"]})
    assert first.ok and first.data["compared_with"] is None and first.data["comparison"] is None, first.summary
    second = run(course, {**FAST, "only": ["mlp_forward"]})
    assert second.ok, second.summary
    assert second.data["compared_with"] == first.data["file"] != second.data["file"]
    comparison = second.data["comparison"]
    assert [row["name"] for row in comparison["rows"]] == ["mlp_forward"]
    assert comparison["only_in_old"] == ["conv2d_forward"] and comparison["same_machine"]
    assert comparison["rows"][0]["verdict"] in ("faster", "slower", "same within noise")
    assert "mlp_forward" in second.data["changes"]
    assert saved(course) == sorted([first.data["file"], second.data["file"]])
    history = run(course, {"list_": True})
    assert [row["file"] for row in history.data["history"]] == [first.data["file"], second.data["file"]]
    assert list(history.data["history"][0]["benchmarks"]) == ["mlp_forward", "conv2d_forward"]
    # --compare names an older run explicitly; 'none' compares with nothing.
    third = run(course, {**FAST, "only": ["conv2d_forward"], "compare": first.data["file"]})
    assert third.data["compared_with"] == first.data["file"]
    assert [row["name"] for row in third.data["comparison"]["rows"]] == ["conv2d_forward"]
    assert run(course, {**FAST, "only": ["mlp_forward"], "compare": "none"}).data["comparison"] is None


def test_a_corrupt_previous_report_is_set_aside_with_a_warning_and_the_run_goes_on(course):
    record_complete(course, upto(19))
    folder = course / ".tito" / "benchmarks"
    folder.mkdir(parents=True)
    (folder / "20000101T000000Z.json").write_text('{"schema": "tinytorch.bench/1", "results": [')
    (folder / "20000101T000001Z.json").write_bytes(b"\xff\xfe not even text")
    result = run(course, {**FAST, "only": ["mlp_forward"]})
    assert result.ok and result.data["compared_with"] is None, result.summary
    warnings = " ".join(result.data["warnings"])
    assert "20000101T000000Z.json could not be used (it is not valid JSON" in warnings
    assert "moved to 20000101T000000Z.json.corrupt" in warnings
    assert (folder / "20000101T000000Z.json.corrupt").exists()
    assert saved(course) == [result.data["file"]]


def test_a_benchmark_whose_student_code_raises_is_reported_and_the_others_still_measured(course):
    record_complete(course, upto(19))
    spatial = course / "tinytorch" / "core" / "spatial.py"
    spatial.write_text(spatial.read_text() + "\n\ndef _broken(self, x):\n    raise RuntimeError('my conv is wrong')\n"
                       "\n\nConv2d.forward = _broken\n")
    result = run(course, {**FAST, "only": ["mlp_forward", "conv2d_forward"]})
    assert not result.ok
    assert result.data["failed"] == {"conv2d_forward": "RuntimeError: my conv is wrong"}
    assert [row["name"] for row in result.data["rows"]] == ["mlp_forward"]
    assert "Failed: conv2d_forward" in result.summary


@pytest.mark.parametrize("args, message", [
    ({"repeats": 1}, "--repeats must be a whole number from 2 to 10000, not 1."),
    ({"repeats": True}, "--repeats must be a whole number"),
    ({"only": ["mlp_forwrd"]}, "There is no benchmark 'mlp_forwrd'. The benchmarks: tensor_matmul, mlp_forward"),
    ({"compare": "nowhere.json"}, "There is no benchmark report 'nowhere.json' to compare with."),
])
def test_bad_requests_are_refused_with_a_sentence(course, args, message):
    record_complete(course, upto(19))
    result = run(course, args)
    assert not result.ok and result.error["exit_code"] == 2 and message in result.summary, result.summary
    assert not (course / ".tito" / "benchmarks").exists()


def test_compare_with_a_damaged_file_is_refused_and_the_file_left_alone(course, tmp_path):
    record_complete(course, upto(19))
    damaged = tmp_path / "old.json"
    damaged.write_text("[]")
    result = run(course, {"compare": str(damaged)})
    assert not result.ok and "cannot be compared with" in result.summary and "not a tinytorch.bench/1" in result.summary
    assert damaged.read_text() == "[]"


def test_a_benchmark_that_never_ends_is_stopped_at_the_timeout_and_leaves_no_process(course):
    import psutil

    record_complete(course, upto(19))
    tensor = course / "tinytorch" / "core" / "tensor.py"
    tensor.write_text(tensor.read_text() + "\n\ndef _forever(self, other):\n    while True:\n        pass\n"
                      "\n\nTensor.matmul = _forever\n")
    result = run(course, {**FAST, "only": ["tensor_matmul"], "timeout": 3})
    assert not result.ok and "timed out after 3 s" in result.summary, result.summary
    assert not any("benchmark_suite" in " ".join(child.cmdline()) for child in psutil.Process().children(recursive=True)
                   if child.is_running())
    assert not (course / ".tito" / "benchmarks").exists() or saved(course) == [], "nothing measured, nothing saved"


def test_runs_saved_in_the_same_second_never_overwrite_each_other(course):
    from tito_jupyter.engine import benchmark

    ctx = Context(project=course)
    paths = [benchmark._save(ctx, {"schema": "tinytorch.bench/1", "results": [], "n": n}) for n in range(3)]
    assert len(set(paths)) == 3 and [json.loads(p.read_text())["n"] for p in paths] == [0, 1, 2]
    assert [p.name for p in benchmark._saved_runs(paths[0].parent)] == [p.name for p in paths], "oldest first"
