"""`tito benchmark`: time the student's own framework with their own harness, keep each run, compare over time.

The suite (``benchmark_suite.SUITE``) runs in a subprocess against the course's ``tinytorch``, as milestones do,
through the student's ``tinytorch.bench`` of module 19. A benchmark runs only when every module it needs is
complete; the others are listed as not run, with the module they wait for. Each run is saved as
``.tito/benchmarks/<UTC time>.json`` (atomically) and compared with the previous run, or with ``--compare FILE``.
A saved report that cannot be read is set aside with a warning, as a damaged progress store is, and never
stops a run.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

from .. import platform
from . import benchmark_suite, files, processes
from .context import Context
from .modules import current_fingerprint
from .progress import ProgressStore, module_state
from .results import Result
from ..errors import UsageError

DEFAULT_REPEATS = 20
WARMUP = 3
MAX_REPEATS = 10_000
DEFAULT_TIMEOUT = 600.0
#: The schema of the student's harness (module 19) that tito reads and writes.
SCHEMA = "tinytorch.bench/1"


def history_dir(ctx: Context) -> Path:
    return ctx.course.state_dir / "benchmarks"


def _saved_runs(folder: Path) -> list[Path]:
    """Saved runs, oldest first: their names are UTC times, with ``-1``, ``-2`` for runs within the same second."""
    def order(path: Path):
        stamp, _, n = path.stem.partition("-")
        return stamp, int(n) if n.isdigit() else 0

    return sorted((p for p in folder.glob("*.json") if not p.name.startswith(".")), key=order)


def _problem_of(text: str) -> str | None:
    """Why a saved run is not a report tito can compare with; None if it is one."""
    try:
        report = json.loads(text)
    except ValueError as exc:
        return f"it is not valid JSON: {exc}"
    if not isinstance(report, dict) or report.get("schema") != SCHEMA:
        return f"it is not a {SCHEMA} report"
    if not isinstance(report.get("results"), list) or not all(
            isinstance(r, dict) and isinstance(r.get("name"), str) for r in report["results"]):
        return "its results are not a list of named results"
    return None


def _set_aside(path: Path) -> str:
    """Move a damaged saved run to ``<name>.corrupt`` (never over another), so that history listing skips it."""
    for n in range(1000):
        aside = path.with_name(path.name + ".corrupt" + (f"-{n}" if n else ""))
        if not aside.exists():
            try:
                platform.replace(path, aside)
                return f"moved to {aside.name}"
            except OSError:
                break
    return "left in place (it could not be moved)"


def _read_report(path: Path, warnings: list[str], set_aside: bool) -> dict | None:
    """The report at ``path``, or None with a warning saying why it cannot be used."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        warnings.append(f"The benchmark report {path.name} could not be read ({exc}); it is not compared.")
        return None
    try:
        text = raw.decode("utf-8")
        problem = _problem_of(text)
    except UnicodeDecodeError:
        problem = "it is not UTF-8 text"
    if problem is None:
        return json.loads(text)
    where = _set_aside(path) if set_aside else "left where it is"
    warnings.append(f"The benchmark report {path.name} could not be used ({problem}); it was {where}, "
                    "and this run is not compared with it.")
    return None


def _summary_row(path: Path, report: dict) -> dict:
    return {"file": path.name, "created": report.get("created"),
            "benchmarks": {r["name"]: r.get("median") for r in report["results"]},
            "not_run": sorted((report.get("tito") or {}).get("not_run", {}))}


def history(ctx: Context) -> Result:
    """The saved runs, oldest first, each with its benchmarks' medians (seconds)."""
    folder = history_dir(ctx)
    warnings: list[str] = []
    rows = []
    for path in _saved_runs(folder):
        report = _read_report(path, warnings, set_aside=True)
        if report is not None:
            rows.append(_summary_row(path, report))
    summary = (f"{len(rows)} saved benchmark run{'s' if len(rows) != 1 else ''} in {folder}."
               if rows else "No benchmark runs saved yet: run `tito benchmark`.")
    return Result(command="benchmark", ok=True, summary=summary,
                  data={"history": rows, "folder": str(folder), "warnings": warnings})


def _module_states(ctx: Context) -> dict[str, tuple[str, str]]:
    """{module number: (module id, state)} for the course's modules."""
    course = ctx.course
    progress = ProgressStore(course).read()
    return {m.id.split("_", 1)[0]: (m.id, module_state(progress["modules"].get(m.id), current_fingerprint(m))["state"])
            for m in course.modules}


