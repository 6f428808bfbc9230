"""rich's output, remembered (tito_jupyter/cli/memo.py): the same bytes as rich, and rich not imported on a hit.

Each check compares tito's output with the memo against tito's output with the memo off (rich rendering afresh)
in the same conditions: a pipe, a real terminal (a pty) of two widths, an environment that asks for colour, a
course that changed, a memo file that is garbage.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from rich.markup import escape as rich_escape

from course_factory import numbers_notebook, write_notebook
from tito_jupyter.cli.memo import escape

MEMO = ".tito/render-memo.json"


def tito(env: dict, *args: str, memo: bool = True, importtime: bool = False) -> subprocess.CompletedProcess:
    env = {**env, "TITO_RENDER_MEMO": "1" if memo else "0"}
    cmd = [sys.executable, *(["-X", "importtime"] if importtime else []), "-m", "tito_jupyter", *args]
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)


def tito_in_terminal(env: dict, *args: str, columns: int, memo: bool = True) -> bytes:
    """What a terminal ``columns`` wide shows (a real pty: rich sees a terminal and uses colour)."""
    env = {**env, "TITO_RENDER_MEMO": "1" if memo else "0", "TERM": "xterm-256color", "COLUMNS": str(columns)}
    env.pop("NO_COLOR", None)
    env.pop("FORCE_COLOR", None)
    import pty  # POSIX's: here, so that Windows can collect this file

    pid, fd = pty.fork()
    if pid == 0:  # the child: tito on the pty
        try:
            os.execve(sys.executable, [sys.executable, "-m", "tito_jupyter", *args], env)
        finally:
            os._exit(127)
    out = b""
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        out += chunk
    os.close(fd)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, out
    return out


def imported_rich(stderr: str) -> bool:
    """Whether ``python -X importtime``'s report names a module of rich."""
    return any(line.startswith("import time:") and line.split("|")[-1].strip().split(".")[0] == "rich"
               for line in stderr.splitlines())


def test_escape_is_richs_escape():
    awkward = ["plain", "[bold]x[/]", "a [b] c", "\\[bold]", "\\\\[red]", "ends with \\", "ends with \\\\",
               "[#ff0000]hex", "[/]", "[@click]", "[1, 2]", "[ not a tag", "ünï[côde]", "x\\", "[a][b][c]",
               "\\\\\\[x]", "[[nested]]", "[link=https://x.y]z[/link]", ""]
    for text in awkward:
        assert escape(text) == rich_escape(text), text


@pytest.mark.posix_only  # the memo is off where the console may not be text (platform.CONSOLE_IS_TEXT: Windows)
def test_list_and_status_print_what_rich_prints_and_skip_rich_when_remembered(course_dir, tito_env):
    for command in (["list"], ["status"], ["--no-color", "status"]):
        fresh = tito(tito_env, *command, memo=False)
        first = tito(tito_env, *command)  # learns
        again = tito(tito_env, *command, importtime=True)  # remembers
        assert fresh.returncode == first.returncode == again.returncode == 0, again.stderr
        assert first.stdout == fresh.stdout and again.stdout == fresh.stdout, command
        assert imported_rich(tito(tito_env, *command, memo=False, importtime=True).stderr)  # the check can tell
        assert not imported_rich(again.stderr), f"{command}: rich was imported though the text was remembered"
    assert (course_dir / MEMO).is_file()


@pytest.mark.posix_only  # a pseudo-terminal (pty) is POSIX's
def test_a_terminal_of_another_width_or_colour_is_rendered_for_it(course_dir, tito_env):
    wide = tito_in_terminal(tito_env, "list", columns=120)
    narrow = tito_in_terminal(tito_env, "list", columns=60)
    assert b"\x1b[" in wide  # a terminal: colour codes
    assert wide != narrow
    assert tito_in_terminal(tito_env, "list", columns=120) == wide == tito_in_terminal(
        tito_env, "list", columns=120, memo=False)
    assert tito_in_terminal(tito_env, "list", columns=60) == narrow == tito_in_terminal(
        tito_env, "list", columns=60, memo=False)
    # The same pipe, but the environment asks for colour: rich's answer changes, so does the memo's.
    plain = tito(tito_env, "list").stdout
    coloured = tito({**tito_env, "FORCE_COLOR": "1"}, "list").stdout
    assert "\x1b[" in coloured and "\x1b[" not in plain
    assert coloured == tito({**tito_env, "FORCE_COLOR": "1"}, "list", memo=False).stdout


def test_a_changed_course_is_never_shown_as_it_was(course_dir, tito_env):
    before = tito(tito_env, "list").stdout
    assert "Numbers" in before
    nb = numbers_notebook()
    nb["cells"][0]["source"] = "# Sums «ünï»\n\nAdding things up."
    write_notebook(course_dir / "modules/01_numbers/01_numbers.ipynb", nb)
    after = tito(tito_env, "list")
    assert "Sums «ünï»" in after.stdout and after.stdout != before
    assert after.stdout == tito(tito_env, "list", memo=False).stdout


@pytest.mark.posix_only  # the memo is off where the console may not be text (platform.CONSOLE_IS_TEXT: Windows)
def test_a_memo_that_is_garbage_or_of_another_shape_is_ignored_and_replaced(course_dir, tito_env):
    fresh = tito(tito_env, "status", memo=False).stdout
    memo = course_dir / MEMO
    memo.parent.mkdir(exist_ok=True)
    for garbage in ("{not json", json.dumps({"format": 99, "texts": {}}), json.dumps([1, 2]), "\x00\xff"):
        memo.write_text(garbage, encoding="utf-8", errors="surrogateescape")
        assert tito(tito_env, "status").stdout == fresh
        assert json.loads(memo.read_text())["format"] == 1  # rewritten, whole
    # An entry whose key is right but whose text is not a string is not used.
    data = json.loads(memo.read_text())
    data["texts"] = {key: 42 for key in data["texts"]}
    memo.write_text(json.dumps(data))
    assert tito(tito_env, "status").stdout == fresh
