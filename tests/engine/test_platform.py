"""The one module that knows the system (``tito_jupyter/platform.py``), and the rule that no other module asks.

Windows cannot run here, but its way of handling processes is plain Python over psutil: each test of a tree of
processes runs twice, with the POSIX way (process groups and signals) and with the portable way Windows uses
(a marker in the environment, psutil's process tree), on real processes. The locks are filelock's, taken by real
processes; a replacement the system refuses for a moment is refused for real (a folder made writable late).
"""

from __future__ import annotations

import ast
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


@pytest.fixture(params=["posix", "portable"])
def system(request, monkeypatch):
    """Each test of a tree runs with both ways of this module; the portable one is Windows's. (They run on POSIX:
    their figures are POSIX's, exit codes by signal; on Windows the rest of the suite uses the portable way.)"""
    chosen = platform.Posix() if request.param == "posix" else platform.Portable()
    monkeypatch.setattr(platform, "SYSTEM", chosen)
    return chosen


# -- the rule: no other module asks the system ----------------------------------------------------------------

#: What only the platform module may use: the POSIX lock call, the ways to make or signal a process group, the
#: signal that kills, Popen's system-specific options, and the file replacement Windows refuses while a file is open.
FORBIDDEN_MODULES = {"fcntl", "msvcrt"}
FORBIDDEN_NAMES = {("signal", "SIGKILL"), ("os", "killpg"), ("os", "setsid"), ("os", "setpgid"), ("os", "getpgid"),
                   ("os", "replace")}
FORBIDDEN_KEYWORDS = {"start_new_session", "preexec_fn", "creationflags"}


def offences(source: str) -> list[str]:
    """What ``source`` does that only the platform module may, one line each."""
    found = []
    for node in ast.walk(ast.parse(source)):
        where = f"line {getattr(node, 'lineno', '?')}"
        if isinstance(node, ast.Import):
            found += [f"{where}: import {a.name}" for a in node.names if a.name.split(".")[0] in FORBIDDEN_MODULES]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            top = node.module.split(".")[0]
            if top in FORBIDDEN_MODULES:
                found.append(f"{where}: from {node.module} import ...")
            found += [f"{where}: from {top} import {a.name}" for a in node.names if (top, a.name) in FORBIDDEN_NAMES]
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
                and (node.value.id, node.attr) in FORBIDDEN_NAMES:
            found.append(f"{where}: {node.value.id}.{node.attr}")
        elif isinstance(node, ast.keyword) and node.arg in FORBIDDEN_KEYWORDS:
            found.append(f"{where}: {node.arg}=")
    return found


def test_the_rule_sees_each_thing_only_the_platform_module_may_do():
    source = textwrap.dedent("""
        import fcntl
        from signal import SIGKILL
        import os, signal, subprocess
        os.killpg(1, signal.SIGKILL)
        os.setsid()
        subprocess.Popen(["x"], start_new_session=True, preexec_fn=None)
        os.replace("a", "b")
        signal.SIGTERM, os.getpid()  # allowed
    """)
    assert len(offences(source)) == 8, offences(source)


def test_no_module_but_the_platform_module_imports_fcntl_or_kills_groups_itself():
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        if path == PACKAGE / "platform.py" or "labextension" in path.relative_to(PACKAGE).parts:
            continue
        if problems := offences(path.read_text(encoding="utf-8")):
            found[str(path.relative_to(REPO))] = problems
    assert not found, f"only tito_jupyter/platform.py may do these: {found}"


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


@pytest.mark.posix_only
def test_what_a_child_leaves_behind_when_it_ends_is_stopped_with_it(system):
    """The child starts a grandchild and exits at once: the grandchild, an orphan now, goes too."""
    tag = uuid.uuid4().hex
    script = ("import subprocess, sys\n"
              "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)'])\n")
    finished = processes.run([sys.executable, "-c", script], env={**os.environ, MARKER: tag}, timeout=60,
                             on_line=lambda line: None)
    assert finished.exit_code == 0 and not finished.timed_out
    assert_gone(tag)


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

    def tree():  # the child and the grandchild: neither the parent nor its guard
        procs = [p for p in marked(tag) if p.pid != parent.pid and platform.GUARD_FLAG not in p.cmdline()]
        return procs if len(procs) >= 2 else None

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


# -- locks, between real processes ----------------------------------------------------------------------------

HOLDER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from tito_jupyter.engine import files
    how, path = sys.argv[1], Path(sys.argv[2])
    lock = {"exclusive": lambda: files.file_lock(path),
            "shared": lambda: files.file_lock(path, shared=True),
            "writer": lambda: files.file_lock(path, shared=False)}[how]()
    with lock:
        print("held", flush=True)
        time.sleep(600)
""")


def hold(how: str, path: Path) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, how, str(path)], stdout=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(REPO)})
    assert proc.stdout.readline().strip() == "held"
    return proc


def can_take(path: Path, shared: bool | None = None, timeout: float = 0.5) -> bool:
    try:
        with files.file_lock(path, timeout=timeout, shared=shared):
            return True
    except files.LockTimeout:
        return False


def test_an_exclusive_lock_keeps_another_process_out_and_dies_with_its_holder(tmp_path):
    path = tmp_path / "locks" / "export.lock"
    holder = hold("exclusive", path)
    try:
        assert not can_take(path)
    finally:
        holder.kill()  # no release: the system frees the lock of a dead process
        holder.wait()
    assert can_take(path, timeout=30)


def test_readers_share_the_build_lock_and_a_writer_waits_for_them(tmp_path):
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


def test_two_threads_of_one_process_wait_for_each_other(tmp_path):
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


def test_a_child_prints_any_character_and_we_read_it_as_it_was(tmp_path):
    """On Windows a pipe carries the locale's code page unless told otherwise: every child is told UTF-8."""
    lines = []
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONIOENCODING", "PYTHONUTF8")}
    env["LC_ALL"] = env["LANG"] = "C"  # the POSIX way to a non-UTF-8 locale, as cp1252 is on Windows
    script = "print('na\\u00efve \\u5faa\\u73af \\U0001f422')"  # ASCII: the command line is in the locale too
    finished = processes.run([sys.executable, "-X", "utf8=0", "-c", script], env=env, timeout=60, on_line=lines.append)
    assert finished.exit_code == 0 and lines == ["naïve 循环 🐢"]
