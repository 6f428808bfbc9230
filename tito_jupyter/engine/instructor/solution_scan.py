"""Solution text: what counts as secret in the instructor's material, and finding it in a folder.

A *secret line* is a line inside a ``BEGIN SOLUTION`` / ``END SOLUTION`` region of an instructor notebook
(or any instructor file that carries the markers) that does not also appear outside those regions in
material students see anyway (the notebooks' other cells, the tests, support files). Very short lines
(``return x``, ``else:``) are not distinctive enough to prove a leak and are left out.

:func:`scan` reads every file of a folder (notebooks as their JSON strings, other text files line by line)
and reports each secret line it finds, and every solution marker left behind.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from ...notebooks import BEGIN_SOLUTION as BEGIN
from ...notebooks import END_SOLUTION as END

#: Lines shorter than this (after stripping) are too common to count as leaked solution text.
MIN_SECRET_LENGTH = 12


@dataclass
class Secrets:
    """The secret lines, each with where it came from (``modules/01_tensor/01_tensor.ipynb``)."""

    lines: dict[str, str] = field(default_factory=dict)
    solution_lines: int = 0  # every non-blank line inside a solution region, before filtering

    def __len__(self) -> int:
        return len(self.lines)


def split_regions(text: str) -> tuple[list[str], list[str]]:
    """(lines inside solution regions, lines outside them) of one cell or file, markers excluded."""
    inside: list[str] = []
    outside: list[str] = []
    depth = 0
    for line in text.splitlines():
        if BEGIN in line:
            depth += 1
        elif END in line:
            depth = max(0, depth - 1)
        elif depth:
            inside.append(line)
        else:
            outside.append(line)
    return inside, outside


def _texts_of(path: Path) -> list[str] | None:
    """The text pieces of a file: a notebook's strings (sources, outputs), or the file; None if binary."""
    try:
        raw = path.read_bytes()
    except OSError:
        return None
    if b"\x00" in raw[:8192]:
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if path.suffix == ".ipynb":
        try:
            return list(_strings(json.loads(text)))
        except ValueError:
            pass
    return [text]


def _strings(value):
    """Every string in a JSON value; a notebook's list-of-lines sources are joined first."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        if value and all(isinstance(v, str) for v in value):
            yield "".join(value)
        else:
            for v in value:
                yield from _strings(v)
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)


def collect_secrets(instructor_files: list[Path], public_files: list[Path], root: Path) -> Secrets:
    """The secret lines of ``instructor_files``, less any line that also appears in public material.

    Public material is every line outside solution regions in ``instructor_files`` and every line of
    ``public_files`` (tests and support files that are handed out as they are).
    """
    candidates: dict[str, str] = {}
    public: set[str] = set()
    total = 0
    for path in instructor_files:
        where = path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
        for text in _texts_of(path) or []:
            inside, outside = split_regions(text)
            public.update(line.strip() for line in outside)
            for line in inside:
                stripped = line.strip()
                if stripped:
                    total += 1
                    candidates.setdefault(stripped, where)
    for path in public_files:
        for text in _texts_of(path) or []:
            public.update(line.strip() for line in text.splitlines())
    secrets = {line: where for line, where in candidates.items()
               if len(line) >= MIN_SECRET_LENGTH and line not in public}
    return Secrets(lines=secrets, solution_lines=total)


def scan(folder: Path, secrets: Secrets) -> dict:
    """Look through every file under ``folder`` for secret lines and left-over solution markers."""
    leaks: list[dict] = []
    scanned = skipped = 0
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        rel = path.relative_to(folder).as_posix()
        texts = _texts_of(path)
        if texts is None:
            skipped += 1
            continue
        scanned += 1
        for text in texts:
            for lineno, line in enumerate(text.splitlines(), start=1):
                stripped = line.strip()
                if BEGIN in stripped or END in stripped:
                    leaks.append({"file": rel, "line": lineno, "text": stripped, "kind": "marker", "source": None})
                elif stripped in secrets.lines:
                    leaks.append({"file": rel, "line": lineno, "text": stripped, "kind": "solution",
                                  "source": secrets.lines[stripped]})
    return {"files_scanned": scanned, "binary_files_skipped": skipped, "secret_lines": len(secrets),
            "solution_lines": secrets.solution_lines, "leaks": leaks}
