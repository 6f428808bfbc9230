"""tito's autograder: many submissions in parallel, each graded by the module's tests with a timeout.

For each submission in ``submitted/<student>/<assignment>/`` of the nbgrader course:

1. the notebook is made gradable the way nbgrader would: locked cells (``#| default_exp``, the tests) get
   their original source back, deleted ones are put back, and an exported cell that does not compile is
   left out of the export (and reported) instead of failing the whole module;
2. it is exported with the engine's export into a scratch course that holds the reference versions of the
   modules it builds on (so module 02 is graded on the student's module 02 alone);
3. the module's tests run on it with the engine's test runner (a pytest subprocess, killed at the timeout):
   the inline tests of the *instructor's* notebook (a student cannot weaken them) and ``tests/modules``;
4. each grade cell of the nbgrader notebook gets one point per test of it that passed; the scores go into
   nbgrader's gradebook, the autograded notebook (with each test cell's results as its output) into
   ``autograded/`` for nbgrader's feedback, and a record into ``tito/<assignment>/results/<student>.json``.

Steps 1–3 run in a pool of worker threads, each waiting on its own pytest process, so ``--workers 2`` grades
two submissions at once. A submission that loops forever, does not parse, or lost its cells is graded as far
as it goes and reported; it never stops the batch. The gradebook is written from one thread only.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import threading
import time
from concurrent.futures import as_completed
from pathlib import Path

from ..course import MODULE_TESTS_DIR, MODULES_DIR, PACKAGE, Course
from ..errors import TitoError, UsageError
from ..notebooks import cell_source
from . import export as export_mod
from . import files, processes, testing
from .context import Context
from .grading import (TESTS_FOLDER, TITO_FOLDER, _assignment_ids, _require_nbgrader, course_folder, gradebook,
                      nbgrader_api, read_plan, results_folder)
from .results import Result

DEFAULT_WORKERS = 2
DEFAULT_TIMEOUT = 120.0
_EXPORT_LOCK = threading.Lock()  # export redirects stdout and warnings while nbdev runs: one at a time
_SOURCE_LABEL = ".tito/grading"


@dataclasses.dataclass
class Submission:
    student: str
    folder: Path  # submitted/<student>/<assignment>


# -- making a submission gradable -------------------------------------------------------------------------


def _grade_id(cell: dict) -> str | None:
    return ((cell.get("metadata") or {}).get("nbgrader") or {}).get("grade_id")


def _directive_lines(source: str) -> list[str]:
    lines = []
    for line in source.splitlines():
        if line.strip().startswith("#|") or (not line.strip() and not lines):
            lines.append(line)
        else:
            break
    return lines


def sanitise(submitted: dict, source: dict, plan: dict) -> tuple[dict, list[str], list[str]]:
    """The submission with its locked cells as the instructor wrote them; (notebook, deleted cells, notes)."""
    originals = {_grade_id(c): c for c in source["cells"] if _grade_id(c)}
    order = [_grade_id(c) for c in source["cells"] if _grade_id(c)]
    kept = []
    for cell in (c for c in submitted.get("cells", []) if isinstance(c, dict)):
        grade_id = _grade_id(cell)
        if grade_id and any(_grade_id(k) == grade_id for k in kept):
            continue  # a duplicated nbgrader cell: the first one counts
        kept.append(json.loads(json.dumps(originals[grade_id])) if grade_id in plan["locked_cells"] else cell)
    present = {_grade_id(c) for c in kept if _grade_id(c)}
    deleted = [g for g in order if g not in present]
    for grade_id in deleted:
        if grade_id not in plan["locked_cells"]:
            continue  # a deleted solution cell stays deleted: its code is missing, and the tests will say so
        position = 0  # after the nearest cell that comes before it in the instructor's notebook
        for earlier in reversed(order[: order.index(grade_id)]):
            if earlier in present:
                position = next(i for i, c in enumerate(kept) if _grade_id(c) == earlier) + 1
                break
        kept.insert(position, json.loads(json.dumps(originals[grade_id])))
        present.add(grade_id)
    notes = []
    for index, cell in enumerate(kept, start=1):
        if cell.get("cell_type") != "code":
            continue
        text = cell_source(cell)
        directives = "".join(_directive_lines(text)).replace(" ", "")
        if "#|export" not in directives:
            continue
        code = "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in text.splitlines())
        try:
            compile(code, f"cell {index}", "exec")
        except SyntaxError as exc:
            notes.append(f"cell {index} has a syntax error (line {exc.lineno}: {exc.msg}) and was left out")
            cell["source"] = "\n".join(_directive_lines(text) + [f"# left out by the autograder: {exc.msg}"])
    graded = {**submitted, "cells": kept}
    graded.setdefault("metadata", source.get("metadata", {}))
    graded.setdefault("nbformat", 4)
    graded.setdefault("nbformat_minor", 5)
    return graded, deleted, notes


# -- grading one submission -------------------------------------------------------------------------------


def _test_key(test_id: str, inline_label: str) -> str:
    path, _, rest = test_id.partition("::")
    base = rest.split("[", 1)[0]
    if path == inline_label:
        return f"inline::{base}"
    return f"{Path(path).name}::{base}" if rest else Path(path).name


def _score(plan: dict, tests: list[dict], inline_label: str) -> list[dict]:
    """Per grade cell: the points earned, one per test function of the cell that passed."""
    outcomes: dict[str, list[str]] = {}
    messages: dict[str, str] = {}
    broken_files = set()
    for test in tests:
        key = _test_key(test["id"], inline_label)
        if "::" not in key:
            broken_files.add(key)  # the file could not be collected: every test in it fails
            messages.setdefault(key, test.get("message") or "")
            continue
        outcomes.setdefault(key, []).append(test["outcome"])
        if test["outcome"] in ("failed", "error"):
            messages.setdefault(key, test.get("message") or "")
    passed = {key: bool(states) and all(s in ("passed", "skipped") for s in states) for key, states in outcomes.items()}
    cells = []
    for cell in plan["grade_cells"]:
        results = []
        for key in cell["tests"]:
            file = key.split("::", 1)[0]
            ok = passed.get(key, False) and file not in broken_files
            why = "" if ok else (messages.get(key) or messages.get(file)
                                 or ("did not run" if key not in outcomes else "failed"))
            results.append({"test": key, "passed": ok, "message": why})
        earned = float(sum(1 for r in results if r["passed"]))
        cells.append({"grade_id": cell["grade_id"], "points": float(cell["points"]), "score": earned,
                      "tests": results})
    return cells


def grade_one(folder: Path, assignment: str, plan: dict, source_nb: dict, submission: Submission,
              timeout: float) -> dict:
    """Grade one submission; never raises for anything a student can do."""
    started = time.monotonic()
    record: dict = {"student": submission.student, "assignment": assignment, "status": "graded", "notes": [],
                    "deleted_cells": [], "message": ""}
    notebook_path = submission.folder / f"{plan['notebook']}.ipynb"
    zero_cells = [{"grade_id": c["grade_id"], "points": float(c["points"]), "score": 0.0,
                   "tests": [{"test": t, "passed": False, "message": "not graded"} for t in c["tests"]]}
                  for c in plan["grade_cells"]]
    record["grade_cells"] = zero_cells
    if not notebook_path.is_file():
        record.update(status="missing_notebook", message=f"no {notebook_path.name} in the submission")
        return _finish(record, started)
    try:
        submitted = json.loads(notebook_path.read_text(encoding="utf-8"))
        if not isinstance(submitted, dict) or not isinstance(submitted.get("cells"), list):
            raise ValueError("no list of cells")
    except (ValueError, UnicodeDecodeError) as exc:
        record.update(status="unreadable", message=f"{notebook_path.name} is not a notebook ({exc})")
        return _finish(record, started)

    graded_nb, deleted, notes = sanitise(submitted, source_nb, plan)
    record["deleted_cells"] = deleted
    record["notes"] = notes + ([f"deleted cells: {', '.join(deleted)}"] if deleted else [])
    record["notebook"] = graded_nb

    work = folder / TITO_FOLDER / assignment / "work" / submission.student
    shutil.rmtree(work, ignore_errors=True)
    module_dir = work / MODULES_DIR / assignment
    module_dir.mkdir(parents=True)
    files.atomic_write_text(module_dir / f"{assignment}.ipynb", json.dumps(graded_nb))
    tests_dir = work / MODULE_TESTS_DIR / assignment
    shutil.copytree(folder / "source" / assignment / TESTS_FOLDER, tests_dir)
    prerequisites = folder / TITO_FOLDER / assignment / "prerequisites" / PACKAGE
    if prerequisites.is_dir():
        shutil.copytree(prerequisites, work / PACKAGE)
    (work / PACKAGE).mkdir(exist_ok=True)
    (work / PACKAGE / "__init__.py").touch()
    # The inline tests come from the instructor's notebook, whatever the student did to theirs.
    reference = work / _SOURCE_LABEL / f"{assignment}.ipynb"
    files.atomic_write_text(reference, json.dumps(source_nb))

    course = Course.load(work)
    module = course.module(assignment)
    with _EXPORT_LOCK:
        exported = export_mod.export_modules(course, [module])
    if not exported.ok:
        record["notes"].append(f"export failed: {exported.summary}")
    inline = tuple(key.split("::", 1)[1] for cell in plan["grade_cells"] if cell["kind"] == "inline"
                   for key in cell["tests"])
    tested_module = dataclasses.replace(module, notebook=reference, inline_tests=inline)
    paths, labels, _ = testing.module_test_plan(course, tested_module)
    run = testing.run_pytest(course, paths, timeout=timeout, labels=labels,
                             extra_args=["--continue-on-collection-errors"])
    inline_label = reference.relative_to(work).as_posix()
    cells = _score(plan, run["tests"], inline_label)
    record["grade_cells"] = cells
    record["tests_total"] = sum(len(c["tests"]) for c in plan["grade_cells"])
    record["tests_passed"] = sum(1 for c in cells for t in c["tests"] if t["passed"])
    if run["timed_out"]:
        record["status"] = "timed_out"
        record["message"] = (f"stopped after {timeout:g} s (an infinite loop?); "
                             f"{record['tests_passed']} test(s) had passed by then")
    else:
        record["message"] = f"{record['tests_passed']} of {record['tests_total']} tests pass"
    if record["notes"]:
        record["message"] += "; " + "; ".join(record["notes"])
    shutil.rmtree(work, ignore_errors=True)
    return _finish(record, started)


def _finish(record: dict, started: float) -> dict:
    record["score"] = sum(c["score"] for c in record["grade_cells"])
    record["max_score"] = sum(c["points"] for c in record["grade_cells"])
    record.setdefault("tests_total", sum(len(c["tests"]) for c in record["grade_cells"]))
    record.setdefault("tests_passed", 0)
    record["seconds"] = round(time.monotonic() - started, 3)
    return record


# -- writing results --------------------------------------------------------------------------------------


def _outputs_for(cell_result: dict, kind: str) -> list[dict]:
    lines = [f"{'✓' if t['passed'] else '✗'} {t['test'].split('::', 1)[-1]}"
             + ("" if t["passed"] else f": {t['message'].splitlines()[0][:200] if t['message'] else 'failed'}")
             for t in cell_result["tests"]]
    outputs = [{"output_type": "stream", "name": "stdout", "text": "\n".join(lines) + "\n"}]
    earned = cell_result["score"]
    if kind == "file":  # the cell's value is its partial credit, as when nbgrader runs it
        outputs.append({"output_type": "execute_result", "execution_count": None, "metadata": {},
                        "data": {"text/plain": f"{earned:g}"}})
    elif earned < cell_result["points"]:
        failed = next(t for t in cell_result["tests"] if not t["passed"])
        outputs.append({"output_type": "error", "ename": "TestFailed", "evalue": failed["message"] or "failed",
                        "traceback": [f"{failed['test']}: {failed['message'] or 'failed'}"]})
    return outputs


def _write_autograded(folder: Path, assignment: str, plan: dict, submission: Submission, record: dict,
                      release_nb: dict) -> None:
    """The notebook nbgrader's feedback reads: the graded cells, each test cell showing its results."""
    dest = folder / "autograded" / submission.student / assignment
    shutil.rmtree(dest, ignore_errors=True)
    shutil.copytree(submission.folder, dest, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    nb = record.pop("notebook", None)
    if nb is None:  # unreadable or missing: the handed-out notebook carries the feedback instead
        nb = json.loads(json.dumps(release_nb))
    if record["status"] != "graded" or record["notes"]:
        note = f"**Autograder:** {record['message']}."
        nb["cells"].insert(0, {"cell_type": "markdown", "id": "tito-autograder-note", "metadata": {}, "source": note})
    kinds = {c["grade_id"]: c["kind"] for c in plan["grade_cells"]}
    results = {c["grade_id"]: c for c in record["grade_cells"]}
    for cell in nb["cells"]:
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
            grade_id = _grade_id(cell)
            if grade_id in results:
                cell["outputs"] = _outputs_for(results[grade_id], kinds[grade_id])
    files.atomic_write_text(dest / f"{plan['notebook']}.ipynb", json.dumps(nb, indent=1, ensure_ascii=False))


def _record_grades(gb, assignment: str, plan: dict, submission: Submission, record: dict, release_nb: dict) -> None:
    import warnings

    with warnings.catch_warnings():
        # nbgrader's add_submission trips SQLAlchemy 2's autoflush warning; the rows are written all the same.
        warnings.simplefilter("ignore")
        _write_grades(gb, assignment, plan, submission, record, release_nb)


def _write_grades(gb, assignment: str, plan: dict, submission: Submission, record: dict, release_nb: dict) -> None:
    gb.update_or_create_student(submission.student)
    stamp = submission.folder / "timestamp.txt"
    timestamp = stamp.read_text().strip() if stamp.is_file() else ""
    sub = gb.update_or_create_submission(assignment, submission.student,
                                         **({"timestamp": timestamp} if timestamp else {}))
    for cell in record["grade_cells"]:
        grade = gb.find_grade(cell["grade_id"], plan["notebook"], assignment, submission.student)
        grade.auto_score = cell["score"]
        grade.needs_manual_grade = grade.manual_score is not None
    handed_out = {_grade_id(c): cell_source(c) for c in release_nb.get("cells", []) if _grade_id(c)}
    answered = {_grade_id(c): cell_source(c) for c in (record.get("notebook") or {}).get("cells", []) if _grade_id(c)}
    for grade_id in plan["solution_cells"]:
        comment = gb.find_comment(grade_id, plan["notebook"], assignment, submission.student)
        unchanged = answered.get(grade_id) is None or answered.get(grade_id) == handed_out.get(grade_id)
        comment.auto_comment = "No response." if unchanged else None
    gb.db.commit()
    record["timestamp"] = sub.timestamp.isoformat() if sub.timestamp else None


# -- the command ------------------------------------------------------------------------------------------


def autograde(ctx: Context, module: str, students: list[str] | None = None, workers: int | None = None,
              timeout: float | None = None, course_dir: str | None = None, db: str | None = None) -> Result:
    """Grade every submission of an assignment with its module's tests, ``workers`` at a time."""
    _require_nbgrader()
    folder = course_folder(ctx, course_dir)
    assignment = _assignment_ids(ctx, folder, [module])[0]
    plan = read_plan(folder, assignment)
    workers = max(1, int(workers or DEFAULT_WORKERS))
    timeout = float(timeout or DEFAULT_TIMEOUT)
    submissions = [Submission(p.parent.name, p) for p in sorted((folder / "submitted").glob(f"*/{assignment}"))
                   if p.is_dir() and (not students or p.parent.name in students)]
    if not submissions:
        raise UsageError(f"{assignment} has no submissions in {folder / 'submitted'}"
                         + (f" from {', '.join(students)}" if students else "") + ".",
                         hint=f"Run `tito nbgrader collect {assignment}` first.")
    source_nb = json.loads((folder / "source" / assignment / f"{plan['notebook']}.ipynb").read_text(encoding="utf-8"))
    release_nb = json.loads((folder / "release" / assignment / f"{plan['notebook']}.ipynb").read_text(encoding="utf-8"))
    api = nbgrader_api(folder, db, ctx.events)
    out = results_folder(folder, assignment)
    out.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    records: list[dict] = []
    # Ctrl-C or SIGTERM during the batch stops the running tests and drops the queued submissions at once.
    with gradebook(api) as gb, processes.worker_threads(workers, thread_name_prefix="tito-grade") as pool:
        futures = {}
        ctx.events.step("autograde", "running", module=assignment,
                        message=f"{len(submissions)} submission(s), {workers} at a time")
        for submission in submissions:
            futures[pool.submit(grade_one, folder, assignment, plan, source_nb, submission, timeout)] = submission
        for future in as_completed(futures):
            submission = futures[future]
            try:
                record = future.result()
            except Exception as exc:  # a bug of ours, on this submission only: report it, grade the rest
                record = _finish({"student": submission.student, "assignment": assignment, "status": "error",
                                  "message": f"tito could not grade this submission ({type(exc).__name__}: {exc})",
                                  "notes": [], "deleted_cells": [], "grade_cells": [
                                      {"grade_id": c["grade_id"], "points": float(c["points"]), "score": 0.0,
                                       "tests": []} for c in plan["grade_cells"]]}, time.monotonic())
            try:
                _record_grades(gb, assignment, plan, submission, record, release_nb)
                _write_autograded(folder, assignment, plan, submission, record, release_nb)
            except (TitoError, OSError, ValueError, LookupError) as exc:
                record.pop("notebook", None)
                record.update(status="error", message=f"grades could not be recorded: {exc}")
            record.pop("notebook", None)
            files.atomic_write_json(out / f"{submission.student}.json", record)
            records.append(record)
            ctx.events.emit("graded", module=assignment, student=submission.student, status=record["status"],
                            score=record["score"], max_score=record["max_score"], message=record["message"])
            ctx.events.log(f"{submission.student}: {record['score']:g}/{record['max_score']:g} "
                           f"({record['status'].replace('_', ' ')}) {record['message']}",
                           level="info" if record["status"] == "graded" else "warning")
            ctx.events.progress(len(records), len(submissions), label=submission.student)
    seconds = time.monotonic() - started
    ctx.events.step("autograde", "passed", module=assignment)
    records.sort(key=lambda r: r["student"])
    by_status: dict[str, int] = {}
    for record in records:
        by_status[record["status"]] = by_status.get(record["status"], 0) + 1
    per_minute = 60.0 * len(records) / seconds if seconds > 0 else 0.0
    mean = sum(r["score"] for r in records) / len(records)
    summary = (f"Autograded {len(records)} submission(s) of {assignment} in {seconds:.1f} s with {workers} "
               f"worker(s) ({per_minute:.0f} per minute): "
               + ", ".join(f"{n} {status.replace('_', ' ')}" for status, n in sorted(by_status.items()))
               + f"; mean score {mean:.2f} of {plan['max_score']:g}.")
    return Result(command="nbgrader.autograde", ok="error" not in by_status, summary=summary,
                  data={"assignment": assignment, "submissions": records, "by_status": by_status, "workers": workers,
                        "timeout": timeout, "seconds": round(seconds, 3), "per_minute": round(per_minute, 1),
                        "max_score": plan["max_score"]})
