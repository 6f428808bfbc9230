"""The jail for untrusted code: a student's submission runs as a user of its own, seeing only what it needs.

Every submission is someone else's code. :mod:`.autograde` grades each one in a scratch folder of its own
(outside the course), and runs its tests here. When tito runs as root on Linux (a grading server, CI), the
tests run in a jail:

- a private mount namespace whose root is an empty tmpfs, into which only the system folders (``/usr``,
  ``/etc``, ...), this Python (its prefix and the virtual environment's) and tito's own package are bound,
  read-only, at their own paths, and the submission's scratch folder read-write. The course, the gradebook,
  other submissions, the instructor's home: none of them exists in there;
- then ``chroot`` into it and a drop to a user id of its own (a random one, no name), so the files bound in are
  only as writable as their modes allow (the tests and the reference package are root's: read-only), and
  ``RLIMIT_NPROC`` counts this submission's processes alone (the kernel exempts root, not other users): a
  fork bomb stops at the limit, and never takes the places of another submission's processes;
- afterwards :func:`sweep` kills every process of that user (``kill(-1)`` as the user: the kernel signals
  them all at once, so a fork bomb cannot outrun it), whatever group or session they moved to.

The other limits (CPU time, memory, file size, output) are :class:`processes.Limits`, set before the jail starts.
Without root (a laptop), there is no jail: the submission runs as the instructor's user with those limits
(``RLIMIT_NPROC`` relative to the user's count), in its scratch folder with a clean environment, but it *can*
read what that user can read. :func:`status` says which of the two is in force.

The jail is built by :mod:`.jail_launcher`, a script run as root between our fork and the child's own code.
"""

from __future__ import annotations

import json
import os
import secrets
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .. import platform
from .processes import Finished, Limits, kill_user, tools_folder, unwatch_user, watch_user

#: Jailed users' ids: random, far above any real account's, never reused in practice.
UID_RANGE = (1_500_000_000, 2_000_000_000)
#: Variables passed on from our environment: they describe this machine's CPU (OpenBLAS needs them on some).
_PASSED_ON = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")


@dataclass(frozen=True)
class Jail:
    """One submission's jail: its user id, and the folders it sees."""

    uid: int
    mountpoint: str  # an empty folder of ours, where the jail's root is built (in the child's namespace only)
    readable: tuple[str, ...]  # bound read-only at their own paths
    writable: tuple[str, ...] = field(default=())  # bound read-write at their own paths
    tmp_bytes: int = 16 * 2**20  # the size of its /tmp (memory)

    def spec(self) -> dict:
        """What :func:`.jail_launcher.enter` builds: plain data."""
        return {"uid": self.uid, "mountpoint": self.mountpoint, "readable": list(self.readable),
                "writable": list(self.writable), "cwd": self.writable[0] if self.writable else "/",
                "tmp_bytes": self.tmp_bytes}

    def wrap(self, argv: list[str]) -> list[str]:
        """The command that runs ``argv`` in this jail (through the launcher, which runs as root first)."""
        return [sys.executable, "-I", "-S", str(Path(__file__).resolve().with_name("jail_launcher.py")),
                json.dumps(self.spec()), "--", *argv]

    def give(self, *paths: Path) -> None:
        """Make ``paths`` (files or folders, not what is in them) the jailed user's: the only places it may write."""
        for path in paths:
            os.chown(path, self.uid, self.uid)


def new_jail(mountpoint: Path, writable: list[Path], tmp_bytes: int | None = None) -> Jail:
    """A jail with a fresh user id: the system, this Python and tito readable; ``writable`` read-write."""
    mountpoint.mkdir(parents=True, exist_ok=True)
    return Jail(uid=secrets.randbelow(UID_RANGE[1] - UID_RANGE[0]) + UID_RANGE[0], mountpoint=str(mountpoint),
                readable=tuple(dict.fromkeys(_python_folders())), writable=tuple(str(p) for p in writable),
                **({"tmp_bytes": int(tmp_bytes)} if tmp_bytes else {}))


@dataclass(frozen=True)
class Confinement:
    """How untrusted code runs: its whole environment, its limits, and its jail (None where there is none)."""

    env: dict[str, str]
    limits: Limits
    jail: Jail | None
    #: What runs the command in place of :func:`processes.run` (same arguments, same ``Finished``), entering
    #: ``jail`` itself: a warm grader's fork (:mod:`.instructor.warm_grader`). None: a fresh process, via
    #: ``jail.wrap``.
    runner: Callable[..., Finished] | None = None


