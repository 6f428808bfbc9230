"""The instructor's view of the class, read from nbgrader's gradebook and course folder.

Three views, all of numbers that something else wrote down; nothing here grades or re-scores:

- :func:`assignment_status` (``tito nbgrader status``): where each assignment stands in nbgrader's pipeline,
  generated, released, submitted, collected, autograded, feedback written and returned, with counts and dates;
- :func:`class_status` (``tito class status``): students × modules, each cell the score the gradebook holds
  and a state, who is stuck where, and the grid as CSV;
- :func:`analytics` (``tito nbgrader analytics``): score distributions per module, pass rate per test (grade
  cell), the tests most students fail, as a table and a PNG plot.

Scores come from :func:`.grades.read_grades` (the reader ``tito nbgrader report`` uses too) and, per grade
cell, from the gradebook's grades. The only facts taken from folders are those the gradebook does not keep:
what is in the exchange (released, waiting to be collected, feedback returned) and which feedback pages exist.
"""

from __future__ import annotations

import datetime
import io
import os
import statistics
import unicodedata
from contextlib import contextmanager
from pathlib import Path

from ...errors import UsageError
from .. import files
from ..context import Context
from .grades import read_grades
from .nbgrader_course import (CONFIG_FILE, DEFAULT_FOLDER, GradingError, assignment_ids, course_folder, gradebook,
                              nbgrader_api, require_initialised, require_nbgrader)
from ..results import Result
from .spreadsheet import csv_text

#: A cell of the class grid, from the least to the most done.
STATES = ("not_submitted", "submitted", "graded", "feedback_ready", "feedback_returned")
#: Under this share of the points, a student's latest graded module counts as a place they are stuck.
STUCK_BELOW = 0.5
HISTOGRAM_BINS = 10
TOP_FAILING = 5
CSV_COLUMNS = ("student", "assignment", "state", "score", "max_score", "percent", "timestamp")


def visible(name: str) -> str:
    """A name as it can be shown on one line: invisible and direction-changing characters (a zero-width space,
    a right-to-left override) written as ``\\u200b``, so that a student id cannot hide or reorder what follows it.

    Only for showing; the JSON keeps names exactly as the gradebook has them, and so does the CSV but for a
    quote in front of one a spreadsheet would run as a formula (:mod:`.spreadsheet`).
    """
    return "".join(f"\\u{ord(ch):04x}" if unicodedata.category(ch) in ("Cc", "Cf") else ch for ch in name)


# -- reading the gradebook --------------------------------------------------------------------------------


@contextmanager
def _open_gradebook(folder: Path, db: str | None, events):
    """nbgrader's API and its gradebook; a database that cannot be read is a sentence, not a traceback."""
    from sqlalchemy.exc import SQLAlchemyError

    api = nbgrader_api(folder, db, events)
    try:
        gb = gradebook(api)
        gb.students  # noqa: B018 (touch the database now, so a broken one fails here and not half way)
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        raise GradingError(f"The gradebook {api.coursedir.db_url} cannot be read as a database ({reason}).",
                           hint="Pass --db with the gradebook's URL, or restore the file from a backup; "
                                "`tito nbgrader init --force` makes a new, empty one.") from None
    with gb:
        yield api, gb


def _assignments(ctx: Context, folder: Path, modules: list[str] | None, all_: bool = False) -> list[str]:
    require_initialised(folder)  # "not an nbgrader course yet" says more than "nothing generated"
    return assignment_ids(ctx, folder, None if all_ else modules)


def _exchange(api) -> Path | None:
    root = getattr(api, "exchange_root", "") if api.exchange_is_functional else ""
    return Path(root) / api.coursedir.course_id if root else None


def _iso(timestamp: float | None) -> str | None:
    if timestamp is None:
        return None
    return datetime.datetime.fromtimestamp(timestamp, datetime.timezone.utc).isoformat(timespec="seconds")


def _mtime(path: Path) -> float | None:
    try:
        return path.stat().st_mtime
    except OSError:
        return None


