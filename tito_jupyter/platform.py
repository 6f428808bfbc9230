"""What differs between Linux, macOS and Windows, in one place: no other module of tito asks which system it is on.

Three things differ, and each has one interface here:

- **Locks across processes**: :func:`exclusive_lock` and :func:`reader_writer_lock`: ``flock`` itself on POSIX
  (the reader-writer lock is two of them, a gate and the lock), ``filelock`` on Windows (``LockFileEx``, and its
  SQLite reader-writer lock). A lock dies with its holder.
- **Trees of processes**: a child starts at the head of a tree of its own (:func:`child_options`), and the tree is
  interrupted (:func:`interrupt_tree`), asked to stop (:func:`signal_tree`) or killed (:func:`kill_tree`) as one.

  * POSIX (Linux, macOS): the child leads a session, so a process group, of its own; the group gets the signal.
    On Linux a server's job stays in the server's session, leading a process group there without the terminal
    (:func:`share_our_session`), so that its lower priority counts against the server.
    On Linux the child also gets the parent-death signal (``prctl(PR_SET_PDEATHSIG)``), and untrusted code the
    kernel's resource limits, both set between fork and exec.
  * Portable (Windows): there are no process groups to signal. Each tree carries a marker in its environment
    (:data:`TREE_MARKER`), which every descendant inherits; the tree is every live process carrying the marker
    and everything below those (psutil), orphans included. An interrupt is a ``CTRL_BREAK_EVENT`` to the
    child's console group (it is started with ``CREATE_NEW_PROCESS_GROUP``); tito turns it into the same
    unwinding as Ctrl-C (:data:`STOP_SIGNALS`).

  ``TITO_PLATFORM=portable`` selects the portable way on POSIX too: that is how the tests exercise it on Linux.
- **Single processes**: whether one runs (:func:`process_running`; ``os.kill(pid, 0)`` would *end* it on
  Windows), whether a child of ours ended without reaping it (:func:`ended_unreaped`), a lower priority for it
  (:func:`lower_priority`: niceness, and Linux's idle policy where :func:`sessions_weighed_apart`), whether its
  exit code says it stopped as asked (:func:`stopped_as_asked`), and a crash of our own for tests (:func:`crash`).
  Named capabilities (:data:`JAIL_HERE`, :data:`WARM_FORK_HERE`, :data:`RESOURCE_LIMITS`, :data:`CONSOLE_IS_TEXT`,
  :data:`STOP_SIGNALS`, :data:`IDLE_SCHEDULING_HERE`) answer what other modules would otherwise ask of
  ``sys.platform``, ``os.name`` or ``hasattr(os, ...)``: tests/engine/test_platform.py keeps it so.
- **Files**: :func:`replace` is ``os.replace``, retried for a moment on Windows, where a file another process
  holds open cannot be replaced; :func:`move_into_place` renames a folder onto a new name or an empty folder
  (Windows refuses to rename onto any folder that exists); :func:`write_cache_json` writes a cache file whole or
  not at all, never failing (a cache is only a cache). Bytes are written as given: tito's writers (:mod:`.engine.files`) write UTF-8
  with ``\\n`` line endings on every system, so a course moved between machines shows no change that is not there.

Run as a script (``python platform.py --tito-process-guard``, the standard library only on POSIX) this file is the
guard of :mod:`.engine.processes`: it keeps the list of trees its parent started, from a pipe, and kills every tree
still listed when the pipe closes or the parent is gone, however the parent ended.
"""

from __future__ import annotations

import contextlib
import functools
import os
import signal
import sys
import time
from pathlib import Path

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing: `tito list` imports this module
if TYPE_CHECKING:
    import subprocess
    from typing import Callable, Iterator, Sequence

#: The environment variable that marks every process of a tree started the portable way.
TREE_MARKER = "TITO_PROCESS_TREE"
#: The session a tree stays in (its id, in the tree's environment; :func:`share_our_session`).
TREE_SESSION = "TITO_TREE_SESSION"
#: The command-line flag that makes this file the guard.
GUARD_FLAG = "--tito-process-guard"
#: How long the guard waits on its pipe before it checks its parent anyway, in seconds.
GUARD_CHECK = 0.5
#: How long :func:`replace` retries a replacement the system refuses because the file is open (Windows).
REPLACE_PATIENCE = 2.0


#: The exit code psutil's ``kill`` gives a Windows process (``TerminateProcess(handle, SIGTERM)``).
TERMINATED_ON_WINDOWS = 15
#: The exit code of a child we killed: Popen's for SIGKILL on POSIX; psutil's TerminateProcess's on Windows.
KILLED_EXIT_CODE = -signal.SIGKILL if hasattr(signal, "SIGKILL") else TERMINATED_ON_WINDOWS
#: The exit code of a Windows process that a Ctrl-C or Ctrl-Break ended without catching it.
STATUS_CONTROL_C_EXIT = 0xC000013A


class NotSupportedHere(OSError):
    """Something tito does only on some systems was asked for on another; the message says which, in a sentence."""


# -- locks ------------------------------------------------------------------------------------------------------


class LockBusy(TimeoutError):
    """The lock was not free within the time given."""


@contextlib.contextmanager
def exclusive_lock(path: Path, timeout: float) -> Iterator[None]:
    """Hold the lock file ``path`` alone, across processes and threads, for the block; :class:`LockBusy` after
    ``timeout`` seconds. Each use is a lock of its own: two threads of one process wait for each other too."""
    with SYSTEM.exclusive_lock(path, timeout):
        yield


@contextlib.contextmanager
def reader_writer_lock(path: Path, timeout: float, write: bool) -> Iterator[None]:
    """Hold the lock ``path`` for the block: shared among readers, or (``write``) alone. A writer waits for every
    reader, and keeps new ones out. :class:`LockBusy` after ``timeout`` seconds."""
    with SYSTEM.reader_writer_lock(path, timeout, write):
        yield


@contextlib.contextmanager
def _filelock_exclusive(path: Path, timeout: float) -> Iterator[None]:
    import filelock

    lock = filelock.FileLock(str(path), timeout=timeout, thread_local=False, is_singleton=False)
    try:
        lock.acquire()
    except filelock.Timeout:
        raise LockBusy(str(path)) from None
    try:
        yield
    finally:
        lock.release()


