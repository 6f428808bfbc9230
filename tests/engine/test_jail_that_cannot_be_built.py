"""A jail that cannot be built (:mod:`tito_jupyter.engine.jail_launcher`) stops before any of the submission runs,
with a sentence that names the step and the folder, and leaves nothing mounted outside its own namespace.

``enter`` is called as the warm grader's child calls it: in a forked child of this process (it moves the process
into a mount namespace of its own, so never this one). The launcher as a script (``Jail.wrap``) is run as
autograde runs it. Root only, as the jail is (tests/engine/test_sandbox.py builds working jails).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tito_jupyter.engine import jail_launcher, sandbox

pytestmark = pytest.mark.linux_only


def enter_in_a_child(spec: dict) -> str:
    """Call ``jail_launcher.enter(spec)`` in a forked child; what it raised, as one line, or "entered"."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: only the call, a line on the pipe, and out (no pytest code runs here)
        message = "entered"
        try:
            os.close(read_end)
            jail_launcher.enter(spec)
        except OSError as exc:
            message = f"OSError: {exc.strerror}"
        except BaseException as exc:  # noqa: BLE001 (anything else is a failure the test shows)
            message = f"{type(exc).__name__}: {exc}"
        finally:
            os.write(write_end, message.encode())
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as answer:
        said = answer.read().decode()
    os.waitpid(pid, 0)
    return said


def our_mounts() -> str:
    return Path("/proc/self/mountinfo").read_text()


def spec_for(root: Path, writable: Path) -> dict:
    return {"uid": 1_999_999_003, "mountpoint": str(root), "tmp_bytes": 2**20, "cwd": str(writable),
            # a folder, a link (/bin on merged-/usr systems), a file and a path that is not there: the last two
            # are passed over, not errors
            "readable": ["/usr", "/bin", "/etc/hostname", "/no/such/folder"], "writable": [str(writable)]}


def test_a_writable_folder_that_is_gone_stops_the_jail_with_its_name_and_nothing_is_mounted_outside(tmp_path):
    assert os.geteuid() == 0, "these tests run as root, as CI does (only root builds a jail)"
    root, gone = tmp_path / "root", tmp_path / "work-removed"
    root.mkdir()
    said = enter_in_a_child(spec_for(root, gone))
    assert said == f"OSError: could not mount {gone} on {root}{gone}: No such file or directory"
    assert str(root) not in our_mounts()  # the tmpfs, /tmp and the binds were the child's namespace's only
    assert list(root.iterdir()) == []


def test_a_jail_root_that_is_not_a_folder_is_named(tmp_path):
    assert os.geteuid() == 0, "these tests run as root, as CI does (only root builds a jail)"
    (tmp_path / "work").mkdir()
    said = enter_in_a_child(spec_for(tmp_path / "no-root", tmp_path / "work"))
    assert said == f"OSError: could not mount tito-jail on {tmp_path / 'no-root'}: No such file or directory"


def test_the_launcher_exits_launch_failed_with_the_sentence_and_the_command_never_runs(tmp_path):
    assert os.geteuid() == 0, "these tests run as root, as CI does (only root builds a jail)"
    ran = tmp_path / "ran"
    jail = sandbox.Jail(uid=1_999_999_004, mountpoint=str(tmp_path / "no-root"), readable=("/usr",),
                        writable=(str(tmp_path),))
    done = subprocess.run(jail.wrap([sys.executable, "-c", f"open({str(ran)!r}, 'w')"]), capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == jail_launcher.LAUNCH_FAILED
    assert done.stderr.strip() == f"tito's jail: could not mount tito-jail on {tmp_path / 'no-root'}: " \
                                  "No such file or directory"
    assert not ran.exists()
