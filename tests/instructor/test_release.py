"""`tito release student`: a complete student workspace, without solutions, that verified itself.

Real nbgrader strips the notebooks, real nbdev exports them, real pytest runs both editions.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tito_jupyter import engine
from tito_jupyter.course import Course
from tito_jupyter.engine.context import Context

REPO = Path(__file__).resolve().parents[2]
SOLUTION_LINES = ("return a + b", "return add(x, x)")


def run(root: Path, command: str, args: dict | None = None):
    return engine.run(command, args or {}, Context(project=root))


def files_of(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): p.read_text(encoding="utf-8", errors="replace")
            for p in folder.rglob("*") if p.is_file()}


def add_instructor_material(course: Path) -> None:
    """What an instructor's checkout holds besides the course: none of it may reach students."""
    assert run(course, "module.export", {"all_": True}).ok  # the instructor's package, with solutions
    assert run(course, "module.complete", {"modules": ["01"]}).ok  # progress in .tito/
    for folder, name, text in ((".git", "config", "[core]\n"), ("bench", "speed.py", "print(1)\n"),
                               (".github/workflows", "ci.yml", "on: push\n"), ("docs", "notes.md", "# notes\n")):
        (course / folder).mkdir(parents=True, exist_ok=True)
        (course / folder / name).write_text(text)


@pytest.fixture(scope="module")
def released(tmp_path_factory):
    """The student edition of a small course with instructor material around it, built once."""
    import sys as _sys

    _sys.path.insert(0, str(REPO / "tests"))
    from course_factory import make_course

    course = make_course(tmp_path_factory.mktemp("instructor") / "course")
    add_instructor_material(course)
    out = tmp_path_factory.mktemp("release") / "student"
    result = run(course, "release.student", {"out": str(out)})
    return course, out, result


def test_the_release_verifies_itself_and_reports_computed_numbers(released):
    _, out, result = released
    assert result.ok, result.summary
    totals = result.data["totals"]
    # 01_numbers: 2 inline + 1 file test; 02_doubling: 1 inline test.
    assert totals == {"modules": 2, "solution_regions": 2, "student_tests": 4, "student_failed": 4,
                      "student_not_implemented": 4, "instructor_tests": 4, "instructor_passed": 4}
    assert result.data["scan"]["leaks"] == []
    assert result.data["scan"]["files_scanned"] == len(files_of(out))
    assert "4 of 4 tests fail (4 with NotImplementedError)" in result.summary
    assert "Instructor edition: 4 of 4 pass" in result.summary


def test_the_student_edition_is_a_complete_workspace(released):
    _, out, _ = released
    names = set(files_of(out))
    assert {"modules/01_numbers/01_numbers.ipynb", "modules/02_doubling/02_doubling.ipynb",
            "tests/modules/01_numbers/test_numbers.py", "tests/checkpoints/c01_arithmetic.py",
            "tinytorch/__init__.py", "tinytorch/core/__init__.py", "tinytorch/core/numbers.py",
            "tinytorch/core/doubling.py", "pyproject.toml", "requirements.txt", "README.md", ".gitignore",
            ".tito/starting-points/01_numbers/01_numbers.ipynb",
            ".tito/starting-points/02_doubling/02_doubling.ipynb"} <= names
    assert "tito-jupyter[jupyter]==" in (out / "pyproject.toml").read_text()
    course = Course.load(out)
    assert [m.id for m in course.modules] == ["01_numbers", "02_doubling"]
    assert [c.id for c in course.checkpoints] == ["c01_arithmetic"]


def test_nothing_of_the_instructor_reaches_students(released):
    _, out, _ = released
    names = set(files_of(out))
    for instructor_only in (".git/config", "bench/speed.py", ".github/workflows/ci.yml", "docs/notes.md",
                            ".tito/progress.json", ".tito/export-state.json"):
        assert instructor_only not in names
    assert not [n for n in names if n.startswith(".tito/") and "/starting-points/" not in f"/{n}"]
    for name, text in files_of(out).items():
        for line in SOLUTION_LINES:
            assert line not in text, f"{line!r} leaked into {name}"
        assert "BEGIN SOLUTION" not in text, name


def test_the_student_package_and_notebooks_carry_stubs_without_outputs(released):
    _, out, _ = released
    assert "raise NotImplementedError()" in (out / "tinytorch/core/numbers.py").read_text()
    nb = json.loads((out / "modules/01_numbers/01_numbers.ipynb").read_text())
    assert all(c.get("outputs", []) == [] for c in nb["cells"])
    assert any("raise NotImplementedError()" in "".join(c["source"]) for c in nb["cells"])


def test_the_student_edition_fails_its_tests_until_the_code_is_written(released):
    _, out, _ = released
    tested = run(out, "module.test", {"modules": ["01"]})
    assert not tested.ok
    messages = [t["message"] for t in tested.data["modules"][0]["tests"]]
    assert messages and all("NotImplementedError" in m for m in messages)


