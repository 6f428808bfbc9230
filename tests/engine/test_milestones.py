"""Milestones: scripts over the student's package, listed from the folder and run with their figures."""

from __future__ import annotations

from tito_jupyter import engine
from tito_jupyter.engine.context import Context
from tito_jupyter.engine.results import EventSink


def add_milestone(course_dir, name, body, title="Adding machines"):
    folder = course_dir / "milestones" / name
    folder.mkdir(parents=True)
    (folder / "README.md").write_text(f"# {title}\n\nNeeds module 01.\n")
    (folder / "run.py").write_text(body)


def run(course_dir, command, args=None, events=None):
    return engine.run(command, args or {}, Context(project=course_dir, events=EventSink(events)))


def test_milestones_are_listed_with_needs_from_imports(course_dir):
    add_milestone(course_dir, "1642_pascaline", "from tinytorch.core.numbers import add\nprint(add(1, 2))\n")
    (row,) = run(course_dir, "milestone.list").data["milestones"]
    assert (row["id"], row["year"], row["title"], row["requires"]) == (
        "1642_pascaline", 1642, "Adding machines", ["01_numbers"])
    assert row["state"] == "locked" and row["missing_modules"] == ["01_numbers"]


def test_a_milestone_runs_on_the_students_package_and_records_its_figures(course_dir):
    add_milestone(course_dir, "1642_pascaline",
                  "import json\nfrom tinytorch.core.numbers import add\n"
                  "print('adding...')\nprint(json.dumps({'milestone': '1642_pascaline', 'sum': add(40, 2)}))\n")
    assert run(course_dir, "module.complete", {"modules": ["01"]}).ok
    assert run(course_dir, "milestone.list").data["milestones"][0]["state"] == "ready"
    seen = []
    result = run(course_dir, "milestone.run", {"milestone": "1642"}, events=seen.append)
    assert result.ok, result.summary
    assert result.data["metrics"] == {"milestone": "1642_pascaline", "sum": 42}
    assert "sum 42" in result.summary
    assert "adding..." in [e["message"] for e in seen if e["event"] == "log"]
    assert run(course_dir, "milestone.list").data["milestones"][0]["state"] == "achieved"


def test_a_failing_or_endless_milestone_is_reported(course_dir):
    add_milestone(course_dir, "1950_broken", "raise SystemExit('the machine jammed')\n")
    add_milestone(course_dir, "1951_endless", "while True:\n    pass\n")
    failed = run(course_dir, "milestone.run", {"milestone": "broken"})
    assert not failed.ok and "the machine jammed" in failed.summary
    endless = run(course_dir, "milestone.run", {"milestone": "endless", "timeout": 2})
    assert not endless.ok and endless.data["timed_out"] and "timed out after 2 s" in endless.summary
