"""complete runs a module's tests and the checkpoints it unlocks in ONE pytest process (issue #15), and still keeps
them apart: a checkpoint begins only once everything before it passed, each has a result, a record and a timeout
of its own, and one that cannot even be collected fails alone."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from course_factory import DOUBLING_EXPORT, doubling_notebook, write_notebook
from tito_jupyter import engine
from tito_jupyter.course import Course
from tito_jupyter.engine import testing
from tito_jupyter.engine.context import Context
from tito_jupyter.engine.results import EventSink

NB2 = "modules/02_doubling/02_doubling.ipynb"
#: A test that leaves a trace: the process it ran in, one line a test, in a file the test names.
TRACE = '''import os
from pathlib import Path


def trace(name):
    with open(Path(os.environ["TITO_TRACE"]), "a") as f:
        f.write(name + " " + str(os.getpid()) + "\\n")
'''
CHECKPOINT = '''"""Can I double a sum?"""
from tinytorch.core.doubling import double
from tinytorch.core.numbers import add
{trace}

def test_{name}():
    trace("{name}")
    {body}
'''


def checkpoint(course_dir, name: str, body: str = "assert double(add(1, 2)) == 6") -> None:
    (course_dir / f"tests/checkpoints/{name}.py").write_text(CHECKPOINT.format(trace=TRACE, name=name, body=body))


def module_test(course_dir, body: str = "pass") -> None:
    (course_dir / "tests/modules/02_doubling").mkdir(parents=True, exist_ok=True)
    (course_dir / "tests/modules/02_doubling/test_traced.py").write_text(
        f"{TRACE}\n\ndef test_traced():\n    trace('module')\n    {body}\n")


def traces(course_dir) -> list[tuple[str, int]]:
    path = course_dir / "trace.txt"
    if not path.exists():
        return []
    return [(name, int(pid)) for name, pid in (line.split() for line in path.read_text().splitlines())]


def complete_02(course_dir, monkeypatch, **args):
    monkeypatch.setenv("TITO_TRACE", str(course_dir / "trace.txt"))
    events: list[dict] = []
    assert engine.run("module.complete", {"modules": ["01"]}, Context(project=course_dir)).ok
    result = engine.run("module.complete", {"modules": ["02"], **args},
                        Context(project=course_dir, events=EventSink(events.append)))
    return result, result.data["modules"][0], events


def progress(course_dir) -> dict:
    return json.loads((course_dir / ".tito/progress.json").read_text())


def test_the_tests_and_the_checkpoint_run_in_one_process_and_are_recorded_apart(course_dir, monkeypatch):
    module_test(course_dir)
    checkpoint(course_dir, "c01_arithmetic")
    result, report, events = complete_02(course_dir, monkeypatch)
    assert result.ok, result.summary
    ran = traces(course_dir)
    assert [name for name, _ in ran] == ["module", "c01_arithmetic"]
    assert len({pid for _, pid in ran}) == 1, f"one pytest process for the tests and the checkpoint: {ran}"
    test_step, checkpoint_step = report["steps"][1:]
    assert test_step["counts"]["total"] == 2  # its inline test and the traced one: not the checkpoint's
    assert all("c01_arithmetic" not in t["id"] for t in test_step["tests"])
    assert [t["id"] for t in checkpoint_step["tests"]] == ["tests/checkpoints/c01_arithmetic.py::test_c01_arithmetic"]
    assert checkpoint_step["counts"] == {"passed": 1, "failed": 0, "error": 0, "skipped": 0, "total": 1}
    recorded = progress(course_dir)
    assert recorded["modules"]["02_doubling"]["tests"]["total"] == 2
    assert recorded["checkpoints"]["c01_arithmetic"]["last_run"]["total"] == 1
    # the faces see the same story as before: the tests end (passed) before the checkpoint begins
    order = [(e["step"], e["state"]) for e in events if e["event"] == "step"]
    assert order.index(("test", "passed")) < order.index(("checkpoint", "running")) < order.index(("checkpoint", "passed"))
    running = next(i for i, e in enumerate(events) if e.get("step") == "checkpoint" and e["state"] == "running")
    checkpoint_events = [e for e in events[running:] if e["event"] == "test"]
    assert [e["id"] for e in checkpoint_events] == ["tests/checkpoints/c01_arithmetic.py::test_c01_arithmetic"]
    collected = [e["count"] for e in events if e["event"] == "collected"]
    assert collected == [2, 1]  # each stage announces its own count, so progress bars end at 100%


def test_a_failing_test_keeps_the_checkpoint_from_running_at_all(course_dir, monkeypatch):
    module_test(course_dir, body="assert False, 'broken on purpose'")
    checkpoint(course_dir, "c01_arithmetic")
    result, report, _ = complete_02(course_dir, monkeypatch)
    assert not result.ok and report["failed_step"] == "test"
    assert [name for name, _ in traces(course_dir)] == ["module"]  # the checkpoint's test never ran
    assert "c01_arithmetic" not in progress(course_dir)["checkpoints"]
    assert [s["step"] for s in report["steps"]] == ["export", "test"]


def test_a_failure_early_in_the_tests_does_not_stop_the_later_tests(course_dir, monkeypatch):
    module_test(course_dir, body="assert False, 'broken on purpose'")
    write_notebook(course_dir / NB2, doubling_notebook(DOUBLING_EXPORT.replace("add(x, x)", "add(x, 1)")))
    result, report, _ = complete_02(course_dir, monkeypatch)
    counts = report["steps"][1]["counts"]
    assert (counts["failed"], counts["total"]) == (2, 2), counts  # both ran, both failed: a stage runs whole


def test_a_failing_checkpoint_stops_the_next_one_and_neither_completes_the_module(course_dir, monkeypatch):
    checkpoint(course_dir, "c01_arithmetic", body="assert double(3) == 7, 'a broken checkpoint'")
    checkpoint(course_dir, "c02_more")
    result, report, _ = complete_02(course_dir, monkeypatch)
    assert not result.ok and report["failed_step"] == "checkpoint"
    assert "c01_arithmetic failed" in result.summary and "a broken checkpoint" in result.summary
    assert [name for name, _ in traces(course_dir)] == ["c01_arithmetic"]
    recorded = progress(course_dir)
    assert recorded["checkpoints"]["c01_arithmetic"]["last_run"]["ok"] is False
    assert "c02_more" not in recorded["checkpoints"]
    assert recorded["modules"]["02_doubling"]["tests"]["ok"] is True  # the tests passed, and say so
    assert engine.run("module.status", {}, Context(project=course_dir)).data["modules"][1]["state"] != "complete"


def test_two_checkpoints_that_pass_both_run_in_order_and_both_are_recorded(course_dir, monkeypatch):
    checkpoint(course_dir, "c02_more")
    result, report, _ = complete_02(course_dir, monkeypatch)
    assert result.ok, result.summary
    assert [s.get("checkpoint") for s in report["steps"][2:]] == ["c01_arithmetic", "c02_more"]
    assert all(progress(course_dir)["checkpoints"][c]["passed_at"] for c in ("c01_arithmetic", "c02_more"))


def test_a_checkpoint_that_cannot_be_collected_fails_alone(course_dir, monkeypatch):
    """pytest runs nothing when a file cannot be collected: the module's tests must still run, and pass."""
    module_test(course_dir)
    (course_dir / "tests/checkpoints/c01_arithmetic.py").write_text(
        '"""Can I double?"""\nfrom tinytorch.core.doubling import double\nimport a_module_that_is_not_there\n\n\n'
        "def test_it():\n    assert double(1) == 2\n")
    result, report, _ = complete_02(course_dir, monkeypatch)
    assert not result.ok and report["failed_step"] == "checkpoint"
    assert report["steps"][1]["ok"] and report["steps"][1]["counts"]["passed"] == 2
    assert "could not collect" in report["steps"][2]["summary"], report["steps"][2]["summary"]
    assert "a_module_that_is_not_there" in report["steps"][2]["summary"]
    assert progress(course_dir)["modules"]["02_doubling"]["tests"]["ok"] is True


