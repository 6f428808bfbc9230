"""`tito --help` from its remembered text: the same bytes argparse prints, without importing the command-line face,
and never stale: an edit of the command table, a plugin installed or removed, another terminal width, a corrupt
or unwritable memo all give the help argparse prints now.

The tests run a copy of tito_jupyter (files an hour old, as an installed package's are), so they can edit its
command table the way a developer or an upgrade would.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from untraced import untraced
from file_modes import obey_file_modes

import tito_jupyter
from plugin_factory import write_plugin


@pytest.fixture
def copy(tmp_path) -> dict:
    """A copy of tito_jupyter on PYTHONPATH, an empty folder for plugins on it too, and a private cache folder."""
    src = tmp_path / "src"
    shutil.copytree(Path(tito_jupyter.__file__).parent, src / "tito_jupyter",
                    ignore=shutil.ignore_patterns("__pycache__", "labextension"))
    # A checkout's layout: tito reads its version from the sidebar's package.json (tito_jupyter/_version.py).
    (src / "labextension").mkdir()
    shutil.copy(Path(tito_jupyter.__file__).parents[1] / "labextension" / "package.json", src / "labextension")
    site = tmp_path / "site"
    site.mkdir()
    _age(src)
    # No bytecode written for the copy: Python's own cache is keyed on a source's mtime and size, so the same-size
    # edit below, its mtime restored, would run the stale bytecode (Python's blind spot, not the memo's).
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(src), str(site)]), "TITO_CACHE_DIR": str(tmp_path / "cache"),
           "COLUMNS": "100", "PYTHONDONTWRITEBYTECODE": "1"}
    for name in ("TITO_HELP_MEMO", "TITO_PROJECT"):
        env.pop(name, None)
    return {"src": src, "site": site, "env": env, "memo": tmp_path / "cache" / "help-memo.json"}


def _age(folder: Path) -> None:
    then = time.time() - 3600
    for path in folder.rglob("*"):
        os.utime(path, (then, then))


def tito(env: dict, *args: str, importtime: bool = False, **options) -> subprocess.CompletedProcess:
    cmd = [sys.executable, *(["-X", "importtime"] if importtime else []), "-m", "tito_jupyter", *args]
    done = subprocess.run(cmd, env=untraced(env), capture_output=True, text=True, timeout=300, **options, cwd=Path(env["PYTHONPATH"].split(os.pathsep)[0]).parent)  # the test's folder
    assert done.returncode == 0, done.stderr[-2000:]
    return done


def argparse_help(env: dict, *args: str) -> str:
    return tito({**env, "TITO_HELP_MEMO": "0"}, *(args or ("--help",))).stdout


def imported(stderr: str) -> set[str]:
    return {line.split("|")[-1].strip() for line in stderr.splitlines() if line.startswith("import time:")}


@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_the_remembered_help_is_what_argparse_prints_without_the_face(copy, flag):
    expected = argparse_help(copy["env"], flag)
    assert "module" in expected and "checkpoint" in expected
    assert tito(copy["env"], flag).stdout == expected  # printed by argparse, and remembered
    assert copy["memo"].is_file()
    again = tito(copy["env"], flag, importtime=True)
    assert again.stdout == expected
    assert "tito_jupyter.cli_help" in imported(again.stderr)
    assert not imported(again.stderr) & {"tito_jupyter.cli", "tito_jupyter.commands", "argparse", "dataclasses"}


def test_a_secret_in_the_environment_never_reaches_the_memo_file(copy):
    secret = "tok-" + "7f3a9c1e5b2d" * 4
    env = {**copy["env"], "AWS_SECRET_ACCESS_KEY": secret, "JUPYTERHUB_API_TOKEN": secret}
    first = tito(env, "--help").stdout
    assert copy["memo"].is_file()
    assert secret not in copy["memo"].read_text(encoding="utf-8")
    assert tito(env, "--help").stdout == first == argparse_help(env)  # remembered all the same
    assert len(json.loads(copy["memo"].read_text(encoding="utf-8"))["texts"]) == 1


def test_an_edit_of_the_command_table_is_shown_at_once(copy):
    tito(copy["env"], "--help")
    commands = copy["src"] / "tito_jupyter" / "commands.py"
    before = commands.stat()
    text = commands.read_text(encoding="utf-8")
    assert '"List the course' in text
    # An edit of the same size that keeps the file's modification time: only its identity and ctime tell.
    commands.write_text(text.replace('"List the course', '"Lxst the course', 1), encoding="utf-8")
    os.utime(commands, ns=(before.st_atime_ns, before.st_mtime_ns))
    shown = tito(copy["env"], "--help").stdout
    assert "Lxst the course" in shown
    assert shown == argparse_help(copy["env"])


def test_a_plugin_installed_or_removed_after_the_help_was_remembered_is_shown(copy):
    without = tito(copy["env"], "--help").stdout
    assert tito(copy["env"], "--help").stdout == without and "hello" not in without
    write_plugin(copy["site"])
    with_plugin = tito(copy["env"], "--help").stdout
    assert "hello" in with_plugin
    assert with_plugin == argparse_help(copy["env"])
    shutil.rmtree(copy["site"] / "tito_hello-1.0.dist-info")
    assert tito(copy["env"], "--help").stdout == without


def test_another_terminal_width_gets_its_own_text(copy):
    wide, narrow = {**copy["env"], "COLUMNS": "140"}, {**copy["env"], "COLUMNS": "50"}
    for env in (wide, narrow, wide, narrow):
        assert tito(env, "--help").stdout == argparse_help(env)
    assert argparse_help(wide) != argparse_help(narrow)


def test_a_corrupt_or_unwritable_memo_is_only_a_missing_one(copy, tmp_path):
    expected = argparse_help(copy["env"])
    copy["memo"].parent.mkdir(parents=True)
    copy["memo"].write_bytes(b"\xff not json")
    assert tito(copy["env"], "--help").stdout == expected
    assert tito(copy["env"], "--help").stdout == expected
    blocked = tmp_path / "a-file"
    blocked.write_text("the cache folder cannot be made under a file")
    env = {**copy["env"], "TITO_CACHE_DIR": str(blocked / "cache")}
    assert tito(env, "--help").stdout == expected
    assert tito(env, "--help").stdout == expected


@pytest.mark.posix_only  # file modes
def test_a_read_only_cache_folder_is_only_a_memo_never_written(copy):
    """The user's cache folder without write permission (a child that obeys file modes, root or not): the help is
    argparse's every time, nothing is written there, and a garbage memo in it is ignored and left as it is."""
    expected = argparse_help(copy["env"])
    folder = copy["memo"].parent
    folder.mkdir(parents=True)
    for garbage in (None, b"\xff not json"):
        if garbage is not None:
            folder.chmod(0o755)
            copy["memo"].write_bytes(garbage)
        folder.chmod(0o555)
        try:
            for _ in range(2):
                assert tito(copy["env"], "--help", preexec_fn=obey_file_modes).stdout == expected
            found = {p.name: p.read_bytes() for p in folder.iterdir()}
        finally:
            folder.chmod(0o755)
        assert found == ({} if garbage is None else {copy["memo"].name: garbage})
    assert tito(copy["env"], "--help").stdout == expected  # writable again: remembered, whole
    assert json.loads(copy["memo"].read_text())["texts"]


def test_a_request_beside_the_help_is_not_taken_for_it(copy):
    tito(copy["env"], "--help")
    version = tito(copy["env"], "--version").stdout
    assert version.startswith("tito-jupyter ")
    assert tito(copy["env"], "list", "--help").stdout == argparse_help(copy["env"], "list", "--help")