@contextlib.contextmanager
def _filelock_reader_writer(path: Path, timeout: float, write: bool) -> Iterator[None]:
    """filelock's reader-writer lock: a SQLite database at ``path``."""
    import filelock

    lock = filelock.ReadWriteLock(str(path), timeout=timeout, is_singleton=False)
    try:
        try:
            (lock.acquire_write if write else lock.acquire_read)()
        except filelock.Timeout:
            raise LockBusy(str(path)) from None
        try:
            yield
        finally:
            lock.release()
    finally:
        lock.close()


class _Flock:
    """POSIX locks with ``flock`` itself, as filelock's FileLock takes them there, without filelock: its import (and
    its SQLite reader-writer lock's) was a third of what `tito complete` adds to its tests.

    A lock is held by an open file description, so each use is a lock of its own (two threads of one process wait
    for each other) and the system frees it when its holder dies. A lock file removed and made again while we
    waited (a clean of the locks folder) is a different lock: the wait starts again on the new one.
    """

    #: Shared holds this process has of each reader-writer lock (see :meth:`reader_writer`), by path.
    _readers: dict[str, int] = {}
    #: The lock that guards those counts between threads, made at the first use (``setdefault`` keeps one).
    _counting: dict = {}

    @staticmethod
    def _take(path: str, how: int, deadline: float | None) -> int:
        """An open descriptor of ``path`` holding the ``how`` lock (LOCK_SH or LOCK_EX); LockBusy at ``deadline``."""
        import fcntl

        pause = 0.001
        while True:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o644)
            try:
                while True:
                    try:
                        fcntl.flock(fd, how | fcntl.LOCK_NB)
                        break
                    except BlockingIOError:
                        if deadline is not None and time.monotonic() >= deadline:
                            raise LockBusy(path) from None
                        time.sleep(pause)
                        pause = min(pause * 2, 0.05)
                try:
                    same = os.fstat(fd).st_ino == os.stat(path).st_ino
                except FileNotFoundError:
                    same = False
            except BaseException:
                os.close(fd)
                raise
            if same:
                return fd
            os.close(fd)  # the file was replaced while we waited: the lock is the new file's

    @classmethod
    @contextlib.contextmanager
    def exclusive(cls, path: Path, timeout: float) -> Iterator[None]:
        fd = cls._take(str(path), _flock_flag("LOCK_EX"), _deadline(timeout))
        try:
            yield
        finally:
            os.close(fd)

    @classmethod
    @contextlib.contextmanager
    def reader_writer(cls, path: Path, timeout: float, write: bool) -> Iterator[None]:
        """Readers hold ``path`` shared, a writer alone. Both pass through a gate (``path`` + ``.gate``, held alone
        for a moment); a writer keeps the gate until every reader has gone, so no new reader gets in meanwhile. A
        reader in a process that already holds the lock shared (an export inside a complete) goes straight in: a
        writer waiting at the gate would otherwise wait for it while it waited for the writer."""
        import threading

        key, deadline = str(path), _deadline(timeout)
        how = _flock_flag("LOCK_EX" if write else "LOCK_SH")
        with cls._counting.setdefault("lock", threading.Lock()):
            inside = not write and cls._readers.get(key, 0) > 0
        if inside:
            fd = cls._take(key, how, deadline)  # no writer can hold it while this process reads
        else:
            gate = cls._take(key + ".gate", _flock_flag("LOCK_EX"), deadline)
            try:
                fd = cls._take(key, how, deadline)
            finally:
                os.close(gate)
        if not write:
            with cls._counting["lock"]:
                cls._readers[key] = cls._readers.get(key, 0) + 1
        try:
            yield
        finally:
            if not write:
                with cls._counting["lock"]:
                    cls._readers[key] -= 1
            os.close(fd)


def _flock_flag(name: str) -> int:
    import fcntl

    return getattr(fcntl, name)


def _deadline(timeout: float | None) -> float | None:
    """When a wait of ``timeout`` seconds ends (None or a negative timeout: it never does)."""
    return None if timeout is None or timeout < 0 else time.monotonic() + timeout


# -- files -------------------------------------------------------------------------------------------------------


def _replace_now(src, dst) -> None:
    os.replace(src, dst)


def _replace_patiently(src, dst) -> None:
    """``os.replace``, tried again for up to :data:`REPLACE_PATIENCE` seconds while the system refuses it: on
    Windows a reader (an editor, a virus scanner, another tito) holding ``dst`` open makes it fail for a moment."""
    deadline = time.monotonic() + REPLACE_PATIENCE
    pause = 0.01
    while True:
        try:
            os.replace(src, dst)
            return
        except PermissionError:
            if time.monotonic() >= deadline:
                raise
            time.sleep(pause)
            pause = min(pause * 2, 0.2)


def _rename_now(src, dst) -> None:
    os.rename(src, dst)


def _rename_onto_empty(src, dst) -> None:
    """``os.rename``; where the system refuses because ``dst`` exists (Windows, even for an empty folder), an empty
    folder at ``dst`` is removed and the rename tried once more. A folder with anything in it is never removed."""
    try:
        os.rename(src, dst)
    except OSError:
        if os.path.islink(dst) or not os.path.isdir(dst) or os.listdir(dst):
            raise
        os.rmdir(dst)  # fails, and nothing is lost, if something was put in it meanwhile
        os.rename(src, dst)


# -- trees of processes: POSIX ---------------------------------------------------------------------------------

_PR_SET_PDEATHSIG = 1


