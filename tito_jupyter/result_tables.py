"""The default view of a result: which list in its ``data`` is worth a table, and the columns to show.

Both faces use it for a command that has no view of its own (a plugin's, or one whose data is a plain list of
rows): ``%tito`` always shows results this way, the terminal when the command has no view in
:mod:`tito_jupyter.cli.render`. Data in, rows of text out; nothing here knows a command by name.
"""

from __future__ import annotations

#: Which list in a result's data is worth a table, and the columns to show (those present are used).
TABLES = (
    ("modules", ("id", "title", "state", "changed", "tests", "missing_prerequisites")),
    ("checkpoints", ("id", "question", "state", "missing_modules")),
    ("timeline", ("kind", "id", "title", "state")),
    ("milestones", ("id", "title", "state")),
    ("rows", ("name", "median_ms", "ci_low_ms", "ci_high_ms", "repeats")),   # tito benchmark
    ("history", ("file", "created", "not_run")),                             # tito benchmark --list
)


def cell(column: str, value) -> str:
    """A value as a table shows it."""
    if value is None:
        return ""
    if isinstance(value, dict) and "total" in value:
        return f"{value.get('passed', 0)}/{value['total']} passed" + (", timed out" if value.get("timed_out") else "")
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, bool):
        return "yes" if value else ""
    if isinstance(value, float):  # a measurement (milliseconds): its significant digits, not float noise
        return f"{value:.4g}"
    return str(value).replace("_", " ") if column == "state" else str(value)


def table(result: dict) -> tuple[list[str], list[list[str]]] | None:
    """(columns, rows) of the first list in ``result["data"]`` worth a table, or None if there is none."""
    data = result.get("data") or {}
    if not isinstance(data, dict):
        return None
    for key, wanted in TABLES:
        rows = data.get(key)
        if not isinstance(rows, list) or not rows or not all(isinstance(r, dict) for r in rows):
            continue
        columns = [c for c in wanted if c in rows[0]]
        if len(columns) >= 2:
            return columns, [[cell(c, r.get(c)) for c in columns] for r in rows]
    return None
