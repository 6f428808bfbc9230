"""Reading module notebooks as plain JSON: cells, nbdev directives, solution markers.

nbformat costs over a second to import (jsonschema), so the hot paths (listing the course, deciding
whether an export is needed) read ``.ipynb`` files with :mod:`json` and these small helpers.
"""

from __future__ import annotations

import ast
import json
import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from .errors import TitoError

# CPython 3.11 and 3.12 share the AST constructor's recursion counter between threads: two threads in ast.parse
# at once can fail with "SystemError: AST constructor recursion depth mismatch" (python/cpython#106905). tito
# parses in threads (the release tests both editions at once, the server answers in threads, autograde grades
# in a pool), so every parse in tito goes through here, one at a time.
_PARSE_LOCK = threading.Lock()


def parse_python(source: str, filename: str = "<unknown>") -> ast.Module:
    """``ast.parse``, safe to call from several threads at once."""
    with _PARSE_LOCK:
        return ast.parse(source, filename)

_DIRECTIVE = re.compile(r"^\s*#\s*\|\s*([\w-]+)(.*)$")
_INLINE_TEST = re.compile(r"^def (test_\w+)\s*\(", re.MULTILINE)
_TINYTORCH_IMPORT = re.compile(r"^\s*(?:from|import)\s+tinytorch\.([\w.]+)", re.MULTILINE)
#: An export target: a dotted module name inside the package (``core.tensor``), ASCII identifiers only.
_EXPORT_TARGET = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")
MAX_EXPORT_TARGET = 200
#: nbgrader's region delimiters (its ClearSolutions and ClearHiddenTests defaults). nbgrader finds them anywhere in
#: a line (``# BEGIN SOLUTION``, ``### BEGIN SOLUTION``, ``x = 1  # BEGIN SOLUTION`` all open a region), so we do.
BEGIN_SOLUTION = "BEGIN SOLUTION"
END_SOLUTION = "END SOLUTION"
BEGIN_HIDDEN_TESTS = "BEGIN HIDDEN TESTS"
END_HIDDEN_TESTS = "END HIDDEN TESTS"


@dataclass(frozen=True)
class Cell:
    """One notebook cell, with its position (1-based, as a person counts) and its source text."""

    index: int
    cell_type: str
    source: str
    id: str = ""

    @property
    def directives(self) -> dict[str, str]:
        """The nbdev directives at the top of a code cell (``#| export`` -> ``{"export": ""}``)."""
        found: dict[str, str] = {}
        if self.cell_type != "code":
            return found
        for line in self.source.splitlines():
            if not line.strip():
                continue
            match = _DIRECTIVE.match(line)
            if not match:
                break
            found[match.group(1)] = match.group(2).strip()
        return found

    @property
    def is_export(self) -> bool:
        d = self.directives
        return "export" in d or "exports" in d or "exporti" in d


class NotebookError(TitoError):
    """A notebook that cannot be read or understood."""

    kind = "notebook_error"


#: How long a read waits for a save that Jupyter has under way to finish.
SAVE_SETTLE_SECONDS = 5.0


def _jupyter_save_in_progress(path: Path) -> bool:
    """Jupyter saves a notebook in place, keeping the old version as ``.~<name>`` until the write is done.

    A marker left by a crashed save is not a save in progress: only a recent one counts (its ctime, since
    Jupyter copies the old file's modification time onto it).
    """
    try:
        return time.time() - path.with_name(".~" + path.name).stat().st_ctime < 30
    except FileNotFoundError:
        return False


def read_notebook(path: Path, settle: float = SAVE_SETTLE_SECONDS) -> dict:
    """Parse a notebook file, with an error that names the file and the place when it is not valid JSON.

    A save in progress (the sidebar saves before an action, Jupyter writes the file in place) is waited for,
    up to ``settle`` seconds, so tito reads the notebook as saved, never half-written.
    """
    deadline = time.monotonic() + settle
    while _jupyter_save_in_progress(path) and time.monotonic() < deadline:
        time.sleep(0.02)
    while True:
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise NotebookError(f"Notebook {path} does not exist.") from None
        except UnicodeDecodeError as exc:
            raise NotebookError(f"Notebook {path} is not UTF-8 text ({exc.reason}).") from None
        try:
            nb = json.loads(text)
            break
        except json.JSONDecodeError as exc:
            if _jupyter_save_in_progress(path) and time.monotonic() < deadline:
                time.sleep(0.02)
                continue
            raise NotebookError(
                f"Notebook {path} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}).",
                hint="Open it in JupyterLab to repair it, or restore a backup (`tito module backups`).",
            ) from None
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise NotebookError(f"Notebook {path} has no list of cells; it is not a Jupyter notebook.")
    return nb


