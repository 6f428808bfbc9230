"""`tito release student`: a complete student workspace, without solutions, that verified itself.

Real nbgrader strips the notebooks, real nbdev exports them, real pytest runs both editions.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from course_factory import make_course

from tito_jupyter import engine
from tito_jupyter.course import Course
from tito_jupyter.engine.context import Context

pytestmark = pytest.mark.slow(50)  # about 50 s on 2 shared cores: started early

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


def test_the_student_edition_is_a_complete_workspace(released, tmp_path):
    _, out, _ = released
    names = set(files_of(out))
    assert {"modules/01_numbers/01_numbers.ipynb", "modules/02_doubling/02_doubling.ipynb",
            "tests/modules/01_numbers/test_numbers.py", "tests/checkpoints/c01_arithmetic.py",
            "tinytorch/__init__.py", "tinytorch/core/__init__.py", "tinytorch/core/numbers.py",
            "tinytorch/core/doubling.py", "pyproject.toml", "requirements.txt", "README.md", ".gitignore",
            ".tito/starting-points/01_numbers/01_numbers.ipynb",
            ".tito/starting-points/02_doubling/02_doubling.ipynb"} <= names
    assert "tito-jupyter[jupyter]==" in (out / "pyproject.toml").read_text()
    # Read a copy: reading a course leaves tito's cache in its .tito/, and the edition must stay as shipped for
    # the tests after this one.
    copy = tmp_path / "edition"
    shutil.copytree(out, copy)
    course = Course.load(copy)
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


def test_a_test_file_that_runs_student_code_on_import_stops_the_release(course_dir, tmp_path):
    # Built at import time, this value fails as one collection error in the student edition: "fails with
    # NotImplementedError", yet none of the file's tests was ever checked one by one.
    (course_dir / "tests/modules/01_numbers/test_numbers.py").write_text(
        "from tinytorch.core.numbers import add\n\nHALF = add(0.25, 0.25)\n\n\n"
        "def test_add_floats():\n    assert add(HALF, 0.25) == 0.75\n\n\n"
        "def test_add_ints():\n    assert add(1, 2) == 3\n")
    out = tmp_path / "student"
    result = run(course_dir, "release.student", {"out": str(out)})
    assert not result.ok and not out.exists()
    problems = result.data["problems"]
    assert len(problems) == 1 and problems[0].startswith(
        "the student edition of 01_numbers cannot collect tests/modules/01_numbers/test_numbers.py"), problems


def test_a_module_that_times_out_is_that_modules_alone(course_dir, tmp_path):
    """Each edition's modules are stages of one pytest process: 01's timeout (in both editions) stops that process,
    and 02 is still tested, in a new one, with a verdict and a timeout of its own."""
    with open(course_dir / "tests/modules/01_numbers/test_numbers.py", "a") as f:
        f.write("\n\ndef test_never_ends():\n    import time\n    time.sleep(3600)\n")
    timeout = 15  # generous for a loaded machine: 01's clock also counts the process's start and collection
    result = run(course_dir, "release.student", {"out": str(tmp_path / "student"), "timeout": timeout})
    assert not result.ok
    [problem] = result.data["problems"]
    assert problem.startswith("the instructor edition of 01_numbers fails its tests (01_numbers tests: timed out "
                              f"after {timeout} s"), problem
    numbers, doubling = result.data["modules"]
    assert numbers["student"]["not_implemented"] == 3  # its tests before the one that never ends
    assert (doubling["student"]["failed"], doubling["student"]["not_implemented"]) == (1, 1)
    assert (doubling["instructor"]["passed"], doubling["instructor"]["total"]) == (1, 1)


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
    # allow_dirty: this is about the modules as they are; a developer's checkout may be mid-edit.
    result = run(REPO, "release.student", {"out": str(out), "modules": ["01_tensor", "02_activations"],
                                           "allow_dirty": True})
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


# -- only committed work is handed out ----------------------------------------------------------------------


def git(folder: Path, *argv: str) -> str:
    # CI runs in a fresh clone, perhaps as root and with no git identity: everything the test needs is here.
    done = subprocess.run(["git", "-c", "user.name=tito-test", "-c", "user.email=test@tito.local",
                           "-c", "init.defaultBranch=main", *argv], cwd=folder, capture_output=True, text=True,
                          check=True)
    return done.stdout.strip()


def committed_course(folder: Path) -> tuple[Path, Path]:
    """A course in ``folder/repo/course``: its repository starts a level above it. Returns (repo, course)."""
    repo = folder / "repo"
    course = make_course(repo / "course")
    (repo / ".gitignore").write_text("answers*.txt\n__pycache__/\n.tito/\n")
    git(repo, "init", "--quiet")
    git(repo, "add", "--all")
    git(repo, "commit", "--quiet", "-m", "the course")
    return repo, course


def add_unfinished_work(course: Path) -> None:
    """Work in progress: a changed notebook, a draft never committed (odd name), a file git ignores."""
    notebook = course / "modules/01_numbers/01_numbers.ipynb"
    nb = json.loads(notebook.read_text())
    nb["cells"].append({"cell_type": "markdown", "id": "next-year", "metadata": {},
                        "source": "Next year's hint: the answer is a + b, see the grading notes."})
    notebook.write_text(json.dumps(nb))
    (course / "modules/01_numbers/brouillon é✓ 草稿.md").write_text("draft: a + b, obviously\n")
    (course / "modules/01_numbers/answers-2027.txt").write_text("1 + 1 = 2\n")


UNFINISHED = ["modules/01_numbers/01_numbers.ipynb (changed since commit ",
              "modules/01_numbers/answers-2027.txt (ignored by git, so never committed)",
              "modules/01_numbers/brouillon é✓ 草稿.md (never committed)"]


def test_uncommitted_work_stops_the_release_and_is_named(tmp_path):
    _, course = committed_course(tmp_path)
    add_unfinished_work(course)
    out = tmp_path / "student"
    refused = run(course, "release.student", {"out": str(out), "skip_tests": True})
    assert not refused.ok and refused.exit_code == 1
    assert refused.error["kind"] == "uncommitted_changes"
    files = refused.error["files"]
    assert len(files) == 3 and all(f.startswith(expected) for f, expected in zip(files, UNFINISHED)), files
    for name in ("01_numbers.ipynb", "answers-2027.txt", "brouillon é✓ 草稿.md", "--allow-dirty"):
        assert name in refused.summary
    # Nothing was built: no edition, no half-built folder beside it.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["repo"]


def test_allow_dirty_releases_the_folder_as_it_is_and_says_so(tmp_path):
    _, course = committed_course(tmp_path)
    add_unfinished_work(course)
    out = tmp_path / "student"
    released = run(course, "release.student", {"out": str(out), "skip_tests": True, "allow_dirty": True})
    assert released.ok, released.summary
    (warning,) = released.data["warnings"]
    assert warning.startswith("Built from 3 file(s) that are not as in the last commit (--allow-dirty)")
    assert "brouillon é✓ 草稿.md" in warning
    assert len(released.data["source"]["uncommitted"]) == 3
    # What the flag promises: exactly the folder as it is, unfinished work included.
    assert (out / "modules/01_numbers/brouillon é✓ 草稿.md").is_file()
    assert "Next year's hint" in (out / "modules/01_numbers/01_numbers.ipynb").read_text()


def test_a_committed_course_releases_without_a_warning_and_names_its_commit(tmp_path):
    repo, course = committed_course(tmp_path)
    # Touched but unchanged files, and clutter tito never copies, are no reason to refuse.
    os.utime(course / "modules/01_numbers/01_numbers.ipynb")
    (course / "modules/01_numbers/__pycache__").mkdir()
    (course / "modules/01_numbers/__pycache__/x.cpython-311.pyc").write_bytes(b"\0")
    (course / "modules/01_numbers/.ipynb_checkpoints").mkdir()
    (course / "modules/01_numbers/.ipynb_checkpoints/01_numbers-checkpoint.ipynb").write_text("{}")
    (course / "bench").mkdir()
    (course / "bench/untracked_notes.md").write_text("not part of any edition\n")
    released = run(course, "release.student", {"out": str(tmp_path / "student"), "skip_tests": True})
    assert released.ok, released.summary
    assert released.data["warnings"] == []
    assert released.data["source"] == {"checked": True, "repository": str(repo.resolve()),
                                       "commit": git(repo, "rev-parse", "HEAD"), "uncommitted": [], "warnings": []}


def test_a_repository_without_a_commit_has_nothing_committed(tmp_path):
    course = make_course(tmp_path / "course")
    git(course, "init", "--quiet")
    git(course, "add", "--all")  # staged is not committed
    refused = run(course, "release.student", {"out": str(tmp_path / "student"), "skip_tests": True})
    assert not refused.ok and refused.error["kind"] == "uncommitted_changes"
    assert "modules/01_numbers/01_numbers.ipynb (never committed)" in refused.error["files"]


def test_a_course_outside_git_is_released_with_a_warning(course_dir, tmp_path):
    released = run(course_dir, "release.student", {"out": str(tmp_path / "student"), "skip_tests": True})
    assert released.ok, released.summary
    (warning,) = released.data["warnings"]
    assert "is not in a git repository" in warning and "as they are now" in warning
    assert released.data["source"]["checked"] is False


def test_a_repository_git_cannot_read_is_refused_with_gits_reason(tmp_path):
    _, course = committed_course(tmp_path)
    (course.parent / ".git").rename(course.parent / "git-moved")
    (course.parent / ".git").write_text("not a gitdir line\n")  # a corrupt .git file (a broken worktree link)
    refused = run(course, "release.student", {"out": str(tmp_path / "student"), "skip_tests": True})
    assert not refused.ok and refused.exit_code == 1
    assert "cannot check that the course's files are committed" in refused.summary
    assert "invalid gitfile format" in refused.summary and "--allow-dirty" in refused.summary
    assert not (tmp_path / "student").exists()


def test_without_git_installed_a_repository_is_refused_unless_allowed(tmp_path):
    _, course = committed_course(tmp_path)
    # The venv's own bin folder: python and tito, but no git.
    env = {**os.environ, "PATH": str(Path(sys.executable).parent), "TITO_PROJECT": str(course)}
    assert shutil.which("git", path=env["PATH"]) is None
    argv = [sys.executable, "-m", "tito_jupyter", "--no-color", "release", "student", "--skip-tests", "--out"]
    refused = subprocess.run(argv + [str(tmp_path / "a")], env=env, capture_output=True, text=True)
    assert refused.returncode == 1
    assert "git is not installed" in " ".join((refused.stdout + refused.stderr).split())
    assert not (tmp_path / "a").exists()
    allowed = subprocess.run(argv + [str(tmp_path / "b"), "--allow-dirty"], env=env, capture_output=True, text=True)
    assert allowed.returncode == 0, allowed.stdout + allowed.stderr
    said = " ".join(allowed.stderr.split())  # rich wraps lines at the terminal's width
    assert said.startswith("warning:") and "not compared with the last commit (--allow-dirty)" in said


def test_a_change_saved_during_the_build_stops_the_release(tmp_path):
    from tito_jupyter.engine.results import EventSink

    _, course = committed_course(tmp_path)
    notebook = course / "modules/02_doubling/02_doubling.ipynb"

    def save_mid_build(event: dict) -> None:  # the instructor saves while the stripped edition exports
        if event.get("step") == "export" and event.get("state") == "running":
            notebook.write_text(notebook.read_text().replace("Twice x", "Twice x (draft)"))

    ctx = Context(project=course, events=EventSink(save_mid_build))
    refused = engine.run("release.student", {"out": str(tmp_path / "student"), "skip_tests": True}, ctx)
    assert not refused.ok and refused.error["kind"] == "uncommitted_changes"
    assert refused.summary.startswith("Files changed while the student edition was being built")
    assert "modules/02_doubling/02_doubling.ipynb" in refused.summary
    assert sorted(p.name for p in tmp_path.iterdir()) == ["repo"]


def test_a_link_to_a_file_outside_the_edition_stops_the_release(course_dir, tmp_path):
    private = tmp_path / "private"
    private.mkdir()
    (private / "grading-notes.md").write_text("Give full marks only if they used broadcasting.\n")
    (course_dir / "modules/01_numbers/notes.md").symlink_to(private / "grading-notes.md")
    # A link to another file of the edition is fine: that file is handed out anyway.
    (course_dir / "modules/02_doubling/numbers-tests.py").symlink_to(
        course_dir / "tests/modules/01_numbers/test_numbers.py")
    refused = run(course_dir, "release.student", {"out": str(tmp_path / "student"), "skip_tests": True})
    assert not refused.ok and refused.exit_code == 1
    assert "modules/01_numbers/notes.md -> " in refused.summary
    assert "numbers-tests.py" not in refused.summary
    assert not (tmp_path / "student").exists()
    (course_dir / "modules/01_numbers/notes.md").unlink()
    released = run(course_dir, "release.student", {"out": str(tmp_path / "student"), "skip_tests": True})
    assert released.ok, released.summary


def test_a_module_never_committed_stops_the_release_even_when_not_asked_for(tmp_path):
    # A draft module next to the committed ones: `release student` (all modules) would hand it out.
    from course_factory import notebook, write_notebook

    _, course = committed_course(tmp_path)
    write_notebook(course / "modules/03_tripling/03_tripling.ipynb", notebook(
        ("markdown", "# Tripling"), ("code", "#| default_exp core.tripling"),
        ("code", "#| export\ndef triple(x):\n    ### BEGIN SOLUTION\n    return 3 * x\n    ### END SOLUTION\n"),
        ("code", "def test_unit_triple():\n    assert triple(2) == 6\n\ntest_unit_triple()")))
    everything = run(course, "release.student", {"out": str(tmp_path / "student"), "skip_tests": True})
    assert not everything.ok and everything.error["kind"] == "uncommitted_changes"
    assert everything.error["files"] == ["modules/03_tripling/03_tripling.ipynb (never committed)"]
    # Releasing only committed modules is fine: the draft is not among the files it reads.
    chosen = run(course, "release.student", {"out": str(tmp_path / "student"), "skip_tests": True,
                                             "modules": ["01", "02"]})
    assert chosen.ok, chosen.summary
    assert not (tmp_path / "student/modules/03_tripling").exists()


def test_hidden_tests_stay_with_the_instructor(course_dir, tmp_path):
    # nbgrader's convention: a region of a test cell only the grader runs.
    notebook = course_dir / "modules/01_numbers/01_numbers.ipynb"
    nb = json.loads(notebook.read_text())
    for cell in nb["cells"]:
        if "def test_unit_add():" in cell["source"]:
            cell["source"] = cell["source"].replace(
                "f'add(2, 3) gave {add(2, 3)}'\n",
                "f'add(2, 3) gave {add(2, 3)}'\n    ### BEGIN HIDDEN TESTS\n"
                "    assert add(1000, 24) == 1024, 'the grader checks big numbers too'\n    ### END HIDDEN TESTS\n")
    notebook.write_text(json.dumps(nb))
    out = tmp_path / "student"
    released = run(course_dir, "release.student", {"out": str(out)})
    assert released.ok, released.summary
    assert released.data["totals"]["instructor_passed"] == released.data["totals"]["instructor_tests"] == 4
    for name, text in files_of(out).items():
        assert "HIDDEN TESTS" not in text and "add(1000, 24)" not in text, name
    assert "def test_unit_add():" in (out / "modules/01_numbers/01_numbers.ipynb").read_text()


@pytest.mark.parametrize("flag", ["--assume-unchanged", "--skip-worktree"])
def test_files_git_is_told_not_to_compare_are_not_taken_as_committed(tmp_path, flag):
    # `git diff` does not look at such files: a change to them would slip through unseen.
    repo, course = committed_course(tmp_path)
    notebook = course / "modules/01_numbers/01_numbers.ipynb"
    git(course, "update-index", flag, "modules/01_numbers/01_numbers.ipynb")
    notebook.write_text(notebook.read_text().replace("Adding things up.", "Adding things up: a + b, see notes."))
    assert git(repo, "status", "--porcelain") == ""  # git itself does not see the change
    refused = run(course, "release.student", {"out": str(tmp_path / "student"), "skip_tests": True})
    assert not refused.ok and refused.error["kind"] == "uncommitted_changes"
    assert refused.error["files"] == [
        "modules/01_numbers/01_numbers.ipynb (git is told not to compare it (assume-unchanged or skip-worktree))"]
