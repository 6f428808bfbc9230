"""Jobs: tito's actions running beside the server, never inside it.

A job is one ``python -m tito_jupyter --project ROOT --events --request-json '{"command": ..., "args": ...}'``
subprocess (the CLI is the job runner; the checked arguments travel as JSON, never as a rebuilt command line).
The server reads its JSON lines asynchronously, keeps the events and the result, and tells listeners as they
come; the event loop never waits on the job. Jobs run a few at a time (the rest wait, ``queued``); the engine's
own cross-process export lock keeps exports of one project from overlapping, and the server never holds that
lock while it waits for a job, so jobs cannot deadlock on it.

Stopping a job (cancel, timeout, server shutdown) interrupts the CLI first (as Ctrl-C does: it unwinds, atomic
writes clean up after themselves), then kills its process tree, then every process that still carries the job's
marker in its environment (a pytest run the CLI started in a session of its own, an orphan of either).
Jobs start and end by the rules of :mod:`tito_jupyter.engine.processes`, so a server that dies, even by SIGKILL,
takes its jobs and their tests with it.

The manager also keeps runs it does not run itself (``origin`` other than ``"server"``: ``tito`` typed in a
terminal, which :mod:`tito_jupyter.server.terminal_runs` follows), so that one list, one event stream and one
cancel serve them all; those are never stopped because the server stops.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, get_args

from .. import contracts, platform
from ..engine import files, processes, runs

STATES: tuple[str, ...] = get_args(contracts.JobState)
FINAL_STATES = frozenset(STATES) - {"queued", "running"}
#: Environment variable every process of a job inherits, so stray ones can be found and stopped (and the CLI knows
#: it runs as a job, which it does not announce as a run of its own).
JOB_MARKER = runs.JOB_MARKER
#: Seconds a job gets to stop by itself after the interrupt before it is killed.
STOP_GRACE = 2.0
#: The longest JSON line a job may print (a result with thousands of test outcomes is a few MB).
LINE_LIMIT = 64 * 1024 * 1024
MAX_EVENTS = 100_000


@dataclass(eq=False)
class Job:
    """One run of a command, as the API shows it (``to_dict``)."""

    command: str
    args: dict
    project: Path
    notebook: str | None = None
    #: The modules it works on, by the engine's rule (:func:`~tito_jupyter.engine.modules.modules_meant`).
    modules: list[str] = field(default_factory=list)
    source: str = "rest"
    timeout: float = 1800.0
    #: ``server`` (this server runs it) or ``terminal`` (``tito`` typed in a terminal; the server only follows it).
    origin: str = "server"
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    state: str = "queued"
    events: list[dict] = field(default_factory=list)
    result: dict | None = None
    created: float = field(default_factory=time.time)
    started: float | None = None
    finished: float | None = None
    # -- runtime, not shown --
    ending: str | None = field(default=None, repr=False)  # "cancelled" / "timed_out" once a stop was asked for
    process: asyncio.subprocess.Process | None = field(default=None, repr=False)
    task: asyncio.Task | None = field(default=None, repr=False)
    done: asyncio.Event = field(default_factory=asyncio.Event, repr=False)
    #: Set (and replaced by a fresh one) at each change: a new event, a new state. What long polls wait on.
    changed: asyncio.Event = field(default_factory=asyncio.Event, repr=False)
    stderr_tail: bytes = field(default=b"", repr=False)
    #: For a run this server follows but does not run: asks it to stop; says why it will not (or None if asked).
    stopper: Callable[[], "str | None"] | None = field(default=None, repr=False)

    @property
    def is_final(self) -> bool:
        return self.state in FINAL_STATES

    def to_dict(self, since: int = 0) -> contracts.Job:
        return {
            "id": self.id,
            "command": self.command,
            "args": self.args,
            "notebook": self.notebook,
            "modules": self.modules,
            "source": self.source,
            "origin": self.origin,
            "state": self.state,
            "events": self.events[since:],
            "event_count": len(self.events),
            "result": self.result,
            "created": self.created,
            "started": self.started,
            "finished": self.finished,
        }


Listener = Callable[[Job, "dict | None"], None]


class QueueFull(Exception):
    """Too many jobs are waiting for their turn; the request is refused rather than queued without end."""


class NotStoppable(Exception):
    """A run this server follows cannot be stopped from here (the message says why)."""


#: Seconds a cancel waits for a followed run (a terminal's) to end after it was asked to stop.
FOLLOWED_STOP_WAIT = 20.0


class JobManager:
    """Runs jobs, at most ``max_running`` at once, with at most ``max_queued`` waiting, and keeps the newest
    ``max_kept`` of them."""

    def __init__(self, listener: Listener | None = None, max_running: int = 2, max_kept: int = 100,
                 max_queued: int = 100, log=None, niceness: int = 0, idle_scheduling: bool | None = False):
        self._jobs: dict[str, Job] = {}
        self.niceness = max(0, niceness)
        #: Whether jobs also run under the idle policy; None: where the kernel weighs sessions apart.
        self.idle_scheduling = platform.sessions_weighed_apart() if idle_scheduling is None else idle_scheduling
        self._listener = listener
        self.max_running = max(1, max_running)
        self.max_kept = max(1, max_kept)
        self.max_queued = max(0, max_queued)
        self.log = log

    # -- queries -------------------------------------------------------------------------------------

    def get(self, job_id: str) -> Job | None:
        return self._jobs.get(job_id)

    def list(self) -> list[Job]:
        """Newest first."""
        return sorted(self._jobs.values(), key=lambda j: j.created, reverse=True)

    # -- lifecycle -----------------------------------------------------------------------------------

    def waiting(self) -> int:
        """Jobs accepted that have not started yet."""
        return sum(1 for j in self._jobs.values() if j.state == "queued" and j.task is None)

    def submit(self, job: Job) -> Job:
        """Accept ``job`` (it starts now or waits its turn); raises QueueFull when ``max_queued`` already wait."""
        if self._running() >= self.max_running and self.waiting() >= self.max_queued:
            raise QueueFull(f"{self.waiting()} jobs are already waiting for their turn (at most {self.max_queued} "
                            f"wait while {self.max_running} run); try again once some have finished.")
        self._jobs[job.id] = job
        self._prune()
        self._tell(job, None)
        self._start_queued()
        return job

    def adopt(self, job: Job) -> Job:
        """Keep and show a run this manager does not run (its follower reports its events and its end)."""
        self._jobs[job.id] = job
        self._prune()
        self._tell(job, None)
        return job

    def add_event(self, job: Job, event: dict) -> None:
        """An engine event of ``job``: kept (up to MAX_EVENTS) and told to the listener."""
        if len(job.events) < MAX_EVENTS:
            job.events.append(event)
            self._tell(job, event)

    async def cancel(self, job_id: str) -> Job | None:
        """Stop a job; a queued one never starts. Answers once the job has ended.

        A followed run (a terminal's) is asked to stop; if it has not ended within FOLLOWED_STOP_WAIT seconds the
        answer says it still runs. NotStoppable if it may not be asked."""
        job = self._jobs.get(job_id)
        if job is None or job.is_final:
            return job
        if job.stopper is not None:
            refused = await asyncio.get_running_loop().run_in_executor(None, job.stopper)
            if refused:
                raise NotStoppable(refused)
            job.ending = job.ending or "cancelled"
            try:
                await asyncio.wait_for(asyncio.shield(job.done.wait()), FOLLOWED_STOP_WAIT)
            except asyncio.TimeoutError:
                pass
            return job
        job.ending = job.ending or "cancelled"
        if job.task is None:  # still waiting for its turn
            self._finish(job, "cancelled", self._stopped_result(job))
            return job
        if job.process is not None:
            await self._stop(job)
        await job.done.wait()
        return job

    async def shutdown(self) -> None:
        """Cancel everything (the server is stopping); no job outlives the server."""
        await asyncio.gather(*(self.cancel(j.id) for j in list(self._jobs.values())
                               if not j.is_final and j.origin == "server"), return_exceptions=True)

    def _running(self) -> int:
        return sum(1 for j in self._jobs.values() if j.task is not None and not j.is_final)

    def _start_queued(self) -> None:
        waiting = sorted((j for j in self._jobs.values() if j.state == "queued" and j.task is None),
                         key=lambda j: j.created)
        for job in waiting:
            if self._running() >= self.max_running:
                break
            job.task = asyncio.ensure_future(self._run(job))

    def _prune(self) -> None:
        extra = len(self._jobs) - self.max_kept
        if extra <= 0:
            return
        for job in sorted((j for j in self._jobs.values() if j.is_final), key=lambda j: j.created)[:extra]:
            del self._jobs[job.id]

    async def wait_for_news(self, job: Job, since: int, seconds: float) -> None:
        """Return once ``job`` has more than ``since`` events or has ended, or after ``seconds`` (a long poll:
        a follower hears of the end at once instead of at its next look)."""
        deadline = time.monotonic() + seconds
        while not job.is_final and len(job.events) <= since:
            left = deadline - time.monotonic()
            if left <= 0:
                return
            try:
                await asyncio.wait_for(job.changed.wait(), left)
            except asyncio.TimeoutError:
                return

    def _tell(self, job: Job, event: dict | None) -> None:
        changed, job.changed = job.changed, asyncio.Event()
        changed.set()
        if self._listener is not None:
            try:
                self._listener(job, event)
            except Exception:  # a listener's trouble must not stop the job
                if self.log:
                    self.log.warning("tito: job listener failed", exc_info=True)

    # -- running -------------------------------------------------------------------------------------

    def command_line(self, job: Job) -> list[str]:
        from ..commands import request_to_json

        notebook = ["--notebook", job.notebook] if job.notebook else []
        return [sys.executable, "-m", "tito_jupyter", "--project", str(job.project), "--events", *notebook,
                "--request-json", request_to_json(job.command, job.args)]

    async def _run(self, job: Job) -> None:
        try:
            # In the server's session where it leads one: the job's lower priority then keeps it out of the
            # server's way (platform.share_our_session).
            env = platform.share_our_session({**os.environ, "PYTHONUNBUFFERED": "1", JOB_MARKER: job.id})
            try:
                job.process = await processes.start_async(
                    self.command_line(job), cwd=str(job.project), env=env,
                    stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, limit=LINE_LIMIT,
                )
            except OSError as exc:
                self._finish(job, "failed", self._failure_result(job, f"tito could not start: {exc}."))
                return
            self._lower_priority(job)
            job.state, job.started = "running", time.time()
            self._tell(job, None)
            if job.ending:  # cancelled while it was starting
                await self._stop(job)
            readers = [asyncio.ensure_future(self._read_stdout(job)), asyncio.ensure_future(self._read_stderr(job))]
            exited = asyncio.ensure_future(job.process.wait())
            finished, _ = await asyncio.wait({exited}, timeout=job.timeout)
            if not finished:
                job.ending = job.ending or "timed_out"
                await self._stop(job)
            await exited
            processes.finish_async(job.process)
            # What the job printed before it ended is still in the pipes; a grandchild that kept them open
            # must not keep the job from ending.
            _, pending = await asyncio.wait(readers, timeout=5)
            for reader in pending:
                reader.cancel()
            if job.ending or job.result is None:
                await self._kill_marked(job)
            self._finish(job, *self._outcome(job))
        except Exception as exc:  # a bug here must still end the job, and say so
            if self.log:
                self.log.error("tito: job %s failed in the server", job.id, exc_info=True)
            if job.process is not None and job.process.returncode is None:
                await self._stop(job)
            self._finish(job, "failed", self._failure_result(job, f"The server lost track of the job ({exc})."))
        finally:
            self._start_queued()

    def _lower_priority(self, job: Job) -> None:
        """Give the job (and so every process it starts: they inherit it) ``niceness`` more than the server and,
        with ``idle_scheduling`` where the system has it, the idle policy (see :func:`platform.lower_priority`).

        Two jobs whose tests keep both cores busy would otherwise take the server's turns on them, and the
        sidebar's reads would wait behind student code. The job has just exec'd: it starts its tests well after.
        """
        if not self.niceness and not self.idle_scheduling:
            return
        try:
            platform.lower_priority(job.process.pid, self.niceness, idle=self.idle_scheduling)
        except OSError:  # it has already ended, or the system refuses: the job runs all the same
            pass

    def _outcome(self, job: Job) -> tuple[str, dict]:
        if job.ending == "cancelled":
            return "cancelled", self._stopped_result(job)
        if job.ending == "timed_out":
            return "timed_out", self._stopped_result(job)
        if job.result is not None:
            return ("succeeded" if job.result.get("ok") else "failed"), job.result
        code = job.process.returncode if job.process else None
        tail = job.stderr_tail.decode("utf-8", "replace").strip().splitlines()
        detail = f" It said: {tail[-1]}" if tail else ""
        return "failed", self._failure_result(job, f"tito stopped without a result (exit code {code}).{detail}")

    def finish(self, job: Job, state: str, result: dict) -> None:
        """``job`` has ended in ``state`` with ``result`` (once; later calls change nothing)."""
        self._finish(job, state, result)

    def _finish(self, job: Job, state: str, result: dict) -> None:
        if job.is_final:
            return
        job.state, job.result, job.finished = state, result, time.time()
        self._tell(job, None)
        job.done.set()
        self._prune()

    def _elapsed(self, job: Job) -> float:
        return round(time.time() - (job.started or job.created), 4)

    def _stopped_result(self, job: Job) -> dict:
        partial = (job.result or {}).get("data") or {}
        if job.ending == "timed_out":
            message = (f"Timed out: `{job.command}` ran for more than {job.timeout:.0f} s and was stopped. "
                       "If your code has an infinite loop, fix it and try again.")
            error = {"kind": "timed_out", "message": message, "timeout": job.timeout, "exit_code": 1}
        else:
            message = f"Cancelled: `{job.command}` was stopped before it finished."
            error = {"kind": "cancelled", "message": message, "exit_code": 130}
        return {"command": job.command, "ok": False, "summary": message, "data": partial, "error": error,
                "duration": self._elapsed(job)}

    def _failure_result(self, job: Job, message: str) -> dict:
        return {"command": job.command, "ok": False, "summary": message, "data": {},
                "error": {"kind": "internal", "message": message, "exit_code": 1}, "duration": self._elapsed(job)}

    async def _read_stdout(self, job: Job) -> None:
        stream = job.process.stdout
        while True:
            try:
                line = await stream.readline()
            except ValueError:  # a line longer than LINE_LIMIT: skip it rather than fail the job
                continue
            if not line:
                return
            self._take_line(job, line)

    def _take_line(self, job: Job, line: bytes) -> None:
        text = line.decode("utf-8", "replace").strip()
        if not text:
            return
        try:
            record = json.loads(text)
        except ValueError:
            record = None
        if isinstance(record, dict) and record.get("type") == "result":
            record.pop("type")
            job.result = record
            return
        if isinstance(record, dict) and record.get("type") == "event":
            record.pop("type")
            event = record
        else:  # something printed that is not tito's (a plugin, a warning): keep it as a log line
            event = {"event": "log", "message": text[:2000], "level": "output", "time": time.time()}
        self.add_event(job, event)

    async def _read_stderr(self, job: Job) -> None:
        stream = job.process.stderr
        while True:
            chunk = await stream.read(65536)
            if not chunk:
                return
            job.stderr_tail = (job.stderr_tail + chunk)[-4096:]

    # -- stopping ------------------------------------------------------------------------------------

    async def _stop(self, job: Job) -> None:
        """Interrupt the job's process group, give it STOP_GRACE seconds, then kill it and its strays."""
        proc = job.process
        if proc is None or proc.returncode is not None:
            return
        group = proc.pid  # the job heads a process group of its own: its pid is the group's
        processes.interrupt_group(group)
        try:
            await asyncio.wait_for(asyncio.shield(proc.wait()), STOP_GRACE)
        except asyncio.TimeoutError:
            processes.kill_group(group)
            await proc.wait()
        processes.finish_async(proc)  # anything of the group still there (the CLI has exited)
        await self._kill_marked(job)
        # A killed process's write in the middle left its temporary file: the course keeps no trace of it.
        await asyncio.get_running_loop().run_in_executor(None, files.sweep_killed_writes, job.project)

    async def _kill_marked(self, job: Job) -> None:
        await asyncio.get_running_loop().run_in_executor(None, processes.kill_marked, JOB_MARKER, job.id)
