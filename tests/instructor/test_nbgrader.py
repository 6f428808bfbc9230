"""`tito nbgrader ...`: a real nbgrader course, graded by the module's tests.

One course is taken through the whole term once (init with a gradebook URL of our choosing, generate,
release to the exchange, a student fetching and submitting through nbgrader, submissions dropped into
``submitted/`` and imported from a folder, collect, autograde, feedback, report); the tests then read
what each step left behind. Real nbgrader, real nbdev, real pytest.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tito_jupyter import engine
from tito_jupyter.engine.context import Context

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests"))

from course_factory import make_course  # noqa: E402
from grading_factory import answer, released_notebook, submit  # noqa: E402
from openapi_contract import check_result_data  # noqa: E402

#: Grading needs resource limits (Linux, macOS); on Windows autograde says so and stops (test_platform.py).
pytestmark = pytest.mark.posix_only


def run(root: Path, command: str, args: dict | None = None):
    return engine.run(command, args or {}, Context(project=root))


def submit_through_the_exchange(nbgrader: Path, student: str, assignment: str, code: str, home: Path) -> None:
    """What a student does with nbgrader: fetch the assignment, answer, submit."""
    from nbgrader.auth import Authenticator
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.exchange.default import ExchangeFetchAssignment, ExchangeSubmit
    from traitlets.config import Config

    config = Config()
    config.CourseDirectory.course_id = "tinytorch"
    config.CourseDirectory.assignment_id = assignment
    config.CourseDirectory.student_id = student
    config.Exchange.root = str(nbgrader / "exchange")
    config.Exchange.assignment_dir = str(home)
    config.Exchange.cache = str(home / ".nbgrader-cache")
    coursedir = CourseDirectory(config=config)
    auth = Authenticator(config=config)
    ExchangeFetchAssignment(coursedir=coursedir, authenticator=auth, config=config).start()
    notebook = home / assignment / f"{assignment}.ipynb"
    notebook.write_text(json.dumps(answer(json.loads(notebook.read_text()), code)))
    ExchangeSubmit(coursedir=coursedir, authenticator=auth, config=config).start()


@pytest.fixture(scope="module")
def term(tmp_path_factory):
    """One course through a whole term; every step's result kept for the tests."""
    root = make_course(tmp_path_factory.mktemp("course") / "course")
    nbgrader = root / "nbgrader"
    db = f"sqlite:///{tmp_path_factory.mktemp('db') / 'grades.sqlite'}"
    steps = {"init": run(root, "nbgrader.init", {"db": db})}
    steps["generate"] = run(root, "nbgrader.generate", {"all_": True})
    steps["release"] = run(root, "nbgrader.release", {})
    handed_out = released_notebook(nbgrader, "01_numbers")
    submit_through_the_exchange(nbgrader, "dora", "01_numbers", "return a + b", tmp_path_factory.mktemp("dora"))
    submit(nbgrader, "alice", "01_numbers", answer(handed_out, "return a + b"))
    submit(nbgrader, "bob", "01_numbers", answer(handed_out, "return a - b if a < 0 else a + b"))
    lms = tmp_path_factory.mktemp("lms")
    (lms / "carl.ipynb").write_text(json.dumps(answer(handed_out, "return b + a")))
    steps["collect"] = run(root, "nbgrader.collect", {"module": "01", "from_": str(lms)})
    submit(nbgrader, "alice", "02_doubling", answer(released_notebook(nbgrader, "02_doubling"), "return 2 * x"))
    steps["collect_02"] = run(root, "nbgrader.collect", {"module": "02"})
    steps["autograde"] = run(root, "nbgrader.autograde", {"module": "01", "workers": 2, "timeout": 60})
    steps["autograde_02"] = run(root, "nbgrader.autograde", {"module": "02_doubling"})
    steps["feedback"] = run(root, "nbgrader.feedback", {"module": "01", "release_": True})
    steps["report"] = run(root, "nbgrader.report", {})
    return root, nbgrader, db, steps


