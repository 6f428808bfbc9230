"""The nbgrader exchange round trip on the real Hub: every step runs as its own Linux user, from their kernel.

The instructor (in their own server) makes the nbgrader course with ``tito nbgrader init --exchange``, generates
and releases module 01 to a shared exchange folder (mode 1777, as nbgrader expects); each student fetches it with
nbgrader, answers (s1 right, s2 wrong), and submits; the instructor collects, autogrades (tito's grader, through
the command table) and releases feedback; each student fetches their own feedback. Then the students try to read
what is not theirs: another's submission or feedback in the exchange, another's home, the instructor's source.
"""

from __future__ import annotations

import json
import shutil
import stat
import sys
import tempfile
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

import hub_server  # noqa: E402
from kernel_client import open_notebook_kernel, shell  # noqa: E402

# The round trip (the module fixture) runs inside the first test: about 3 minutes here, bounded generously.
pytestmark = pytest.mark.timeout(1800)

ASSIGNMENT = "01_numbers"
COURSE_ID = "tinytorch"  # tito's nbgrader course id (engine/instructor/nbgrader_course.py)
STUB = "# YOUR CODE HERE\n    raise NotImplementedError()"
ANSWERS = {"s1": "return a + b", "s2": "return a - b"}  # s2 gets it wrong: the grades must differ

STUDENT_CONFIG = '''c = get_config()  # noqa: F821
c.Exchange.root = {root!r}
c.CourseDirectory.course_id = {course!r}
'''

ANSWER_CELL = '''import json, pathlib
path = pathlib.Path.home() / {assignment!r} / ({assignment!r} + ".ipynb")
nb = json.loads(path.read_text())
for cell in nb["cells"]:
    source = "".join(cell["source"])
    if {stub!r} in source:
        cell["source"] = source.replace({stub!r}, {code!r})
path.write_text(json.dumps(nb))
'''

PROBE_CELL = '''import json, os
seen = {{}}
for name, path in {paths!r}.items():
    try:
        if os.path.isdir(path):
            os.listdir(path)
        else:
            open(path).read()
        seen[name] = "allowed"
    except PermissionError:
        seen[name] = "refused"
    except FileNotFoundError:
        seen[name] = "missing"
print("TITO-PROBE " + json.dumps(seen))
'''


def tito(kernel, *args: str) -> dict:
    """``tito --json ...`` from the instructor's kernel, in their course; the Result as a dict."""
    done = shell(kernel, ["tito", "--json", *args], cwd=str(kernel.user.course))
    try:
        result = json.loads(done["stdout"])
    except ValueError:
        raise AssertionError(f"tito {' '.join(args)} printed no JSON (exit {done['rc']}):\n"
                             f"stdout: {done['stdout']!r}\nstderr: {done['stderr']}") from None
    assert done["rc"] == 0 and result["ok"], f"tito {' '.join(args)}: {result.get('summary')}\n{done['stderr']}"
    return result


def nbgrader(kernel, *args: str) -> dict:
    done = shell(kernel, ["nbgrader", *args], cwd=str(kernel.user.home))
    assert done["rc"] == 0, f"nbgrader {' '.join(args)} as {kernel.user.name}:\n{done['stdout']}{done['stderr']}"
    return done


def probe(kernel, paths: dict[str, str]) -> dict[str, str]:
    shown, error = kernel.run(PROBE_CELL.format(paths=paths))
    assert error is None, shown
    return json.loads(next(line for line in shown.splitlines() if line.startswith("TITO-PROBE "))[11:])