def test_reset_works_in_the_student_edition(released, tmp_path):
    import shutil

    _, out, _ = released
    student = tmp_path / "student"
    shutil.copytree(out, student)
    notebook = student / "modules/01_numbers/01_numbers.ipynb"
    handed_out = notebook.read_bytes()
    notebook.write_text(notebook.read_text().replace("raise NotImplementedError()", "return a + b"))
    reset = run(student, "module.reset", {"module": "01", "yes": True})
    assert reset.ok, reset.summary
    assert notebook.read_bytes() == handed_out
    assert run(student, "module.backups", {"module": "01"}).data["backups"]


def test_a_leaked_solution_stops_the_release_and_leaves_out_alone(course_dir, tmp_path):
    # An instructor keeps a reference solution next to the notebook: module folders are copied whole.
    (course_dir / "modules/01_numbers/reference.py").write_text("def add(a, b):\n    return a + b\n")
    out = tmp_path / "student"
    result = run(course_dir, "release.student", {"out": str(out), "skip_tests": True})
    assert not result.ok
    assert not out.exists()
    rejected = Path(result.data["rejected"])
    assert rejected.name == "student.rejected" and rejected.is_dir()
    leaks = result.data["scan"]["leaks"]
    assert [(leak["file"], leak["text"], leak["source"]) for leak in leaks] == [
        ("modules/01_numbers/reference.py", "return a + b", "modules/01_numbers/01_numbers.ipynb")]
    assert "NOT released" in result.summary


def test_tests_that_pass_without_the_solution_stop_the_release(course_dir, tmp_path):
    # 02's only test no longer calls the student's code: the student edition would pass it.
    nb_path = course_dir / "modules/02_doubling/02_doubling.ipynb"
    nb = json.loads(nb_path.read_text())
    for cell in nb["cells"]:
        if "def test_unit_double" in cell["source"]:
            cell["source"] = "def test_unit_double():\n    assert 8 == 2 * 4\n"
    nb_path.write_text(json.dumps(nb))
    result = run(course_dir, "release.student", {"out": str(tmp_path / "student")})
    assert not result.ok
    assert result.data["problems"] == ["the student edition of 02_doubling passes its tests without the solutions"]


@pytest.mark.parametrize("where", ["course", "inside_modules"])
def test_the_release_never_writes_over_the_course(course_dir, where):
    out = course_dir if where == "course" else course_dir / "modules" / "student"
    result = run(course_dir, "release.student", {"out": str(out), "skip_tests": True})
    assert not result.ok and result.exit_code == 2
    assert (course_dir / "modules/01_numbers/01_numbers.ipynb").is_file()


def test_an_existing_folder_needs_force(course_dir, tmp_path):
    out = tmp_path / "student"
    out.mkdir()
    (out / "old.txt").write_text("old")
    refused = run(course_dir, "release.student", {"out": str(out), "skip_tests": True})
    assert not refused.ok and refused.exit_code == 2 and (out / "old.txt").exists()
    replaced = run(course_dir, "release.student", {"out": str(out), "skip_tests": True, "force": True})
    assert replaced.ok, replaced.summary
    assert not (out / "old.txt").exists()


def test_the_real_course_first_modules(tmp_path):
    """The repository's own modules 01 and 02: every solution stripped, every test failing for it."""
    out = tmp_path / "student"
    result = run(REPO, "release.student", {"out": str(out), "modules": ["01_tensor", "02_activations"]})
    assert result.ok, result.summary
    totals = result.data["totals"]
    assert totals["student_tests"] > 0
    assert totals["student_failed"] == totals["student_not_implemented"] == totals["student_tests"]
    assert totals["instructor_passed"] == totals["instructor_tests"] == totals["student_tests"]
    assert sorted(m.id for m in Course.load(out).modules) == ["01_tensor", "02_activations"]


def test_the_cli_exit_codes(course_dir, tmp_path):
    env = {**os.environ, "TITO_PROJECT": str(course_dir)}
    ok = subprocess.run([sys.executable, "-m", "tito_jupyter", "--json", "release", "student", "--out",
                         str(tmp_path / "s"), "--skip-tests"], env=env, capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["data"]["scan"]["leaks"] == []
    (course_dir / "modules/01_numbers/notes.md").write_text("Use `return a + b` there.\n    return a + b\n")
    leaked = subprocess.run([sys.executable, "-m", "tito_jupyter", "--no-color", "release", "student", "--out",
                             str(tmp_path / "t"), "--skip-tests"], env=env, capture_output=True, text=True)
    assert leaked.returncode == 1
    assert "modules/01_numbers/notes.md" in leaked.stdout + leaked.stderr
