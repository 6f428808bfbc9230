"""Submissions for nbgrader courses made by :func:`course_factory.make_course`: answers written into the
handed-out notebook, dropped into ``submitted/`` as nbgrader's collect would leave them."""

from __future__ import annotations

import json
from pathlib import Path

#: What nbgrader leaves in place of a solution in the handed-out notebook.
STUB = "# YOUR CODE HERE\n    raise NotImplementedError()"


def released_notebook(nbgrader: Path, assignment: str) -> dict:
    return json.loads((nbgrader / "release" / assignment / f"{assignment}.ipynb").read_text())


def answer(nb: dict, code: str) -> dict:
    """The handed-out notebook with the student's code where the stub was."""
    nb = json.loads(json.dumps(nb))
    for cell in nb["cells"]:
        source = "".join(cell["source"])
        if STUB in source:
            cell["source"] = source.replace(STUB, code)
    return nb


def submit(nbgrader: Path, student: str, assignment: str, nb: dict | str) -> Path:
    folder = nbgrader / "submitted" / student / assignment
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{assignment}.ipynb"
    path.write_text(nb if isinstance(nb, str) else json.dumps(nb))
    return path
