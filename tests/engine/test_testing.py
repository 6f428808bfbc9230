"""Test runs: pytest in a subprocess against the exported package, results per test from pytest itself."""

from __future__ import annotations

import os

import pytest
from course_factory import NUMBERS_EXPORT, numbers_notebook, write_notebook
from tito_jupyter import engine
from tito_jupyter.engine.context import Context
from tito_jupyter.engine.results import EventSink

NB = "modules/01_numbers/01_numbers.ipynb"


def run(course_dir, command, args, events=None, **ctx):
    return engine.run(command, args, Context(project=course_dir, events=EventSink(events), **ctx))


def test_results_per_test_with_ids_outcomes_and_durations(course_dir):
    assert run(course_dir, "module.export", {"modules": ["01"]}).ok
    seen = []
    result = run(course_dir, "module.test", {"modules": ["01"]}, events=seen.append)
    assert result.ok, result.summary
    (report,) = result.data["modules"]
    ids = [t["id"] for t in report["tests"]]
    assert ids == [f"{NB}::test_unit_add", f"{NB}::test_unit_add_negative",
                   "tests/modules/01_numbers/test_numbers.py::test_add_floats"]
    assert all(t["outcome"] == "passed" and t["duration"] >= 0 for t in report["tests"])
    assert report["counts"] == {"passed": 3, "failed": 0, "error": 0, "skipped": 0, "total": 3}
    assert result.summary == "01_numbers tests: 3 of 3 passed."
    # Live: the same tests arrived as events while the run went.
    assert [e["id"] for e in seen if e["event"] == "test"] == ids
    assert {"event": "collected", "count": 3}.items() <= next(e for e in seen if e["event"] == "collected").items()


def test_the_generated_inline_tests_are_written_only_when_they_change(course_dir):
    """Each test run makes the notebook's inline tests into a file for pytest; rewriting it unchanged (an fsync)
    was on the way to every run. Changed (or tampered with), it is written again."""
    assert run(course_dir, "module.export", {"modules": ["01"]}).ok
    assert run(course_dir, "module.test", {"modules": ["01"]}).ok
    generated = course_dir / ".tito/build/inline/test_01_numbers_inline.py"
    first = os.stat(generated)
    assert run(course_dir, "module.test", {"modules": ["01"]}).ok
    again = os.stat(generated)
    assert (again.st_ino, again.st_mtime_ns) == (first.st_ino, first.st_mtime_ns)
    generated.write_text("# tampered\n", encoding="utf-8")
    result = run(course_dir, "module.test", {"modules": ["01"]})
    assert result.ok and result.data["modules"][0]["counts"]["total"] == 3, result.summary
    assert "test_unit_add" in generated.read_text(encoding="utf-8")


def test_inline_tests_test_the_exported_package_not_the_notebook(course_dir):
    write_notebook(course_dir / NB, numbers_notebook(NUMBERS_EXPORT.replace("return a + b", "return a * b")))
    assert run(course_dir, "module.export", {"modules": ["01"]}).ok
    result = run(course_dir, "module.test", {"modules": ["01"]})
    assert not result.ok
    failing = {t["id"]: t for t in result.data["modules"][0]["tests"] if t["outcome"] == "failed"}
    assert f"{NB}::test_unit_add" in failing
    assert "add(2, 3) gave 6" in failing[f"{NB}::test_unit_add"]["message"]
    assert result.data["modules"][0]["counts"]["failed"] == 3
    assert result.summary.startswith("01_numbers tests: 0 of 3 passed, 3 failed. First failure: ")
    assert result.summary.endswith("AssertionError: add(2, 3) gave 6"), "the summary keeps the message's first line"


def test_student_edition_fails_with_not_implemented(course_dir):
    stub = NUMBERS_EXPORT.replace("    ### BEGIN SOLUTION\n    return a + b\n    ### END SOLUTION\n",
                                  "    # YOUR CODE HERE\n    raise NotImplementedError()\n")
    write_notebook(course_dir / NB, numbers_notebook(stub))
    run(course_dir, "module.export", {"modules": ["01"]})
    result = run(course_dir, "module.test", {"modules": ["01"]})
    tests = result.data["modules"][0]["tests"]
    assert tests and all(t["outcome"] == "failed" and "NotImplementedError" in t["message"] for t in tests)


