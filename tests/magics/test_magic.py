"""``%tito`` in an IPython shell without a server: the CLI's commands, the current notebook, unsaved edits."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from magic_cells import tito
from course_factory import NUMBERS_EXPORT, numbers_notebook, write_notebook
from IPython.utils.capture import capture_output





def progress(course_dir: Path) -> dict:
    path = course_dir / ".tito/progress.json"
    return json.loads(path.read_text()) if path.exists() else {"modules": {}}


def test_complete_with_no_module_completes_the_notebook_the_cell_runs_in(shell, in_module):
    result, shown = tito(shell, "complete")
    assert result["command"] == "module.complete" and result["ok"], shown
    assert result["summary"] == "01_numbers is complete."
    assert "✓ 01_numbers is complete." in shown and "Traceback" not in shown
    assert progress(in_module)["modules"]["01_numbers"]["completed_at"]
    assert (in_module / "tinytorch/core/numbers.py").is_file()


@pytest.mark.parametrize("line, command", [
    ("status", "module.status"), ("list", "module.list"), ("checkpoint timeline", "checkpoint.timeline"),
    ("checkpoint status", "checkpoint.status"), ("export --all", "module.export"), ("test 1", "module.test"),
    ("module validate 01", "module.validate"), ("--json status", "module.status"),
])
def test_the_same_commands_as_the_cli(shell, in_module, line, command):
    if line.startswith("test"):
        tito(shell, "export 1")
    result, shown = tito(shell, line)
    assert result is not None and result["command"] == command, shown
    assert result["ok"], result["summary"]
    assert "Traceback" not in shown


def test_status_shows_a_table(shell, in_module):
    _, shown = tito(shell, "status")
    assert "02_doubling" in shown and "not started" in shown


@pytest.mark.parametrize("line, says", [
    ("bogus", "'bogus' is not a command of `%tito`."),  # was argparse's usage dump (issue #11)
    ("complet", "Did you mean `%tito complete`?"),
    ("complete --nope", "unrecognized arguments: --nope"),
    ('complete "unclosed', "No closing quotation"),
    ("--help", "usage: %tito"),
    ("checkpoint", "checkpoint commands"),
    ("complete --timeout nan", "argument --timeout: must be a number of seconds above 0 and at most 86400"),
    ("test --timeout=0", "argument --timeout: must be a number of seconds above 0 and at most 86400 (a day), not 0."),
])
def test_usage_errors_and_help_print_a_message_never_a_traceback(shell, in_module, line, says):
    result, shown = tito(shell, line)
    assert result is None
    assert says in shown
    assert "Traceback" not in shown and "SystemExit" not in shown


@pytest.mark.parametrize("line", ["init {tmp}/new-course", "dev serve"])
def test_a_terminal_command_is_refused_in_a_cell_with_a_sentence(shell, in_module, tmp_path, line):
    """`tito init` makes a new course and `tito dev serve` starts another JupyterLab: neither belongs in a cell
    (the server refuses them as jobs too); in a kernel without a server they used to run in-process."""
    result, shown = tito(shell, line.format(tmp=tmp_path))
    assert result is not None and not result["ok"] and result["error"]["kind"] == "usage_error", shown
    assert "runs only in a terminal, not in a notebook cell" in shown and "Traceback" not in shown
    assert not (tmp_path / "new-course").exists()


def test_an_unknown_module_is_a_sentence_with_the_choices(shell, in_module):
    result, shown = tito(shell, "complete numbrs")
    assert not result["ok"] and result["error"]["kind"] == "unknown_name"
    assert "Did you mean '01_numbers'?" in shown and "02_doubling" in shown
    assert "Traceback" not in shown


def test_it_says_when_it_cannot_tell_which_notebook_this_is(shell, course_dir, monkeypatch, clean_env, tracker):
    monkeypatch.chdir(course_dir)  # the course root: no notebook here, no session name
    result, shown = tito(shell, "complete")
    assert not result["ok"] and "Which module?" in result["summary"]
    assert "%tito cannot tell which notebook this cell runs in" in shown
    assert "no JPY_SESSION_NAME" in shown


def test_the_session_name_from_jupyter_server_names_the_notebook(shell, course_dir, monkeypatch, clean_env,
                                                                 tracker):
    monkeypatch.chdir(course_dir)
    monkeypatch.setenv("JPY_SESSION_NAME", str(course_dir / "modules/02_doubling/02_doubling.ipynb"))
    result, _ = tito(shell, "complete")
    assert result["data"]["modules"][0]["module"] == "02_doubling"


def test_a_server_that_does_not_answer_means_running_here(shell, in_module, monkeypatch):
    monkeypatch.setenv("TITO_SERVER_URL", "http://127.0.0.1:9/nothing/")  # the discard port: refused
    result, shown = tito(shell, "status")
    assert result["ok"]
    assert "did not answer (" in shown and "Connection refused), so tito runs in this kernel" in shown


# -- unsaved edits ----------------------------------------------------------------------------------------

CHANGED = NUMBERS_EXPORT.replace("return a + b", "return b + a")


def _run_cell(shell, source: str, cell_id: str | None = None) -> None:
    with capture_output():
        shell.run_cell(source, store_history=True, cell_id=cell_id)


def _save(course_dir: Path, export_source: str) -> None:
    path = course_dir / "modules/01_numbers/01_numbers.ipynb"
    write_notebook(path, numbers_notebook(export_source))
    later = time.time() + 1
    os.utime(path, (later, later))


def test_unsaved_export_code_stops_complete_and_says_which_cell(shell, in_module):
    _run_cell(shell, CHANGED, cell_id="cell-3")  # JupyterLab sends the cell id with every execution
    result, shown = tito(shell, "complete")
    assert not result["ok"] and result["error"]["kind"] == "unsaved_changes"
    assert "Save the notebook (Ctrl-S) first: cell 4 changed since the last save" in shown
    assert not (in_module / "tinytorch/core/numbers.py").exists()  # nothing stale was exported
    assert "01_numbers" not in progress(in_module)["modules"]

    _save(in_module, CHANGED)  # Ctrl-S
    result, _ = tito(shell, "complete")
    assert result["ok"], result["summary"]
    assert "return b + a" in (in_module / "tinytorch/core/numbers.py").read_text()


def test_unsaved_code_also_guards_export_and_test(shell, in_module):
    _run_cell(shell, CHANGED, cell_id="cell-3")
    for line in ("export", "test", "export --all", "test 01"):
        result, _ = tito(shell, line)
        assert result["error"]["kind"] == "unsaved_changes", line
    result, _ = tito(shell, "status")  # reads are not affected
    assert result["ok"]


def test_cells_without_ids_are_checked_too(shell, in_module):
    _run_cell(shell, NUMBERS_EXPORT.replace("return a + b", "return a * b"))
    result, shown = tito(shell, "export")
    assert result["error"]["kind"] == "unsaved_changes" and "cell 4 changed" in shown


def test_a_save_after_running_is_what_gets_exported(shell, in_module):
    _run_cell(shell, CHANGED, cell_id="cell-3")
    newer = NUMBERS_EXPORT.replace("return a + b", "return (a + b)")
    _save(in_module, newer)  # edited again and saved: the editor shows the saved version
    result, _ = tito(shell, "export")
    assert result["ok"], result["summary"]
    assert "return (a + b)" in (in_module / "tinytorch/core/numbers.py").read_text()


def test_ignore_unsaved_runs_anyway(shell, in_module):
    _run_cell(shell, CHANGED, cell_id="cell-3")
    result, _ = tito(shell, "export --ignore-unsaved")
    assert result["ok"]
    assert "return a + b" in (in_module / "tinytorch/core/numbers.py").read_text()  # the saved code


def _export_while_lab_saves(shell, in_module) -> None:
    """``%tito export`` while Lab's save of the changed cell lands a second later: the changed code is exported."""
    import threading

    saver = threading.Timer(1.0, _save, (in_module, CHANGED))
    saver.start()
    try:
        result, shown = tito(shell, "export")
    finally:
        saver.join()
    assert result["ok"], shown
    assert "return b + a" in (in_module / "tinytorch/core/numbers.py").read_text()


