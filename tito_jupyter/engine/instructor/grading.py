"""A real nbgrader course for the TinyTorch modules: init, generate, release, collect, feedback, report.

Each module is one nbgrader assignment with one notebook, both named by the module's id (``01_tensor``).
The nbgrader course folder (default ``nbgrader/`` in the course; ``--course-dir`` elsewhere) is an ordinary
nbgrader course: ``nbgrader_config.py``, ``source/``, ``release/``, ``submitted/``, ``autograded/``,
``feedback/`` and the gradebook (SQLite by default; any database URL nbgrader accepts with ``--db``).
Formgrader and the nbgrader CLI work on it as they are.

The grade is the module's tests. ``generate`` turns the module notebook into nbgrader's source version:

- cells with ``### BEGIN SOLUTION`` become solution cells (nbgrader strips them on release);
- the ``#| default_exp`` cell and the inline test cells are locked; each inline test cell is a grade cell
  worth one point per ``def test_*`` it holds;
- one locked autograder cell per file of ``tests/modules/NN_name/`` is appended, worth one point per test
  function in the file; the file itself ships with the assignment (students have the tests anyway).

It also keeps, in ``tito/<assignment>/`` of the nbgrader course, the grading plan (which tests each grade
cell stands for) and the prerequisite modules as the course's reference package, so that module 02 is graded
on the student's module 02 only. ``tito nbgrader autograde`` (see :mod:`.autograde`) grades with these;
nbgrader's own ``autograde`` grades the same cells by running the notebook.

nbgrader is an instructor extra; it is imported only inside these functions.
"""

from __future__ import annotations

import ast
import csv
import datetime
import io
import json
import logging
import re
import shutil
import tempfile
from pathlib import Path

from ..._version import __version__
from ...course import COURSE_DATA_DIR, PACKAGE, Course, Module
from ...errors import TitoError, UsageError
from ...notebooks import cell_source, parse_python
from .. import files
from .. import processes
from ..context import Context
from ..modules import select_modules
from .release import build_edition
from ..results import NULL_SINK, EventSink, Result

CONFIG_FILE = "nbgrader_config.py"
COURSE_ID = "tinytorch"
TITO_FOLDER = "tito"  # inside the nbgrader course: grading plans, reference prerequisites, results
PLAN_FILE = "grading.json"
TESTS_FOLDER = "tests"  # inside each assignment: the module's test files
DEFAULT_FOLDER = "nbgrader"

_CONFIG_TEMPLATE = '''"""nbgrader configuration of the TinyTorch course, written by `tito nbgrader init`.

Paths are relative to this file, so the folder can move. `tito nbgrader ...` and the nbgrader CLI
(`nbgrader autograde 01_tensor`, formgrader) read the same settings.
"""
import os

c = get_config()  # noqa: F821 (provided by traitlets)
here = os.path.dirname(os.path.abspath(__file__))

c.CourseDirectory.root = here
c.CourseDirectory.course_id = {course_id!r}
c.CourseDirectory.db_url = {db_url}
c.Exchange.root = {exchange}
# Notebook execution by nbgrader's own autograde: seconds per cell.
c.Execute.timeout = 120
'''

_GITIGNORE = """# Student work and grades never go into version control.
gradebook.db
submitted/
autograded/
feedback/
exchange/
reports/
tito/*/results/
tito/*/work/
"""


class GradingError(TitoError):
    kind = "grading_failed"


# -- the nbgrader course folder and its API ---------------------------------------------------------------


def course_folder(ctx: Context, course_dir: str | None) -> Path:
    """The nbgrader course folder: ``--course-dir`` or ``nbgrader/`` in the TinyTorch course."""
    if course_dir:
        return Path(course_dir).expanduser().resolve()
    return ctx.course.root / DEFAULT_FOLDER


