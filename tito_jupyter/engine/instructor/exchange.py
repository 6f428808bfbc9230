"""The nbgrader exchange: ``tito nbgrader release``, ``collect`` and ``feedback``.

Students fetch released assignments and submit through nbgrader's exchange (on a JupyterHub) or hand them in
some other way (``collect --from DIR``, an LMS download); feedback goes back the same way.
"""

from __future__ import annotations

import datetime
import shutil
from pathlib import Path

from ...errors import UsageError
from .. import files
from ..context import Context
from ..results import Result
from .nbgrader_course import (GradingError, assignment_ids, check_outcome, course_folder, gradebook, nbgrader_api,
                              read_plan, require_nbgrader, timestamp_now)

# -- release ----------------------------------------------------------------------------------------------


def release(ctx: Context, modules: list[str] | None = None, all_: bool = False, course_dir: str | None = None,
            db: str | None = None) -> Result:
    """Put generated assignments into nbgrader's exchange, where students fetch them."""
    require_nbgrader()
    folder = course_folder(ctx, course_dir)
    assignments = assignment_ids(ctx, folder, modules)
    api = nbgrader_api(folder, db, ctx.events)
    rows = []
    for assignment in assignments:
        read_plan(folder, assignment)
        api.unrelease(assignment)  # releasing again replaces the previous release
        check_outcome(api.release_assignment(assignment), f"release {assignment}")
        outbound = Path(api.exchange_root) / api.coursedir.course_id / "outbound" / assignment
        rows.append({"assignment": assignment, "exchange": str(outbound),
                     "files": sorted(p.relative_to(outbound).as_posix() for p in outbound.rglob("*") if p.is_file())})
        ctx.events.step("release", "passed", module=assignment)
    return Result(command="nbgrader.release", ok=True,
                  summary=f"Released {len(rows)} assignment(s) to the exchange: "
                          + ", ".join(r["assignment"] for r in rows) + ".",
                  data={"course_dir": str(folder), "assignments": rows})


# -- collect ----------------------------------------------------------------------------------------------


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
    require_nbgrader()
    folder = course_folder(ctx, course_dir)
    assignment = assignment_ids(ctx, folder, [module])[0]
    plan = read_plan(folder, assignment)
    api = nbgrader_api(folder, db, ctx.events)
    submitted = folder / "submitted"
    from_exchange: list[str] = []
    if api.exchange_is_functional:
        inbound = Path(api.exchange_root) / api.coursedir.course_id / "inbound"
        pending = sorted({p.name.split("+")[0] for p in inbound.glob(f"*+{assignment}+*")}) if inbound.is_dir() else []
        if pending:
            check_outcome(api.collect(assignment, update=True), f"collect {assignment} from the exchange")
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
                files.atomic_write_text(stamp, timestamp_now())
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
    require_nbgrader()
    folder = course_folder(ctx, course_dir)
    assignment = assignment_ids(ctx, folder, [module])[0]
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
            check_outcome(api.generate_feedback(assignment, student, force=True), f"write feedback for {student}")
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
                check_outcome(api.release_feedback(assignment, page["student"]),
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
