"""Reset and restore: a student's notebook is never overwritten without a backup.

A module's starting point is the notebook as it was handed out, kept in ``.tito/starting-points/``
(``tito system setup`` and ``tito release student`` record it). ``reset`` copies the student's notebook to
``.tito/backups/<module>/`` first, then puts the starting point back; ``restore`` does the same in reverse
with any backup. Backups are never deleted by tito.
"""

from __future__ import annotations

import time
from pathlib import Path

from .. import notebooks
from ..course import Course, Module
from ..errors import TitoError, UsageError
from . import files
from .context import Context
from .progress import ProgressStore
from .results import Result

STARTING_POINTS = "starting-points"
BACKUPS = "backups"


def starting_point(course: Course, module: Module) -> Path:
    return course.state_dir / STARTING_POINTS / module.id / module.notebook.name


def record_starting_point(course: Course, module: Module, overwrite: bool = False) -> bool:
    target = starting_point(course, module)
    if target.exists() and not overwrite:
        return False
    files.atomic_write_bytes(target, module.notebook.read_bytes())
    return True


def make_backup(course: Course, module: Module, reason: str) -> dict:
    """Copy the module's notebook into its backup folder; return the backup's description."""
    folder = course.state_dir / BACKUPS / module.id
    folder.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    n = 0
    while True:
        backup_id = f"{stamp}-{reason}" + (f"-{n}" if n else "")
        path = folder / f"{backup_id}.ipynb"
        if not path.exists():
            break
        n += 1
    files.atomic_write_bytes(path, module.notebook.read_bytes())
    return _describe(course, module, path)


def _describe(course: Course, module: Module, path: Path) -> dict:
    return {"id": path.stem, "module": module.id, "path": path.relative_to(course.root).as_posix(),
            "bytes": path.stat().st_size, "created": path.stat().st_mtime}


def _backups_of(course: Course, module: Module) -> list[dict]:
    folder = course.state_dir / BACKUPS / module.id
    if not folder.is_dir():
        return []
    return [_describe(course, module, p) for p in sorted(folder.glob("*.ipynb"))]


def reset(ctx: Context, module: str, yes: bool = False) -> Result:
    course = ctx.course
    mod = course.module(module)
    start = starting_point(course, mod)
    if not start.is_file():
        raise TitoError(
            f"tito has no starting point recorded for {mod.id}, so it cannot tell what to reset it to.",
            hint="Starting points are recorded by `tito system setup` and by a student release. "
                 "Your notebook was not touched.",
        )
    if mod.notebook.is_file() and mod.notebook.read_bytes() == start.read_bytes():
        return Result(command="module.reset", ok=True, summary=f"{mod.id} is already at its starting point.",
                      data={"module": mod.id, "changed": False})
    rel = mod.notebook.relative_to(course.root).as_posix()
    if not yes:
        return Result(command="module.reset", ok=True,
                      summary=f"This would replace {rel} with its starting point, after backing up your version. "
                              f"Run `tito module reset {mod.id} --yes` to do it.",
                      data={"module": mod.id, "changed": False, "dry_run": True})
    saved = make_backup(course, mod, "before-reset") if mod.notebook.is_file() else None
    # The notebook is put back under the progress lock, so a `complete` finishing meanwhile either recorded
    # before (and its entry goes now) or sees the reset notebook and records nothing.
    ProgressStore(course).reset_module(mod, put_back=lambda: files.atomic_write_bytes(mod.notebook, start.read_bytes()))
    return Result(command="module.reset", ok=True,
                  summary=f"{rel} is back at its starting point."
                          + (f" Your version is saved as backup {saved['id']}." if saved else ""),
                  data={"module": mod.id, "changed": True, "backup": saved})


def backups(ctx: Context, module: str | None = None) -> Result:
    course = ctx.course
    chosen = [course.module(module)] if module else course.modules
    found = [b for m in chosen for b in _backups_of(course, m)]
    return Result(command="module.backups", ok=True, summary=f"{len(found)} backup(s).", data={"backups": found})


def restore(ctx: Context, module: str, backup: str) -> Result:
    course = ctx.course
    mod = course.module(module)
    available = {b["id"]: b for b in _backups_of(course, mod)}
    if backup not in available:
        listing = ", ".join(available) or "none yet"
        raise UsageError(f"{mod.id} has no backup {backup!r}. Its backups: {listing}.",
                         hint=f"See `tito module backups {mod.id}`.")
    source = course.root / available[backup]["path"]
    try:
        notebooks.read_notebook(source)
    except notebooks.NotebookError as exc:
        raise TitoError(f"Backup {backup} cannot be restored: {exc.message}") from None
    saved = make_backup(course, mod, "before-restore") if mod.notebook.is_file() else None
    files.atomic_write_bytes(mod.notebook, source.read_bytes())
    return Result(command="module.restore", ok=True,
                  summary=f"Restored {mod.id} from backup {backup}."
                          + (f" The version it replaced is backup {saved['id']}." if saved else ""),
                  data={"module": mod.id, "restored": backup, "backup": saved})