def _students_with(folder: Path, stage: str, assignment: str) -> list[str]:
    """Students with a folder for ``assignment`` under ``submitted/``, ``autograded/`` or ``feedback/``."""
    return sorted(p.parent.name for p in (folder / stage).glob(f"*/{assignment}") if p.is_dir())


def _feedback_pages(folder: Path, student: str, assignment: str) -> list[Path]:
    return sorted((folder / "feedback" / student / assignment).glob("*.html"))


def _feedback_returned(exchange: Path | None, folder: Path, student: str, assignment: str) -> bool:
    """Whether nbgrader's exchange holds this student's feedback (filed under a hash of their submission secret)."""
    if exchange is None:
        return False
    from nbgrader.utils import notebook_hash

    secret_file = folder / "feedback" / student / assignment / "submission_secret.txt"
    try:
        secret = secret_file.read_text(encoding="utf-8").strip()
    except OSError:
        return False
    pages = _feedback_pages(folder, student, assignment)
    return bool(pages) and all(
        (exchange / "feedback" / f"{notebook_hash(secret=secret, notebook_id=page.stem)}.html").is_file()
        for page in pages)


# -- who sees the class ------------------------------------------------------------------------------------

INSTRUCTOR_VARIABLE = "TITO_INSTRUCTOR"


def instructor_role(course_root: Path) -> dict:
    """Whether the person running this course is its instructor, and why: ``{"instructor": bool, "reason": str}``.

    ``TITO_INSTRUCTOR=1`` (what ``serve.sh --instructor`` sets) or ``0`` in the environment decides; without it,
    a course that holds an nbgrader course (``nbgrader/nbgrader_config.py``, made by ``tito nbgrader init``) is an
    instructor's, since a student edition never has one (``tito release student`` copies by an allow-list).
    """
    said = os.environ.get(INSTRUCTOR_VARIABLE, "").strip()
    if said in ("1", "0"):
        return {"instructor": said == "1", "reason": f"{INSTRUCTOR_VARIABLE}={said} in the server's environment"}
    if (course_root / DEFAULT_FOLDER / CONFIG_FILE).is_file():
        return {"instructor": True, "reason": f"the course has an nbgrader course ({DEFAULT_FOLDER}/{CONFIG_FILE})"}
    return {"instructor": False, "reason": f"the course has no {DEFAULT_FOLDER}/{CONFIG_FILE} and "
                                           f"{INSTRUCTOR_VARIABLE} is not 1"}


# -- tito nbgrader status ---------------------------------------------------------------------------------


def assignment_status(ctx: Context, modules: list[str] | None = None, course_dir: str | None = None,
                      db: str | None = None) -> Result:
    """Where each assignment stands: generated, released, submitted, collected, autograded, feedback."""
    require_nbgrader()
    folder = course_folder(ctx, course_dir)
    assignments = _assignments(ctx, folder, modules)
    rows = []
    with _open_gradebook(folder, db, ctx.events) as (api, gb):
        exchange = _exchange(api)
        students, grades = read_grades(folder, gb, assignments)
        for assignment in assignments:
            mine = [g for g in grades if g["assignment"] == assignment]
            in_gradebook = [g for g in mine if g["status"] != "missing"]
            outbound = exchange / "outbound" / assignment if exchange else None
            inbound = sorted(exchange.joinpath("inbound").glob(f"*+{assignment}+*")) if exchange else []
            collected = _students_with(folder, "submitted", assignment)
            autograded = _students_with(folder, "autograded", assignment)
            feedback = [s for s in _students_with(folder, "feedback", assignment)
                        if _feedback_pages(folder, s, assignment)]
            returned = [s for s in feedback if _feedback_returned(exchange, folder, s, assignment)]
            stamps = sorted(g["timestamp"] for g in in_gradebook if g["timestamp"])
            rows.append({
                "assignment": assignment,
                "generated": (folder / "release" / assignment).is_dir(),
                "generated_at": _iso(_mtime(folder / "release" / assignment)),
                "released": bool(outbound and outbound.is_dir()),
                "released_at": _iso(_mtime(outbound)) if outbound else None,
                "max_score": mine[0]["max_score"] if mine else 0.0,
                "students": len(students),
                "submitted_to_exchange": len({p.name.split("+")[0] for p in inbound}),
                "collected": len(collected),
                "in_gradebook": len(in_gradebook),
                "autograded": len(autograded),
                "graded": sum(1 for g in in_gradebook if g["status"] != "submitted"),
                "feedback_written": len(feedback),
                "feedback_returned": len(returned),
                "first_submission": stamps[0] if stamps else None,
                "last_submission": stamps[-1] if stamps else None,
                "exchange": str(outbound) if outbound else None,
            })
    parts = [f"{r['assignment']}: {'released' if r['released'] else 'not released'}, {r['collected']} collected, "
             f"{r['graded']} graded, {r['feedback_written']} feedback ({r['feedback_returned']} returned)"
             for r in rows]
    return Result(command="nbgrader.status", ok=True,
                  summary=f"{len(rows)} assignment(s), {len(students)} student(s) in the gradebook. "
                          + "; ".join(parts) + ".",
                  data={"course_dir": str(folder), "students": len(students), "assignments": rows})


