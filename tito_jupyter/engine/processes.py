"""Children: every process tito starts (tests, milestones, JupyterLab, autograde workers, server jobs) starts here.

The rules, in one place, so that no process outlives the command that started it:

- A child leads a tree of its own (on POSIX a session, and so a process group; on Windows a console group and
  a marker in its environment): stopping it stops its whole tree, and a Ctrl-C typed at the terminal reaches
  tito only, which then stops the child on purpose.
- It dies with us, however we end, SIGKILL included:

  * on Linux the kernel sends it SIGKILL when the thread that started it exits (the parent-death signal,
    ``prctl(PR_SET_PDEATHSIG)``, set between fork and exec). Start children from a thread that waits for
    them (every runner here does), never from a short-lived one;
  * everywhere, a guard: one small process per tito process (:func:`tito_jupyter.platform.guard_main`) that
    reads the trees we start from a pipe. When the pipe closes (we are gone, however) or our process is
    gone, it kills every tree still listed. That covers the grandchildren, which the
    parent-death signal does not reach (pytest's own children, a test that starts a subprocess), and
    systems without the signal.
- It finds the environment's own tools whether or not the environment is activated: the folder of
  ``sys.executable`` comes first on its ``PATH`` (nbgrader runs ``alembic``; a milestone may run ``python``).
  A Python child writes UTF-8, on every system (``PYTHONIOENCODING``): its output is read as UTF-8.
- Its output is streamed (line by line, or to a file the caller reads as it grows), its timeout is enforced,
  and when it ends, what is left of its group is killed.
- Untrusted code (a student's submission) runs with :class:`Limits`: CPU time, memory, processes and file size
  are the kernel's resource limits, set in the child before it starts; output is capped by our reader. The
  jail that keeps such code away from files and other users' processes is :mod:`.sandbox`.
- SIGTERM and SIGHUP (the terminal closed), and Ctrl-Break on Windows, unwind tito like Ctrl-C
  (:func:`stop_on_signals`), so the same ``except``/``finally`` paths stop children and clean up atomic writes.

What differs between systems (process groups and signals on POSIX, a marked tree found by psutil on Windows)
is :mod:`tito_jupyter.platform`'s; this module holds the rules. Callers use :func:`run` (start, stream,
time out, stop; a runner of its own, a warm grader's, watches its child with the same :func:`supervise` and
:func:`outcome`), :func:`start`/:func:`exited`/:func:`stop` for a child that lives as long as a command
(JupyterLab), :func:`worker_threads` for pools of runs, :func:`start_async`/:func:`finish_async` in an event
loop, and :func:`stop_on_signals`, :func:`child_env`, :func:`put_tools_on_path`, :func:`signal_group`,
:func:`interrupt_group`, :func:`kill_group`, :func:`kill_marked`.
"""

from __future__ import annotations

import atexit
import os
import signal
import subprocess
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO, Callable, Mapping, Sequence

from .. import platform

#: How often a waiting runner looks at its child (and calls its ``on_tick``), in seconds.
TICK = 0.05