def _require_nbgrader() -> None:
    import importlib.util

    if importlib.util.find_spec("nbgrader") is None:
        raise GradingError("nbgrader is not installed; grading is an instructor feature.",
                           hint="pip install 'tito-jupyter[instructor]'")


def _require_initialised(folder: Path) -> None:
    if not (folder / CONFIG_FILE).is_file():
        raise UsageError(f"{folder} is not an nbgrader course yet (no {CONFIG_FILE}).",
                         hint="Run `tito nbgrader init` first (or pass --course-dir).")


def load_config(folder: Path, db: str | None = None):
    """nbgrader's configuration for the course folder: its ``nbgrader_config.py``, then ``--db`` over it."""
    from traitlets.config import Config
    from traitlets.config.loader import PyFileConfigLoader

    _require_initialised(folder)
    config = PyFileConfigLoader(CONFIG_FILE, path=str(folder)).load_config()
    extra = Config()
    extra.CourseDirectory.root = str(folder)
    if db:
        extra.CourseDirectory.db_url = db
    config.merge(extra)
    return config


class _EventLog(logging.Handler):
    """nbgrader's log lines become ``log`` events (warnings and errors only: its info lines are noise)."""

    def __init__(self, events: EventSink):
        super().__init__(level=logging.WARNING)
        self.events = events

    def emit(self, record: logging.LogRecord) -> None:
        self.events.log(f"nbgrader: {record.getMessage()}", level="error" if record.levelno >= 40 else "warning")


def _logger(events: EventSink) -> logging.Logger:
    log = logging.getLogger(f"tito.nbgrader.{id(events)}")
    log.handlers[:] = [_EventLog(events)]
    log.propagate = False
    log.setLevel(logging.INFO)
    return log


def nbgrader_api(folder: Path, db: str | None = None, events: EventSink = NULL_SINK):
    """nbgrader's own high-level API over the course folder, logging into ``events``."""
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory

    processes.put_tools_on_path()  # nbgrader's gradebook runs `alembic`, found on PATH even if not activated
    config = load_config(folder, db)
    log = _logger(events)
    coursedir = CourseDirectory(config=config, log=log)
    return NbGraderAPI(coursedir=coursedir, config=config, log=log)


def gradebook(api):
    from nbgrader.api import Gradebook

    return Gradebook(api.coursedir.db_url, api.coursedir.course_id)


def _check(outcome: dict | None, what: str) -> str:
    """nbgrader's API answers ``{"success": bool, "log": ..., "error": ...}``; a failure becomes a GradingError."""
    outcome = outcome or {"success": False, "error": "nbgrader returned nothing"}
    if not outcome.get("success"):
        log = (outcome.get("log") or "").strip().splitlines()
        error = (outcome.get("error") or "").strip().splitlines()
        detail = next((line for line in log if "[ERROR]" in line), None) or (error[-1] if error else "")
        raise GradingError(f"nbgrader could not {what}: {detail.replace('[ERROR] ', '')}",
                           log=outcome.get("log"), traceback=outcome.get("error"))
    return outcome.get("log") or ""


# -- init -------------------------------------------------------------------------------------------------


