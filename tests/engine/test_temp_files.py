"""Temporary files beside a target: an interrupt at any moment of a write leaves none, and what a killed writer
left is swept by the next write of that file (or the server that killed it), never a running writer's file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tito_jupyter import platform
from tito_jupyter.engine import files


def _interrupt_once_made(monkeypatch) -> list[str]:
    """Make ``os.open`` raise KeyboardInterrupt just after it made a temporary file: a Ctrl-C (or the server's
    interrupt of a cancelled job) landing at the worst moment, before the writer has the file's name back."""
    real_open, made = os.open, []

    def open_then_interrupt(path, flags, *args, **kwargs):
        fd = real_open(path, flags, *args, **kwargs)
        if os.fspath(path).endswith(platform.TEMP_SUFFIX):
            made.append(os.fspath(path))
            os.close(fd)
            raise KeyboardInterrupt
        return fd

    monkeypatch.setattr(os, "open", open_then_interrupt)
    return made


def test_an_interrupt_just_after_the_temporary_file_is_made_leaves_nothing(tmp_path, monkeypatch):
    target = tmp_path / "progress.json"
    target.write_text("old\n")
    made = _interrupt_once_made(monkeypatch)
    with pytest.raises(KeyboardInterrupt):
        files.atomic_write_text(target, "new\n")
    assert made, "the write never made its temporary file"
    assert target.read_text() == "old\n" and sorted(p.name for p in tmp_path.iterdir()) == ["progress.json"]


def test_an_interrupt_in_a_cache_write_leaves_nothing_and_is_not_swallowed(tmp_path, monkeypatch):
    made = _interrupt_once_made(monkeypatch)
    with pytest.raises(KeyboardInterrupt):
        platform.write_cache_json(tmp_path / "course-cache.json", {"format": 1})
    assert made and list(tmp_path.iterdir()) == []


def _killed_mid_write(target: Path) -> Path:
    """A real process that SIGKILL ends half way through writing ``target``; the stray it left."""
    code = ("import sys; from pathlib import Path; from tito_jupyter.engine import files; "
            "files.atomic_write_bytes(Path(sys.argv[1]), b'x' * 100000, fault_point='test.write')")
    done = subprocess.run([sys.executable, "-c", code, str(target)], env=dict(os.environ, TITO_FAULT="test.write"),
                          capture_output=True, text=True, timeout=60)
    assert done.returncode != 0, done.stderr
    strays = [p for p in target.parent.iterdir() if p.name.endswith(platform.TEMP_SUFFIX)]
    assert len(strays) == 1 and platform.temp_writer(strays[0].name) is not None
    return strays[0]


@pytest.fixture
def running_writer():
    """A process that runs for the test: a temporary file named with its pid belongs to a writer at work."""
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    yield proc.pid
    proc.kill()
    proc.wait()


@pytest.mark.posix_only
def test_the_next_write_of_a_file_sweeps_what_a_killed_writer_left_and_only_that(tmp_path, running_writer):
    target = tmp_path / "progress.json"
    target.write_text("old\n")
    killed = _killed_mid_write(target)
    assert target.read_text() == "old\n"
    at_work = Path(platform.temp_beside(target).replace(f".{os.getpid()}-", f".{running_writer}-"))
    at_work.write_text("half")
    another_files = tmp_path / f".other.json.{platform.temp_writer(killed.name)}-00{platform.TEMP_SUFFIX}"
    another_files.write_text("half")
    files.atomic_write_text(target, "new\n")
    left = sorted(p.name for p in tmp_path.iterdir())
    assert target.read_text() == "new\n" and killed.name not in left
    assert at_work.name in left, "a running writer's temporary file was taken from it"
    assert len(left) == 3, left  # the target, the running writer's file, another file's stray (its own write's)


@pytest.mark.posix_only
def test_a_server_that_killed_a_job_sweeps_the_course_of_its_strays(tmp_path, running_writer):
    (tmp_path / ".tito/locks").mkdir(parents=True)
    (tmp_path / "tinytorch/core").mkdir(parents=True)
    killed = [_killed_mid_write(tmp_path / ".tito/progress.json"), _killed_mid_write(tmp_path / "tinytorch/core/numbers.py")]
    at_work = tmp_path / f".tito/locks/.x.json.{running_writer}-00{platform.TEMP_SUFFIX}"
    at_work.write_text("half")
    elsewhere = tmp_path / "modules" / killed[0].name
    elsewhere.parent.mkdir()
    elsewhere.write_text("not tito's to sweep here")
    removed = files.sweep_killed_writes(tmp_path)
    assert sorted(map(Path, removed)) == sorted(killed)
    assert at_work.exists() and elsewhere.exists()


@pytest.mark.parametrize("name", [
    ".progress.json.١٢٣-ab.tito-tmp",  # Arabic-Indic digits: str.isdigit() says yes, no pid says so
    ".progress.json.-ab.tito-tmp", ".progress.json.12ab.tito-tmp", ".progress.json.tito-tmp", "progress.json",
    ".progress.json.x7_qh2.tito-tmp",  # a name mkstemp made before names carried the writer
])
def test_a_name_without_a_writer_names_none(name):
    assert platform.temp_writer(name) is None


def test_a_temporary_name_carries_its_writer_and_its_target():
    name = os.path.basename(platform.temp_beside("/course/.tito/progress.json"))
    assert name.startswith(".progress.json.") and platform.temp_writer(name) == os.getpid()
    assert platform.temp_beside("/a/b") != platform.temp_beside("/a/b")
