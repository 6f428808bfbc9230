"""The CLI says what to do next: "did you mean" for a mistyped command, and, on a student's fresh notebook,
which function to write first and where, with the failures grouped by the function they wait on."""

from __future__ import annotations

import subprocess
import sys

import pytest
from course_factory import make_student_edition


def tito(*args, env=None, cwd=None):
    return subprocess.run([sys.executable, "-m", "tito_jupyter", *args], capture_output=True, text=True,
                          env=env, cwd=cwd, timeout=300)


@pytest.mark.parametrize("args, says", [
    (["complet"], "'complet' is not a command of `tito`. Did you mean `tito complete`?"),
    (["module", "complet"], "'complet' is not a command of `tito module`. Did you mean `tito module complete`?"),
    (["staus"], "Did you mean `tito status`?"),
    (["xyzzy"], "'xyzzy' is not a command of `tito`. The commands: init, module, checkpoint,"),
])
def test_a_mistyped_command_says_did_you_mean_without_a_usage_dump(tito_env, args, says):
    done = tito(*args, env=tito_env)
    assert done.returncode == 2, done
    assert says in done.stderr, done.stderr
    assert "usage:" not in done.stderr and "invalid choice" not in done.stderr and "Traceback" not in done.stderr


def test_a_fresh_student_notebook_says_where_to_start(tmp_path, tito_env):
    student = make_student_edition(tmp_path / "instructor", tmp_path / "student")
    done = tito("--no-color", "complete", "01", env={**tito_env, "TITO_PROJECT": str(student), "COLUMNS": "300"})
    assert done.returncode == 1, done
    said = " ".join((done.stdout + done.stderr).split())  # rich wraps long lines
    nb = "modules/01_numbers/01_numbers.ipynb"
    assert (f"Nothing is written yet in 01_numbers: start with `Counter.__init__` (cell 4 of {nb}); "
            "4 tests wait on 2 functions.") in said, said
    assert (f"Not written yet, in the order to write them: 1. Counter.__init__: cell 4 of {nb} (1 test waits) "
            f"2. add: cell 5 of {nb} (3 tests wait)") in said, said
    assert "First failure" not in said and "Traceback" not in said
