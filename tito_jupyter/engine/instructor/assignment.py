"""A module as an nbgrader assignment: ``tito nbgrader generate``.

The grade is the module's tests. The module notebook becomes nbgrader's source version through small
transforms, one per kind of cell (see :func:`source_notebook`):

- cells with ``### BEGIN SOLUTION`` become solution cells (nbgrader strips them on release);
- the ``#| default_exp`` cell and the inline test cells are locked; each inline test cell is a grade cell
  worth one point per ``def test_*`` it holds;
- one locked autograder cell per file of ``tests/modules/NN_name/`` is appended, worth one point per test
  function in the file; the file itself ships with the assignment (students have the tests anyway).

The grading plan (which tests each grade cell stands for) and the prerequisite modules, exported from the
instructor's notebooks, go to ``tito/<assignment>/`` of the nbgrader course, so that module 02 is graded on the
student's module 02 only. ``tito nbgrader autograde`` (:mod:`.autograde`) grades with these; nbgrader's own
``autograde`` grades the same cells by running the notebook. nbgrader's ``generate_assignment`` then does the
rest (checksums, the release version without solutions).
"""

from __future__ import annotations

import ast
import json
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ..._version import __version__
from ...course import COURSE_DATA_DIR, PACKAGE, Course, Module
from ...notebooks import cell_source, parse_python
from .. import files
from ..context import Context
from ..modules import select_modules
from ..results import Result
from .nbgrader_course import (PLAN_FILE, TESTS_FOLDER, TITO_FOLDER, GradingError, check_outcome, course_folder,
                              nbgrader_api, require_initialised, require_nbgrader)
from .release import build_edition

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


@dataclass
class _Plan:
    """What the transforms learn about a notebook while they mark it: nbgrader's cells, by kind."""

    grade_cells: list[dict] = field(default_factory=list)
    locked: list[str] = field(default_factory=list)
    solutions: list[str] = field(default_factory=list)
    used: set[str] = field(default_factory=set)

    def unique(self, base: str) -> str:
        """A grade id no other cell of the notebook has (nbgrader requires it)."""
        name, n = _grade_id(base), 1
        while name in self.used:
            n += 1
            name = f"{_grade_id(base)}_{n}"
        self.used.add(name)
        return name


def _clean(cell: dict) -> str:
    """A cell as nbgrader's source wants it: one source string, no outputs, no earlier nbgrader metadata."""
    source = cell["source"] = cell_source(cell)
    cell.setdefault("metadata", {}).pop("nbgrader", None)
    if cell.get("cell_type") == "code":
        cell["outputs"] = []
        cell["execution_count"] = None
    return source


def _mark(cell: dict, index: int, source: str, plan: _Plan) -> None:
    """Give one lesson cell its nbgrader role, or none: a written answer, a solution, a locked directive or a
    locked grade cell of inline tests."""
    kind = cell.get("cell_type")
    has_solution = "BEGIN SOLUTION" in source
    first = next((line for line in source.splitlines() if line.strip()), "")
    directives = first.replace(" ", "")
    if kind == "markdown" and has_solution:
        grade_id = plan.unique(f"answer_{index}")  # a written answer: nbgrader wants it graded by hand
        meta = _meta(grade_id, grade=True, solution=True, points=0)
        plan.solutions.append(grade_id)
    elif kind != "code":
        return
    elif has_solution:
        grade_id = plan.unique(f"solution_{index}")
        meta = _meta(grade_id, solution=True)
        plan.solutions.append(grade_id)
    elif directives.startswith("#|default_exp"):
        grade_id = plan.unique("default_exp")
        meta = _meta(grade_id, locked=True)
        plan.locked.append(grade_id)
    elif not directives.startswith("#|export") and (names := _inline_tests_of(source)):
        grade_id = plan.unique(names[0])
        meta = _meta(grade_id, grade=True, locked=True, points=len(names))
        plan.locked.append(grade_id)
        plan.grade_cells.append({"grade_id": grade_id, "kind": "inline", "points": len(names),
                                 "tests": [f"inline::{name}" for name in names]})
    else:
        return
    cell["metadata"]["nbgrader"] = meta


def _autograder_cells(module: Module, plan: _Plan) -> tuple[list[dict], list[str]]:
    """The locked cells appended to the notebook: a header, then one grade cell per test file of the module
    (worth a point per test function), and the names of the files they grade."""
    cells: list[dict] = []
    test_files: list[str] = []
    if module.test_files:
        grade_id = plan.unique("autograder_header")
        cells.append({"cell_type": "markdown", "id": "tito-autograder-header",
                      "metadata": {"nbgrader": _meta(grade_id, locked=True)},
                      "source": "## Autograder tests\n\nThe course's tests for this module, run against the code in "
                                "this notebook. Each cell shows how many of its tests pass. Do not edit."})
        plan.locked.append(grade_id)
    targets = list(module.targets)
    for path in module.test_files:
        names = test_functions(path.read_text(encoding="utf-8"))
        if not names:
            continue
        test_files.append(path.name)
        grade_id = plan.unique(f"tests_{path.stem}")
        cells.append({
            "cell_type": "code", "execution_count": None, "id": f"tito-{grade_id}"[:64], "outputs": [],
            "metadata": {"nbgrader": _meta(grade_id, grade=True, locked=True, points=len(names))},
            "source": f"# Autograder: {len(names)} test(s) of {TESTS_FOLDER}/{path.name}; the value is how many pass.\n"
                      "from tito_jupyter.engine.instructor.grading_kernel import run_test_file\n"
                      f"run_test_file(globals(), {targets!r}, {f'{TESTS_FOLDER}/{path.name}'!r})",
        })
        plan.locked.append(grade_id)
        plan.grade_cells.append({"grade_id": grade_id, "kind": "file", "file": path.name, "points": len(names),
                                 "tests": [f"{path.name}::{name}" for name in names]})
    return cells, test_files


def source_notebook(course: Course, module: Module) -> tuple[dict, dict]:
    """The nbgrader source version of a module notebook, and its grading plan.

    The converter: every cell is cleaned, then marked with its nbgrader role; the autograder cells follow.
    """
    nb = json.loads(module.notebook.read_text(encoding="utf-8"))
    cells = nb.setdefault("cells", [])
    plan = _Plan()
    for index, cell in enumerate(cells, start=1):
        _mark(cell, index, _clean(cell), plan)
    appended, test_files = _autograder_cells(module, plan)
    cells.extend(appended)
    return nb, {
        "assignment": module.id, "module": module.id, "notebook": module.id, "targets": list(module.targets),
        "grade_cells": plan.grade_cells, "locked_cells": plan.locked, "solution_cells": plan.solutions,
        "test_files": test_files, "max_score": sum(c["points"] for c in plan.grade_cells),
        "tito_version": __version__,
    }


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
    require_nbgrader()
    course = ctx.course
    folder = course_folder(ctx, course_dir)
    require_initialised(folder)
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
        check_outcome(api.generate_assignment(module.id, force=True, create=True), f"generate {module.id}")
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