def init(ctx: Context, course_dir: str | None = None, db: str | None = None, exchange: str | None = None,
         force: bool = False) -> Result:
    """Create the nbgrader course folder, its config and its gradebook."""
    _require_nbgrader()
    folder = course_folder(ctx, course_dir)
    config_path = folder / CONFIG_FILE
    if config_path.exists() and not force:
        raise UsageError(f"{folder} is already an nbgrader course.",
                         hint="Pass --force to write its nbgrader_config.py again (the gradebook is kept).")
    for sub in ("source", "release", "submitted", "autograded", "feedback", TITO_FOLDER):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    db_expr = repr(db) if db else 'f"sqlite:///{here}/gradebook.db"'
    exchange_expr = repr(str(Path(exchange).expanduser().resolve())) if exchange else 'os.path.join(here, "exchange")'
    files.atomic_write_text(config_path, _CONFIG_TEMPLATE.format(course_id=COURSE_ID, db_url=db_expr,
                                                                 exchange=exchange_expr))
    if not (folder / ".gitignore").exists():
        files.atomic_write_text(folder / ".gitignore", _GITIGNORE)
    exchange_root = Path(exchange).expanduser().resolve() if exchange else folder / "exchange"
    if not exchange_root.exists():
        exchange_root.mkdir(parents=True)
        exchange_root.chmod(0o777)  # nbgrader's exchange: every student writes their submissions into it
    api = nbgrader_api(folder, None, ctx.events)
    with gradebook(api) as gb:  # creates the database and its tables
        assignments = len(gb.assignments)
    db_url = api.coursedir.db_url
    return Result(command="nbgrader.init", ok=True,
                  summary=f"nbgrader course ready in {folder} (gradebook {_safe_url(db_url)}, "
                          f"{assignments} assignment(s)). Next: `tito nbgrader generate --all`.",
                  data={"course_dir": str(folder), "db_url": _safe_url(db_url), "config": str(config_path),
                        "exchange": str(api.exchange_root) if getattr(api, "exchange_root", "") else None,
                        "assignments": assignments})


def _safe_url(url: str) -> str:
    """A database URL without its password."""
    return re.sub(r"//([^:/@]+):[^@]*@", r"//\1:***@", url)


# -- generate ---------------------------------------------------------------------------------------------


def _meta(grade_id: str, *, grade=False, solution=False, locked=False, points=None) -> dict:
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3, "solution": solution,
            "task": False}
    if grade:
        meta["points"] = points
    return meta


def _grade_id(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "_", text).strip("_") or "cell"


def test_functions(source: str) -> list[str]:
    """The test functions pytest would collect from a file: ``test_x`` and ``TestClass::test_y``."""
    found = []
    for node in parse_python(source).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test"):
            found.append(node.name)
        elif isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
            found += [f"{node.name}::{item.name}" for item in node.body
                      if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and item.name.startswith("test")]
    return found


def _inline_tests_of(source: str) -> list[str]:
    try:
        # IPython lines (%time, !ls) are not Python; blank them so the cell still parses.
        tree = parse_python("\n".join("" if line.lstrip().startswith(("%", "!")) else line
                                   for line in source.splitlines()))
    except SyntaxError:
        return []
    return [n.name for n in tree.body if isinstance(n, ast.FunctionDef) and n.name.startswith("test_")]


def prerequisites(course: Course, module: Module) -> list[Module]:
    """Every module this one builds on, directly or through another, in course order."""
    wanted: set[str] = set()
    todo = list(module.requires)
    while todo:
        name = todo.pop()
        if name not in wanted:
            wanted.add(name)
            todo.extend(course.module(name).requires)
    return [m for m in course.modules if m.id in wanted]