# -- tito class status ------------------------------------------------------------------------------------


def _cell_state(row: dict, exchange: Path | None, folder: Path) -> str:
    if row["status"] == "missing":
        return "not_submitted"
    if row["status"] == "submitted":
        return "submitted"
    if _feedback_returned(exchange, folder, row["student"], row["assignment"]):
        return "feedback_returned"
    if _feedback_pages(folder, row["student"], row["assignment"]):
        return "feedback_ready"
    return "graded"


def _stuck(student: str, cells: dict[str, dict], assignments: list[str], last_released: str | None) -> dict | None:
    """Where a student is stuck, and why; None if they are not.

    Stuck means: their latest graded module (in course order) scores under half its points, or they have not
    submitted the last module released to them.
    """
    graded = [a for a in assignments if cells[a]["state"] not in ("not_submitted", "submitted")]
    if graded:
        latest = cells[graded[-1]]
        if latest["max_score"] and latest["score"] < STUCK_BELOW * latest["max_score"]:
            return {"student": student, "assignment": latest["assignment"], "reason": "low_score",
                    "detail": f"latest graded module {latest['assignment']} scored "
                              f"{latest['score']:g} of {latest['max_score']:g}"}
    if last_released and cells[last_released]["state"] == "not_submitted":
        return {"student": student, "assignment": last_released, "reason": "not_submitted",
                "detail": f"has not submitted {last_released}, the last module released"}
    return None


def class_status(ctx: Context, modules: list[str] | None = None, csv_: str | None = None,
                 course_dir: str | None = None, db: str | None = None) -> Result:
    """Students × modules: each cell's score and state from the gradebook, and who is stuck where."""
    require_nbgrader()
    folder = course_folder(ctx, course_dir)
    assignments = _assignments(ctx, folder, modules)
    with _open_gradebook(folder, db, ctx.events) as (api, gb):
        exchange = _exchange(api)
        students, grades = read_grades(folder, gb, assignments)
    released = [a for a in assignments if exchange and (exchange / "outbound" / a).is_dir()]
    last_released = released[-1] if released else None
    cells = [{"student": g["student"], "assignment": g["assignment"], "state": _cell_state(g, exchange, folder),
              "score": g["score"], "max_score": g["max_score"], "percent": g["percent"], "timestamp": g["timestamp"]}
             for g in grades]
    by_student: dict[str, dict[str, dict]] = {s: {} for s in students}
    for cell in cells:
        by_student[cell["student"]][cell["assignment"]] = cell
    stuck = [s for s in (_stuck(student, by_student[student], assignments, last_released) for student in students)
             if s]
    data = {"course_dir": str(folder), "assignments": assignments, "students": students, "states": list(STATES),
            "cells": cells, "stuck": stuck, "last_released": last_released,
            "shown": {s: visible(s) for s in students},
            "counts": {a: {state: sum(1 for c in cells if c["assignment"] == a and c["state"] == state)
                           for state in STATES} for a in assignments}}
    if csv_:
        path = Path(csv_).expanduser().resolve()
        if path.is_dir():
            raise UsageError(f"--csv {path} is a folder; name the file to write, e.g. {path / 'class.csv'}.")
        files.atomic_write_text(path, csv_text(cells, CSV_COLUMNS))
        data["csv"] = str(path)
    if not students:
        summary = (f"The gradebook has no students yet ({len(assignments)} assignment(s)). "
                   "Next: `tito nbgrader collect MODULE` once submissions are in.")
    else:
        summary = f"{len(students)} student(s) × {len(assignments)} module(s); "
        summary += (f"{len(stuck)} stuck: " + "; ".join(f"{visible(s['student'])} ({s['detail']})" for s in stuck)
                    if stuck else "nobody stuck")
        summary += f". Grid written to {data['csv']}." if csv_ else "."
    return Result(command="class.status", ok=True, summary=summary, data=data)


