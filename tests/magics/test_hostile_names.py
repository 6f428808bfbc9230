"""``%tito`` with names it should refuse: a sentence, never "internal error", never a 1,000-line echo."""

from __future__ import annotations

import pytest
from IPython.utils.capture import capture_output

from tito_jupyter.magics import last_result


def tito(shell, line: str):
    before = last_result()
    with capture_output() as captured:
        shell.run_line_magic("tito", line)
    shown = captured.stdout + captured.stderr + "".join(
        out.data.get("text/plain", "") for out in captured.outputs)
    after = last_result()
    return (after if after is not before else None), shown


@pytest.mark.parametrize("name", ["²", "①", "¹", "٠١", "१", "𝟎𝟏", "０１"])
def test_digits_of_other_scripts_are_unknown_names(shell, in_module, name):
    for line in (f"test {name}", f"checkpoint test {name}"):
        result, shown = tito(shell, line)
        assert result is not None and result["error"]["kind"] == "unknown_name", (line, result, shown)
        assert "internal error" not in shown and "Traceback" not in shown, shown


def test_a_long_name_is_echoed_short(shell, in_module):
    # 5,000 characters, not 100,000: IPython's own `$var` expansion of a magic line takes time quadratic in
    # its length (about 2 minutes for 100,000) before %tito sees it. The echo cap is the same at any length.
    result, shown = tito(shell, "test " + "x" * 5_000)
    assert result["error"]["kind"] == "unknown_name"
    assert "(5,000 characters)" in " ".join(shown.split()) and len(shown) < 600, len(shown)
