"""A no-op export: nothing changed, so nothing is exported, no lock is waited for, and nbdev is not imported;
and every change that matters still reaches the package (content, directives, a deleted cell, a renamed notebook),
even a change that keeps the file's size and modification time.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

from course_factory import NUMBERS_EXPORT, numbers_notebook, write_notebook
from tito_jupyter import engine
from tito_jupyter.engine import files
from tito_jupyter.engine.context import Context

NB = "modules/01_numbers/01_numbers.ipynb"
PKG = "tinytorch/core/numbers.py"
SUB_EXPORT = '#| export\ndef sub(a, b):\n    "Take b from a."\n    return a - b\n'


def export(course_dir, *modules, **kw):
    return engine.run("module.export", {"modules": list(modules), **kw}, Context(project=course_dir))


def two_exported_cells() -> dict:
    nb = numbers_notebook()
    nb["cells"].insert(4, {"cell_type": "code", "id": "cell-sub", "metadata": {}, "source": SUB_EXPORT,
                           "outputs": [], "execution_count": None})
    return nb


def age(course_dir, seconds: float = 3600) -> None:
    """Make every course file ``seconds`` old, as a student's files are (fresh files are never cached)."""
    then = time.time() - seconds
    for path in course_dir.rglob("*"):
        if path.is_file() and ".tito" not in path.parts:
            os.utime(path, (then, then))


def tito(course_dir, *args, timeout=120) -> subprocess.CompletedProcess:
    env = {**os.environ, "TITO_PROJECT": str(course_dir)}
    env.pop("TITO_FAULT", None)
    return subprocess.run([sys.executable, "-m", "tito_jupyter", *args], env=env, capture_output=True, text=True,
                          timeout=timeout)


def statuses(result) -> list[str]:
    return [m["status"] for m in result.data["modules"]]


def test_a_no_op_export_does_not_wait_for_a_lock_another_export_holds(course_dir):
    assert export(course_dir, all_=True).ok
    age(course_dir)
    locks = course_dir / ".tito" / "locks"
    # Another export holds the export lock and a clean holds the build lock: the old code waited 120 s for them.
    with files.file_lock(locks / "export.lock", what="a test"), files.build_cleaning(course_dir / ".tito"):
        done = tito(course_dir, "--json", "export", "--all", timeout=90)  # the old code waited out the lock: 120 s
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout)
    assert [m["status"] for m in result["data"]["modules"]] == ["up_to_date", "up_to_date"]
    assert result["summary"] == "Export: 2 already up to date."


def test_a_changed_notebook_still_waits_for_the_lock(course_dir):
    assert export(course_dir, all_=True).ok
    write_notebook(course_dir / NB, numbers_notebook(NUMBERS_EXPORT.replace("return a + b", "return b + a")))
    env = {**os.environ, "TITO_PROJECT": str(course_dir)}
    env.pop("TITO_FAULT", None)
    lock = files.file_lock(course_dir / ".tito" / "locks" / "export.lock", what="a test")
    lock.__enter__()
    try:
        proc = subprocess.Popen([sys.executable, "-m", "tito_jupyter", "--json", "export", "01"], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline:  # while the lock is held, the package keeps the old code
            assert proc.poll() is None, proc.communicate()
            assert "return a + b" in (course_dir / PKG).read_text()
            time.sleep(0.1)
    finally:
        lock.__exit__(None, None, None)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err[-2000:]
    assert json.loads(out)["data"]["modules"][0]["status"] == "exported"
    assert "return b + a" in (course_dir / PKG).read_text()


def _edit_content(nb_path):
    nb = json.loads(nb_path.read_text())
    nb["cells"][3]["source"] = nb["cells"][3]["source"].replace("return a + b", "return b + a")
    write_notebook(nb_path, nb)
    return nb_path, lambda text: "return b + a" in text


def _edit_directive(nb_path):
    nb = json.loads(nb_path.read_text())
    nb["cells"][4]["source"] = nb["cells"][4]["source"].replace("#| export", "#| exporti")  # not in __all__
    write_notebook(nb_path, nb)
    return nb_path, lambda text: "__all__ = ['add']" in text and "def sub" in text


def _delete_cell(nb_path):
    nb = json.loads(nb_path.read_text())
    del nb["cells"][4]
    write_notebook(nb_path, nb)
    return nb_path, lambda text: "def sub" not in text


def _rename_notebook(nb_path):
    renamed = nb_path.with_name("numbers.ipynb")
    nb_path.rename(renamed)
    return renamed, lambda text: "File to edit: modules/01_numbers/numbers.ipynb " in text


@pytest.mark.parametrize("change", [_edit_content, _edit_directive, _delete_cell, _rename_notebook],
                         ids=["content", "directive", "deleted-cell", "renamed-notebook"])
@pytest.mark.parametrize("keep_times", [False, True], ids=["new-mtime", "old-mtime"])
def test_every_change_that_matters_is_exported_after_no_op_exports(course_dir, change, keep_times):
    write_notebook(course_dir / NB, two_exported_cells())
    assert export(course_dir, all_=True).ok
    age(course_dir)
    for _ in range(2):  # the course's facts cached, as by a student's earlier runs
        assert statuses(export(course_dir, all_=True)) == ["up_to_date", "up_to_date"]
    stat = (course_dir / NB).stat()
    changed, shows = change(course_dir / NB)
    if keep_times:  # the edit keeps the notebook's modification time: only its size, ctime or name tell
        os.utime(changed, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    result = export(course_dir, all_=True)
    assert result.ok, result.summary
    assert statuses(result) == ["exported", "up_to_date"]
    assert shows((course_dir / PKG).read_text())
    assert statuses(export(course_dir, all_=True)) == ["up_to_date", "up_to_date"]


def test_a_no_op_export_still_sweeps_a_stray_temporary_file(course_dir):
    assert export(course_dir, all_=True).ok
    stray = course_dir / "tinytorch" / "core" / f".numbers.py.x1{files.TMP_SUFFIX}"
    stray.write_text("half a file from an export killed mid-write")
    result = export(course_dir, all_=True)
    assert statuses(result) == ["up_to_date", "up_to_date"]
    assert not stray.exists()


def test_a_no_op_export_imports_neither_nbdev_nor_the_lock(course_dir):
    assert export(course_dir, all_=True).ok
    age(course_dir)
    tito(course_dir, "export", "--all")
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "tito_jupyter", "export", "--all"],
                          env={**os.environ, "TITO_PROJECT": str(course_dir)}, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    imported = {line.split("|")[-1].strip().split(".")[0] for line in done.stderr.splitlines()
                if line.startswith("import time:")}
    assert "tito_jupyter" in imported
    assert not imported & {"nbdev", "nbformat", "fastcore", "filelock"}
