"""The one module that knows the system (``tito_jupyter/platform.py``), and the rule that no other module asks.

Windows cannot run here, but its way of handling processes is plain Python over psutil: each test of a tree of
processes runs twice, with the POSIX way (process groups and signals) and with the portable way Windows uses
(a marker in the environment, psutil's process tree), on real processes. The locks are filelock's, taken by real
processes; a replacement the system refuses for a moment is refused for real (a folder made writable late).
"""

from __future__ import annotations

import ast
import contextlib
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
import uuid
from pathlib import Path

import psutil
from process_tree import MARKER, marked
import pytest

from course_factory import numbers_notebook
from tito_jupyter import engine, platform
from tito_jupyter.engine import files, processes
from tito_jupyter.engine.context import Context

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "tito_jupyter"

#: A child that starts a grandchild (its marker inherited) and then loops forever.
TREE = textwrap.dedent("""
    import subprocess, sys
    subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    print("tree running", flush=True)
    while True:
        pass
""")


def wait_until(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        assert time.monotonic() < deadline, what
        time.sleep(0.05)


def assert_gone(tag: str, timeout: float = 20.0) -> None:
    """No process of the tree marked ``tag`` is left (waiting up to ``timeout`` s); kills any it finds."""
    deadline = time.monotonic() + timeout
    while (left := marked(tag)) and time.monotonic() < deadline:
        time.sleep(0.1)
    for proc in left:
        try:
            proc.kill()
        except psutil.Error:
            pass
    assert not left, f"still running: {[p.pid for p in left]}"


@pytest.fixture(params=[pytest.param("posix", marks=pytest.mark.posix_only), "portable"])
def system(request, monkeypatch):
    """Each test of a tree runs with both ways of this module; the portable one is Windows's. (The tests of trees
    run on POSIX: their figures are POSIX's, exit codes by signal; on Windows the rest of the suite uses the
    portable way.)"""
    chosen = platform.Posix() if request.param == "posix" else platform.Portable()
    monkeypatch.setattr(platform, "SYSTEM", chosen)
    return chosen


# -- the rule: no other module asks the system ----------------------------------------------------------------

#: What only the platform module may use: the POSIX lock call, the ways to make or signal a process group, the
#: signal that kills, Popen's system-specific options, and the file replacement Windows refuses while a file is open.
#: Besides: ``os.kill`` (on Windows, ``os.kill(pid, 0)`` to ask whether a process runs *ends* it), the priority
#: calls Windows lacks, ``waitid`` (neither Windows nor macOS before Python 3.13), renames (Windows renames onto no
#: name that exists, not even an empty folder), and the modules and calls of POSIX alone.
FORBIDDEN_MODULES = {"fcntl", "msvcrt", "pwd", "grp", "resource", "termios", "pty", "tty"}
FORBIDDEN_NAMES = {("signal", "SIGKILL"), ("os", "killpg"), ("os", "setsid"), ("os", "setpgid"), ("os", "getpgid"),
                   ("os", "replace"), ("os", "kill"), ("os", "setpriority"), ("os", "getpriority"), ("os", "waitid"),
                   ("os", "rename"), ("os", "fork"), ("os", "getuid"), ("os", "geteuid"), ("os", "getpgrp"),
                   ("os", "setuid"), ("os", "setgid"), ("os", "setgroups"), ("os", "waitpid"),
                   ("signal", "SIGHUP"), ("signal", "SIGUSR1"), ("signal", "SIGUSR2"), ("signal", "SIGCHLD"),
                   ("signal", "SIGALRM"), ("os", "sched_setscheduler"), ("os", "sched_getscheduler")}
FORBIDDEN_KEYWORDS = {"start_new_session", "preexec_fn", "creationflags"}
#: Modules that run only where the platform module says they can, and so may use what POSIX alone has: the warm
#: grader forks (``platform.WARM_FORK_HERE``); the jail's launcher runs inside the jail (``platform.JAIL_HERE``).
POSIX_ONLY_MODULES = {"engine/instructor/warm_grader.py": {"resource", "os.fork", "os.waitid", "os.waitpid"},
                      "engine/jail_launcher.py": {"os.setuid", "os.setgid", "os.setgroups"}}


def _asks_the_system(node: ast.AST) -> bool:
    """``sys.platform``/``os.name`` compared or tested, or ``hasattr(os|signal, ...)``: a question only the platform
    module asks (it answers with a named capability: ``platform.JAIL_HERE``, ``platform.STOP_SIGNALS``...)."""
    def is_system_name(n):
        return isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) \
            and (n.value.id, n.attr) in {("sys", "platform"), ("os", "name")}

    if isinstance(node, ast.Compare):
        return any(is_system_name(n) for n in (node.left, *node.comparators))
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "startswith":
        return is_system_name(node.func.value)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "hasattr" and node.args:
        return isinstance(node.args[0], ast.Name) and node.args[0].id in ("os", "signal")
    return False


