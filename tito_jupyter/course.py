"""The course: the one source of truth for modules, their order, export targets, prerequisites and checkpoints.

Everything here is read from the files of the project, never written down twice:

- a module is a folder ``modules/NN_name/`` with one notebook; its number gives the order;
- its export targets come from the notebook's ``#| default_exp`` / ``#| export <target>`` directives;
- its prerequisites are the modules that export what its code imports (``from tinytorch.core.tensor ...``);
- a checkpoint is a file ``tests/checkpoints/cNN_name.py``; the first line of its docstring is the capability
  question, the modules it needs are computed from its imports the same way, and it is unlocked by the last
  of those modules in course order.

Adding module 21 is adding a folder. Nothing else needs to learn about it.
"""

from __future__ import annotations

import ast
import dataclasses
import fnmatch
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

from . import notebooks
from .course_cache import FactsCache
from .course_root import MODULES_DIR, STATE_DIR, at_or_above
from .errors import ProjectNotFound, UnknownNameError

PACKAGE = "tinytorch"
MODULE_TESTS_DIR = Path("tests") / "modules"
CHECKPOINTS_DIR = Path("tests") / "checkpoints"
MILESTONES_DIR = "milestones"
#: Data the course's tests and lessons read (the digits, the sonnets). Every edition and every nbgrader assignment
#: carries it at the same place relative to the tests, and tests find it by looking upwards from their own file.
COURSE_DATA_DIR = Path(MILESTONES_DIR) / "data"

# [0-9], not \d: only ASCII digits are numbers (\d also matches ٠١, १, ０１ and int() reads them).
_MODULE_FOLDER = re.compile(r"^([0-9]{2,3})_([a-z][a-z0-9_]*)$")
_MILESTONE_FOLDER = re.compile(r"^([0-9]{4})_([a-z][a-z0-9_]*)$")
_CHECKPOINT_FILE = re.compile(r"^c([0-9]{2,3})_([a-z][a-z0-9_]*)\.py$")
_ASCII_NUMBER = re.compile(r"[0-9]+")
#: How much of a name a message repeats: a 100,000-character name must not become a 1,000-line message.
SHOWN_NAME_CHARS = 40


@dataclass(frozen=True)
class Module:
    """One module of the course, as its files describe it."""

    id: str
    number: int
    name: str
    folder: Path
    notebook: Path
    title: str
    targets: tuple[str, ...]
    imports: tuple[str, ...]
    inline_tests: tuple[str, ...]
    test_files: tuple[Path, ...]
    requires: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()

    @property
    def export_target(self) -> str | None:
        return self.targets[0] if self.targets else None

    def to_dict(self, root: Path) -> dict:
        return {
            "id": self.id,
            "number": self.number,
            "name": self.name,
            "title": self.title,
            "notebook": self.notebook.relative_to(root).as_posix(),
            "export_target": f"{PACKAGE}.{self.export_target}" if self.export_target else None,
            "targets": [f"{PACKAGE}.{t}" for t in self.targets],
            "requires": list(self.requires),
            "inline_tests": len(self.inline_tests),
            "test_files": [p.relative_to(root).as_posix() for p in self.test_files],
            "problems": list(self.problems),
        }


@dataclass(frozen=True)
class Checkpoint:
    """A capability test ("Can I build and run an MLP?") over the exported package."""

    id: str
    number: int
    name: str
    question: str
    path: Path
    requires: tuple[str, ...]
    unlocked_by: str | None
    problems: tuple[str, ...] = ()

    def to_dict(self, root: Path) -> dict:
        return {
            "id": self.id,
            "number": self.number,
            "name": self.name,
            "question": self.question,
            "path": self.path.relative_to(root).as_posix(),
            "requires": list(self.requires),
            "unlocked_by": self.unlocked_by,
            "problems": list(self.problems),
        }


@dataclass(frozen=True)
class Milestone:
    """A moment of history reproduced with the student's own framework (``milestones/1957_perceptron/run.py``)."""

    id: str
    year: int
    name: str
    title: str
    script: Path
    requires: tuple[str, ...]
    problems: tuple[str, ...] = ()

    @property
    def number(self) -> int:
        return self.year

    def to_dict(self, root: Path) -> dict:
        return {"id": self.id, "year": self.year, "name": self.name, "title": self.title,
                "script": self.script.relative_to(root).as_posix(), "requires": list(self.requires),
                "problems": list(self.problems)}