@pytest.fixture(scope="module")
def term(campus):
    """The whole round trip, once; the tests read what each step left."""
    teacher, students = campus.teacher, {"s1": campus.s1, "s2": campus.s2}
    exchange = Path(tempfile.mkdtemp(prefix="tito-exchange-"))
    exchange.chmod(0o1777)  # every user writes into it; the sticky bit keeps them from removing each other's
    kernels = {}
    steps: dict[str, object] = {"exchange": exchange}
    started = time.monotonic()
    try:
        for role, user in students.items():
            config = user.home / ".jupyter" / "nbgrader_config.py"
            config.parent.mkdir(exist_ok=True)
            config.write_text(STUDENT_CONFIG.format(root=str(exchange), course=COURSE_ID))
            hub_server.give(user, config.parent)
        kernels["teacher"] = open_notebook_kernel(campus.hub, teacher, f"modules/{ASSIGNMENT}/{ASSIGNMENT}.ipynb")
        for role, user in students.items():
            kernels[role] = open_notebook_kernel(campus.hub, user, f"modules/{ASSIGNMENT}/{ASSIGNMENT}.ipynb")

        with campus.time("exchange: init, generate, release"):
            steps["init"] = tito(kernels["teacher"], "nbgrader", "init", "--exchange", str(exchange))
            steps["generate"] = tito(kernels["teacher"], "nbgrader", "generate", ASSIGNMENT)
            steps["release"] = tito(kernels["teacher"], "nbgrader", "release", ASSIGNMENT)
        with campus.time("exchange: two students fetch, answer, submit"):
            for role in students:
                nbgrader(kernels[role], "fetch_assignment", ASSIGNMENT)
                shown, error = kernels[role].run(
                    ANSWER_CELL.format(assignment=ASSIGNMENT, stub=STUB, code=ANSWERS[role]))
                assert error is None, shown
                nbgrader(kernels[role], "submit", ASSIGNMENT)
        with campus.time("exchange: collect"):
            steps["collect"] = tito(kernels["teacher"], "nbgrader", "collect", ASSIGNMENT)
        with campus.time("exchange: autograde"):
            steps["autograde"] = tito(kernels["teacher"], "nbgrader", "autograde", ASSIGNMENT)
        with campus.time("exchange: feedback --release, students fetch it"):
            steps["feedback"] = tito(kernels["teacher"], "nbgrader", "feedback", ASSIGNMENT, "--release")
            for role in students:
                nbgrader(kernels[role], "fetch_feedback", ASSIGNMENT)
        campus.timings["exchange round trip (release to feedback)"] = round(time.monotonic() - started, 2)
        steps["kernels"] = kernels
        yield steps
    finally:
        for kernel in kernels.values():
            kernel.close()
        shutil.rmtree(exchange, ignore_errors=True)


def test_every_step_of_the_round_trip_succeeds(term):
    for name in ("init", "generate", "release", "collect", "autograde", "feedback"):
        assert term[name]["ok"], term[name]["summary"]
    assert term["init"]["data"]["exchange"] == str(term["exchange"])


def test_the_instructor_collects_both_students_from_the_exchange(campus, term):
    submitted = campus.teacher.course / "nbgrader" / "submitted"
    assert sorted(p.name for p in submitted.iterdir()) == sorted([campus.s1.name, campus.s2.name])
    for user in (campus.s1, campus.s2):
        notebook = submitted / user.name / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
        assert notebook.stat().st_uid == campus.teacher.uid  # the instructor's copy, in the instructor's home


def test_each_student_reads_their_own_feedback_with_their_own_grade(campus, term):
    scores = {}
    for role, user in (("s1", campus.s1), ("s2", campus.s2)):
        pages = list((user.home / ASSIGNMENT / "feedback").glob(f"*/{ASSIGNMENT}.html"))
        assert len(pages) == 1, f"{role} fetched {pages}"
        page = pages[0]
        assert page.stat().st_uid == user.uid  # fetched by the student, into their own home
        html = page.read_text()
        assert user.name in html or ASSIGNMENT in html
        other = campus.s2 if role == "s1" else campus.s1
        assert other.name not in html
        scores[role] = html
    # s1 answered right and s2 wrong: the pages say so (nbgrader writes "Score: X / Y").
    import re

    got = {role: re.search(r"Score:\s*([\d.]+)\s*/\s*([\d.]+)", html).groups() for role, html in scores.items()}
    assert float(got["s1"][0]) == float(got["s1"][1]) > 0, got
    assert float(got["s2"][0]) < float(got["s2"][1]), got


def test_a_student_cannot_read_anothers_submission_or_feedback_or_the_instructors_source(campus, term):
    exchange = term["exchange"]
    course = exchange / COURSE_ID
    inbound_names = sorted(p.name for p in (course / "inbound").iterdir())
    assert len(inbound_names) == 2 and all("+" in name for name in inbound_names)  # student+assignment+time+random
    assert not (course / "inbound").stat().st_mode & stat.S_IROTH  # nobody but the instructor lists it
    seen = probe(term["kernels"]["s2"], {
        "exchange inbound (to find s1's submission)": str(course / "inbound"),
        "exchange feedback (to find s1's feedback)": str(course / "feedback"),
        "s1's home": str(campus.s1.home),
        "s1's fetched assignment": str(campus.s1.home / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"),
        "the instructor's home": str(campus.teacher.home),
        "the instructor's source notebook": str(
            campus.teacher.course / "nbgrader" / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"),
        "the instructor's gradebook": str(campus.teacher.course / "nbgrader" / "gradebook.db"),
        "the instructor's collected submissions": str(campus.teacher.course / "nbgrader" / "submitted"),
    })
    assert set(seen.values()) == {"refused"}, seen
    # What is meant for every student stays readable: the released assignment.
    assert probe(term["kernels"]["s2"], {"released": str(course / "outbound" / ASSIGNMENT)}) == {"released": "allowed"}


def test_the_released_assignment_holds_no_solution(term):
    released = term["exchange"] / COURSE_ID / "outbound" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    text = released.read_text()
    assert "NotImplementedError" in text and "return a + b" not in text and "BEGIN SOLUTION" not in text