class Posix:
    """Process groups and signals (Linux, macOS)."""

    name = "posix"
    #: Whether the kernel can limit a child's CPU time, memory, processes and file size.
    resource_limits_here = True
    #: The signals besides Ctrl-C's that mean "stop": a ``kill`` and a terminal that closed.
    stop_signals = ("SIGTERM", "SIGHUP")
    replace = staticmethod(_replace_now)
    move_into_place = staticmethod(_rename_now)  # a rename replaces an empty folder, in one step
    exclusive_lock = staticmethod(_Flock.exclusive)
    reader_writer_lock = staticmethod(_Flock.reader_writer)

    #: Whether a child gets the kernel's parent-death signal (``prctl``, Linux's); elsewhere the guard alone ends
    #: a tree whose parent died.
    parent_death_signal = sys.platform.startswith("linux")
    #: Whether a tree can stay in its parent's session (:func:`head_a_tree`: Linux's ``TIOCNOTTY`` gives up the
    #: terminal for one process; elsewhere only a session of its own leaves the terminal behind).
    shares_session = sys.platform.startswith("linux")

    def __init__(self):
        self._prctl = None

    def process_running(self, pid: int) -> bool:
        """Whether process ``pid`` runs (a zombie, ended and not yet reaped, does not)."""
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        try:
            with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:
                return f.read().rsplit(")", 1)[-1].split()[0] != "Z"
        except (OSError, IndexError):
            return True  # no /proc (macOS): it answered the signal, so it is there

    def stopped_as_asked(self, code: int) -> bool:
        """Whether exit code ``code`` says a child ended by itself or on the SIGTERM we asked it to stop with."""
        return code in (0, -signal.SIGTERM)

    def lower_priority(self, pid: int, by: int, idle: bool) -> str:
        pid_priority = os.getpriority(os.PRIO_PROCESS, pid)
        os.setpriority(os.PRIO_PROCESS, pid, min(19, pid_priority + by))
        if not (idle and IDLE_SCHEDULING_HERE):
            return "nice"
        try:
            os.sched_setscheduler(pid, os.SCHED_IDLE, os.sched_param(0))
        except PermissionError:  # a sandbox that forbids the call (seccomp): the niceness stays
            return "nice"
        return "idle"

    # starting

    def child_options(self, env: dict, rlimits: Sequence = ()) -> dict:
        """``subprocess.Popen`` arguments (``env`` included) that start a child at the head of a tree of its own: a
        session of its own, or on Linux, where ``env`` keeps the tree in our session (:func:`share_our_session`),
        a process group of its own there without a controlling terminal (:func:`head_a_tree`, from the hook)."""
        stay = self.shares_session and env.get(TREE_SESSION) == str(os.getsid(0))
        return {"env": env, **({} if stay else {"start_new_session": True}),
                "preexec_fn": self._child_hook(list(rlimits), head=stay)}

    def share_our_session(self, env: dict) -> dict:
        if not (self.shares_session and os.getsid(0) == os.getpid()):
            return env
        return {**env, TREE_SESSION: str(os.getpid())}

    def tree_started(self, pid: int, options: dict) -> str:
        """Note a child started with ``options``; return the name the guard knows its tree by."""
        return str(pid)

    def tree_forgotten(self, pid: int) -> None:
        """The tree of ``pid`` is over: nothing more to remember of it."""

    def _child_hook(self, rlimits: list, head: bool) -> Callable[[], None] | None:
        """A preexec hook that makes the child the head of its tree (with ``head``: :func:`head_a_tree`) and gives
        it the parent-death signal (:attr:`parent_death_signal`), ``rlimits`` and Ctrl-C; None if it has nothing
        to do.

        It runs in the child between fork and exec, so it only calls what was prepared before the fork.
        """
        head_step = _tree_head_step() if head else None
        # Started ignoring Ctrl-C (a shell's `cmd &`, a service manager), we would pass that on, and a child would
        # not hear the SIGINT :func:`interrupt_tree` asks it to stop with: a job cancelled by the server would be
        # killed after its grace instead of unwinding. The child hears it as if it had been started anew.
        hear_interrupt = signal.getsignal(signal.SIGINT) == signal.SIG_IGN
        if not head and not self.parent_death_signal and not rlimits and not hear_interrupt:
            return None
        if self.parent_death_signal and self._prctl is None:
            import ctypes

            self._prctl = ctypes.CDLL(None, use_errno=True).prctl
        prctl, parent, kill = (self._prctl if self.parent_death_signal else None), os.getpid(), signal.SIGKILL
        setrlimit = None
        if rlimits:
            import resource

            setrlimit = resource.setrlimit

        def hook() -> None:
            if head_step is not None:
                head_step()
            if hear_interrupt:
                signal.signal(signal.SIGINT, signal.SIG_DFL)  # Python makes it KeyboardInterrupt again after exec
            if prctl is not None:
                prctl(_PR_SET_PDEATHSIG, kill, 0, 0, 0)
                if os.getppid() != parent:  # the parent died before the signal was armed
                    os.kill(os.getpid(), kill)
            for which, values in rlimits:
                setrlimit(which, values)

        return hook

    def arm_parent_death_signal(self, parent: int) -> bool:
        """In a process of ours that changed user (the jail): arm the parent-death signal again (Linux); whether
        ``parent`` is still our parent, so that the signal will come when it dies."""
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        return os.getppid() == parent

    def resource_limits(self, cpu_seconds, memory_bytes, processes, file_bytes, threads_of_user) -> list:
        """(resource, (soft, hard)) pairs for ``setrlimit``, computed before the fork (the hook must not compute)."""
        import math
        import resource

        pairs = []
        if cpu_seconds is not None:
            # The hard value is one second on: SIGXCPU first (a reason we can name), then SIGKILL.
            seconds = max(1, math.ceil(cpu_seconds))
            pairs.append((resource.RLIMIT_CPU, (seconds, seconds + 1)))
        if memory_bytes is not None:
            pairs.append((resource.RLIMIT_AS, (int(memory_bytes),) * 2))
        if processes is not None:
            already = 0 if os.geteuid() == 0 else threads_of_user(os.getuid())
            pairs.append((resource.RLIMIT_NPROC, (already + int(processes),) * 2))
        if file_bytes is not None:
            pairs.append((resource.RLIMIT_FSIZE, (int(file_bytes),) * 2))
        return pairs

    # stopping

    def signal_tree(self, pid: int, sig: int) -> None:
        """Send ``sig`` to the tree (process group) ``pid`` leads; never to ours or to init, never an error if it
        has gone."""
        if pid <= 1 or pid == os.getpgrp():
            return
        try:
            os.killpg(pid, sig)
        except (ProcessLookupError, PermissionError):
            pass

    def interrupt_tree(self, pid: int) -> None:
        """What Ctrl-C does at a terminal, to the tree ``pid`` leads."""
        self.signal_tree(pid, signal.SIGINT)

    def kill_tree(self, pid: int) -> None:
        self.signal_tree(pid, signal.SIGKILL)

    def kill_guarded(self, name: str) -> None:
        """In the guard: kill the tree the guard knows as ``name`` (:meth:`tree_started`)."""
        if name.isdigit():
            self.kill_tree(int(name))

    def kill_user(self, uid: int) -> None:
        """Kill every process of user ``uid`` (never root): ``kill(-1)`` sent as that user, from a child of ours.

        The kernel signals all of the user's processes in one pass that new forks cannot slip through, whatever
        group or session they moved to. Only root can become another user; for anyone else this does nothing.
        """
        if uid <= 0 or os.geteuid() != 0:
            return
        pid = os.fork()
        if pid == 0:  # the child: become the user, signal everything it owns, and go (nothing else runs here)
            try:
                os.setgroups([])
                os.setgid(uid)
                os.setuid(uid)
                os.kill(-1, signal.SIGKILL)  # all but itself
            except BaseException:
                pass
            finally:
                # Ended by the kernel, not by an exit: a fork of a process with threads must run no exit hook, and
                # os._exit can carry one (coverage.py's saves its data there, and waited forever on a lock another
                # thread of the parent held at the fork).
                os.kill(os.getpid(), signal.SIGKILL)
                os._exit(0)
        os.waitpid(pid, 0)

    def is_root(self) -> bool:
        return os.geteuid() == 0

    def user_id(self) -> int | None:
        return os.getuid()

    # the guard

    def guard_argv(self) -> list[str]:
        # The standard library only: quick to start, and nothing of the environment can break it.
        return [sys.executable, "-I", "-S", str(Path(__file__).resolve()), GUARD_FLAG]

    def guard_options(self) -> dict:
        return {"start_new_session": True}  # a Ctrl-C or a hang-up of our terminal must not reach it

    def parent_alive(self, parent: int) -> bool:
        return os.getppid() == parent  # a child whose parent is gone is adopted: its parent id changes


