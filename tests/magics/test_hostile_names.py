"""``%tito`` with names it should refuse: a sentence, never "internal error", never a 1,000-line echo."""

from __future__ import annotations

import pytest
from magic_cells import tito





@pytest.mark.parametrize("name", ["²", "①", "¹", "٠١", "१", "𝟎𝟏", "０１"])
def test_digits_of_other_scripts_are_unknown_names(shell, in_module, name):
    for line in (f"test {name}", f"checkpoint test {name}"):
        result, shown = tito(shell, line)
        assert result is not None and result["error"]["kind"] == "unknown_name", (line, result, shown)
        assert "internal error" not in shown and "Traceback" not in shown, shown


@pytest.mark.timeout(30)
def test_a_long_name_is_echoed_short(shell, in_module):
    # 100,000 characters: with IPython's `$var` expansion of the line (quadratic in its length) this took about
    # 2 minutes before %tito saw it; %tito does not expand, so it answers at once (well inside the 30 s bound).
    result, shown = tito(shell, "test " + "x" * 100_000)
    assert result["error"]["kind"] == "unknown_name"
    assert "(100,000 characters)" in " ".join(shown.split()) and len(shown) < 600, len(shown)


def test_a_dollar_in_a_line_is_not_python(shell, in_module):
    shell.user_ns["secret"] = "01"
    result, shown = tito(shell, "test $secret")
    assert result["error"]["kind"] == "unknown_name" and "$secret" in shown, shown
