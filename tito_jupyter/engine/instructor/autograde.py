"""tito's autograder: many submissions in parallel, each graded by the module's tests, confined.

Every submission is someone else's code. For each one in ``submitted/<student>/<assignment>/`` of the nbgrader
course, the instructor's process packs it (:func:`pack`: the notebook, the module's tests, the reference
prerequisites, the instructor's notebook) into bytes, and :func:`grade_packed` (a pure function of those bytes,
run here or on a Dask worker) grades it in a fresh scratch folder outside the course:

1. the notebook is made gradable the way nbgrader would: locked cells (``#| default_exp``, the tests) get
   their original source back, deleted ones are put back, and an exported cell that does not compile is
   left out of the export (and reported) instead of failing the whole module;
2. it is exported with the engine's export into a scratch course that holds the reference versions of the
   modules it builds on (so module 02 is graded on the student's module 02 alone);
3. the module's tests run on it with the engine's test runner: the inline tests of the *instructor's* notebook
   (a student cannot weaken them) and ``tests/modules``, in a pytest subprocess with a clean environment, a
   wall-clock timeout, CPU, memory, process, file-size and output limits, and (as root on Linux) in a jail of
   its own (:mod:`.sandbox`), where the course, the gradebook and the other submissions do not exist;
4. back in the instructor's process, each grade cell gets one point per test of it that passed; the scores go
   into nbgrader's gradebook (this process alone writes it, one submission at a time), the autograded notebook
   into ``autograded/`` for nbgrader's feedback, and a record into ``tito/<assignment>/results/<student>.json``.

Locally, a pool of threads each waits on its own pytest process, forked from a warm grader
(:mod:`.warm_grader`; ``--workers 2``: two at once); with ``--scheduler ADDRESS``, one Dask task per submission
on that cluster (a worker that dies costs no submission: the scheduler runs its task again elsewhere); with
``--gateway URL``, the same on a cluster that a Dask Gateway starts for the run (``--workers`` of them) and shuts
down after it. A submission that loops forever, floods its output, eats memory,
forks without end, does not parse or lost its cells is graded as far as it goes, with the reason; it never
stops the batch and never changes another submission's grade.
"""

from __future__ import annotations

import dataclasses
import io
import json
import os
import shutil
import tempfile
import threading
import time
import zipfile
from concurrent.futures import as_completed
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from ... import platform
from ...course import COURSE_DATA_DIR, MODULE_TESTS_DIR, MODULES_DIR, PACKAGE, Course
from ...errors import TitoError, UsageError
from ...notebooks import cell_source, parse_python
from .. import export as export_mod
from .. import files, jail_launcher, processes, sandbox, testing
from ..context import Context
from . import warm_grader
from .nbgrader_course import (TESTS_FOLDER, TITO_FOLDER, assignment_ids, course_folder, gradebook, nbgrader_api,
                              read_plan, require_nbgrader, results_folder)
from ..results import Result

DEFAULT_WORKERS = 2
DEFAULT_TIMEOUT = 120.0
DEFAULT_MEMORY_MIB = 2048
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
    """The submission with its locked cells as the instructor wrote them; (notebook, deleted cells, notes).

    Not nbgrader's ``OverwriteCells``: that preprocessor reads each source cell from the gradebook, which grading
    workers never touch (they may be a Dask cluster's), and restores only grade cells, while a deleted locked
    cell that is not graded (the ``#| default_exp`` cell) must come back too. The rule is the same: a locked cell
    is the instructor's, whatever the submission says; a duplicated nbgrader cell counts once.
    """
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


# -- a submission, packed: what a worker needs to grade it, as bytes ------------------------------------------

_MANIFEST = "manifest.json"


