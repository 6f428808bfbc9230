"""Test runs: pytest in a subprocess against the exported package, results per test from pytest itself."""

from __future__ import annotations

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
    run(course_dir, "module.export", {"modules": ["01", "02"]})
    assert run(course_dir, "module.test", {"modules": ["01"]}).ok
    assert run(course_dir, "checkpoint.test", {"checkpoint": "c01"}).ok


@pytest.mark.parametrize("timeout", [0, -1, float("nan"), float("inf"), 10**400, 86401, True, "soon"])
def test_the_engine_refuses_a_timeout_that_is_not_a_positive_number_of_seconds(course_dir, timeout):
    result = engine.run("module.test", {"modules": ["01"], "timeout": timeout}, Context(project=course_dir))
    assert not result.ok and result.exit_code == 2 and result.error["kind"] == "usage_error"
    assert result.summary.startswith("--timeout must be a number of seconds above 0 and at most 86400 (a day), not")
    assert not (course_dir / ".tito/progress.json").exists()  # no test ran, nothing was recorded
