"""The magic reads the saved notebook without ever asking Jupyter to recover it.

Jupyter saves a notebook in place, after copying it to ``.~NAME.ipynb``. A notebook read through the contents API
(``type=notebook``) that lands mid-save finds the text cut short and "recovers" it: the notebook is moved aside as
``NAME.ipynb.invalid`` and the copy put back; when the save ends in between, the copy is gone and so is the
student's notebook (a browser test saw exactly that: ``%tito complete`` right after a cell, the magic polling for
Lab's save). Here a real Jupyter server serves a notebook caught mid-save, as Jupyter's own save leaves it, and
the save ends a moment later: the magic must read the notebook as saved, and nothing may be moved.
"""

from __future__ import annotations

import json
import shutil
import sys
import threading
import time
from pathlib import Path

from course_factory import NUMBERS_EXPORT, make_course, numbers_notebook

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lab"))
from lab_server import start_lab, stop_lab  # noqa: E402

from tito_jupyter.magics.notebook import NotebookRef, read_saved  # noqa: E402
from tito_jupyter.magics.runners import ServerClient  # noqa: E402

NB = "modules/01_numbers/01_numbers.ipynb"


def test_a_notebook_caught_mid_save_is_read_as_saved_and_never_moved_aside(tmp_path):
    course = make_course(tmp_path / "course")
    path = course / NB
    saved_after = numbers_notebook(NUMBERS_EXPORT.replace("return a + b", "return b + a  # the edit being saved"))
    lab = start_lab(course, tmp_path / "jupyter", [], {}, {}, True)
    try:
        # A save under way, as jupyter_server's atomic_writing makes it: the old file copied to .~NAME, the new
        # text written in place, half of it so far.
        intermediate = path.with_name(".~" + path.name)
        shutil.copy2(path, intermediate)
        whole = json.dumps(saved_after, indent=1) + "\n"
        path.write_text(whole[: len(whole) // 2])

        def the_save_ends():
            time.sleep(0.3)
            path.write_text(whole)
            intermediate.unlink(missing_ok=True)

        saver = threading.Thread(target=the_save_ends)
        saver.start()
        found = read_saved(NotebookRef(server_path=NB), ServerClient(lab.url, lab.token))
        saver.join()
        assert found is not None, "the saved notebook could not be read"
        assert found[0] == saved_after
        assert not list(path.parent.glob("*.invalid")), "the notebook was moved aside as .invalid"
        assert json.loads(path.read_text()) == saved_after
    finally:
        stop_lab(lab)
