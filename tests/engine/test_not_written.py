"""Failures that say what to do next: tests that fail on a function still ``raise NotImplementedError`` are
grouped by that function, in the order a student writes them, with the notebook cell it comes from; an
assertion's own message comes first, without pytest's introspection noise."""

from __future__ import annotations

import json

import pytest
from course_factory import make_student_edition, numbers_notebook, write_notebook
from tito_jupyter import engine
from tito_jupyter.engine.context import Context

NB = "modules/01_numbers/01_numbers.ipynb"


def run(course_dir, command, args=None):
    return engine.run(command, args or {}, Context(project=course_dir))


@pytest.fixture
def student(tmp_path):
    """A real student edition (nbgrader-stubbed) of a small course, exported as a student would."""
    return make_student_edition(tmp_path / "instructor", tmp_path / "student")


def test_a_fresh_student_notebook_says_nothing_is_written_and_where_to_start(student):
    result = run(student, "module.complete", {"modules": ["01"]})
    assert not result.ok
    (report,) = result.data["modules"]
    test_step = report["steps"][1]
    groups = [(g["function"], g["notebook"], g["cell"], g["tests"]) for g in report["not_written"]]
    # Notebook order (Counter is cell 4, add cell 5), not the order the tests ran in (add's tests first).
    assert groups == [
        ("Counter.__init__", NB, 4, [f"{NB}::test_unit_counter"]),
        ("add", NB, 5, [f"{NB}::test_unit_add", f"{NB}::test_unit_add_negative",
                        "tests/modules/01_numbers/test_numbers.py::test_add_floats"]),
    ]
    sentence = ("Nothing is written yet in 01_numbers: start with `Counter.__init__` (cell 4 of "
                f"{NB}); 4 tests wait on 2 functions.")
    assert test_step["summary"] == f"01_numbers tests: 0 of 4 passed, 4 failed. {sentence}"
    assert sentence in result.summary and "First failure" not in result.summary
    # What a link to the cell names (JupyterLab opens `<notebook>#cell-id=<id>`), and the flag the sidebar reads.
    cells = json.loads((student / NB).read_text())["cells"]
    assert [g["cell_id"] for g in report["not_written"]] == [cells[3]["id"], cells[4]["id"]]
    assert all(g["cell_id"] for g in report["not_written"])
    assert report["nothing_written"] is True and test_step["nothing_written"] is True


def test_once_some_work_passes_the_sentence_names_the_next_function(student):
    nb = (student / NB).read_text().replace(
        "raise NotImplementedError()", "self.value = start", 1)  # Counter.__init__ written, total not yet
    (student / NB).write_text(nb)
    result = run(student, "module.complete", {"modules": ["01"]})
    (report,) = result.data["modules"]
    assert [g["function"] for g in report["not_written"]] == ["Counter.total", "add"]
    assert report["not_written"][0]["cell"] == 4
    assert report["nothing_written"] is False  # something is written: never "Nothing written yet"
    assert result.summary.endswith(f"4 tests wait on 2 functions not written yet in 01_numbers: next, write "
                                   f"`Counter.total` (cell 4 of {NB}).") , result.summary


def test_other_failures_still_lead_with_their_own_message(student):
    nb = (student / NB).read_text().replace("raise NotImplementedError()", "return a * b")  # every stub: wrong
    (student / NB).write_text(nb)
    result = run(student, "module.complete", {"modules": ["01"]})
    (report,) = result.data["modules"]
    assert report["not_written"] == []
    assert "First failure: " in result.summary and "Nothing is written" not in result.summary


def test_an_assertion_message_comes_first_without_pytest_introspection(course_dir):
    failing = ("def test_unit_close():\n"
               "    got = np.array([1.0, 2.0])\n"
               "    assert np.allclose(got, [1.0, 3.0]), f'add gave\\n{got}\\nnot [1. 3.]'\n\n"
               "def test_unit_bare():\n    assert np.allclose([1.0], [2.0])\n")
    nb = numbers_notebook()
    nb["cells"].append({"cell_type": "code", "id": "cell-close", "metadata": {}, "outputs": [],
                        "execution_count": None, "source": failing})
    write_notebook(course_dir / NB, nb)
    run(course_dir, "module.export", {"modules": ["01"]})
    result = run(course_dir, "module.test", {"modules": ["01"]})
    tests = {t["id"]: t for t in result.data["modules"][0]["tests"]}
    close, bare = tests[f"{NB}::test_unit_close"], tests[f"{NB}::test_unit_bare"]
    assert close["message"] == "AssertionError: add gave\n[1. 2.]\nnot [1. 3.]"
    assert bare["message"] == "assert allclose([1.0], [2.0]) (it was False)"
    for test in (close, bare):
        assert "0x" not in test["message"] and "where" not in test["message"] and "\\n" not in test["message"]
        # pytest's whole report is one key away
        assert "+  where" in test["details"] and "def test_unit_" in test["details"]
    assert (course_dir / result.data["modules"][0]["log"]).is_file()
    assert result.data["modules"][0]["not_written"] == []
