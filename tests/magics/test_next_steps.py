"""``%tito`` on a student's fresh notebook: what the failures mean, which function to write first, a link that
opens its notebook in JupyterLab naming the cell; an assertion shows its own message, pytest's report a click
away; a mistyped command gets "did you mean"."""

from __future__ import annotations

import json
import re

import pytest
from course_factory import make_student_edition, numbers_notebook, write_notebook
from IPython.utils.capture import capture_output

from tito_jupyter.magics import last_result

NB = "modules/01_numbers/01_numbers.ipynb"


def tito(shell, line: str):
    """Run ``%tito line``: (the result, the text shown, the HTML shown)."""
    with capture_output() as captured:
        shell.run_line_magic("tito", line)
    text = captured.stdout + captured.stderr + "".join(o.data.get("text/plain", "") for o in captured.outputs)
    return last_result(), text, "".join(o.data.get("text/html", "") for o in captured.outputs)


@pytest.fixture
def student(tmp_path, monkeypatch, clean_env, tracker):
    """A real student edition; the shell runs in its module 01's folder, as the notebook's kernel does."""
    root = make_student_edition(tmp_path / "instructor", tmp_path / "student")
    monkeypatch.chdir(root / "modules/01_numbers")
    return root


def test_a_fresh_notebook_says_nothing_is_written_and_links_the_first_function(shell, student):
    result, text, shown = tito(shell, "complete")
    assert result["command"] == "module.complete" and not result["ok"]
    sentence = (f"Nothing is written yet in 01_numbers: start with `Counter.__init__` (cell 4 of {NB}); "
                "4 tests wait on 2 functions.")
    assert sentence in text and "First failure" not in text
    assert f"1. Counter.__init__: cell 4 of {NB} (1 test waits)" in text
    assert f"2. add: cell 5 of {NB} (3 tests wait)" in text
    final = text[text.index("✗ 01_numbers: tests failed."):]  # the result, after the live lines
    assert "✗ modules/01_numbers" not in final, "the grouped tests are not listed again one by one"
    # HTML: a link JupyterLab resolves against the notebook the cell runs in, so it opens that notebook in Lab,
    # at the function's cell (JupyterLab 4's `#cell-id=` fragment; tests/lab/test_sidebar_not_written.py clicks it)
    cells = json.loads((student / NB).read_text())["cells"]
    links = re.findall(r"<a href='([^']*)'[^>]*>([^<]*)</a>", shown)
    assert links == [(f"01_numbers.ipynb#cell-id={cells[3]['id']}", f"cell 4 of {NB}"),
                     (f"01_numbers.ipynb#cell-id={cells[4]['id']}", f"cell 5 of {NB}")], shown
    assert shown.index("Counter.__init__") < shown.index("<code>add</code>")


def test_an_assertion_shows_its_own_message_and_keeps_the_full_report(shell, course_dir, monkeypatch, clean_env,
                                                                        tracker):
    nb = numbers_notebook()
    nb["cells"].append({"cell_type": "code", "id": "cell-close", "metadata": {}, "outputs": [],
                        "execution_count": None,
                        "source": "def test_unit_close():\n    assert np.allclose([1.0, 2.0], [1.0, 3.0]), "
                                  "'add gave\\n[1. 2.]'\n"})
    write_notebook(course_dir / NB, nb)
    monkeypatch.chdir(course_dir / "modules/01_numbers")
    result, text, shown = tito(shell, "complete")
    assert not result["ok"]
    assert "test_unit_close: AssertionError: add gave\n[1. 2.]" in text
    assert "where" not in text and " at 0x" not in text and "\\n" not in text
    assert "<summary>pytest's full report</summary>" in shown and "+  where" in shown


def test_a_mistyped_command_says_did_you_mean(shell, student):
    before = last_result()
    with capture_output() as captured:
        shell.run_line_magic("tito", "complet")
    said = captured.stdout + captured.stderr
    assert "'complet' is not a command of `%tito`. Did you mean `%tito complete`?" in said
    assert "usage:" not in said and "Traceback" not in said
    assert last_result() is before