# -- trees of processes: portable (Windows) --------------------------------------------------------------------


class Portable:
    """Trees found by an environment marker and psutil; console control events for an interrupt (Windows)."""

    name = "portable"
    resource_limits_here = False
    stop_signals = ("SIGTERM", "SIGBREAK", "SIGHUP")
    replace = staticmethod(_replace_patiently)
    move_into_place = staticmethod(_rename_onto_empty)
    exclusive_lock = staticmethod(_filelock_exclusive)  # LockFileEx
    reader_writer_lock = staticmethod(_filelock_reader_writer)
    #: How long :meth:`kill_tree` goes on finding and killing processes of a tree that is still starting some.
    KILL_PATIENCE = 30.0

    def __init__(self):
        import threading  # lazy: only the portable way keeps a lock of its own

        self._lock = threading.Lock()
        self._markers: dict[int, str] = {}
        self._windows = hasattr(signal, "CTRL_BREAK_EVENT")

    def child_options(self, env: dict, rlimits: Sequence = ()) -> dict:
        if rlimits:
            raise NotSupportedHere("Limits on a child's CPU time, memory and processes need Linux or macOS; "
                                   "grade submissions there.")
        import secrets

        env = {**env, TREE_MARKER: f"{os.getpid()}-{secrets.token_hex(8)}"}
        import subprocess  # lazy: the portable way only, when it starts a child

        flags = getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0)  # Windows: its own console group, for Ctrl-Break
        return {"env": env, **({"creationflags": flags} if flags else {})}

    def share_our_session(self, env: dict) -> dict:
        return env  # no sessions to share: a tree is found by its marker

    def tree_started(self, pid: int, options: dict) -> str:
        marker = options["env"][TREE_MARKER]
        with self._lock:
            self._markers[pid] = marker
        return f"t{marker}"

    def tree_forgotten(self, pid: int) -> None:
        with self._lock:
            self._markers.pop(pid, None)

    def arm_parent_death_signal(self, parent: int) -> bool:
        raise NotSupportedHere("The parent-death signal exists on Linux only.")

    def stopped_as_asked(self, code: int) -> bool:
        """On Windows the ask is a Ctrl-Break, which ends a process that does not catch it with
        STATUS_CONTROL_C_EXIT, and the kill after it is psutil's TerminateProcess, with code 15."""
        if self._windows:
            return code in (0, STATUS_CONTROL_C_EXIT, TERMINATED_ON_WINDOWS)
        return code in (0, -signal.SIGTERM)

    @staticmethod
    def process_running(pid: int) -> bool:
        import psutil

        try:
            return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
        except (psutil.Error, OSError):
            return False

    def lower_priority(self, pid: int, by: int, idle: bool) -> str:
        """Windows has priority classes, not nice values: any lowering is "below normal" (``idle`` is Linux's)."""
        import psutil

        try:
            proc = psutil.Process(pid)
            below = getattr(psutil, "BELOW_NORMAL_PRIORITY_CLASS", None)
            proc.nice(below if below is not None else min(19, proc.nice() + by))
        except psutil.NoSuchProcess:
            raise ProcessLookupError(pid) from None
        except psutil.AccessDenied:
            raise PermissionError(pid) from None
        return "nice"

    def resource_limits(self, cpu_seconds, memory_bytes, processes, file_bytes, threads_of_user) -> list:
        if (cpu_seconds, memory_bytes, processes, file_bytes) == (None,) * 4:
            return []
        raise NotSupportedHere("Limits on a child's CPU time, memory and processes need Linux or macOS; "
                               "grade submissions there.")

    def _marker(self, pid: int) -> str | None:
        with self._lock:
            return self._markers.get(pid)

    @staticmethod
    def members(marker: str, own_group_only: bool = False) -> list:
        """The live processes of the tree ``marker`` names: those carrying the marker, and everything below them
        (a child may start its own with a clean environment). Never us.

        ``own_group_only``: not the trees below that tito started in groups of their own (another marker), as a
        Windows console event reaches only its own group."""
        import psutil

        me = os.getpid()
        found = {proc.pid: proc for proc in _carrying(TREE_MARKER, marker)}
        below = {}
        for proc in list(found.values()):
            try:
                below.update({child.pid: child for child in proc.children(recursive=True) if child.pid != me})
            except (psutil.Error, OSError):
                continue
        if own_group_only:
            foreign = set()
            for pid, child in below.items():
                with contextlib.suppress(psutil.Error, OSError):
                    if child.environ().get(TREE_MARKER) not in (None, marker):
                        foreign.add(pid)
            for pid, child in list(below.items()):
                with contextlib.suppress(psutil.Error, OSError):
                    if pid in foreign or foreign & {p.pid for p in child.parents()}:
                        del below[pid]
        found.update(below)
        alive = []
        for proc in found.values():
            try:
                if proc.status() != psutil.STATUS_ZOMBIE:
                    alive.append(proc)
            except (psutil.Error, OSError):
                continue
        return alive

    def signal_tree(self, pid: int, sig: int) -> None:
        """Send ``sig`` to the tree ``pid`` leads; never an error if it has gone. On Windows the signals that ask
        a process to stop (SIGINT, SIGTERM) are a Ctrl-Break to its console group, which tito unwinds on."""
        import psutil

        if sig == getattr(signal, "SIGKILL", None):
            self.kill_tree(pid)
            return
        if self._windows:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.CTRL_BREAK_EVENT)
            return
        marker = self._marker(pid)
        for proc in self.members(marker, own_group_only=True) if marker else ():
            with contextlib.suppress(psutil.Error, OSError):
                proc.send_signal(sig)

    def interrupt_tree(self, pid: int) -> None:
        self.signal_tree(pid, signal.SIGINT)

    def kill_tree(self, pid: int) -> None:
        marker = self._marker(pid)
        if marker is not None:
            self.kill_marked_tree(marker)

    def kill_marked_tree(self, marker: str) -> None:
        """Kill every process of the tree ``marker`` names, again until none is left (a process may start
        another between our look and our kill), for up to :data:`KILL_PATIENCE` seconds.

        Each pass freezes what it found before it kills any of it: a frozen process starts nothing more, so a
        tree that keeps starting processes (a loop of ``Popen``) cannot outrun the passes, however slow they are
        on a loaded machine."""
        _kill_until_gone(lambda: self.members(marker), self.KILL_PATIENCE)

    def kill_guarded(self, name: str) -> None:
        if name.startswith("t") and len(name) > 1:
            self.kill_marked_tree(name[1:])

    def kill_user(self, uid: int) -> None:
        """No jailed users here (the jail is Linux's): nothing to do."""

    def is_root(self) -> bool:
        return bool(hasattr(os, "geteuid") and os.geteuid() == 0)

    def user_id(self) -> int | None:
        return os.getuid() if hasattr(os, "getuid") else None

    def guard_argv(self) -> list[str]:
        # Not -S: the guard finds the trees with psutil, from this environment's site-packages.
        return [sys.executable, "-I", str(Path(__file__).resolve()), GUARD_FLAG]

    def guard_options(self) -> dict:
        import subprocess  # lazy: the portable way only, when it starts its guard

        flags = getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0)  # Windows: Ctrl-C in our console skips it
        return {"creationflags": flags} if flags else {"start_new_session": True}

    def parent_alive(self, parent: int) -> bool:
        # Windows keeps a dead parent's id as our parent id: ask whether that process is still the one.
        import psutil

        try:
            return psutil.Process(parent).create_time() <= _START_TIME
        except psutil.Error:
            return False