def offences(source: str, allowed: set[str] = frozenset()) -> list[str]:
    """What ``source`` does that only the platform module may, one line each (``allowed``: names it may use)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        where = f"line {getattr(node, 'lineno', '?')}"
        if isinstance(node, ast.Import):
            found += [f"{where}: import {a.name}" for a in node.names
                      if a.name.split(".")[0] in FORBIDDEN_MODULES - allowed]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            top = node.module.split(".")[0]
            if top in FORBIDDEN_MODULES - allowed:
                found.append(f"{where}: from {node.module} import ...")
            found += [f"{where}: from {top} import {a.name}" for a in node.names if (top, a.name) in FORBIDDEN_NAMES]
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
                and (node.value.id, node.attr) in FORBIDDEN_NAMES and f"{node.value.id}.{node.attr}" not in allowed:
            found.append(f"{where}: {node.value.id}.{node.attr}")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "rename" \
                and not (isinstance(node.func.value, ast.Name) and node.func.value.id == "os"):  # os.rename: above
            found.append(f"{where}: .rename() (platform.move_into_place)")
        elif isinstance(node, ast.keyword) and node.arg in FORBIDDEN_KEYWORDS:
            found.append(f"{where}: {node.arg}=")
        elif _asks_the_system(node):
            found.append(f"{where}: asks which system this is")
    return found


def test_the_rule_sees_each_thing_only_the_platform_module_may_do():
    source = textwrap.dedent("""
        import fcntl
        from signal import SIGKILL
        import os, signal, subprocess, sys
        os.killpg(1, signal.SIGKILL)
        os.setsid()
        subprocess.Popen(["x"], start_new_session=True, preexec_fn=None)
        os.replace("a", "b")
        os.kill(123, 0)
        os.setpriority(os.PRIO_PROCESS, 1, 5)
        staging.rename(target)
        import resource, pwd
        if sys.platform == "win32" or os.name != "nt" or sys.platform.startswith("linux"):
            pass
        if hasattr(os, "waitid"):
            pass
        signal.SIGTERM, os.getpid(), sys.platform, "a".startswith("b")  # allowed
    """)
    assert len(offences(source)) == 17, offences(source)
    assert offences("import resource\nos.fork()\n", allowed={"resource", "os.fork"}) == []


def test_no_module_but_the_platform_module_imports_fcntl_or_kills_groups_itself():
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        if path == PACKAGE / "platform.py" or "labextension" in path.relative_to(PACKAGE).parts:
            continue
        allowed = POSIX_ONLY_MODULES.get(path.relative_to(PACKAGE).as_posix(), set())
        if problems := offences(path.read_text(encoding="utf-8"), allowed):
            found[str(path.relative_to(REPO))] = problems
    assert not found, f"only tito_jupyter/platform.py may do these: {found}"


#: What exists on POSIX alone: a test file that touches it while it is imported cannot even be collected on
#: Windows, and then the laptops job fails before its markers deselect anything.
POSIX_ONLY_AT_IMPORT = FORBIDDEN_MODULES - {"msvcrt"}
POSIX_ONLY_NAMES = {("signal", name) for name in ("SIGHUP", "SIGKILL", "SIGUSR1", "SIGUSR2", "SIGCHLD", "SIGALRM",
                                                  "SIGQUIT", "SIGXCPU", "SIGXFSZ", "SIGSTOP", "SIGCONT", "SIGPIPE")} \
    | {("os", name) for name in ("getuid", "geteuid", "getpgrp", "killpg", "setsid", "fork", "sysconf", "getpgid")}
#: The folders the laptops job leaves out (.github/workflows/ci.yml): the browser's, the Hub's, the wheel's.
NOT_ON_LAPTOPS = ("lab", "hub", "packaging")


def import_time_offences(source: str) -> list[str]:
    """What ``source`` uses of POSIX alone while it is imported: at module level, in a class body, a decorator or
    a default; not inside a function, which runs only if its test is selected."""
    found = []

    class Visitor(ast.NodeVisitor):
        def visit_FunctionDef(self, node):
            for part in (*node.decorator_list, *node.args.defaults, *node.args.kw_defaults):
                if part is not None:
                    self.visit(part)

        visit_AsyncFunctionDef = visit_FunctionDef

        def visit_Lambda(self, node):
            pass

        def visit_Import(self, node):
            found.extend(f"line {node.lineno}: import {a.name}" for a in node.names
                         if a.name.split(".")[0] in POSIX_ONLY_AT_IMPORT)

        def visit_ImportFrom(self, node):
            if node.level == 0 and node.module and node.module.split(".")[0] in POSIX_ONLY_AT_IMPORT:
                found.append(f"line {node.lineno}: from {node.module} import ...")

        def visit_Attribute(self, node):
            if isinstance(node.value, ast.Name) and (node.value.id, node.attr) in POSIX_ONLY_NAMES:
                found.append(f"line {node.lineno}: {node.value.id}.{node.attr}")
            self.generic_visit(node)

    Visitor().visit(ast.parse(source))
    return found


def test_the_import_rule_looks_at_what_runs_on_import_only():
    source = textwrap.dedent("""
        import os, pty, signal
        import pytest
        LEADER = os.getpgrp()
        @pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP])
        def test_x(sig, kill=signal.SIGKILL):
            import fcntl
            os.killpg(os.getpgrp(), signal.SIGKILL)
        class TestY:
            hang_up = signal.SIGHUP
        late = lambda: signal.SIGKILL
    """)
    assert len(import_time_offences(source)) == 5, import_time_offences(source)


def _laptop_test_files_where(check, pattern: str) -> dict[str, list[str]]:
    """What ``check`` finds in each test file the laptops job runs (by file, relative to the repository)."""
    found = {}
    for path in sorted((REPO / "tests").rglob(pattern)):
        if path.relative_to(REPO / "tests").parts[0] in NOT_ON_LAPTOPS:
            continue
        if problems := check(path.read_text(encoding="utf-8")):
            found[str(path.relative_to(REPO))] = problems
    return found


def test_every_test_file_of_the_laptops_job_can_be_collected_on_windows():
    """The laptops job deselects tests by marker (posix_only, linux_only), which needs their files collected
    first: none may import a POSIX module or name a POSIX signal while it is imported (a test imports it inside)."""
    found = _laptop_test_files_where(import_time_offences, "*.py")
    assert not found, f"these test files cannot be collected on Windows: {found}"


#: What a test may use in its body only if it is marked posix_only or linux_only: these raise on Windows.
POSIX_ONLY_IN_TESTS = POSIX_ONLY_NAMES | {("os", name) for name in ("getpriority", "setpriority", "waitid", "waitpid",
                                                                   "setuid", "setgid", "chown", "mkfifo",
                                                                   "sched_getscheduler", "sched_setscheduler")}


def unmarked_posix_tests(source: str) -> list[str]:
    """The test functions of ``source`` that use what Windows lacks (:data:`POSIX_ONLY_IN_TESTS`, Popen's
    ``start_new_session``/``preexec_fn``/``user``/``group``) without a posix_only or linux_only mark on them or
    on their module."""
    tree = ast.parse(source)

    def marks_posix(nodes) -> bool:
        return any("posix_only" in ast.unparse(n) or "linux_only" in ast.unparse(n) for n in nodes)

    if marks_posix(n.value for n in tree.body if isinstance(n, ast.Assign)
                   and any(getattr(t, "id", "") == "pytestmark" for t in n.targets)):
        return []
    found = []
    for node in tree.body:
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) or not node.name.startswith("test") \
                or marks_posix(node.decorator_list):
            continue
        used = {f"{n.value.id}.{n.attr}" for n in ast.walk(node) if isinstance(n, ast.Attribute)
                and isinstance(n.value, ast.Name) and (n.value.id, n.attr) in POSIX_ONLY_IN_TESTS}
        used |= {f"{n.arg}=" for n in ast.walk(node) if isinstance(n, ast.keyword)
                 and n.arg in ("start_new_session", "preexec_fn", "user", "group")}
        used |= {f"import {a.name}" for n in ast.walk(node) if isinstance(n, ast.Import) for a in n.names
                 if a.name.split(".")[0] in POSIX_ONLY_AT_IMPORT}
        if used:
            found.append(f"{node.name}: {', '.join(sorted(used))}")
    return found


def test_a_test_that_needs_posix_says_so_so_that_windows_deselects_it():
    """Windows runs every test of the laptops job not marked posix_only or linux_only: one that kills a process
    group, reads a priority or makes a FIFO in its own body must carry the mark (with its reason)."""
    assert unmarked_posix_tests("import os\ndef test_a():\n    os.killpg(1, 2)\n") == ["test_a: os.killpg"]
    assert unmarked_posix_tests("import os, pytest\n@pytest.mark.posix_only\ndef test_a():\n    os.killpg(1, 2)\n") == []
    found = _laptop_test_files_where(unmarked_posix_tests, "test_*.py")
    assert not found, f"mark these posix_only (or linux_only), with the reason: {found}"


def test_every_text_file_tito_writes_goes_through_the_one_writer_and_every_read_says_utf8():
    """``files.atomic_write_*`` writes the bytes given (UTF-8, ``\\n``); ``Path.write_text`` and text-mode
    ``open(..., "w")`` would write ``\\r\\n`` on Windows. A stream appended to line by line (a log) may stay
    open in text mode with ``newline="\\n"``, which writes ``\\n`` everywhere. A text read names UTF-8: the
    default is the locale's (cp1252 on many Windows laptops)."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if "labextension" in path.relative_to(PACKAGE).parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            builtin_open = isinstance(node.func, ast.Name) and name == "open" or name == "fdopen"
            keywords = {k.arg: k.value.value for k in node.keywords if isinstance(k.value, ast.Constant)}
            mode = next((a.value for a in node.args[1:2] if isinstance(a, ast.Constant)), "r")
            mode = keywords.get("mode", mode)
            text_mode = builtin_open and isinstance(mode, str) and "b" not in mode
            if name == "write_text" or (text_mode and set(mode) & set("wax") and keywords.get("newline") != "\n"):
                found.append(f"{path.relative_to(REPO)}:{node.lineno} writes text in the system's way")
            elif (name == "read_text" and not node.args or text_mode) and "encoding" not in keywords:
                found.append(f"{path.relative_to(REPO)}:{node.lineno} reads text in the locale's encoding")
    assert not found, f"write with files.atomic_write_text, read with encoding='utf-8': {found}"