def test_every_step_succeeds(term):
    *_, steps = term
    for name, result in steps.items():
        assert result.ok, f"{name}: {result.summary}"


def test_init_writes_an_nbgrader_config_with_the_chosen_gradebook(term):
    _, nbgrader, db, steps = term
    assert steps["init"].data["db_url"] == db
    config = (nbgrader / "nbgrader_config.py").read_text()
    assert db in config and "c.Exchange.root" in config
    assert Path(db.removeprefix("sqlite:///")).is_file()
    assert "gradebook.db" in (nbgrader / ".gitignore").read_text()


def test_generate_makes_the_module_tests_the_grade(term):
    _, nbgrader, db, steps = term
    rows = {a["assignment"]: a for a in steps["generate"].data["assignments"]}
    assert rows["01_numbers"]["points"] == 3  # two inline tests and one test in tests/modules
    assert rows["02_doubling"]["points"] == 1 and rows["02_doubling"]["prerequisites"] == ["01_numbers"]
    source = json.loads((nbgrader / "source/01_numbers/01_numbers.ipynb").read_text())
    meta = [c["metadata"].get("nbgrader") for c in source["cells"]]
    grades = {m["grade_id"]: m["points"] for m in meta if m and m["grade"]}
    assert grades == {"test_unit_add": 1, "test_unit_add_negative": 1, "tests_test_numbers": 1}
    assert [m["grade_id"] for m in meta if m and m["solution"]] == ["solution_4"]
    from nbgrader.api import Gradebook

    with Gradebook(db) as gb:
        assert gb.find_assignment("01_numbers").max_score == 3


def test_the_released_assignment_has_no_solution_and_ships_its_tests(term):
    *_, steps = term
    exchange = Path(steps["release"].data["assignments"][0]["exchange"])
    assert sorted(steps["release"].data["assignments"][0]["files"]) == ["01_numbers.ipynb", "tests/test_numbers.py"]
    text = (exchange / "01_numbers.ipynb").read_text()
    assert "return a + b" not in text and "raise NotImplementedError()" in text


def test_collect_gathers_the_exchange_a_folder_and_submitted(term):
    *_, steps = term
    origins = {s["student"]: s["from"] for s in steps["collect"].data["submissions"]}
    assert origins == {"alice": "submitted", "bob": "submitted", "carl": "folder", "dora": "exchange"}
    assert all(s["notebook"] for s in steps["collect"].data["submissions"])


def test_autograde_scores_each_submission_by_the_module_tests(term):
    *_, steps = term
    check_result_data(steps["autograde"].to_dict(), "autograde")  # the data openapi.json documents for it
    graded = {s["student"]: s for s in steps["autograde"].data["submissions"]}
    assert {s: (r["status"], r["score"]) for s, r in graded.items()} == {
        "alice": ("graded", 3.0), "bob": ("graded", 2.0), "carl": ("graded", 3.0), "dora": ("graded", 3.0)}
    bob = {c["grade_id"]: c["score"] for c in graded["bob"]["grade_cells"]}
    assert bob == {"test_unit_add": 1.0, "test_unit_add_negative": 0.0, "tests_test_numbers": 1.0}
    assert steps["autograde"].data["workers"] == 2


def test_a_module_is_graded_on_its_own_code_with_the_reference_prerequisites(term):
    *_, steps = term
    [alice] = steps["autograde_02"].data["submissions"]
    assert (alice["status"], alice["score"], alice["max_score"]) == ("graded", 1.0, 1.0)


def test_the_gradebook_holds_the_grades(term):
    _, _, db, _ = term
    from nbgrader.api import Gradebook

    with Gradebook(db) as gb:
        scores = {s.student.id: s.score for s in gb.assignment_submissions("01_numbers")}
    assert scores == {"alice": 3.0, "bob": 2.0, "carl": 3.0, "dora": 3.0}