def _waiting_for(case: benchmark_suite.Case, states: dict[str, tuple[str, str]]) -> list[str]:
    """The modules ``case`` needs that are not complete, named by id (or by number if the course lacks them)."""
    missing = []
    for number in (*case.needs, benchmark_suite.HARNESS_MODULE):
        module_id, state = states.get(number, (number, "absent"))
        if state != "complete" and module_id not in missing:
            missing.append(module_id)
    return missing


def _check_repeats(repeats) -> int:
    if repeats is None:
        return DEFAULT_REPEATS
    if isinstance(repeats, bool) or not isinstance(repeats, int) or not 2 <= repeats <= MAX_REPEATS:
        raise UsageError(f"--repeats must be a whole number from 2 to {MAX_REPEATS}, not {repeats!r}.",
                         hint=f"Leave it out for {DEFAULT_REPEATS}; more repeats give a narrower interval.")
    return repeats


def _previous(ctx: Context, compare: str | None, warnings: list[str]) -> tuple[dict | None, str | None]:
    """The report to compare with and its name: the latest good saved run, or the file ``compare`` names."""
    if compare in (None, "", "last"):
        for path in reversed(_saved_runs(history_dir(ctx))):
            report = _read_report(path, warnings, set_aside=True)
            if report is not None:
                return report, path.name
        return None, None
    if compare == "none":
        return None, None
    path = Path(compare)
    if not path.is_absolute():
        saved = history_dir(ctx) / compare
        path = saved if saved.exists() else Path.cwd() / compare
    if not path.is_file():
        raise UsageError(f"There is no benchmark report {compare!r} to compare with.",
                         hint="Name a file from `tito benchmark --list`, a path to a saved report, 'last' or 'none'.")
    report = _read_report(path, warnings, set_aside=False)
    if report is None:
        raise UsageError(f"{path} cannot be compared with: {warnings.pop()}",
                         hint="Name another report from `tito benchmark --list`.")
    return report, path.name


def benchmark(ctx: Context, only: list[str] | None = None, repeats: int | None = None, compare: str | None = None,
              list_: bool = False, timeout: float | None = None) -> Result:
    """Run the suite (or ``only`` some of it) on the student's framework; save the report; compare with the last."""
    if list_:
        return history(ctx)
    repeats = _check_repeats(repeats)
    names = [case.name for case in benchmark_suite.SUITE]
    unknown = [name for name in only or [] if name not in names]
    if unknown:
        raise UsageError(f"There is no benchmark {unknown[0]!r}.", hint=f"The benchmarks: {', '.join(names)}.")
    states = _module_states(ctx)
    if (waiting := _harness_not_ready(states)) is not None:
        return waiting
    cases = [case for case in benchmark_suite.SUITE if not only or case.name in only]
    not_run = {case.name: _waiting_for(case, states) for case in cases}
    not_run = {name: missing for name, missing in not_run.items() if missing}
    to_run = [case.name for case in cases if case.name not in not_run]
    warnings: list[str] = []
    previous, previous_name = _previous(ctx, compare, warnings)
    for name, missing in not_run.items():
        ctx.events.log(f"{name}: not run, needs module {', '.join(missing)}")
    if not to_run:
        return Result(command="benchmark", ok=False,
                      summary="No benchmark can run yet: each needs modules you have not completed "
                              f"({', '.join(sorted({m for ms in not_run.values() for m in ms}))}).",
                      data={"not_run": not_run, "warnings": warnings})

    ctx.events.step("benchmark", "running", benchmarks=to_run)
    seconds = timeout or DEFAULT_TIMEOUT
    outcome, finished, lines = _run_suite(ctx, to_run, repeats, previous, seconds)
    if outcome is None or outcome.get("report") is None:
        return _did_not_run(ctx, outcome, finished, lines, seconds, not_run, warnings)
    return _measured(ctx, outcome, repeats, not_run, previous_name, warnings)


def _harness_not_ready(states: dict) -> Result | None:
    """The answer when module 19's harness, which the suite runs, is not complete yet; None when it is."""
    harness_id, harness_state = states.get(benchmark_suite.HARNESS_MODULE, ("19_benchmarking", "absent"))
    if harness_state == "complete":
        return None
    summary = (f"Complete module {harness_id} first (`tito complete {benchmark_suite.HARNESS_MODULE}`): "
               "tito benchmark measures your framework with your own harness, tinytorch.bench.")
    if harness_state == "absent":
        summary = "This course has no module 19 (benchmarking), whose harness tito benchmark runs."
    return Result(command="benchmark", ok=False, summary=summary, data={"needs": harness_id, "state": harness_state})


