"""`tito init`: lays down the packaged edition in a new folder, never over anything, never half.

The edition archive here is a real student edition (`tito release student` of a small course) packed in the
layout the wheel's build hook writes, handed to tito through ``$TITO_COURSE_EDITION``. The whole path from the
built wheel is tested in tests/packaging.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from course_factory import make_student_edition
from openapi_contract import check_result_data

from tito_jupyter.course import Course

MANIFEST = {"format": 1, "tito_version": "0.1.0", "commit": "0123456789abcdef0123", "modules": ["01_numbers"]}


def pack(edition: Path, archive: Path, extra: dict[str, bytes] | None = None) -> Path:
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("edition.json", json.dumps(MANIFEST))
        for path in sorted(edition.rglob("*")):
            if path.is_file():
                zf.write(path, "course/" + path.relative_to(edition).as_posix())
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
    return archive


@pytest.fixture(scope="module")
def edition(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("edition")
    return make_student_edition(base / "instructor", base / "student")


@pytest.fixture(scope="module")
def archive(edition, tmp_path_factory) -> Path:
    return pack(edition, tmp_path_factory.mktemp("archive") / "course_edition.zip")


def tito(*args, archive: Path, cwd: Path, **kwargs):
    env = {**os.environ, "TITO_COURSE_EDITION": str(archive)}
    env.pop("TITO_PROJECT", None)
    return subprocess.run([sys.executable, "-m", "tito_jupyter", "--no-color", *args], capture_output=True,
                          text=True, env=env, cwd=cwd, timeout=300, **kwargs)


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_init_lays_down_the_edition_and_says_what_to_do_next(archive, edition, tmp_path):
    done = tito("init", "my course", archive=archive, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    course_dir = tmp_path / "my course"
    laid = tree(course_dir)
    assert {k: v for k, v in laid.items() if k != ".tito/edition.json"} == tree(edition)
    assert json.loads(laid[".tito/edition.json"]) == MANIFEST
    assert [m.id for m in Course.load(course_dir).modules] == ["01_numbers", "02_doubling"]
    said = " ".join(done.stdout.split())
    assert "commit 0123456789ab" in said and "cd 'my course'" in said and "tito dev serve" in said
    assert sorted(p.name for p in tmp_path.iterdir()) == ["my course"]
    as_json = tito("--json", "init", "second", archive=archive, cwd=tmp_path)
    result = json.loads(as_json.stdout)
    assert result["error"] is None and result["data"]["modules"] == ["01_numbers", "02_doubling"], result
    check_result_data(result, "tito --json init")  # the shape openapi.json gives init's data


def test_init_dot_fills_the_empty_working_folder_and_the_shell_stays_in_it(archive, tmp_path):
    """`mkdir my-course && cd my-course && tito init .`: the folder is filled, not replaced, so the shell's
    working folder is still the course (a replaced one would be a deleted folder: `ls` finds nothing)."""
    (tmp_path / "my-course").mkdir()
    # The shell is a Python process standing in the folder (bash is not on every laptop): after init, what it
    # sees at "." is the course.
    script = ("import os, subprocess, sys\n"
              "subprocess.run([sys.executable, '-m', 'tito_jupyter', 'init', '.'], check=True)\n"
              "print(*sorted(os.listdir('modules')), flush=True)\n"
              "subprocess.run([sys.executable, '-m', 'tito_jupyter', 'list'], check=True)\n")
    env = {**os.environ, "TITO_COURSE_EDITION": str(archive)}
    env.pop("TITO_PROJECT", None)
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path / "my-course", env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "01_numbers" in done.stdout and "02_doubling" in done.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["my-course"]
    assert (tmp_path / "my-course" / ".tito" / "edition.json").is_file()


def test_a_folder_with_anything_in_it_is_refused_and_left_as_it_was(archive, tmp_path):
    mine = tmp_path / "course"
    (mine / ".hidden").mkdir(parents=True)
    (mine / ".hidden" / "work.ipynb").write_text("{}")
    done = tito("init", "course", archive=archive, cwd=tmp_path)
    assert done.returncode == 2
    assert "course already exists and is not empty" in " ".join(done.stderr.split())
    assert tree(mine) == {".hidden/work.ipynb": b"{}"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["course"]


def windows_renames(monkeypatch) -> None:
    """``os.rename`` as Windows does it: onto no name that exists, not even an empty folder (``MoveFileEx``
    without ``MOVEFILE_REPLACE_EXISTING``). Windows cannot run here; its rule can."""
    real = os.rename

    def rename(src, dst, *args, **kwargs):
        if os.path.lexists(dst):
            raise FileExistsError(183, "Cannot create a file when that file already exists", str(dst))
        real(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "rename", rename)


@pytest.mark.parametrize("way", ["posix", "portable"])
def test_init_into_an_empty_folder_works_where_a_rename_never_replaces_a_folder(archive, edition, tmp_path,
                                                                              monkeypatch, way):
    """`mkdir my-course` then `tito init my-course` on a Windows laptop: the staged course takes the empty folder's
    place (the portable way removes the empty folder first), and a folder that got a file meanwhile is still
    refused with nothing in it touched."""
    from tito_jupyter import platform
    from tito_jupyter.engine import init as init_mod
    from tito_jupyter.engine.context import Context
    from tito_jupyter.errors import UsageError

    monkeypatch.setattr(platform, "SYSTEM", platform.Portable() if way == "portable" else platform.Posix())
    monkeypatch.setenv("TITO_COURSE_EDITION", str(archive))
    if way == "portable":
        windows_renames(monkeypatch)
    (tmp_path / "my-course").mkdir()
    result = init_mod.init(Context(), str(tmp_path / "my-course"))
    assert result.ok, result.summary
    assert {k: v for k, v in tree(tmp_path / "my-course").items() if k != ".tito/edition.json"} == tree(edition)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["my-course"]

    (tmp_path / "late").mkdir()  # passes the first look, then gets a file before the rename (a sync client)
    real_refuse = init_mod._refuse_unfit_target

    def then_a_file_arrives(target, typed):
        real_refuse(target, typed)
        (target / "notes.txt").write_text("mine")

    monkeypatch.setattr(init_mod, "_refuse_unfit_target", then_a_file_arrives)
    with pytest.raises(UsageError, match="got files while the course was being unpacked"):
        init_mod.init(Context(), str(tmp_path / "late"))
    assert tree(tmp_path / "late") == {"notes.txt": b"mine"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["late", "my-course"]


def test_a_link_is_refused_even_to_an_empty_folder(archive, tmp_path):
    (tmp_path / "empty").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "empty")
    done = tito("init", "link", archive=archive, cwd=tmp_path)
    assert done.returncode == 2 and "is a link" in done.stderr
    assert list((tmp_path / "empty").iterdir()) == []


@pytest.mark.parametrize("damage, says", [
    ("truncated", "cannot be read"),
    ("outside", "holds a file outside the course"),
    ("missing", "which is not a file"),
])
def test_an_unfit_archive_is_refused_with_a_sentence_and_nothing_is_written(edition, tmp_path, damage, says):
    archive = tmp_path / "edition.zip"
    if damage == "truncated":
        pack(edition, archive)
        archive.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    elif damage == "outside":
        pack(edition, archive, extra={"course/../../escaped.py": b"print('out')\n"})
    work = tmp_path / "work"
    work.mkdir()
    done = tito("init", "course", archive=archive, cwd=work)
    assert done.returncode == 1, done.stdout + done.stderr
    assert says in " ".join(done.stderr.split()) and "internal error" not in done.stderr
    assert list(work.iterdir()) == [] and not (tmp_path / "escaped.py").exists()


def _start_init(archive: Path, work: Path) -> subprocess.Popen:
    env = {**os.environ, "TITO_COURSE_EDITION": str(archive)}
    env.pop("TITO_PROJECT", None)
    return subprocess.Popen([sys.executable, "-m", "tito_jupyter", "init", "course"], cwd=work, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _unpacking_started(work: Path, proc: subprocess.Popen, timeout: float = 120) -> float:
    """Wait until the hidden unpacking folder appears; the moment it did."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        if any(p.name.endswith(".tito-init") for p in work.iterdir()):
            return time.monotonic()
        time.sleep(0.005)
    raise AssertionError("init ended (or hung) before it began to unpack")