def _carrying(name: str, value: str) -> list:
    """The processes (never us) whose environment has ``name=value``."""
    import psutil

    me, found = os.getpid(), []
    for proc in psutil.process_iter():
        try:
            if proc.pid != me and proc.environ().get(name) == value:
                found.append(proc)
        except (psutil.Error, OSError):
            continue
    return found


def _kill_until_gone(find: Callable[[], list], patience: float) -> int:
    """Kill what ``find`` returns, again until it returns nothing (a process may start another between our look and
    our kill), for up to ``patience`` seconds; how many kills it took. Each pass freezes what it found before it
    kills any of it (a frozen process starts nothing more, so a loop of ``Popen`` cannot outrun the passes on a
    loaded machine), then waits for them to end, without reaping them (the Popen of a child of ours would then
    never learn its exit code): a SIGKILL takes a moment to land."""
    import psutil

    deadline, killed = time.monotonic() + patience, 0
    while True:
        procs = [proc for proc in find() if _running(proc)]
        if not procs or time.monotonic() > deadline:
            return killed
        for proc in procs:
            with contextlib.suppress(psutil.Error, OSError):
                proc.suspend()
        for proc in procs:
            with contextlib.suppress(psutil.Error, OSError):
                proc.kill()
                killed += 1
        ending = time.monotonic() + 0.5
        while time.monotonic() < ending and any(_running(p) for p in procs):
            time.sleep(0.01)


def kill_marked(name: str, value: str, patience: float = 30.0) -> int:
    """Kill every process (and what it started) whose environment has ``name=value``, until none is left running
    (a stray that left its group; a job's processes), for up to ``patience`` seconds; how many kills it took."""

    def marked_and_below() -> list:
        found = {proc.pid: proc for proc in _carrying(name, value)}
        for proc in list(found.values()):
            with contextlib.suppress(Exception):
                found.update({child.pid: child for child in proc.children(recursive=True)
                              if child.pid != os.getpid()})
        return list(found.values())

    return _kill_until_gone(marked_and_below, patience)


def _running(proc) -> bool:
    """Whether the psutil process ``proc`` still runs (a zombie, dead but not reaped, does not)."""
    import psutil

    try:
        return proc.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


_START_TIME = time.time()

#: The way of this system, chosen once.
SYSTEM: Posix | Portable = (
    Portable() if os.name == "nt" or os.environ.get("TITO_PLATFORM") == "portable" else Posix())