def __getattr__(name: str):
    """``Stopped`` and ``stop_on_signals`` live in :mod:`.signals` (the CLI installs them without importing this
    module); they stay part of this module's API. Not imported at the top: the guard runs this file as a script."""
    if name in ("Stopped", "stop_on_signals"):
        from . import signals  # lazy: the old names, for the guard that runs this file as a script

        return getattr(signals, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class Cancelled(Exception):
    """A run in a :func:`worker_threads` pool was stopped because the pool's command is stopping."""


# -- the environment a child sees ------------------------------------------------------------------------


def tools_folder() -> str:
    """Where pip puts this environment's console scripts (``.venv/bin``, ``.venv\\Scripts``), as ``sysconfig``
    says: not always python's own folder (a Windows Python has ``python.exe`` beside ``Scripts\\``; Debian's system
    Python is ``/usr/bin/python3`` and its scripts go to ``/usr/local/bin``)."""
    import sysconfig  # lazy: only when a child starts

    return sysconfig.get_path("scripts")


def child_env(base: Mapping[str, str] | None = None, **extra: str) -> dict[str, str]:
    """``base`` (default: our environment) plus ``extra``, with the environment's tools first on ``PATH``, and
    Python's input and output in UTF-8: we read a child's output as UTF-8, and on Windows a pipe would otherwise
    carry the locale's code page (cp1252), where a test printing "é" or an emoji fails or comes out garbled."""
    env = dict(os.environ if base is None else base)
    env.update(extra)
    env["PYTHONIOENCODING"] = "utf-8"
    first = tools_folder()
    rest = [p for p in env.get("PATH", "").split(os.pathsep) if p != first] if env.get("PATH") else []
    env["PATH"] = os.pathsep.join([first, *rest])
    return env


def put_tools_on_path() -> None:
    """For libraries that start tools themselves, in our process (nbgrader starts ``alembic``)."""
    os.environ["PATH"] = child_env()["PATH"]


# -- what a child may use ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Limits:
    """What a child may use (None: no limit). The kernel enforces the first four, in the child and each process
    it starts; ``output_bytes`` is enforced by :func:`run`, which stops a child that prints more.

    ``processes`` counts processes and threads of the child's user. For root it binds nothing (the kernel
    exempts root): run untrusted code as its own user (:mod:`.sandbox` does). For another user it is
    relative: that many more than the user runs already.
    """

    cpu_seconds: float | None = None
    memory_bytes: int | None = None  # address space (RLIMIT_AS): an allocation past it fails (MemoryError)
    processes: int | None = None
    file_bytes: int | None = None  # the largest file it may write (RLIMIT_FSIZE): past it, SIGXFSZ ends it
    output_bytes: int | None = None

    def rlimits(self) -> list[tuple[int, tuple[int, int]]]:
        """(resource, (soft, hard)) for ``setrlimit``, computed before the fork (the hook must not compute).
        Where the system has no such limits (Windows), :class:`platform.NotSupportedHere` says so."""
        return platform.resource_limits(self.cpu_seconds, self.memory_bytes, self.processes, self.file_bytes,
                                        threads_of_user=_threads_of_user)

    def reason(self, finished: "Finished") -> str | None:
        """The limit that ended a run, as a sentence's end ("printed more than 10 MiB"), or None."""
        if finished.stopped_by == "output":
            return f"printed more than {_size(self.output_bytes)}"
        code = -finished.exit_code
        if self.cpu_seconds is not None and code == getattr(signal, "SIGXCPU", -1):
            return f"used more than {self.cpu_seconds:g} s of CPU time"
        if self.file_bytes is not None and code == getattr(signal, "SIGXFSZ", -1):
            return f"wrote more than {_size(self.file_bytes)} (a file or its captured output)"
        return None


def _size(count: int | None) -> str:
    count = int(count or 0)
    return f"{count / 2**30:g} GiB" if count >= 2**30 else f"{count / 2**20:g} MiB"


def _threads_of_user(uid: int) -> int:
    """Processes and threads the user runs now (what RLIMIT_NPROC counts), or 0 if that cannot be read."""
    try:
        import psutil
    except ImportError:
        return 0
    total = 0
    for proc in psutil.process_iter():
        try:
            if proc.uids().real == uid:
                total += proc.num_threads()
        except (psutil.Error, OSError):
            continue
    return total


class _GuardClient:
    """Our side of the guard (:func:`platform.guard_main`): started on first use (again after a fork), told of
    each tree we start."""

    def __init__(self):
        self._lock = threading.Lock()
        self._proc: subprocess.Popen | None = None
        self._owner: int | None = None
        self._groups: set[str] = set()  # the guard's names of our trees ("123") and jailed users ("u1500000123")
        self._names: dict[int, str] = {}  # a tree's leader's pid: the guard's name for the tree

    def watch(self, pid: int, name: str | None = None) -> None:
        """The tree ``pid`` leads, which the guard knows as ``name`` (:func:`platform.tree_started`)."""
        name = name or str(pid)
        self._names[pid] = name
        self._add(name)

    def unwatch(self, pid: int) -> None:
        self._remove(self._names.pop(pid, str(pid)))

    def watching(self, pid: int) -> bool:
        """Whether the tree ``pid`` leads was started and not yet stopped (:func:`stop` unwatches it)."""
        return pid in self._names

    def watch_user(self, uid: int) -> None:
        """A jailed user (:mod:`.sandbox`): if we die, the guard kills every process of it, in any group."""
        self._add(f"u{uid}")

    def unwatch_user(self, uid: int) -> None:
        self._remove(f"u{uid}")

    def _add(self, item: str) -> None:
        with self._lock:
            if self._owner != os.getpid():  # a forked copy of us: the guard belongs to the parent
                self._proc, self._owner, self._groups = None, os.getpid(), set()
            self._groups.add(item)
            self._send(f"+{item}\n")

    def _remove(self, item: str) -> None:
        with self._lock:
            if self._owner == os.getpid() and item in self._groups:
                self._groups.discard(item)
                self._send(f"-{item}\n")

    def _send(self, line: str) -> None:
        for _ in range(2):
            if self._proc is None or self._proc.poll() is not None:
                self._proc = self._start()
                if self._proc is None:
                    return
                line = "".join(f"+{g}\n" for g in self._groups)  # a new guard learns every live group
            try:
                self._proc.stdin.write(line.encode())
                self._proc.stdin.flush()
                return
            except OSError:  # the guard died (someone killed it): start another
                self._proc = None

    @staticmethod
    def _start() -> subprocess.Popen | None:
        try:
            return platform.start_guard()
        except OSError:
            return None  # without a guard the parent-death signal still covers the direct children

    def close(self) -> None:
        """At a normal exit: the guard sees the pipe close, kills nothing left to kill, and ends."""
        with self._lock:
            proc = self._proc
            if proc is None or self._owner != os.getpid():
                return
            try:
                proc.stdin.close()
                if exited(proc, 2):  # woken as it ends, not after Popen.wait's next nap
                    proc.wait(timeout=2)
            except (OSError, subprocess.TimeoutExpired):
                pass


_guard = _GuardClient()


def kill_user(uid: int) -> None:
    """Kill every process of the jailed user ``uid`` (never root), whatever group or session it moved to."""
    platform.kill_user(uid)


# -- starting, waiting, stopping -------------------------------------------------------------------------


def signal_group(group: int, sig: int) -> None:
    """Send ``sig`` to the tree a child of ours leads (``group``: the child's pid); never an error if it has gone."""
    platform.signal_tree(group, sig)


def interrupt_group(group: int) -> None:
    """What Ctrl-C at a terminal does, to the tree a child of ours leads: a tito child unwinds and writes its
    result."""
    platform.interrupt_tree(group)


def kill_group(group: int) -> None:
    """Kill the tree a child of ours leads, and what it left behind."""
    platform.kill_tree(group)


def start(argv: Sequence[str], *, cwd=None, env: Mapping[str, str] | None = None, stdin=subprocess.DEVNULL,
          stdout=None, stderr=None, text: bool = False, limits: Limits | None = None) -> subprocess.Popen:
    """Start a child by the rules above. Pair it with :func:`stop`, which also ends what is left of its tree.

    ``stdin`` defaults to nothing: a child that waits for input would otherwise wait forever.
    """
    options = platform.child_options(child_env(env), limits.rlimits() if limits is not None else ())
    proc = subprocess.Popen(
        list(argv), cwd=cwd, stdin=stdin, stdout=stdout, stderr=stderr, **options,
        **({"text": True, "encoding": "utf-8", "errors": "replace"} if text else {}),
    )
    _guard.watch(proc.pid, platform.tree_started(proc.pid, options))
    return proc


def exited(proc: subprocess.Popen, wait: float = 0.0) -> bool:
    """Whether the child has ended, waiting up to ``wait`` seconds. Does not reap it where the system allows:
    an unreaped leader keeps its group id from being reused until :func:`stop` kills the rest of the group."""
    deadline = time.monotonic() + wait
    pause = 0.001  # short first, as Popen.wait does: most quick children end within milliseconds
    while True:
        if proc.returncode is not None:
            return True
        ended = platform.ended_unreaped(proc.pid)
        unreaped = ended is not None  # still ours, unreaped: its pid names no other process
        if ended is None:  # the system cannot tell without reaping it
            ended = proc.poll() is not None
        if ended:
            return True
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        # Woken the moment it ends where the system can say so (no nap's delay after a quick child), else naps.
        if not (unreaped and platform.sleep_until_ended(proc.pid, min(remaining, TICK))):
            time.sleep(min(pause, remaining))
            pause = min(pause * 2, TICK)


def stop(proc: subprocess.Popen, ask: int | None = None, grace: float = 0.0) -> int:
    """End the child and everything left in its group; return its exit code (negative: the signal).

    With ``ask`` (e.g. SIGTERM for JupyterLab, which then stops its kernels), the group gets that signal first
    and ``grace`` seconds to end by itself. Safe to call on a child that has already ended.
    """
    if proc.returncode is None and ask is not None and not exited(proc):
        signal_group(proc.pid, ask)
        exited(proc, grace)
    if proc.returncode is None or _guard.watching(proc.pid):
        # The leader, or what it left behind: also once the leader is reaped (where an end cannot be seen without
        # reaping: Windows, macOS), since its children may live on; never a tree this already stopped.
        kill_group(proc.pid)
    code = proc.wait()
    _guard.unwatch(proc.pid)  # only now: if we are interrupted before, the guard still has the group
    platform.tree_forgotten(proc.pid)
    return code


@dataclass
class Finished:
    """How a child run by :func:`run` ended."""

    exit_code: int
    timed_out: bool
    seconds: float
    stopped_by: str | None = None  # "timeout" or "output" when we stopped it; None when it ended by itself


def run(argv: Sequence[str], *, cwd=None, env: Mapping[str, str] | None = None, timeout: float | None = None,
        on_line: Callable[[str], None] | None = None, output: IO[bytes] | None = None,
        on_tick: Callable[[], None] | None = None, limits: Limits | None = None) -> Finished:
    """Run a child to its end, or to ``timeout`` seconds, streaming its output (stdout and stderr together).

    ``on_line`` gets each line (without its newline) as it comes, from a reader thread; or ``output`` (a
    binary file) receives the output. ``on_tick`` is called every :data:`TICK` seconds while it runs (to read a
    report the child writes). ``limits`` bound what the child may use; one that prints more than
    ``limits.output_bytes`` is stopped (``stopped_by="output"``). Any exception here, Ctrl-C and
    :class:`Stopped` included, stops the child's whole tree before it propagates. In a thread of
    :func:`worker_threads` (which Ctrl-C does not reach), a run stops its tree within a tick of the pool's
    command stopping, and raises :class:`Cancelled`.
    """
    if cancel_requested():
        raise Cancelled("stopped before it started")
    cap = limits.output_bytes if limits is not None else None
    pipe = on_line is not None
    proc = start(argv, cwd=cwd, env=env, stdout=subprocess.PIPE if pipe else output,
                 stderr=subprocess.STDOUT if (pipe or output is not None) else None, text=pipe, limits=limits)
    reader = _LineReader(proc, on_line, cap) if pipe else None
    over_cap = reader.over_cap if reader is not None else (lambda: file_over_cap(output, cap))
    started = time.monotonic()
    try:
        stopped_by = supervise(lambda wait: exited(proc, wait), started=started, timeout=timeout,
                               on_tick=on_tick, over_cap=over_cap)
    finally:  # normal end, timeout, or an exception on its way out: nothing of the tree stays
        code = stop(proc)
        if reader is not None:
            reader.join(timeout=5)
    return outcome(code, started, stopped_by, over_cap)


class _LineReader(threading.Thread):
    """Hands a child's output to ``on_line`` line by line, counting what it printed; past ``cap`` characters it
    reads no further (the runner sees the count and stops the child)."""

    def __init__(self, proc: subprocess.Popen, on_line: Callable[[str], None], cap: int | None):
        super().__init__(name="tito-child-output", daemon=True)
        self.proc, self.on_line, self.cap, self.printed = proc, on_line, cap, 0
        self.start()

    def run(self) -> None:
        for line in self.proc.stdout:
            self.printed += len(line) + 1
            if self.over_cap():
                break
            self.on_line(line.rstrip("\n"))

    def over_cap(self) -> bool:
        return self.cap is not None and self.printed > self.cap


def file_over_cap(output: IO[bytes] | None, cap: int | None) -> bool:
    """Whether the file a child writes its output to has grown past ``cap`` bytes (no cap, no file: never)."""
    if cap is None or output is None:
        return False
    try:
        return os.fstat(output.fileno()).st_size > cap
    except (OSError, ValueError):
        return False


def supervise(ended: Callable[[float], bool], *, started: float, timeout: float | None,
              on_tick: Callable[[], None] | None = None, over_cap: Callable[[], bool] = lambda: False) -> str | None:
    """Wait for a child to end, tick by tick; return why we must stop it first, or None if it ended by itself.

    The one watch of every runner (:func:`run`, a warm grader's): ``ended(wait)`` says whether the child has
    ended, waiting up to ``wait`` seconds; each tick calls ``on_tick``, then stops at ``timeout`` seconds after
    ``started`` (``"timeout"``), at output past its cap (``"output"``), or when the :func:`worker_threads` pool
    of this thread is stopping (``"cancel"``). The caller stops the child, then calls :func:`outcome`.
    """
    while not ended(TICK):
        if on_tick is not None:
            on_tick()
        if timeout is not None and time.monotonic() - started > timeout:
            return "timeout"
        if over_cap():
            return "output"
        if cancel_requested():
            return "cancel"
    return None


def outcome(exit_code: int, started: float, stopped_by: str | None, over_cap: Callable[[], bool]) -> Finished:
    """How a supervised child ended (:func:`supervise` said why it was stopped), once it is stopped; raises
    :class:`Cancelled` if its pool is stopping (unless its time had run out: that is the run's own result)."""
    if stopped_by == "cancel":
        stopped_by = None
    if stopped_by is None and over_cap():
        stopped_by = "output"  # it printed past the cap and ended (or was ended) before we looked
    if cancel_requested() and stopped_by != "timeout":
        raise Cancelled(f"stopped after {time.monotonic() - started:.1f} s")
    return Finished(exit_code=exit_code, timed_out=stopped_by == "timeout", seconds=time.monotonic() - started,
                    stopped_by=stopped_by)


# -- worker threads ---------------------------------------------------------------------------------------

_worker = threading.local()


def cancel_requested() -> bool:
    """Whether the :func:`worker_threads` pool this thread works in is stopping: a runner other than :func:`run`
    (a warm grader's) checks it each tick, stops its child and raises :class:`Cancelled`, as :func:`run` does."""
    cancel = getattr(_worker, "cancel", None)
    return cancel is not None and cancel.is_set()


@contextmanager
def worker_threads(max_workers: int, thread_name_prefix: str = "tito-worker"):
    """A thread pool (``concurrent.futures``) whose children stop with the command that runs it.

    A plain pool, when the code using it raises (Ctrl-C, SIGTERM, an error), waits for every submitted task
    to finish: each child would run to its own timeout. Here, the queued tasks are dropped and every
    :func:`run` in the pool's threads stops its tree within a tick, then the exception goes on.
    """
    from concurrent.futures import ThreadPoolExecutor

    cancel = threading.Event()

    def bind() -> None:
        _worker.cancel = cancel

    pool = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix=thread_name_prefix, initializer=bind)
    try:
        yield pool
    except BaseException:
        cancel.set()
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)


