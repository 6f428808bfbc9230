"""Names a person (or a script) should not have typed: the CLI answers with a short sentence and exit code 2.

`²` passes str.isdigit() and crashed int() ("internal error"); `٠١` and `０１` were read as module 01; a
100,000-character name was repeated whole (1,252 lines). Only ASCII digits are numbers, and a message shows
the first 40 characters of a name and its length.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

ODD_DIGITS = ["²", "①", "¹", "٠١", "१", "𝟎𝟏", "０１"]


def tito(*args, env):
    return subprocess.run([sys.executable, "-m", "tito_jupyter", *args], capture_output=True, text=True,
                          env=env, timeout=300)


@pytest.mark.parametrize("command", [("test",), ("checkpoint", "test")])
def test_digits_of_other_scripts_are_unknown_names(tito_env, command):
    for name in ODD_DIGITS:
        done = tito(*command, name, env=tito_env)
        said = done.stdout + done.stderr
        assert done.returncode == 2, (name, said)
        assert f"called {name!r}" in said and "internal error" not in said and "Traceback" not in said, said


def test_ascii_numbers_still_name_modules(tito_env):
    done = tito("--json", "module", "validate", "1", env=tito_env)
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_100000_character_name_is_echoed_in_a_few_lines(tito_env):
    done = tito("test", "x" * 100_000, env=tito_env)
    said = done.stdout + done.stderr
    assert done.returncode == 2
    assert "(100,000 characters)" in " ".join(said.split()) and "'" + "x" * 40 + "'…" in said, said[:300]
    assert len(said.splitlines()) <= 5 and len(said) < 600, (len(said.splitlines()), len(said))


def test_a_100000_character_command_is_echoed_short(tito_env):
    done = tito("x" * 100_000, env=tito_env)
    said = done.stdout + done.stderr
    assert done.returncode == 2
    assert "is not a command of `tito`" in said and "(100,000 characters)" in " ".join(said.split()), said[:300]
    assert len(said) < 1500, len(said)