#: The names of the signals, besides Ctrl-C's SIGINT, that mean "stop, cleaning up as for Ctrl-C" here (only those
#: this system has).
STOP_SIGNALS: tuple[str, ...] = tuple(name for name in SYSTEM.stop_signals if hasattr(signal, name))
#: Whether a child's CPU time, memory, processes and file size can be limited here (:func:`resource_limits`).
RESOURCE_LIMITS: bool = SYSTEM.resource_limits_here
#: Whether the jail of :mod:`.engine.sandbox` (mount namespaces, chroot, the parent-death signal) exists here.
JAIL_HERE: bool = isinstance(SYSTEM, Posix) and sys.platform.startswith("linux")
#: Whether a warm process (numpy and pytest imported) may fork a child for each submission: Linux. Windows cannot
#: fork; macOS's system libraries (Accelerate, the Objective-C runtime) are not safe in a fork of a threaded parent.
WARM_FORK_HERE: bool = isinstance(SYSTEM, Posix) and sys.platform.startswith("linux") and hasattr(os, "fork")
#: Whether a process can be run under the idle policy (Linux's SCHED_IDLE: a core only when nothing else wants it).
IDLE_SCHEDULING_HERE: bool = isinstance(SYSTEM, Posix) and hasattr(os, "SCHED_IDLE")
#: Whether the terminal is a stream of text, so that rich's output can be remembered as text (cli/memo.py): a
#: Windows console may be written through its API instead.
CONSOLE_IS_TEXT: bool = os.name != "nt"


def child_options(env: dict, rlimits: Sequence = ()) -> dict:
    """``subprocess.Popen`` (or ``asyncio.create_subprocess_exec``) arguments, ``env`` included, that start a child
    at the head of a tree of its own, and (POSIX) with the ``rlimits`` pairs of :func:`resource_limits`. Call
    :func:`tree_started` with the child's pid and these options once it runs."""
    return SYSTEM.child_options(env, rlimits)


def share_our_session(env: dict) -> dict:
    """``env`` for a tree that is to stay in our session, where we lead a session of our own (on Linux; elsewhere,
    or in a session we do not lead, ``env`` as it is): the server's jobs.

    Where autogroups are in effect (:func:`sessions_weighed_apart`) the kernel weighs sessions against each other
    before processes, and a job leading a session of its own competes with the server as an equal whatever its
    priority: it took the server's core for a tick at a time (bench/server_latency, two busy jobs: `GET version`
    p99 6.5-8.8 ms, `GET modules` 9.5-11 ms). In the server's session its idle policy puts it behind the server
    alone (0.8-1.7 ms and 6.2-8.0 ms in the same hour); a kernel still leads a session of its
    own and cannot starve it. Only where the server leads its session (a JupyterHub spawner's, a service's):
    in someone else's (a terminal's shell, a test run's workers) the session is not the server's to give, and a
    job there would wait behind whatever else runs in it. The tree's own children stay too: the environment
    (:data:`TREE_SESSION`) says so while they are still in this session.
    """
    return SYSTEM.share_our_session(env)


def tree_started(pid: int, options: dict) -> str:
    """Remember the tree the child ``pid`` leads; return the name the guard knows it by."""
    return SYSTEM.tree_started(pid, options)


def tree_forgotten(pid: int) -> None:
    SYSTEM.tree_forgotten(pid)


def signal_tree(pid: int, sig: int) -> None:
    """Send ``sig`` to the tree ``pid`` leads (SIGKILL is :func:`kill_tree`), never an error if it has gone."""
    SYSTEM.signal_tree(pid, sig)


def interrupt_tree(pid: int) -> None:
    """What Ctrl-C at a terminal does, to the tree ``pid`` leads: tito unwinds, writes its result, and exits."""
    SYSTEM.interrupt_tree(pid)


def kill_tree(pid: int) -> None:
    """Kill every process of the tree ``pid`` leads, the leader included, wherever its processes went."""
    SYSTEM.kill_tree(pid)


def ask_to_stop(pid: int) -> None:
    """Ask the single process ``pid`` (not its tree) to stop as on Ctrl-C: SIGTERM on POSIX, where tito unwinds
    on it; on Windows, where no signal can reach a process started elsewhere, it is ended outright."""
    import psutil

    psutil.Process(pid).send_signal(signal.SIGTERM)


def process_running(pid: int) -> bool:
    """Whether process ``pid`` runs (a zombie does not). Never ``os.kill(pid, 0)`` elsewhere: on Windows any
    signal but the console's two ends the process."""
    return SYSTEM.process_running(pid)


def ended_unreaped(pid: int) -> bool | None:
    """Whether our child ``pid`` has ended, without reaping it (``waitid(WNOWAIT)``: an unreaped leader keeps its
    group id from being reused); None where that cannot be told (Windows, macOS before Python 3.13, a child
    reaped elsewhere): ask its ``Popen.poll()`` then."""
    if not hasattr(os, "waitid") or not isinstance(SYSTEM, Posix):
        return None
    try:
        return os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT | os.WNOHANG) is not None
    except ChildProcessError:
        return None


def sleep_until_ended(pid: int, timeout: float) -> bool:
    """Sleep until our unreaped child ``pid`` ends, or ``timeout`` seconds pass, woken the moment it ends (Linux's
    pidfd, which does not reap it); False at once where that cannot be done (then the caller polls)."""
    if not hasattr(os, "pidfd_open"):
        return False
    try:
        fd = os.pidfd_open(pid)
    except OSError:  # an older kernel, a sandbox that refuses it
        return False
    try:
        import select

        select.select([fd], [], [], max(0.0, timeout))
    except (OSError, ValueError, OverflowError):  # a descriptor past select's limit, a timeout too long for it
        return False
    finally:
        os.close(fd)
    return True


def sessions_weighed_apart() -> bool:
    """Whether the kernel shares the CPU between sessions before processes (Linux's autogroups in effect): then a
    job is weighed only against what shares its session, and the idle policy keeps it out of the server's way
    without starving it. In the server's session (:func:`share_our_session`) only the server is ahead of it, and a
    kernel, which leads a session of its own, cannot starve it; in a session of its own, the policy still gives
    the server the core at once when it wakes. Elsewhere (autogroups off, or the server in a cgroup of its own, as
    under systemd, Docker or Kubernetes) niceness works, and the idle policy would let a busy kernel of the same
    cgroup starve the job.
    """
    def read(path: str) -> str | None:
        try:
            with open(path, encoding="ascii", errors="replace") as f:
                return f.read()
        except OSError:
            return None

    if not IDLE_SCHEDULING_HERE:
        return False
    return autogroups_in_effect(read("/proc/sys/kernel/sched_autogroup_enabled"), read("/proc/self/cgroup"),
                                os.path.exists("/sys/fs/cgroup/cpu.weight"))


