"""What the terminal shows for the commands a student and a maintainer read as tables: each real command runs on a
real course (the engine, in this process), and its view (cli/render.py) must show the facts of its result.

A view that dropped a column (the fix of a failing doctor check, what a checkpoint still needs) or read a key the
engine no longer writes fails here, not in front of a student.
"""

from __future__ import annotations

import io

from rich.console import Console

from course_factory import numbers_notebook, write_notebook
from tito_jupyter import engine
from tito_jupyter.cli.render import Renderer
from tito_jupyter.engine.context import Context

NB = "modules/01_numbers/01_numbers.ipynb"


def shown(course_dir, command: str, args: dict | None = None) -> tuple[object, str]:
    """Run ``command`` on the course and show its result as the terminal does: the result and the screen's text."""
    result = engine.run(command, args or {}, Context(project=course_dir))
    screen = io.StringIO()
    renderer = Renderer()
    renderer.console = Console(file=screen, force_terminal=False, width=200, color_system=None)
    renderer.err = renderer.console
    renderer.finish(result)
    return result, screen.getvalue()


def lines_with(text: str, word: str) -> list[str]:
    return [line for line in text.splitlines() if word in line]


def test_checkpoint_status_and_the_timeline_show_what_each_checkpoint_still_needs(course_dir):
    _, status = shown(course_dir, "checkpoint.status")
    (row,) = lines_with(status, "c01_arithmetic")
    assert "locked" in row and "01_numbers, 02_doubling" in row

    assert engine.run("module.complete", {"modules": ["01"]}, Context(project=course_dir)).ok
    _, status = shown(course_dir, "checkpoint.status")
    (row,) = lines_with(status, "c01_arithmetic")
    assert "02_doubling" in row and "01_numbers" not in row

    _, timeline = shown(course_dir, "checkpoint.timeline")
    assert [line.split()[1:3] for line in lines_with(timeline, "●")] == [["01_numbers", "complete"],
                                                                          ["02_doubling", "not"]]
    (mark,) = lines_with(timeline, "◆")
    assert "c01_arithmetic" in mark and "locked" in mark
    # The overview is the module table and the same timeline under it.
    _, overview = shown(course_dir, "module.overview")
    assert lines_with(overview, "◆") == [mark] and lines_with(overview, "01_numbers")


def test_milestone_list_names_each_milestone_and_the_modules_it_needs(course_dir):
    folder = course_dir / "milestones" / "1642_pascaline"
    folder.mkdir(parents=True)
    (folder / "README.md").write_text("# Pascal's adding machine [1642]\n")
    (folder / "run.py").write_text("from tinytorch.core.numbers import add\nprint(add(1, 2))\n")
    _, text = shown(course_dir, "milestone.list")
    (row,) = lines_with(text, "1642_pascaline")
    assert "locked" in row and "01_numbers" in row and "[1642]" in row  # the title as written, not rich markup


def test_doctor_shows_each_failing_check_with_its_fix_and_exits_failed(course_dir):
    (course_dir / "tinytorch/__init__.py").unlink()
    result, text = shown(course_dir, "system.doctor")
    assert not result.ok
    (row,) = lines_with(text, "tinytorch/ package")
    assert "fail" in row and "Run `tito system setup` to create it." in row
    (numpy,) = [line for line in lines_with(text, "numpy") if "NumPy" in line]
    assert " ok " in numpy
    assert "✗ 1 problem(s)" in text


def test_backups_and_a_clean_dry_run_list_their_paths(course_dir):
    context = Context(project=course_dir)
    assert engine.run("system.setup", {}, context).ok
    write_notebook(course_dir / NB, numbers_notebook("def add(a, b):\n    return 42  # mine\n"))
    backup = engine.run("module.reset", {"module": "01", "yes": True}, context).data["backup"]
    _, backups = shown(course_dir, "module.backups", {"module": "01"})
    (row,) = lines_with(backups, backup["id"])
    assert "01_numbers" in row and backup["path"] in row

    (course_dir / "tinytorch/core/__pycache__").mkdir(exist_ok=True)
    (course_dir / "tinytorch/core/__pycache__/numbers.pyc").write_bytes(b"x" * 2048)
    result, clean = shown(course_dir, "system.clean", {"dry_run": True})
    assert "tinytorch/core/__pycache__" in result.data["removed"]
    assert all(lines_with(clean, path) for path in result.data["removed"])
    assert "Would remove" in clean and (course_dir / "tinytorch/core/__pycache__").exists()


def test_profile_shows_where_the_time_went_and_the_slowest_tests(course_dir):
    assert engine.run("module.export", {"modules": ["01"]}, Context(project=course_dir)).ok
    result, text = shown(course_dir, "dev.profile", {"operation": "test", "module": "01"})
    assert result.ok, result.summary
    assert f"Where the time went ({result.data['seconds']:.2f} s)" in text
    assert lines_with(text, result.data["functions"][0]["function"][:40])
    assert "Slowest tests" in text
    assert [t["id"] for t in result.data["slowest_tests"]] and all(
        lines_with(text, t["id"]) for t in result.data["slowest_tests"])