def test_an_infinite_loop_times_out_with_a_clear_result(course_dir):
    looping = NUMBERS_EXPORT.replace("return a + b", "while True:\n        pass")
    write_notebook(course_dir / NB, numbers_notebook(looping))
    run(course_dir, "module.export", {"modules": ["01"]})
    result = run(course_dir, "module.test", {"modules": ["01"], "timeout": 3})
    assert not result.ok
    report = result.data["modules"][0]
    assert report["timed_out"] is True
    assert "timed out after 3 s" in result.summary and "infinite loop" in result.summary


def test_a_module_without_tests_says_so(course_dir):
    nb = numbers_notebook()
    nb["cells"] = nb["cells"][:4]
    write_notebook(course_dir / NB, nb)
    (course_dir / "tests/modules/01_numbers/test_numbers.py").unlink()
    result = run(course_dir, "module.test", {"modules": ["01"]})
    assert not result.ok and "has no tests" in result.summary


def test_import_error_in_a_test_file_is_reported_not_hidden(course_dir):
    run(course_dir, "module.export", {"modules": ["01"]})
    (course_dir / "tests/modules/01_numbers/test_numbers.py").write_text("from tinytorch.core.numbers import nope\n")
    result = run(course_dir, "module.test", {"modules": ["01"]})
    assert not result.ok
    errors = [t for t in result.data["modules"][0]["tests"] if t["outcome"] == "error"]
    assert errors and "nope" in errors[0]["message"]


def test_the_repositorys_own_conftest_files_are_not_loaded(course_dir):
    """A course repository's test suite may load heavy fixtures (a Jupyter server) in tests/conftest.py;
    a student's module tests need none of that, and must not pay for it."""
    for place in ("conftest.py", "tests/conftest.py"):
        (course_dir / place).write_text("raise RuntimeError('this conftest must not be loaded')\n")
    assert run(course_dir, "module.complete", {"modules": ["01", "02"]}).ok
    assert run(course_dir, "module.test", {"modules": ["01"]}).ok
    assert run(course_dir, "checkpoint.test", {"checkpoint": "c01"}).ok


@pytest.mark.parametrize("timeout", [0, -1, float("nan"), float("inf"), 10**400, 86401, True, "soon"])
def test_the_engine_refuses_a_timeout_that_is_not_a_positive_number_of_seconds(course_dir, timeout):
    result = engine.run("module.test", {"modules": ["01"], "timeout": timeout}, Context(project=course_dir))
    assert not result.ok and result.exit_code == 2 and result.error["kind"] == "usage_error"
    assert result.summary.startswith("--timeout must be a number of seconds above 0 and at most 86400 (a day), not")
    assert not (course_dir / ".tito/progress.json").exists()  # no test ran, nothing was recorded


def test_an_inline_test_whose_cell_does_not_parse_fails_with_a_sentence(course_dir):
    """It used to vanish from the generated file: the run passed without it."""
    nb = numbers_notebook()
    nb["cells"][4]["source"] = "def test_unit_add():\n    if add(2, 3) == 5\n        pass\n"
    write_notebook(course_dir / NB, nb)
    assert run(course_dir, "module.export", {"modules": ["01"]}).ok
    result = run(course_dir, "module.test", {"modules": ["01"]})
    assert not result.ok
    (broken,) = [t for t in result.data["modules"][0]["tests"] if t["outcome"] != "passed"]
    assert broken["id"] == f"{NB}::test_unit_add" and broken["outcome"] == "failed"
    assert broken["message"].startswith(f"Failed: test_unit_add could not run: its cell does not parse ({NB}, cell 5, line 2:")
    assert "Fix the cell" in broken["message"]
    assert result.summary.startswith("01_numbers tests: 2 of 3 passed, 1 failed.")


def test_a_run_that_times_out_after_its_tests_never_counts_as_all_passed(course_dir):
    """Every test passes, then the process hangs (a thread that never ends): it used to show as 3/3."""
    (course_dir / "tests/modules/01_numbers/test_numbers.py").write_text(
        "import threading, time\nfrom tinytorch.core.numbers import add\n\n"
        "threading.Thread(target=time.sleep, args=(3600,)).start()  # keeps the interpreter from exiting\n\n\n"
        "def test_add_floats():\n    assert add(0.5, 0.25) == 0.75\n"
    )
    assert run(course_dir, "module.export", {"modules": ["01"]}).ok
    result = run(course_dir, "module.test", {"modules": ["01"], "timeout": 8})
    assert not result.ok
    counts = result.data["modules"][0]["counts"]
    assert counts["passed"] == 3 and counts["timed_out"] is True
    assert counts["error"] == 1 and counts["total"] == 4, counts
    assert "timed out after 8 s (3 of 4 passed before that)" in result.summary
    row = run(course_dir, "module.status", {}).data["modules"][0]
    assert row["state"] == "tests_failing"
    assert row["tests"] == {"passed": 3, "failed": 0, "error": 1, "total": 4, "timed_out": True}