def autogroups_in_effect(enabled: str | None, cgroups: str | None, cgroup_has_cpu_weight: bool) -> bool:
    """The rule of :func:`sessions_weighed_apart`, from ``/proc/sys/kernel/sched_autogroup_enabled``,
    ``/proc/self/cgroup`` and whether our cgroup (v2) has a ``cpu.weight``: autogroups apply only to processes
    that the CPU controller leaves in the root group."""
    if (enabled or "").strip() != "1" or cgroups is None:
        return False
    lines = [line.split(":", 2) for line in cgroups.splitlines() if line.count(":") >= 2]
    for _, controllers, path in lines:
        if "cpu" in controllers.split(","):  # cgroup v1
            return path == "/"
    for number, _, path in lines:
        if number == "0":  # cgroup v2: a cgroup the CPU controller weighs has cpu.weight (a container's does)
            return path == "/" and not cgroup_has_cpu_weight
    return True  # no CPU controller at all: every process is in the root group


def lower_priority(pid: int, by: int, idle: bool = False) -> str:
    """Run process ``pid`` (and what it starts after) ``by`` steps of niceness below its priority now; on Windows
    in the "below normal" class. With ``idle``, where the system has it (:data:`IDLE_SCHEDULING_HERE`), also under
    the idle policy: it then gets a core only when no other process of its group wants it. Returns the way it took, ``"idle"``
    or ``"nice"``; ProcessLookupError if it has gone, PermissionError if the system refuses.

    Niceness alone is not enough on Linux where autogroups are in effect (:func:`sessions_weighed_apart`: a process
    the CPU controller leaves in the root cgroup): processes are weighed against each other by session first.
    A job in the server's session (:func:`share_our_session`) under the idle policy gets a core only when the
    server does not want it; a job in a session of its own competes with the server as an equal whatever its
    niceness, and the idle policy's one effect across sessions is on wake-ups (bench/server_latency, two busy
    jobs: status p99 13.5 ms, 15.7 with niceness alone, in the same minutes; 6.2-8.0 ms in the server's
    session)."""
    return SYSTEM.lower_priority(pid, by, idle)


def crash() -> None:
    """End this process at once, as a crash would: no ``finally``, no ``atexit``, nothing flushed (a test hook).
    SIGKILL on POSIX; on Windows ``os.kill`` with any such signal is TerminateProcess."""
    os.kill(os.getpid(), getattr(signal, "SIGKILL", 9))


def move_into_place(src, dst) -> None:
    """Rename the folder ``src`` to ``dst``, a free name or an empty folder; anything in ``dst`` makes it fail,
    and then nothing is lost. (POSIX replaces an empty folder in the rename; Windows renames onto no folder that
    exists, so an empty one is removed first.)"""
    SYSTEM.move_into_place(src, dst)


def kill_user(uid: int) -> None:
    """Kill every process of the (jailed) user ``uid``; nothing where there are no jailed users."""
    SYSTEM.kill_user(uid)


def is_root() -> bool:
    """Whether we run as root (never on Windows)."""
    return SYSTEM.is_root()


def user_id() -> int | None:
    """Our user's id, or None where users have no numeric id (Windows)."""
    return SYSTEM.user_id()


def start_session() -> None:
    """In a freshly forked child: become the head of a tree of its own (a new session and process group), as
    :func:`child_options` makes a started child outside a shared session. POSIX only: a Windows process cannot
    fork."""
    os.setsid()


def _tree_head_step() -> Callable[[], None]:
    """:func:`head_a_tree` with what it needs prepared, to run in a child between fork and exec."""
    import errno
    import fcntl
    import termios

    return functools.partial(head_a_tree, fcntl.ioctl, termios.TIOCNOTTY, errno.ENXIO)


def head_a_tree(ioctl, give_up_terminal: int, no_terminal: int) -> None:
    """(Linux, in a child before it runs anything) Lead a process group of our own in the parent's session, having
    given up the controlling terminal if there is one; where it cannot be given up (or not told), lead a session
    of our own instead.

    A process group is what the tree's signals go to. Without the terminal, nothing in the tree hears the
    terminal's Ctrl-C or hang-up, stops on reading it, or pushes keystrokes into it (``TIOCSTI``): what a session
    of its own gives. ``ioctl``, ``give_up_terminal`` (``TIOCNOTTY``) and ``no_terminal`` (``ENXIO``) are passed
    in: nothing is imported between fork and exec.
    """
    try:
        fd = os.open("/dev/tty", os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
    except OSError as exc:
        if exc.errno != no_terminal:  # there may be a terminal, and no way to it: the old way
            os.setsid()
            return
        fd = None  # no controlling terminal: nothing to give up
    if fd is not None:
        try:
            ioctl(fd, give_up_terminal)  # a process that leads no session loses only its own tie to it
        except OSError:
            os.setsid()
            return
        finally:
            os.close(fd)
    os.setpgid(0, 0)


def stopped_as_asked(code: int) -> bool:
    """Whether a child's exit code says it ended by itself or because we asked it to stop (``processes.stop``
    with SIGTERM): what `tito dev serve` reports as a clean stop of JupyterLab."""
    return SYSTEM.stopped_as_asked(code)


def arm_parent_death_signal(parent: int) -> bool:
    """Arm the parent-death signal again (Linux, after a change of user); whether ``parent`` is still there."""
    return SYSTEM.arm_parent_death_signal(parent)


def resource_limits(cpu_seconds=None, memory_bytes=None, processes=None, file_bytes=None,
                    threads_of_user: Callable[[int], int] = lambda uid: 0) -> list:
    """The kernel's resource limits for a child, as :func:`child_options` takes them; where there are none
    (Windows), :class:`NotSupportedHere` says so in a sentence."""
    return SYSTEM.resource_limits(cpu_seconds, memory_bytes, processes, file_bytes, threads_of_user)


def replace(src, dst) -> None:
    """``os.replace(src, dst)``: one atomic step; on Windows tried again for a moment while ``dst`` is held open."""
    SYSTEM.replace(src, dst)


#: The ending of every temporary file tito writes beside a target before it replaces the target.
TEMP_SUFFIX = ".tito-tmp"
_TEMP_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)


