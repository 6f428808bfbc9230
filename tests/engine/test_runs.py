"""Run files (``.tito/runs/``): what a ``tito`` typed in a terminal writes while it runs, so others follow it live.

The real CLI in a subprocess writes a header, its events and the very result it printed; a server job (the job
marker in its environment) writes none; a read-only runs folder costs the run nothing; only the newest run files
are kept and a live run's never goes; ``engine.run`` without ``announce`` writes nothing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import psutil
from tito_jupyter import engine
from tito_jupyter.engine import runs
from tito_jupyter.engine.context import Context


def tito(course_dir: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in (runs.JOB_MARKER, "TITO_FAULT", "TITO_PROJECT")}
    return subprocess.run([sys.executable, "-m", "tito_jupyter", *args], cwd=course_dir, env={**base, **(env or {})},
                          capture_output=True, text=True, timeout=300)


def run_files(course_dir: Path) -> list[Path]:
    folder = course_dir / ".tito/runs"
    return sorted(folder.glob("*.jsonl")) if folder.exists() else []


def test_a_terminal_run_writes_its_header_events_and_the_result_it_printed(course_dir):
    done = tito(course_dir, "--json", "complete", "01")
    assert done.returncode == 0, done.stderr
    [path] = run_files(course_dir)
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    header, events, result = lines[0], lines[1:-1], lines[-1]
    assert runs.NAME.match(path.name) and header["id"] == path.stem
    assert header["type"] == "run" and header["command"] == "module.complete" and header["origin"] == "terminal"
    assert header["args"] == {"modules": ["01"]} and isinstance(header["pid"], int)
    assert isinstance(header["process_started"], float) and header["started"] <= time.time()
    assert events and all(e["type"] == "event" and isinstance(e["event"], str) for e in events)
    assert [e["outcome"] for e in events if e["event"] == "test"].count("passed") >= 3
    assert result.pop("type") == "result" and result == json.loads(done.stdout)  # the same result, no less
    assert not runs.is_alive(header)  # its process has ended


def test_a_quick_read_announces_nothing(course_dir):
    assert tito(course_dir, "--json", "status").returncode == 0
    assert run_files(course_dir) == []


def test_a_server_job_is_not_announced_the_server_shows_it_itself(course_dir):
    done = tito(course_dir, "--events", "export", "01", env={runs.JOB_MARKER: "job-1"})
    assert done.returncode == 0, done.stderr
    assert run_files(course_dir) == []


def test_the_engine_announces_only_when_the_face_asks(course_dir):
    assert engine.run("module.export", {"modules": ["01"]}, Context(project=course_dir)).ok
    assert run_files(course_dir) == []
    assert engine.run("module.export", {"modules": ["01"]}, Context(project=course_dir, announce="terminal")).ok
    assert len(run_files(course_dir)) == 1


def test_a_runs_folder_that_cannot_be_written_costs_the_run_nothing(course_dir):
    # A file where the folder should be: no run file can be made there, whoever runs tito (root too).
    (course_dir / ".tito").mkdir(exist_ok=True)
    (course_dir / ".tito/runs").write_text("not a folder")
    done = tito(course_dir, "--json", "export", "01")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["ok"] is True
    assert (course_dir / ".tito/runs").read_text() == "not a folder"


def test_only_the_newest_run_files_are_kept_and_never_a_live_ones(course_dir):
    folder = course_dir / ".tito/runs"
    folder.mkdir(parents=True)
    me = {"pid": os.getpid(), "process_started": runs.process_started(os.getpid())}
    live = folder / "run-19990101T000000Z-1-aa.jsonl"  # the oldest name, but its process (this one) runs
    live.write_text(json.dumps({"type": "run", "id": live.stem, "command": "module.test", "args": {},
                                "started": 1.0, **me}) + "\n")
    for i in range(runs.KEEP + 5):
        (folder / f"run-2000010{i // 10}T0000{i % 10}0Z-1-{i:04x}.jsonl").write_text("{}\n")
    announcement = runs.announce(course_dir / ".tito", "module.test", {}, "terminal")
    announcement.close()
    names = sorted(p.name for p in folder.glob("*.jsonl"))
    assert len(names) == runs.KEEP + 1 and live.name in names and announcement.path.name in names
    old = sorted(f"run-2000010{i // 10}T0000{i % 10}0Z-1-{i:04x}.jsonl" for i in range(runs.KEEP + 5))
    assert [n for n in names if n.startswith("run-2000")] == old[-(runs.KEEP - 1):]


def test_an_event_with_nan_is_written_as_strict_json(course_dir):
    announcement = runs.announce(course_dir / ".tito", "module.test", {}, "terminal")
    announcement.sink(engine.EventSink()).emit("progress", done=1, total=2, loss=float("nan"))
    announcement.close()
    chunk = runs.read_records(announcement.path)
    assert chunk.records[1]["loss"] == "nan" and chunk.records[1]["done"] == 1


def test_a_run_says_when_its_process_started_as_psutil_does_without_importing_it(course_dir):
    """complete's hot path leaves psutil alone (#15); the header's start time is still the one is_alive checks."""
    code = ("import json, os, sys\nfrom tito_jupyter.engine import runs\nstarted = runs.own_start()\n"
            "print(json.dumps({'started': started, 'psutil': 'psutil' in sys.modules, 'pid': os.getpid()}))\n"
            "import time; time.sleep(30)")
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        seen = json.loads(child.stdout.readline())
        assert seen["psutil"] is False
        assert seen["started"] == psutil.Process(child.pid).create_time()
        assert runs.is_alive({"pid": child.pid, "process_started": seen["started"]})
    finally:
        child.kill()
        child.wait()