# -- asyncio (the server's jobs) -------------------------------------------------------------------------


async def start_async(argv: Sequence[str], *, cwd=None, env: Mapping[str, str] | None = None, **kwargs):
    """:func:`start` for an event loop (``asyncio.create_subprocess_exec``); end it with :func:`finish_async`.

    Start it from the loop's thread, which lives as long as the loop (the parent-death signal is per thread).
    """
    import asyncio

    options = platform.child_options(child_env(env))
    proc = await asyncio.create_subprocess_exec(*argv, cwd=cwd, **options,
                                                **{"stdin": asyncio.subprocess.DEVNULL, **kwargs})
    _guard.watch(proc.pid, platform.tree_started(proc.pid, options))
    return proc


def watch_user(uid: int) -> None:
    """Have the guard kill every process of the jailed user ``uid`` if we die before :func:`unwatch_user`."""
    _guard.watch_user(uid)


def unwatch_user(uid: int) -> None:
    _guard.unwatch_user(uid)


def finish_async(proc) -> None:
    """After an asyncio child has ended: kill what is left of its group, and tell the guard it is done."""
    kill_group(proc.pid)
    _guard.unwatch(proc.pid)
    platform.tree_forgotten(proc.pid)


def kill_marked(name: str, value: str) -> int:
    """Kill every process of ours whose environment has ``name=value`` (strays that left their group), and what
    they started, until none is left running: the one loop of :func:`platform.kill_marked`."""
    try:
        import psutil  # noqa: F401
    except ImportError:  # without psutil only process groups are stopped
        return 0
    return platform.kill_marked(name, value)


atexit.register(_guard.close)
