"""A full export parses each exported cell once (nbdev's own cache, kept where it looks), and writes what
``nbdev_export`` writes (held byte for byte by test_export_same_as_nbdev.py)."""

from __future__ import annotations

import ast

from course_factory import notebook, write_notebook
from tito_jupyter import engine
from tito_jupyter.course import Course
from tito_jupyter.engine.context import Context

CELLS = [
    ("markdown", "# Parsed\n\n> Each cell once."),
    ("code", "#| default_exp core.parsed"),
    ("code", "#| export\nfrom tinytorch.core.numbers import add"),  # made package-relative: a new source
    ("code", "#| export\ndef one():\n    return add(0, 1)"),
    ("code", "#| export\nTWO = 2"),
    ("code", "#| exporti\ndef _three():\n    return 3"),
    ("code", "#| export\nclass Four:\n    value = 4"),
]


def test_a_full_export_parses_each_version_of_an_exported_cell_once(course_dir, monkeypatch):
    write_notebook(course_dir / "modules/03_parsed/03_parsed.ipynb", notebook(*CELLS))
    Course.load(course_dir)  # the course's own reading (checkpoints' docstrings) done before counting
    sources: list[str] = []
    real_parse = ast.parse

    def counting_parse(source, *args, **kwargs):
        sources.append(source if isinstance(source, str) else repr(source))
        return real_parse(source, *args, **kwargs)

    monkeypatch.setattr(ast, "parse", counting_parse)
    result = engine.run("module.export", {"modules": ["03"], "force": True}, Context(project=course_dir))
    assert result.ok, result.summary
    text = (course_dir / "tinytorch/core/parsed.py").read_text()
    assert "from .numbers import add" in text and "__all__ = ['TWO', 'one', 'Four']" in text
    exported = sum(1 for kind, source in CELLS if kind == "code" and source.startswith("#| export"))
    # Five exported cells, one of them rewritten (its import made relative): six versions of a source at most;
    # nbdev alone parsed each two or three times.
    assert len(sources) <= exported + 1, sources
    assert len(sources) == len(set(sources)), "a cell was parsed twice"
