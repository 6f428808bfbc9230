"""complete: export, test, checkpoint, record — stopping at the first failure and recording nothing unverified."""

from __future__ import annotations

import json

from course_factory import DOUBLING_EXPORT, NUMBERS_EXPORT, doubling_notebook, numbers_notebook, write_notebook
from tito_jupyter import engine
from tito_jupyter.engine.context import Context

NB1 = "modules/01_numbers/01_numbers.ipynb"
NB2 = "modules/02_doubling/02_doubling.ipynb"


def run(course_dir, command, args=None, **ctx):
    return engine.run(command, args or {}, Context(project=course_dir, **ctx))


def progress(course_dir) -> dict:
    path = course_dir / ".tito/progress.json"
    return json.loads(path.read_text()) if path.exists() else {"modules": {}, "checkpoints": {}}


def states(course_dir) -> dict:
    return {m["id"]: m["state"] for m in run(course_dir, "module.status").data["modules"]}


def test_complete_records_only_after_every_step_passed(course_dir):
    assert states(course_dir) == {"01_numbers": "not_started", "02_doubling": "not_started"}
    result = run(course_dir, "module.complete", {"modules": ["01"]})
    assert result.ok, result.summary
    assert [s["step"] for s in result.data["modules"][0]["steps"]] == ["export", "test"]
    assert states(course_dir)["01_numbers"] == "complete"
    result = run(course_dir, "module.complete", {"modules": ["02"]})
    assert result.ok, result.summary
    steps = result.data["modules"][0]["steps"]
    assert [s["step"] for s in steps] == ["export", "test", "checkpoint"]
    assert steps[2]["checkpoint"] == "c01_arithmetic"
    assert progress(course_dir)["checkpoints"]["c01_arithmetic"]["passed_at"]
    assert run(course_dir, "module.status").summary == "2 of 2 modules complete."


def test_failed_export_stops_and_records_nothing(course_dir):
    write_notebook(course_dir / NB1, numbers_notebook("#| export\ndef add(a, b):\n    return (a +\n"))
    result = run(course_dir, "module.complete", {"modules": ["01"]})
    assert not result.ok
    report = result.data["modules"][0]
    assert report["failed_step"] == "export"
    assert "export failed" in result.summary and "cell 4" in result.summary
    assert [s["step"] for s in report["steps"]] == ["export"]
    assert "01_numbers" not in progress(course_dir)["modules"]
    assert states(course_dir)["01_numbers"] == "not_started"


def test_failed_tests_stop_before_the_checkpoint_and_do_not_complete(course_dir):
    assert run(course_dir, "module.complete", {"modules": ["01"]}).ok
    write_notebook(course_dir / NB2, doubling_notebook(DOUBLING_EXPORT.replace("add(x, x)", "add(x, 1)")))
    result = run(course_dir, "module.complete", {"modules": ["02"]})
    assert not result.ok
    report = result.data["modules"][0]
    assert report["failed_step"] == "test"
    assert "checkpoint" not in [s["step"] for s in report["steps"]]
    assert states(course_dir)["02_doubling"] == "tests_failing"
    assert "c01_arithmetic" not in progress(course_dir)["checkpoints"]


def test_failed_checkpoint_does_not_complete_the_module(course_dir):
    assert run(course_dir, "module.complete", {"modules": ["01"]}).ok
    (course_dir / "tests/checkpoints/c01_arithmetic.py").write_text(
        '"""Can I do arithmetic?"""\nfrom tinytorch.core.doubling import double\n\n\n'
        "def test_arithmetic():\n    assert double(3) == 7, 'double(3) should be 7 in this broken checkpoint'\n"
    )
    result = run(course_dir, "module.complete", {"modules": ["02"]})
    assert not result.ok
    assert result.data["modules"][0]["failed_step"] == "checkpoint"
    assert "c01_arithmetic" in result.summary
    assert states(course_dir)["02_doubling"] == "tests_passing"
    assert progress(course_dir)["checkpoints"]["c01_arithmetic"]["last_run"]["ok"] is False


def test_complete_all_stops_at_the_first_failing_module(course_dir):
    write_notebook(course_dir / NB1, numbers_notebook(NUMBERS_EXPORT.replace("a + b", "a - b")))
    result = run(course_dir, "module.complete", {"all_": True})
    assert not result.ok
    assert [r["module"] for r in result.data["modules"]] == ["01_numbers"]


def test_complete_without_a_name_uses_the_callers_notebook(course_dir):
    result = run(course_dir, "module.complete", {}, notebook_path=NB1)
    assert result.ok and result.data["modules"][0]["module"] == "01_numbers"
    result = run(course_dir, "module.complete", {}, notebook_path="README.md")
    assert not result.ok and "cannot tell which module" in result.summary


def test_status_says_when_the_notebook_changed_since_completion(course_dir):
    assert run(course_dir, "module.complete", {"modules": ["01"]}).ok
    write_notebook(course_dir / NB1, numbers_notebook(NUMBERS_EXPORT.replace("a + b", "b + a")))
    row = run(course_dir, "module.status").data["modules"][0]
    assert row["state"] == "complete" and row["changed"] is True


def test_status_names_missing_prerequisites(course_dir):
    row = run(course_dir, "module.status").data["modules"][1]
    assert row["missing_prerequisites"] == ["01_numbers"]


def test_checkpoint_states_and_timeline(course_dir):
    cps = run(course_dir, "checkpoint.status").data["checkpoints"]
    assert cps[0]["state"] == "locked" and cps[0]["missing_modules"] == ["01_numbers", "02_doubling"]
    run(course_dir, "module.complete", {"modules": ["01", "02"]})
    assert run(course_dir, "checkpoint.status").data["checkpoints"][0]["state"] == "passed"
    timeline = run(course_dir, "checkpoint.timeline").data["timeline"]
    assert [(e["kind"], e["id"]) for e in timeline] == [
        ("module", "01_numbers"), ("module", "02_doubling"), ("checkpoint", "c01_arithmetic")]


def test_checkpoint_run_exports_what_it_needs_then_tests(course_dir):
    result = run(course_dir, "checkpoint.run", {"checkpoint": "c01"})
    assert result.ok, result.summary
    assert (course_dir / "tinytorch/core/doubling.py").exists()
    assert result.data["counts"]["passed"] == 1