# -- trees of processes, both ways ------------------------------------------------------------------------------


@pytest.mark.posix_only
def test_a_timeout_ends_the_whole_tree(system):
    tag = uuid.uuid4().hex
    groups = set()

    def look():  # while it runs: which process groups the tree is in
        groups.update(os.getpgid(p.pid) for p in marked(tag) if p.is_running())

    finished = processes.run([sys.executable, "-c", TREE], env={**os.environ, MARKER: tag}, timeout=3,
                             on_line=lambda line: None, on_tick=look)
    assert finished.timed_out and finished.exit_code == -signal.SIGKILL
    if system.name == "portable":  # no group of its own: only the marker and psutil can have found the tree
        assert groups == {os.getpgrp()}
    else:
        assert os.getpgrp() not in groups
    assert_gone(tag)


def _run_a_child_that_leaves_a_grandchild_and_see_both_gone() -> None:
    """A child that starts a sleeping grandchild and exits at once: it ends cleanly and the orphan goes too."""
    tag = uuid.uuid4().hex
    script = ("import subprocess, sys\n"
              "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)'])\n")
    finished = processes.run([sys.executable, "-c", script], env={**os.environ, MARKER: tag}, timeout=60,
                             on_line=lambda line: None)
    assert finished.exit_code == 0 and not finished.timed_out
    assert_gone(tag)


@pytest.mark.posix_only
def test_what_a_child_leaves_behind_when_it_ends_is_stopped_with_it(system):
    """The child starts a grandchild and exits at once: the grandchild, an orphan now, goes too."""
    _run_a_child_that_leaves_a_grandchild_and_see_both_gone()


@pytest.mark.posix_only
def test_where_an_end_cannot_be_seen_without_reaping_what_the_child_leaves_is_stopped_too(monkeypatch):
    """macOS before Python 3.13 has no ``waitid``: the runner sees the child's end by reaping it (as on Windows),
    and the grandchild it left must still be killed with its group."""
    monkeypatch.setattr(platform, "SYSTEM", platform.Posix())
    monkeypatch.delattr(os, "waitid")
    _run_a_child_that_leaves_a_grandchild_and_see_both_gone()