def source_notebook(course: Course, module: Module) -> tuple[dict, dict]:
    """The nbgrader source version of a module notebook, and its grading plan."""
    nb = json.loads(module.notebook.read_text(encoding="utf-8"))
    cells = nb.get("cells", [])
    grade_cells: list[dict] = []
    locked: list[str] = []
    solutions: list[str] = []
    used: set[str] = set()

    def unique(base: str) -> str:
        name, n = _grade_id(base), 1
        while name in used:
            n += 1
            name = f"{_grade_id(base)}_{n}"
        used.add(name)
        return name

    for index, cell in enumerate(cells, start=1):
        source = cell_source(cell)
        cell["source"] = source
        metadata = cell.setdefault("metadata", {})
        metadata.pop("nbgrader", None)
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
        has_solution = "BEGIN SOLUTION" in source
        first = next((line for line in source.splitlines() if line.strip()), "")
        directives = first.replace(" ", "")
        if cell.get("cell_type") == "markdown" and has_solution:
            grade_id = unique(f"answer_{index}")  # a written answer: nbgrader wants it graded by hand
            metadata["nbgrader"] = _meta(grade_id, grade=True, solution=True, points=0)
            solutions.append(grade_id)
        elif cell.get("cell_type") != "code":
            continue
        elif has_solution:
            grade_id = unique(f"solution_{index}")
            metadata["nbgrader"] = _meta(grade_id, solution=True)
            solutions.append(grade_id)
        elif directives.startswith("#|default_exp"):
            grade_id = unique("default_exp")
            metadata["nbgrader"] = _meta(grade_id, locked=True)
            locked.append(grade_id)
        elif not directives.startswith("#|export") and _inline_tests_of(source):
            names = _inline_tests_of(source)
            grade_id = unique(names[0])
            metadata["nbgrader"] = _meta(grade_id, grade=True, locked=True, points=len(names))
            locked.append(grade_id)
            grade_cells.append({"grade_id": grade_id, "kind": "inline", "points": len(names),
                                "tests": [f"inline::{name}" for name in names]})

    test_files = []
    targets = list(module.targets)
    if module.test_files:
        cells.append({"cell_type": "markdown", "id": "tito-autograder-header",
                      "metadata": {"nbgrader": _meta(unique("autograder_header"), locked=True)},
                      "source": "## Autograder tests\n\nThe course's tests for this module, run against the code in "
                                "this notebook. Each cell shows how many of its tests pass. Do not edit."})
        locked.append(cells[-1]["metadata"]["nbgrader"]["grade_id"])
    for path in module.test_files:
        names = test_functions(path.read_text(encoding="utf-8"))
        if not names:
            continue
        test_files.append(path.name)
        grade_id = unique(f"tests_{path.stem}")
        cells.append({
            "cell_type": "code", "execution_count": None, "id": f"tito-{grade_id}"[:64], "outputs": [],
            "metadata": {"nbgrader": _meta(grade_id, grade=True, locked=True, points=len(names))},
            "source": f"# Autograder: {len(names)} test(s) of {TESTS_FOLDER}/{path.name}; the value is how many pass.\n"
                      "from tito_jupyter.engine.instructor.grading_kernel import run_test_file\n"
                      f"run_test_file(globals(), {targets!r}, {f'{TESTS_FOLDER}/{path.name}'!r})",
        })
        locked.append(grade_id)
        grade_cells.append({"grade_id": grade_id, "kind": "file", "file": path.name, "points": len(names),
                            "tests": [f"{path.name}::{name}" for name in names]})
    plan = {
        "assignment": module.id, "module": module.id, "notebook": module.id, "targets": targets,
        "grade_cells": grade_cells, "locked_cells": locked, "solution_cells": solutions, "test_files": test_files,
        "max_score": sum(c["points"] for c in grade_cells), "tito_version": __version__,
    }
    return nb, plan


def _write_prerequisites(course: Course, module: Module, dest: Path) -> list[str]:
    """Export the modules ``module`` builds on (the instructor's versions) into ``dest/tinytorch``."""
    needed = prerequisites(course, module)
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    if not needed:
        return []
    with tempfile.TemporaryDirectory(prefix="tito-prerequisites-") as tmp:
        built = build_edition(course, needed, Path(tmp), strip=False)
        if not built["export"].ok:
            raise GradingError(f"The modules {module.id} builds on do not export: {built['export'].summary}")
        shutil.copytree(Path(tmp) / PACKAGE, dest / PACKAGE)
    return [m.id for m in needed]


