"""The instructor's views: `tito nbgrader status`, `tito class status`, `tito nbgrader analytics`.

One real nbgrader course with three students: alice (full marks, submitted through nbgrader's exchange and
given her feedback back through it), bob (partial marks on 01, nothing right on 02) and a student on the
roster with an odd Unicode id who submitted nothing. Each view's numbers are checked against what the test
put in. Real nbgrader, real gradebook, real autograde, real matplotlib.
"""

from __future__ import annotations

import csv
import json
import struct
import sys
from pathlib import Path

import pytest

from tito_jupyter import engine
from tito_jupyter.cli import main as cli_main
from tito_jupyter.engine.context import Context

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from course_factory import make_course  # noqa: E402
from test_nbgrader import answer, released_notebook, submit, submit_through_the_exchange  # noqa: E402

#: Grading needs resource limits (Linux, macOS); on Windows autograde says so and stops (test_platform.py).
pytestmark = pytest.mark.posix_only

ZOE = "Zoë 李\u200b\u202eevil"  # accents, CJK, a zero-width space and a right-to-left override


#: The fixture's steps, by command and module: what each printed is checked in the terminal at the end.
STEPS: dict[str, object] = {}


def run(root: Path, command: str, args: dict | None = None):
    return engine.run(command, args or {}, Context(project=root))


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """A course after 01 and 02 were released, submitted, collected and autograded, and 01's feedback returned."""
    from nbgrader.api import Gradebook

    root = make_course(tmp_path_factory.mktemp("course") / "course")
    nbgrader = root / "nbgrader"
    for command, args in (("nbgrader.init", {}), ("nbgrader.generate", {"all_": True}), ("nbgrader.release", {})):
        STEPS[command] = result = run(root, command, args)
        assert result.ok
    with Gradebook(f"sqlite:///{nbgrader}/gradebook.db", "tinytorch") as gb:
        gb.update_or_create_student(ZOE)  # on the roster, never submits
    submit_through_the_exchange(nbgrader, "alice", "01_numbers", "return a + b", tmp_path_factory.mktemp("alice"))
    submit(nbgrader, "bob", "01_numbers", answer(released_notebook(nbgrader, "01_numbers"),
                                                 "return a - b if a < 0 else a + b"))
    doubling = released_notebook(nbgrader, "02_doubling")
    submit(nbgrader, "alice", "02_doubling", answer(doubling, "return 2 * x"))
    submit(nbgrader, "bob", "02_doubling", answer(doubling, "return x"))
    for command, args in (("nbgrader.collect", {"module": "01"}), ("nbgrader.collect", {"module": "02"}),
                          ("nbgrader.autograde", {"module": "01", "timeout": 60}),
                          ("nbgrader.autograde", {"module": "02", "timeout": 60}),
                          ("nbgrader.feedback", {"module": "01", "release_": True})):
        STEPS[f"{command} {args['module']}"] = result = run(root, command, args)
        assert result.ok, f"{command}: {result.summary}"
    return root, nbgrader


# -- tito nbgrader status ---------------------------------------------------------------------------------


def test_status_counts_each_stage_of_each_assignment(graded):
    root, _ = graded
    result = run(root, "nbgrader.status")
    assert result.ok, result.summary
    rows = {r["assignment"]: r for r in result.data["assignments"]}
    numbers, doubling = rows["01_numbers"], rows["02_doubling"]
    assert result.data["students"] == 3
    assert numbers["generated"] and numbers["released"] and numbers["released_at"]
    assert (numbers["collected"], numbers["in_gradebook"], numbers["autograded"], numbers["graded"]) == (2, 2, 2, 2)
    assert (numbers["feedback_written"], numbers["feedback_returned"]) == (2, 1)  # only alice used the exchange
    assert numbers["max_score"] == 3.0 and numbers["first_submission"] <= numbers["last_submission"]
    assert (doubling["collected"], doubling["graded"], doubling["feedback_written"]) == (2, 2, 0)
    assert "01_numbers: released, 2 collected, 2 graded, 2 feedback (1 returned)" in result.summary


# -- tito class status ------------------------------------------------------------------------------------


def test_class_grid_has_the_gradebook_scores_and_states(graded):
    root, _ = graded
    result = run(root, "class.status")
    assert result.ok, result.summary
    data = result.data
    assert data["students"] == sorted(["alice", "bob", ZOE]) and data["assignments"] == ["01_numbers", "02_doubling"]
    grid = {(c["student"], c["assignment"]): (c["state"], c["score"], c["max_score"]) for c in data["cells"]}
    assert grid == {
        ("alice", "01_numbers"): ("feedback_returned", 3.0, 3.0),
        ("bob", "01_numbers"): ("feedback_ready", 2.0, 3.0),
        (ZOE, "01_numbers"): ("not_submitted", 0.0, 3.0),
        ("alice", "02_doubling"): ("graded", 1.0, 1.0),
        ("bob", "02_doubling"): ("graded", 0.0, 1.0),
        (ZOE, "02_doubling"): ("not_submitted", 0.0, 1.0),
    }
    assert data["counts"]["01_numbers"] == {"not_submitted": 1, "submitted": 0, "graded": 0, "feedback_ready": 1,
                                            "feedback_returned": 1}