@pytest.mark.posix_only
def test_an_interrupt_reaches_the_child_as_ctrl_c_would(system, tmp_path):
    said = tmp_path / "said"
    script = textwrap.dedent(f"""
        import pathlib, sys, time
        try:
            print("ready", flush=True)
            time.sleep(600)
        except KeyboardInterrupt:
            pathlib.Path({str(said)!r}).write_text("interrupted")
            sys.exit(3)
    """)
    proc = processes.start([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "ready"
        processes.interrupt_group(proc.pid)
        assert processes.exited(proc, 30), "the child did not stop on the interrupt"
    finally:
        code = processes.stop(proc)
    assert code == 3 and said.read_text() == "interrupted"


@pytest.mark.posix_only  # the portable way's signals on POSIX: its emulation of Windows's console groups
def test_the_portable_way_asks_only_its_own_group_to_stop_as_a_console_event_does(tmp_path):
    """On Windows a Ctrl-Break reaches one console group: tito's child, not the tree that child started in a
    group of its own (a tito child's JupyterLab, a job's pytest), which the child stops itself as it unwinds.
    The portable way on POSIX asks the same processes."""
    script = ("import sys, time\nfrom tito_jupyter.engine import processes\n"
              "inner = processes.start([sys.executable, '-c', 'import time; time.sleep(600)'])\n"
              "plain = __import__('subprocess').Popen([sys.executable, '-c', 'import time; time.sleep(600)'])\n"
              "print(inner.pid, plain.pid, flush=True)\ntime.sleep(600)\n")
    way = platform.Portable()
    env = {**os.environ, "PYTHONPATH": str(REPO), "TITO_PLATFORM": "portable"}
    options = way.child_options(env)
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, **options)
    way.tree_started(child.pid, options)
    inner = plain = None
    try:
        inner, plain = (psutil.Process(int(pid)) for pid in child.stdout.readline().split())
        way.signal_tree(child.pid, signal.SIGTERM)
        assert child.wait(timeout=60) == -signal.SIGTERM
        wait_until(lambda: not _alive(plain), 30, "the child's own process (its group) did not get the signal")
        time.sleep(0.5)
        assert _alive(inner), "a tree started in a group of its own got the console event"
    finally:
        way.kill_tree(child.pid)
        for proc in (inner, plain):
            if proc is not None:
                with contextlib.suppress(psutil.Error):
                    proc.kill()
        child.kill()
        child.wait()


def _alive(proc: psutil.Process) -> bool:
    try:
        return proc.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


@pytest.mark.posix_only
def test_stopping_asks_first_then_kills_what_stays(system):
    polite = processes.start([sys.executable, "-c", "import time; time.sleep(600)"])
    assert processes.stop(polite, ask=signal.SIGTERM, grace=20) == -signal.SIGTERM
    stubborn = processes.start([sys.executable, "-c", "import signal, sys, time\n"
                                "signal.signal(signal.SIGTERM, signal.SIG_IGN)\nprint('ready', flush=True)\n"
                                "time.sleep(600)"], stdout=subprocess.PIPE, text=True)
    assert stubborn.stdout.readline().strip() == "ready"
    assert processes.stop(stubborn, ask=signal.SIGTERM, grace=1) == -signal.SIGKILL


@pytest.mark.posix_only
def test_a_tree_that_keeps_starting_processes_is_killed_to_the_last(system):
    tag = uuid.uuid4().hex
    script = ("import subprocess, sys, time\nprint('ready', flush=True)\n"
              "while True:\n"
              "    subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)'])\n"
              "    time.sleep(0.05)\n")
    proc = processes.start([sys.executable, "-c", script], env={**os.environ, MARKER: tag},
                           stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "ready"
    wait_until(lambda: len(marked(tag)) >= 4, 60, "the tree did not grow")
    processes.stop(proc)
    assert_gone(tag)


def start_parent(tmp_path: Path, tag: str, way: str) -> subprocess.Popen:
    """A Python process that runs TREE through processes.run with the ``way`` of this module, as tito does."""
    script = tmp_path / "parent.py"
    script.write_text("import sys\nfrom tito_jupyter.engine import processes\n"
                      f"processes.run([sys.executable, '-c', {TREE!r}], on_line=print)\n")
    env = {**os.environ, MARKER: tag, "PYTHONPATH": str(REPO), "TITO_PLATFORM": way}
    return subprocess.Popen([sys.executable, str(script)], env=env, stdout=subprocess.DEVNULL,
                            start_new_session=True)


@pytest.mark.posix_only
def test_the_portable_guard_takes_the_tree_when_tito_is_killed(tmp_path):
    """The portable way has no parent-death signal: the guard alone (with psutil) finds and kills the tree."""
    tag = uuid.uuid4().hex
    parent = start_parent(tmp_path, tag, "portable")

    def tree():  # the child and the grandchild, once each runs its own program: a process forked and not yet
        # exec'd (the guard, or the child, an instant after its start) still shows its parent's command and environment
        by_program = {}
        for proc in marked(tag):
            try:
                program = proc.cmdline()[-1:]
            except psutil.Error:
                continue
            if program in ([TREE], ["import time; time.sleep(600)"]):
                by_program[program[0]] = proc
        return list(by_program.values()) if len(by_program) == 2 else None

    try:
        procs = wait_until(tree, 60, "the tree never started")
        assert all(p.environ().get(platform.TREE_MARKER) for p in procs)  # started the portable way
    finally:  # a failure above must not leave the tree running: its guard takes it when the parent goes
        parent.send_signal(signal.SIGKILL)
        parent.wait()
    assert_gone(tag)


@pytest.mark.posix_only
def test_the_guard_ignores_lines_it_does_not_understand(tmp_path):
    """Only trees and users it was told of are killed: a garbled line names nothing."""
    victim = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"], start_new_session=True)
    guard = platform.start_guard()
    try:
        guard.stdin.write(f"+{victim.pid} junk\n+../{victim.pid}\n*{victim.pid}\n+\n".encode())
        guard.stdin.close()
        assert guard.wait(timeout=30) == 0
        assert victim.poll() is None
    finally:
        victim.kill()
        victim.wait()


# -- single processes, both ways ---------------------------------------------------------------------------------


@pytest.mark.posix_only  # zombies are POSIX's
def test_whether_a_process_runs_is_asked_without_ending_it(system):
    """``os.kill(pid, 0)`` is how POSIX asks; on Windows it is TerminateProcess. Both ways answer for a live
    process, a zombie (ended, not reaped) and one that is gone, and the live one still runs after being asked."""
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    try:
        assert platform.process_running(child.pid) and platform.process_running(child.pid)
        assert child.poll() is None
        child.kill()
        wait_until(lambda: psutil.Process(child.pid).status() == psutil.STATUS_ZOMBIE, 30, "no zombie")
        assert not platform.process_running(child.pid)
    finally:
        child.kill()
        child.wait()
    assert not platform.process_running(child.pid)


def test_a_child_ends_and_is_seen_to_end_both_ways(system):
    """POSIX tells an ended child without reaping it (its group id stays ours until we kill the rest); the portable
    way cannot, and says so (None), and the runner then polls: either way ``exited`` sees the end."""
    child = processes.start([sys.executable, "-c", "pass"])
    assert processes.exited(child, 60)
    if system.name == "posix":
        assert platform.ended_unreaped(child.pid) is True and child.returncode is None  # not reaped yet
    else:
        assert platform.ended_unreaped(child.pid) is None
    assert processes.stop(child) == 0


def test_a_job_runs_below_the_server_both_ways(system):
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    try:
        before = psutil.Process(child.pid).nice()
        platform.lower_priority(child.pid, 5)
        below = getattr(psutil, "BELOW_NORMAL_PRIORITY_CLASS", None)  # Windows: priority classes, not nice values
        assert psutil.Process(child.pid).nice() == (below if below is not None else min(19, before + 5))
    finally:
        child.kill()
        child.wait()
    with pytest.raises(ProcessLookupError):
        platform.lower_priority(child.pid, 5)


@pytest.mark.linux_only  # the idle policy (SCHED_IDLE) is Linux's
def test_a_job_runs_under_the_idle_policy_where_the_system_has_it_and_below_normal_elsewhere(system):
    """Niceness alone is weighed only within a session's autogroup, and a job leads a session of its own: on Linux
    a job also gets the idle policy, which holds across sessions; the portable (Windows) way keeps the niceness."""
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    try:
        assert platform.lower_priority(child.pid, 5) == "nice"  # not asked for: the policy stays the normal one
        assert os.sched_getscheduler(child.pid) == os.SCHED_OTHER
        way = platform.lower_priority(child.pid, 5, idle=True)
        if system.name == "posix":
            assert (way, os.sched_getscheduler(child.pid)) == ("idle", os.SCHED_IDLE)
        else:
            assert (way, os.sched_getscheduler(child.pid)) == ("nice", os.SCHED_OTHER)
    finally:
        child.kill()
        child.wait()


def test_the_idle_policy_is_chosen_only_where_the_kernel_weighs_sessions_apart():
    """Autogroups weigh sessions apart only for processes the CPU controller leaves in the root group: a host's
    process with autogroups on (this VM), not a systemd service, a Docker container or a Kubernetes pod, where
    the job shares the server's (and the kernel's) cgroup and the idle policy would starve it behind a busy
    kernel (measured here: 34 s instead of 0.6 s for module 01's tests beside two busy processes)."""
    v1_root, v1_docker = "4:cpu,cpuacct:/\n3:memory:/x\n", "4:cpu,cpuacct:/docker/0a1b\n"
    assert platform.autogroups_in_effect("1\n", v1_root, False)
    assert not platform.autogroups_in_effect("0\n", v1_root, False)  # autogroups off
    assert not platform.autogroups_in_effect(None, v1_root, False)  # a kernel without them
    assert not platform.autogroups_in_effect("1\n", v1_docker, False)
    assert platform.autogroups_in_effect("1\n", "0::/\n", False)  # v2, the root group
    assert not platform.autogroups_in_effect("1\n", "0::/\n", True)  # v2, a container's own namespace
    assert not platform.autogroups_in_effect("1\n", "0::/user.slice/user-1000.slice/session-2.scope\n", False)
    assert platform.autogroups_in_effect("1\n", "", False)  # no CPU controller: all in the root group
    assert isinstance(platform.sessions_weighed_apart(), bool)


def test_a_folder_moves_onto_a_free_name_or_an_empty_folder_and_never_onto_one_with_files(system, tmp_path,
                                                                                           monkeypatch):
    """The portable way under Windows's rule for renames (nothing that exists is replaced, not even an empty
    folder): an empty folder gives way, a folder with a file in it does not, and nothing is lost."""
    if system.name == "portable":
        real = os.rename

        def windows_rename(src, dst):
            if os.path.lexists(dst):
                raise FileExistsError(183, "Cannot create a file when that file already exists", str(dst))
            real(src, dst)

        monkeypatch.setattr(os, "rename", windows_rename)
    for name in ("new", "empty", "full"):
        (tmp_path / f"staged-{name}").mkdir()
        (tmp_path / f"staged-{name}" / "a.txt").write_text(name)
    (tmp_path / "empty").mkdir()
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "mine.txt").write_text("mine")
    platform.move_into_place(tmp_path / "staged-new", tmp_path / "new")
    platform.move_into_place(tmp_path / "staged-empty", tmp_path / "empty")
    with pytest.raises(OSError):
        platform.move_into_place(tmp_path / "staged-full", tmp_path / "full")
    assert (tmp_path / "new" / "a.txt").read_text() == "new" and (tmp_path / "empty" / "a.txt").read_text() == "empty"
    assert sorted(p.name for p in (tmp_path / "full").iterdir()) == ["mine.txt"]
    assert (tmp_path / "staged-full" / "a.txt").read_text() == "full"


def test_what_this_system_can_do_is_named_not_asked_for(tmp_path):
    """Run the portable way (as on Windows): the stop signals are only those that exist, the warm grader (fork)
    and the jail are off, and tito's CLI installs its signal handlers without an AttributeError."""
    script = ("import json, signal\nfrom tito_jupyter import platform\nfrom tito_jupyter.engine import signals\n"
              "from tito_jupyter.engine.instructor import warm_grader\nsignals.stop_on_signals()\n"
              "print(json.dumps([platform.SYSTEM.name, list(platform.STOP_SIGNALS), warm_grader.available(),"
              " platform.JAIL_HERE, platform.RESOURCE_LIMITS]))")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(REPO), "TITO_PLATFORM": "portable"})
    assert done.returncode == 0, done.stderr
    name, stop_signals, warm, jail, limits = json.loads(done.stdout)
    assert name == "portable" and stop_signals == [s for s in ("SIGTERM", "SIGBREAK", "SIGHUP") if hasattr(signal, s)]
    assert (warm, jail, limits) == (False, False, False)


