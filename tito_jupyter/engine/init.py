"""``tito init FOLDER``: the course this tito was released with, laid down in a new folder for a student.

The package carries the verified student edition of the course (``tito_jupyter/course_edition.zip``, made by
``tito release student`` while the wheel was built: see ``hatch_build.py``, which writes the layout read
here). ``init`` unpacks it next to ``FOLDER`` under a hidden name and renames it into place once it is whole,
so an interrupted init leaves no half course that looks like a course. It never writes into a folder that has
anything in it: a student's work is never overwritten.

``$TITO_COURSE_EDITION`` names another edition archive of the same layout (tests use it; so can an instructor
who hands out an edition of their own).
"""

from __future__ import annotations

import errno
import importlib.util
import json
import os
import shutil
import zipfile
from pathlib import Path, PurePosixPath

from .. import platform
from .._version import __version__
from ..course import MODULES_DIR, STATE_DIR, Course
from ..errors import TitoError, UsageError
from . import files
from .context import Context
from .results import Result

#: The archive's layout (written by hatch_build.py, which keeps the same three names).
PACKAGED = Path(__file__).resolve().parents[1] / "course_edition.zip"
MANIFEST = "edition.json"
COURSE_PREFIX = "course/"
#: Where a laid-down course keeps the manifest of the edition it came from.
EDITION_RECORD = "edition.json"


class NoPackagedCourse(TitoError):
    kind = "no_packaged_course"


def edition_archive() -> Path:
    """The edition archive ``init`` lays down: ``$TITO_COURSE_EDITION``, else the one in the package."""
    override = os.environ.get("TITO_COURSE_EDITION")
    return Path(override).expanduser() if override else PACKAGED


def read_edition(archive: Path) -> tuple[dict, list[zipfile.ZipInfo]]:
    """The manifest and the course's members of an edition archive; a :class:`NoPackagedCourse` if it is unfit."""
    if not archive.is_file() and os.environ.get("TITO_COURSE_EDITION"):
        raise NoPackagedCourse(f"$TITO_COURSE_EDITION names {archive}, which is not a file, so there is no course "
                               "to lay down.", hint="Point it at an edition archive, or unset it to use the one "
                                                    "this tito carries.")
    if not archive.is_file():
        raise NoPackagedCourse(
            f"This installation of tito-jupyter {__version__} carries no course ({archive} is missing): it was "
            "installed from a source checkout, where the course is the checkout itself.",
            hint="Install the released package (pip install tito-jupyter), or, in the checkout, build an edition "
                 "with `tito release student --out DIR`.")
    try:
        with zipfile.ZipFile(archive) as zf:
            manifest = json.loads(zf.read(MANIFEST))
            broken = zf.testzip()
            members = [m for m in zf.infolist() if m.filename.startswith(COURSE_PREFIX) and not m.is_dir()]
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise NoPackagedCourse(f"The course archive {archive} cannot be read ({exc}).",
                               hint="Reinstall tito-jupyter: pip install --force-reinstall tito-jupyter") from None
    if broken is not None:
        raise NoPackagedCourse(f"The course archive {archive} is damaged ({broken} does not match its checksum).",
                               hint="Reinstall tito-jupyter: pip install --force-reinstall tito-jupyter")
    for member in members:
        relative = PurePosixPath(member.filename[len(COURSE_PREFIX):])
        if relative.is_absolute() or ".." in relative.parts or "\\" in member.filename or not relative.parts:
            raise NoPackagedCourse(f"The course archive {archive} holds a file outside the course "
                                   f"({member.filename!r}); nothing was written.")
    if not any(m.filename.startswith(COURSE_PREFIX + MODULES_DIR + "/") for m in members):
        raise NoPackagedCourse(f"The course archive {archive} holds no {MODULES_DIR}/ folder; nothing was written.")
    return manifest, members


def _refuse_unfit_target(target: Path, typed: str) -> None:
    if target.is_symlink():
        raise UsageError(f"{typed} is a link; tito init makes a new folder and does not follow links.",
                         hint="Pick a new folder name, e.g. `tito init my-course`.")
    if target.exists() and not target.is_dir():
        raise UsageError(f"{typed} is a file, not a folder; tito init left it alone.",
                         hint="Pick a new folder name, e.g. `tito init my-course`.")
    if target.is_dir() and any(target.iterdir()):
        raise UsageError(f"{typed} already exists and is not empty; tito init writes only into a new (or empty) "
                         "folder, so nothing in it was touched.",
                         hint=f"Pick a new folder name, or, if {typed} is your course, cd into it and run "
                              "`tito dev serve`.")


