"""System operations: doctor, info, clean, setup.

``doctor`` looks at packages through their metadata (``importlib``), not by importing them, so it is quick
even for nbgrader and JupyterLab.
"""

from __future__ import annotations

import importlib.metadata as metadata
import importlib.util
import json
import os
import platform
import shutil
import sys
from pathlib import Path

from .._version import __version__
from ..course import PACKAGE, Course
from ..errors import ProjectNotFound
from . import export as export_mod
from . import usage_log
from .files import TMP_SUFFIX, atomic_write_text, build_cleaning
from .context import Context
from .reset import record_starting_point
from .results import Result

# (distribution, import name, why the course needs it, required for students?)
_DEPENDENCIES = (
    ("numpy", "numpy", "TinyTorch is built on NumPy", True),
    ("nbdev", "nbdev", "export turns notebooks into the package", True),
    ("pytest", "pytest", "module tests and checkpoints run on pytest", True),
    ("rich", "rich", "the CLI's tables and progress bars", True),
    ("jupyterlab", "jupyterlab", "the notebooks and the tito sidebar", True),
    ("jupyter_server", "jupyter_server", "the tito server extension", True),
    ("ipywidgets", "ipywidgets", "live progress in `%tito` output", True),
    ("ipykernel", "ipykernel", "running notebooks", True),
    ("nbformat", "nbformat", "notebook handling for releases and the magics", True),
    ("nbgrader", "nbgrader", "student editions and autograding (instructors only)", False),
)