def test_a_save_the_frontend_announced_is_waited_for_not_called_unsaved(shell, in_module, tracker):
    """The sidebar saves when a tito cell is scheduled and tells the kernel first (the ``tito.save`` comm); the
    save can land after the magic's first look. The magic waits for it instead of asking for Ctrl-S."""
    _run_cell(shell, CHANGED, cell_id="cell-3")  # edited and run, not saved yet
    tracker.frontend_saving("modules/01_numbers/01_numbers.ipynb")
    _export_while_lab_saves(shell, in_module)


def test_an_announced_save_is_waited_for_even_when_the_edited_cell_never_ran(shell, in_module, tracker):
    """The student edits the export cell, does not run it, and runs ``%tito export``: nothing this kernel ran is
    unsaved, yet the code they see reaches the disk only when the announced save lands. The magic waits for a
    copy newer than the one the frontend said it replaces (the fresh-clone run caught it exporting the old one)."""
    notebook = in_module / "modules/01_numbers/01_numbers.ipynb"
    tracker.frontend_saving("modules/01_numbers/01_numbers.ipynb", notebook.stat().st_mtime)
    _export_while_lab_saves(shell, in_module)


def test_without_an_announced_save_unsaved_code_is_reported_at_once(shell, in_module, tracker):
    _run_cell(shell, CHANGED, cell_id="cell-3")
    started = time.monotonic()
    result, _ = tito(shell, "export")
    assert result["error"]["kind"] == "unsaved_changes"
    assert time.monotonic() - started < 3  # no waiting for a save nobody started


