"""Grades as the gradebook has them: ``tito nbgrader report`` and the one reader of grades.

:func:`read_grades` is the one place grades are read: the report, the class view and the analytics all take
their numbers there.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from ...errors import UsageError
from .. import files
from ..context import Context
from ..results import Result
from .nbgrader_course import (assignment_ids, course_folder, gradebook, nbgrader_api, require_nbgrader,
                              results_folder, timestamp_now)

# -- report -----------------------------------------------------------------------------------------------

REPORT_COLUMNS = ("assignment", "student", "status", "score", "max_score", "percent", "tests_passed",
                  "tests_total", "timestamp", "seconds_late", "message")


def report(ctx: Context, modules: list[str] | None = None, out: str | None = None, course_dir: str | None = None,
           db: str | None = None) -> Result:
    """Every student's grade on every assignment, from the gradebook, as CSV and JSON."""
    require_nbgrader()
    folder = course_folder(ctx, course_dir)
    assignments = assignment_ids(ctx, folder, modules)
    api = nbgrader_api(folder, db, ctx.events)
    with gradebook(api) as gb:
        students, rows = read_grades(folder, gb, assignments)
    out_dir = Path(out).expanduser().resolve() if out else folder / "reports"
    out_dir.mkdir(parents=True, exist_ok=True)
    csv_path, json_path = out_dir / "grades.csv", out_dir / "grades.json"
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=REPORT_COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    files.atomic_write_text(csv_path, buffer.getvalue())
    summary_by_assignment = []
    for assignment in assignments:
        mine = [r for r in rows if r["assignment"] == assignment]
        submitted = [r for r in mine if r["status"] != "missing"]
        mean = sum(r["score"] for r in submitted) / len(submitted) if submitted else 0.0
        summary_by_assignment.append({"assignment": assignment, "students": len(mine), "submitted": len(submitted),
                                      "mean_score": round(mean, 3),
                                      "max_score": mine[0]["max_score"] if mine else 0.0})
    document = {"course_dir": str(folder), "generated": timestamp_now(), "assignments": summary_by_assignment,
                "grades": rows}
    files.atomic_write_json(json_path, document)
    parts = [f"{a['assignment']}: {a['submitted']}/{a['students']} submitted, mean {a['mean_score']:g} of "
             f"{a['max_score']:g}" for a in summary_by_assignment]
    return Result(command="nbgrader.report", ok=True,
                  summary=f"Grades of {len(students)} student(s) written to {csv_path} and {json_path}. "
                          + "; ".join(parts) + ".",
                  data={"csv": str(csv_path), "json": str(json_path), "assignments": summary_by_assignment,
                        "grades": rows})


def read_grades(folder: Path, gb, assignments: list[str]) -> tuple[list[str], list[dict]]:
    """Every student's grade on each assignment, as the gradebook has it: (students, one row per pair).

    The one place grades are read: ``report``, the class view and the analytics all take their numbers here.
    """
    from nbgrader.api import MissingEntry

    rows: list[dict] = []
    students = sorted(s.id for s in gb.students)
    for assignment in assignments:
        try:
            max_score = float(gb.find_assignment(assignment).max_score)
        except MissingEntry:
            raise UsageError(f"The gradebook has no assignment {assignment}.",
                             hint=f"Run `tito nbgrader generate {assignment}`.") from None
        for student in students:
            record = _read_result(folder, assignment, student)
            row = {"assignment": assignment, "student": student, "max_score": max_score}
            try:
                submission = gb.find_submission(assignment, student)
            except MissingEntry:
                row.update(status="missing", score=0.0, timestamp=None, seconds_late=0.0,
                           message="no submission")
            else:
                autograded = any(grade.auto_score is not None for notebook in submission.notebooks
                                 for grade in notebook.grades)
                row.update(
                    status=(record or {}).get("status", "graded" if autograded else "submitted"),
                    score=float(submission.score or 0.0),
                    timestamp=submission.timestamp.isoformat() if submission.timestamp else None,
                    seconds_late=float(submission.total_seconds_late or 0.0),
                    message=(record or {}).get("message", ""),
                    needs_manual_grade=bool(submission.needs_manual_grade),
                )
            row["percent"] = round(100.0 * row["score"] / max_score, 1) if max_score else 0.0
            row["tests_passed"] = (record or {}).get("tests_passed")
            row["tests_total"] = (record or {}).get("tests_total")
            if record:
                row["grade_cells"] = record.get("grade_cells", [])
            rows.append(row)
    return students, rows


def _read_result(folder: Path, assignment: str, student: str) -> dict | None:
    try:
        return json.loads((results_folder(folder, assignment) / f"{student}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
