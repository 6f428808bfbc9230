"""The jail and the limits for untrusted code (tito_jupyter.engine.sandbox, processes.Limits), with real processes.

The jail tests need root, as a grading server and CI have it (the jail is what tito does as root; without root
it says so, and those are the limits-only tests at the end).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import pytest

from tito_jupyter.engine import processes, sandbox

#: The jail is Linux's (mount namespaces, chroot), built as root.
pytestmark = pytest.mark.linux_only

LIMITS = processes.Limits(cpu_seconds=30, memory_bytes=1 << 30, processes=32, file_bytes=1 << 20,
                          output_bytes=1 << 20)


@pytest.fixture
def scratch():
    """A scratch folder as autograde makes one: 0700, outside any course; its work/ is what the jail may touch."""
    folder = Path(tempfile.mkdtemp(prefix="tito-test-jail-"))
    (folder / "work").mkdir()
    os.chmod(folder / "work", 0o755)
    try:
        yield folder
    finally:
        subprocess.run(["rm", "-rf", str(folder)], check=False)


@pytest.fixture
def exposed():
    """A world-readable folder in /tmp with a secret in it: any user on the machine could read it, outside a jail."""
    folder = Path(tempfile.mkdtemp(prefix="tito-test-exposed-"))
    os.chmod(folder, 0o755)
    (folder / "secret.txt").write_text("the answers")
    os.chmod(folder / "secret.txt", 0o644)
    try:
        yield folder
    finally:
        subprocess.run(["rm", "-rf", str(folder)], check=False)


def jailed_python(confinement: sandbox.Confinement, code: str, timeout: float = 60) -> tuple[processes.Finished, list]:
    lines: list[str] = []
    argv = confinement.jail.wrap([sys.executable, "-c", textwrap.dedent(code)])
    with sandbox.swept(confinement.jail):
        finished = processes.run(argv, env=confinement.env, timeout=timeout, on_line=lines.append,
                                 limits=confinement.limits)
    return finished, lines


def test_as_root_submissions_are_jailed():
    assert os.geteuid() == 0, "these tests run as root, as CI does"
    jailed, how = sandbox.status()
    assert jailed, how


def test_a_jailed_process_sees_only_its_folder_as_a_user_of_its_own(scratch, exposed, monkeypatch):
    monkeypatch.setenv("JUPYTER_TOKEN", "instructor-token")
    work = scratch / "work"
    (work / "tests.py").write_text("def test(): pass\n")  # root's: the jailed user may read it, not change it
    confinement = sandbox.confine(scratch, work, LIMITS)
    finished, lines = jailed_python(confinement, f"""
        import json, os
        def attempt(action):
            try:
                action()
                return "done"
            except OSError as exc:
                return type(exc).__name__
        print(json.dumps({{
            "uid": os.getuid(),
            "secret": attempt(lambda: open({str(exposed / 'secret.txt')!r}).read()),
            "root_home": attempt(lambda: os.listdir("/root/.jupyter")),
            "edit_tests": attempt(lambda: open("tests.py", "w").write("hacked")),
            "own_home": attempt(lambda: open(os.path.join(os.environ["HOME"], "notes"), "w").write("mine")),
            "env": sorted(os.environ),
        }}))
    """)
    assert finished.exit_code == 0, lines
    seen = json.loads(lines[-1])
    assert seen["uid"] == confinement.jail.uid and seen["uid"] >= sandbox.UID_RANGE[0]
    assert seen["secret"] == "FileNotFoundError"  # not "permission denied": the folder does not exist in there
    assert seen["root_home"] == "FileNotFoundError"
    assert seen["edit_tests"] == "PermissionError"
    assert seen["own_home"] == "done"
    assert (work / "tests.py").read_text() == "def test(): pass\n"
    assert not [name for name in seen["env"] if name.startswith(("JUPYTER", "JPY")) or "TOKEN" in name]


def test_tito_imports_in_the_jail_from_a_checkout_without_a_build(scratch, monkeypatch):
    """A checkout reads its version from labextension/package.json; a checkout never built has no
    _build_version.py, and the jail, which binds tito's package alone, made `import tito_jupyter` fail there:
    every submission errored. The jail binds that one file (read-only) as well."""
    from tito_jupyter import _version

    assert Path(_version.PACKAGE_JSON).is_file(), "these tests run from a checkout"
    work = scratch / "work"
    confinement = sandbox.confine(scratch, work, LIMITS)
    finished, lines = jailed_python(confinement, f"""
        import json, os
        from tito_jupyter import _version
        print(json.dumps({{"checkout": _version._from_checkout(),
                           "writable": os.access({_version.PACKAGE_JSON!r}, os.W_OK)}}))
    """)
    assert finished.exit_code == 0, lines
    seen = json.loads(lines[-1])
    assert seen == {"checkout": _version._from_checkout(), "writable": False}


ESCAPE = """
    import os, sys, time
    if os.fork() == 0:          # a child that leaves the process group and the session: a double fork
        os.setsid()
        if os.fork() == 0:
            time.sleep(600)
        os._exit(0)
    time.sleep(0.5)
    print("escaped", flush=True)
