"""The real course in this repository: valid, complete from a clean copy, and honest about student code.

- every module passes `tito module validate`;
- the committed `tinytorch/` is the export of the instructor notebooks (`export --check`);
- the instructor edition completes, module by module, with its checkpoints;
- the student edition (solutions stripped by nbgrader) fails each module's tests with NotImplementedError,
  never with an ImportError from a later module: the tests really test the student's code.
- with every module stripped at once (as handed out), every test file is still collected test by test.
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
    """The course as a fresh clone has it: notebooks, tests, checkpoints, the package and the data tests read."""
    for folder in ("modules", "tests/modules", "tests/checkpoints", "tinytorch", "milestones/data"):
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


def test_whole_student_edition_collects_every_test(tmp_path):
    """A student edition strips every module at once, so module 01's Tensor is a stub too. A test file that builds
    a Tensor while pytest collects it (in a parametrize list) then fails as one NotImplementedError at collection,
    and all its tests vanish from the student's run: every module's tests must still be collected one by one."""
    root = copy_course(tmp_path)
    course = Course.load(root)
    for module in course.modules:
        strip_solutions(module.notebook)
    assert run(root, "module.export", {"all_": True}).ok
    for module_id in MODULE_IDS:
        result = run(root, "module.test", {"modules": [module_id]})
        tests = result.data["modules"][0]["tests"]
        uncollected = [t for t in tests if t.get("phase") == "collect"]
        assert not uncollected, f"{module_id}: " + json.dumps(uncollected, indent=1)[:2000]
