"""complete: export, test, checkpoint, record — stopping at the first failure and recording nothing unverified."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest
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


def test_complete_records_an_export_as_tito_export_does_only_when_it_exported_or_none_was_recorded(course_dir):
    """The progress write (an fsync) of an export that found the package up to date was on the way to every test
    run of `complete`; as `tito export` does, it is written only when something was exported or no export of the
    module is on record yet."""
    assert run(course_dir, "module.export", {"modules": ["01"]}).ok
    (course_dir / ".tito/progress.json").unlink()  # the package holds the export; no progress on record
    assert run(course_dir, "module.complete", {"modules": ["01"]}).ok  # up to date, nothing on record: recorded
    first = progress(course_dir)["modules"]["01_numbers"]
    assert first["exported_at"] and first["completed_at"]
    assert run(course_dir, "module.complete", {"modules": ["01"]}).ok  # up to date, on record: not written again
    again = progress(course_dir)["modules"]["01_numbers"]
    assert again["exported_at"] == first["exported_at"] and again["completed_at"] > first["completed_at"]
    write_notebook(course_dir / NB1, numbers_notebook(NUMBERS_EXPORT + "\n\ndef spare():\n    return 0\n"))
    assert run(course_dir, "module.complete", {"modules": ["01"]}).ok  # exported afresh: recorded
    assert progress(course_dir)["modules"]["01_numbers"]["exported_at"] > first["exported_at"]


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
    assert run(course_dir, "module.complete", {"modules": ["01", "02"]}).ok
    (course_dir / "tinytorch/core/doubling.py").unlink()
    result = run(course_dir, "checkpoint.run", {"checkpoint": "c01"})
    assert result.ok, result.summary
    assert (course_dir / "tinytorch/core/doubling.py").exists()
    assert result.data["counts"]["passed"] == 1


def test_a_locked_checkpoint_neither_runs_nor_records(course_dir):
    """The sidebar's Run on a checkpoint whose modules are not started used to record it as passed."""
    assert run(course_dir, "module.complete", {"modules": ["01"]}).ok
    for command in ("checkpoint.run", "checkpoint.test"):
        result = run(course_dir, command, {"checkpoint": "c01"})
        assert not result.ok and result.exit_code == 2
        assert result.summary.startswith("Checkpoint c01_arithmetic is locked: it needs 02_doubling")
        assert "`tito complete 02_doubling`" in result.summary
        assert result.error["kind"] == "checkpoint_locked" and result.error["missing_modules"] == ["02_doubling"]
    assert "c01_arithmetic" not in progress(course_dir)["checkpoints"]
    assert not (course_dir / "tinytorch/core/doubling.py").exists(), "a locked checkpoint exports nothing either"
    assert run(course_dir, "checkpoint.status").data["checkpoints"][0]["state"] == "locked"


def test_complete_does_not_pass_a_checkpoint_whose_other_modules_are_not_complete(course_dir):
    """Completing 02 alone runs c01, which also needs 01: it stays locked and 02 is not recorded complete."""
    assert run(course_dir, "module.export", {"modules": ["01"]}).ok  # exported, tested, but not complete
    result = run(course_dir, "module.complete", {"modules": ["02"]})
    assert not result.ok
    report = result.data["modules"][0]
    assert report["failed_step"] == "checkpoint" and "locked" in result.summary and "01_numbers" in result.summary
    assert "c01_arithmetic" not in progress(course_dir)["checkpoints"]
    assert states(course_dir)["02_doubling"] == "tests_passing"
    assert run(course_dir, "module.complete", {"modules": ["01", "02"]}).ok, "in order, both complete"


# -- races with real processes ----------------------------------------------------------------------------
#
# A module test waits at a gate (a folder named by $TITO_TEST_GATE) until the test harness says "go", so the
# harness can change the notebook while `complete` is really in the middle of its tests.

GATE_TEST = '''import os, time
from pathlib import Path


def test_waits_at_the_gate():
    gate = os.environ.get("TITO_TEST_GATE")
    if gate:
        (Path(gate) / f"started-{os.getpid()}").touch()
        deadline = time.monotonic() + 180
        while not (Path(gate) / "go").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
'''