"""


def test_what_left_the_process_group_is_swept_after_the_run(scratch):
    confinement = sandbox.confine(scratch, scratch / "work", LIMITS)
    argv = confinement.jail.wrap([sys.executable, "-c", textwrap.dedent(ESCAPE)])
    finished = processes.run(argv, env=confinement.env, timeout=60, on_line=lambda line: None)
    assert finished.exit_code == 0
    try:
        assert sandbox.owned_by(confinement.jail.uid), "the double-forked sleeper outlives its process group"
    finally:
        sandbox.sweep(confinement.jail.uid)
    assert sandbox.owned_by(confinement.jail.uid) == []


DYING_GRADER = """
import sys, textwrap, time
from pathlib import Path
from tito_jupyter.engine import processes, sandbox
scratch = Path(sys.argv[1])
limits = processes.Limits(processes=32)
confinement = sandbox.confine(scratch, scratch / "work", limits)
print(confinement.jail.uid, flush=True)
with sandbox.swept(confinement.jail):
    processes.run(confinement.jail.wrap([sys.executable, "-c", textwrap.dedent(sys.argv[2]) + "\\ntime.sleep(600)"]),
                  env=confinement.env, on_line=lambda line: print(line, flush=True))
"""


def test_a_killed_grader_leaves_no_jailed_process_behind(scratch):
    """SIGKILL the grading process while its jailed run (and a process that escaped its group) is alive."""
    cleaned = 0
    runs = 3
    for attempt in range(runs):
        folder = scratch / f"run{attempt}"
        (folder / "work").mkdir(parents=True)
        os.chmod(folder / "work", 0o755)
        grader = subprocess.Popen([sys.executable, "-c", DYING_GRADER, str(folder), ESCAPE], stdout=subprocess.PIPE,
                                  text=True, start_new_session=True)
        uid = int(grader.stdout.readline())
        try:
            assert grader.stdout.readline().strip() == "escaped"
            assert len(sandbox.owned_by(uid)) >= 2  # the jailed run and the escaped sleeper
            grader.kill()
            grader.wait()
            deadline = time.monotonic() + 20
            while sandbox.owned_by(uid) and time.monotonic() < deadline:
                time.sleep(0.1)
            cleaned += not sandbox.owned_by(uid)
        finally:
            sandbox.sweep(uid)
            grader.stdout.close()
    assert cleaned == runs, f"{cleaned} of {runs} killed graders left no jailed process"


def test_a_fork_bomb_stops_at_its_process_limit_and_is_swept(scratch):
    confinement = sandbox.confine(scratch, scratch / "work", LIMITS)
    started = time.monotonic()
    finished, lines = jailed_python(confinement, """
        import os
        children = 0
        try:
            while True:
                if os.fork() == 0:
                    import time
                    time.sleep(600)
                children += 1
        except OSError as exc:
            print(type(exc).__name__, children, flush=True)
    """)
    assert lines and lines[-1].startswith("BlockingIOError"), lines
    assert int(lines[-1].split()[1]) < LIMITS.processes
    assert time.monotonic() - started < 30
    assert sandbox.owned_by(confinement.jail.uid) == []


# -- limits, with or without a jail ------------------------------------------------------------------------


def test_a_flood_of_output_is_stopped_at_the_cap_streamed_or_to_a_file(tmp_path):
    flood = [sys.executable, "-c", "while True: print('x' * 100_000, flush=True)"]
    streamed = processes.run(flood, timeout=60, on_line=lambda line: None, limits=LIMITS)
    assert streamed.stopped_by == "output" and not streamed.timed_out and streamed.seconds < 30
    assert LIMITS.reason(streamed) == "printed more than 1 MiB"
    with open(tmp_path / "out.log", "wb") as output:  # a file of 1 MiB at most: the file-size limit stops it
        to_file = processes.run(flood, timeout=60, output=output, limits=LIMITS)
    assert to_file.seconds < 30 and not to_file.timed_out
    assert (tmp_path / "out.log").stat().st_size <= 1 << 20


def test_cpu_time_is_limited_by_the_kernel():
    limits = processes.Limits(cpu_seconds=1)
    finished = processes.run([sys.executable, "-c", "while True: pass"], timeout=60, on_line=lambda line: None,
                             limits=limits)
    assert finished.exit_code == -signal.SIGXCPU and not finished.timed_out
    assert limits.reason(finished) == "used more than 1 s of CPU time"
