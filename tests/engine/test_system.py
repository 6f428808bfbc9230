"""doctor, info, clean, setup, validate, the usage log, watch and plugins."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time

from course_factory import NUMBERS_EXPORT, numbers_notebook, write_notebook
from tito_jupyter import engine
from tito_jupyter.engine.context import Context


def run(course_dir, command, args=None, **kw):
    return engine.run(command, args or {}, Context(project=course_dir, **kw))


def test_doctor_checks_dependencies_and_the_course(course_dir):
    result = run(course_dir, "system.doctor")
    checks = {c["check"]: c for c in result.data["checks"]}
    assert checks["numpy"]["status"] == "ok" and checks["nbdev"]["status"] == "ok"
    assert checks["course"]["status"] == "ok"
    assert "2 modules and 1 checkpoints" in checks["course"]["detail"]


def test_doctor_fails_and_says_how_to_fix_a_broken_course(course_dir):
    (course_dir / "modules/01_numbers/01_numbers.ipynb").write_text("nope")
    (course_dir / "tinytorch/__init__.py").unlink()
    result = run(course_dir, "system.doctor")
    assert not result.ok and result.exit_code == 1
    checks = {c["check"]: c for c in result.data["checks"]}
    assert checks["course"]["status"] == "fail" and "validate" in checks["course"]["fix"]
    assert checks["package"]["status"] == "fail" and "system setup" in checks["package"]["fix"]


def test_clean_removes_build_artifacts_and_never_student_work(course_dir):
    assert run(course_dir, "module.complete", {"modules": ["01"]}).ok
    run(course_dir, "system.setup")
    (course_dir / "tinytorch/core/__pycache__").mkdir(exist_ok=True)
    (course_dir / "tinytorch/core/__pycache__/x.pyc").write_bytes(b"x" * 100)
    keep = [course_dir / p for p in ("modules/01_numbers/01_numbers.ipynb", ".tito/progress.json",
                                      "tinytorch/core/numbers.py")]
    keep += list((course_dir / ".tito/starting-points").rglob("*.ipynb"))
    dry = run(course_dir, "system.clean", {"dry_run": True})
    assert "tinytorch/core/__pycache__" in dry.data["removed"] and (course_dir / "tinytorch/core/__pycache__").exists()
    done = run(course_dir, "system.clean")
    assert done.ok and not (course_dir / "tinytorch/core/__pycache__").exists()
    assert not (course_dir / ".tito/build").exists()
    assert all(p.exists() for p in keep)


def test_validate_finds_structural_problems(course_dir):
    assert run(course_dir, "module.validate", {"all_": True}).ok
    bad = numbers_notebook(NUMBERS_EXPORT.replace("    ### END SOLUTION\n", ""))
    write_notebook(course_dir / "modules/01_numbers/01_numbers.ipynb", bad)
    result = run(course_dir, "module.validate", {"modules": ["01"]})
    assert not result.ok
    failed = {c["check"]: c["message"] for c in result.data["modules"][0]["checks"] if not c["ok"]}
    assert failed == {"solution_markers": "cell 4, line 4: BEGIN SOLUTION is never closed (add END SOLUTION)"}


def test_usage_log_is_off_by_default_and_local_when_on(course_dir):
    run(course_dir, "module.list")
    assert not (course_dir / ".tito/usage.jsonl").exists()
    assert run(course_dir, "system.log", {"action": "on"}).ok
    run(course_dir, "module.list")
    run(course_dir, "module.complete", {"modules": ["nope"]})
    entries = [json.loads(x) for x in (course_dir / ".tito/usage.jsonl").read_text().splitlines()]
    # Turning it on is the first thing logged; nothing before it was.
    assert [e["command"] for e in entries] == ["system.log", "module.list", "module.complete"]
    assert entries[2]["error"] == "unknown_name" and set(entries[0]) == {"at", "command", "ok", "seconds", "error"}
    info = run(course_dir, "system.info").data["usage_log"]
    assert info["entries"] == 3 and info["errors"] == {"unknown_name": 1}
    run(course_dir, "system.log", {"action": "off"})
    run(course_dir, "module.list")
    assert len((course_dir / ".tito/usage.jsonl").read_text().splitlines()) == 4  # system.info; then nothing


def test_watch_exports_when_a_notebook_is_saved(course_dir):
    results = []
    thread = threading.Thread(target=lambda: results.append(
        run(course_dir, "dev.watch", {"modules": ["01"], "interval": 0.1, "duration": 4})))
    thread.start()
    time.sleep(0.8)
    write_notebook(course_dir / "modules/01_numbers/01_numbers.ipynb",
                   numbers_notebook(NUMBERS_EXPORT.replace("a + b", "b + a")))
    thread.join()
    assert results[0].ok and [e["module"] for e in results[0].data["exports"]] == ["01_numbers"]
    assert "return b + a" in (course_dir / "tinytorch/core/numbers.py").read_text()


def test_profile_reports_where_the_time_went(course_dir):
    result = run(course_dir, "dev.profile", {"operation": "export", "module": "01", "top": 5})
    assert result.ok and len(result.data["functions"]) == 5
    assert result.data["result"]["command"] == "module.export"


def test_internal_errors_become_a_sentence_and_a_saved_traceback(course_dir, monkeypatch):
    from tito_jupyter.engine import modules

    monkeypatch.setattr(modules, "list_modules", lambda ctx: 1 / 0)
    result = run(course_dir, "module.list")
    assert not result.ok and result.error["kind"] == "internal"
    assert "ZeroDivisionError" in result.summary
    assert "Traceback" in (course_dir / ".tito/logs/last-error.txt").read_text()


def _tito_json(course_dir, *argv):
    return subprocess.Popen([sys.executable, "-m", "tito_jupyter", "--project", str(course_dir), "--json", *argv],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _result_of(proc, timeout=300):
    out, err = proc.communicate(timeout=timeout)
    assert out.strip(), err
    return json.loads(out)


def test_clean_while_complete_runs_waits_for_it_and_nobody_hits_an_internal_error(course_dir):
    # A module test that takes a second keeps pytest (and its report file in .tito/build) alive long enough.
    (course_dir / "tests/modules/01_numbers/test_slow.py").write_text(
        "import time\n\n\ndef test_takes_a_moment():\n    time.sleep(1.0)\n")
    rounds, internal = 10, []
    for i in range(rounds):
        complete = _tito_json(course_dir, "complete", "01")
        if i % 2:  # half the rounds while pytest runs, half at once (during the export)
            deadline = time.monotonic() + 120
            while not list((course_dir / ".tito/build").glob("report-*.jsonl")):
                assert complete.poll() is None, "complete ended before its tests started"
                assert time.monotonic() < deadline, "complete's tests never started"
                time.sleep(0.02)
        cleaned = _result_of(_tito_json(course_dir, "system", "clean"))
        completed = _result_of(complete)
        internal += [r["summary"] for r in (cleaned, completed) if (r.get("error") or {}).get("kind") == "internal"]
        assert completed["ok"], completed["summary"]
        assert cleaned["ok"], cleaned["summary"]
    assert internal == [], f"{len(internal)} of {rounds} rounds ended in an internal error: {internal}"
    assert json.loads((course_dir / ".tito/progress.json").read_text())["modules"]["01_numbers"]["completed_at"]


def test_clean_says_in_a_sentence_that_a_command_is_running(course_dir, monkeypatch):
    from tito_jupyter.engine import files

    monkeypatch.setattr(files, "CLEAN_WAIT", 0.5)
    (course_dir / ".tito/build").mkdir(parents=True)
    with files.build_in_use(course_dir / ".tito"):  # as an export or a test run of another process would
        result = run(course_dir, "system.clean")
    assert not result.ok and result.exit_code == 1 and result.error["kind"] == "busy"
    assert result.summary.startswith("Another tito process has been running an export, a test run or a checkpoint")
    assert "Wait for it to finish" in result.summary
    assert (course_dir / ".tito/build").is_dir()  # nothing was removed
    assert run(course_dir, "system.clean").ok  # once the work is over, clean runs


def test_a_read_only_file_system_is_named_in_a_sentence(tmp_path):
    # A read-only mount needs privileges the tests do not have: this is the error such a write raises.
    import errno
    import os

    from tito_jupyter.engine.files import NotWritable, refused_by_file_system

    target = tmp_path / "tinytorch" / ".numbers.py.x.tito-tmp"
    refused = refused_by_file_system(OSError(errno.EROFS, os.strerror(errno.EROFS), str(target)))
    assert isinstance(refused, NotWritable) and refused.exit_code == 1
    assert refused.message == f"tito cannot write in {tmp_path / 'tinytorch'}: it is on a read-only file system."
    assert refused_by_file_system(OSError(errno.ENOSPC, "No space left on device", str(target))) is None
    assert refused_by_file_system(ValueError("not a file system error")) is None


def test_a_damaged_usage_log_is_read_around_not_a_crash(course_dir):
    """A usage log cut short or edited by hand (lines that are JSON but not an entry) must not break `system
    info` or `system log`: the entries that are whole are counted, the rest skipped."""
    assert run(course_dir, "system.log", {"action": "on"}).ok
    log = course_dir / ".tito/usage.jsonl"
    with log.open("a", encoding="utf-8") as f:
        f.write('[1, 2]\n"module.list"\n{"no": "command"}\n{"command": 7}\n{"command": "module.list", "seconds": "x"}\n'
                '{"command": "module.list", "seconds": 0.5, "error": ["odd"]}\n{"command": "module.te')
    for command in ("system.info", "system.log"):
        result = run(course_dir, command)
        assert result.ok, result.summary
    info = run(course_dir, "system.log").data
    # system.log on, then the two module.list lines that are entries (a duration that is no number is left out
    # of the mean); the info and log runs after them.
    assert info["entries"] >= 3 and {"command": "module.list", "runs": 2, "mean_seconds": 0.5} in info["commands"]
    assert info["errors"] == {}


def test_system_info_in_a_terminal_reads_a_damaged_usage_log(course_dir):
    (course_dir / ".tito").mkdir(exist_ok=True)
    (course_dir / ".tito/config.json").write_text('{"usage_log": true}')
    (course_dir / ".tito/usage.jsonl").write_text('{"command": "module.list", "seconds": null}\n[]\n')
    done = subprocess.run([sys.executable, "-m", "tito_jupyter", "--project", str(course_dir), "system", "info"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "module.list: 1 runs" in done.stdout and "internal error" not in done.stdout + done.stderr