def test_feedback_is_nbgrader_html_with_the_score(term):
    *_, steps = term
    pages = {p["student"]: Path(p["html"]) for p in steps["feedback"].data["feedback"]}
    assert sorted(pages) == ["alice", "bob", "carl", "dora"]
    html = pages["bob"].read_text()
    assert "2.0" in html and "3.0" in html and "test_unit_add_negative" in html


def test_feedback_goes_back_through_the_exchange_to_who_submitted_through_it(term):
    _, nbgrader, _, steps = term
    assert steps["feedback"].data["released"] == ["dora"]
    returned = list((nbgrader / "exchange/tinytorch/feedback").glob("*.html"))  # filed under a hash of the secret
    assert len(returned) == 1


def test_report_writes_csv_and_json_from_the_gradebook(term):
    *_, steps = term
    data = steps["report"].data
    with open(data["csv"], newline="") as f:
        rows = list(csv.DictReader(f))
    by_key = {(r["assignment"], r["student"]): r for r in rows}
    assert len(rows) == 8  # four students, two assignments
    assert (by_key[("01_numbers", "bob")]["score"], by_key[("01_numbers", "bob")]["percent"]) == ("2.0", "66.7")
    assert by_key[("02_doubling", "alice")]["status"] == "graded"
    assert by_key[("02_doubling", "bob")]["status"] == "missing"
    document = json.loads(Path(data["json"]).read_text())
    summary = {a["assignment"]: a for a in document["assignments"]}
    assert summary["01_numbers"]["mean_score"] == pytest.approx((3 + 2 + 3 + 3) / 4)
    assert summary["01_numbers"]["submitted"] == 4 and summary["02_doubling"]["submitted"] == 1


# -- a batch with bad submissions --------------------------------------------------------------------------


