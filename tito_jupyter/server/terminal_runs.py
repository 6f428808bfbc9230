"""Runs typed in a terminal, followed live: the server watches the course's runs folder and shows each run as a job.

``tito complete 01`` in a terminal announces itself in ``.tito/runs/`` (:mod:`tito_jupyter.engine.runs`). Every
``interval`` seconds a scan, in a thread (the event loop never waits on the disk or on psutil), reads what each
run file gained since the last look; back on the event loop the news goes to the :class:`~.jobs.JobManager` as a
job with ``origin: "terminal"``: the same shape, the same events on the event bus as the server's own jobs, so
the sidebar shows it live. A run ends with its result line, or, if its process is gone without one (SIGKILL, a
crash), as ``cancelled`` with error kind ``stopped``.

Runs that ended before this server started are not shown (the module rows already say what they did); runs still
going when it starts are. Files that are not run files, or not whole ones (garbage, a header cut short, a FIFO, a
symlink), are passed over without harm.

Cancelling a terminal run sends SIGTERM to its process (tito unwinds as on Ctrl-C and writes its result), only if
that process is still the run's (same pid and creation time) and belongs to the user this server runs as.
"""

from __future__ import annotations

import asyncio
import os
import stat
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .. import platform
from ..commands import find
from ..course import STATE_DIR, Course
from ..engine import runs
from ..engine.modules import modules_meant
from .jobs import Job, JobManager

#: The origin the CLI gives the runs it announces.
TERMINAL = "terminal"


@dataclass
class _Followed:
    """What the scan thread knows about one run file."""

    header: dict | None = None
    offset: int = 0
    ended: bool = False
    job: Job | None = None


@dataclass
class _News:
    """What one scan found about one run: new (``header``), new events, its result, or that it is gone."""

    name: str
    followed: _Followed
    root: Path | None = None
    header: dict | None = None
    args: dict | None = None
    modules: list[str] = field(default_factory=list)
    events: list[dict] = field(default_factory=list)
    result: dict | None = None
    gone: bool = False


