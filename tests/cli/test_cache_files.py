"""tito's caches (the course cache and the render memo in ``.tito/``, the help memo in the user's cache folder) are
written by one writer, :func:`tito_jupyter.platform.write_cache_json`: whole or not at all, and never an error.

A cache folder tito may not write, or a cache file that is garbage, leaves the command working with the same output
as with no cache, and the cache ignored: nothing written, nothing half written, nothing left behind.
The read-only cases run tito in a child that obeys file modes even as root (tests/file_modes.py).
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from file_modes import obey_file_modes

from tito_jupyter import course_cache, platform
from tito_jupyter.cli import memo


def tito(env: dict, *args: str, memo: bool = True) -> subprocess.CompletedProcess:
    """tito in a child that a read-only folder refuses, root or not."""
    env = {**env, "TITO_RENDER_MEMO": "1" if memo else "0", "COLUMNS": "120"}
    done = subprocess.run([sys.executable, "-m", "tito_jupyter", *args], env=env, capture_output=True, text=True,
                          timeout=300, preexec_fn=obey_file_modes)
    assert done.returncode == 0, (args, done.stdout[-2000:], done.stderr[-2000:])
    assert "Traceback" not in done.stderr and "internal error" not in done.stdout + done.stderr
    return done


def _aged(course_dir: Path) -> None:
    """Notebooks and checkpoints saved a while ago: the course cache keeps facts only of files that old."""
    then = time.time() - 3600
    for path in (*course_dir.glob("modules/*/*.ipynb"), *course_dir.glob("tests/checkpoints/*.py")):
        os.utime(path, (then, then))


@pytest.fixture
def read_only_state(course_dir):
    """The course's ``.tito/`` without write permission (given back at the end, so pytest can remove it)."""
    _aged(course_dir)
    state = course_dir / ".tito"
    state.mkdir(exist_ok=True)

    def lock() -> Path:
        state.chmod(0o555)
        return state

    yield lock
    state.chmod(0o755)


def _listing(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir()}


@pytest.mark.posix_only  # file modes and the render memo (off where the console may not be text) are POSIX's
def test_a_read_only_state_folder_leaves_list_and_status_working_and_writes_no_cache(read_only_state, tito_env):
    state = read_only_state()
    for command in ("list", "status"):
        with_caches = tito(tito_env, command)
        assert with_caches.stdout == tito(tito_env, command, memo=False).stdout
        assert "01_numbers" in with_caches.stdout
    assert _listing(state) == {}, "a cache (or a temporary file) was written into a read-only folder"


@pytest.mark.posix_only
def test_garbage_caches_in_a_read_only_folder_are_ignored_and_left_as_they_are(read_only_state, tito_env, course_dir):
    state = course_dir / ".tito"
    garbage = {"course-cache.json": b"{\"format\": 1, \"files\": [", "render-memo.json": b"\xff\x00 not json"}
    for name, data in garbage.items():
        (state / name).write_bytes(data)
    read_only_state()
    fresh = tito(tito_env, "status", memo=False).stdout
    assert tito(tito_env, "status").stdout == fresh
    assert tito(tito_env, "list").stdout == tito(tito_env, "list", memo=False).stdout
    assert _listing(state) == garbage


@pytest.mark.posix_only
def test_the_same_course_with_a_writable_state_folder_does_write_both_caches(course_dir, tito_env):
    """The other side of the two tests above: where tito may write, the caches are made (so their absence above
    is the read-only folder's doing), whole and readable by the other users of a shared course."""
    _aged(course_dir)
    fresh = tito(tito_env, "status", memo=False).stdout
    assert tito(tito_env, "status").stdout == fresh
    for name, form in ((course_cache.FILE, course_cache.FORMAT), (memo.FILE, memo.FORMAT)):
        path = course_dir / ".tito" / name
        assert json.loads(path.read_text())["format"] == form
        assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert not [p for p in (course_dir / ".tito").iterdir() if p.name.endswith("tmp")]
    assert tito(tito_env, "status").stdout == fresh  # from the memo now, the same bytes


# -- the writer itself ----------------------------------------------------------------------------------------


def test_the_writer_writes_whole_json_and_makes_the_one_folder_it_may(tmp_path):
    target = tmp_path / ".tito" / "cache.json"
    assert platform.write_cache_json(target, {"texts": {"k": "ünï \udcff"}})  # a lone surrogate, from a terminal
    assert json.loads(target.read_text(encoding="ascii")) == {"texts": {"k": "ünï \udcff"}}
    assert platform.write_cache_json(target, [1])
    assert json.loads(target.read_text()) == [1]
    assert sorted(p.name for p in target.parent.iterdir()) == ["cache.json"]


def test_the_writer_makes_parent_folders_only_when_asked(tmp_path):
    deep = tmp_path / "home" / ".cache" / "tito-jupyter" / "help-memo.json"
    assert not platform.write_cache_json(deep, {})
    assert not (tmp_path / "home").exists()
    assert platform.write_cache_json(deep, {}, make_parents=True)
    assert json.loads(deep.read_text()) == {}


@pytest.mark.parametrize("where", ["file_for_folder", "folder_for_file", "not_json"])
def test_the_writer_says_false_and_leaves_nothing_where_it_cannot_write(tmp_path, where):
    blocked = tmp_path / "a-file"
    blocked.write_text("kept")
    target, data = {
        "file_for_folder": (blocked / "cache.json", {}),  # the folder cannot be made under a file
        "folder_for_file": (tmp_path / "cache.json", {}),  # a folder stands where the file goes: replace fails
        "not_json": (tmp_path / "cache.json", {"x": object()}),
    }[where]
    if where == "folder_for_file":
        (tmp_path / "cache.json").mkdir()
        (tmp_path / "cache.json" / "inside").write_text("kept")
    before = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*"))
    assert platform.write_cache_json(target, data) is False
    assert sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*")) == before
    assert blocked.read_text() == "kept"
