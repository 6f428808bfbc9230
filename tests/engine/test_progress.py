"""The progress store: versioned, atomic, and a corrupt file is set aside, never a crash."""

from __future__ import annotations

import json

from tito_jupyter import engine
from tito_jupyter.course import Course
from tito_jupyter.engine.context import Context
from tito_jupyter.engine.progress import ProgressStore


def test_corrupt_store_is_set_aside_with_a_warning_and_rebuilt(course_dir):
    state = course_dir / ".tito"
    state.mkdir()
    (state / "progress.json").write_text('{"version": 1, "modules": {')
    result = engine.run("module.status", {}, Context(project=course_dir))
    assert result.ok
    assert any("could not be read" in w for w in result.data["warnings"])
    aside = list(state.glob("progress.json.corrupt-*"))
    assert len(aside) == 1 and aside[0].read_text() == '{"version": 1, "modules": {'
    assert engine.run("module.complete", {"modules": ["01"]}, Context(project=course_dir)).ok
    data = json.loads((state / "progress.json").read_text())
    assert data["version"] == 1 and "completed_at" in data["modules"]["01_numbers"]


def test_a_store_of_an_unknown_version_is_set_aside_too(course_dir):
    (course_dir / ".tito").mkdir()
    (course_dir / ".tito/progress.json").write_text('{"version": 99}')
    store = ProgressStore(Course.load(course_dir))
    assert store.read()["modules"] == {}
    assert "version 99" in store.warnings[0]


def test_writes_leave_no_temporary_files(course_dir):
    store = ProgressStore(Course.load(course_dir))
    module = store.course.module("01")
    for _ in range(5):
        store.record_export(module)
    assert sorted(p.name for p in (course_dir / ".tito").iterdir()) == ["locks", "progress.json"]