def test_an_announced_save_that_never_lands_is_waited_for_only_so_long(shell, in_module, tracker, monkeypatch):
    from tito_jupyter.magics import magic

    monkeypatch.setattr(magic, "FRONTEND_SAVE_SECONDS", 1.0)
    _run_cell(shell, CHANGED, cell_id="cell-3")
    tracker.frontend_saving("modules/01_numbers/01_numbers.ipynb")
    started = time.monotonic()
    result, shown = tito(shell, "export")
    assert result["error"]["kind"] == "unsaved_changes" and "cell 4 changed" in shown
    assert 1.0 <= time.monotonic() - started < 5
    assert tracker.save_under_way is None  # one announcement, one wait


def test_an_announced_save_of_an_unchanged_notebook_that_never_lands_costs_only_the_wait(shell, in_module, tracker,
                                                                                         monkeypatch):
    from tito_jupyter.magics import magic

    monkeypatch.setattr(magic, "FRONTEND_SAVE_SECONDS", 1.0)
    notebook = in_module / "modules/01_numbers/01_numbers.ipynb"
    tracker.frontend_saving("modules/01_numbers/01_numbers.ipynb", notebook.stat().st_mtime)
    started = time.monotonic()
    result, shown = tito(shell, "export")
    assert result["ok"], shown  # the copy on disk is what the student has: nothing was edited
    assert 1.0 <= time.monotonic() - started < 5


# -- output -----------------------------------------------------------------------------------------------


def test_a_failing_test_is_shown_with_its_message(shell, in_module):
    _save(in_module, NUMBERS_EXPORT.replace("return a + b", "return a - b"))
    result, shown = tito(shell, "--text complete")
    assert not result["ok"]
    assert "✗ test 01_numbers (failed)" in shown
    assert "test_unit_add: AssertionError: add(2, 3) gave -1" in shown
    assert "\n✗ 01_numbers: tests failed. 01_numbers tests: 0 of 3 passed, 3 failed." in shown


def test_a_locked_checkpoint_does_not_run_from_a_cell(shell, in_module):
    """The same refusal as every face: nothing runs, nothing is recorded, the sentence says what to do."""
    result, shown = tito(shell, "checkpoint run c01")
    assert result is not None and not result["ok"] and result["error"]["kind"] == "checkpoint_locked"
    assert "Checkpoint c01_arithmetic is locked" in shown and "`tito complete 01_numbers`" in shown
    assert "c01_arithmetic" not in progress(in_module).get("checkpoints", {})


def test_test_after_an_edit_without_export_says_so_and_status_shows_the_change(shell, in_module):
    tito(shell, "export 1")
    _save(in_module, NUMBERS_EXPORT.replace("return a + b", "return a - b"))
    result, shown = tito(shell, "test 1 --ignore-unsaved")
    assert result["ok"], shown
    assert "changed since it was last exported: these tests ran against the last exported code" in shown
    _, shown = tito(shell, "status")
    assert "tests passing" in shown and "yes" in shown.split("01_numbers", 1)[1].splitlines()[0]
