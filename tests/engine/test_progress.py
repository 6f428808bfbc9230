"""The progress store: versioned, atomic, and a corrupt file is set aside, never a crash."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest

from tito_jupyter import engine
from tito_jupyter.course import Course
from tito_jupyter.engine.context import Context
from tito_jupyter.engine.modules import modules_meant
from tito_jupyter.engine.progress import ProgressStore, next_module


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


GARBAGE = b"\x89PNG\r\n\x1a\n\xff\xfe\x00 not a store \xc3"


def test_garbage_bytes_are_set_aside_and_every_command_goes_on(course_dir, tito_env):
    """Bytes that are not UTF-8 used to fail every later command with "internal error (UnicodeDecodeError)"."""
    state = course_dir / ".tito"
    state.mkdir()
    (state / "progress.json").write_bytes(GARBAGE)
    first = subprocess.run([sys.executable, "-m", "tito_jupyter", "status"], env=tito_env, capture_output=True,
                           text=True, timeout=300)
    assert first.returncode == 0, first.stderr
    assert "internal error" not in first.stdout + first.stderr
    assert "could not be read (it is not UTF-8 text)" in " ".join(first.stderr.split())
    (aside,) = state.glob("progress.json.corrupt-*")
    assert aside.read_bytes() == GARBAGE, "the bad file is kept as it was"
    second = subprocess.run([sys.executable, "-m", "tito_jupyter", "complete", "01"], env=tito_env,
                            capture_output=True, text=True, timeout=300)
    assert second.returncode == 0, second.stdout + second.stderr
    assert "could not be read" not in second.stderr, "the warning is given once"
    assert json.loads((state / "progress.json").read_text())["modules"]["01_numbers"]["completed_at"]


@pytest.mark.parametrize("content", [
    "[]",
    '"progress"',
    '{"version": 1, "modules": []}',
    '{"version": 1, "modules": {"01_numbers": []}}',
    '{"version": 1, "modules": {"01_numbers": "complete"}}',
    '{"version": 1, "modules": {"01_numbers": {"tests": "yes"}}}',
    '{"version": 1, "modules": {"01_numbers": {"completed_at": "yesterday"}}}',
    '{"version": 1, "modules": {"01_numbers": {"tests": {"at": [1]}}}}',
    '{"version": 1, "modules": {}, "checkpoints": {"c01_arithmetic": 3}}',
    '{"version": 1, "modules": {}, "checkpoints": {"c01_arithmetic": {"last_run": []}}}',
    '{"version": 1, "modules": {}, "milestones": []}',
])
def test_json_of_the_wrong_shape_is_set_aside_too(course_dir, content):
    (course_dir / ".tito").mkdir()
    (course_dir / ".tito/progress.json").write_text(content)
    for command in ("module.status", "checkpoint.status", "checkpoint.timeline", "milestone.list"):
        result = engine.run(command, {}, Context(project=course_dir))
        assert result.ok, f"{command}: {result.summary}"
    (aside,) = (course_dir / ".tito").glob("progress.json.corrupt-*")
    assert aside.read_text() == content
    assert engine.run("module.complete", {"modules": ["01"]}, Context(project=course_dir)).ok


def test_a_bad_store_found_by_complete_is_reported_in_its_result(course_dir):
    (course_dir / ".tito").mkdir()
    (course_dir / ".tito/progress.json").write_bytes(GARBAGE)
    result = engine.run("module.complete", {"modules": ["01"]}, Context(project=course_dir))
    assert result.ok
    assert len(result.data["warnings"]) == 1 and "could not be read" in result.data["warnings"][0]


def test_two_bad_stores_in_the_same_second_both_survive(course_dir):
    """The copy set aside was named by the second only, so a second bad file replaced the first."""
    state = course_dir / ".tito"
    state.mkdir()
    # Earlier copies that already hold this second's names (and the next ones'): none may be overwritten.
    now = time.time()
    earlier = {}
    for delta in range(3):
        name = f"progress.json.corrupt-{time.strftime('%Y%m%d-%H%M%S', time.localtime(now + delta))}"
        earlier[name] = f"earlier copy {delta}"
        (state / name).write_text(earlier[name])
    for n in range(3):
        (state / "progress.json").write_text(f"bad store {n} {{")
        store = ProgressStore(Course.load(course_dir))
        assert store.read()["modules"] == {} and store.warnings
    kept = {p.name: p.read_text() for p in state.glob("progress.json.corrupt-*")}
    assert len(kept) == 6
    assert {name: kept[name] for name in earlier} == earlier
    assert sorted(v for k, v in kept.items() if k not in earlier) == ["bad store 0 {", "bad store 1 {",
                                                                      "bad store 2 {"]


def test_processes_finding_the_same_bad_store_set_it_aside_once_and_lose_nothing(course_dir, tito_env):
    state = course_dir / ".tito"
    state.mkdir()
    (state / "progress.json").write_bytes(GARBAGE)
    procs = [subprocess.Popen([sys.executable, "-m", "tito_jupyter", "--json", *args], env=tito_env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for args in (["status"], ["module", "export", "01"], ["status"], ["checkpoint", "status"])]
    outs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0, 0], outs
    warned = [json.loads(out)["data"].get("warnings") for out, _ in outs]
    assert sum(1 for w in warned if w) == 1, warned
    (aside,) = state.glob("progress.json.corrupt-*")
    assert aside.read_bytes() == GARBAGE
    assert json.loads((state / "progress.json").read_text())["modules"]["01_numbers"]["exported_at"]


# -- the unlock rule: one for prerequisites, checkpoints and milestones ----------------------------------------


def _progress(**modules) -> dict:
    return {"modules": modules, "checkpoints": {}, "milestones": {}}


COMPLETE = {"completed_at": 10.0, "tests": {"ok": True, "at": 9.0}}
FAILED_SINCE = {"completed_at": 10.0, "tests": {"ok": False, "at": 11.0}}  # complete, then a later run failed
PASSING = {"tests": {"ok": True, "at": 9.0}}  # tests pass, never completed


def test_incomplete_names_what_is_not_complete_and_only_that():
    from tito_jupyter.engine.progress import incomplete

    progress = _progress(a=COMPLETE, b=FAILED_SINCE, c=PASSING)
    assert incomplete(["a", "b", "c", "d"], progress) == ["b", "c", "d"]
    assert incomplete(["a", "b", "c", "d"], progress, completing={"b", "d"}) == ["c"]


def test_unlock_state_locked_ready_and_a_run_on_record():
    from tito_jupyter.engine.progress import unlock_state

    progress = _progress(a=COMPLETE, b=FAILED_SINCE)
    assert unlock_state(["a"], progress, None) == ("ready", [])
    assert unlock_state(["a", "b"], progress, None) == ("locked", ["b"])
    # A run on record says how it went, even if a module it needs has since stopped being complete.
    assert unlock_state(["a", "b"], progress, {"ok": True}) == ("passed", ["b"])
    assert unlock_state(["a"], progress, {"ok": False}) == ("failed", [])
    assert unlock_state(["a"], progress, {"ok": True}, passed="achieved") == ("achieved", [])


def test_checkpoints_milestones_and_prerequisites_read_the_same_rule(course_dir):
    # One course, one progress file: a module that failed after it was complete locks the module that needs it,
    # its checkpoint and its milestone, all three by the same rule.
    milestone = course_dir / "milestones/1950_sums/run.py"
    milestone.parent.mkdir(parents=True)
    milestone.write_text('"""Sums, as in 1950."""\nfrom tinytorch.core.numbers import add\n\nprint(add(1, 2))\n')
    state = course_dir / ".tito" / "progress.json"
    state.parent.mkdir(exist_ok=True)
    state.write_text(json.dumps({"version": 1, "modules": {"01_numbers": FAILED_SINCE}}))
    ctx = Context(project=course_dir)
    overview = engine.run("module.overview", {}, ctx).data
    rows = {m["id"]: m for m in overview["modules"]}
    assert rows["01_numbers"]["state"] == "tests_failing" and rows["01_numbers"]["completed_earlier"]
    assert rows["02_doubling"]["missing_prerequisites"] == ["01_numbers"]
    assert [(c["id"], c["state"], c["missing_modules"]) for c in overview["checkpoints"]] == [
        ("c01_arithmetic", "locked", ["01_numbers", "02_doubling"])]
    milestones = engine.run("milestone.list", {}, ctx).data["milestones"]
    assert [(m["id"], m["state"], m["missing_modules"]) for m in milestones] == [
        ("1950_sums", "locked", ["01_numbers"])]
    # Complete again: the same three open up together.
    state.write_text(json.dumps({"version": 1, "modules": {"01_numbers": COMPLETE, "02_doubling": COMPLETE}}))
    overview = engine.run("module.overview", {}, ctx).data
    assert [m["missing_prerequisites"] for m in overview["modules"]] == [[], []]
    assert [c["state"] for c in overview["checkpoints"]] == ["ready"]
    assert [m["state"] for m in engine.run("milestone.list", {}, ctx).data["milestones"]] == ["ready"]


def test_the_next_module_is_the_first_not_complete_else_the_first(course_dir):
    # One rule for "the next module" (the sidebar's More commands start there): the engine's, in the overview.
    state = course_dir / ".tito" / "progress.json"
    state.parent.mkdir(exist_ok=True)
    ctx = Context(project=course_dir)
    assert engine.run("module.overview", {}, ctx).data["next_module"] == "01_numbers"
    state.write_text(json.dumps({"version": 1, "modules": {"01_numbers": COMPLETE}}))
    assert engine.run("module.overview", {}, ctx).data["next_module"] == "02_doubling"
    # A module complete before a later failing run is not complete: it is next again.
    state.write_text(json.dumps({"version": 1, "modules": {"01_numbers": FAILED_SINCE, "02_doubling": COMPLETE}}))
    assert engine.run("module.overview", {}, ctx).data["next_module"] == "01_numbers"
    state.write_text(json.dumps({"version": 1, "modules": {"01_numbers": COMPLETE, "02_doubling": COMPLETE}}))
    assert engine.run("module.overview", {}, ctx).data["next_module"] == "01_numbers"
    assert next_module([], {"modules": {}}) is None


def test_the_modules_a_request_means_follow_the_commands_own_rule(course_dir):
    course = Course.load(course_dir)
    assert modules_meant(course, "module", {"modules": ["2", "01"]}) == ["02_doubling", "01_numbers"]
    assert modules_meant(course, "module", {"module": "doubling"}) == ["02_doubling"]
    assert modules_meant(course, "module", {"all_": True}) == ["01_numbers", "02_doubling"]
    assert modules_meant(course, "module", {}, "modules/02_doubling/02_doubling.ipynb") == ["02_doubling"]
    assert modules_meant(course, "module", {}, "modules/01_numbers/notes/scratch.ipynb") == ["01_numbers"]
    # Nothing to go by, or a name the course does not know: none (the command says so when it runs).
    assert modules_meant(course, "module", {}) == []
    assert modules_meant(course, "module", {}, "scratch.ipynb") == []
    assert modules_meant(course, "module", {"modules": ["99_nothing"]}) == []
    assert modules_meant(course, "checkpoint", {"checkpoint": "c01_arithmetic"}) == []
