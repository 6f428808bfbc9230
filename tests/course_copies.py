"""This repository's course copied for a test of tests/course: as a fresh clone has it, with its notebooks
stripped as the student edition strips them, and its milestones as `tito milestone list` shows them.

Shared by the files of tests/course, which are split (one milestone a file, the student edition apart from the
instructor's) so that the suite's two workers can run two of these minutes-long files at once.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from tito_jupyter import engine
from tito_jupyter.engine.context import Context

REPO = Path(__file__).resolve().parents[1]


def copy_course(dest: Path) -> Path:
    """The course as a fresh clone has it: notebooks, tests, checkpoints, the package, and the data that part 3's
    tests and checkpoints measure on (milestones/data: the digits)."""
    for folder in ("modules", "tests/modules", "tests/checkpoints", "tinytorch", "milestones/data"):
        if (REPO / folder).exists():
            shutil.copytree(REPO / folder, dest / folder,
                            ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints", "*.tito-tmp"))
    return dest


def strip_solutions(notebook: Path) -> None:
    """The notebook as the student edition has it: nbgrader's ClearSolutions, in place."""
    import nbformat
    from nbgrader.preprocessors import ClearSolutions

    nb = nbformat.read(notebook, as_version=4)
    nb, _ = ClearSolutions(enforce_metadata=False).preprocess(nb, {})
    nbformat.write(nb, notebook)


def fresh_clone(dest: Path) -> Path:
    """The course as a student's fresh clone has it, with nothing exported yet."""
    for folder in ("modules", "tests/modules", "tests/checkpoints", "tinytorch", "milestones"):
        shutil.copytree(REPO / folder, dest / folder,
                        ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints", "*.tito-tmp"))
    for exported in (dest / "tinytorch").rglob("*.py"):
        if exported.name != "__init__.py":
            exported.unlink()
    return dest


def instructor_package(root: Path) -> None:
    """The instructor's exported package in place of the clone's empty one (as `tito complete` of every module
    would export it)."""
    shutil.rmtree(root / "tinytorch")
    shutil.copytree(REPO / "tinytorch", root / "tinytorch", ignore=shutil.ignore_patterns("__pycache__"))


def run(root, command, args=None):
    return engine.run(command, args or {}, Context(project=root))


def milestones(root) -> dict:
    return {row["id"]: row for row in run(root, "milestone.list").data["milestones"]}
