"""Runs in the course: a command that runs long announces itself in ``.tito/runs/`` while it runs.

So a ``tito complete 01`` typed in a terminal can be followed live by anyone who watches the course (the server
extension shows it in its jobs list, hence in the sidebar), not only when it has ended. The format lives here,
once: the writer (:func:`announce`, called by :func:`tito_jupyter.engine.run`) and the readers
(:func:`read_records`, :func:`is_alive`) share it.

A run file is ``.tito/runs/<id>.jsonl``, created with ``O_EXCL`` (an id is never reused), made of JSON lines:

- first the header: ``{"type": "run", "id", "command", "args", "origin", "pid", "process_started", "started"}``
  (``origin`` says where the run comes from, ``"terminal"`` for the CLI; ``process_started`` is the process's
  creation time, so a pid the system has given to another process since is not taken for the run);
- then one ``{"type": "event", ...}`` line per engine event, as it happens;
- last, once the command has ended, ``{"type": "result", ...}`` (``Result.to_dict()``).

A run whose file has no result line and whose process is gone (killed by SIGKILL, crashed) has ended without a
result. Every line is written whole with one ``write`` in append mode, so a reader sees whole lines, or a last
line still being written, which it leaves for later. Only the newest :data:`KEEP` run files are kept.

Announcing is a courtesy to watchers: if the folder cannot be written, the command runs all the same, unannounced.
"""

from __future__ import annotations

import json
import math
import os
import re
import stat
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from .. import platform
from .results import EventSink, Result

#: The folder, inside the course's state folder.
FOLDER = "runs"
#: Run files kept (the newest; a run still going is never removed).
KEEP = 50
#: Set in the environment of every process of a server job: such a run is the server's own job, which the server
#: already shows, so it is not announced a second time.
JOB_MARKER = "TITO_JOB_ID"
#: A run file's name: its id and ``.jsonl``. Anything else in the folder is not a run.
NAME = re.compile(r"^run-[0-9TZ]+-[0-9]+-[0-9a-f]+\.jsonl$")
#: The longest line a reader takes (a result with thousands of test outcomes is a few MB).
LINE_LIMIT = 64 * 1024 * 1024


def runs_folder(state_dir: Path) -> Path:
    return state_dir / FOLDER


def process_started(pid: int) -> float | None:
    """When process ``pid`` was created (seconds since the epoch), or None if there is no such process (or a zombie).

    On Linux it is read from ``/proc`` by psutil's own formula (start ticks over the clock rate, plus the boot
    time), since importing psutil was the largest part of starting a short `tito export`; a test holds the two to
    the same value. Elsewhere, psutil.
    """
    if _PROC_STAT.is_file():
        return _proc_started(pid)
    import psutil

    try:
        proc = psutil.Process(pid)
        if proc.status() == psutil.STATUS_ZOMBIE:
            return None
        return proc.create_time()
    except (psutil.Error, OSError):
        return None


_PROC_STAT = Path("/proc/stat")
_BOOT_TIME: list[float] = []


def _proc_started(pid: int) -> float | None:
    try:
        with open(f"/proc/{int(pid)}/stat", "rb") as f:
            data = f.read()
        if not _BOOT_TIME:
            with open(_PROC_STAT, "rb") as f:
                _BOOT_TIME.append(next(float(line.split()[1]) for line in f if line.startswith(b"btime")))
    except (OSError, ValueError, StopIteration):
        return None
    fields = data[data.rfind(b")") + 2:].split()  # after the command name, which may hold spaces and ")"
    if len(fields) < 20 or fields[0] == b"Z":
        return None
    return float(fields[19]) / os.sysconf("SC_CLK_TCK") + _BOOT_TIME[0]


def own_start() -> float | None:
    """When this process was created, as :func:`process_started` says it (on Linux from ``/proc``, no psutil)."""
    return process_started(os.getpid())


def is_alive(header: dict) -> bool:
    """True while the process that wrote ``header`` runs: the same pid, created at the same moment."""
    pid, started = header.get("pid"), header.get("process_started")
    if not isinstance(pid, int) or isinstance(pid, bool) or pid <= 0 or not isinstance(started, (int, float)):
        return False
    now = process_started(pid)
    return now is not None and abs(now - started) < 0.05


def valid_header(record) -> bool:
    """True if ``record`` (a parsed first line) is a run header this version understands."""
    return (isinstance(record, dict) and record.get("type") == "run" and isinstance(record.get("id"), str)
            and isinstance(record.get("command"), str) and 0 < len(record["command"]) <= 200
            and isinstance(record.get("args"), dict) and isinstance(record.get("pid"), int)
            and isinstance(record.get("started"), (int, float)) and math.isfinite(record["started"]))


