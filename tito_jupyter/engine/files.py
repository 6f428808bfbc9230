"""Safe file handling: atomic writes, cross-process locks, and sentences for what the file system refuses.

A file tito writes is always either the old version or the new one: the bytes go to a temporary file in the
same folder, are flushed to disk, and replace the target in one ``os.replace`` (:func:`platform.replace`). Text is
written as UTF-8 with ``\n`` line endings on every system (the bytes given, never translated), so a notebook, a
package file or the progress written on Windows is byte for byte the one written on Linux. A process killed half way
leaves the old file and a stray ``.tito-tmp`` file named with its pid, which the next write of that file sweeps
away (and a server that had to kill a job, at once); an interrupt (Ctrl-C, SIGTERM, a cancelled job) leaves none.

Commands that work in ``.tito/build`` or write the package share one lock that ``system clean`` takes alone, so
a clean never pulls files from under them. The locks are :mod:`tito_jupyter.platform`'s (``flock`` on POSIX, filelock on Windows). A write the file system refuses (a read-only folder) becomes one
sentence naming the folder (:func:`refused_by_file_system`, applied by ``engine.run``), not an internal error.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import json
import os
from pathlib import Path

from .. import platform
from ..errors import TitoError

TMP_SUFFIX = platform.TEMP_SUFFIX


def _fault(point: str) -> None:
    """A test hook: ``TITO_FAULT=<point>`` kills this process at a named point, as a crash would."""
    if os.environ.get("TITO_FAULT") == point:
        platform.crash()


def atomic_write_bytes(path: Path, data: bytes, fault_point: str | None = None) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = platform.temp_beside(path)  # named before it is made: an interrupt at any moment below removes it
    try:
        with os.fdopen(platform.open_temp(tmp), "wb") as f:
            if fault_point:
                half = len(data) // 2
                f.write(data[:half])
                f.flush()
                _fault(fault_point)
                f.write(data[half:])
            else:
                f.write(data)
            f.flush()
            os.fsync(f.fileno())
        platform.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    platform.sweep_temp_files(path.parent, only_of=path.name)  # what a killed writer of this file left


def atomic_write_text(path: Path, text: str, fault_point: str | None = None) -> None:
    atomic_write_bytes(path, text.encode("utf-8"), fault_point=fault_point)


def write_text_if_changed(path: Path, text: str) -> bool:
    """:func:`atomic_write_text`, unless ``path`` already holds exactly ``text`` (a generated file most runs make
    the same again: its write, fsync included, was on the way to every test run). Whether it wrote."""
    try:
        with open(path, "rb") as f:
            if f.read() == text.encode("utf-8"):
                return False
    except OSError:  # not there yet, or unreadable: the write says what is wrong
        pass
    atomic_write_text(path, text)
    return True


def atomic_write_json(path: Path, data) -> None:
    atomic_write_text(path, json.dumps(data, indent=1, sort_keys=True) + "\n")


def sweep_stray_temp_files(folder: Path) -> list[Path]:
    """Remove every temporary file under ``folder``, a running writer's too: for a caller that holds the lock
    every writer there takes (the export, in the package). :func:`platform.sweep_temp_files` leaves running
    writers' files alone."""
    removed = []
    if folder.is_dir():
        for p in folder.rglob(f"*{TMP_SUFFIX}"):
            with contextlib.suppress(OSError):
                p.unlink()
                removed.append(p)
    return removed


def sweep_killed_writes(course_root: Path) -> list[str]:
    """Remove what writers that were killed mid-write (SIGKILL: nothing of theirs ran after it) left in a course's
    state folder and package; running writers' files stay. For whoever killed them: the server, after a job
    that did not stop when asked."""
    from ..course import PACKAGE
    from ..course_root import STATE_DIR

    root = Path(course_root)
    return [*platform.sweep_temp_files(root / STATE_DIR, recursive=True),
            *platform.sweep_temp_files(root / PACKAGE, recursive=True)]


class LockTimeout(TitoError):
    kind = "busy"


class NotWritable(TitoError):
    """The file system refused a write: a read-only folder (permissions) or a read-only file system."""

    kind = "not_writable"


class PermissionDenied(TitoError):
    """The file system refused tito another use of a file (reading it, for one)."""

    kind = "permission_denied"


def refused_by_file_system(exc: BaseException) -> TitoError | None:
    """A sentence for an error the file system raised on a file or folder of the course's state; else None.

    A write that failed names its folder (the parent of what could not be created, replaced or removed) when that
    folder is really unwritable; any other refusal names the file.
    """
    if not isinstance(exc, OSError) or exc.errno not in (errno.EACCES, errno.EPERM, errno.EROFS) \
            or not exc.filename:
        return None
    path = Path(os.fsdecode(exc.filename))
    folder = path.parent
    if exc.errno == errno.EROFS:
        return NotWritable(f"tito cannot write in {folder}: it is on a read-only file system.",
                           hint="Copy the course to a writable place and run the command there.", folder=str(folder))
    if not os.access(folder, os.W_OK):
        return NotWritable(f"tito cannot write in {folder}: permission denied.",
                           hint=f"Make it writable (chmod u+w '{folder}') and run the command again.",
                           folder=str(folder))
    return PermissionDenied(f"tito may not use {path}: permission denied.",
                            hint=f"Check its permissions (ls -l '{path}') and run the command again.", path=str(path))


@contextlib.contextmanager
def file_lock(path: Path, timeout: float = 120.0, what: str = "this operation", shared: bool | None = None):
    """Hold a lock on ``path`` across processes (CLI, server jobs, magics) and threads for the block's duration.

    Exclusive by default (``shared=None``). A lock file some use with ``shared=True`` (many holders at once)
    is a reader-writer lock: its exclusive users pass ``shared=False``, and wait for every shared holder.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    held = (platform.exclusive_lock(path, timeout) if shared is None
            else platform.reader_writer_lock(path, timeout, write=not shared))
    try:
        held.__enter__()
    except platform.LockBusy:
        raise LockTimeout(
            f"Another tito process has been running {what} for over {timeout:.0f} s.",
            hint="Wait for it to finish, or stop it, then try again.",
        ) from None
    with contextlib.ExitStack() as release:
        release.push(held)
        yield


#: Seconds ``system clean`` waits for running work before it says a command is running.
CLEAN_WAIT = 60.0


def build_in_use(state_dir: Path):
    """Held (shared) while a command works in the build folder or writes the package: export, test, complete,
    checkpoints. Many such commands may run at once; ``system clean`` waits for all of them (:func:`build_cleaning`),
    because it removes their staging folders, report files and temporary files from under them."""
    return file_lock(Path(state_dir) / "locks" / "build.lock", shared=True, what="a clean of the build folder")


def uses_build(operation):
    """Marks an engine operation ``op(ctx, ...)`` that works in the build folder: it runs under :func:`build_in_use`
    from start to end, so ``system clean`` cannot remove a file between two of its steps."""

    @functools.wraps(operation)
    def run_in_build(ctx, *args, **kwargs):
        with build_in_use(ctx.course.state_dir):
            return operation(ctx, *args, **kwargs)

    return run_in_build


def build_cleaning(state_dir: Path):
    """Held (exclusive) by ``system clean``: no export, test run or checkpoint runs meanwhile."""
    return file_lock(Path(state_dir) / "locks" / "build.lock", timeout=CLEAN_WAIT, shared=False,
                     what="an export, a test run or a checkpoint on this course")