# -- tito nbgrader analytics ------------------------------------------------------------------------------


def _distribution(percents: list[float]) -> dict:
    """Mean, median, quartiles and a histogram (``HISTOGRAM_BINS`` bins of 0–100 %) of percent scores."""
    counts = [0] * HISTOGRAM_BINS
    width = 100 / HISTOGRAM_BINS
    for p in percents:
        counts[min(int(p // width), HISTOGRAM_BINS - 1)] += 1
    bins = [{"from": round(i * width, 1), "to": round((i + 1) * width, 1), "count": n} for i, n in enumerate(counts)]
    if not percents:
        return {"count": 0, "mean": None, "median": None, "q1": None, "q3": None, "min": None, "max": None,
                "bins": bins}
    q1, _, q3 = statistics.quantiles(percents, n=4, method="inclusive") if len(percents) > 1 else percents * 3
    return {"count": len(percents), "mean": round(statistics.fmean(percents), 2),
            "median": round(statistics.median(percents), 2), "q1": round(q1, 2), "q3": round(q3, 2),
            "min": min(percents), "max": max(percents), "bins": bins}


def _test_rates(gb, assignment: str) -> list[dict]:
    """Per grade cell of the assignment: how many submissions got it fully, partly, not at all (gradebook grades)."""
    tallies: dict[tuple[str, str], dict] = {}
    for submission in gb.assignment_submissions(assignment):
        for notebook in submission.notebooks:
            for grade in notebook.grades:
                if grade.max_score is None or grade.max_score <= 0 or grade.score is None:
                    continue  # a written answer worth nothing, or a cell nobody has graded yet
                t = tallies.setdefault((notebook.name, grade.name), {
                    "assignment": assignment, "notebook": notebook.name, "test": grade.name,
                    "max_score": float(grade.max_score), "graded": 0, "passed": 0, "failed": 0, "points": 0.0})
                t["graded"] += 1
                t["points"] += float(grade.score)
                if grade.score >= grade.max_score:
                    t["passed"] += 1
                else:
                    t["failed"] += 1
    rows = []
    for t in tallies.values():
        t["pass_rate"] = round(t["passed"] / t["graded"], 4)
        t["mean_share"] = round(t.pop("points") / (t["graded"] * t["max_score"]), 4)
        rows.append(t)
    return sorted(rows, key=lambda r: (r["assignment"], r["test"]))


def _plot(distributions: list[dict], tests: list[dict], path: Path) -> None:
    """One PNG: a histogram of percent scores per module, and each test's pass rate."""
    import matplotlib

    matplotlib.use("Agg")  # no display: a file only
    from matplotlib.figure import Figure

    rows = len(distributions) + (1 if tests else 0)
    fig = Figure(figsize=(8, 2.6 * rows), layout="constrained")
    axes = fig.subplots(rows, 1, squeeze=False)[:, 0]
    for ax, d in zip(axes, distributions):
        starts = [b["from"] for b in d["distribution"]["bins"]]
        width = starts[1] - starts[0] if len(starts) > 1 else 100
        counts = [b["count"] for b in d["distribution"]["bins"]]
        ax.bar(starts, counts, width=width, align="edge", color="#4c72b0", edgecolor="white")
        ax.set_ylim(0, max(counts) * 1.3 + 0.5)  # room above the bars for the legend
        mean = d["distribution"]["mean"]
        title = f"{d['assignment']}: {d['distribution']['count']} graded of {d['students']}"
        if mean is not None:
            ax.axvline(mean, color="#dd8452", linestyle="--", label=f"mean {mean:g} %")
            ax.legend(loc="upper left")
        ax.set(title=title, xlabel="score (% of the points)", ylabel="students", xlim=(0, 100))
        ax.yaxis.get_major_locator().set_params(integer=True)
    if tests:
        ax = axes[-1]
        labels = [f"{t['assignment']}: {t['test']}" for t in tests]
        ax.barh(range(len(tests)), [100 * t["pass_rate"] for t in tests], color="#55a868")
        ax.set_yticks(range(len(tests)), labels, fontsize=8)
        ax.invert_yaxis()
        ax.set(title="pass rate per test (grade cell)", xlabel="% of graded submissions with full marks",
               xlim=(0, 100))
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100)
    files.atomic_write_bytes(path, buffer.getvalue())


def analytics(ctx: Context, modules: list[str] | None = None, all_: bool = False, out: str | None = None,
              top: int | None = None, course_dir: str | None = None, db: str | None = None) -> Result:
    """Score distributions per module, pass rate per test, the tests most students fail; a table and a PNG."""
    require_nbgrader()
    if not modules and not all_:
        raise UsageError("Name the modules to analyse, or pass --all.", hint="e.g. `tito nbgrader analytics 01`.")
    folder = course_folder(ctx, course_dir)
    assignments = _assignments(ctx, folder, modules, all_)
    top = TOP_FAILING if top is None else top
    if top < 1:
        raise UsageError(f"--top must be at least 1, not {top}.")
    with _open_gradebook(folder, db, ctx.events) as (_, gb):
        students, grades = read_grades(folder, gb, assignments)
        tests = [t for a in assignments for t in _test_rates(gb, a)]
    distributions = []
    for assignment in assignments:
        graded = [g for g in grades if g["assignment"] == assignment and g["status"] not in ("missing", "submitted")]
        distributions.append({"assignment": assignment, "students": len(students), "graded": len(graded),
                              "max_score": next((g["max_score"] for g in grades if g["assignment"] == assignment), 0.0),
                              "distribution": _distribution([g["percent"] for g in graded])})
    failing = sorted((t for t in tests if t["failed"]), key=lambda t: (-t["failed"], t["pass_rate"], t["test"]))[:top]
    if not any(d["graded"] for d in distributions):
        return Result(command="nbgrader.analytics", ok=True,
                      summary=f"Nothing graded yet in {', '.join(assignments)}, so there is nothing to analyse "
                              "(no plot written). Next: `tito nbgrader autograde MODULE`.",
                      data={"course_dir": str(folder), "assignments": distributions, "tests": tests,
                            "most_failed": [], "png": None})
    out_dir = Path(out).expanduser().resolve() if out else folder / "reports"
    if out_dir.exists() and not out_dir.is_dir():
        raise UsageError(f"--out {out_dir} is a file; name a folder for the plot.")
    out_dir.mkdir(parents=True, exist_ok=True)
    png = out_dir / ("analytics.png" if len(assignments) > 1 else f"analytics-{assignments[0]}.png")
    _plot(distributions, tests, png)
    parts = [f"{d['assignment']}: {d['graded']} graded, mean {d['distribution']['mean']:g} %, median "
             f"{d['distribution']['median']:g} %" if d["graded"] else f"{d['assignment']}: none graded"
             for d in distributions]
    hardest = ("; most failed: " + ", ".join(f"{t['test']} ({t['failed']} of {t['graded']})" for t in failing)
               if failing else "; every test passed by everyone graded")
    return Result(command="nbgrader.analytics", ok=True,
                  summary="; ".join(parts) + hardest + f". Plot: {png}.",
                  data={"course_dir": str(folder), "assignments": distributions, "tests": tests,
                        "most_failed": failing, "png": str(png)})