@dataclass
class Course:
    """The modules and checkpoints of a project folder, read from its files."""

    root: Path
    modules: list[Module] = field(default_factory=list)
    checkpoints: list[Checkpoint] = field(default_factory=list)
    milestones: list[Milestone] = field(default_factory=list)
    #: What was read from each file, kept between runs (see :mod:`.course_cache`).
    facts: FactsCache | None = field(default=None, repr=False, compare=False)

    # -- loading -----------------------------------------------------------------------------------

    @classmethod
    def load(cls, root: Path | str) -> "Course":
        """The course in ``root``, read again only when one of its files changed (the server asks often)."""
        root = Path(root).resolve()
        stamps = signature(root)
        cached = _LOADED.get(root)
        if cached is not None and cached[0] == stamps:
            return cached[1]
        cache = FactsCache(root)
        course = cls(root=root, facts=cache)
        course.modules = _read_modules(root, cache)
        course.checkpoints = _read_checkpoints(root, course.modules, cache)
        course.milestones = _read_milestones(root, course.modules, cache)
        cache.save()
        _LOADED[root] = (stamps, course)
        return course

    @classmethod
    def find(cls, start: Path | str | None = None) -> "Course":
        """The course in ``start`` (default: ``$TITO_PROJECT`` or the working directory) or a folder above it."""
        return cls.load(find_project_root(start))

    @property
    def state_dir(self) -> Path:
        return self.root / STATE_DIR

    @property
    def package_dir(self) -> Path:
        return self.root / PACKAGE

    def notebook_facts(self, module: Module) -> dict:
        """The facts of ``module``'s notebook as the file is now (title, targets, imports, inline tests, export
        fingerprint): read from the cache while the file is unchanged, else parsed (``NotebookError``)."""
        if notebooks._jupyter_save_in_progress(module.notebook):
            return _notebook_facts(module.notebook)  # read as saved: read_notebook waits for the save to finish
        cache = self.facts or FactsCache(self.root)
        facts = cache.facts(module.notebook, "notebook", _notebook_facts, NOTEBOOK_FACTS)
        cache.save()
        return facts

    # -- names -------------------------------------------------------------------------------------

    def module(self, name: str) -> Module:
        """A module by any name a person would use: ``01_tensor``, ``01``, ``1``, ``tensor``."""
        return _resolve(name, self.modules, "module", "`tito module list`")

    def checkpoint(self, name: str) -> Checkpoint:
        """A checkpoint by ``c01_tensors``, ``c01``, ``01``, ``1`` or ``tensors``."""
        return _resolve(name, self.checkpoints, "checkpoint", "`tito checkpoint status`")

    def milestone(self, name: str) -> Milestone:
        """A milestone by ``1957_perceptron``, ``1957`` or ``perceptron``."""
        return _resolve(name, self.milestones, "milestone", "`tito milestone list`")

    def module_for_path(self, path: Path | str) -> Module | None:
        """The module a notebook (or any file in a module folder) belongs to."""
        path = Path(path)
        if not path.is_absolute():
            path = self.root / path
        path = path.resolve()
        for module in self.modules:
            if path == module.notebook or module.folder in path.parents:
                return module
        return None

    def modules_exporting(self, target: str) -> list[Module]:
        return [m for m in self.modules if target in m.targets]

    def unlocked_checkpoints(self, module: Module) -> list[Checkpoint]:
        """The checkpoints whose last prerequisite is this module: completing it unlocks them."""
        return [c for c in self.checkpoints if c.unlocked_by == module.id]

    def to_dict(self) -> dict:
        return {
            "root": str(self.root),
            "package": PACKAGE,
            "modules": [m.to_dict(self.root) for m in self.modules],
            "checkpoints": [c.to_dict(self.root) for c in self.checkpoints],
            "milestones": [m.to_dict(self.root) for m in self.milestones],
        }


# -- discovery ---------------------------------------------------------------------------------------

_LOADED: dict[Path, tuple[tuple, "Course"]] = {}


#: The files a course is read from, as (folder, pattern of the names in it, pattern of the names in its folders):
#: ``modules/*`` and ``modules/*/*.ipynb``, and so on. ``None``: nothing is read below that level.
_SIGNATURE_GLOBS = ((MODULES_DIR, "*", "*.ipynb"), (MODULE_TESTS_DIR.as_posix(), "*", "test_*.py"),
                    (CHECKPOINTS_DIR.as_posix(), "c*.py", None), (MILESTONES_DIR, "*", ("run.py", "README.md")))