def generate(ctx: Context, modules: list[str] | None = None, all_: bool = False, course_dir: str | None = None,
             db: str | None = None) -> Result:
    """Write each module's nbgrader source and run nbgrader's ``generate_assignment`` on it."""
    _require_nbgrader()
    course = ctx.course
    folder = course_folder(ctx, course_dir)
    _require_initialised(folder)
    chosen = select_modules(course, modules, all_)
    api = nbgrader_api(folder, db, ctx.events)
    rows = []
    for module in chosen:
        ctx.events.step("generate", "running", module=module.id)
        nb, plan = source_notebook(course, module)
        source = folder / "source" / module.id
        shutil.rmtree(source, ignore_errors=True)
        (source / TESTS_FOLDER).mkdir(parents=True)
        files.atomic_write_text(source / f"{module.id}.ipynb", json.dumps(nb, indent=1, ensure_ascii=False) + "\n")
        for path in sorted((course.root / "tests" / "modules" / module.id).glob("*")):
            if path.is_file() and path.suffix in (".py", ".json", ".txt", ".csv"):
                shutil.copy2(path, source / TESTS_FOLDER / path.name)
        if (course.root / COURSE_DATA_DIR).is_dir():  # the tests find it above them, as in the course
            shutil.copytree(course.root / COURSE_DATA_DIR, source / COURSE_DATA_DIR)
        tito_dir = folder / TITO_FOLDER / module.id
        plan["prerequisites"] = _write_prerequisites(course, module, tito_dir / "prerequisites")
        files.atomic_write_json(tito_dir / PLAN_FILE, plan)
        _check(api.generate_assignment(module.id, force=True, create=True), f"generate {module.id}")
        ctx.events.step("generate", "passed", module=module.id,
                        message=f"{len(plan['grade_cells'])} grade cells, {plan['max_score']} points")
        rows.append({"assignment": module.id, "grade_cells": len(plan["grade_cells"]), "points": plan["max_score"],
                     "solution_cells": len(plan["solution_cells"]), "prerequisites": plan["prerequisites"],
                     "release": str(folder / "release" / module.id)})
    total = sum(r["points"] for r in rows)
    return Result(command="nbgrader.generate", ok=True,
                  summary=f"Generated {len(rows)} assignment(s) in {folder}: "
                          + ", ".join(f"{r['assignment']} ({r['points']} points)" for r in rows)
                          + f"; {total} points in all.",
                  data={"course_dir": str(folder), "assignments": rows})


def read_plan(folder: Path, assignment: str) -> dict:
    path = folder / TITO_FOLDER / assignment / PLAN_FILE
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"{assignment} has not been generated in {folder}.",
                         hint=f"Run `tito nbgrader generate {assignment}` first.") from None


def _assignment_ids(ctx: Context, folder: Path, modules: list[str] | None) -> list[str]:
    """Assignment ids from module names, or every generated assignment."""
    generated = sorted(p.parent.name for p in (folder / TITO_FOLDER).glob(f"*/{PLAN_FILE}"))
    if modules:
        try:
            return [ctx.course.module(name).id for name in modules]
        except TitoError:
            unknown = [m for m in modules if m not in generated]
            if unknown:
                raise
            return list(modules)
    if not generated:
        raise UsageError(f"No assignment has been generated in {folder}.", hint="Run `tito nbgrader generate --all`.")
    return generated


# -- release ----------------------------------------------------------------------------------------------


def release(ctx: Context, modules: list[str] | None = None, all_: bool = False, course_dir: str | None = None,
            db: str | None = None) -> Result:
    """Put generated assignments into nbgrader's exchange, where students fetch them."""
    _require_nbgrader()
    folder = course_folder(ctx, course_dir)
    assignments = _assignment_ids(ctx, folder, modules)
    api = nbgrader_api(folder, db, ctx.events)
    rows = []
    for assignment in assignments:
        read_plan(folder, assignment)
        api.unrelease(assignment)  # releasing again replaces the previous release
        _check(api.release_assignment(assignment), f"release {assignment}")
        outbound = Path(api.exchange_root) / api.coursedir.course_id / "outbound" / assignment
        rows.append({"assignment": assignment, "exchange": str(outbound),
                     "files": sorted(p.relative_to(outbound).as_posix() for p in outbound.rglob("*") if p.is_file())})
        ctx.events.step("release", "passed", module=assignment)
    return Result(command="nbgrader.release", ok=True,
                  summary=f"Released {len(rows)} assignment(s) to the exchange: "
                          + ", ".join(r["assignment"] for r in rows) + ".",
                  data={"course_dir": str(folder), "assignments": rows})


