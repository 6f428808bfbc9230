"""Independent stages (``testing.run_stages(..., independent=True)``): what ``tito release student`` tests each
edition with, every module a stage of ONE pytest process. Every stage runs whatever the stages before it did, as if
each were a pytest run of its own: a stage that fails, cannot be collected, times out or ends the process (a crash)
is that stage's alone, and the stages after one that ended the process run in a new one.

(Gated stages, ``complete``'s, are in test_complete_stages.py.)
"""

from __future__ import annotations

import os
from pathlib import Path

from tito_jupyter.course import Course
from tito_jupyter.engine import testing

#: A stage's test file: it writes its name and its process's id to $TITO_TRACE, then does ``body``.
STAGE = '''import os
{imports}

def test_{name}():
    with open(os.environ["TITO_TRACE"], "a") as f:
        f.write("{name} " + str(os.getpid()) + "\\n")
    {body}
'''


def stage(course_dir: Path, name: str, body: str = "pass", imports: str = "") -> list[Path]:
    path = course_dir / "stages" / f"test_{name}.py"
    path.parent.mkdir(exist_ok=True)
    path.write_text(STAGE.format(name=name, body=body, imports=imports))
    return [path]


def traced(course_dir: Path) -> dict[str, int]:
    """Each stage's test that ran, and the process it ran in."""
    path = course_dir / "trace.txt"
    lines = path.read_text().splitlines() if path.exists() else []
    return {name: int(pid) for name, pid in (line.split() for line in lines)}


def verdicts(runs: list[dict | None]) -> list[bool | None]:
    return [None if run is None else testing.summarise_run(run, "stage")[0] for run in runs]


def test_a_stage_that_fails_or_cannot_be_collected_does_not_stop_the_next(course_dir, monkeypatch):
    monkeypatch.setenv("TITO_TRACE", str(course_dir / "trace.txt"))
    stages = [stage(course_dir, "fails", "assert 1 == 2, 'one is not two'"), stage(course_dir, "passes"),
              stage(course_dir, "uncollectable", imports="import no_such_module_anywhere"),
              stage(course_dir, "passes_too")]
    course = Course.load(course_dir)

    runs = testing.run_stages(course, stages, independent=True)
    assert verdicts(runs) == [False, True, False, True]
    # Each stage's exit code is the one pytest would have given it alone: 1 failed, 2 not collected.
    assert [run["exit_code"] for run in runs] == [1, 0, 2, 0]
    assert [run["counts"]["total"] for run in runs] == [1, 1, 1, 1]
    assert "one is not two" in runs[0]["tests"][0]["message"]
    uncollected = testing.summarise_run(runs[2], "stage")[1]
    assert "could not collect stages/test_uncollectable.py" in uncollected and "no_such_module_anywhere" in uncollected
    ran = traced(course_dir)
    assert sorted(ran) == ["fails", "passes", "passes_too"]
    assert len(set(ran.values())) == 1, f"one pytest process for every stage: {ran}"

    # Gated (complete's stages), the same stages stop at the first that fails.
    (course_dir / "trace.txt").unlink()
    gated = testing.run_stages(course, stages)
    assert verdicts(gated) == [False, None, None, None]
    assert sorted(traced(course_dir)) == ["fails"]


def test_a_first_stage_that_cannot_be_collected_fails_alone(course_dir, monkeypatch):
    """pytest runs nothing at all when a file cannot be collected; gated stages do not need the others then, and
    independent ones do."""
    monkeypatch.setenv("TITO_TRACE", str(course_dir / "trace.txt"))
    stages = [stage(course_dir, "uncollectable", imports="raise NotImplementedError('built on import')"),
              stage(course_dir, "passes")]
    runs = testing.run_stages(Course.load(course_dir), stages, independent=True)
    assert verdicts(runs) == [False, True]
    assert runs[0]["tests"][0]["phase"] == "collect" and "built on import" in runs[0]["tests"][0]["message"]
    assert sorted(traced(course_dir)) == ["passes"]


def test_a_stage_that_times_out_or_ends_the_process_is_its_own_and_the_next_run_in_a_new_one(
        course_dir, monkeypatch):
    monkeypatch.setenv("TITO_TRACE", str(course_dir / "trace.txt"))
    stages = [stage(course_dir, "first"), stage(course_dir, "sleeps", "import time\n    time.sleep(3600)"),
              stage(course_dir, "crashes", "os._exit(7)"), stage(course_dir, "last")]
    # Generous for a loaded machine: the first stage's clock also counts the process's start and collection.
    timeout = 15.0
    runs = testing.run_stages(Course.load(course_dir), stages, timeout=timeout, independent=True)
    assert verdicts(runs) == [True, False, False, True]
    assert not runs[0]["timed_out"] and runs[0]["counts"]["passed"] == 1
    assert runs[1]["timed_out"] and runs[1]["counts"]["timed_out"] is True
    assert f"timed out after {timeout:.0f} s" in testing.summarise_run(runs[1], "stage")[1]
    assert runs[2]["exit_code"] == 7 and not runs[2]["timed_out"] and runs[2]["counts"]["passed"] == 0
    assert runs[3]["exit_code"] == 0 and runs[3]["counts"] == {"passed": 1, "failed": 0, "error": 0, "skipped": 0,
                                                                 "total": 1}
    ran = traced(course_dir)
    assert sorted(ran) == ["crashes", "first", "last", "sleeps"]
    # first and sleeps share the first process; the stages after a timeout, and after a crash, get a new one.
    assert ran["first"] == ran["sleeps"] != ran["crashes"] != ran["last"] != ran["first"]
    assert all(not _alive(pid) for pid in ran.values()), "a stopped stage's process was left running"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_a_stage_whose_process_ends_after_a_passing_test_does_not_pass(course_dir, monkeypatch):
    """A test that ends the process (``os._exit(1)``, as a student's code may) after another passed: the stage's tests
    did not all run, and pytest never gave its verdict, so the process's exit code is the stage's, never a verdict
    made of the tests that happened to report."""
    monkeypatch.setenv("TITO_TRACE", str(course_dir / "trace.txt"))
    crashing = stage(course_dir, "crashes", "pass")
    with open(crashing[0], "a") as f:
        f.write("\n\ndef test_then_exits():\n    os._exit(1)\n\n\ndef test_never_runs():\n    pass\n")
    runs = testing.run_stages(Course.load(course_dir), [crashing, stage(course_dir, "passes")], independent=True)
    assert verdicts(runs) == [False, True]
    assert runs[0]["exit_code"] == 1 and runs[0]["counts"]["passed"] == 1
    assert sorted(traced(course_dir)) == ["crashes", "passes"]


def test_independent_stages_call_back_with_the_index_of_the_whole_list(course_dir, monkeypatch):
    """A caller follows the stages by their index in its own list, across the new process after a crash."""
    monkeypatch.setenv("TITO_TRACE", str(course_dir / "trace.txt"))
    stages = [stage(course_dir, "crashes", "os._exit(3)"), stage(course_dir, "fails", "assert False"),
              stage(course_dir, "passes")]
    started, ended = [], []

    def on_end(index, run):
        ended.append((index, run["exit_code"]))

    runs = testing.run_stages(Course.load(course_dir), stages, on_stage_start=started.append, on_stage_end=on_end,
                              independent=True)
    assert verdicts(runs) == [False, False, True]
    assert ended == [(0, 3), (1, 1), (2, 0)]
    assert started == [2]  # the first stage of each process begins with it; the third follows the second