def test_bad_submissions_are_reported_and_never_stop_the_batch(tmp_path):
    root = make_course(tmp_path / "course")
    nbgrader = root / "nbgrader"
    assert run(root, "nbgrader.init").ok
    assert run(root, "nbgrader.generate", {"modules": ["01"]}).ok
    handed_out = released_notebook(nbgrader, "01_numbers")
    submit(nbgrader, "good", "01_numbers", answer(handed_out, "return a + b"))
    submit(nbgrader, "loops", "01_numbers", answer(handed_out, "while True:\n        pass"))
    submit(nbgrader, "typo", "01_numbers", answer(handed_out, "return a +* b"))
    deleted = answer(handed_out, "return a + b")
    deleted["cells"] = [c for c in deleted["cells"]
                        if c["metadata"].get("nbgrader", {}).get("grade_id") not in ("default_exp", "test_unit_add")]
    submit(nbgrader, "deleter", "01_numbers", deleted)
    tampered = answer(handed_out, "return -1")
    for cell in tampered["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("grade_id") == "test_unit_add":
            cell["source"] = "def test_unit_add():\n    pass\n"
    submit(nbgrader, "tamperer", "01_numbers", tampered)
    submit(nbgrader, "corrupt", "01_numbers", "{this is not json")
    (nbgrader / "submitted/empty/01_numbers").mkdir(parents=True)

    started = time.monotonic()
    result = run(root, "nbgrader.autograde", {"module": "01", "workers": 2, "timeout": 10})
    elapsed = time.monotonic() - started
    assert result.ok, result.summary
    check_result_data(result.to_dict(), "the hostile batch")  # every status's record fits openapi.json's shape
    graded = {s["student"]: s for s in result.data["submissions"]}
    assert {s: (r["status"], r["score"]) for s, r in graded.items()} == {
        "good": ("graded", 3.0),
        "loops": ("timed_out", 0.0),
        "typo": ("graded", 0.0),
        "deleter": ("graded", 3.0),  # locked cells come back; the code was all there
        "tamperer": ("graded", 0.0),  # the instructor's tests run, not the student's edit
        "corrupt": ("unreadable", 0.0),
        "empty": ("missing_notebook", 0.0),
    }
    assert "syntax error" in graded["typo"]["message"]
    assert graded["deleter"]["deleted_cells"] == ["default_exp", "test_unit_add"]
    assert "infinite loop" in graded["loops"]["message"]
    assert result.data["by_status"] == {"graded": 4, "timed_out": 1, "unreadable": 1, "missing_notebook": 1}
    assert elapsed < 60, f"the batch took {elapsed:.1f} s"  # the loop's 10 s, and the rest two at a time
    # Feedback still works for every one of them, the unreadable one included.
    feedback = run(root, "nbgrader.feedback", {"module": "01"})
    assert feedback.ok, feedback.summary
    assert len(feedback.data["feedback"]) == 7


def test_nbgraders_own_autograde_gives_the_same_grades(tmp_path):
    """The autograder cells make nbgrader's own `autograde` grade the module tests too."""
    root = make_course(tmp_path / "course")
    nbgrader = root / "nbgrader"
    assert run(root, "nbgrader.init").ok
    assert run(root, "nbgrader.generate", {"modules": ["01"]}).ok
    handed_out = released_notebook(nbgrader, "01_numbers")
    submit(nbgrader, "alice", "01_numbers", answer(handed_out, "return a + b"))
    submit(nbgrader, "bob", "01_numbers", answer(handed_out, "return a - b if a < 0 else a + b"))
    ours = run(root, "nbgrader.autograde", {"module": "01"})
    tito_scores = {s["student"]: s["score"] for s in ours.data["submissions"]}

    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    shutil.rmtree(nbgrader / "autograded")
    subprocess.run([str(Path(sys.executable).parent / "nbgrader"), "autograde", "01_numbers", "--force"],
                   cwd=nbgrader, env=env, check=True, capture_output=True)
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{nbgrader}/gradebook.db") as gb:
        theirs = {s.student.id: s.score for s in gb.assignment_submissions("01_numbers")}
    assert tito_scores == theirs == {"alice": 3.0, "bob": 2.0}


def test_tests_that_read_the_course_data_find_it_in_the_assignment_and_when_graded(tmp_path):
    """Part 3's tests read milestones/data (the digits) by looking upwards from their file: nbgrader's source, the
    released assignment and tito's grading folder must hold it at the same place."""
    root = make_course(tmp_path / "course")
    (root / "milestones/data").mkdir(parents=True)
    (root / "milestones/data/sums.txt").write_text("2 3 5\n-1 1 0\n")
    (root / "tests/modules/01_numbers/test_data.py").write_text(
        "from pathlib import Path\n\nfrom tinytorch.core.numbers import add\n\n\n"
        "def data(name):\n"
        "    for folder in Path(__file__).resolve().parents:\n"
        "        if (folder / 'milestones' / 'data' / name).is_file():\n"
        "            return (folder / 'milestones' / 'data' / name).read_text()\n"
        "    raise FileNotFoundError(name)\n\n\n"
        "def test_add_the_course_data():\n"
        "    for line in data('sums.txt').splitlines():\n"
        "        a, b, total = map(int, line.split())\n"
        "        assert add(a, b) == total\n")
    nbgrader = root / "nbgrader"
    assert run(root, "nbgrader.init").ok
    assert run(root, "nbgrader.generate", {"modules": ["01"]}).ok
    assert (nbgrader / "source/01_numbers/milestones/data/sums.txt").read_text().startswith("2 3 5")
    assert (nbgrader / "release/01_numbers/milestones/data/sums.txt").is_file()
    submit(nbgrader, "ada", "01_numbers", answer(released_notebook(nbgrader, "01_numbers"), "return a + b"))
    result = run(root, "nbgrader.autograde", {"module": "01", "timeout": 60})
    assert result.ok, result.summary
    [ada] = result.data["submissions"]
    cells = {c["grade_id"]: c["score"] for c in ada["grade_cells"]}
    assert cells["tests_test_data"] == 1.0, ada
    assert ada["score"] == ada["max_score"] == 4.0