# -- collect ----------------------------------------------------------------------------------------------


def _timestamp_now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f %Z")


def _import_folder(source: Path, submitted: Path, assignment: str) -> list[str]:
    """Copy submissions from a folder: ``<student>/[<assignment>/]<notebook>.ipynb`` or ``<student>.ipynb``."""
    imported = []
    for entry in sorted(source.iterdir()):
        if entry.name.startswith("."):
            continue
        if entry.is_dir():
            student, inner = entry.name, entry / assignment if (entry / assignment).is_dir() else entry
            dest = submitted / student / assignment
            shutil.rmtree(dest, ignore_errors=True)
            shutil.copytree(inner, dest, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
        elif entry.suffix == ".ipynb":
            student = entry.stem.split("+")[0]
            dest = submitted / student / assignment
            dest.mkdir(parents=True, exist_ok=True)
            shutil.copy2(entry, dest / f"{assignment}.ipynb")
        else:
            continue
        if not (dest / "timestamp.txt").exists():
            mtime = datetime.datetime.fromtimestamp(entry.stat().st_mtime, datetime.timezone.utc)
            files.atomic_write_text(dest / "timestamp.txt", mtime.strftime("%Y-%m-%d %H:%M:%S.%f %Z"))
        imported.append(student)
    return imported


def collect(ctx: Context, module: str, from_: str | None = None, course_dir: str | None = None,
            db: str | None = None) -> Result:
    """Gather an assignment's submissions into ``submitted/`` and enter their students in the gradebook.

    Submissions come from nbgrader's exchange (what students submitted with nbgrader), from ``--from DIR``
    (an LMS download), and from whatever is already in ``submitted/<student>/<assignment>/``.
    """
    _require_nbgrader()
    folder = course_folder(ctx, course_dir)
    assignment = _assignment_ids(ctx, folder, [module])[0]
    plan = read_plan(folder, assignment)
    api = nbgrader_api(folder, db, ctx.events)
    submitted = folder / "submitted"
    from_exchange: list[str] = []
    if api.exchange_is_functional:
        inbound = Path(api.exchange_root) / api.coursedir.course_id / "inbound"
        pending = sorted({p.name.split("+")[0] for p in inbound.glob(f"*+{assignment}+*")}) if inbound.is_dir() else []
        if pending:
            _check(api.collect(assignment, update=True), f"collect {assignment} from the exchange")
            from_exchange = pending
    from_folder: list[str] = []
    if from_:
        source = Path(from_).expanduser().resolve()
        if not source.is_dir():
            raise UsageError(f"--from {source} is not a folder.")
        from_folder = _import_folder(source, submitted, assignment)
    rows = []
    with gradebook(api) as gb:
        for path in sorted(submitted.glob(f"*/{assignment}")):
            if not path.is_dir():
                continue
            student = path.parent.name
            gb.update_or_create_student(student)
            stamp = path / "timestamp.txt"
            if not stamp.exists():
                files.atomic_write_text(stamp, _timestamp_now())
            notebook = path / f"{plan['notebook']}.ipynb"
            origin = "exchange" if student in from_exchange else "folder" if student in from_folder else "submitted"
            rows.append({"student": student, "notebook": notebook.is_file(), "timestamp": stamp.read_text(encoding="utf-8").strip(),
                         "from": origin, "path": str(path)})
    missing = [r["student"] for r in rows if not r["notebook"]]
    summary = (f"{assignment}: {len(rows)} submission(s) collected "
               f"({len(from_exchange)} from the exchange, {len(from_folder)} from a folder).")
    if missing:
        summary += f" Without the notebook {plan['notebook']}.ipynb: {', '.join(missing)}."
    return Result(command="nbgrader.collect", ok=True, summary=summary,
                  data={"assignment": assignment, "submissions": rows, "course_dir": str(folder)})


# -- feedback ---------------------------------------------------------------------------------------------


def feedback(ctx: Context, module: str, students: list[str] | None = None, release_: bool = False,
             course_dir: str | None = None, db: str | None = None) -> Result:
    """nbgrader's feedback (one HTML page per student) from the autograded notebooks and the gradebook."""
    _require_nbgrader()
    folder = course_folder(ctx, course_dir)
    assignment = _assignment_ids(ctx, folder, [module])[0]
    read_plan(folder, assignment)
    api = nbgrader_api(folder, db, ctx.events)
    graded = sorted(p.parent.name for p in (folder / "autograded").glob(f"*/{assignment}") if p.is_dir())
    chosen = [s for s in graded if not students or s in students]
    if not chosen:
        raise UsageError(f"{assignment} has no autograded submissions" + (f" for {', '.join(students)}" if students else "")
                         + ".", hint=f"Run `tito nbgrader autograde {assignment}` first.")
    pages = []
    notebook = read_plan(folder, assignment)["notebook"]
    ctx.events.step("feedback", "running", module=assignment)
    for student in chosen:  # one at a time, so that one broken submission costs only its own page
        page = folder / "feedback" / student / assignment / f"{notebook}.html"
        try:
            _check(api.generate_feedback(assignment, student, force=True), f"write feedback for {student}")
            problem = None
        except GradingError as exc:
            problem = exc.message
            ctx.events.log(problem, level="error")
        pages.append({"student": student, "html": str(page), "exists": page.is_file(), "error": problem})
    ctx.events.step("feedback", "passed" if all(p["exists"] for p in pages) else "failed", module=assignment)
    released: list[str] = []
    if release_:
        if not api.exchange_is_functional:
            raise GradingError("The exchange is not available, so the feedback cannot be released.")
        for page in pages:
            # The exchange files feedback under the secret of an exchange submission; others have none.
            secret = Path(page["html"]).parent / "submission_secret.txt"
            page["released"] = page["exists"] and secret.is_file()
            if page["released"]:
                _check(api.release_feedback(assignment, page["student"]),
                       f"release the feedback of {page['student']}")
                released.append(page["student"])
    written = [p for p in pages if p["exists"]]
    failed = [p["student"] for p in pages if not p["exists"]]
    summary = f"{assignment}: feedback for {len(written)} of {len(pages)} student(s) in {folder / 'feedback'}"
    if release_:
        summary += (f"; released to the exchange for {len(released)} (the others did not submit through it, "
                    "so they get their page another way)" if len(released) < len(written) else
                    "; released to the exchange")
    summary += f"; none for {', '.join(failed)}." if failed else "."
    return Result(command="nbgrader.feedback", ok=not failed, summary=summary,
                  data={"assignment": assignment, "feedback": pages, "released": released})


# -- report -----------------------------------------------------------------------------------------------

REPORT_COLUMNS = ("assignment", "student", "status", "score", "max_score", "percent", "tests_passed",
                  "tests_total", "timestamp", "seconds_late", "message")


def results_folder(folder: Path, assignment: str) -> Path:
    return folder / TITO_FOLDER / assignment / "results"


def report(ctx: Context, modules: list[str] | None = None, out: str | None = None, course_dir: str | None = None,
           db: str | None = None) -> Result:
    """Every student's grade on every assignment, from the gradebook, as CSV and JSON."""
    _require_nbgrader()
    folder = course_folder(ctx, course_dir)
    assignments = _assignment_ids(ctx, folder, modules)
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
    document = {"course_dir": str(folder), "generated": _timestamp_now(), "assignments": summary_by_assignment,
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
