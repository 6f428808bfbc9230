"""`module validate` catches a notebook JupyterLab would open marked modified (metadata it fills in on open), and
the course's own notebooks pass that rule. Browser proof: tests/lab/test_course_opens_clean.py."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from course_factory import numbers_notebook, write_notebook
from tito_jupyter import engine
from tito_jupyter.engine.context import Context
from tito_jupyter.notebooks import opens_clean_problems, read_notebook

ROOT = Path(__file__).resolve().parents[2]
NUMBERS = "modules/01_numbers/01_numbers.ipynb"


def _as_committed_before(nb: dict) -> None:
    """The metadata the course's notebooks had before #11 (JupyterLab rewrote it on every open)."""
    nb["metadata"] = {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
                      "language_info": {"name": "python"}}


def _no_version(nb: dict) -> None:
    del nb["metadata"]["language_info"]["version"]


def _old_format(nb: dict) -> None:
    nb["nbformat_minor"] = 4
    for cell in nb["cells"]:
        cell.pop("id")


def _a_cell_without_id(nb: dict) -> None:
    nb["cells"][2].pop("id")


def _no_metadata(nb: dict) -> None:
    nb["metadata"] = "ünïcode, not a mapping"


@pytest.mark.parametrize("spoil, said", [
    (_as_committed_before, ['metadata.kernelspec.display_name is "Python 3", JupyterLab writes '
                            '"Python 3 (ipykernel)"', 'metadata.language_info.file_extension is null',
                            "metadata.language_info.version is missing"]),
    (_no_version, ["metadata.language_info.version is missing"]),
    (_old_format, ["the format is 4.4; JupyterLab saves 4.5", "cell(s) 1, 2, 3, 4, 5, 6 have no id"]),
    (_a_cell_without_id, ["cell(s) 3 have no id"]),
    (_no_metadata, ["metadata.kernelspec.name is null", "metadata.language_info.version is missing"]),
], ids=lambda v: getattr(v, "__name__", "")[1:] or None)
def test_validate_fails_a_notebook_that_would_open_modified(course_dir, spoil, said):
    assert engine.run("module.validate", {"all_": True}, Context(project=course_dir)).ok
    nb = numbers_notebook()
    spoil(nb)
    write_notebook(course_dir / NUMBERS, nb)
    result = engine.run("module.validate", {"modules": ["01"]}, Context(project=course_dir))
    assert not result.ok
    failed = {c["check"]: c["message"] for c in result.data["modules"][0]["checks"] if not c["ok"]}
    assert list(failed) == ["opens_clean"]
    assert failed["opens_clean"].startswith("JupyterLab would open it marked modified: ")
    for sentence in said:
        assert sentence in failed["opens_clean"]


def test_the_course_notebooks_open_clean():
    notebooks = sorted((ROOT / "modules").glob("*/*.ipynb"))
    assert len(notebooks) >= 13
    problems = {path.parent.name: opens_clean_problems(read_notebook(path)) for path in notebooks}
    assert not any(problems.values()), json.dumps(problems, indent=1)
