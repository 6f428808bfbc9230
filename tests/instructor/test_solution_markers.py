"""`tito module validate` and `tito release student` agree on solution markers, because nbgrader decides.

The marker rule lives once, in :func:`tito_jupyter.notebooks.solution_marker_problems`. These tests hold it
against real nbgrader (the ClearSolutions and ClearHiddenTests preprocessors the release runs): a notebook
validate accepts is one nbgrader strips, and one nbgrader refuses is one validate refuses, naming cell and line.
"""

from __future__ import annotations

import pytest
from course_factory import NUMBERS_EXPORT, notebook, numbers_notebook, write_notebook

from tito_jupyter import engine, notebooks
from tito_jupyter.engine.context import Context
from tito_jupyter.engine.instructor.release import strip_notebook

FINE = NUMBERS_EXPORT
# The case: a nested `# BEGIN SOLUTION` (one hash) that the old exact `### BEGIN SOLUTION` match missed.
NESTED = NUMBERS_EXPORT.replace("    return a + b\n", "    # BEGIN SOLUTION\n    return a + b\n    # END SOLUTION\n")
UNCLOSED = NUMBERS_EXPORT.replace("    ### END SOLUTION\n", "")

#: Cell sources, each with whether nbgrader strips it. validate must accept exactly the ones nbgrader strips.
CASES = {
    "fine": (FINE, True),
    "no markers": ("#| export\ndef add(a, b):\n    return a + b\n", True),
    "two regions one after the other": (FINE + "    ### BEGIN SOLUTION\n    pass\n    ### END SOLUTION\n", True),
    "marker with one hash": ("def f():\n    # BEGIN SOLUTION\n    return 1\n    # END SOLUTION\n", True),
    "marker after code on the line": ("x = 1  # BEGIN SOLUTION\ny = 2\n# END SOLUTION\n", True),
    "nested with one hash": (NESTED, False),
    "nested with three hashes": (NUMBERS_EXPORT.replace("    return a + b\n",
                                 "    ### BEGIN SOLUTION\n    return a + b\n    ### END SOLUTION\n"), False),
    "never closed": (UNCLOSED, False),
    "closed on a line with \\r\\n endings": ("### BEGIN SOLUTION\r\nx = 1\r\n### END SOLUTION\r\n", True),
    "hidden tests nested": ("assert 1\n### BEGIN HIDDEN TESTS\n### BEGIN HIDDEN TESTS\nassert 2\n"
                            "### END HIDDEN TESTS\n", False),
    "hidden tests never closed": ("assert 1\n### BEGIN HIDDEN TESTS\nassert 2\n", False),
    "unicode around the markers": ("def f():\n    # ✓ BEGIN SOLUTION — é\n    return 'ß'\n    # END SOLUTION ✓\n", True),
}


def _nbgrader_strips(source: str) -> bool:
    try:
        strip_notebook(notebook(("code", source)))
        return True
    except RuntimeError:
        return False


@pytest.mark.parametrize("name", list(CASES))
def test_validate_accepts_exactly_what_nbgrader_strips(name):
    source, strips = CASES[name]
    assert _nbgrader_strips(source) is strips, f"{name}: the case's expectation no longer matches nbgrader"
    problems = notebooks.solution_marker_problems(notebooks.cells_of(notebook(("code", source))))
    assert (not problems) is strips, f"{name}: validate says {problems!r}"
    for problem in problems:
        assert problem.startswith("cell 1, line "), problem


def test_a_stray_end_marker_is_refused_though_nbgrader_deletes_it_silently():
    # The one place the rule is stricter than nbgrader: the line would vanish from the student edition unseen.
    source = "x = 1\ny = 2  # END SOLUTION\n"
    assert _nbgrader_strips(source)
    assert notebooks.solution_marker_problems(notebooks.cells_of(notebook(("code", source)))) == [
        "cell 1, line 2: END SOLUTION without BEGIN SOLUTION"]


def run(root, command, args):
    return engine.run(command, args, Context(project=root))


@pytest.mark.parametrize("name, source, sentence", [
    ("nested", NESTED, "cell 4, line 5: BEGIN SOLUTION inside the region opened on line 4"),
    ("unclosed", UNCLOSED, "cell 4, line 4: BEGIN SOLUTION is never closed (add END SOLUTION)"),
    ("fine", FINE, None),
])
def test_validate_and_release_agree_on_a_course(course_dir, tmp_path, name, source, sentence):
    write_notebook(course_dir / "modules/01_numbers/01_numbers.ipynb", numbers_notebook(source))
    validated = run(course_dir, "module.validate", {"modules": ["01"]})
    released = run(course_dir, "release.student", {"out": str(tmp_path / "student"), "modules": ["01"],
                                                    "skip_tests": True})
    assert validated.ok is released.ok is (sentence is None), (validated.summary, released.summary)
    if sentence:
        failed = {c["check"]: c["message"] for c in validated.data["modules"][0]["checks"] if not c["ok"]}
        assert set(failed) == {"solution_markers"} and failed["solution_markers"].startswith(sentence), failed
        assert released.error["kind"] == "release_failed" and sentence in released.error["message"]
        assert not (tmp_path / "student").exists()
    else:
        assert (tmp_path / "student/modules/01_numbers/01_numbers.ipynb").exists()