def _finite(value):
    """``value`` with every NaN or infinity said as text: a run file holds strict JSON, which has neither."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


def _no_constants(name: str):
    raise ValueError(f"{name} is not JSON")


class Announcement:
    """The run file of one run while it is written; every write that fails ends the announcement, not the run.

    Commands that work in threads (autograde's workers) report from several at once: one line is written at a time,
    and never to a descriptor another thread has closed (its number may already name another file).
    """

    def __init__(self, path: Path, fd: int):
        self.path = path
        self._fd: int | None = fd
        self._lock = threading.Lock()

    def write(self, record: dict) -> None:
        with self._lock:
            self._write(record)

    def _write(self, record: dict) -> None:
        if self._fd is None:
            return
        try:
            line = json.dumps(record, default=str, allow_nan=False) + "\n"
        except ValueError:  # a NaN in an event (a test's duration, a loss): say it as text
            line = json.dumps(_finite(record), default=str, allow_nan=False) + "\n"
        try:
            os.write(self._fd, line.encode("utf-8", "replace"))
        except OSError:  # the disk is full, the folder went away: stop announcing, keep running
            self._close()

    def sink(self, inner: EventSink) -> EventSink:
        """An event sink that writes each event to the run file, then hands it to ``inner``."""
        return _TeeSink(self, inner)

    def finish(self, result: Result) -> None:
        self.write({"type": "result", **result.to_dict()})
        self.close()

    def close(self) -> None:
        with self._lock:
            self._close()

    def _close(self) -> None:
        if self._fd is not None:
            fd, self._fd = self._fd, None
            try:
                os.close(fd)
            except OSError:
                pass


class _TeeSink(EventSink):
    """Events go to the run file, then to the face's own sink, unchanged."""

    def __init__(self, announcement: Announcement, inner: EventSink):
        super().__init__()
        self._announcement = announcement
        self._inner = inner

    def emit(self, event: str, **data) -> None:
        self._announcement.write({"type": "event", "event": event, "time": time.time(), **data})
        self._inner.emit(event, **data)


def new_id(now: float | None = None) -> str:
    """A run id that sorts by start time: ``run-20261130T014500Z-4242-9f3a1c``."""
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(now or time.time()))
    # os.urandom is what secrets.token_hex reads; the secrets module itself costs a short run's start-up time
    return f"run-{stamp}-{os.getpid()}-{os.urandom(3).hex()}"


def announce(state_dir: Path, command: str, args: dict, origin: str) -> Announcement | None:
    """Start the run file of a run of ``command`` in this process; None if it cannot be written."""
    folder = runs_folder(state_dir)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        prune(folder)
        for _ in range(5):  # ids are random; a clash is all but impossible, but O_EXCL never overwrites
            run_id = new_id()
            path = folder / f"{run_id}.jsonl"
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND | platform.O_NOFOLLOW,
                             0o644)
            except FileExistsError:
                continue
            announcement = Announcement(path, fd)
            pid = os.getpid()
            announcement.write({"type": "run", "id": run_id, "command": command, "args": args, "origin": origin,
                                "pid": pid, "process_started": own_start(), "started": time.time()})
            return announcement
    except OSError:
        return None
    return None


def prune(folder: Path, keep: int = KEEP) -> list[Path]:
    """Remove all but the newest ``keep - 1`` run files (room for the one about to start); never a live run's."""
    try:
        names = sorted((e.name for e in os.scandir(folder) if NAME.match(e.name)), reverse=True)
    except OSError:
        return []
    removed = []
    for name in names[max(0, keep - 1):]:
        path = folder / name
        header = read_header(path)
        if header is not None and is_alive(header):
            continue
        try:
            path.unlink()
            removed.append(path)
        except OSError:
            continue
    return removed


@dataclass
class Chunk:
    """What :func:`read_records` found: whole lines parsed (``None`` for a line that is not JSON), where the next
    read starts, and whether it read to the end of what was written (else there is more to read at once)."""

    records: list
    offset: int
    at_end: bool = True


def open_run_file(path: Path) -> int | None:
    """A descriptor to read the regular file at ``path`` (never a FIFO, a device or a symlink), or None."""
    try:
        fd = os.open(path, os.O_RDONLY | platform.O_NONBLOCK | platform.O_NOFOLLOW)
    except OSError:
        return None
    try:
        if stat.S_ISREG(os.fstat(fd).st_mode):
            return fd
    except OSError:
        pass
    os.close(fd)
    return None


def read_records(path: Path, offset: int = 0, limit: int = 4 * 1024 * 1024) -> Chunk | None:
    """The whole lines of the run file from byte ``offset`` on (at most about ``limit`` bytes of them); a last line
    without its newline is left for the next read. None if the file is gone or not a regular file."""
    fd = open_run_file(path)
    if fd is None:
        return None
    try:
        os.lseek(fd, offset, os.SEEK_SET)
        data = os.read(fd, limit)
        while data and b"\n" not in data and len(data) < LINE_LIMIT:
            more = os.read(fd, limit)  # one long line: read on until its end, or the end of what is written
            if not more:
                break
            data += more
        at_end = os.read(fd, 1) == b""
    except OSError:
        return None
    finally:
        os.close(fd)
    end = data.rfind(b"\n")
    if end < 0:
        if len(data) >= LINE_LIMIT:  # one line longer than any tito writes: skip it whole
            return Chunk([None], offset + len(data), at_end)
        return Chunk([], offset, at_end)
    records = []
    for line in data[:end].split(b"\n"):
        if not line.strip():
            continue
        try:
            records.append(json.loads(line.decode("utf-8"), parse_constant=_no_constants))
        except (ValueError, UnicodeDecodeError, RecursionError):
            records.append(None)
    return Chunk(records, offset + end + 1, at_end)


def read_header(path: Path) -> dict | None:
    """The run file's header if its first line is a valid one, else None."""
    chunk = read_records(path, 0, 64 * 1024)
    if chunk is None or not chunk.records:
        return None
    first = chunk.records[0]
    return first if valid_header(first) else None