def signature(root: Path) -> tuple:
    """Every file the course is read from, with its identity and times: equal signatures, equal courses.

    Asked at every status request of the server, so walked with ``os.scandir`` and plain strings: pathlib's glob
    took two thirds of a module status's time."""
    entries = []

    def add(path: str) -> bool:
        try:
            st = os.stat(path)
        except (FileNotFoundError, NotADirectoryError):
            return False
        entries.append((path, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns))
        return stat.S_ISDIR(st.st_mode)

    for folder, pattern, inner in _SIGNATURE_GLOBS:
        top = os.path.join(str(root), *folder.split("/"))
        for name in _names(top, pattern):
            path = os.path.join(top, name)
            if add(path) and inner is not None:
                for below in (_names(path, inner) if isinstance(inner, str) else inner):
                    add(os.path.join(path, below))
    return tuple(sorted(entries))


def _names(folder: str, pattern: str) -> list[str]:
    """The names in ``folder`` that match ``pattern`` (as a glob matches them here: dot files too)."""
    try:
        with os.scandir(folder) as found:
            return fnmatch.filter([entry.name for entry in found], pattern)
    except (FileNotFoundError, NotADirectoryError):
        return []



def course_folder(chosen: Path | str | None = None, here: Path | str | None = None) -> Path:
    """Which folder is the course: the one rule the CLI, ``%tito`` and the server all follow.

    The first that is given: the folder ``chosen`` explicitly (``--project``, ``%tito --project``, the server's
    ``TitoExtension.project``), else ``$TITO_PROJECT``, else where the face stands (``here``: the CLI's working
    folder, the notebook's folder for ``%tito``, the server's root folder; the working folder if None). From
    there, the nearest folder at or above it that has a ``modules/`` folder.
    """
    return _course_at_or_above(chosen or os.environ.get("TITO_PROJECT") or here or Path.cwd())


def find_project_root(start: Path | str | None = None) -> Path:
    """The course at or above ``start``; without ``start``, the course by :func:`course_folder`'s rule."""
    return course_folder(chosen=start)


def _course_at_or_above(start: Path | str) -> Path:
    start, found = at_or_above(os.fspath(start))
    if found is not None:
        return Path(found)
    raise ProjectNotFound(
        f"No TinyTorch course found in {start} or any folder above it (looked for a `{MODULES_DIR}/` folder).",
        hint="Run tito from inside the course folder, or pass --project DIR (or set TITO_PROJECT).",
    )


def _pick_notebook(folder: Path, name: str) -> Path | None:
    candidates = sorted(p for p in folder.glob("*.ipynb") if not p.name.startswith("."))
    for preferred in (f"{folder.name}.ipynb", f"{name}.ipynb"):
        for p in candidates:
            if p.name == preferred:
                return p
    return candidates[0] if len(candidates) == 1 else None


NOTEBOOK_FACTS = ("title", "targets", "default_exp", "imports", "inline", "has_cells", "fingerprint")
SCRIPT_FACTS = ("line", "problems", "imports")


def _notebook_facts(notebook: Path) -> dict:
    """What the course needs from a notebook (JSON-serialisable, for :mod:`.course_cache`)."""
    cells = notebooks.read_cells(notebook)
    imports: set[str] = set()
    inline: list[str] = []
    for cell in cells:
        if cell.cell_type != "code":
            continue
        imports |= notebooks.tinytorch_imports(cell.source)
        if not cell.is_export:
            inline.extend(notebooks.inline_test_names(cell.source))
    return {"title": notebooks.title(cells), "targets": notebooks.export_targets(cells),
            "default_exp": notebooks.default_exp(cells), "imports": sorted(imports), "inline": inline,
            "has_cells": bool(cells), "fingerprint": notebooks.export_fingerprint(cells)}


def _script_facts(script: Path) -> dict:
    """What the course needs from a checkpoint or milestone script: its docstring's first line and imports."""
    text = script.read_text(encoding="utf-8")
    line, problems = _docstring_line(text, script.name)
    return {"line": line, "problems": problems, "imports": sorted(notebooks.tinytorch_imports(text))}