def _did_not_run(ctx: Context, outcome: dict | None, finished, lines: list[str], seconds: float, not_run: dict,
                 warnings: list[str]) -> Result:
    """The answer when the suite's process gave no report: why, in one sentence, and its last output."""
    why = (f"timed out after {seconds:.0f} s" if finished.timed_out else
           f"exit code {finished.exit_code}: " + next((line for line in reversed(lines) if line.strip()), "no output"))
    if outcome is not None and outcome.get("failed"):
        why = "; ".join(f"{name}: {error}" for name, error in outcome["failed"].items())
    summary = f"The benchmarks did not run ({why})."
    ctx.events.step("benchmark", "failed", message=summary)
    return Result(command="benchmark", ok=False, summary=summary,
                  data={"not_run": not_run, "failed": (outcome or {}).get("failed", {}), "output": lines[-200:],
                        "warnings": warnings})


def _measured(ctx: Context, outcome: dict, repeats: int, not_run: dict, previous_name: str | None,
              warnings: list[str]) -> Result:
    """The answer of a run that measured: the report saved under .tito/, its table and its comparison."""
    report = outcome["report"]
    report["tito"] = {"repeats": repeats, "not_run": not_run, "failed": outcome["failed"],
                      "compared_with": previous_name}
    path = _save(ctx, report)
    failed = outcome["failed"]
    ran = [r["name"] for r in report["results"]]
    summary = f"Measured {len(ran)} benchmark{'s' if len(ran) != 1 else ''}; saved as {path.name}"
    summary += f", compared with {previous_name}." if previous_name else " (the first run: nothing to compare with)."
    if not_run:
        summary += f" Not run: {', '.join(not_run)} (needs modules not yet complete)."
    if failed:
        summary += f" Failed: {', '.join(failed)} (your code raised; see the output)."
    ctx.events.step("benchmark", "failed" if failed else "passed", message=summary)
    rows = [{"name": r["name"], "what": next(c.what for c in benchmark_suite.SUITE if c.name == r["name"]),
             "median_ms": r["median"] * 1e3, "ci_low_ms": r["ci_low"] * 1e3, "ci_high_ms": r["ci_high"] * 1e3,
             "repeats": r["repeats"]} for r in report["results"]]
    return Result(command="benchmark", ok=not failed, summary=summary,
                  data={"path": str(path), "file": path.name, "rows": rows, "table": outcome["table"],
                        "not_run": not_run, "failed": failed, "compared_with": previous_name,
                        "comparison": outcome["comparison"], "changes": outcome["changes"], "report": report,
                        "warnings": warnings})


def _run_suite(ctx: Context, names: list[str], repeats: int, previous: dict | None, timeout: float):
    """Run the suite script on the course's package; its outcome (or None), how it ended, its output lines."""
    course = ctx.course
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(course.root), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env["PYTHONUNBUFFERED"] = "1"
    lines: list[str] = []

    def take(line: str) -> None:
        lines.append(line)
        ctx.events.log(line)

    with tempfile.TemporaryDirectory(prefix="tito-benchmark-") as scratch:
        request, out = Path(scratch) / "request.json", Path(scratch) / "outcome.json"
        files.atomic_write_text(request, json.dumps({"names": names, "repeats": repeats, "warmup": WARMUP,
                                                     "previous": previous}))
        # run_path, not `python suite.py`: a script's folder goes first on sys.path, and tito's engine folder
        # must not stand between the student's code and the standard library.
        argv = [sys.executable, "-c",
                "import runpy, sys; script = sys.argv.pop(1); runpy.run_path(script, run_name='__main__')",
                benchmark_suite.__file__, str(request), str(out)]
        finished = processes.run(argv, cwd=course.root, env=env, timeout=timeout, on_line=take)
        outcome = None
        if out.exists() and finished.exit_code == 0 and not finished.timed_out:
            outcome = json.loads(out.read_text(encoding="utf-8"))
    return outcome, finished, lines


def _save(ctx: Context, report: dict) -> Path:
    """Write ``report`` as ``.tito/benchmarks/<UTC time>.json``, atomically, under a name no other run has."""
    folder = history_dir(ctx)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    for n in range(1000):
        path = folder / (f"{stamp}.json" if n == 0 else f"{stamp}-{n}.json")
        try:  # claim the name first, so two runs in one second never overwrite each other
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644))
            break
        except FileExistsError:
            continue
    files.atomic_write_json(path, report)
    return path
