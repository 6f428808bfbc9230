"""The student edition's README gives only steps that work: tito runs natively on Windows (its locks and process
trees are :mod:`tito_jupyter.platform`'s), so the README gives the Windows steps beside the POSIX ones."""

from __future__ import annotations

import ast
from pathlib import Path

from tito_jupyter.course import Course
from tito_jupyter.engine import files
from tito_jupyter.engine.instructor import release


def test_the_engine_locks_files_through_the_platform_module():
    imported = {alias.name for node in ast.walk(ast.parse(Path(files.__file__).read_text(encoding="utf-8")))
                if isinstance(node, ast.Import) for alias in node.names}
    assert "fcntl" not in imported  # a POSIX-only lock here would make the Windows steps below a lie


def test_the_student_readme_gives_windows_steps_and_posix_steps(course_dir, tmp_path):
    course = Course.load(course_dir)
    release._student_setup_files(course, course.modules, tmp_path)
    readme = (tmp_path / "README.md").read_text(encoding="utf-8")
    assert "WSL" not in readme.replace("no WSL needed", "")
    assert ".venv\\Scripts\\Activate.ps1" in readme and "py -m venv .venv" in readme
    assert ". .venv/bin/activate" in readme and "jupyter lab modules/01_numbers/01_numbers.ipynb" in readme