def test_class_status_says_who_is_stuck_where(graded):
    root, _ = graded
    result = run(root, "class.status")
    stuck = {s["student"]: (s["assignment"], s["reason"]) for s in result.data["stuck"]}
    assert stuck == {"bob": ("02_doubling", "low_score"), ZOE: ("02_doubling", "not_submitted")}
    assert result.data["last_released"] == "02_doubling"
    assert "2 stuck" in result.summary and "scored 0 of 1" in result.summary


def test_class_csv_round_trips_the_grid(graded, tmp_path):
    root, _ = graded
    target = tmp_path / "klasse ü" / "grid.csv"
    target.parent.mkdir()
    result = run(root, "class.status", {"csv_": str(target)})
    assert result.ok and result.data["csv"] == str(target)
    with open(target, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert [(r["student"], r["assignment"], r["state"], float(r["score"]), float(r["max_score"])) for r in rows] == \
        [(c["student"], c["assignment"], c["state"], c["score"], c["max_score"]) for c in result.data["cells"]]
    assert ZOE in {r["student"] for r in rows}  # the odd id comes back byte for byte
    assert not [p for p in target.parent.iterdir() if p.name != "grid.csv"]  # no temporary file left behind


def test_class_status_on_the_command_line_prints_the_grid_and_json(graded, capsys):
    root, _ = graded
    code = cli_main(["--project", str(root), "class", "status"])
    out = capsys.readouterr().out
    assert code == 0
    assert "3/3" in out and "2/3" in out and "alice" in out and "stuck" in out
    # A name cannot reorder or hide the rest of its line: its invisible characters are shown, not obeyed.
    assert "\u202e" not in out and "\u200b" not in out and "Zoë 李\\u200b\\u202eevil" in out
    code = cli_main(["--project", str(root), "--json", "class", "status"])
    document = json.loads(capsys.readouterr().out)
    assert code == 0 and document["command"] == "class.status" and len(document["data"]["cells"]) == 6


# -- tito nbgrader analytics ------------------------------------------------------------------------------


def _png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n" and header[12:16] == b"IHDR", "not a PNG"
    return struct.unpack(">II", header[16:24])


def test_analytics_of_one_module_gives_its_distribution_and_failing_tests(graded, tmp_path):
    root, _ = graded
    result = run(root, "nbgrader.analytics", {"modules": ["01"], "out": str(tmp_path)})
    assert result.ok, result.summary
    [numbers] = result.data["assignments"]
    d = numbers["distribution"]
    assert (numbers["graded"], numbers["students"], d["count"]) == (2, 3, 2)
    assert d["mean"] == pytest.approx((100 + 66.7) / 2, abs=0.01)
    assert d["median"] == pytest.approx(83.35, abs=0.01)
    assert (d["min"], d["max"]) == (66.7, 100.0)
    assert d["q1"] == pytest.approx(66.7 + 0.25 * 33.3, abs=0.01) and d["q3"] == pytest.approx(100 - 0.25 * 33.3,
                                                                                                  abs=0.01)
    assert {b["from"]: b["count"] for b in d["bins"] if b["count"]} == {60.0: 1, 90.0: 1}
    rates = {t["test"]: (t["passed"], t["failed"], t["pass_rate"]) for t in result.data["tests"]}
    assert rates == {"test_unit_add": (2, 0, 1.0), "test_unit_add_negative": (1, 1, 0.5),
                     "tests_test_numbers": (2, 0, 1.0)}
    assert [t["test"] for t in result.data["most_failed"]] == ["test_unit_add_negative"]
    png = Path(result.data["png"])
    assert png.parent == tmp_path and png.name == "analytics-01_numbers.png"
    width, height = _png_size(png)
    assert 400 <= width <= 2000 and 200 <= height <= 2000 and png.stat().st_size > 10_000


def test_analytics_of_all_modules_ranks_the_most_failed_tests(graded, tmp_path):
    root, _ = graded
    result = run(root, "nbgrader.analytics", {"all_": True, "out": str(tmp_path), "top": 1})
    assert result.ok, result.summary
    assert [a["assignment"] for a in result.data["assignments"]] == ["01_numbers", "02_doubling"]
    assert result.data["assignments"][1]["distribution"]["mean"] == 50.0
    [worst] = result.data["most_failed"]
    assert (worst["failed"], worst["graded"]) == (1, 2)
    assert Path(result.data["png"]).name == "analytics.png" and _png_size(Path(result.data["png"]))[1] > 400


def test_analytics_needs_modules_or_all(graded):
    root, _ = graded
    result = run(root, "nbgrader.analytics")
    assert not result.ok and "--all" in result.summary and result.error["exit_code"] == 2


# -- hostile gradebooks -----------------------------------------------------------------------------------


def test_a_gradebook_that_is_not_a_database_is_a_sentence(graded, tmp_path):
    root, _ = graded
    junk = tmp_path / "grades.db"
    junk.write_bytes(b"these are not the grades you are looking for\n" * 100)
    before = junk.read_bytes()
    for command, args in (("class.status", {}), ("nbgrader.status", {}), ("nbgrader.analytics", {"all_": True})):
        result = run(root, command, {**args, "db": f"sqlite:///{junk}"})
        assert not result.ok and result.error["kind"] == "grading_failed", result.summary
        assert "cannot be read as a database" in result.summary and "--db" in result.summary
        assert "Traceback" not in result.summary and "internal" not in result.summary.lower()
    assert junk.read_bytes() == before  # nothing lost


def test_an_empty_gradebook_says_there_is_nothing_yet(graded, tmp_path):
    from nbgrader.api import Gradebook

    root, _ = graded
    db = f"sqlite:///{tmp_path / 'empty.db'}"
    with Gradebook(db, "tinytorch") as gb:
        gb.add_assignment("01_numbers")
    result = run(root, "class.status", {"modules": ["01"], "db": db})
    assert result.ok and result.data["cells"] == [] and "no students yet" in result.summary
    result = run(root, "nbgrader.analytics", {"modules": ["01"], "db": db, "out": str(tmp_path)})
    assert result.ok and result.data["png"] is None and "Nothing graded yet" in result.summary
    assert not list(tmp_path.glob("*.png"))
    result = run(root, "class.status", {"modules": ["02"], "db": db})
    assert not result.ok and "has no assignment 02_doubling" in result.summary


def test_a_folder_where_a_file_belongs_is_a_sentence(graded, tmp_path):
    root, _ = graded
    result = run(root, "class.status", {"csv_": str(tmp_path)})
    assert not result.ok and result.error["exit_code"] == 2 and "is a folder" in result.summary
    (tmp_path / "plots").write_text("not a folder")
    result = run(root, "nbgrader.analytics", {"all_": True, "out": str(tmp_path / "plots")})
    assert not result.ok and result.error["exit_code"] == 2 and "is a file" in result.summary
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plots"]  # nothing half written


# -- what the terminal shows --------------------------------------------------------------------------------


def shown(result) -> list[str]:
    """The lines the terminal shows for ``result`` (cli/render.py's view of its command)."""
    import io

    from rich.console import Console

    from tito_jupyter.cli.render import Renderer

    screen = io.StringIO()
    renderer = Renderer()
    renderer.console = renderer.err = Console(file=screen, force_terminal=False, width=200, color_system=None)
    renderer.finish(result)
    return screen.getvalue().splitlines()


def line_of(lines: list[str], *words: str) -> str:
    (line,) = [line for line in lines if all(word in line for word in words)]
    return line


def test_each_grading_step_shows_its_facts_in_the_terminal(graded):
    generated = shown(STEPS["nbgrader.generate"])
    for a in STEPS["nbgrader.generate"].data["assignments"]:
        assert f"{a['grade_cells']} grade cells, {a['points']} points" in line_of(generated, a["assignment"] + ":")
    assert "builds on 01_numbers" in line_of(generated, "02_doubling:")

    collected = shown(STEPS["nbgrader.collect 01"])
    assert "✓" in line_of(collected, " alice ") and "✓" in line_of(collected, " bob ")

    graded_01 = STEPS["nbgrader.autograde 01"]
    table = shown(graded_01)
    assert table[0].startswith("01_numbers (")
    for s in graded_01.data["submissions"]:
        row = line_of(table, s["student"], s["status"].replace("_", " "))
        assert f"{s['score']:g}/{s['max_score']:g}" in row

    returned = shown(STEPS["nbgrader.feedback 01"])
    for page in STEPS["nbgrader.feedback 01"].data["feedback"]:
        assert page["html"] in line_of(returned, page["student"])


def test_status_report_and_analytics_show_the_gradebooks_numbers_in_the_terminal(graded, tmp_path):
    root, _ = graded
    status = run(root, "nbgrader.status")
    lines = shown(status)
    assert f"({status.data['students']} students in the gradebook)" in lines[0]
    for a in status.data["assignments"]:
        cells = [cell.strip() for cell in line_of(lines, a["assignment"] + " ").split("│") if cell.strip()]
        assert cells[:5] == [a["assignment"], "yes", "yes", str(a["submitted_to_exchange"]), str(a["collected"])]
        assert cells[5:8] == [str(a["graded"]), str(a["feedback_written"]), str(a["feedback_returned"])]

    report = run(root, "nbgrader.report", {"out": str(tmp_path)})
    lines = shown(report)
    for row in report.data["grades"]:
        if row["status"] != "missing":
            assert f"{row['score']:g}/{row['max_score']:g}" in line_of(lines, row["student"] + " ")

    analytics = run(root, "nbgrader.analytics", {"all_": True, "out": str(tmp_path)})
    lines = shown(analytics)
    assert lines[0].startswith("Scores") and any(line.startswith("Tests (grade cells)") for line in lines)
    for i, t in enumerate(analytics.data["most_failed"], 1):
        assert f"failed by {t['failed']} of {t['graded']}" in line_of(lines, f"{i}. {t['test']}")
