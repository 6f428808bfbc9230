"""Checkpoints: capability tests ("Can I build and run an MLP?") over the exported package.

A checkpoint is ``locked`` until every module it needs is complete, ``ready`` then, and ``passed`` or
``failed`` after it last ran. ``test`` runs it against the package as it is; ``run`` first exports the modules
it needs (the way ``complete`` would) and then tests it. Both record the outcome. A locked checkpoint does not
run from any face: nothing could be recorded for it but a pass the course does not count yet.
"""

from __future__ import annotations

from ..course import Checkpoint
from ..errors import TitoError
from . import export as export_mod
from . import files
from . import testing
from .context import Context
from .progress import ProgressStore, incomplete_modules, module_state
from .results import Result


class CheckpointLocked(TitoError):
    """A checkpoint whose modules are not all complete: running it could only record a pass nobody earned."""

    kind = "checkpoint_locked"
    exit_code = 2  # the request cannot be honoured yet; the hint says what to do first


def missing_modules(checkpoint: Checkpoint, progress: dict, completing: set[str] = frozenset()) -> list[str]:
    """The modules the checkpoint needs that are not complete (``completing``: being completed right now)."""
    return incomplete_modules(checkpoint.requires, progress, completing)


def refuse_if_locked(checkpoint: Checkpoint, store: ProgressStore, completing: set[str] = frozenset()) -> None:
    """Raise :class:`CheckpointLocked`, naming the modules to complete first, unless the checkpoint is open."""
    missing = missing_modules(checkpoint, store.read(), completing)
    if missing:
        raise CheckpointLocked(
            f"Checkpoint {checkpoint.id} is locked: it needs {', '.join(missing)}, which "
            f"{'is' if len(missing) == 1 else 'are'} not complete yet, so it did not run and nothing was recorded.",
            hint=f"Complete {'it' if len(missing) == 1 else 'them'} first: `tito complete {missing[0]}`.",
            checkpoint=checkpoint.id, missing_modules=missing,
        )


def run_checkpoint(ctx: Context, checkpoint: Checkpoint, store: ProgressStore, timeout: float | None,
                   completing: set[str] = frozenset()) -> dict:
    """Run a checkpoint and record the outcome. A locked one raises :class:`CheckpointLocked` instead.

    This is the one place that runs and records checkpoints, so every face (CLI, ``%tito``, the sidebar's
    Run) is held to the lock.
    """
    refuse_if_locked(checkpoint, store, completing)
    ctx.events.step("checkpoint", "running", checkpoint=checkpoint.id)
    run = testing.run_pytest(ctx.course, [checkpoint.path], ctx.events, timeout=timeout or ctx.timeout)
    ok, summary = testing.summarise_run(run, f"Checkpoint {checkpoint.id} ({checkpoint.question})")
    store.record_checkpoint(checkpoint.id, ok, run["counts"])
    ctx.events.step("checkpoint", "passed" if ok else "failed", checkpoint=checkpoint.id, message=summary)
    return {"checkpoint": checkpoint.id, "ok": ok, "summary": summary, **run}


def _states(ctx: Context) -> tuple[list[dict], list[str]]:
    course = ctx.course
    store = ProgressStore(course)
    progress = store.read()
    rows = []
    for cp in course.checkpoints:
        recorded = progress["checkpoints"].get(cp.id, {})
        last = recorded.get("last_run")
        missing = missing_modules(cp, progress)
        if last:
            state = "passed" if last.get("ok") else "failed"
        else:
            state = "locked" if missing else "ready"
        rows.append({**cp.to_dict(course.root), "state": state, "missing_modules": missing,
                     "passed_at": recorded.get("passed_at"), "last_run": last})
    return rows, store.warnings


def status(ctx: Context) -> Result:
    rows, warnings = _states(ctx)
    passed = sum(1 for r in rows if r["state"] == "passed")
    return Result(command="checkpoint.status", ok=True, summary=f"{passed} of {len(rows)} checkpoints passed.",
                  data={"checkpoints": rows, "passed": passed, "total": len(rows), "warnings": warnings})


def timeline(ctx: Context) -> Result:
    """The course in order: each module followed by the checkpoints it unlocks."""
    rows, warnings = _states(ctx)
    by_unlock: dict[str | None, list[dict]] = {}
    for row in rows:
        by_unlock.setdefault(row["unlocked_by"], []).append(row)
    course = ctx.course
    progress = ProgressStore(course).read()
    entries = []
    for module in course.modules:
        state = module_state(progress["modules"].get(module.id), None)["state"]
        entries.append({"kind": "module", "id": module.id, "title": module.title, "state": state})
        for row in by_unlock.get(module.id, []):
            entries.append({"kind": "checkpoint", "id": row["id"], "title": row["question"], "state": row["state"]})
    for row in by_unlock.get(None, []):
        entries.append({"kind": "checkpoint", "id": row["id"], "title": row["question"], "state": row["state"]})
    passed = sum(1 for r in rows if r["state"] == "passed")
    return Result(command="checkpoint.timeline", ok=True,
                  summary=f"{passed} of {len(rows)} checkpoints passed.",
                  data={"timeline": entries, "warnings": warnings})


@files.uses_build
def test(ctx: Context, checkpoint: str, timeout: float | None = None) -> Result:
    cp = ctx.course.checkpoint(checkpoint)
    ran = run_checkpoint(ctx, cp, ProgressStore(ctx.course), timeout)
    return Result(command="checkpoint.test", ok=ran["ok"], summary=ran["summary"], data=ran)


@files.uses_build
def run(ctx: Context, checkpoint: str, timeout: float | None = None) -> Result:
    course = ctx.course
    cp = course.checkpoint(checkpoint)
    needed = [course.module(r) for r in cp.requires]
    store = ProgressStore(course)
    refuse_if_locked(cp, store)  # before exporting anything
    if needed:
        exported = export_mod.export_modules(course, needed, ctx.events)
        if not exported.ok:
            return Result(command="checkpoint.run", ok=False,
                          summary=f"Checkpoint {cp.id} did not run: {exported.summary}",
                          data={"checkpoint": cp.id, "export": exported.to_dict()}, error=exported.error)
    ran = run_checkpoint(ctx, cp, store, timeout)
    return Result(command="checkpoint.run", ok=ran["ok"], summary=ran["summary"], data=ran)
