"""The student edition of the real course in this repository (solutions stripped by nbgrader) is honest about
student code:

- stripped one module at a time, each module's tests fail with NotImplementedError, never with an ImportError
  from a later module: the tests really test the student's code;
- with every module stripped at once (as handed out), every test file is still collected test by test.

(The instructor's side, and the course's validity, are in test_editions.py.)
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from course_copies import copy_course, run, strip_solutions

from tito_jupyter.course import Course

pytestmark = pytest.mark.slow(95)  # about 95 s on 2 shared cores: started early

MODULE_IDS = [m.id for m in Course.load(Path(__file__).resolve().parents[2]).modules]


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
