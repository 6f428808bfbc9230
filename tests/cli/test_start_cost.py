"""What the quick commands import, and that the parser built for one command still answers as the whole one.

`python -X importtime` names every module a command imported: the quick commands (list, status, a no-op export)
must not import what they do not use (rich once its text is remembered, psutil, nbdev, nbformat, the locks, the
test machinery). The parser for `tito list` leaves the other commands out; a help flag before the command word still
lists them all.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest
from untraced import untraced

NEVER_FOR_QUICK_COMMANDS = {"rich", "psutil", "nbdev", "nbformat", "fastcore", "IPython", "filelock", "sqlite3",
                            "tempfile", "secrets", "difflib", "typing", "subprocess", "tito_jupyter.engine.testing",
                            "tito_jupyter.engine.checkpoints", "tito_jupyter.engine.sandbox",
                            "tito_jupyter.engine.processes"}


def tito(env: dict, *args: str, importtime: bool = False) -> subprocess.CompletedProcess:
    cmd = [sys.executable, *(["-X", "importtime"] if importtime else []), "-m", "tito_jupyter", *args]
    # What tito imports, not coverage's tracer; in every run, as the render memo remembers per environment.
    return subprocess.run(cmd, env=untraced(env), capture_output=True, text=True, timeout=300)


def imported(stderr: str) -> set[str]:
    names = {line.split("|")[-1].strip() for line in stderr.splitlines() if line.startswith("import time:")}
    return names | {name.split(".")[0] for name in names}


@pytest.mark.parametrize("command", [["list"], ["status"], ["export", "--all"], ["--json", "status"]])
def test_a_quick_command_imports_only_what_it_uses(course_dir, tito_env, command):
    assert tito(tito_env, "export", "--all").returncode == 0  # the package as the notebooks say
    # Files written within the last moments are not cached (course_cache's racy rule): make them an hour old,
    # as a student's files are, so the warm-up runs below leave nothing more to learn.
    an_hour_ago = time.time() - 3600
    for path in course_dir.rglob("*"):
        if path.is_file() and ".tito" not in path.parts:
            os.utime(path, (an_hour_ago, an_hour_ago))
    for _ in range(2):  # the course facts and rich's text learned, as by a student's earlier runs
        assert tito(tito_env, *command).returncode == 0
    done = tito(tito_env, *command, importtime=True)
    assert done.returncode == 0, done.stderr[-2000:]
    # A no-op export takes no lock either (it finds nothing to do before it would): no filelock, no SQLite.
    assert imported(done.stderr) & NEVER_FOR_QUICK_COMMANDS == set()
    assert "tito_jupyter" in imported(done.stderr)  # the check reads a real report


@pytest.mark.parametrize("argv", [["--help", "list"], ["-vh", "list"], ["--no-color", "-h", "status"]])
def test_top_level_help_before_a_command_still_lists_every_command(tito_env, argv):
    whole = tito(tito_env, "--help")
    asked = tito(tito_env, *argv)
    assert whole.returncode == asked.returncode == 0
    assert asked.stdout == whole.stdout
    assert "checkpoint" in asked.stdout and "milestone" in asked.stdout and "nbgrader" in asked.stdout


def test_errors_after_a_command_word_read_as_before(tito_env):
    wrong = tito(tito_env, "list", "--bogus")
    assert wrong.returncode == 2 and "unrecognized arguments: --bogus" in wrong.stderr
    typo = tito(tito_env, "module", "lst")
    assert typo.returncode == 2 and "Did you mean `tito module list`?" in typo.stderr


def test_a_built_in_command_is_shown_without_looking_plugins_up(course_dir, monkeypatch, capsys):
    """Reading every installed distribution's entry points cost a few ms of `tito list`, only to find its view."""
    from tito_jupyter import commands
    from tito_jupyter.cli import main

    monkeypatch.setenv("TITO_PROJECT", str(course_dir))
    commands.forget_plugins()
    try:
        assert main(["list"]) == 0
        assert "01_numbers" in capsys.readouterr().out
        assert commands._plugins is None, "tito list looked the plugins up"
        assert commands.find("module.list").path == ("module", "list")
        assert commands.find("list").path == ("module", "list")  # a shortcut still resolves through the table
    finally:
        commands.forget_plugins()
