"""Warm graders: a parent process that imported Python's heavy parts once, and forks one child per submission.

Grading a submission with a fresh ``python -m pytest`` spends about a second (more on a busy machine) starting
Python and importing NumPy and pytest, longer than the module's tests take. A warm grader is a process that
did those imports once (NumPy, pytest and its built-in plugins, tito's report plugin, the modules the course's
tests import); for each submission it ``fork``\\ s a child that starts where the imports left off. The child,
before any of the submission's code runs:

- starts a session of its own and dies with the warm parent (the parent-death signal);
- sends its output to the run's log file, closes every other descriptor it inherited (the parent's pipes);
- sets the submission's resource limits (:class:`.processes.Limits`), enters its jail as root does through
  :mod:`.jail_launcher` (:func:`.jail_launcher.enter`: mount namespace, ``chroot``, the jailed user) and takes
  the submission's clean environment (no variable of the parent's is left);
- runs ``pytest.main`` with the arguments a fresh ``python -m pytest`` would get, and exits with its code.

So each submission still runs in its own scratch folder, as its own user, with its limits, timeout and clean
environment. Nothing it does reaches the warm parent or the next submission: its imports, ``sys.modules``,
monkeypatches of NumPy, threads and ``atexit`` hooks live in its own copy of the memory and end with it
(``os._exit``: no hook runs); its files are in its scratch folder and its own ``/tmp``; its processes are its
user's, and swept. The parent itself never runs a line of a submission, never imports anything after it has
warmed up, and holds no token or path of the instructor's (it starts with a clean environment).

Each thread that grades (a local pool's, a Dask worker's) has a warm parent of its own, serving one
submission at a time; :func:`runner` gives the thread's, starting it if needed (and again if it died).
``tito nbgrader autograde`` uses them where ``fork`` exists (Linux); elsewhere a fresh process per submission.
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import threading
import time
from functools import partial
from pathlib import Path

from ... import platform
from .. import processes

#: Imported by every warm parent: what every module's tests use.
WARM_MODULES = ("numpy", "pytest", "tito_jupyter.engine.jail_launcher")  # not tito's pytest plugin: pytest rewrites it
#: How long a warm parent may take to import what it preloads (a busy machine) before it counts as broken.
START_TIMEOUT = 120.0
_HERE = str(Path(__file__).resolve().parents[3])  # the folder that holds the tito_jupyter package


def available() -> bool:
    """Whether submissions can be graded by a warm parent here (``fork`` in a single-threaded process: Linux)."""
    return platform.WARM_FORK_HERE


def _parent_env() -> dict[str, str]:
    """The warm parent's environment: what its imports read (one BLAS thread: a fork copies one thread), and
    nothing of ours: no token, no JUPYTER*/JPY* variable, no path of the course."""
    env = {"PATH": os.pathsep.join([processes.tools_folder(), "/usr/local/bin", "/usr/bin", "/bin"]),
           "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
           "MKL_NUM_THREADS": "1", "MPLBACKEND": "Agg", "PYTHONDONTWRITEBYTECODE": "1",
           "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    env.update({name: os.environ[name] for name in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE") if name in os.environ})
    return env


class BrokenGrader(RuntimeError):
    """The warm parent died or stopped answering (never a submission's doing: it runs none of their code)."""


class _Lines:
    """JSON lines from a pipe, read without blocking longer than asked."""

    def __init__(self, fd: int):
        self.fd, self.buffer = fd, b""

    def next(self, wait: float) -> dict | None:
        deadline = time.monotonic() + wait
        while b"\n" not in self.buffer:
            left = deadline - time.monotonic()
            if left < 0 or not select.select([self.fd], [], [], max(left, 0))[0]:
                return None
            chunk = os.read(self.fd, 65536)
            if not chunk:
                raise BrokenGrader("the warm grader ended")
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        return json.loads(line)


class WarmGrader:
    """One warm parent (a child of this thread, dying with it) and the one submission it runs at a time."""

    def __init__(self, preload: tuple[str, ...] = ()):
        modules = list(dict.fromkeys([*WARM_MODULES, *preload]))
        boot = ("import sys; sys.path.insert(0, sys.argv[1]); "
                "from tito_jupyter.engine.instructor.warm_grader import serve; serve(sys.argv[2:])")
        self.proc = processes.start([sys.executable, "-I", "-c", boot, _HERE, *modules], env=_parent_env(),
                                    stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.lines = _Lines(self.proc.stdout.fileno())
        try:
            ready = self.lines.next(START_TIMEOUT)
        except BrokenGrader:
            ready = None
        if not ready or "ready" not in ready:
            self.close()
            raise BrokenGrader(f"the warm grader did not start within {START_TIMEOUT:g} s")
        self.preloaded = ready["ready"]

    def alive(self) -> bool:
        return self.proc.poll() is None

    def run(self, cmd, *, cwd, env, timeout=None, output=None, on_tick=None, limits=None, jail=None,
            on_line=None) -> processes.Finished:
        """:func:`processes.run` for ``python -m pytest ARGS`` (``cmd``), in a fork of the warm parent that enters
        ``jail`` (a :class:`.sandbox.Jail`, or None); ``output`` is the file its output goes to."""
        if cmd[1:3] != ["-m", "pytest"] or output is None or on_line is not None:
            raise ValueError("a warm grader runs `python -m pytest` with its output to a file")
        if processes.cancel_requested():
            raise processes.Cancelled("stopped before it started")
        env = processes.child_env(env)
        # As `python -m pytest` with PYTHONPATH would have it: the working folder first, then PYTHONPATH.
        path = [str(cwd), *[p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]]
        request = {"argv": list(cmd[3:]), "cwd": str(cwd), "env": env, "path": path, "output": output.name,
                   "rlimits": limits.rlimits() if limits is not None else [],
                   "jail": jail.spec() if jail is not None else None}
        started = time.monotonic()
        try:
            os.write(self.proc.stdin.fileno(), json.dumps(request).encode() + b"\n")
        except OSError as exc:
            raise BrokenGrader(f"the warm grader ended ({exc})") from None
        forked = self.lines.next(START_TIMEOUT)
        if not forked or "pid" not in forked:
            raise BrokenGrader("the warm grader did not start the submission's tests")
        pid, cap = forked["pid"], limits.output_bytes if limits is not None else None
        end: list[dict] = []  # the parent's line that says how the fork ended, once it has

        def ended(wait: float) -> bool:
            line = self.lines.next(wait)
            if line is not None:
                end.append(line)
            return bool(end)

        def over_cap() -> bool:
            return processes.file_over_cap(output, cap)

        try:  # the same watch as processes.run's: one rule for timeouts, floods and a stopping pool
            stopped_by = processes.supervise(ended, started=started, timeout=timeout, on_tick=on_tick,
                                             over_cap=over_cap)
        finally:  # a timeout, a flood, Ctrl-C, an error of ours: the child's session goes, then its end is read
            if not end:
                processes.kill_group(pid)
                ended(30.0)
                if not end:
                    self.close()  # it does not answer: it goes, and the thread gets a new one next time
        if not end:
            raise BrokenGrader("the warm grader did not say how the submission's tests ended")
        return processes.outcome(int(end[0]["exit"]), started, stopped_by, over_cap)

    def close(self) -> None:
        if self.proc.stdin and not self.proc.stdin.closed:
            try:
                self.proc.stdin.close()  # the parent ends on end of input
            except OSError:
                pass
        processes.exited(self.proc, 5.0)  # a moment to finish by itself; then it and its group go
        processes.stop(self.proc)
        if self.proc.stdout:
            self.proc.stdout.close()


_local = threading.local()
_all: list[WarmGrader] = []
_all_lock = threading.Lock()


def runner(jail, preload: tuple[str, ...] = ()):
    """This thread's warm grader's :meth:`WarmGrader.run`, bound to ``jail``; a new grader if it has none alive."""
    grader = getattr(_local, "grader", None)
    if grader is None or not grader.alive():
        if grader is not None:
            grader.close()  # it died (killed from outside): its pipes and its group go too
        grader = _local.grader = WarmGrader(preload)
        with _all_lock:
            _all[:] = [g for g in _all if g.alive()] + [grader]
    return partial(grader.run, jail=jail)


def close_all() -> None:
    """End every warm grader of this process (a local run's, when it is done)."""
    with _all_lock:
        graders, _all[:] = list(_all), []
    for grader in graders:
        grader.close()


# -- the warm parent (runs as `python -I -c ...`, started by WarmGrader) ----------------------------------------


def serve(preload: list[str]) -> None:
    """Import ``preload``, say ready, then fork one child per request line until the input ends."""
    import importlib

    requests, answers = os.dup(0), os.dup(1)
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)  # what an import prints goes nowhere: the pipes carry the protocol alone
    sys.dont_write_bytecode = True
    loaded = []
    installed = tuple(os.path.join(p, "") for p in {sys.prefix, sys.base_prefix, sys.exec_prefix})
    for name in preload:
        try:
            if name not in WARM_MODULES and not _installed(name, installed):
                continue  # not an installed package: it may be the submission's own (a helper beside the tests)
            importlib.import_module(name)
            loaded.append(name)
        except Exception:  # noqa: BLE001 (a course's test dependency that is missing here fails in its tests)
            continue
    if "pytest" in loaded:
        import _pytest.config

        for plugin in _pytest.config.default_plugins:  # what pytest.main imports, imported once here
            try:
                importlib.import_module(f"_pytest.{plugin}")
            except ImportError:
                continue
    import ctypes  # noqa: F401 (imported here, for the children: platform.arm_parent_death_signal uses it)
    import resource  # noqa: F401 (imported here, for the children)

    me = os.getpid()
    os.write(answers, json.dumps({"ready": loaded}).encode() + b"\n")
    lines = os.fdopen(requests, "rb", buffering=0)
    buffer = b""
    while True:
        while b"\n" not in buffer:
            chunk = lines.read(65536)
            if not chunk:
                os._exit(0)
            buffer += chunk
        line, buffer = buffer.split(b"\n", 1)
        request = json.loads(line)
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            _child(request, me)  # never returns
        os.write(answers, json.dumps({"pid": pid}).encode() + b"\n")
        os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT)  # ended, not reaped: its group id stays ours
        platform.kill_tree(pid)  # what it left in its session
        _, status = os.waitpid(pid, 0)
        os.write(answers, json.dumps({"exit": os.waitstatus_to_exitcode(status)}).encode() + b"\n")