# -- locks, between real processes ----------------------------------------------------------------------------

HOLDER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from tito_jupyter.engine import files
    how, path = sys.argv[1], Path(sys.argv[2])
    lock = {"exclusive": lambda: files.file_lock(path),
            "shared": lambda: files.file_lock(path, shared=True),
            "try-shared": lambda: files.file_lock(path, shared=True, timeout=1),
            "writer": lambda: files.file_lock(path, shared=False)}[how]()
    try:
        with lock:
            print("held", flush=True)
            time.sleep(0 if how == "try-shared" else 600)
    except files.LockTimeout:
        print("busy", flush=True)
""")


def hold(how: str, path: Path, wait: bool = True) -> subprocess.Popen:
    """A process that takes the lock ``path`` (``how``) and keeps it, in the way this test's tito takes it (the
    portable way in the child too when the test runs it)."""
    way = {"TITO_PLATFORM": "portable"} if platform.SYSTEM.name == "portable" else {}
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, how, str(path)], stdout=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(REPO), **way})
    if wait:
        assert proc.stdout.readline().strip() == "held"
    return proc


def can_take(path: Path, shared: bool | None = None, timeout: float = 0.5) -> bool:
    try:
        with files.file_lock(path, timeout=timeout, shared=shared):
            return True
    except files.LockTimeout:
        return False


def test_an_exclusive_lock_keeps_another_process_out_and_dies_with_its_holder(system, tmp_path):
    path = tmp_path / "locks" / "export.lock"
    holder = hold("exclusive", path)
    try:
        assert not can_take(path)
    finally:
        holder.kill()  # no release: the system frees the lock of a dead process
        holder.wait()
    assert can_take(path, timeout=30)


def test_readers_share_the_build_lock_and_a_writer_waits_for_them(system, tmp_path):
    path = tmp_path / "locks" / "build.lock"
    reader = hold("shared", path)
    try:
        assert can_take(path, shared=True)  # another reader, at the same time
        assert not can_take(path, shared=False)  # the writer (system clean) waits
    finally:
        reader.kill()
        reader.wait()
    assert can_take(path, shared=False, timeout=30)
    writer = hold("writer", path)
    try:
        assert not can_take(path, shared=True)  # while the clean runs, no export starts
    finally:
        writer.kill()
        writer.wait()
    assert can_take(path, shared=True, timeout=30)


def test_two_threads_of_one_process_wait_for_each_other(system, tmp_path):
    """The server runs commands in threads: a lock held by one keeps the other out, as another process would be."""
    import threading

    path = tmp_path / "locks" / "progress.lock"
    held, release = threading.Event(), threading.Event()

    def holder():
        with files.file_lock(path):
            held.set()
            release.wait(60)

    thread = threading.Thread(target=holder)
    thread.start()
    try:
        assert held.wait(30)
        assert not can_take(path)
    finally:
        release.set()
        thread.join()
    assert can_take(path)


def test_a_waiting_writer_keeps_new_readers_out_but_not_a_reader_nested_in_one_that_holds_the_lock(system, tmp_path):
    """`system clean` waits for the exports under way and no new one starts meanwhile (else a steady stream of them
    would keep it waiting for ever); an export inside a `complete` that already holds the lock still gets in (it
    would otherwise wait for the writer, which waits for it, until the writer gave up)."""
    path = tmp_path / "locks" / "build.lock"

    def another_reader() -> str:
        probe = hold("try-shared", path, wait=False)
        answer = probe.stdout.readline().strip()
        probe.wait(60)
        return answer

    with files.file_lock(path, shared=True):
        assert another_reader() == "held"  # readers share it
        writer = hold("writer", path, wait=False)
        try:
            deadline = time.monotonic() + 60
            while another_reader() == "held":  # until the writer waits (its start takes a moment)
                assert time.monotonic() < deadline, "the waiting writer never kept a new reader out"
            with files.file_lock(path, shared=True, timeout=1):  # nested in this process's own hold
                pass
        except BaseException:
            writer.kill()
            writer.wait()
            raise
    try:
        assert writer.stdout.readline().strip() == "held"  # every reader gone: the writer has it
        assert another_reader() == "busy"
    finally:
        writer.kill()
        writer.wait()


@pytest.mark.posix_only  # removing a lock file another process holds open: Windows refuses
def test_a_lock_file_removed_and_made_again_while_held_is_a_new_lock(tmp_path):
    """A clean of the locks folder while a process holds a lock: the next taker locks the new file, and does not
    wait for a lock nobody can find any more (nor believe it holds the removed one)."""
    path = tmp_path / "locks" / "export.lock"
    holder = hold("exclusive", path)
    try:
        path.unlink()
        assert can_take(path, timeout=5)
    finally:
        holder.kill()
        holder.wait()


# -- files ------------------------------------------------------------------------------------------------------

def refuse_for_a_moment(folder: Path, target: Path, seconds: float):
    """Make the system refuse to replace ``target`` (PermissionError, as Windows does while another process holds a
    file open) until ``seconds`` from now: root cannot be refused by permissions, but an immutable file (chattr)
    refuses even root; anyone else is refused by a folder without write permission."""
    import threading

    if os.geteuid() == 0:
        subprocess.run(["chattr", "+i", str(target)], check=True)
        undo = lambda: subprocess.run(["chattr", "-i", str(target)], check=True)  # noqa: E731
    else:
        os.chmod(folder, 0o500)
        undo = lambda: os.chmod(folder, 0o700)  # noqa: E731
    timer = threading.Timer(seconds, undo)
    timer.start()
    return timer


@pytest.mark.posix_only
def test_a_replacement_refused_for_a_moment_is_tried_again_the_portable_way(tmp_path):
    target = tmp_path / "target"
    outcome = {}
    for way in (platform.Posix(), platform.Portable()):
        target.write_text("old")
        (tmp_path / "new").write_text(way.name)
        timer = refuse_for_a_moment(tmp_path, target, 0.3)
        try:
            way.replace(tmp_path / "new", target)
            outcome[way.name] = target.read_text()
        except PermissionError:
            outcome[way.name] = "refused"
        finally:
            timer.join()
    assert outcome == {"posix": "refused", "portable": "portable"}


@pytest.mark.posix_only
def test_a_replacement_refused_for_good_still_fails_the_portable_way(tmp_path):
    """The retry is bounded: a file that stays refused fails after :data:`platform.REPLACE_PATIENCE` seconds."""
    target = tmp_path / "target"
    target.write_text("old")
    (tmp_path / "new").write_text("new")
    timer = refuse_for_a_moment(tmp_path, target, platform.REPLACE_PATIENCE + 5)
    started = time.monotonic()
    try:
        with pytest.raises(PermissionError):
            platform.Portable().replace(tmp_path / "new", target)
        elapsed = time.monotonic() - started
    finally:
        timer.join()
    assert platform.REPLACE_PATIENCE <= elapsed < platform.REPLACE_PATIENCE + 5
    assert target.read_text() == "old"


def test_text_is_written_as_utf8_with_lf_whatever_the_system(tmp_path):
    files.atomic_write_text(tmp_path / "a.py", "x = 'é'\ny = 1\n")
    assert (tmp_path / "a.py").read_bytes() == "x = 'é'\ny = 1\n".encode("utf-8")
    files.atomic_write_json(tmp_path / "p.json", {"name": "ü"})
    assert b"\r" not in (tmp_path / "p.json").read_bytes()


def test_a_notebook_saved_with_windows_line_endings_exports_the_same_package_bytes(course_dir):
    """Jupyter on Windows writes a notebook's JSON with CRLF, and a cell pasted there may hold CRLF too: the
    package tito writes from it is byte for byte the one written from the LF notebook."""
    ctx = Context(project=course_dir)
    package_file = course_dir / "tinytorch" / "core" / "numbers.py"
    assert engine.run("module.export", {"modules": ["01"]}, ctx).ok
    lf_bytes = package_file.read_bytes()
    assert b"\r" not in lf_bytes
    nb = numbers_notebook()
    for cell in nb["cells"]:
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        cell["source"] = source.replace("\n", "\r\n")
    notebook_path = course_dir / "modules" / "01_numbers" / "01_numbers.ipynb"
    notebook_path.write_bytes(json.dumps(nb, indent=1).replace("\n", "\r\n").encode("utf-8"))
    assert b"\r\n" in notebook_path.read_bytes()
    result = engine.run("module.export", {"modules": ["01"]}, ctx)
    assert result.ok, result.summary
    assert package_file.read_bytes() == lf_bytes
    check = engine.run("module.export", {"modules": ["01"], "check": True}, ctx)
    assert check.ok and check.data["modules"][0]["status"] == "up_to_date", check.data


def test_grading_where_resource_limits_do_not_exist_says_so_in_one_sentence(course_dir, monkeypatch):
    """Windows has no resource limits for a submission's tests: autograde says what it needs, before anything."""
    monkeypatch.setattr(platform, "RESOURCE_LIMITS", False)
    result = engine.run("nbgrader.autograde", {"module": "01"}, Context(project=course_dir))
    assert not result.ok and result.error["kind"] == "usage_error", result.error
    assert result.error["message"].startswith("Grading submissions needs Linux or macOS:")
    assert "--scheduler" in result.error["hint"]