def _read_modules(root: Path, cache: FactsCache) -> list[Module]:
    """Every module folder of the course (``NN_name``), in order, with its prerequisites."""
    found: list[Module] = []
    for folder in sorted(p for p in (root / MODULES_DIR).iterdir() if p.is_dir()):
        match = _MODULE_FOLDER.match(folder.name)
        if match:
            found.append(_read_module(root, folder, int(match.group(1)), match.group(2), cache))
    found.sort(key=lambda m: (m.number, m.name))
    return _with_prerequisites(found)


_NO_FACTS = {"title": None, "targets": [], "default_exp": None, "imports": [], "inline": [], "has_cells": False}


def _read_module(root: Path, folder: Path, number: int, name: str, cache: FactsCache) -> Module:
    """One module folder: its notebook's facts, its test files, and what is wrong with it (``problems``)."""
    notebook = _pick_notebook(folder, name)
    problems: list[str] = []
    facts = _NO_FACTS
    if notebook is None:
        problems.append(f"{folder.relative_to(root)} has no single notebook (expected {folder.name}.ipynb)")
        notebook = folder / f"{folder.name}.ipynb"
    else:
        try:
            facts = cache.facts(notebook, "notebook", _notebook_facts, NOTEBOOK_FACTS)
        except notebooks.NotebookError as exc:
            problems.append(exc.message)
    targets = []
    for written in facts["targets"]:
        problem = notebooks.export_target_problem(written)
        if problem:  # never a target: it would name a file outside the package
            problems.append(f"{notebook.relative_to(root)}: {problem}")
        else:
            targets.append(written)
    if facts["has_cells"] and not facts["default_exp"]:
        problems.append(f"{notebook.relative_to(root)} has no `#| default_exp` cell")
    tests_dir = root / MODULE_TESTS_DIR / folder.name
    return Module(
        id=folder.name,
        number=number,
        name=name,
        folder=folder,
        notebook=notebook,
        title=facts["title"] or name.replace("_", " ").title(),
        targets=tuple(targets),
        imports=tuple(sorted(set(facts["imports"]))),
        inline_tests=tuple(facts["inline"]),
        test_files=tuple(sorted(tests_dir.glob("test_*.py"))) if tests_dir.is_dir() else (),
        problems=tuple(problems),
    )


def _with_prerequisites(found: list[Module]) -> list[Module]:
    """``found`` (in course order) with each module's prerequisites: whoever exports what it imports."""
    exporters = {t: m.id for m in found for t in m.targets}
    order = {m.id: i for i, m in enumerate(found)}
    resolved = []
    for m in found:
        requires, problems = _requires_from_imports(m.imports, exporters, own=m.id)
        requires = sorted(requires, key=order.__getitem__)
        resolved.append(dataclasses.replace(m, requires=tuple(requires), problems=m.problems + tuple(problems)))
    return resolved


def _requires_from_imports(imports, exporters: dict[str, str], own: str | None) -> tuple[set[str], list[str]]:
    requires: set[str] = set()
    problems = []
    for imported in imports:
        # `from tinytorch.core.tensor import X` and `import tinytorch.core.tensor.sub` both count.
        owner = None
        parts = imported.split(".")
        for n in range(len(parts), 0, -1):
            owner = exporters.get(".".join(parts[:n]))
            if owner:
                break
        if owner is None:
            problems.append(f"imports tinytorch.{imported}, which no module exports")
        elif owner != own:
            requires.add(owner)
    return requires, problems


def _needs(imports, modules: list[Module]) -> tuple[tuple[str, ...], list[str]]:
    """The modules a script (checkpoint, milestone) needs, in course order, from its ``tinytorch`` imports."""
    exporters = {t: m.id for m in modules for t in m.targets}
    order = {m.id: i for i, m in enumerate(modules)}
    requires, problems = _requires_from_imports(imports, exporters, own=None)
    return tuple(sorted(requires, key=order.__getitem__)), problems


def _docstring_line(text: str, name: str) -> tuple[str, list[str]]:
    """The first line of a script's docstring, and a problem if it has none or does not parse."""
    try:
        lines = (ast.get_docstring(notebooks.parse_python(text)) or "").strip().splitlines()
    except SyntaxError as exc:
        return "", [f"{name} line {exc.lineno}: {exc.msg}"]
    return (lines[0], []) if lines else ("", [f"{name} has no docstring stating what it is"])