@pytest.mark.posix_only
def test_a_course_appears_whole_or_not_at_all_when_init_is_stopped(edition, tmp_path):
    """SIGTERM and SIGKILL at moments spread over the unpacking: the folder is never there half-filled, and
    after SIGTERM nothing is left beside it either. (A large archive gives the signals time to land mid-way.)"""
    padding = {f"course/data/part{i:03d}.bin": os.urandom(64 * 1024) for i in range(400)}  # 25 MB, incompressible
    archive = pack(edition, tmp_path / "big.zip", extra=padding)
    whole = len(tree(edition)) + len(padding) + 1  # + .tito/edition.json
    timing = tmp_path / "timing"
    timing.mkdir()
    proc = _start_init(archive, timing)
    began = _unpacking_started(timing, proc)
    assert proc.wait(timeout=120) == 0
    unpacking = time.monotonic() - began  # an upper bound: it includes the process's exit
    outcomes = []
    for i, fraction in enumerate((0.0, 0.15, 0.3, 0.5, 0.7, 1.5)):
        for sig in (signal.SIGTERM, signal.SIGKILL):
            work = tmp_path / f"run-{i}-{sig.name}"
            work.mkdir()
            proc = _start_init(archive, work)
            _unpacking_started(work, proc)
            time.sleep(unpacking * fraction)
            proc.send_signal(sig)
            proc.wait(timeout=120)
            target = work / "course"
            files = len(tree(target)) if target.exists() else None
            left = sorted(p.name for p in work.iterdir() if p.name != "course")
            outcomes.append((fraction, sig.name, files, left))
            assert files in (None, whole), outcomes  # never a half course
            if sig == signal.SIGTERM:
                assert left == [], outcomes  # unwound: the unpacking folder is gone
            else:
                assert all(name.startswith(".course.") and name.endswith(".tito-init") for name in left), outcomes
    stopped_mid_way = [o for o in outcomes if o[2] is None]
    assert len(stopped_mid_way) >= 4, f"too few signals landed during the unpacking: {outcomes}"
    print(f"unpacking took {unpacking:.2f} s; outcomes: {outcomes}")
