"""The repository's health, each figure measured when asked: ``tito system health``.

The figures a maintainer (and CI's job summary) watches: the size of the course, the share of checkpoints the
package passes as it is (for the repository, the instructor's export), how fast the CLI answers, the test
coverage of the last coverage run, and how long the wheel takes to build. Nothing is remembered from an
earlier call except the coverage report, which says when it was made; a figure that could not be measured
says why instead of showing a number.
"""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from ..course import Course
from . import processes, testing
from .context import Context
from .results import Result

#: Where `scripts/coverage.sh` leaves its report (coverage.py's JSON format), relative to the course root.
COVERAGE_REPORT = Path("build") / "coverage" / "coverage.json"


def _figure(name: str, value, unit: str, how: str, *, status: str = "measured", detail: str = "") -> dict:
    return {"figure": name, "value": value, "unit": unit, "how": how, "status": status, "detail": detail}


def _not_measured(name: str, unit: str, how: str, why: str) -> dict:
    return _figure(name, None, unit, how, status="not_measured", detail=why)


def course_size(course: Course) -> list[dict]:
    tests = sum(len(m.test_files) for m in course.modules)
    return [
        _figure("modules", len(course.modules), "", "module folders in modules/"),
        _figure("checkpoints", len(course.checkpoints), "", "capability tests in tests/checkpoints/"),
        _figure("milestones", len(course.milestones), "", "folders in milestones/"),
        _figure("module test files", tests, "", "files in tests/modules/"),
    ]


def checkpoint_pass_rate(course: Course, timeout: float) -> dict:
    """Every checkpoint against the package as it is, in one pytest run; nothing is recorded as progress."""
    how = "every checkpoint's tests against tinytorch/ as it is (progress is not touched)"
    if not course.checkpoints:
        return _not_measured("checkpoints passing", "%", how, "the course has no checkpoints")
    run = testing.run_pytest(course, [cp.path for cp in course.checkpoints], timeout=timeout)
    if run["timed_out"]:
        return _not_measured("checkpoints passing", "%", how, f"the run passed its {timeout:g} s limit")
    failed_files = {t["id"].split("::", 1)[0] for t in run["tests"] if t["outcome"] != "passed"}
    ran_files = {t["id"].split("::", 1)[0] for t in run["tests"]}
    passing = [cp for cp in course.checkpoints
               if (rel := cp.path.relative_to(course.root).as_posix()) in ran_files and rel not in failed_files]
    rate = round(100.0 * len(passing) / len(course.checkpoints), 1)
    failing = [cp.id for cp in course.checkpoints if cp not in passing]
    return _figure("checkpoints passing", rate, "%", how,
                   detail=f"{len(passing)} of {len(course.checkpoints)}"
                   + (f"; not passing: {', '.join(failing)}" if failing else ""))


def _median_ms(argv: list[str], runs: int, cwd: Path) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60, check=True)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def cli_response(course: Course, runs: int = 7) -> dict:
    """`tito --help` and `tito module list` as whole processes, against a bare interpreter in the same call."""
    bare = _median_ms([sys.executable, "-c", "pass"], runs, course.root)
    listing = _median_ms([sys.executable, "-m", "tito_jupyter", "module", "list"], runs, course.root)
    helping = _median_ms([sys.executable, "-m", "tito_jupyter", "--help"], runs, course.root)
    return _figure("CLI response", round(listing, 1), "ms",
                   f"median of {runs} runs of `tito module list`, next to `python -c pass`",
                   detail=f"x{listing / bare:.1f} of a bare python ({bare:.0f} ms); `tito --help` {helping:.0f} ms "
                          f"(x{helping / bare:.1f})")


def coverage(course: Course) -> dict:
    how = "coverage.py across the whole suite, subprocesses included (scripts/coverage.sh)"
    report = course.root / COVERAGE_REPORT
    if not report.is_file():
        return _not_measured("test coverage", "%", how, f"no report at {COVERAGE_REPORT}: run `bash scripts/coverage.sh`")
    try:
        data = json.loads(report.read_text(encoding="utf-8"))
        percent = round(float(data["totals"]["percent_covered"]), 1)
    except (ValueError, KeyError, TypeError) as exc:
        return _not_measured("test coverage", "%", how, f"{COVERAGE_REPORT} is not coverage.py's JSON report ({exc})")
    when = data.get("meta", {}).get("timestamp", "")
    return _figure("test coverage", percent, "%", how, detail=f"report of {when}" if when else "")


def wheel_build(course: Course, timeout: float) -> dict:
    # Without isolation: the build tools of this environment, so the figure is the build, not downloads.
    how = "`python -m build --wheel --no-isolation` into a scratch folder"
    if not (course.root / "pyproject.toml").is_file():
        return _not_measured("wheel build", "s", how, "this course is not a Python project (no pyproject.toml)")
    try:
        import build  # noqa: F401  (only to say what is missing)
    except ImportError:
        return _not_measured("wheel build", "s", how, "the `build` package is missing: pip install build")
    out = Path(tempfile.mkdtemp(prefix="tito-health-wheel-"))
    try:
        lines: list[str] = []
        done = processes.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out)], cwd=course.root,
                             timeout=timeout, on_line=lambda line: lines.append(line) if line.strip() else None)
        wheels = list(out.glob("*.whl"))
        if done.timed_out:
            return _not_measured("wheel build", "s", how, f"the build passed its {timeout:g} s limit")
        if done.exit_code != 0 or not wheels:
            return _figure("wheel build", None, "s", how, status="failed",
                           detail=f"the build failed: {lines[-1] if lines else 'no output'}")
        size = wheels[0].stat().st_size
        return _figure("wheel build", round(done.seconds, 1), "s", how,
                       detail=f"{wheels[0].name}, {size / 1e6:.1f} MB")
    finally:
        shutil.rmtree(out, ignore_errors=True)


def health(ctx: Context, quick: bool = False, timeout: float | None = None, runs: int | None = None) -> Result:
    """Measure the repository's health figures now (``quick``: leave out the checkpoint run and the build)."""
    course = ctx.course
    limit = float(timeout or 600)
    figures = course_size(course)
    ctx.events.step("health", "running", message="timing the CLI")
    figures.append(cli_response(course, max(1, runs or 7)))
    figures.append(coverage(course))
    if quick:
        figures.append(_not_measured("checkpoints passing", "%", "every checkpoint's tests", "left out (--quick)"))
        figures.append(_not_measured("wheel build", "s", "python -m build --wheel", "left out (--quick)"))
    else:
        ctx.events.step("health", "running", message="running every checkpoint")
        figures.append(checkpoint_pass_rate(course, limit))
        ctx.events.step("health", "running", message="building the wheel")
        figures.append(wheel_build(course, limit))
    ctx.events.step("health", "passed")
    failed = [f["figure"] for f in figures if f["status"] == "failed"]
    measured = sum(1 for f in figures if f["status"] == "measured")
    summary = (f"{measured} of {len(figures)} health figures measured"
               + (f"; failed: {', '.join(failed)}" if failed else "") + ".")
    return Result(command="system.health", ok=not failed, summary=summary,
                  data={"figures": figures, "measured_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                        "quick": quick})
