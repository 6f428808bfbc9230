"""Export targets are dotted module names inside the package: nothing a notebook says is written outside it.

nbdev turns `#| default_exp core.tensor` into `tinytorch/core/tensor.py`; a target such as `/abs/victim` or
`../../victim` would become a file outside the package (outside the course). One rule
(`notebooks.export_target_problem`) refuses them, and validate, export, release and the course listing all say so
in a sentence, before anything is written.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from course_factory import NUMBERS_EXPORT, notebook, write_notebook

from tito_jupyter import engine, notebooks
from tito_jupyter.course import Course
from tito_jupyter.engine.context import Context

NB = "modules/01_numbers/01_numbers.ipynb"


def run(root: Path, command: str, args: dict | None = None):
    return engine.run(command, args or {}, Context(project=root))


def everything_under(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*")}


def hostile_targets(outside: Path) -> list[str]:
    """Where a notebook could try to send its code: an absolute path, and `..` paths out of the package."""
    return [str(outside / "victim"), "../../../outside/victim", "../victim", "core/../../../outside/victim",
            "core/numbers", "core..numbers", ".core", "core.numbers.", "core.-x"]


def write_target(course_dir: Path, target: str, where: str) -> None:
    """Module 01 with ``target`` in its ``#| default_exp`` line, or in an ``#| export <target>`` cell."""
    if where == "default_exp":
        cells = (("markdown", "# Numbers"), ("code", f"#| default_exp {target}"), ("code", NUMBERS_EXPORT))
    else:
        cells = (("markdown", "# Numbers"), ("code", "#| default_exp core.numbers"), ("code", NUMBERS_EXPORT),
                 ("code", f"#| export {target}\ndef sneaky():\n    return 1\n"))
    write_notebook(course_dir / NB, notebook(*cells))


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A folder next to the course (what an attacker would overwrite), with an existing file in it."""
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "victim.py").write_text("precious = True\n")
    return folder


def assert_nothing_outside(tmp_path: Path, course_dir: Path, before: set[str]) -> None:
    after = {p for p in everything_under(tmp_path) if not p.startswith(course_dir.name + "/")}
    assert after == before, f"written outside the course: {sorted(after - before)}"
    assert (tmp_path / "outside/victim.py").read_text() == "precious = True\n"


def test_the_rule_accepts_dotted_names_only():
    for good in ("core", "core.tensor", "core.tensor_2", "_private.x", "A.b_C"):
        assert notebooks.export_target_problem(good) is None, good
    for bad in ("/etc/passwd", "../x", "core/x", "core..x", ".x", "x.", "1core", "core.1x", "co re", "core.x-y",
                "ｃｏｒｅ", "core.ñ", "x" * 201, "", "core.\u00b2"):
        problem = notebooks.export_target_problem(bad)
        assert problem and "dotted module name" in problem, bad


@pytest.mark.parametrize("where", ["default_exp", "export"])
def test_validate_export_and_the_course_refuse_a_target_outside_the_package(course_dir, tmp_path, outside, where):
    before = {p for p in everything_under(tmp_path) if not p.startswith(course_dir.name + "/")}
    for target in hostile_targets(outside):
        write_target(course_dir, target, where)

        module = Course.load(course_dir).module("01")
        assert target not in module.targets
        assert any("not a dotted module name" in p for p in module.problems), (target, module.problems)

        validated = run(course_dir, "module.validate", {"modules": ["01"]})
        check = next(c for c in validated.data["modules"][0]["checks"] if c["check"] == "export_target")
        assert not validated.ok and not check["ok"], (target, check)
        assert "not a dotted module name inside the package" in check["message"]

        exported = run(course_dir, "module.export", {"modules": ["01"], "force": True})
        assert not exported.ok, target
        assert "not a dotted module name inside the package" in exported.summary, exported.summary
        assert "nothing was written" in exported.error["hint"]
        assert_nothing_outside(tmp_path, course_dir, before)


def test_complete_records_nothing_for_a_refused_target(course_dir, tmp_path, outside):
    before = {p for p in everything_under(tmp_path) if not p.startswith(course_dir.name + "/")}
    write_target(course_dir, str(outside / "victim"), "default_exp")
    result = run(course_dir, "module.complete", {"modules": ["01"]})
    assert not result.ok and "not a dotted module name" in result.summary
    assert_nothing_outside(tmp_path, course_dir, before)
    assert run(course_dir, "module.status").data["modules"][0]["state"] != "complete"


def test_release_refuses_a_course_with_a_target_outside_the_package(course_dir, tmp_path, outside):
    before = {p for p in everything_under(tmp_path) if not p.startswith(course_dir.name + "/")}
    write_target(course_dir, "../../../outside/victim", "default_exp")
    out = tmp_path / "student"
    result = run(course_dir, "release.student", {"out": str(out), "skip_tests": True})
    assert not result.ok
    assert "not a dotted module name inside the package" in result.summary, result.summary
    assert not out.exists()
    assert_nothing_outside(tmp_path, course_dir, before)


def test_the_cli_says_what_is_wrong_without_a_traceback(course_dir, tmp_path, outside, tito_env):
    write_target(course_dir, str(outside / "victim"), "default_exp")
    done = subprocess.run([sys.executable, "-m", "tito_jupyter", "export", "01"], env=tito_env, cwd=course_dir,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done
    said = done.stdout + done.stderr
    assert "not a dotted module name inside the package" in said and "Traceback" not in said, said
    assert (outside / "victim.py").read_text() == "precious = True\n"
