"""Progress: the one store of what a student has verifiably done, in ``.tito/progress.json``.

It is versioned, written atomically under a lock, and only ever records what was checked: an export that
succeeded, a test run as pytest reported it, a completion whose every step passed. A store that cannot be
read is set aside (renamed, never deleted) with a warning and started again, never a crash.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from pathlib import Path

from .. import notebooks, platform
from ..course import Course, Module
from . import files

VERSION = 1
FILE = "progress.json"


def _empty() -> dict:
    return {"version": VERSION, "modules": {}, "checkpoints": {}, "milestones": {}}


def _problem_of(raw: bytes) -> str | None:
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return "it is not UTF-8 text"
    except ValueError as exc:
        return f"it is not valid JSON: {exc}"
    return _shape_problem(data)


def _parse(raw: bytes) -> dict:
    data = json.loads(raw.decode("utf-8"))
    _shape_problem(data)  # fills in missing sections
    return data


#: Keys whose values are times (seconds since the epoch) wherever they appear in the store.
_TIMES = ("at", "exported_at", "completed_at", "passed_at", "achieved_at")
#: Keys whose values are nested records.
_RECORDS = ("tests", "last_run")


def _shape_problem(data) -> str | None:
    """What makes ``data`` not a progress store of this version, in a few words, or None when it is one."""
    if not isinstance(data, dict):
        return f"it holds a JSON {type(data).__name__}, not an object"
    if data.get("version") != VERSION:
        return f"unknown format (version {data.get('version')!r})"
    for section in ("modules", "checkpoints", "milestones"):
        entries = data.setdefault(section, {})
        if not isinstance(entries, dict):
            return f"its {section!r} is a {type(entries).__name__}, not an object"
        for key, entry in entries.items():
            where = f"{section} entry {key!r}"
            if not isinstance(entry, dict):
                return f"the {where} is a {type(entry).__name__}, not an object"
            for name in _RECORDS:
                if name in entry and entry[name] is not None and not isinstance(entry[name], dict):
                    return f"the {where} has a {name!r} that is not an object"
            for record in [entry, *(entry[n] for n in _RECORDS if isinstance(entry.get(n), dict))]:
                for name in _TIMES:
                    value = record.get(name)
                    if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
                        return f"the {where} has a {name!r} that is not a time"
    return None


class ProgressStore:
    def __init__(self, course: Course):
        self.course = course
        self.path: Path = course.state_dir / FILE
        self.warnings: list[str] = []
        self._holding_lock = False

    @contextlib.contextmanager
    def _lock(self):
        if self._holding_lock:  # flock is per open file: taking it again in this process would wait forever
            yield
            return
        with files.file_lock(self.course.state_dir / "locks" / "progress.lock", what="a progress update"):
            self._holding_lock = True
            try:
                yield
            finally:
                self._holding_lock = False

    def read(self) -> dict:
        """The store's contents; an unreadable file is set aside with a warning and an empty store returned.

        Unreadable means anything but a store of this version: bytes that are not UTF-8, text that is not
        JSON, JSON of another shape (``[]``, modules that are a list, an entry that is not an object).
        """
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return _empty()
        problem = _problem_of(raw)
        if problem is None:
            return _parse(raw)
        with self._lock():
            # Another process may have set this file aside and written a good one while we waited.
            try:
                now = self.path.read_bytes()
            except FileNotFoundError:
                return _empty()
            if now != raw:
                problem = _problem_of(now)
                if problem is None:
                    return _parse(now)
            where = self._set_aside()
        self.warnings.append(
            f"The progress store {self.path.name} could not be read ({problem}); it was {where} and progress "
            "starts afresh. Run `tito complete` on your modules to record them again."
        )
        return _empty()

    def _set_aside(self) -> str:
        """Move the unreadable store to a name of its own (never over an earlier copy); say where it went."""
        stamp = time.strftime("%Y%m%d-%H%M%S")
        for n in range(1000):
            aside = self.path.with_name(f"{FILE}.corrupt-{stamp}" + (f"-{n}" if n else ""))
            try:
                # Claim the name first: O_EXCL fails if an earlier copy has it, so none is ever overwritten.
                os.close(os.open(aside, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644))
            except FileExistsError:
                continue
            except OSError:
                break
            try:
                platform.replace(self.path, aside)
                return f"moved to {aside.name}"
            except OSError:
                aside.unlink(missing_ok=True)
                break
        return "left in place (it could not be moved)"

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

    def record_exports(self, exported: list[Module], up_to_date: list[Module] = ()) -> None:
        """Record an export of many modules in one write: ``exported`` now, ``up_to_date`` only if the store
        has no export for them yet (a package exported before progress was kept).

        Nothing to record means nothing written: a no-op ``tito export --all`` leaves the store untouched
        (rewriting it, fsync included, was most of that command's time).
        """
        current = self.read()["modules"]
        missing = [m for m in up_to_date if not (current.get(m.id) or {}).get("exported_at")]
        if not exported and not missing:
            return

        def change(data):
            now = time.time()
            for module in exported:
                data["modules"].setdefault(module.id, {})["exported_at"] = now
            for module in missing:
                data["modules"].setdefault(module.id, {}).setdefault("exported_at", now)

        self.update(change)

    def record_tests(self, module: Module, ok: bool, counts: dict, fingerprint: str | None) -> None:
        """Record a test run; ``fingerprint`` is the export fingerprint of the code the tests ran against."""
        def change(data):
            entry = data["modules"].setdefault(module.id, {})
            entry["tests"] = {"at": time.time(), "ok": ok, "fingerprint": fingerprint,
                              **{k: counts[k] for k in ("passed", "failed", "error", "total")},
                              **({"timed_out": True} if counts.get("timed_out") else {})}

        self.update(change)

    def record_complete(self, module: Module, fingerprint: str) -> bool:
        """Record the module complete for the notebook version ``fingerprint``, if the notebook is still that.

        The notebook is read again under the progress lock: a save or a ``module reset`` while the tests ran
        means the verified version is gone, and nothing is recorded (reset writes the notebook under the same
        lock, so it cannot slip in between). False when it did not record.
        """
        recorded = False

        def change(data):
            nonlocal recorded
            if notebooks.current_export_fingerprint(module.notebook) != fingerprint:
                return
            entry = data["modules"].setdefault(module.id, {})
            entry["completed_at"] = time.time()
            entry["completed_fingerprint"] = fingerprint
            recorded = True

        self.update(change)
        return recorded

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

    def reset_module(self, module: Module, put_back=None) -> None:
        """Forget the module's progress; ``put_back()`` (rewriting the notebook) runs under the same lock."""
        def change(data):
            if put_back is not None:
                put_back()
            data["modules"].pop(module.id, None)

        self.update(change)


def module_state(entry: dict | None, current_fingerprint: str | None) -> dict:
    """A module's state for people: not_started, exported, tests_failing, tests_passing or complete.

    ``completed_earlier`` says a module whose latest tests fail was complete before them.
    ``changed`` says the notebook's exported code differs from what was last verified (tested or completed):
    ``current_fingerprint`` is the notebook's export fingerprint now, ``""`` for a notebook that cannot be
    read (it matches nothing), or None when the caller wants the state only. A verification that recorded no
    fingerprint (the package was not exported from the notebook) vouches for no version, so it counts as
    changed.
    """
    entry = entry or {}
    tests = entry.get("tests") or {}
    completed_at = entry.get("completed_at")
    # A module is complete until a later test run fails: then its tests fail, whatever they did before (the
    # student is told it was completed earlier). Every face and every prerequisite reads this one rule.
    failed_since = bool(completed_at and tests and not tests.get("ok") and (tests.get("at") or 0) > completed_at)
    if completed_at and not failed_since:
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
    checked = state in ("complete", "tests_passing", "tests_failing")
    return {
        "state": state,
        "last_run": last or None,
        "changed": bool(checked and current_fingerprint is not None and verified != current_fingerprint),
        "completed_earlier": failed_since,
        "tests": {k: tests[k] for k in ("passed", "failed", "error", "total", "timed_out") if k in tests} or None,
    }


def incomplete(requires, progress: dict, completing=frozenset()) -> list[str]:
    """The modules of ``requires`` that are not complete (``completing``: being completed right now).

    The one rule behind a module's missing prerequisites, a locked checkpoint and a locked milestone.
    """
    return [r for r in requires if r not in completing
            and module_state(progress["modules"].get(r), None)["state"] != "complete"]


def next_module(module_ids: list[str], progress: dict) -> str | None:
    """The module the student works on next: the first of the course's order not complete yet, else (all done)
    the first; None for a course without modules. Every face that offers "the next module" asks here."""
    missing = incomplete(module_ids, progress)
    return missing[0] if missing else next(iter(module_ids), None)


def unlock_state(requires, progress: dict, last_run: dict | None, passed: str = "passed") -> tuple[str, list[str]]:
    """A checkpoint's or milestone's state and the modules it still needs.

    ``passed`` (or ``failed``) once it has run, whatever it needs now: a run is on record; before that
    ``locked`` while a module it needs is not complete, else ``ready``. Milestones say ``achieved`` for passed.
    """
    missing = incomplete(requires, progress)
    if last_run:
        return (passed if last_run.get("ok") else "failed"), missing
    return ("locked" if missing else "ready"), missing

