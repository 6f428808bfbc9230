"""Builds the jail of :mod:`.sandbox` and starts a command in it: run as a script, as root, by ``Jail.wrap``.

``python -I -S jail_launcher.py SPEC -- COMMAND...``: in a mount namespace of its own, an empty tmpfs becomes the
root, the folders of SPEC are bound into it at their own paths (read-only, or read-write), it gets a small /tmp
and the harmless devices, then ``chroot``, the drop to the jailed user, and ``exec`` of COMMAND. The limits of
:class:`processes.Limits` were set before this started and carry on through ``exec``. It uses the kernel
directly (``unshare``, ``mount``, ``chroot``, ``setuid``) and the standard library only; a step that fails ends it
with :data:`LAUNCH_FAILED` and a sentence on stderr.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

if __name__ == "__main__":  # run as a script (-I -S): the package this file is in is not on the path yet
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tito_jupyter import platform  # noqa: E402  (the standard library only; imported before the chroot)

#: Exit code when the jail could not be built (as ``env`` and ``chroot`` use 125-127).
LAUNCH_FAILED = 125


_MS_RDONLY, _MS_NOSUID, _MS_NODEV, _MS_REMOUNT, _MS_BIND, _MS_REC, _MS_PRIVATE = 1, 2, 4, 32, 4096, 16384, 1 << 18
_CLONE_NEWNS = 0x00020000


def _launch(spec: dict, argv: list[str]) -> None:
    """Build the jail described by ``spec`` and exec ``argv`` in it as the jailed user; never returns."""
    enter(spec)
    os.execv(argv[0], argv)


def enter(spec: dict) -> None:
    """Move this process, as root, into the jail described by ``spec``: a mount namespace of its own, ``chroot``
    into the jail's root, the working folder, then the jailed user (which drops every capability, for good).

    The script's own path (``Jail.wrap``) calls it before ``exec``; a warm grader's child
    (:mod:`.instructor.warm_grader`) calls it right after ``fork``. The caller armed the parent-death signal
    (it is armed again here, since the change of user clears it) and set the resource limits.
    """
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    parent = os.getppid()

    def mount(source: str | None, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
        if libc.mount(source and source.encode(), target.encode(), fstype and fstype.encode(), ctypes.c_ulong(flags),
                      data and data.encode()) != 0:
            error = ctypes.get_errno()
            raise OSError(error, f"could not mount {source or fstype} on {target}: {os.strerror(error)}")

    if libc.unshare(_CLONE_NEWNS) != 0:
        error = ctypes.get_errno()
        raise OSError(error, f"could not make a mount namespace: {os.strerror(error)}")
    mount(None, "/", None, _MS_REC | _MS_PRIVATE)  # nothing we mount here is seen outside, nor the reverse
    root = spec["mountpoint"]
    mount("tito-jail", root, "tmpfs", _MS_NOSUID | _MS_NODEV, "mode=0755,size=1m")
    # /tmp first: a folder bound below it (a scratch folder, an environment in /tmp) goes on top of it
    tmp = root + "/tmp"
    os.makedirs(tmp, exist_ok=True)
    mount("tito-tmp", tmp, "tmpfs", _MS_NOSUID | _MS_NODEV, f"mode=1777,size={int(spec['tmp_bytes'])}")
    for path in spec["readable"]:
        _bind_read_only(mount, path, root + path)
    for path in spec["writable"]:
        target = root + path
        os.makedirs(target, exist_ok=True)
        mount(path, target, None, _MS_BIND | _MS_NOSUID | _MS_NODEV)
    os.makedirs(root + "/dev", exist_ok=True)
    for device in ("null", "zero", "random", "urandom"):
        target = f"{root}/dev/{device}"
        open(target, "wb").close()
        mount(f"/dev/{device}", target, None, _MS_BIND)
    os.chroot(root)
    os.chdir(spec["cwd"])
    uid = int(spec["uid"])
    os.setgroups([])
    os.setgid(uid)
    os.setuid(uid)  # from root to another user: every capability goes too, so chroot cannot be undone
    # A change of user clears the parent-death signal processes.start armed: arm it again (see processes.py).
    if not platform.arm_parent_death_signal(parent):  # the parent died before the signal was armed again
        os._exit(LAUNCH_FAILED)


def _bind_read_only(mount, path: str, target: str) -> None:
    """Show ``path`` (a folder, a single file, or a link) at ``target`` in the jail, read-only."""
    if os.path.islink(path):  # /bin -> usr/bin on merged-/usr systems: the same link in the jail
        os.makedirs(os.path.dirname(target), exist_ok=True)
        if not os.path.lexists(target):
            os.symlink(os.readlink(path), target)
        return
    if os.path.isfile(path):  # a single file (a checkout's version file): bound onto an empty file
        os.makedirs(os.path.dirname(target), exist_ok=True)
        if not os.path.exists(target):
            open(target, "wb").close()
        mount(path, target, None, _MS_BIND)
    elif not os.path.isdir(path) or os.path.isdir(target) and os.listdir(target):
        return  # not a folder, or already inside one bound before
    else:
        os.makedirs(target, exist_ok=True)
        mount(path, target, None, _MS_BIND | _MS_REC)
    mount(None, target, None, _MS_REMOUNT | _MS_BIND | _MS_RDONLY | _MS_NOSUID | _MS_NODEV)


if __name__ == "__main__" and sys.argv[2:3] == ["--"]:
    try:
        _launch(json.loads(sys.argv[1]), sys.argv[3:])
    except OSError as exc:
        print(f"tito's jail: {exc.strerror or exc}", file=sys.stderr)
        sys.exit(LAUNCH_FAILED)
