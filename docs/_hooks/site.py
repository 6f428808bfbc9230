"""MkDocs hooks: the pages of the site that are written from the repository rather than by hand.

- ``index.md`` is the README and ``contributing.md`` is CONTRIBUTING.md (one text, in the repository and on
  the site; links into ``docs/`` are rewritten to the site's own pages);
- ``cli.md`` is the help of every command in the command table (``tito_jupyter.commands``), exactly as
  ``tito COMMAND --help`` prints it, so the reference never drifts from the tool;
- ``lessons/`` are the notebooks of the *student edition* named by ``TITO_DOCS_LESSONS`` (a folder made by
  ``tito release student``). The instructor's notebooks hold the solutions and are never published: without
  that folder the build fails and says how to make it, and a lesson holding solution text (the release's own
  scan, against this course's solutions) fails it too.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
import tempfile
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File

REPO = Path(__file__).resolve().parents[2]
LESSONS_ENV = "TITO_DOCS_LESSONS"
_generated: Path | None = None


def _site_links(markdown: str) -> str:
    """README and CONTRIBUTING link to ``docs/x.md``; on the site those pages sit beside them."""
    return re.sub(r"\]\((?:\./)?docs/", "](", markdown)


def cli_reference() -> str:
    """Every command's ``--help``, in the order of the command table."""
    from tito_jupyter.cli import parse
    from tito_jupyter.commands import all_commands

    os.environ.setdefault("COLUMNS", "100")
    parts = ["# Command reference", "",
             "Every command, as `tito COMMAND --help` prints it (this page is generated from the command table, "
             "`tito_jupyter/commands.py`). Every command also runs as `%tito ...` in a notebook and as "
             "`python -m tito_jupyter ...`; `--json` prints the result as JSON.", ""]
    for command in all_commands():
        words = " ".join(command.path)
        out = io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.suppress(SystemExit):
            parse([*command.path, "--help"])
        parts += [f"## tito {words}", "", command.help, "", "```text", out.getvalue().rstrip(), "```", ""]
    return "\n".join(parts)


def _lessons(dest: Path) -> list[str]:
    folder = _lesson_folder()
    if folder is None:
        raise PluginError(
            f"{LESSONS_ENV} must name a student edition (a folder with modules/), so that the lessons are "
            "published without their solutions. Make one with `tito release student --out build/student` and "
            f"build with `{LESSONS_ENV}=build/student mkdocs build`.")
    names = []
    for notebook in sorted(folder.glob("modules/*/*.ipynb")):
        if notebook.stem != notebook.parent.name:  # one lesson per module folder, named like it
            continue
        (dest / "lessons").mkdir(parents=True, exist_ok=True)
        shutil.copyfile(notebook, dest / "lessons" / notebook.name)
        names.append(f"lessons/{notebook.name}")
    if not names:
        raise PluginError(f"{folder} holds no module notebooks (modules/NN_name/NN_name.ipynb).")
    _refuse_solutions(dest / "lessons")
    return names


def _refuse_solutions(lessons: Path) -> None:
    from tito_jupyter.course import Course
    from tito_jupyter.engine.instructor import release, solution_scan

    found = solution_scan.scan(lessons, release.course_secrets(Course.load(REPO)))["leaks"]
    if found:
        first = found[0]
        raise PluginError(
            f"{len(found)} line(s) of solution text in the lessons, first in {first['file']} line {first['line']} "
            f"({first['text'][:60]!r}): {LESSONS_ENV} must name a student edition made by `tito release student`, "
            "not the instructor's course.")


def _lesson_folder() -> Path | None:
    folder = os.environ.get(LESSONS_ENV)
    return Path(folder) if folder and (Path(folder) / "modules").is_dir() else None


def on_config(config):
    """The navigation: the generated pages in a reader's order, one lesson per module of the edition."""
    folder = _lesson_folder()
    lessons = [f"lessons/{nb.name}" for nb in sorted(folder.glob("modules/*/*.ipynb"))
               if nb.stem == nb.parent.name] if folder else []
    config["nav"] = [{"Home": "index.md"}, {"What a student sees": "student-guide.md"}, {"Lessons": lessons},
                     {"Command reference": "cli.md"},
                     {"Instructor guide": "instructor.md"}, {"Grading a course of hundreds": "grading-at-scale.md"},
                     {"A course on JupyterHub": "jupyterhub.md"},
                     {"REST API": "rest-api.md"},
                     {"Contributing": "contributing.md"}]
    return config


@event_priority(50)  # before mkdocs-jupyter's on_files, which turns the lessons into pages
def on_files(files, config):
    global _generated
    _generated = Path(tempfile.mkdtemp(prefix="tito-docs-"))
    pages = {
        "index.md": _site_links((REPO / "README.md").read_text(encoding="utf-8")),
        "contributing.md": _site_links((REPO / "CONTRIBUTING.md").read_text(encoding="utf-8")),
        "cli.md": cli_reference(),
    }
    for name, text in pages.items():
        (_generated / name).write_text(text, encoding="utf-8")
    names = [*pages, *_lessons(_generated)]
    for name in names:
        files.append(File(name, src_dir=str(_generated), dest_dir=config["site_dir"],
                          use_directory_urls=config["use_directory_urls"]))
    return files


def on_post_build(config):
    if _generated is not None:
        shutil.rmtree(_generated, ignore_errors=True)