def pack(folder: Path, assignment: str, plan: dict, source_nb: dict, submission: Submission) -> bytes:
    """One submission and everything needed to grade it, as a zip: the submitted notebook (if any), the
    module's tests, the course's data they read, the reference prerequisites package and the instructor's notebook
    (for the inline tests).

    Bytes, not paths: the worker that grades it may be another machine (a Dask worker), and sees nothing else.
    """
    buffer = io.BytesIO()
    notebook = submission.folder / f"{plan['notebook']}.ipynb"
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(_MANIFEST, json.dumps({"student": submission.student, "assignment": assignment,
                                                "plan": plan, "has_notebook": notebook.is_file()}))
        archive.writestr("source.ipynb", json.dumps(source_nb))
        if notebook.is_file():
            archive.write(notebook, "submission.ipynb")
        for base, prefix in ((folder / "source" / assignment / TESTS_FOLDER, "tests/"),
                             (folder / "source" / assignment / COURSE_DATA_DIR, "data/"),
                             (folder / TITO_FOLDER / assignment / "prerequisites" / PACKAGE, "prerequisites/")):
            for path in sorted(base.rglob("*")) if base.is_dir() else ():
                if path.is_file() and "__pycache__" not in path.parts:
                    archive.write(path, prefix + path.relative_to(base).as_posix())
    return buffer.getvalue()


