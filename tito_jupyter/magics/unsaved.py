"""Unsaved edits: has the kernel run export code that the saved notebook does not have?

tito exports the notebook as saved on disk. A student who changes an ``#| export`` cell and runs it sees the
new code work in the notebook; exporting the old file then would test code they no longer see. So before a
command that reads module notebooks, ``%tito`` compares the cells this kernel ran with the saved notebook:

- every cell the kernel runs is recorded (``pre_run_cell``) with the time it ran and, when the frontend sends
  it (JupyterLab does), its cell id;
- a recorded cell counts as unsaved when it is (or its saved version is) an export cell, its source differs
  from the saved cell with the same id, **and it ran after the notebook was last saved**. A notebook saved after
  the run holds what the editor showed at that time, so exporting it exports what the student sees;
- cells without an id (other frontends, nbclient) are matched to saved export cells by the names they define.

The sidebar saves a notebook with unsaved changes when a tito cell is scheduled, and tells the kernel first (a
``tito.save`` comm, sent on the shell channel ahead of the cell, so the kernel always hears it before the cell
runs). ``%tito`` then waits, bounded, for that save to land before it calls anything unsaved: the save and the
magic race otherwise, and a notebook Lab has just saved was reported as unsaved.

Pure functions over plain data; the magic supplies the notebook JSON and its save time.
"""

from __future__ import annotations

import ast
import time
from dataclasses import dataclass, field

from .. import notebooks


def _normal(source: str) -> str:
    return "\n".join(line.rstrip() for line in source.strip().splitlines())


def _is_export(source: str) -> bool:
    cell = notebooks.Cell(index=0, cell_type="code", source=source)
    return cell.is_export or "default_exp" in cell.directives


def _identity(source: str) -> tuple:
    """What an id-less export cell is about: the names it defines, else its first code line."""
    try:
        names = tuple(sorted(node.name for node in notebooks.parse_python(source).body
                             if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))))
    except SyntaxError:
        names = ()
    if names:
        return names
    code = [line.strip() for line in source.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    return (code[0],) if code else (_normal(source),)


@dataclass
class Ran:
    source: str
    at: float


@dataclass(frozen=True)
class SaveUnderWay:
    """A save the frontend announced: of which notebook, and when the copy it replaces was saved (if it said)."""

    path: str
    saved_before: float | None = None

    def landed(self, saved_at: float | None) -> bool:
        """Whether a copy saved at ``saved_at`` is this save's (newer than the one it replaces). Without the old
        time there is nothing to compare: the unsaved-cells check alone decides then."""
        if self.saved_before is None:
            return True
        # Half a millisecond: the server's time has microseconds, a file's own time finer.
        return saved_at is not None and saved_at > self.saved_before + 0.0005


@dataclass
class CellTracker:
    """The latest source the kernel ran for each cell (by id, or by identity for id-less export cells)."""

    by_id: dict[str, Ran] = field(default_factory=dict)
    by_identity: dict[tuple, Ran] = field(default_factory=dict)
    #: The save the frontend said it has started, until the next tito command takes it.
    save_under_way: SaveUnderWay | None = None

    def record(self, source: str, cell_id: str | None = None, at: float | None = None) -> None:
        ran = Ran(source, time.time() if at is None else at)
        if cell_id:
            self.by_id[cell_id] = ran
        elif _is_export(source):
            self.by_identity[_identity(source)] = ran

    def pre_run_cell(self, info) -> None:
        """IPython's ``pre_run_cell`` event."""
        if getattr(info, "raw_cell", None):
            self.record(info.raw_cell, getattr(info, "cell_id", None))

    def frontend_saving(self, path: str, saved_before: float | None = None) -> None:
        """The frontend has started saving ``path`` (its contents path) ahead of a tito cell; the copy on disk
        was saved at ``saved_before`` (the frontend's word) until then."""
        self.save_under_way = SaveUnderWay(path, saved_before)

    def take_save_under_way(self) -> SaveUnderWay | None:
        """The save the frontend has under way, if any; each announcement serves one command."""
        saving, self.save_under_way = self.save_under_way, None
        return saving

    def seed_from_history(self, inputs: list[str], at: float) -> None:
        """Cells run before the tracker existed (``%load_ext`` late): no ids, and at most ``at`` as their time."""
        for source in inputs:
            if source and _is_export(source):
                self.by_identity[_identity(source)] = Ran(source, at)


@dataclass(frozen=True)
class Unsaved:
    """One executed cell the saved notebook does not match; ``cell`` is its 1-based position, if known."""

    cell: int | None
    excerpt: str

    def describe(self) -> str:
        if self.cell is None:
            return f"a cell you ran (`{self.excerpt}`) is not in the saved notebook"
        return f"cell {self.cell} changed since the last save"


def unsaved_changes(tracker: CellTracker, saved: dict, saved_at: float | None) -> list[Unsaved]:
    """Executed export cells that differ from the saved notebook and ran after it was saved."""
    raw_cells = [c for c in saved.get("cells", []) if isinstance(c, dict)]
    cells = notebooks.cells_of(saved)
    by_id = {raw.get("id"): cell for raw, cell in zip(raw_cells, cells) if raw.get("id")}

    def newer(ran: Ran) -> bool:
        return saved_at is None or ran.at > saved_at

    found: list[Unsaved] = []
    for cell_id, ran in tracker.by_id.items():
        cell = by_id.get(cell_id)
        if cell is None:
            if _is_export(ran.source) and newer(ran):
                found.append(Unsaved(None, _excerpt(ran.source)))
            continue
        if cell.cell_type != "code" or not (_is_export(ran.source) or _is_export(cell.source)):
            continue
        if _normal(ran.source) != _normal(cell.source) and newer(ran):
            found.append(Unsaved(cell.index, _excerpt(ran.source)))
    exported = [c for c in cells if c.cell_type == "code" and _is_export(c.source)]
    for identity, ran in tracker.by_identity.items():
        if not newer(ran):
            continue
        same = [c for c in exported if _identity(c.source) == identity]
        if not same:
            found.append(Unsaved(None, _excerpt(ran.source)))
        elif all(_normal(c.source) != _normal(ran.source) for c in same):
            found.append(Unsaved(same[0].index, _excerpt(ran.source)))
    return sorted(set(found), key=lambda u: (u.cell is None, u.cell or 0, u.excerpt))


def _excerpt(source: str) -> str:
    for line in source.splitlines():
        stripped = line.strip()
        if stripped and not notebooks.Cell(0, "code", stripped).directives:
            return stripped[:60]
    return source.strip()[:60]


def message(found: list[Unsaved]) -> str:
    """The sentence the student reads."""
    numbered = [u.cell for u in found if u.cell is not None]
    parts = []
    if numbered:
        cells = ", ".join(str(n) for n in numbered)
        parts.append(f"cell{'s' if len(numbered) > 1 else ''} {cells} changed since the last save")
    parts += [u.describe() for u in found if u.cell is None]
    return ("Save the notebook (Ctrl-S) first: " + "; ".join(parts) + ". tito exports the saved notebook, and "
            "you ran code that is not saved yet. (If this notebook is not part of what you are running, add "
            "--ignore-unsaved.)")