def test_a_checkpoint_with_no_tests_does_not_pass(course_dir, monkeypatch):
    (course_dir / "tests/checkpoints/c01_arithmetic.py").write_text(
        '"""Can I double?"""\nfrom tinytorch.core.doubling import double\n')
    result, report, _ = complete_02(course_dir, monkeypatch)
    assert not result.ok and report["failed_step"] == "checkpoint"
    assert "no tests ran" in report["steps"][2]["summary"]


def test_a_checkpoint_that_never_ends_times_out_on_its_own_clock(course_dir, monkeypatch):
    module_test(course_dir)
    checkpoint(course_dir, "c01_arithmetic", body="while True:\n        pass")
    result, report, _ = complete_02(course_dir, monkeypatch, timeout=20)
    assert not result.ok and report["failed_step"] == "checkpoint"
    test_step, checkpoint_step = report["steps"][1:]
    assert test_step["ok"] and not test_step.get("timed_out")  # the tests before it had passed, and say so
    assert "timed out after 20 s" in checkpoint_step["summary"]
    assert checkpoint_step["counts"]["timed_out"] is True
    assert progress(course_dir)["checkpoints"]["c01_arithmetic"]["last_run"]["ok"] is False


def test_a_stage_not_wanted_stops_the_process_and_runs_no_further(course_dir, monkeypatch):
    """The caller decides a stage failed (its own judgement, not pytest's): the next stages do not run."""
    monkeypatch.setenv("TITO_TRACE", str(course_dir / "trace.txt"))
    module_test(course_dir)
    checkpoint(course_dir, "c01_arithmetic")
    course = Course.load(course_dir)
    ended = []

    def on_end(stage, run):
        ended.append(stage)
        return False

    runs = testing.run_stages(course, [[course_dir / "tests/modules/02_doubling"],
                                       [course_dir / "tests/checkpoints/c01_arithmetic.py"]],
                              on_stage_end=on_end)
    assert ended == [0] and runs[1] is None
    assert runs[0]["counts"]["passed"] == 1
    assert [name for name, _ in traces(course_dir)] == ["module"]