def test_grading_on_windows_says_in_one_sentence_what_it_needs(course_dir, tito_env):
    """`tito nbgrader autograde` the portable way (Windows's): one sentence and exit code 2, no traceback; and a
    Dask worker there, asked for a submission's limits, says the same in a sentence (NotSupportedHere)."""
    done = subprocess.run([sys.executable, "-m", "tito_jupyter", "--no-color", "nbgrader", "autograde", "01"],
                          capture_output=True, text=True, timeout=300, env={**tito_env, "TITO_PLATFORM": "portable"})
    said = " ".join(done.stderr.split())
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Grading submissions needs Linux or macOS" in said and "Traceback" not in said, said
    with pytest.raises(platform.NotSupportedHere, match="need Linux or macOS; grade submissions there"):
        platform.Portable().resource_limits(10, 2**30, 64, 2**26, lambda uid: 0)


def test_a_child_prints_any_character_and_we_read_it_as_it_was(tmp_path):
    """On Windows a pipe carries the locale's code page unless told otherwise: every child is told UTF-8."""
    lines = []
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONIOENCODING", "PYTHONUTF8")}
    env["LC_ALL"] = env["LANG"] = "C"  # the POSIX way to a non-UTF-8 locale, as cp1252 is on Windows
    script = "print('na\\u00efve \\u5faa\\u73af \\U0001f422')"  # ASCII: the command line is in the locale too
    finished = processes.run([sys.executable, "-X", "utf8=0", "-c", script], env=env, timeout=60, on_line=lines.append)
    assert finished.exit_code == 0 and lines == ["naïve 循环 🐢"]