def _installed(name: str, prefixes: tuple[str, ...]) -> bool:
    """Whether top-level module ``name`` is part of this Python or its environment (the standard library, an
    installed package), so that importing it in the warm parent gives every child what a fresh process gets."""
    import importlib.util

    spec = importlib.util.find_spec(name)
    if spec is None:
        return False
    places = [spec.origin] if spec.origin and spec.origin not in ("built-in", "frozen") else []
    places += list(spec.submodule_search_locations or [])
    if not places:
        return spec.origin in ("built-in", "frozen")
    return all(os.path.abspath(p).startswith(prefixes) for p in places)


def _child(request: dict, parent: int) -> None:
    """One submission's tests, in a fork of the warm parent; ends the process, never returns."""
    import resource
    import traceback

    from .. import jail_launcher  # lazy: only a forked child enters the jail; the warm parent never does

    code = jail_launcher.LAUNCH_FAILED
    try:
        platform.start_session()
        if not platform.arm_parent_death_signal(parent):  # it dies with the warm parent, which must still be there
            os._exit(code)
        out = os.open(request["output"], os.O_WRONLY | os.O_APPEND)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(out, 1)
        os.dup2(out, 2)
        os.closerange(3, 1 << 20)  # the parent's pipes among them: nothing of its own reaches the submission
        for which, values in request["rlimits"]:
            resource.setrlimit(which, tuple(values))
        if request["jail"] is not None:
            jail_launcher.enter(request["jail"])
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        sys.path[:0] = request["path"]
        sys.argv = ["pytest", *request["argv"]]
        import pytest

        code = int(pytest.main(request["argv"]))
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException:  # noqa: BLE001 (the child ends here whatever happened; the log says what)
        try:
            traceback.print_exc()
        except BaseException:  # noqa: BLE001
            pass
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except BaseException:  # noqa: BLE001 (a closed or broken stream: the exit code still counts)
                pass
        os._exit(code)
