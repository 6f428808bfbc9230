"""The real course in this repository: valid, and complete from a clean copy.

- every module passes `tito module validate`;
- the committed `tinytorch/` is the export of the instructor notebooks (`export --check`);
- the instructor edition completes, module by module, with its checkpoints.

(The student edition's honesty about student code is in test_student_edition.py.)
"""

from __future__ import annotations

from pathlib import Path

import pytest
from course_copies import copy_course, run

from tito_jupyter.course import Course

pytestmark = pytest.mark.slow(40)  # about 40 s on 2 shared cores: started early

REPO = Path(__file__).resolve().parents[2]
MODULE_IDS = [m.id for m in Course.load(REPO).modules]


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