def confine(scratch: Path, work: Path, limits: Limits) -> Confinement:
    """The confinement for code run in ``work`` (a folder in ``scratch``, a fresh folder of ours).

    The environment is a clean one, not ours: no tokens, no JUPYTER*/JPY* variables, no paths of the course;
    HOME is a folder of the submission's own (``work/.home``), and so is TMPDIR outside a jail.
    """
    home = work / ".home"
    home.mkdir()
    jailed, _ = status()
    env = {"PATH": os.pathsep.join([tools_folder(), "/usr/local/bin", "/usr/bin", "/bin"]), "HOME": str(home),
           "TMPDIR": "/tmp" if jailed else str(home), "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8",
           "PYTHONNOUSERSITE": "1", "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
           "MPLBACKEND": "Agg"}
    env.update({name: os.environ[name] for name in _PASSED_ON if name in os.environ})
    if not jailed:
        return Confinement(env=env, limits=limits, jail=None)
    # The jail's /tmp holds pytest's captured output: a little more than a file may hold, so that a flood
    # of output ends on the file-size limit (a reason we can name), not on a full disk.
    tmp_bytes = (limits.file_bytes or 64 * 2**20) + 2**20
    jail = new_jail(scratch / "root", [work], tmp_bytes=tmp_bytes)
    jail.give(home)
    return Confinement(env=env, limits=limits, jail=jail)


def _python_folders() -> list[str]:
    """The system folders, this Python's, the environment's, and tito's package (for its pytest plugin).

    In a checkout, tito's version is read from the sidebar's ``labextension/package.json`` (see ``_version``):
    that one file is bound too, or importing tito in the jail fails where the build's version file is absent."""
    from .._version import PACKAGE_JSON

    system = [p for p in ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/etc") if os.path.lexists(p)]
    here = Path(__file__).resolve().parents[1]  # the tito_jupyter package alone, not the repository around it
    python = {sys.base_prefix, sys.prefix, str(Path(sys.executable).resolve().parents[1])}
    version = [PACKAGE_JSON] if os.path.isfile(PACKAGE_JSON) else []
    return [*system, *sorted(python), str(here), *version]


# -- is it available here? ------------------------------------------------------------------------------------

_status: tuple[bool, str] | None = None


def status() -> tuple[bool, str]:
    """(whether submissions run jailed here, a sentence saying how they are contained). Checked once."""
    global _status
    if _status is None:
        _status = _probe()
    return _status


def _probe() -> tuple[bool, str]:
    if not platform.JAIL_HERE:
        return False, "no jail on this system (sandboxed grading needs Linux): submissions run with resource limits only"
    if not platform.is_root():
        return False, ("not root, so no jail: submissions run as this user with resource limits, and can read "
                       "what this user can read")
    import subprocess
    import tempfile

    with tempfile.TemporaryDirectory(prefix="tito-jail-probe-") as scratch:
        jail = new_jail(Path(scratch) / "root", [Path(scratch) / "work"])
        Path(jail.writable[0]).mkdir()
        jail.give(Path(jail.writable[0]))
        # What a submission's tests need: this Python, pytest, and tito's report plugin, readable as the jailed user.
        env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
        try:
            done = subprocess.run(jail.wrap([sys.executable, "-c", "import pytest, tito_jupyter.pytest_report"]),
                                  capture_output=True, text=True, timeout=60, env=env)
        except (OSError, subprocess.TimeoutExpired) as exc:
            return False, f"the jail could not start here ({exc}): submissions run with resource limits only"
        finally:
            sweep(jail.uid)
    if done.returncode != 0:
        why = (done.stderr.strip().splitlines() or [f"exit code {done.returncode}"])[-1]
        return False, f"the jail could not start here ({why}): submissions run with resource limits only"
    return True, "each submission runs as a user of its own in a jail that holds only its scratch folder"


# -- after a run ------------------------------------------------------------------------------------------------


def sweep(uid: int, wait: float = 5.0) -> None:
    """Kill every process of the jailed user ``uid``, whatever group or session it moved to (a double fork, a
    fork bomb), and wait up to ``wait`` seconds until none is left."""
    if not platform.is_root() or uid < UID_RANGE[0]:
        return  # never a real user (ourselves included)
    deadline = time.monotonic() + wait
    while True:
        kill_user(uid)
        if not owned_by(uid) or time.monotonic() > deadline:
            return
        time.sleep(0.05)  # a process in uninterruptible sleep dies when it wakes


@contextmanager
def swept(jail: Jail | None):
    """Around a jailed run: our guard kills the jailed user's processes if we die; at the end, :func:`sweep`."""
    if jail is None:
        yield
        return
    watch_user(jail.uid)
    try:
        yield
    finally:
        sweep(jail.uid)
        unwatch_user(jail.uid)


def owned_by(uid: int) -> list[int]:
    """The pids of the processes whose real user is ``uid`` (reaped zombies excluded)."""
    found = []
    for entry in os.scandir("/proc") if os.path.isdir("/proc") else ():
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/status", encoding="ascii", errors="replace") as f:
                status_text = f.read()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status_text.splitlines() if ":" in line)
        if fields.get("Uid", "").split()[:1] == [str(uid)] and not fields.get("State", "").strip().startswith("Z"):
            found.append(int(entry.name))
    return found
