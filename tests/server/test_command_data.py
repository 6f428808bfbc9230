"""Every command of the table has a typed ``data`` shape in openapi.json (ResultData, made from
tito_jupyter/contracts.py), and the commands, run for real on a course from tests/course_factory.py, give data that
fits it: through the engine (what a server job returns) and through the CLI's ``--json`` (a contract too).

The long commands are held to their shapes where the server runs them (tests/server/test_result_data.py, the
benchmark job), the instructor's by every test of tests/instructor (its conftest), the terminal-only ones where
their own tests run them: init (tests/engine/test_init.py), module.start and dev.serve (tests/cli/test_module_start.py,
tests/cli/test_dev_serve.py), system.health (tests/engine/test_health.py).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time

import pytest
from course_factory import numbers_notebook, write_notebook
from openapi_contract import check_result_data, document, holding_engine_results, validate_component

from tito_jupyter import contracts, engine
from tito_jupyter.commands import BUILTIN
from tito_jupyter.engine.context import Context
from tito_jupyter.engine.results import EventSink


def test_every_command_of_the_table_has_a_data_shape_in_the_document():
    """A command added to the table without a shape in contracts.py (and so in the document) fails here."""
    names = [c.name for c in BUILTIN]
    missing = [name for name in names if name not in contracts.RESULT_DATA]
    assert not missing, f"commands without a data shape in contracts.RESULT_DATA: {missing}"
    assert sorted(contracts.RESULT_DATA) == sorted(names), sorted(set(contracts.RESULT_DATA) - set(names))
    documented = document()["components"]["schemas"]["ResultData"]
    assert sorted(documented["properties"]) == sorted(names)
    assert documented["additionalProperties"] is False


def _with_a_milestone(course_dir) -> None:
    folder = course_dir / "milestones" / "1642_pascaline"
    folder.mkdir(parents=True)
    (folder / "README.md").write_text("# Adding machines\n\nNeeds module 01.\n")
    (folder / "run.py").write_text("print('{\"sum\": 42}')\n")


def test_the_student_commands_run_for_real_give_data_that_fits_their_shape(course_dir, monkeypatch):
    _with_a_milestone(course_dir)
    checked = holding_engine_results(monkeypatch)
    ctx = Context(project=course_dir)

    def run(command: str, args: dict | None = None) -> dict:
        result = engine.run(command, args or {}, ctx).to_dict()
        assert result["error"] is None, (command, result)
        return result

    for command, args in [
        ("system.setup", {}), ("module.list", {}), ("module.status", {}), ("module.overview", {}),
        ("module.validate", {"all_": True}), ("checkpoint.status", {}), ("checkpoint.timeline", {}),
        ("milestone.list", {}), ("system.doctor", {}), ("system.info", {}), ("system.log", {"action": "on"}),
        ("system.log", {}), ("system.clean", {"dry_run": True}), ("system.clean", {}),
        ("dev.profile", {"operation": "export", "module": "01", "top": 3}),
        ("dev.profile", {"operation": "test", "module": "01", "top": 2}),
        ("module.reset", {"module": "01"}),  # told only what it would do
    ]:
        run(command, args)
    nb = numbers_notebook()
    nb["cells"][0]["source"] = "# Numbers, mine\n\nEdited."
    write_notebook(course_dir / "modules/01_numbers/01_numbers.ipynb", nb)
    reset = run("module.reset", {"module": "01", "yes": True})["data"]
    assert reset["changed"] and reset["backup"]["module"] == "01_numbers"
    backups = run("module.backups")["data"]["backups"]
    assert backups
    restored = run("module.restore", {"module": "01", "backup": backups[0]["id"]})["data"]
    assert restored["restored"] == backups[0]["id"]
    run("system.info")  # with the usage log on and some runs in it
    run("dev.watch", {"all_": True, "duration": 1.0})
    student = {c.name for c in BUILTIN if not c.name.startswith(("nbgrader.", "release.", "class."))}
    long_or_terminal = {"init", "module.start", "module.edit", "dev.serve", "system.health", "benchmark",
                        "module.export", "module.test", "module.complete", "checkpoint.test", "checkpoint.run",
                        "milestone.run"}
    assert student - long_or_terminal <= set(checked), sorted(student - long_or_terminal - set(checked))


def test_dev_watch_that_exported_a_saved_notebook_fits_its_shape_and_so_do_its_events(course_dir):
    """The export dev.watch makes when a notebook is saved is a WatchedExport; its events are engine Events."""
    events: list[dict] = []
    watching = threading.Event()

    def heard(event: dict) -> None:
        events.append(event)
        if event["event"] == "log" and event["message"].startswith("Watching"):
            watching.set()

    ctx = Context(project=course_dir, events=EventSink(heard))
    results: list[dict] = []
    watcher = threading.Thread(target=lambda: results.append(
        engine.run("dev.watch", {"modules": ["01"], "interval": 0.2, "duration": 8.0}, ctx).to_dict()))
    watcher.start()
    try:
        assert watching.wait(120), "dev.watch never started watching"
        notebook = course_dir / "modules/01_numbers/01_numbers.ipynb"
        nb = numbers_notebook()
        nb["cells"][0]["source"] = "# Numbers\n\nSaved again."
        write_notebook(notebook, nb)
        later = time.time() + 5  # another mtime than the one it saw, whatever the clock's grain
        os.utime(notebook, (later, later))
    finally:
        watcher.join(300)
    assert not watcher.is_alive() and results, "dev.watch did not end"
    result = results[0]
    assert result["error"] is None and [e["module"] for e in result["data"]["exports"]] == ["01_numbers"], result
    check_result_data(result, "dev.watch that exported")
    for event in events:
        validate_component(event, "Event")
    assert {"log", "step", "progress"} <= {e["event"] for e in events}


def test_system_info_where_there_is_no_course_fits_its_shape(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TITO_PROJECT", raising=False)
    result = engine.run("system.info", {}, Context(project=tmp_path)).to_dict()
    assert result["error"] is None and result["data"]["course"] is None, result
    check_result_data(result, "system.info without a course")


@pytest.mark.parametrize("argv", [["module", "list"], ["status"], ["system", "doctor"], ["system", "info"],
                                  ["checkpoint", "timeline"], ["validate", "--all"]])
def test_the_clis_json_is_the_same_contract(course_dir, tito_env, argv):
    done = subprocess.run([sys.executable, "-m", "tito_jupyter", "--json", *argv], env=tito_env, capture_output=True,
                          text=True, timeout=300)
    result = json.loads(done.stdout)
    assert result["error"] is None, result
    check_result_data(result, f"tito --json {' '.join(argv)}")


def test_a_drifted_answer_of_a_simple_command_is_refused(course_dir):
    result = engine.run("system.doctor", {}, Context(project=course_dir)).to_dict()
    check_result_data(result, "system.doctor")
    for drift in ({"checks": [{**result["data"]["checks"][0], "status": "meh"}]},
                  {**result["data"], "extra": 1}, {}):
        with pytest.raises(AssertionError, match="the data of system.doctor"):
            check_result_data({**result, "data": drift}, "system.doctor")


def test_the_check_of_engine_results_reports_the_command_it_refused(course_dir, monkeypatch):
    """holding_engine_results (what tests/instructor holds every run to) refuses a drifted result, by name."""
    from tito_jupyter.engine import system

    real = system.clean

    def drifted(*args, **kwargs):
        result = real(*args, **kwargs)
        result.data["freed_gigabytes"] = 1.0
        return result

    monkeypatch.setattr(system, "clean", drifted)
    holding_engine_results(monkeypatch)
    with pytest.raises(AssertionError, match=r"engine.run\('system.clean'\).*the data of system.clean"):
        engine.run("system.clean", {"dry_run": True}, Context(project=course_dir))