class TerminalRuns:
    """Follows the runs in ``course_root()``'s runs folder and keeps ``manager`` told."""

    #: Bytes of one run file read in one look at most: a run with a long backlog is caught up over a few looks.
    read_limit = 4 * 1024 * 1024

    def __init__(self, manager: JobManager, course_root: Callable[[], Path], run_in_thread, interval: float = 0.5,
                 log=None):
        self.manager = manager
        self.course_root = course_root
        self._in_thread = run_in_thread
        self.interval = interval
        self.log = log
        self.since = time.time()
        self._files: dict[str, _Followed] = {}
        self._task: asyncio.Task | None = None

    def start(self) -> None:
        self.since = time.time()
        if self._task is None:
            self._task = asyncio.ensure_future(self._loop())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except (asyncio.CancelledError, Exception):
                pass
            self._task = None

    async def _loop(self) -> None:
        while True:
            try:
                await self.look()
            except asyncio.CancelledError:
                raise
            except Exception:  # a bad look must not end the following
                if self.log:
                    self.log.warning("tito: could not read the terminal runs", exc_info=True)
            await asyncio.sleep(self.interval)

    async def look(self) -> None:
        """Scan once (in a thread) and tell the manager what changed (on the event loop)."""
        for news in await self._in_thread(self._scan):
            self._apply(news)

    # -- in the thread -------------------------------------------------------------------------------

    def _scan(self) -> list[_News]:
        try:
            root = self.course_root()
        except Exception:  # no course: nothing to follow
            return []
        folder = runs.runs_folder(root / STATE_DIR)
        try:
            names = sorted(e.name for e in os.scandir(folder) if runs.NAME.match(e.name))
        except OSError:
            return []
        found = []
        for name in names:
            followed = self._files.setdefault(name, _Followed())
            if followed.ended:
                continue
            news = self._read(folder / name, name, followed, root)
            if news is not None:
                found.append(news)
        for name in set(self._files) - set(names):  # removed (pruned, deleted) while we followed it
            followed = self._files.pop(name)
            if followed.header is not None and not followed.ended:
                found.append(_News(name, followed, gone=True))
        return found

    def _read(self, path: Path, name: str, followed: _Followed, root: Path) -> _News | None:
        news = _News(name, followed, root)
        if followed.header is None:
            header = runs.read_header(path)
            if header is None:
                self._pass_over_if_broken(path, followed)
                return None
            # The process is asked before the file is read: a run that ended in between has its result line by then.
            alive = runs.is_alive(header)
            if not alive and self._ended_before_us(path):
                followed.ended = True
                return None
            followed.header = news.header = header
            news.args, news.modules = self._resolved(root, header)
        else:
            alive = runs.is_alive(followed.header)
        chunk = runs.read_records(path, followed.offset, self.read_limit)
        if chunk is None:
            followed.ended = True
            news.gone = True
            return news
        records = chunk.records[1:] if followed.offset == 0 else chunk.records
        followed.offset = chunk.offset
        for record in records:
            if not isinstance(record, dict):
                continue  # a line that is not JSON: skip it, keep the rest
            kind = record.get("type")
            if kind == "event" and isinstance(record.get("event"), str):
                news.events.append({k: v for k, v in record.items() if k != "type"})
            elif kind == "result" and isinstance(record.get("ok"), bool):
                news.result = {k: v for k, v in record.items() if k != "type"}
                followed.ended = True
                break
        if news.result is None and not alive and chunk.at_end:  # all it wrote is read, and it wrote no end
            followed.ended = news.gone = True
        if followed.header is not None and (news.header or news.events or news.result or news.gone):
            return news
        return None

    def _pass_over_if_broken(self, path: Path, followed: _Followed) -> None:
        """A file without a valid header: wait while it may still be being written, then never read it again."""
        try:
            st = path.lstat()
        except OSError:
            followed.ended = True
            return
        # The writer writes the header right after it creates the file: a file without one two seconds on never
        # gets one, nor does anything that is not a regular file.
        if not stat.S_ISREG(st.st_mode) or time.time() - st.st_mtime > 2.0 or st.st_size > 64 * 1024:
            followed.ended = True

    def _ended_before_us(self, path: Path) -> bool:
        try:
            return path.stat().st_mtime < self.since
        except OSError:
            return True

    @staticmethod
    def _resolved(root: Path, header: dict) -> tuple[dict, list[str]]:
        """The run's arguments with module names as the course's ids (``01`` -> ``01_tensor``), as jobs show them,
        and the modules it works on."""
        from . import requests

        args = dict(header["args"])
        try:
            course, command = Course.load(root), find(header["command"])
            args = requests.resolve_names(course, command, args)
        except Exception:  # a name the course does not know (the run will say so itself): show it as typed
            return args, []
        return args, modules_meant(course, command.acts_on, args)

    # -- on the event loop ---------------------------------------------------------------------------

    def _apply(self, news: _News) -> None:
        followed = news.followed
        if news.header is not None:
            header = news.header
            run_id = _id_of(news.name)  # the file's name, which the folder's rules vouch for (not the header's say)
            if self.manager.get(run_id) is not None:
                followed.ended = True  # an id the manager already has: never mix two runs
                return
            job = Job(command=header["command"], args=news.args or {}, modules=news.modules,
                      project=news.root or Path("."), source=TERMINAL,
                      origin=TERMINAL, id=run_id, state="running",
                      created=float(header["started"]), started=float(header["started"]),
                      stopper=lambda h=header: stop_run(h))
            followed.job = job
            self.manager.adopt(job)
        job = followed.job
        if job is None or job.is_final:
            return
        for event in news.events:
            self.manager.add_event(job, event)
        if news.result is not None:
            ok = news.result["ok"]
            stopped = (news.result.get("error") or {}).get("kind") == "interrupted"
            self.manager.finish(job, "succeeded" if ok else "cancelled" if stopped else "failed", news.result)
        elif news.gone:
            self.manager.finish(job, "cancelled", _stopped_result(job))


def _id_of(name: str) -> str:
    return name[: -len(".jsonl")]


def _stopped_result(job: Job) -> dict:
    message = (f"Stopped: `tito` in the terminal ended without a result (its process is gone: it was killed, or it "
               f"crashed). Run `{job.command}` again to see where it stands.")
    return {"command": job.command, "ok": False, "summary": message, "data": {},
            "error": {"kind": "stopped", "message": message, "exit_code": 1},
            "duration": round(time.time() - (job.started or job.created), 4)}


def stop_run(header: dict) -> str | None:
    """Send SIGTERM to the run's process if it is still the run's and this user's; else say why not."""
    import psutil

    if not runs.is_alive(header):
        return None  # it has ended; the next look reports how
    try:
        proc = psutil.Process(header["pid"])
        if platform.user_id() is not None and proc.uids().real != platform.user_id():
            return "This run belongs to another user; stop it in its own terminal."
        platform.ask_to_stop(proc.pid)
    except psutil.NoSuchProcess:
        return None
    except (psutil.Error, OSError) as exc:
        return f"This run could not be stopped from here ({exc}); stop it in its terminal with Ctrl-C."
    return None