def _read_checkpoints(root: Path, modules: list[Module], cache: FactsCache) -> list[Checkpoint]:
    folder = root / CHECKPOINTS_DIR
    if not folder.is_dir():
        return []
    found = []
    for path in sorted(folder.glob("c*.py")):
        match = _CHECKPOINT_FILE.match(path.name)
        if not match:
            continue
        facts = cache.facts(path, "script", _script_facts, SCRIPT_FACTS)
        question, problems = facts["line"], list(facts["problems"])
        ordered, import_problems = _needs(facts["imports"], modules)
        problems += import_problems
        found.append(
            Checkpoint(
                id=path.stem,
                number=int(match.group(1)),
                name=match.group(2),
                question=question or match.group(2).replace("_", " "),
                path=path,
                requires=ordered,
                unlocked_by=ordered[-1] if ordered else None,
                problems=tuple(problems),
            )
        )
    found.sort(key=lambda c: (c.number, c.name))
    return found


def _read_milestones(root: Path, modules: list[Module], cache: FactsCache) -> list[Milestone]:
    folder = root / MILESTONES_DIR
    if not folder.is_dir():
        return []
    found = []
    for sub in sorted(p for p in folder.iterdir() if p.is_dir()):
        match = _MILESTONE_FOLDER.match(sub.name)
        script = sub / "run.py"
        if not match or not script.is_file():
            continue
        facts = cache.facts(script, "script", _script_facts, SCRIPT_FACTS)
        readme = sub / "README.md"
        title = next((line[2:].strip() for line in readme.read_text(encoding="utf-8").splitlines()
                      if line.startswith("# ")), "") if readme.is_file() else ""
        problems: list[str] = []
        if not title:
            title, problems = facts["line"], list(facts["problems"])
        requires, import_problems = _needs(facts["imports"], modules)
        found.append(Milestone(id=sub.name, year=int(match.group(1)), name=match.group(2),
                               title=title or sub.name, script=script, requires=requires,
                               problems=tuple(problems + import_problems)))
    return found


def whole_number(text: str) -> int | None:
    """``text`` as a number of ASCII digits (``07`` -> 7), or None.

    ``str.isdigit`` is true for ``²``, ``①``, ``٠١``, ``१``, ``𝟎𝟏``, ``０１``, and ``int()`` reads some of those and
    crashes on others; a name or a count typed by a person is a number only when it is written in 0-9.
    """
    return int(text) if isinstance(text, str) and _ASCII_NUMBER.fullmatch(text) else None


def shown_name(raw: str) -> str:
    """A name as a message repeats it: quoted, and cut to its first characters with its length when long."""
    if len(raw) <= SHOWN_NAME_CHARS:
        return repr(raw)
    return f"{raw[:SHOWN_NAME_CHARS]!r}… ({len(raw):,} characters)"


def _resolve(name: str, items: list, kind: str, list_command: str):
    raw = str(name).strip()
    # Names of the course are ASCII; lower() maps some other letters onto ASCII ones (the Kelvin sign to k).
    key = raw.lower() if raw.isascii() else raw
    if key.endswith(".ipynb") or "/" in key:
        key = Path(key).stem if key.endswith(".ipynb") else Path(key).name
    for item in items:
        if key in (item.id, item.name):
            return item
    number = whole_number(key[1:] if kind == "checkpoint" and key.startswith("c") else key)
    if number is not None:
        matches = [item for item in items if item.number == number]
        if len(matches) == 1:
            return matches[0]
    names = [item.id for item in items]
    pool = names + [item.name for item in items]
    # A name far longer than any the course has cannot be a typo of one (and difflib's time grows with it).
    longest = max((len(n) for n in pool), default=0)
    import difflib  # only for a name the course does not have

    close = difflib.get_close_matches(key, pool, n=1, cutoff=0.5) if len(key) <= 2 * longest + 10 else []
    suggestion = ""
    if close:
        best = next(item.id for item in items if close[0] in (item.id, item.name))
        suggestion = f" Did you mean {best!r}?"
    listing = ", ".join(names) if names else f"(the course has no {kind}s yet)"
    raise UnknownNameError(
        f"There is no {kind} called {shown_name(raw)}.{suggestion} The course has: {listing}.",
        hint=f"See {list_command}.",
        choices=names,
        suggestion=(best if close else None),
    )