def start_tito(course_dir, *args, gate=None) -> subprocess.Popen:
    env = dict(os.environ, TITO_PROJECT=str(course_dir))
    env.pop("TITO_FAULT", None)
    if gate:
        env["TITO_TEST_GATE"] = str(gate)
    return subprocess.Popen([sys.executable, "-m", "tito_jupyter", "--json", *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(proc: subprocess.Popen) -> dict:
    out, err = proc.communicate(timeout=600)
    assert out.strip(), err
    return json.loads(out)


def wait_for(condition, what: str, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.05)


@pytest.mark.parametrize("saved", ["def broken(:", "", "{not json", "[]"],
                         ids=["syntax-error", "empty", "not-json", "not-a-notebook"])
def test_a_notebook_saved_while_complete_tests_is_not_recorded_complete(course_dir, tmp_path, saved):
    """complete used to take the fingerprint at record time: the broken notebook was "complete, unchanged"."""
    (course_dir / "tests/modules/01_numbers/test_gate.py").write_text(GATE_TEST)
    gate = tmp_path / "gate"
    gate.mkdir()
    proc = start_tito(course_dir, "complete", "01", gate=gate)
    wait_for(lambda: any(gate.glob("started-*")), "the tests to start")
    if saved == "def broken(:":
        write_notebook(course_dir / NB1, numbers_notebook("#| export\ndef broken(:\n    pass\n"))
    else:
        (course_dir / NB1).write_text(saved)
    (gate / "go").touch()
    result = finish(proc)
    assert proc.returncode == 1 and not result["ok"]
    report = result["data"]["modules"][0]
    assert report["failed_step"] == "record"
    assert result["summary"].startswith("01_numbers: not recorded complete, because its notebook changed")
    assert "completed_at" not in progress(course_dir)["modules"]["01_numbers"]
    row = run(course_dir, "module.status").data["modules"][0]
    assert row["state"] == "tests_passing" and row["changed"] is True


def test_complete_racing_reset_never_leaves_the_reset_module_complete(course_dir, tmp_path):
    """Two `complete` runs racing `module reset --yes`, 10 rounds: it used to end "complete, changed: False"
    for the reset notebook in 9 of 10. Even rounds reset while both runs wait in their tests; odd rounds let
    the three processes run freely, with the reset started at a different moment each time."""
    from tito_jupyter.course import Course
    from tito_jupyter.engine.reset import record_starting_point

    stub = NUMBERS_EXPORT.replace("    ### BEGIN SOLUTION\n    return a + b\n    ### END SOLUTION\n",
                                  "    raise NotImplementedError()\n")
    write_notebook(course_dir / NB1, numbers_notebook(stub))
    course = Course.load(course_dir)
    record_starting_point(course, course.module("01"))
    (course_dir / "tests/modules/01_numbers/test_gate.py").write_text(GATE_TEST)
    outcomes = []
    for round_ in range(10):
        write_notebook(course_dir / NB1, numbers_notebook())  # the student's finished work
        gate = tmp_path / f"gate-{round_}"
        gate.mkdir()
        gated = round_ % 2 == 0
        if not gated:
            (gate / "go").touch()
        completes = [start_tito(course_dir, "complete", "01", gate=gate) for _ in range(2)]
        if gated:
            wait_for(lambda: len(list(gate.glob("started-*"))) == 2, "both runs to reach their tests")
        else:
            time.sleep(0.4 * round_)  # a different moment in each free round, not an assertion
        reset = finish(start_tito(course_dir, "module", "reset", "01", "--yes"))
        assert reset["ok"] and reset["data"]["changed"], reset["summary"]
        (gate / "go").touch()
        results = [finish(p) for p in completes]
        assert (course_dir / NB1).read_bytes() == (course_dir / ".tito/starting-points/01_numbers/01_numbers.ipynb"
                                                   ).read_bytes()
        row = run(course_dir, "module.status").data["modules"][0]
        outcomes.append((row["state"], row["changed"], [r["data"]["modules"][0]["failed_step"] for r in results]))
        assert row["state"] != "complete", f"round {round_}: the reset module shows {row}"
    assert all(state != "complete" for state, _, _ in outcomes), outcomes


def test_a_completed_module_whose_later_tests_fail_is_not_complete_anywhere(course_dir):
    """One rule for every face: a later failing run demotes the module, so prerequisites and the overall count
    stop counting it, and it says it was complete before; passing again makes it complete again."""
    assert run(course_dir, "module.complete", {"modules": ["01", "02"]}).ok
    assert run(course_dir, "checkpoint.status").data["checkpoints"][0]["state"] in ("passed", "ready")
    write_notebook(course_dir / NB1, numbers_notebook(NUMBERS_EXPORT.replace("return a + b", "return a - b")))
    assert not run(course_dir, "module.complete", {"modules": ["01"]}).ok
    status = run(course_dir, "module.status").data
    row = status["modules"][0]
    assert (row["state"], row["completed_earlier"]) == ("tests_failing", True)
    assert status["complete"] == 1 and status["modules"][1]["missing_prerequisites"] == ["01_numbers"]
    checkpoint = run(course_dir, "checkpoint.status").data["checkpoints"][0]
    assert checkpoint["missing_modules"] == ["01_numbers"]  # its run would be refused as locked now
    write_notebook(course_dir / NB1, numbers_notebook())
    assert run(course_dir, "module.complete", {"modules": ["01"]}).ok
    row = run(course_dir, "module.status").data["modules"][0]
    assert (row["state"], row["completed_earlier"]) == ("complete", False)
