"""Progress: the one store of what a student has verifiably done, in ``.tito/progress.json``.

It is versioned, written atomically under a lock, and only ever records what was checked: an export that
succeeded, a test run as pytest reported it, a completion whose every step passed. A store that cannot be
read is set aside (renamed, never deleted) with a warning and started again, never a crash.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from ..course import Course, Module
from . import files

VERSION = 1
FILE = "progress.json"


def _empty() -> dict:
    return {"version": VERSION, "modules": {}, "checkpoints": {}, "milestones": {}}


class ProgressStore:
    def __init__(self, course: Course):
        self.course = course
        self.path: Path = course.state_dir / FILE
        self.warnings: list[str] = []

    def _lock(self):
        return files.file_lock(self.course.state_dir / "locks" / "progress.lock", what="a progress update")

    def read(self) -> dict:
        """The store's contents; a corrupt or unknown-version file is set aside and an empty store returned."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return _empty()
        try:
            data = json.loads(text)
            if not isinstance(data, dict) or data.get("version") != VERSION:
                raise ValueError(f"unknown format (version {data.get('version') if isinstance(data, dict) else '?'})")
            data.setdefault("modules", {})
            data.setdefault("checkpoints", {})
            data.setdefault("milestones", {})
            return data
        except ValueError as exc:
            aside = self.path.with_name(f"{FILE}.corrupt-{time.strftime('%Y%m%d-%H%M%S')}")
            try:
                self.path.replace(aside)
                where = f"moved to {aside.name}"
            except OSError:
                where = "left in place"
            self.warnings.append(
                f"The progress store could not be read ({exc}); it was {where} and progress starts afresh. "
                "Run `tito complete` on your modules to record them again."
            )
            return _empty()

    def update(self, change) -> dict:
        """Apply ``change(data)`` and write the store, under the lock."""
        with self._lock():
            data = self.read()
            change(data)
            files.atomic_write_json(self.path, data)
            return data

    # -- recording ---------------------------------------------------------------------------------

    def record_export(self, module: Module) -> None:
        def change(data):
            data["modules"].setdefault(module.id, {})["exported_at"] = time.time()

        self.update(change)

    def record_tests(self, module: Module, ok: bool, counts: dict, fingerprint: str | None) -> None:
        def change(data):
            entry = data["modules"].setdefault(module.id, {})
            entry["tests"] = {"at": time.time(), "ok": ok, "fingerprint": fingerprint,
                              **{k: counts[k] for k in ("passed", "failed", "error", "total")}}

        self.update(change)

    def record_complete(self, module: Module, fingerprint: str | None) -> None:
        def change(data):
            entry = data["modules"].setdefault(module.id, {})
            entry["completed_at"] = time.time()
            entry["completed_fingerprint"] = fingerprint

        self.update(change)

    def record_checkpoint(self, checkpoint_id: str, ok: bool, counts: dict) -> None:
        def change(data):
            entry = data["checkpoints"].setdefault(checkpoint_id, {})
            entry["last_run"] = {"at": time.time(), "ok": ok,
                                 **{k: counts[k] for k in ("passed", "failed", "error", "total")}}
            if ok:
                entry["passed_at"] = time.time()

        self.update(change)

    def record_milestone(self, milestone_id: str, ok: bool, metrics: dict | None, seconds: float) -> None:
        def change(data):
            entry = data["milestones"].setdefault(milestone_id, {})
            entry["last_run"] = {"at": time.time(), "ok": ok, "metrics": metrics, "seconds": round(seconds, 3)}
            if ok:
                entry["achieved_at"] = time.time()

        self.update(change)

    def reset_module(self, module: Module) -> None:
        def change(data):
            data["modules"].pop(module.id, None)

        self.update(change)


def module_state(entry: dict | None, current_fingerprint: str | None) -> dict:
    """A module's state for people: not_started, exported, tests_failing, tests_passing or complete.

    ``changed`` says the notebook's exported code differs from what was last verified.
    """
    entry = entry or {}
    tests = entry.get("tests") or {}
    if entry.get("completed_at"):
        state = "complete"
        verified = entry.get("completed_fingerprint")
    elif tests:
        state = "tests_passing" if tests.get("ok") else "tests_failing"
        verified = tests.get("fingerprint")
    elif entry.get("exported_at"):
        state, verified = "exported", None
    else:
        state, verified = "not_started", None
    last = max([entry.get("completed_at") or 0, tests.get("at") or 0, entry.get("exported_at") or 0])
    return {
        "state": state,
        "last_run": last or None,
        "changed": bool(verified and current_fingerprint and verified != current_fingerprint),
        "tests": {k: tests[k] for k in ("passed", "failed", "error", "total") if k in tests} or None,
    }
