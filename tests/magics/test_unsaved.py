"""The unsaved-edit rule on tiny notebooks: flag executed export code the saved notebook does not have, but only
when it ran after the last save."""

from __future__ import annotations

from course_factory import NUMBERS_EXPORT, numbers_notebook

from tito_jupyter.magics.unsaved import CellTracker, message, unsaved_changes

SAVED = numbers_notebook()  # cell ids cell-0..cell-5; the export cell is cell-3 (the 4th)
CHANGED = NUMBERS_EXPORT.replace("return a + b", "return b + a")


def test_running_the_saved_cells_is_not_a_change():
    tracker = CellTracker()
    for i, cell in enumerate(SAVED["cells"]):
        tracker.record(cell["source"], f"cell-{i}", at=200.0)
    tracker.record(NUMBERS_EXPORT)  # the same code without an id
    assert unsaved_changes(tracker, SAVED, saved_at=100.0) == []


def test_an_export_cell_changed_after_the_save_is_named_by_its_position():
    tracker = CellTracker()
    tracker.record(CHANGED, "cell-3", at=200.0)
    found = unsaved_changes(tracker, SAVED, saved_at=100.0)
    assert [u.cell for u in found] == [4]
    assert message(found).startswith("Save the notebook (Ctrl-S) first: cell 4 changed since the last save.")


def test_a_save_after_the_run_holds_what_the_student_sees():
    tracker = CellTracker()
    tracker.record(CHANGED, "cell-3", at=100.0)
    assert unsaved_changes(tracker, SAVED, saved_at=200.0) == []


def test_changes_to_cells_that_are_not_exported_do_not_count():
    tracker = CellTracker()
    tracker.record("import numpy as np  # changed", "cell-2", at=200.0)
    tracker.record("def test_unit_add():\n    assert False\n", "cell-4", at=200.0)
    assert unsaved_changes(tracker, SAVED, saved_at=100.0) == []


def test_a_cell_that_stopped_being_exported_still_counts():
    tracker = CellTracker()
    tracker.record("def add(a, b):\n    return 0\n", "cell-3", at=200.0)
    assert [u.cell for u in unsaved_changes(tracker, SAVED, saved_at=100.0)] == [4]


def test_a_new_export_cell_that_was_never_saved():
    tracker = CellTracker()
    tracker.record("#| export\ndef mul(a, b):\n    return a * b\n", "new-cell", at=200.0)
    found = unsaved_changes(tracker, SAVED, saved_at=100.0)
    assert [(u.cell, u.excerpt) for u in found] == [(None, "def mul(a, b):")]
    assert "a cell you ran (`def mul(a, b):`) is not in the saved notebook" in message(found)


def test_without_cell_ids_cells_are_matched_by_what_they_define():
    tracker = CellTracker()
    tracker.record(CHANGED, at=200.0)
    assert [u.cell for u in unsaved_changes(tracker, SAVED, saved_at=100.0)] == [4]
    tracker = CellTracker()
    tracker.record(NUMBERS_EXPORT.replace("Add two", "Sum two"), at=200.0)  # a docstring counts too
    assert [u.cell for u in unsaved_changes(tracker, SAVED, saved_at=None)] == [4]


def test_history_from_before_the_extension_loaded_counts_as_run_then():
    tracker = CellTracker()
    tracker.seed_from_history(["x = 1", CHANGED], at=150.0)
    assert [u.cell for u in unsaved_changes(tracker, SAVED, saved_at=100.0)] == [4]
    assert unsaved_changes(tracker, SAVED, saved_at=200.0) == []


def test_pre_run_cell_events_are_recorded():
    class Info:
        raw_cell, cell_id = CHANGED, "cell-3"

    tracker = CellTracker()
    tracker.pre_run_cell(Info())
    assert tracker.by_id["cell-3"].source == CHANGED
