"""The documentation site: built strictly from the repository, the lessons from the student edition only.

`mkdocs build --strict` is what CI and the release run (mkdocs.yml, docs/_hooks/site.py). These tests build
the real site with the real MkDocs, Material theme and mkdocs-jupyter.
"""

from __future__ import annotations

import html
import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from mkdocs.exceptions import PluginError

from tito_jupyter.commands import all_commands
from tito_jupyter.course import Course
from tito_jupyter.engine.instructor import release

pytestmark = pytest.mark.slow(30)  # about 30 s on 2 shared cores: started early

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def student_edition(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("edition") / "student"
    done = subprocess.run([sys.executable, "-m", "tito_jupyter", "--project", str(REPO), "release", "student", "01",
                           "--out", str(out), "--skip-tests", "--allow-dirty"],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    return out


def build(config: Path, lessons: Path, site: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "TITO_DOCS_LESSONS": str(lessons), "NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config), "-d", str(site)],
                          capture_output=True, text=True, timeout=600, env=env)


def text_of(page: Path) -> str:
    """What a reader sees: no tags (syntax highlighting splits code into spans), entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", "", page.read_text(encoding="utf-8")))


def test_the_site_has_the_readme_every_command_and_the_lessons_without_solutions(student_edition, tmp_path):
    site = tmp_path / "site"
    done = build(REPO / "mkdocs.yml", student_edition, site)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "For students: two commands" in text_of(site / "index.html")
    reference = text_of(site / "cli" / "index.html")
    for command in all_commands():
        assert f"usage: tito {' '.join(command.path)}" in reference, f"{command.path} missing from the reference"
    lesson = text_of(site / "lessons" / "01_tensor" / "index.html")
    assert "Tensor" in lesson and "NotImplementedError" in lesson
    secrets = release.course_secrets(Course.load(REPO)).lines
    lesson_lines = {line.strip() for line in lesson.splitlines()}
    leaked = sorted(lesson_lines & set(secrets))
    assert not leaked, f"solution text on the site: {leaked[:3]}"
    assert (site / "instructor" / "index.html").is_file() and (site / "rest-api" / "index.html").is_file()
    assert "What a class costs" in text_of(site / "grading-at-scale" / "index.html")


def _site_hooks():
    """The hooks module as MkDocs loads it (a file named in mkdocs.yml, not a package)."""
    spec = importlib.util.spec_from_file_location("tito_site_hooks", REPO / "docs" / "_hooks" / "site.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_instructor_notebooks_are_never_published(tmp_path, monkeypatch):
    hooks = _site_hooks()
    monkeypatch.setenv(hooks.LESSONS_ENV, str(REPO))  # the course itself: solutions and all
    with pytest.raises(PluginError, match="solution text in the lessons"):
        hooks._lessons(tmp_path)


def test_without_a_student_edition_the_build_says_how_to_make_one(tmp_path, monkeypatch):
    hooks = _site_hooks()
    monkeypatch.setenv(hooks.LESSONS_ENV, str(tmp_path / "nothing"))
    with pytest.raises(PluginError, match="tito release student --out build/student"):
        hooks._lessons(tmp_path)


def test_a_broken_link_fails_the_build(student_edition, tmp_path):
    source = tmp_path / "source"
    source.mkdir()
    for name in ("README.md", "CONTRIBUTING.md", "modules", "tests", "tinytorch", "pyproject.toml", "milestones"):
        (source / name).symlink_to(REPO / name)
    shutil.copy(REPO / "mkdocs.yml", source / "mkdocs.yml")
    shutil.copytree(REPO / "docs", source / "docs")
    (source / "docs" / "instructor.md").write_text("# Instructor guide\n\nSee [the missing page](missing.md).\n")
    done = build(source / "mkdocs.yml", student_edition, tmp_path / "site")
    assert done.returncode != 0 and "missing.md" in done.stdout + done.stderr