def test_a_timed_out_run_counts_the_tests_it_never_reached(course_dir):
    looping = NUMBERS_EXPORT.replace("return a + b", "while True:\n        pass")
    write_notebook(course_dir / NB, numbers_notebook(looping))
    run(course_dir, "module.export", {"modules": ["01"]})
    seen = []
    result = run(course_dir, "module.test", {"modules": ["01"], "timeout": 5}, events=seen.append)
    counts = result.data["modules"][0]["counts"]
    # the first test hangs; the other two of the three collected never ran
    assert counts == {"passed": 0, "failed": 0, "error": 1, "skipped": 0, "not_run": 2, "total": 3,
                      "timed_out": True}
    assert result.data["modules"][0]["tests"][-1]["id"] == "timeout"
    assert [e["outcome"] for e in seen if e["event"] == "test" and e["id"] == "timeout"] == ["error"], "shown live"


def test_tito_test_after_an_edit_without_export_ties_the_result_to_the_exported_code(course_dir):
    """The edited notebook used to be recorded as passing, though the tests ran against the old export."""
    assert run(course_dir, "module.export", {"modules": ["01"]}).ok
    write_notebook(course_dir / NB, numbers_notebook(NUMBERS_EXPORT.replace("return a + b", "return a - b")))
    result = run(course_dir, "module.test", {"modules": ["01"]})
    assert result.ok, "the exported code does pass"
    report = result.data["modules"][0]
    assert report["changed_since_export"] is True
    assert result.data["warnings"] == [
        "01_numbers's notebook changed since it was last exported: these tests ran against the last exported "
        "code, not your edits. Run `tito export 01_numbers` (or `tito complete 01_numbers`) to test them."]
    row = run(course_dir, "module.status", {}).data["modules"][0]
    assert row["state"] == "tests_passing" and row["changed"] is True, "status does not vouch for the edit"
    assert run(course_dir, "module.export", {"modules": ["01"]}).ok
    result = run(course_dir, "module.test", {"modules": ["01"]})
    assert not result.ok and result.data["modules"][0]["changed_since_export"] is False
    assert result.data["warnings"] == []


def test_tito_test_on_a_package_tito_did_not_export_vouches_for_no_notebook(course_dir):
    (course_dir / "tinytorch/core/numbers.py").write_text("def add(a, b):\n    return a + b\n")
    result = run(course_dir, "module.test", {"modules": ["01"]})
    assert result.ok and "not an export of its notebook by tito" in result.data["warnings"][0]
    row = run(course_dir, "module.status", {}).data["modules"][0]
    assert row["state"] == "tests_passing" and row["changed"] is True


@pytest.mark.parametrize("content", [b"", b"{not json", b"[]", b'{"cells": 3}', b"\xff\xfe garbage"],
                         ids=["empty", "not-json", "a-list", "no-cells", "not-utf8"])
def test_tests_of_a_notebook_that_cannot_be_read_do_not_run_and_say_why(course_dir, content):
    """Its inline tests used to disappear silently, and the module's other tests passed on their own."""
    assert run(course_dir, "module.complete", {"modules": ["01"]}).ok
    (course_dir / NB).write_bytes(content)
    result = run(course_dir, "module.test", {"modules": ["01"]})
    assert not result.ok
    assert result.summary.startswith("01_numbers: its tests did not run, because its notebook is not a readable "
                                     "notebook. Notebook ")
    assert "`tito module backups 01_numbers`" in result.summary
    row = run(course_dir, "module.status", {}).data["modules"][0]
    assert row["state"] == "complete" and row["changed"] is True, "the completed version is not this file"


def test_a_generated_test_file_pytest_cannot_collect_is_a_failure_that_says_so(course_dir):
    nb = numbers_notebook()
    nb["cells"][2]["source"] = "import numpy as np\nimport not_a_module_of_this_machine"
    write_notebook(course_dir / NB, nb)
    assert run(course_dir, "module.export", {"modules": ["01"]}).ok
    result = run(course_dir, "module.test", {"modules": ["01"]})
    assert not result.ok and result.exit_code == 1
    assert result.summary == (
        f"01_numbers tests: pytest could not collect {NB} (ModuleNotFoundError: No module named "
        "'not_a_module_of_this_machine'), so no test ran. Fix that, then test again.")
    assert run(course_dir, "module.status", {}).data["modules"][0]["state"] == "tests_failing"