# -- the student path, the portable way ---------------------------------------------------------------------------

#: Tests of the student path that, rerun with ``TITO_PLATFORM=portable``, keep Windows's way of handling processes
#: exercised on every run of the suite here (Windows itself runs in CI's laptops job only): a timeout, an
#: exception and a cancelled worker pool stop the whole tree; a killed tito's guard takes its tree (no parent-death
#: signal there); a killed `tito dev serve` takes JupyterLab with it; a run is announced in .tito/runs and old run
#: files go; `tito complete` and `tito status` from the CLI; the render memo never shows a changed course as it was.
PORTABLE_SLICE = (
    "tests/engine/test_processes.py::test_a_timeout_ends_the_whole_tree_and_says_so",
    "tests/engine/test_processes.py::test_an_exception_while_waiting_stops_the_tree_and_goes_on",
    "tests/engine/test_processes.py::test_a_worker_pool_stops_its_children_when_its_command_stops",
    "tests/engine/test_processes.py::test_sigkill_of_the_parent_takes_the_child_and_the_grandchild",
    "tests/engine/test_runs.py::test_a_terminal_run_writes_its_header_events_and_the_result_it_printed",
    "tests/engine/test_runs.py::test_only_the_newest_run_files_are_kept_and_never_a_live_ones",
    "tests/cli/test_cli.py::test_complete_short_form_and_status",
    "tests/cli/test_render_memo.py::test_a_changed_course_is_never_shown_as_it_was",
    "tests/cli/test_signals.py::test_dev_serve_takes_jupyterlab_with_it[SIGKILL]",
)


@pytest.mark.slow(60)  # the suite starts it early (tests/conftest.py)
@pytest.mark.posix_only  # on Windows the whole suite runs the portable way, and the slice holds POSIX-only tests
def test_the_student_path_passes_the_portable_way():
    """The slice above, in a pytest of its own with the portable way chosen (as on Windows): every test passes.
    About 50 s on two shared cores."""
    env = {**os.environ, "TITO_PLATFORM": "portable", "PYTHONPATH": str(REPO)}
    env.pop("PYTEST_XDIST_WORKER", None)
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist",
                           "-x", *PORTABLE_SLICE], cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    tail = (done.stdout + done.stderr)[-4000:]
    assert done.returncode == 0, tail
    assert f"{len(PORTABLE_SLICE)} passed" in done.stdout, tail
    assert time.monotonic() - started < 300, f"the slice took {time.monotonic() - started:.0f} s"