def _version_of(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def _check(name: str, ok: bool | None, detail: str, fix: str = "") -> dict:
    """ok: True (fine), False (broken), None (a warning: works without it)."""
    return {"check": name, "status": "ok" if ok else ("warn" if ok is None else "fail"), "detail": detail,
            "fix": "" if ok else fix}


def doctor(ctx: Context) -> Result:
    checks = []
    py_ok = sys.version_info >= (3, 10)
    checks.append(_check("python", py_ok, f"Python {platform.python_version()} at {sys.executable}",
                         "Use Python 3.10 or newer."))
    for dist, mod, why, required in _DEPENDENCIES:
        version = _version_of(dist)
        found = version is not None and importlib.util.find_spec(mod) is not None
        fix = f"pip install {dist}" if required else "pip install 'tito-jupyter[instructor]'"
        checks.append(_check(dist, found if found or required else None,
                             f"{dist} {version} ({why})" if found else f"{dist} is not installed ({why})", fix))

    checks.extend(_jupyter_integration())

    try:
        course = ctx.course
    except ProjectNotFound as exc:
        checks.append(_check("course", False, exc.message, exc.hint or ""))
        course = None
    if course is not None:
        problems = [f"{m.id}: {p}" for m in course.modules for p in m.problems]
        problems += [f"{c.id}: {p}" for c in course.checkpoints for p in c.problems]
        checks.append(_check("course", not problems and bool(course.modules),
                             f"{len(course.modules)} modules and {len(course.checkpoints)} checkpoints in {course.root}"
                             + (": " + "; ".join(problems) if problems else ""),
                             "Run `tito module validate --all` for details."))
        pkg = course.package_dir / "__init__.py"
        checks.append(_check("package", pkg.is_file(), f"{PACKAGE}/ package in {course.root}",
                             "Run `tito system setup` to create it."))
        writable = os.access(course.state_dir if course.state_dir.exists() else course.root, os.W_OK)
        checks.append(_check("state", writable, f"{course.state_dir} is writable" if writable
                             else f"{course.state_dir} is not writable", "Fix the folder's permissions."))
    failed = [c for c in checks if c["status"] == "fail"]
    warned = [c for c in checks if c["status"] == "warn"]
    summary = (f"All {len(checks)} checks passed." if not failed and not warned else
               f"{len(failed)} problem(s), {len(warned)} warning(s) in {len(checks)} checks."
               + (" " + " ".join(f"{c['check']}: {c['fix']}" for c in failed) if failed else ""))
    return Result(command="system.doctor", ok=not failed, summary=summary, data={"checks": checks})


def _jupyter_integration() -> list[dict]:
    """Is the server extension enabled and the lab extension installed, as Jupyter would see them?"""
    checks = []
    try:
        from jupyter_core.paths import jupyter_config_path, jupyter_path
    except ImportError:
        return [_check("jupyter", False, "jupyter_core is not installed", "pip install jupyterlab")]
    enabled = None
    for folder in reversed(jupyter_config_path()):  # as jupyter_server reads them: the first folder wins, so last
        for conf in sorted(Path(folder, "jupyter_server_config.d").glob("*.json")):
            try:
                data = json.loads(conf.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            value = data.get("ServerApp", {}).get("jpserver_extensions", {}).get("tito_jupyter")
            if value is not None:
                enabled = bool(value)
    checks.append(_check("server extension", enabled is True,
                         "tito_jupyter is enabled in jupyter_server" if enabled else
                         "tito_jupyter is not enabled in jupyter_server (the sidebar and live magics need it)",
                         "pip install -e . (or: jupyter server extension enable tito_jupyter)"))
    installed = [Path(p, "labextensions", "tito-jupyter") for p in jupyter_path()]
    lab = next((p for p in installed if (p / "package.json").is_file()), None)
    checks.append(_check("lab extension", lab is not None, f"sidebar installed at {lab}" if lab else
                         "the tito sidebar is not installed in JupyterLab", "pip install -e . (it ships prebuilt)"))
    return checks


def info(ctx: Context) -> Result:
    data = {
        "tito_jupyter": __version__,
        "python": platform.python_version(),
        "executable": sys.executable,
        "platform": platform.platform(),
        "packages": {dist: _version_of(dist) for dist, *_ in _DEPENDENCIES},
    }
    try:
        course = ctx.course
        data["course"] = {"root": str(course.root), "modules": len(course.modules),
                          "checkpoints": len(course.checkpoints), "state_dir": str(course.state_dir)}
        data["usage_log"] = usage_log.summary(course)
    except ProjectNotFound:
        data["course"] = None
    where = data["course"]["root"] if data["course"] else "no course here"
    return Result(command="system.info", ok=True, summary=f"tito-jupyter {__version__} on Python "
                  f"{data['python']}; {where}.", data=data)


_CLEANABLE_DIRS = ("__pycache__", ".pytest_cache")


def clean(ctx: Context, dry_run: bool = False) -> Result:
    """Remove what tito and Python can rebuild; never notebooks, progress, backups or starting points.

    It waits for exports, test runs and checkpoints of the course to finish first (they work in the folders it
    empties), and says so in a sentence if they go on for too long.
    """
    course = ctx.course
    if dry_run:
        return _clean(course, dry_run)
    with build_cleaning(course.state_dir):
        return _clean(course, dry_run)


def _clean(course: Course, dry_run: bool) -> Result:
    targets: list[Path] = []
    build = course.state_dir / "build"
    if build.exists():
        targets.append(build)
    for folder in (course.package_dir, course.root / "tests", course.root / "modules", course.root / "milestones"):
        if folder.is_dir():
            for name in _CLEANABLE_DIRS:
                targets.extend(p for p in folder.rglob(name) if p.is_dir())
    for name in _CLEANABLE_DIRS:
        if (course.root / name).is_dir():
            targets.append(course.root / name)
    targets.extend(course.package_dir.rglob(f"*{TMP_SUFFIX}") if course.package_dir.is_dir() else [])
    removed = []
    size = 0
    for path in sorted(set(targets)):
        if not path.exists():
            continue
        size += sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) if path.is_dir() else path.stat().st_size
        removed.append(path.relative_to(course.root).as_posix())
        if not dry_run:
            shutil.rmtree(path) if path.is_dir() else path.unlink()
    verb = "Would remove" if dry_run else "Removed"
    return Result(command="system.clean", ok=True,
                  summary=f"{verb} {len(removed)} item(s), {size / 1024:.0f} KiB. Notebooks, progress and backups "
                          "are never touched.",
                  data={"removed": removed, "bytes": size, "dry_run": dry_run})


def setup(ctx: Context) -> Result:
    """Make the course ready: tito's folder, a starting point for every notebook, the package, a first export."""
    course = ctx.course
    course.state_dir.mkdir(exist_ok=True)
    atomic_write_text(course.state_dir / ".gitignore", "*\n")
    recorded = [m.id for m in course.modules if m.notebook.is_file() and record_starting_point(course, m)]
    init = course.package_dir / "__init__.py"
    if not init.exists():
        atomic_write_text(init, '"""TinyTorch: the framework you build yourself."""\n')
    exported = export_mod.export_modules(course, course.modules, ctx.events)
    summary = (f"Course ready in {course.root}: {len(course.modules)} modules, "
               f"{len(recorded)} new starting point(s) recorded. {exported.summary}")
    return Result(command="system.setup", ok=exported.ok, summary=summary,
                  data={"starting_points": recorded, "export": exported.to_dict()}, error=exported.error)
