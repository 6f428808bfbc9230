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


def test_a_forced_export_compiles_cells_again_only_when_they_or_the_python_changed(course_dir, monkeypatch):
    """Every exported cell is compiled before the package is touched, so a syntax error names its cell. A forced
    export of a notebook whose exported cells are the ones the last export compiled, under the same Python, need
    not compile them again (it was a tenth of a full export); a changed cell, or another Python, is compiled."""
    import builtins
    import json

    notebook_path = course_dir / "modules/03_parsed/03_parsed.ipynb"
    write_notebook(notebook_path, notebook(*CELLS))
    checked: list[str] = []
    real_compile = builtins.compile

    def counting_compile(source, filename, *args, **kwargs):
        if " cell " in str(filename):  # the export's own check names the cell in the file name
            checked.append(str(filename))
        return real_compile(source, filename, *args, **kwargs)

    monkeypatch.setattr(builtins, "compile", counting_compile)

    def forced_export() -> int:
        checked.clear()
        result = engine.run("module.export", {"modules": ["03"], "force": True}, Context(project=course_dir))
        assert result.ok, result.summary
        return len(checked)

    exported = sum(1 for kind, source in CELLS if kind == "code" and source.startswith("#| export"))
    assert forced_export() == exported
    assert forced_export() == 0
    write_notebook(notebook_path, notebook(*CELLS, ("code", "#| export\ndef five():\n    return 5")))
    assert forced_export() == exported + 1
    state_path = course_dir / ".tito/export-state.json"
    state = json.loads(state_path.read_text(encoding="utf-8"))
    state["modules"]["03_parsed"]["compiled_by"] = "cpython-299"  # as if another Python had compiled them
    state_path.write_text(json.dumps(state), encoding="utf-8")
    assert forced_export() == exported + 1
    write_notebook(notebook_path, notebook(*CELLS, ("code", "#| export\ndef five(:\n    return 5")))
    result = engine.run("module.export", {"modules": ["03"], "force": True}, Context(project=course_dir))
    assert not result.ok and "cell 8, line 2: invalid syntax" in result.summary, result.summary