@pytest.mark.linux_only  # Debian's and Ubuntu's /usr/bin/python3 (CI's Linux runners have one too)
def test_a_child_finds_the_console_scripts_where_pip_put_them_not_beside_python():
    """A Windows Python has python.exe in its folder and pip's console scripts (jupyter.exe, alembic.exe) in
    Scripts\\ below it; Debian's system Python is the same shape here: /usr/bin/python3, its scripts in
    /usr/local/bin. The folder a child gets first on PATH is the scripts one."""
    system_python = "/usr/bin/python3"
    probe = ("import json, sys, sysconfig\nfrom tito_jupyter.engine import processes\n"
             "print(json.dumps([sysconfig.get_path('scripts'), processes.child_env({'PATH': '/bin'})['PATH']]))")
    done = subprocess.run([system_python, "-I", "-c", f"import sys; sys.path.insert(0, {str(REPO)!r})\n" + probe],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    scripts, path = json.loads(done.stdout)
    assert scripts != str(Path(system_python).parent)  # the shape under test: not python's own folder
    assert path.split(os.pathsep)[0] == scripts


def test_a_windows_clone_checks_out_the_same_bytes(tmp_path):
    """Git for Windows checks text out with \\r\\n unless the repository says otherwise (core.autocrlf=true): a
    clone made so here holds the package, the notebooks and the scripts with \\n, as committed, so `tito export
    --check` and the shell scripts work on a student's Windows clone. Needs the checkout's .gitattributes committed."""
    clone = tmp_path / "clone"
    git = ["git", "-c", "core.autocrlf=true", "-c", "core.eol=crlf"]
    subprocess.run([*git, "clone", "-q", "--no-checkout", str(REPO), str(clone)], check=True, timeout=120)
    subprocess.run([*git, "-C", str(clone), "checkout", "-q", "HEAD", "--", "."], check=True, timeout=120)
    assert (clone / ".gitattributes").is_file(), "the commit under test has no .gitattributes"
    text = (".py", ".ipynb", ".sh", ".json", ".md", ".toml")
    with_cr = [str(p.relative_to(clone)) for p in sorted(clone.rglob("*")) if p.suffix in text and p.is_file()
               and ".git" not in p.relative_to(clone).parts and b"\r\n" in p.read_bytes()]
    assert not with_cr, f"checked out with \\r\\n: {with_cr[:10]}"
    assert (clone / "tinytorch" / "__init__.py").read_bytes() == (REPO / "tinytorch" / "__init__.py").read_bytes()


def test_a_clean_stop_of_jupyterlab_is_told_by_each_systems_exit_codes():
    """`tito dev serve` says JupyterLab stopped cleanly from its exit code. POSIX: 0 or SIGTERM's. Windows (its
    rule taken as far as plain Python can: the portable way with Windows's console events): a Ctrl-Break ends
    JupyterLab, which does not catch it, with STATUS_CONTROL_C_EXIT, and the kill after it is psutil's
    TerminateProcess, code 15; a crash (1) is not a clean stop anywhere."""
    posix, windows = platform.Posix(), platform.Portable()
    windows._windows = True
    assert [posix.stopped_as_asked(c) for c in (0, -signal.SIGTERM, 1, 0xC000013A)] == [True, True, False, False]
    assert [windows.stopped_as_asked(c) for c in (0, 0xC000013A, 15, 1)] == [True, True, True, False]
    assert platform.Portable().stopped_as_asked(-signal.SIGTERM) == (not hasattr(signal, "CTRL_BREAK_EVENT"))


# -- trees that stay in our session (Linux) --------------------------------------------------------------------

#: Run in a process that leads its own session with a controlling terminal: where each way puts a tree (JSON).
SESSIONS = textwrap.dedent("""
    import errno, json, os, subprocess, sys, termios
    from tito_jupyter import platform
    from tito_jupyter.engine import processes

    WHERE = ("import json, os, subprocess, sys\\n"
             "try:\\n    os.close(os.open('/dev/tty', os.O_RDWR | os.O_NOCTTY)); tty = True\\n"
             "except OSError:\\n    tty = False\\n"
             "seen = {'pid': os.getpid(), 'session': os.getsid(0), 'group': os.getpgrp(), 'tty': tty}\\n"
             "if len(sys.argv) > 1:  # and its own child, started the same way\\n"
             "    from tito_jupyter.engine import processes\\n"
             "    child = processes.start([sys.executable, '-c', sys.argv[1]], stdout=subprocess.PIPE, text=True)\\n"
             "    seen['child'] = json.loads(child.communicate()[0])\\n"
             "print(json.dumps(seen))\\n")

    def where(env, *args):
        proc = processes.start([sys.executable, "-c", WHERE, *args], env=env, stdout=subprocess.PIPE, text=True)
        return json.loads(proc.communicate()[0])

    def failing(fd, request):
        raise OSError(errno.EPERM, "refused")

    pid = os.fork()
    if pid == 0:  # a child whose terminal cannot be given up: it leads a session of its own instead
        platform.head_a_tree(failing, termios.TIOCNOTTY, errno.ENXIO)
        os._exit(0 if os.getsid(0) == os.getpid() else 1)
    fallback = os.waitpid(pid, 0)[1] == 0
    shared = platform.share_our_session(dict(os.environ))
    print(json.dumps({"me": os.getpid(), "shared_env": shared.get(platform.TREE_SESSION),
                      "shared": where(shared, WHERE), "apart": where(dict(os.environ)),
                      "stale": where({**os.environ, platform.TREE_SESSION: "1"}), "fallback": fallback}))
""")


@pytest.mark.linux_only  # TIOCNOTTY gives up the terminal for one process only on Linux
def test_a_tree_stays_in_a_session_its_parent_leads_only_when_asked_and_never_with_the_terminal(tmp_path):
    """A parent that leads its session, with a terminal: a tree started with :func:`share_our_session`'s
    environment stays in the session, it and its own child each at the head of a process group, neither with
    the terminal; without that environment (or with another session's id in it) a tree leads a session of its
    own; a child that cannot give up the terminal leads a session of its own rather than keep it."""
    import fcntl
    import pty
    import termios

    controller, terminal = pty.openpty()

    def take_the_terminal():
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    parent = subprocess.run([sys.executable, "-c", SESSIONS], stdin=terminal, capture_output=True, text=True,
                            start_new_session=True, preexec_fn=take_the_terminal, timeout=60, cwd=REPO)
    os.close(terminal)
    os.close(controller)
    assert parent.returncode == 0, parent.stderr
    seen = json.loads(parent.stdout)
    me = seen["me"]
    assert seen["shared_env"] == str(me)
    shared, below = seen["shared"], seen["shared"]["child"]
    assert (shared["session"], shared["group"], shared["tty"]) == (me, shared["pid"], False)
    assert (below["session"], below["group"], below["tty"]) == (me, below["pid"], False)
    for apart in (seen["apart"], seen["stale"]):
        assert (apart["session"], apart["group"], apart["tty"]) == (apart["pid"], apart["pid"], False)
    assert seen["fallback"]


def test_a_process_that_leads_no_session_shares_none():
    """These tests' workers lead no session (nor does a server started from a shell): nothing is asked."""
    assert os.getsid(0) != os.getpid()
    env = {"A": "1"}
    assert platform.share_our_session(env) == env