_CELLS_CACHE: dict[Path, tuple[tuple, list["Cell"]]] = {}


def read_cells(path: Path) -> list["Cell"]:
    """The cells of a notebook, parsed once per version of the file.

    A long-lived process (the server answers status requests every few seconds) would otherwise parse every
    notebook for every request. The file's identity and times say whether it is still the version parsed.
    """
    path = Path(path)
    try:
        st = path.stat()
        signature = (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
    except FileNotFoundError:
        signature = None
    cached = _CELLS_CACHE.get(path)
    if signature is not None and cached is not None and cached[0] == signature \
            and not _jupyter_save_in_progress(path):
        return cached[1]
    cells = cells_of(read_notebook(path))
    if signature is not None:
        _CELLS_CACHE[path] = (signature, cells)
    return cells


def cell_source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def cells_of(nb: dict) -> list[Cell]:
    """The notebook's cells as :class:`Cell` objects."""
    return [
        Cell(index=i + 1, cell_type=str(c.get("cell_type", "")), source=cell_source(c), id=str(c.get("id", "")))
        for i, c in enumerate(nb.get("cells", []))
        if isinstance(c, dict)
    ]


def default_exp(cells: list[Cell]) -> str | None:
    """The ``#| default_exp`` target (``core.tensor``), or None."""
    for cell in cells:
        target = cell.directives.get("default_exp")
        if target:
            return target.split()[0]
    return None


def export_targets(cells: list[Cell]) -> list[str]:
    """Every place the notebook's code goes: the ``#| default_exp`` target first, then any ``#| export <target>``.

    The targets are as written; :func:`export_target_problem` says whether each may be used.
    """
    targets: list[str] = []
    first = default_exp(cells)
    if first:
        targets.append(first)
    for cell in cells:
        if cell.cell_type != "code":
            continue
        for directive in ("export", "exports", "exporti"):
            words = cell.directives.get(directive, "").split()
            if words and words[0] not in targets:
                targets.append(words[0])
    return targets


def export_target_problem(target: str) -> str | None:
    """Why ``target`` cannot be an export target, or None when it can.

    nbdev turns a target into a file path under the package (``core.tensor`` -> ``tinytorch/core/tensor.py``),
    so anything but a dotted Python module name (a slash, ``..``, an absolute path) would write a file outside
    the package. This is the one rule: the course, validate, export and release all ask it.
    """
    if len(target) <= MAX_EXPORT_TARGET and _EXPORT_TARGET.fullmatch(target):
        return None
    shown = target if len(target) <= 60 else target[:60] + "…"
    return (f"the export target {shown!r} is not a dotted module name inside the package; write it as "
            "`#| default_exp core.name` (letters, digits and _ separated by dots: no slashes, no '..', "
            "no absolute path)")


def title(cells: list[Cell]) -> str | None:
    """The first markdown ``# `` heading."""
    for cell in cells:
        if cell.cell_type != "markdown":
            continue
        for line in cell.source.splitlines():
            if line.startswith("# "):
                return line[2:].strip()
    return None


def tinytorch_imports(text: str) -> set[str]:
    """Dotted submodules of ``tinytorch`` that a piece of code imports (``core.tensor``)."""
    return set(_TINYTORCH_IMPORT.findall(text))


def inline_test_names(source: str) -> list[str]:
    """The inline tests a cell defines: its top-level ``def test_...`` functions, found even if it does not parse."""
    return _INLINE_TEST.findall(source)


def export_fingerprint(cells: list[Cell]) -> str:
    """A hash of everything that decides what an export writes.

    That is what nbdev reads: cells with a directive (their source and id, which nbdev writes next to each
    cell's code) and the title cell (its ``> `` lines become the module's docstring). Outputs and other cells
    do not count, so running the notebook or editing a lesson's prose does not make it "changed".
    """
    import hashlib  # here: loading OpenSSL's hashes is a cost `tito list` (facts from the cache) does not pay

    h = hashlib.sha256()
    title_seen = False
    for cell in cells:
        is_title = cell.cell_type == "markdown" and not title_seen and cell.source.startswith("# ")
        title_seen = title_seen or is_title
        if is_title or _has_directive(cell):
            h.update(f"{cell.cell_type}\x00{cell.id}\x00{cell.source}\x00".encode("utf-8"))
    return h.hexdigest()


def current_export_fingerprint(path: Path) -> str:
    """The :func:`export_fingerprint` of the notebook at ``path`` as it is now, or ``""`` when it cannot be read.

    ``""`` matches no recorded fingerprint, so a file that is no longer a notebook never counts as the version
    that was tested or completed.
    """
    try:
        return export_fingerprint(read_cells(path))
    except NotebookError:
        return ""


def _has_directive(cell: Cell) -> bool:
    first = next((line for line in cell.source.splitlines() if line.strip()), "")
    return bool(_DIRECTIVE.match(first))


def _region_problems(cell: Cell, begin: str, end: str) -> list[str]:
    """The ``begin``/``end`` regions of one cell that nbgrader would refuse to strip, one sentence each.

    This is nbgrader's own walk (``ClearSolutions._replace_solution_region``): the source split on ``"\\n"``,
    a line holding ``begin`` opens a region (a second one before the region closes is an error), a line holding
    ``end`` closes it, and a region still open at the end of the cell is an error. nbgrader drops a lone ``end``
    line without a word; we refuse it too, because it is a marker out of place whose line would vanish silently.
    """
    problems = []
    opened_at = 0
    for lineno, line in enumerate(cell.source.split("\n"), start=1):
        if begin in line:
            if opened_at:
                problems.append(f"cell {cell.index}, line {lineno}: {begin} inside the region opened on line "
                                f"{opened_at} (nbgrader refuses nested regions; close the first with {end})")
            else:
                opened_at = lineno
        elif end in line:
            if not opened_at:
                problems.append(f"cell {cell.index}, line {lineno}: {end} without {begin}")
            opened_at = 0
    if opened_at:
        problems.append(f"cell {cell.index}, line {opened_at}: {begin} is never closed (add {end})")
    return problems


def solution_marker_problems(cells: list[Cell]) -> list[str]:
    """Solution and hidden-test regions that ``tito release student`` (nbgrader) would refuse, one sentence each.

    The one home of the marker rule: ``tito module validate`` reports these, and the release checks them before
    nbgrader strips a notebook, so both refuse the same notebooks with the same sentence.
    """
    problems = []
    for cell in cells:
        problems += _region_problems(cell, BEGIN_SOLUTION, END_SOLUTION)
        problems += _region_problems(cell, BEGIN_HIDDEN_TESTS, END_HIDDEN_TESTS)
    return problems


def solution_regions(cells: list[Cell]) -> int:
    """How many solution regions the cells open (lines holding ``BEGIN SOLUTION``, as nbgrader counts them)."""
    return sum(BEGIN_SOLUTION in line for cell in cells for line in cell.source.split("\n"))


#: The notebook metadata JupyterLab writes when it opens a course notebook on a Python kernel (``kernelspec``
#: from ipykernel's spec, ``language_info`` from the kernel's reply). Whatever differs is rewritten on open, and
#: the notebook opens marked modified before the student has typed anything. ``language_info.version`` is the
#: kernel's Python version, so it can match one Python only; the rule asks only that it is there.
OPENS_CLEAN_METADATA = {
    "kernelspec": {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"},
    "language_info": {"name": "python", "mimetype": "text/x-python",
                      "codemirror_mode": {"name": "ipython", "version": 3}, "pygments_lexer": "ipython3",
                      "nbconvert_exporter": "python", "file_extension": ".py"},
}


def opens_clean_problems(nb: dict) -> list[str]:
    """What JupyterLab would fill into the notebook when it opens it (so it opens marked modified), one sentence
    each: incomplete ``kernelspec``/``language_info`` metadata, a format older than 4.5, cells without ids."""
    problems = []
    metadata = nb.get("metadata") if isinstance(nb.get("metadata"), dict) else {}
    for section, expected in OPENS_CLEAN_METADATA.items():
        actual = metadata.get(section) if isinstance(metadata.get(section), dict) else {}
        for key, value in expected.items():
            if actual.get(key) != value:
                problems.append(f"metadata.{section}.{key} is {json.dumps(actual.get(key))}, "
                                f"JupyterLab writes {json.dumps(value)}")
    language = metadata.get("language_info")
    if not (isinstance(language, dict) and isinstance(language.get("version"), str) and language["version"]):
        problems.append("metadata.language_info.version is missing (JupyterLab writes the kernel's Python version)")
    version = (nb.get("nbformat"), nb.get("nbformat_minor"))
    if not all(isinstance(part, int) for part in version) or version < (4, 5):
        problems.append(f"the format is {nb.get('nbformat')}.{nb.get('nbformat_minor')}; JupyterLab saves 4.5")
    missing = [str(i) for i, cell in enumerate(nb.get("cells", []), start=1)
               if isinstance(cell, dict) and not cell.get("id")]
    if missing:
        problems.append(f"cell(s) {', '.join(missing)} have no id (JupyterLab gives them one)")
    return problems
