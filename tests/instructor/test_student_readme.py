"""The student edition's README gives only steps that work: tito's file locks are POSIX (``fcntl``), so it sends
Windows users to WSL instead of giving Windows-native activation steps that lead to a tito that cannot start."""

from __future__ import annotations

import ast
from pathlib import Path

from tito_jupyter.course import Course
from tito_jupyter.engine import files
from tito_jupyter.engine.instructor import release


def test_the_engine_locks_files_the_posix_way():
    imported = {alias.name for node in ast.walk(ast.parse(Path(files.__file__).read_text()))
                if isinstance(node, ast.Import) for alias in node.names}
    assert "fcntl" in imported  # if this changes, the README may offer Windows steps again


def test_the_student_readme_sends_windows_users_to_wsl(course_dir, tmp_path):
    course = Course.load(course_dir)
    release._student_setup_files(course, course.modules, tmp_path)
    readme = (tmp_path / "README.md").read_text(encoding="utf-8")
    assert "Scripts\\activate" not in readme and "Scripts/activate" not in readme
    assert "on Windows, work inside WSL" in readme
    assert ". .venv/bin/activate" in readme and "jupyter lab modules/01_numbers/01_numbers.ipynb" in readme