def init(ctx: Context, folder: str | None = None) -> Result:
    """Lay down the packaged student edition in ``folder`` (new or empty) and say what to do next."""
    if not folder:
        raise UsageError("Where should the course go? Name a new folder: `tito init my-course`.")
    typed = folder
    target = Path(folder).expanduser().absolute()
    _refuse_unfit_target(target, typed)
    archive = edition_archive()
    manifest, members = read_edition(archive)
    target.parent.mkdir(parents=True, exist_ok=True)
    # Named before it exists, so that a signal at any moment (even as it is made) can still clean it up.
    staging = target.parent / f".{target.name}.{os.getpid()}.tito-init"
    ctx.events.step("unpack", "running", message=f"{len(members)} files")
    try:
        shutil.rmtree(staging, ignore_errors=True)  # left by a killed init that had this process id
        staging.mkdir()
        with zipfile.ZipFile(archive) as zf:
            for member in members:
                dest = staging / member.filename[len(COURSE_PREFIX):]
                dest.parent.mkdir(parents=True, exist_ok=True)
                with zf.open(member) as src, open(dest, "wb") as out:
                    shutil.copyfileobj(src, out)
        files.atomic_write_json(staging / STATE_DIR / EDITION_RECORD, manifest)
        course = Course.load(staging)
        if not course.modules:
            raise NoPackagedCourse(f"The course archive {archive} has no module a course can be read from.")
        _move_into_place(staging, target, typed)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    ctx.events.step("unpack", "passed", message=f"{len(members)} files")
    course = Course.load(target)
    return _laid_down(course, target, typed, manifest, len(members))


def _move_into_place(staging: Path, target: Path, typed: str) -> None:
    """Rename the whole course into place; the rename fails, rather than replace anything, if ``target`` got
    files meanwhile (a rename only ever replaces an empty folder).

    An empty folder that is the working folder (``tito init .``) is filled instead, since replacing it would leave
    the student's shell in a deleted folder; ``modules/`` goes in last, so an interrupted init leaves no folder
    that tito takes for a course.
    """
    try:
        if target.is_dir() and (Path.cwd() == target.resolve() or target.resolve() in Path.cwd().parents):
            if any(target.iterdir()):
                raise FileExistsError(errno.ENOTEMPTY, "the folder is not empty")
            for entry in sorted(staging.iterdir(), key=lambda path: path.name == MODULES_DIR):
                platform.move_into_place(entry, target / entry.name)
            staging.rmdir()
        else:
            platform.move_into_place(staging, target)
    except OSError as exc:
        raise UsageError(f"{typed} got files while the course was being unpacked ({exc.strerror}); nothing in it "
                         "was touched.", hint="Pick a new folder name, e.g. `tito init my-course`.") from None


def _laid_down(course: Course, target: Path, typed: str, manifest: dict, count: int) -> Result:
    commit = manifest.get("commit")
    made_with = f"tito-jupyter {manifest.get('tito_version', '?')}"
    made_with += f", commit {commit[:12]}" if commit else ", from files not checked against git"
    first = course.modules[0]
    steps = []
    if importlib.util.find_spec("jupyterlab") is None:
        steps.append("pip install 'tito-jupyter[jupyter]'   # JupyterLab, the sidebar and %tito")
    if target.resolve() != Path.cwd():
        steps.append(f"cd {_quoted(typed)}")
    steps.append("tito dev serve   # JupyterLab on the course; open the URL it prints")
    data = {
        "folder": str(target),
        "edition": manifest,
        "modules": [m.id for m in course.modules],
        "first_notebook": first.notebook.relative_to(course.root).as_posix(),
        "files": count,
        "next_steps": steps,
    }
    summary = (f"The TinyTorch course ({len(course.modules)} modules, student edition of {made_with}) is in "
               f"{target}. Start with {data['first_notebook']}.")
    return Result(command="init", ok=True, summary=summary, data=data)


def _quoted(text: str) -> str:
    import shlex

    return shlex.quote(text)
