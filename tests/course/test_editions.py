"""The real course in this repository: valid, complete from a clean copy, and honest about student code.

- every module passes `tito module validate`;
- the committed `tinytorch/` is the export of the instructor notebooks (`export --check`);
- the instructor edition completes, module by module, with its checkpoints;
- the student edition (solutions stripped by nbgrader) fails each module's tests with NotImplementedError,
  never with an ImportError from a later module: the tests really test the student's code.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tito_jupyter import engine
from tito_jupyter.course import Course
from tito_jupyter.engine.context import Context

REPO = Path(__file__).resolve().parents[2]
COURSE = Course.load(REPO)
MODULE_IDS = [m.id for m in COURSE.modules]


def copy_course(dest: Path) -> Path:
    """The course as a fresh clone has it: notebooks, tests, checkpoints and the package."""
    for folder in ("modules", "tests/modules", "tests/checkpoints", "tinytorch"):
        if (REPO / folder).exists():
            shutil.copytree(REPO / folder, dest / folder,
                            ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints", "*.tito-tmp"))
    return dest


def run(root, command, args=None):
    return engine.run(command, args or {}, Context(project=root))


def test_the_course_has_modules():
    assert MODULE_IDS[:2] == ["01_tensor", "02_activations"]


def test_every_module_is_valid():
    result = run(REPO, "module.validate", {"all_": True})
    assert result.ok, result.summary


def test_committed_package_is_the_export_of_the_instructor_notebooks(tmp_path):
    root = copy_course(tmp_path)
    result = run(root, "module.export", {"all_": True, "check": True})
    assert result.ok, result.summary


def test_instructor_edition_completes_from_a_clean_copy(tmp_path):
    root = copy_course(tmp_path)
    for folder in (root / "tinytorch").rglob("*.py"):
        if folder.name != "__init__.py":
            folder.unlink()  # nothing exported yet, as for a student who starts
    result = run(root, "module.complete", {"all_": True})
    assert result.ok, result.summary
    status = run(root, "module.status").data
    assert status["complete"] == len(MODULE_IDS)
    passed = run(root, "checkpoint.status").data
    assert passed["passed"] == passed["total"]


def strip_solutions(notebook: Path) -> None:
    import nbformat
    from nbgrader.preprocessors import ClearSolutions

    nb = nbformat.read(notebook, as_version=4)
    nb, _ = ClearSolutions(enforce_metadata=False).preprocess(nb, {})
    nbformat.write(nb, notebook)


@pytest.mark.parametrize("module_id", MODULE_IDS)
def test_student_edition_fails_with_not_implemented(tmp_path, module_id):
    root = copy_course(tmp_path)
    module = Course.load(root).module(module_id)
    strip_solutions(module.notebook)
    assert "### BEGIN SOLUTION" not in module.notebook.read_text()
    assert run(root, "module.export", {"modules": [module_id]}).ok
    result = run(root, "module.test", {"modules": [module_id]})
    assert not result.ok
    tests = result.data["modules"][0]["tests"]
    failing = [t for t in tests if t["outcome"] in ("failed", "error")]
    assert failing, "stripping the solutions must make tests fail"
    wrong = [t for t in failing if "NotImplementedError" not in t["message"]]
    assert not wrong, json.dumps(wrong, indent=1)[:3000]
