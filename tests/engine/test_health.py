"""`tito system health`: each figure measured when asked, or a sentence saying why it was not."""

from __future__ import annotations

import json
import subprocess
import sys

import coverage
from openapi_contract import check_result_data

from tito_jupyter.course import Course
from tito_jupyter.engine import health, run
from tito_jupyter.commands import find
from tito_jupyter.engine.context import Context


def measure(course_dir, **kwargs):
    return run(find(("system", "health")), {"runs": 1, **kwargs}, Context(project=course_dir))


def figures(result) -> dict:
    return {f["figure"]: f for f in result.data["figures"]}


def test_quick_health_counts_the_course_and_times_the_cli(course_dir):
    result = measure(course_dir, quick=True)
    assert result.ok, result.summary
    check_result_data(result.to_dict(), "system.health --quick")  # the shape openapi.json gives its data
    got = figures(result)
    course = Course.load(course_dir)
    assert got["modules"]["value"] == len(course.modules) == 2
    assert got["checkpoints"]["value"] == len(course.checkpoints) == 1
    assert got["CLI response"]["status"] == "measured" and got["CLI response"]["value"] > 0
    assert "of a bare python" in got["CLI response"]["detail"]
    for slow in ("checkpoints passing", "wheel build"):
        assert got[slow]["status"] == "not_measured" and got[slow]["value"] is None
    assert "scripts/coverage.sh" in got["test coverage"]["detail"]


def test_coverage_comes_from_coverage_pys_own_report(course_dir, tmp_path):
    script = tmp_path / "measured.py"
    script.write_text("def f(x):\n    if x:\n        return 1\n    return 2\n\nf(True)\n")
    data = tmp_path / ".coverage"
    subprocess.run([sys.executable, "-m", "coverage", "run", f"--data-file={data}", str(script)], check=True,
                   cwd=tmp_path, env={"PATH": "/usr/bin:/bin"})
    report = course_dir / health.COVERAGE_REPORT
    report.parent.mkdir(parents=True)
    cov = coverage.Coverage(data_file=str(data))
    cov.load()
    cov.json_report(outfile=str(report))
    expected = round(json.loads(report.read_text())["totals"]["percent_covered"], 1)
    got = figures(measure(course_dir, quick=True))["test coverage"]
    assert got["status"] == "measured" and got["value"] == expected and 0 < expected < 100


def test_a_report_that_is_not_coverages_says_so(course_dir):
    report = course_dir / health.COVERAGE_REPORT
    report.parent.mkdir(parents=True)
    report.write_text('{"totals": "garbage"')
    got = figures(measure(course_dir, quick=True))["test coverage"]
    assert got["status"] == "not_measured" and "is not coverage.py's JSON report" in got["detail"]


def test_checkpoints_passing_is_measured_against_the_package_and_records_nothing(course_dir):
    progress = course_dir / ".tito" / "progress.json"
    before = progress.read_bytes() if progress.exists() else None
    course = Course.load(course_dir)
    # Nothing exported yet: the checkpoint fails against the empty package.
    got = health.checkpoint_pass_rate(course, timeout=300)
    assert got["status"] == "measured" and got["value"] == 0.0 and got["detail"].startswith("0 of 1; not passing")
    subprocess.run([sys.executable, "-m", "tito_jupyter", "--project", str(course_dir), "export", "--all"],
                   check=True, capture_output=True)
    got = health.checkpoint_pass_rate(course, timeout=300)
    assert got["value"] == 100.0 and got["detail"] == "1 of 1"
    after = progress.read_bytes() if progress.exists() else None
    assert json.loads(after or b"{}").get("checkpoints", {}) == json.loads(before or b"{}").get("checkpoints", {})


def test_the_wheel_build_is_timed_or_its_failure_said(course_dir):
    course = Course.load(course_dir)
    got = health.wheel_build(course, timeout=300)
    assert got["status"] == "not_measured" and "no pyproject.toml" in got["detail"]
    (course_dir / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n'
        '[project]\nname = "tiny-course"\nversion = "0.1"\n'
        '[tool.hatch.build.targets.wheel]\npackages = ["tinytorch"]\n')
    (course_dir / "tinytorch").mkdir(exist_ok=True)
    (course_dir / "tinytorch" / "__init__.py").touch()
    got = health.wheel_build(course, timeout=300)
    assert got["status"] == "measured" and got["value"] > 0 and got["detail"].startswith("tiny_course-0.1-")
    (course_dir / "pyproject.toml").write_text('[build-system]\nrequires = ["hatchling"]\nbuild-backend = "nope"\n')
    result = measure(course_dir)  # the whole operation: a failed figure makes it fail, and says which
    got = figures(result)["wheel build"]
    assert got["status"] == "failed" and got["detail"].startswith("the build failed")
    assert result.ok is False and "failed: wheel build" in result.summary
    assert figures(result)["checkpoints passing"]["status"] == "measured"


def test_the_cli_prints_the_table_and_json(course_dir):
    done = subprocess.run([sys.executable, "-m", "tito_jupyter", "--project", str(course_dir), "system", "health",
                           "--quick", "--runs", "1"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and "repository health" in done.stdout and "not measured" in done.stdout
    done = subprocess.run([sys.executable, "-m", "tito_jupyter", "--project", str(course_dir), "--json", "system",
                           "health", "--quick", "--runs", "1"], capture_output=True, text=True, timeout=300)
    data = json.loads(done.stdout)
    assert data["command"] == "system.health" and {f["figure"] for f in data["data"]["figures"]} >= {
        "modules", "checkpoints passing", "CLI response", "test coverage", "wheel build"}
