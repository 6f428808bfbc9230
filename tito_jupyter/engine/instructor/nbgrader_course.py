"""The nbgrader course folder tito keeps for the TinyTorch modules, and nbgrader's own API over it.

Each module is one nbgrader assignment with one notebook, both named by the module's id (``01_tensor``).
The folder (default ``nbgrader/`` in the course; ``--course-dir`` elsewhere) is an ordinary nbgrader course:
``nbgrader_config.py``, ``source/``, ``release/``, ``submitted/``, ``autograded/``, ``feedback/`` and the
gradebook (SQLite by default; any database URL nbgrader accepts with ``--db``). Formgrader and the nbgrader CLI
work on it as they are. Beside nbgrader's folders, ``tito/<assignment>/`` holds what tito adds: the grading
plan (:mod:`.assignment` writes it), the prerequisite modules as the course's reference package, results.

This module is the one home of the folder's layout and of how tito talks to nbgrader (``init`` makes the
folder); the steps of the course's life live beside it: :mod:`.assignment` (generate), :mod:`.exchange`
(release, collect, feedback), :mod:`.autograde`, :mod:`.grades` (report) and :mod:`.class_view`.

nbgrader is an instructor extra; it is imported only inside functions.
"""

from __future__ import annotations

import datetime
import json
import logging
import re
from pathlib import Path

from ...errors import TitoError, UsageError
from .. import files, processes
from ..context import Context
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


def require_nbgrader() -> None:
    import importlib.util

    if importlib.util.find_spec("nbgrader") is None:
        raise GradingError("nbgrader is not installed; grading is an instructor feature.",
                           hint="pip install 'tito-jupyter[instructor]'")


def require_initialised(folder: Path) -> None:
    if not (folder / CONFIG_FILE).is_file():
        raise UsageError(f"{folder} is not an nbgrader course yet (no {CONFIG_FILE}).",
                         hint="Run `tito nbgrader init` first (or pass --course-dir).")


def load_config(folder: Path, db: str | None = None):
    """nbgrader's configuration for the course folder: its ``nbgrader_config.py``, then ``--db`` over it."""
    from traitlets.config import Config
    from traitlets.config.loader import PyFileConfigLoader

    require_initialised(folder)
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


def check_outcome(outcome: dict | None, what: str) -> str:
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
    require_nbgrader()
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


def read_plan(folder: Path, assignment: str) -> dict:
    path = folder / TITO_FOLDER / assignment / PLAN_FILE
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"{assignment} has not been generated in {folder}.",
                         hint=f"Run `tito nbgrader generate {assignment}` first.") from None


def assignment_ids(ctx: Context, folder: Path, modules: list[str] | None) -> list[str]:
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


def timestamp_now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f %Z")


def results_folder(folder: Path, assignment: str) -> Path:
    return folder / TITO_FOLDER / assignment / "results"