def temp_beside(path) -> str:
    """The name of a new temporary file beside ``path``: ``.<name>.<our pid>-<random>.tito-tmp``.

    The name is chosen before the file is made, so a writer can make it inside its ``try`` and remove it by name
    whatever moment an interrupt lands at (``tempfile.mkstemp`` makes the file before it returns its name: a
    Ctrl-C in between left a stray). The pid says whose it is: :func:`sweep_temp_files` removes the strays of
    writers that are gone, never a running writer's file.
    """
    folder, name = os.path.split(os.fspath(path))
    return os.path.join(folder, f".{name}.{os.getpid()}-{os.urandom(6).hex()}{TEMP_SUFFIX}")


def open_temp(tmp: str) -> int:
    """Make the temporary file ``tmp`` (:func:`temp_beside`), readable by the course's other users (0644), for
    writing; a file of that name already there is an error, never followed or reused."""
    fd = os.open(tmp, _TEMP_FLAGS, 0o644)
    with contextlib.suppress(OSError, AttributeError):  # not on Windows; a umask of 077 would keep it 0600
        os.fchmod(fd, 0o644)
    return fd


def temp_writer(name: str) -> int | None:
    """The pid of the process that wrote the temporary file ``name`` (:func:`temp_beside`), or None."""
    if not name.endswith(TEMP_SUFFIX):
        return None
    owner = name[:-len(TEMP_SUFFIX)].rpartition(".")[2].partition("-")[0]
    return int(owner) if owner.isascii() and owner.isdigit() else None


def sweep_temp_files(folder, recursive: bool = False, only_of=None) -> list[str]:
    """Remove the temporary files in ``folder`` whose writer is gone (killed mid-write), and return their paths.

    A file whose writer still runs is left to it; so is one without a writer in its name (one tito made before
    names carried it: the export and ``system clean`` remove those). ``only_of``: the target name whose
    temporary files alone are looked at. A folder that is missing or unreadable has none.
    """
    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    prefix = f".{only_of}." if only_of is not None else "."
    for entry in entries:
        if recursive and entry.is_dir(follow_symlinks=False):
            removed += sweep_temp_files(entry.path, recursive=True, only_of=only_of)
            continue
        writer = temp_writer(entry.name) if entry.name.startswith(prefix) else None
        if writer is None or writer == os.getpid() or process_running(writer):
            continue
        with contextlib.suppress(FileNotFoundError):  # another sweep this moment
            os.unlink(entry.path)
            removed.append(entry.path)
    return removed


def write_cache_json(path, data, make_parents: bool = False) -> bool:
    """Write ``data`` as compact JSON to ``path`` whole or not at all, never raising: the one writer of tito's caches
    (the course cache, the render memo, the help memo, the no-op export's receipt), which a later run may use and may as well rebuild.

    The text goes to a temporary file beside ``path``, then :func:`replace` puts it in place, so a reader sees the
    old file or the new one. A folder that cannot be made or written, a full disk: False, nothing left behind.
    ``make_parents``: make the folders above ``path``'s own too (a per-user cache under ``~/.cache``); otherwise only
    ``path``'s folder is made, and only if its parent exists (``.tito/`` of a course that does). json
    is imported here, when a cache is written, never by the quick commands that only read one.
    """
    import json

    folder = os.path.dirname(os.fspath(path))
    try:
        text = json.dumps(data, separators=(",", ":"))  # ASCII: a surrogate in a text is escaped, never an error
        if make_parents:
            os.makedirs(folder, exist_ok=True)
        else:
            with contextlib.suppress(FileExistsError):  # made already, or by another run this moment
                os.mkdir(folder)
    except (OSError, ValueError, TypeError):
        return False
    tmp = temp_beside(path)
    try:
        with os.fdopen(open_temp(tmp), "wb") as out:
            out.write(text.encode("ascii"))
        replace(tmp, path)
        return True
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        return False
    except BaseException:  # Ctrl-C or SIGTERM mid-write: the old file stays, and nothing beside it
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


#: Flags for ``os.open`` that exist only on some systems (0 elsewhere): do not follow a symbolic link; do not
#: wait (a FIFO).
O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
O_NONBLOCK = getattr(os, "O_NONBLOCK", 0)


# -- the guard --------------------------------------------------------------------------------------------------


def start_guard() -> subprocess.Popen:
    """Start a guard for this process (see the module's docstring); its stdin is the pipe to tell it of trees."""
    import subprocess  # here: a read-only command (`tito list`) never starts a guard

    return subprocess.Popen(SYSTEM.guard_argv(), stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, **SYSTEM.guard_options())


def guard_main(system: Posix | Portable = SYSTEM) -> None:
    """The guard process: keep the list of live trees and jailed users; when the parent is gone, kill them all.

    Lines on stdin: ``+NAME`` / ``-NAME``, NAME a tree's name (:func:`tree_started`) or ``u`` and a jailed uid.
    """
    for name in ("SIGINT", "SIGHUP", "SIGBREAK"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_IGN)
    parent = os.getppid()
    names: set[str] = set()
    import threading  # here: only the guard process runs this

    lock = threading.Lock()
    closed = threading.Event()

    def read() -> None:
        pending = b""
        while True:
            chunk = os.read(0, 65536)
            if not chunk:
                break  # the pipe closed: the parent exited, normally or not
            pending += chunk
            *lines, pending = pending.split(b"\n")
            with lock:
                for line in lines:
                    sign, name = line[:1].decode("ascii", "replace"), line[1:].decode("ascii", "replace")
                    if sign in "+-" and sign and name.replace("-", "").isalnum():
                        (names.add if sign == "+" else names.discard)(name)
        closed.set()

    threading.Thread(target=read, daemon=True).start()
    while not closed.wait(GUARD_CHECK) and system.parent_alive(parent):
        pass
    with lock:
        left = sorted(names)
    for name in left:
        if name.startswith("u") and name[1:].isdigit():
            system.kill_user(int(name[1:]))
        else:
            system.kill_guarded(name)


if __name__ == "__main__" and sys.argv[1:] == [GUARD_FLAG]:
    guard_main()
