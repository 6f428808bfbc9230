"""Small real courses built inside tests: real notebooks on disk, real nbdev, real pytest.

``make_course(tmp_path)`` writes a two-module course (``01_numbers``, ``02_doubling``) with inline tests,
external tests and a checkpoint. Tests change it through ``write_notebook`` to break or fix things.
"""

from __future__ import annotations

import json
from pathlib import Path

from tito_jupyter.notebooks import OPENS_CLEAN_METADATA

NUMBERS_EXPORT = '''#| export
def add(a, b):
    "Add two numbers."
    ### BEGIN SOLUTION
    return a + b
    ### END SOLUTION
'''

DOUBLING_EXPORT = '''#| export
from tinytorch.core.numbers import add


def double(x):
    "Twice x, through add."
    ### BEGIN SOLUTION
    return add(x, x)
    ### END SOLUTION
'''


def notebook(*cells: tuple[str, str]) -> dict:
    return {
        "cells": [
            {"cell_type": kind, "id": f"cell-{i}", "metadata": {}, "source": source,
             **({"outputs": [], "execution_count": None} if kind == "code" else {})}
            for i, (kind, source) in enumerate(cells)
        ],
        "metadata": {**OPENS_CLEAN_METADATA,
                     "language_info": {**OPENS_CLEAN_METADATA["language_info"], "version": "3.11.7"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def numbers_notebook(export_source: str = NUMBERS_EXPORT) -> dict:
    return notebook(
        ("markdown", "# Numbers\n\nAdding things up."),
        ("code", "#| default_exp core.numbers"),
        ("code", "import numpy as np"),
        ("code", export_source),
        ("code", "def test_unit_add():\n    assert add(2, 3) == 5, f'add(2, 3) gave {add(2, 3)}'\n\ntest_unit_add()"),
        ("code", "def test_unit_add_negative():\n    assert add(-1, 1) == 0\n\ntest_unit_add_negative()"),
    )


def doubling_notebook(export_source: str = DOUBLING_EXPORT) -> dict:
    return notebook(
        ("markdown", "# Doubling"),
        ("code", "#| default_exp core.doubling"),
        ("code", export_source),
        ("code", "def test_unit_double():\n    assert double(4) == 8\n\ntest_unit_double()"),
    )


def write_notebook(path: Path, nb: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(nb, indent=1))


def make_course(root: Path, with_checkpoint: bool = True) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    write_notebook(root / "modules/01_numbers/01_numbers.ipynb", numbers_notebook())
    write_notebook(root / "modules/02_doubling/02_doubling.ipynb", doubling_notebook())
    (root / "tests/modules/01_numbers").mkdir(parents=True)
    (root / "tests/modules/01_numbers/test_numbers.py").write_text(
        "from tinytorch.core.numbers import add\n\n\n"
        "def test_add_floats():\n    assert add(0.5, 0.25) == 0.75\n"
    )
    if with_checkpoint:
        (root / "tests/checkpoints").mkdir(parents=True)
        (root / "tests/checkpoints/c01_arithmetic.py").write_text(
            '"""Can I do arithmetic with my own functions?"""\n'
            "from tinytorch.core.doubling import double\nfrom tinytorch.core.numbers import add\n\n\n"
            "def test_arithmetic():\n    assert double(add(1, 2)) == 6\n"
        )
    (root / "tinytorch/core").mkdir(parents=True)
    (root / "tinytorch/__init__.py").write_text("")
    (root / "tinytorch/core/__init__.py").write_text("")
    return root


COUNTER_EXPORT = '''#| export
class Counter:
    "Counts what is added to it."

    def __init__(self, start=0):
        ### BEGIN SOLUTION
        self.value = start
        ### END SOLUTION

    def total(self):
        ### BEGIN SOLUTION
        return self.value
        ### END SOLUTION
'''


def unwritten_notebook() -> dict:
    """01_numbers with a class before ``add``, whose tests run ``add`` first: notebook order is not test order.

    Cells (1-based, as tito counts): 4 ``Counter`` (``__init__`` and ``total``), 5 ``add``, 6-8 the tests.
    """
    return notebook(
        ("markdown", "# Numbers\n\nAdding things up."),
        ("code", "#| default_exp core.numbers"),
        ("code", "import numpy as np"),
        ("code", COUNTER_EXPORT),
        ("code", NUMBERS_EXPORT),
        ("code", "def test_unit_add():\n    assert add(2, 3) == 5, f'add(2, 3) gave {add(2, 3)}'\n\ntest_unit_add()"),
        ("code", "def test_unit_add_negative():\n    assert add(-1, 1) == 0\n\ntest_unit_add_negative()"),
        ("code", "def test_unit_counter():\n    assert Counter(3).total() == 3\n\ntest_unit_counter()"),
    )


def make_student_edition(root: Path, out: Path) -> Path:
    """The real student edition (``tito release student``: nbgrader stubs every solution with
    ``raise NotImplementedError()``) of a course whose 01_numbers is :func:`unwritten_notebook`."""
    from tito_jupyter import engine
    from tito_jupyter.engine.context import Context

    make_course(root)
    write_notebook(root / "modules/01_numbers/01_numbers.ipynb", unwritten_notebook())
    result = engine.run("release.student", {"out": str(out), "skip_tests": True, "allow_dirty": True},
                        Context(project=root))
    assert result.ok, result.summary
    assert "raise NotImplementedError()" in (out / "modules/01_numbers/01_numbers.ipynb").read_text()
    return out