@pytest.mark.linux_only  # /proc spares psutil; elsewhere psutil reads process times, and stops trees on Windows
def test_complete_in_a_terminal_imports_neither_psutil_nor_nbdev_when_there_is_nothing_to_export(course_dir):
    """What complete costs beyond its tests (#15): an export with nothing to do reads the course cache, and the
    run's announcement reads /proc, not psutil (about 15 ms) or nbdev (about 140 ms)."""
    env = dict(os.environ, TITO_PROJECT=str(course_dir))
    env.pop("TITO_FAULT", None)
    first = subprocess.run([sys.executable, "-m", "tito_jupyter", "--json", "complete", "01"], env=env,
                           capture_output=True, text=True, timeout=600)
    assert json.loads(first.stdout)["ok"], first.stdout[-2000:]
    again = subprocess.run([sys.executable, "-X", "importtime", "-m", "tito_jupyter", "--json", "complete", "01"],
                           env=env, capture_output=True, text=True, timeout=600)
    assert json.loads(again.stdout)["ok"], again.stdout[-2000:]
    imported = {line.split("|")[-1].strip() for line in again.stderr.splitlines() if line.startswith("import time:")}
    assert "tito_jupyter.engine.runs" in imported  # it was announced: the path under test ran
    assert not {m for m in imported if m.split(".")[0] in ("psutil", "nbdev")}, sorted(imported)