def _unpack_folder(archive: zipfile.ZipFile, prefix: str, dest: Path) -> None:
    """The members under ``prefix`` into ``dest``; a name that would leave ``dest`` is refused."""
    for name in archive.namelist():
        if not name.startswith(prefix) or name.endswith("/"):
            continue
        relative = PurePosixPath(name[len(prefix):])
        if relative.is_absolute() or ".." in relative.parts or not relative.parts:
            raise ValueError(f"the packed submission holds a file outside its folder: {name!r}")
        target = dest.joinpath(*relative.parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(archive.read(name))


# -- grading one packed submission (on this machine or a worker) ------------------------------------------


@dataclasses.dataclass(frozen=True)
class Settings:
    """What a submission may use while its tests run. Plain data: it travels to Dask workers."""

    timeout: float = DEFAULT_TIMEOUT
    memory_mib: int = DEFAULT_MEMORY_MIB
    processes: int = 64  # processes and threads (pytest and numpy need a few)
    file_mib: int = 64  # the largest file it may write; pytest's captured output is one
    output_mib: int = 10  # what it may print where pytest does not capture
    warm: bool = True  # fork each submission's tests from a warm grader (:mod:`.warm_grader`) where there is one

    def limits(self) -> processes.Limits:
        return processes.Limits(cpu_seconds=self.timeout + 5, memory_bytes=self.memory_mib * 2**20,
                                processes=self.processes, file_bytes=self.file_mib * 2**20,
                                output_bytes=self.output_mib * 2**20)


def grade_packed(packed: bytes, settings: Settings = Settings()) -> dict:
    """Grade one submission packed by :func:`pack`; the record of its grades. Never raises for what a student does.

    A pure function of its arguments: it reads nothing of the course and writes only a fresh scratch folder
    (mode 0700, removed at the end), where the submission is exported and its tests run, confined
    (:mod:`.sandbox`). The caller writes the gradebook. This is what a Dask worker runs.
    """
    started = time.monotonic()
    with zipfile.ZipFile(io.BytesIO(packed)) as archive:
        manifest = json.loads(archive.read(_MANIFEST))
        plan, assignment = manifest["plan"], manifest["assignment"]
        source_nb = json.loads(archive.read("source.ipynb"))
        raw = archive.read("submission.ipynb") if manifest["has_notebook"] else None
        record: dict = {"student": manifest["student"], "assignment": assignment, "status": "graded", "notes": [],
                        "deleted_cells": [], "message": "", "limit": None}
        record["grade_cells"] = [{"grade_id": c["grade_id"], "points": float(c["points"]), "score": 0.0,
                                  "tests": [{"test": t, "passed": False, "message": "not graded"} for t in c["tests"]]}
                                 for c in plan["grade_cells"]]
        name = f"{plan['notebook']}.ipynb"
        if raw is None:
            record.update(status="missing_notebook", message=f"no {name} in the submission")
            return _finish(record, started)
        try:
            submitted = json.loads(raw.decode("utf-8"))
            if not isinstance(submitted, dict) or not isinstance(submitted.get("cells"), list):
                raise ValueError("no list of cells")
        except (ValueError, UnicodeDecodeError) as exc:
            record.update(status="unreadable", message=f"{name} is not a notebook ({exc})")
            return _finish(record, started)
        scratch = _scratch_folder()
        try:
            _grade_in(scratch, archive, assignment, plan, source_nb, submitted, settings, record)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    return _finish(record, started)


_SCRATCH_PREFIX = "tito-grade-"


def _scratch_folder() -> Path:
    """A fresh folder for one submission (0700: no other user sees into it), named by our pid; first, the
    folders of graders that were killed before they could remove theirs (a Dask worker's SIGKILL) go."""
    for folder in Path(tempfile.gettempdir()).glob(f"{_SCRATCH_PREFIX}*-*"):
        pid = folder.name[len(_SCRATCH_PREFIX):].split("-", 1)[0]
        try:
            if not pid.isdigit() or folder.stat().st_uid != platform.user_id() or platform.process_running(int(pid)):
                continue
        except OSError:  # the folder went meanwhile
            continue
        shutil.rmtree(folder, ignore_errors=True)
    return Path(tempfile.mkdtemp(prefix=f"{_SCRATCH_PREFIX}{os.getpid()}-"))


def _grade_in(scratch: Path, archive: zipfile.ZipFile, assignment: str, plan: dict, source_nb: dict,
              submitted: dict, settings: Settings, record: dict) -> None:
    """Grade a readable submission in ``scratch`` into ``record``: made gradable, exported into a scratch course,
    its tests run confined, each grade cell scored, and the run's end (a limit met, a timeout) said in words."""
    graded_nb, deleted, notes = sanitise(submitted, source_nb, plan)
    record["deleted_cells"] = deleted
    record["notes"] = notes + ([f"deleted cells: {', '.join(deleted)}"] if deleted else [])
    record["notebook"] = graded_nb
    work = _scratch_course(scratch, archive, assignment, graded_nb)
    # The inline tests come from the instructor's notebook, whatever the student did to theirs.
    reference = work / _SOURCE_LABEL / f"{assignment}.ipynb"
    files.atomic_write_text(reference, json.dumps(source_nb))
    course = Course.load(work)
    module = course.module(assignment)
    with _EXPORT_LOCK:  # nbdev reads the notebook's cells as text: no student code runs here
        exported = export_mod.export_modules(course, [module])
    if not exported.ok:
        record["notes"].append(f"export failed: {exported.summary}")
    inline = tuple(key.split("::", 1)[1] for cell in plan["grade_cells"] if cell["kind"] == "inline"
                   for key in cell["tests"])
    paths, labels, _ = testing.module_test_plan(course, dataclasses.replace(module, notebook=reference,
                                                                            inline_tests=inline))
    # The inline tests are written out; the instructor's notebook holds the solutions: it goes before any
    # student code runs (a submission could read it and run the solution as its own).
    reference.unlink()
    confinement = sandbox.confine(scratch, work, settings.limits())
    record["jailed"] = confinement.jail is not None
    run = _run_tests(course, paths, labels, confinement, work / MODULE_TESTS_DIR / assignment, settings, record)
    cells = _score(plan, run["tests"], reference.relative_to(work).as_posix())
    record["grade_cells"] = cells
    record["tests_total"] = sum(len(c["tests"]) for c in plan["grade_cells"])
    record["tests_passed"] = sum(1 for c in cells for t in c["tests"] if t["passed"])
    _say_how_it_ended(record, run, settings)


def _scratch_course(scratch: Path, archive: zipfile.ZipFile, assignment: str, graded_nb: dict) -> Path:
    """A course of one module in ``scratch``: the gradable notebook, the module's tests and data, and the
    reference package of the modules it builds on. Returns its root."""
    work = scratch / "work"
    module_dir = work / MODULES_DIR / assignment
    module_dir.mkdir(parents=True)
    os.chmod(work, 0o755)  # root's and read-only to the jailed user, as is all it holds but its home
    files.atomic_write_text(module_dir / f"{assignment}.ipynb", json.dumps(graded_nb))
    (work / MODULE_TESTS_DIR / assignment).mkdir(parents=True)  # even with no test files: pytest's confcutdir
    _unpack_folder(archive, "tests/", work / MODULE_TESTS_DIR / assignment)
    _unpack_folder(archive, "data/", work / COURSE_DATA_DIR)  # above the tests, where they look for it
    _unpack_folder(archive, "prerequisites/", work / PACKAGE)
    (work / PACKAGE).mkdir(exist_ok=True)
    (work / PACKAGE / "__init__.py").touch()
    return work


def _run_tests(course: Course, paths: list[Path], labels: dict[str, str], confinement: sandbox.Confinement,
               tests_folder: Path, settings: Settings, record: dict) -> dict:
    """The submission's tests, confined: forked from this thread's warm grader where there is one (a broken
    grader is ours, never the submission's: the tests run again, in a fresh process), else a fresh process."""
    tests = dict(timeout=settings.timeout, labels=labels, extra_args=["--continue-on-collection-errors"])
    if settings.warm and warm_grader.available():
        try:
            warm = warm_grader.runner(confinement.jail, _test_imports(tests_folder))
            run = testing.run_pytest(course, paths, confinement=dataclasses.replace(confinement, runner=warm), **tests)
            record["warm"] = True
            return run
        except warm_grader.BrokenGrader as exc:
            record["notes"].append(f"graded in a fresh process ({exc})")
    record["warm"] = False
    return testing.run_pytest(course, paths, confinement=confinement, **tests)


def _say_how_it_ended(record: dict, run: dict, settings: Settings) -> None:
    """The record's status, limit and message from how the tests' run ended."""
    limit = run["limit"] or _limit_met_in_tests(run["tests"], settings)
    if run["timed_out"]:
        record["status"] = "timed_out"
        record["limit"] = limit
        record["message"] = (f"stopped after {settings.timeout:g} s ({limit or 'an infinite loop?'}); "
                             f"{record['tests_passed']} test(s) had passed by then")
    elif limit is not None:
        record["status"] = "stopped" if run["exit_code"] not in (0, 1) else "graded"
        record["limit"] = limit
        record["message"] = (f"stopped: {limit}; " if record["status"] == "stopped" else f"{limit}; ") + \
            f"{record['tests_passed']} of {record['tests_total']} tests pass"
    else:
        record["message"] = f"{record['tests_passed']} of {record['tests_total']} tests pass"
    if run["exit_code"] == jail_launcher.LAUNCH_FAILED and not run["tests"]:
        record["status"] = "error"
        record["message"] = f"its tests could not start: {run['log_tail'].strip()[-300:]}"
    if record["notes"]:
        record["message"] += "; " + "; ".join(record["notes"])


def _test_imports(folder: Path) -> tuple[str, ...]:
    """The top-level modules the module's test files import (the instructor's files, not the submission), for
    the warm grader to import once; the course's own package is left out (each submission brings its own)."""
    import ast

    names: dict[str, None] = {}
    for path in sorted(folder.rglob("*.py")):
        try:
            tree = parse_python(path.read_text(encoding="utf-8"))
        except (SyntaxError, ValueError, OSError):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names.update((alias.name.split(".")[0], None) for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names[node.module.split(".")[0]] = None
    names.pop(PACKAGE, None)
    return tuple(names)


def _limit_met_in_tests(tests: list[dict], settings: Settings) -> str | None:
    """A limit that made tests fail without stopping pytest (Python raises instead of dying), as a reason."""
    messages = " ".join((t.get("message") or "") + " " + str((t.get("raised") or {}).get("exception")) for t in tests)
    if "MemoryError" in messages:
        return f"used more than {settings.memory_mib} MiB of memory"
    if "File too large" in messages:  # EFBIG: Python ignores SIGXFSZ, so the write fails instead
        return f"wrote more than {settings.file_mib} MiB (a file or its captured output)"
    if "BlockingIOError" in messages and "Resource temporarily unavailable" in messages:  # EAGAIN from fork
        return f"started more than {settings.processes} processes"
    return None


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
    timestamp = stamp.read_text(encoding="utf-8").strip() if stamp.is_file() else ""
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


def _error_record(submission: Submission, assignment: str, plan: dict, message: str) -> dict:
    return _finish({"student": submission.student, "assignment": assignment, "status": "error", "message": message,
                    "notes": [], "deleted_cells": [], "limit": None, "grade_cells": [
                        {"grade_id": c["grade_id"], "points": float(c["points"]), "score": 0.0, "tests": []}
                        for c in plan["grade_cells"]]}, time.monotonic())


@contextmanager
def _graded_locally(packs: dict[str, bytes], settings: Settings, workers: int):
    """Grading starts on entry, ``workers`` at a time in threads of this process; yields an iterator of
    (student, record or the exception) as each finishes.

    Ctrl-C or SIGTERM stops the running tests and drops the queued submissions at once.
    """
    try:
        with processes.worker_threads(workers, thread_name_prefix="tito-grade") as pool:
            futures = {pool.submit(grade_packed, packed, settings): student for student, packed in packs.items()}
            yield ((futures[f], f.exception() if f.exception() is not None else f.result())
                   for f in as_completed(futures))
    finally:
        warm_grader.close_all()  # this run's warm graders (a Dask worker keeps its own warm between runs)


#: How often a Dask worker may die under one submission before that submission is given up (its own fault).
DASK_ALLOWED_FAILURES = 3


@contextmanager
def _graded_on_dask(scheduler: str, packs: dict[str, bytes], settings: Settings):
    """Grading starts on entry, one Dask task per submission on ``scheduler``; yields an iterator of
    (student, record or the exception) as each finishes."""
    Client = _dask_client_class()
    try:
        client = Client(scheduler, timeout="10s", set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        raise UsageError(f"No Dask scheduler answered at {scheduler} ({exc}).",
                         hint="Give the address `dask scheduler` prints (tcp://host:8786), or leave --scheduler "
                              "out to grade on this machine.") from None
    try:
        yield _graded_by_client(client, packs, settings)
    finally:
        client.close()


#: How long a Dask Gateway may take to start a cluster's scheduler and its first worker (a Hub pod, a queue).
GATEWAY_START_TIMEOUT = 300


@contextmanager
def _graded_on_gateway(gateway: str, packs: dict[str, bytes], settings: Settings, workers: int):
    """A cluster of ``workers`` workers from the Dask Gateway at ``gateway``, shut down at the end, whatever
    happens; grading starts on entry, as on any Dask cluster. The gateway's own configuration (dask's
    ``gateway.auth``, ``gateway.proxy-address``; on a Hub, set for every user) says how to authenticate."""
    _dask_client_class()
    try:
        from dask_gateway import Gateway
    except ImportError:
        raise UsageError("Grading on a Dask Gateway needs its client, dask-gateway.",
                         hint="pip install 'tito-jupyter[cluster]'") from None
    try:
        client_of_gateway = Gateway(address=gateway)
    except (ValueError, TypeError) as exc:
        raise UsageError(f"--gateway {gateway} is not a Dask Gateway address ({exc}).",
                         hint="Give the gateway's URL, e.g. http://127.0.0.1:8000 or, on a Hub, "
                              "https://hub.example.org/services/dask-gateway.") from None
    cluster = None
    try:
        try:
            client_of_gateway.list_clusters()  # it answers, and takes our credentials
            cluster = client_of_gateway.new_cluster(shutdown_on_close=True)
        except Exception as exc:  # noqa: BLE001 (unreachable, refused, a wrong password: one sentence, no traceback)
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise UsageError(f"The Dask Gateway at {gateway} did not start a cluster ({reason}).",
                             hint="Check the URL and how you authenticate to it (dask config `gateway.auth`), or "
                                  "leave --gateway out to grade on this machine.") from None
        cluster.scale(workers)
        client = cluster.get_client(set_as_default=False)
        try:
            client.wait_for_workers(1, timeout=GATEWAY_START_TIMEOUT)
        except TimeoutError:
            raise UsageError(f"The Dask Gateway at {gateway} started a cluster, but no worker joined it within "
                             f"{GATEWAY_START_TIMEOUT} s.", hint="Look at the gateway's log for why its workers "
                                                                 "do not start.") from None
        try:
            yield _graded_by_client(client, packs, settings)
        finally:
            client.close()
    finally:
        if cluster is not None:
            cluster.shutdown()  # its scheduler and workers go now, not when the gateway's idle timeout comes
            _closed_for_good(cluster.gateway)
        client_of_gateway.close()
        _closed_for_good(client_of_gateway)


def _closed_for_good(gateway_client) -> None:
    """After ``close()``: dask-gateway's ``__del__`` closes a Gateway client again, which (with a distributed
    whose stopped loop runner raises when asked for its loop) prints an ignored RuntimeError at exit. It has
    nothing left to close, so its loop runner goes and ``__del__`` does nothing."""
    gateway_client.__dict__.pop("_loop_runner", None)


def _dask_client_class():
    try:
        from distributed import Client
    except ImportError:
        raise UsageError("Grading on a Dask cluster needs dask.distributed.",
                         hint="pip install 'tito-jupyter[cluster]'") from None
    return Client


def _graded_by_client(client, packs: dict[str, bytes], settings: Settings):
    """(student, record or the exception) as each finishes, one task per submission on ``client``'s cluster.

    The workers get the packed bytes and return records; they never see the course or the gradebook. A task
    whose worker dies is run again on another (the scheduler's doing); ``retries`` covers errors of ours.
    """
    from distributed import as_completed as dask_completed

    futures = {client.submit(grade_packed, packed, settings, pure=False, retries=2,
                             key=f"tito-grade-{student}-{os.urandom(4).hex()}"): student
               for student, packed in packs.items()}
    return ((futures[f], f.exception() if f.status == "error" else f.result())
            for f in dask_completed(futures, loop=client.loop))


def autograde(ctx: Context, module: str, students: list[str] | None = None, workers: int | None = None,
              timeout: float | None = None, memory: int | None = None, scheduler: str | None = None,
              gateway: str | None = None, course_dir: str | None = None, db: str | None = None) -> Result:
    """Grade every submission of an assignment with its module's tests, ``workers`` at a time on this machine,
    on the Dask cluster at ``scheduler``, or on a cluster of ``workers`` workers from the Dask Gateway at
    ``gateway``. Each submission runs confined (:mod:`.sandbox`), with ``timeout`` seconds and ``memory`` MiB;
    the gradebook is written here, by this process alone."""
    _refuse_where_it_cannot_grade(scheduler, gateway)
    folder = course_folder(ctx, course_dir)
    assignment = assignment_ids(ctx, folder, [module])[0]
    plan = read_plan(folder, assignment)
    workers = max(1, int(workers or DEFAULT_WORKERS))
    settings = _settings(timeout, memory)
    submissions = _submissions(folder, assignment, students)
    source_nb, release_nb = (json.loads((folder / kind / assignment / f"{plan['notebook']}.ipynb")
                                        .read_text(encoding="utf-8")) for kind in ("source", "release"))
    results_folder(folder, assignment).mkdir(parents=True, exist_ok=True)  # one that cannot be made stops us here
    packs = {s.student: pack(folder, assignment, plan, source_nb, s) for s in submissions}
    on_dask = bool(scheduler or gateway)
    jailed, containment = sandbox.status() if not on_dask else (None, "each Dask worker jails if it can")
    where = (f"on the Dask cluster at {scheduler}" if scheduler else
             f"on {workers} worker(s) of a cluster from the Dask Gateway at {gateway}" if gateway else
             f"{workers} at a time")
    started = time.monotonic()
    ctx.events.step("autograde", "running", module=assignment,
                    message=f"{len(submissions)} submission(s), {where}; {containment}")
    ctx.events.progress(0, len(submissions), label="graded")
    grading = (_graded_on_dask(scheduler, packs, settings) if scheduler else
               _graded_on_gateway(gateway, packs, settings, workers) if gateway else
               _graded_locally(packs, settings, workers))
    # The submissions are being graded while nbgrader (seconds of imports) opens the gradebook.
    with grading as graded, gradebook(nbgrader_api(folder, db, ctx.events)) as gb:
        records = _record_each(ctx, graded, gb, folder, assignment, plan, submissions, release_nb)
    seconds = time.monotonic() - started
    if on_dask:  # each worker jails what it grades if it can: say what they did
        seen = [r["jailed"] for r in records if "jailed" in r]
        jailed = all(seen) if seen else None
        containment = ("each Dask worker ran its submissions in a jail of their own" if jailed else
                       "a Dask worker could not jail its submissions (not root?): resource limits only")
    ctx.events.step("autograde", "passed", module=assignment)
    records.sort(key=lambda r: r["student"])
    by_status: dict[str, int] = {}
    for record in records:
        by_status[record["status"]] = by_status.get(record["status"], 0) + 1
    per_minute = 60.0 * len(records) / seconds if seconds > 0 else 0.0
    mean = sum(r["score"] for r in records) / len(records)
    summary = (f"Autograded {len(records)} submission(s) of {assignment} in {seconds:.1f} s {where} "
               f"({per_minute:.0f} per minute): "
               + ", ".join(f"{n} {status.replace('_', ' ')}" for status, n in sorted(by_status.items()))
               + f"; mean score {mean:.2f} of {plan['max_score']:g}.")
    return Result(command="nbgrader.autograde", ok="error" not in by_status, summary=summary,
                  data={"assignment": assignment, "submissions": records, "by_status": by_status,
                        "workers": None if scheduler else workers, "scheduler": scheduler, "gateway": gateway,
                        "timeout": settings.timeout, "memory_mib": settings.memory_mib, "jailed": jailed,
                        "containment": containment, "seconds": round(seconds, 3),
                        "per_minute": round(per_minute, 1), "max_score": plan["max_score"]})


def _refuse_where_it_cannot_grade(scheduler: str | None, gateway: str | None) -> None:
    """A UsageError before any work when grading cannot happen as asked (no limits here, no nbgrader, both
    places given)."""
    if scheduler is None and gateway is None and not platform.RESOURCE_LIMITS:
        raise UsageError("Grading submissions needs Linux or macOS: this system cannot limit the CPU time, memory "
                         "and processes of a submission's tests.",
                         hint="Grade on a Linux or macOS machine, or on a Dask cluster of them (--scheduler, "
                              "--gateway).")
    require_nbgrader()
    if scheduler and gateway:
        raise UsageError("Give --scheduler or --gateway, not both.",
                         hint="--scheduler names a running Dask scheduler; --gateway a Dask Gateway that starts "
                              "a cluster for this run.")


def _settings(timeout: float | None, memory: int | None) -> Settings:
    settings = Settings(timeout=float(timeout or DEFAULT_TIMEOUT), memory_mib=int(memory or DEFAULT_MEMORY_MIB))
    if settings.memory_mib < 256:
        raise UsageError(f"--memory {settings.memory_mib} is too little: Python, pytest and numpy need about "
                         "256 MiB before a test runs.", hint="Give at least 256 (MiB); the default is "
                                                             f"{DEFAULT_MEMORY_MIB}.")
    return settings


def _submissions(folder: Path, assignment: str, students: list[str] | None) -> list[Submission]:
    """The submissions to grade (of ``students`` only, if named); a UsageError if there are none."""
    submissions = [Submission(p.parent.name, p) for p in sorted((folder / "submitted").glob(f"*/{assignment}"))
                   if p.is_dir() and (not students or p.parent.name in students)]
    if not submissions:
        raise UsageError(f"{assignment} has no submissions in {folder / 'submitted'}"
                         + (f" from {', '.join(students)}" if students else "") + ".",
                         hint=f"Run `tito nbgrader collect {assignment}` first.")
    return submissions


def _record_each(ctx: Context, graded, gb, folder: Path, assignment: str, plan: dict, submissions: list[Submission],
                 release_nb: dict) -> list[dict]:
    """As each submission's grading finishes (``graded``: student, record or the exception), its grades go into
    the gradebook, its autograded notebook and its record into the results folder, and it is announced."""
    out = results_folder(folder, assignment)
    by_student = {s.student: s for s in submissions}
    records: list[dict] = []
    for student, outcome in graded:
        submission = by_student[student]
        if isinstance(outcome, BaseException):  # a bug of ours, on this submission only: report it, grade the rest
            record = _error_record(submission, assignment, plan, "tito could not grade this submission "
                                   f"({type(outcome).__name__}: {outcome})")
        else:
            record = outcome
        try:
            _record_grades(gb, assignment, plan, submission, record, release_nb)
            _write_autograded(folder, assignment, plan, submission, record, release_nb)
        except (TitoError, OSError, ValueError, LookupError) as exc:
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
    return records
