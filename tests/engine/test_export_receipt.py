"""``tito export --all`` with nothing to export answers from its receipt (``.tito/export-receipt.json``) before the
face, the parser and the engine are imported; and every change that matters still reaches the package through it
(content, directives, a deleted cell, a renamed notebook, a new module, a package file edited or a stray temporary
file), even a change that keeps the file's size and modification time. Real CLI in subprocesses, real files.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from untraced import untraced

from course_factory import NUMBERS_EXPORT, make_course, numbers_notebook, write_notebook
from tito_jupyter import file_stamps, noop_export
from tito_jupyter.engine import files

NB = "modules/01_numbers/01_numbers.ipynb"
PKG = "tinytorch/core/numbers.py"
SUB_EXPORT = '#| export\ndef sub(a, b):\n    "Take b from a."\n    return a - b\n'
#: What the whole command imports and an answer from the receipt must not.
THE_WHOLE_COMMAND = {"tito_jupyter.cli", "tito_jupyter.command_line", "tito_jupyter.commands", "tito_jupyter.engine",
                     "tito_jupyter.course", "argparse", "dataclasses", "pathlib", "hashlib"}


def tito(env: dict, *args: str, importtime: bool = False) -> subprocess.CompletedProcess:
    cmd = [sys.executable, *(["-X", "importtime"] if importtime else []), "-m", "tito_jupyter", *args]
    return subprocess.run(cmd, env=untraced(env), capture_output=True, text=True, timeout=300)


def imported(stderr: str) -> set[str]:
    return {line.split("|")[-1].strip() for line in stderr.splitlines() if line.startswith("import time:")}


def settle(*course_dirs) -> None:
    """Make every file and folder of the courses an hour old, as a student's are, then let the racy window pass
    (setting the times changes each file's change time, which is now)."""
    then = time.time() - 3600
    for course_dir in course_dirs:
        for path in [course_dir, *course_dir.rglob("*")]:
            if ".tito" not in path.relative_to(course_dir).parts:
                os.utime(path, (then, then))
    time.sleep(file_stamps.RACY_SECONDS + 0.2)


def _env(course_dir) -> dict:
    env = {**os.environ, "TITO_PROJECT": str(course_dir)}
    env.pop("TITO_FAULT", None)
    return env


@pytest.fixture(scope="module")
def exported_and_settled(request, tmp_path_factory) -> dict:
    """Every test's course of this file, exported and settled, all at once: the racy window is waited out once
    for the file instead of once a test (21 waits, 46 s of a worker). The changes test's course has two exported
    cells first."""
    courses = {}
    for item in request.session.items:
        if item.module is not request.module:
            continue
        course_dir = make_course(tmp_path_factory.mktemp("receipt") / "course")
        if item.originalname == "test_every_change_that_matters_reaches_the_package_past_the_receipt":
            write_notebook(course_dir / NB, two_exported_cells())
        assert tito(_env(course_dir), "export", "--all").returncode == 0
        courses[item.nodeid] = course_dir
    settle(*courses.values())
    return courses


@pytest.fixture
def course_dir(request, exported_and_settled) -> Path:
    """This test's course, exported and settled (conftest's tito_env runs tito on it)."""
    return exported_and_settled[request.node.nodeid]


def with_receipt(course_dir, env) -> subprocess.CompletedProcess:
    """The no-op export of an exported and settled course, which leaves its receipt; its output."""
    done = tito(env, "export", "--all")
    assert done.returncode == 0, done.stderr[-2000:]
    assert (course_dir / ".tito" / noop_export.FILE).is_file(), "the no-op export left no receipt"
    return done


def test_a_no_op_export_answers_from_its_receipt_without_building_the_face(course_dir, tito_env):
    whole = with_receipt(course_dir, tito_env)
    quick = tito(tito_env, "export", "--all", importtime=True)
    assert quick.returncode == 0
    assert quick.stdout == whole.stdout  # byte for byte what the whole command printed
    assert "Export: 2 already up to date." in quick.stdout
    names = imported(quick.stderr)
    assert "tito_jupyter.noop_export" in names  # the check reads a real report
    assert names & THE_WHOLE_COMMAND == set()


def test_another_environment_or_request_runs_the_whole_command(course_dir, tito_env):
    with_receipt(course_dir, tito_env)
    for env, argv in (({**tito_env, "COLUMNS": "33"}, ["export", "--all"]),  # rich's width could differ
                      (tito_env, ["export", "--all", "--check"]),
                      ({**tito_env, "TITO_EXPORT_RECEIPT": "0"}, ["export", "--all"])):
        done = tito(env, *argv, importtime=True)
        assert done.returncode == 0, done.stderr[-2000:]
        assert "tito_jupyter.engine.export" in imported(done.stderr), argv


def test_a_usage_log_that_is_on_gets_its_entry(course_dir, tito_env):
    with_receipt(course_dir, tito_env)
    assert tito(tito_env, "system", "log", "on").returncode == 0
    assert tito(tito_env, "export", "--all").returncode == 0
    log = (course_dir / ".tito" / "usage.jsonl").read_text().splitlines()
    assert [json.loads(line)["command"] for line in log][-1] == "module.export"


def _edit_content(course_dir):
    path = course_dir / NB
    write_notebook(path, numbers_notebook(NUMBERS_EXPORT.replace("return a + b", "return b + a")))
    return path, lambda c: "return b + a" in (c / PKG).read_text()


def two_exported_cells() -> dict:
    nb = numbers_notebook()
    nb["cells"].insert(4, {"cell_type": "code", "id": "cell-sub", "metadata": {}, "source": SUB_EXPORT,
                           "outputs": [], "execution_count": None})
    return nb


def _edit_directive(course_dir):
    path = course_dir / NB
    nb = json.loads(path.read_text())
    nb["cells"][4]["source"] = nb["cells"][4]["source"].replace("#| export", "#| exporti")  # not in __all__
    write_notebook(path, nb)
    return path, lambda c: "__all__ = ['add']" in (c / PKG).read_text() and "def sub" in (c / PKG).read_text()


def _delete_cell(course_dir):
    path = course_dir / NB
    nb = json.loads(path.read_text())
    del nb["cells"][4]
    write_notebook(path, nb)
    return path, lambda c: "def sub" not in (c / PKG).read_text()


def _rename_notebook(course_dir):
    path = course_dir / NB
    renamed = path.with_name("numbers.ipynb")
    path.rename(renamed)
    return renamed, lambda c: "File to edit: modules/01_numbers/numbers.ipynb " in (c / PKG).read_text()


def _new_module(course_dir):
    folder = course_dir / "modules" / "03_tripling"
    folder.mkdir()
    path = folder / "03_tripling.ipynb"
    nb = numbers_notebook(NUMBERS_EXPORT.replace("def add", "def triple"))
    for cell in nb["cells"]:
        cell["source"] = "".join(cell["source"]).replace("core.numbers", "core.tripling")
    write_notebook(path, nb)
    return path, lambda c: (c / "tinytorch/core/tripling.py").is_file()


def _edit_package_file(course_dir):
    path = course_dir / PKG
    path.write_text(path.read_text().replace("return a + b", "return a - b"))
    return path, lambda c: "return a + b" in (c / PKG).read_text()


def _stray_temporary_file(course_dir):
    path = course_dir / "tinytorch" / "core" / f".numbers.py.x1{files.TMP_SUFFIX}"
    path.write_text("half a file from an export killed mid-write")
    return path, lambda c: not path.exists()


@pytest.mark.parametrize("change", [_edit_content, _edit_directive, _delete_cell, _rename_notebook, _new_module,
                                    _edit_package_file, _stray_temporary_file],
                         ids=["content", "directive", "deleted-cell", "renamed-notebook", "new-module",
                              "package-file-edited", "stray-temporary-file"])
@pytest.mark.parametrize("keep_times", [False, True], ids=["new-mtime", "old-mtime"])
def test_every_change_that_matters_reaches_the_package_past_the_receipt(course_dir, tito_env, change, keep_times):
    with_receipt(course_dir, tito_env)  # the course has two exported cells (exported_and_settled)
    assert "def sub" in (course_dir / PKG).read_text()
    before = {p: p.stat() for p in [course_dir / NB, course_dir / PKG, course_dir / "modules"]}
    changed, shows = change(course_dir)
    if keep_times:  # the edit keeps the times it had: only the size, the change time or a folder's stamp tell
        for path, st in before.items():
            if path.exists():
                os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
        if changed.exists():
            os.utime(changed, ns=(before[course_dir / NB].st_atime_ns, before[course_dir / NB].st_mtime_ns))
    done = tito(tito_env, "export", "--all")
    assert done.returncode == 0, done.stdout + done.stderr
    assert shows(course_dir), done.stdout


def test_a_receipt_of_another_shape_or_a_damaged_one_is_ignored(course_dir, tito_env):
    whole = with_receipt(course_dir, tito_env)
    receipt = course_dir / ".tito" / noop_export.FILE
    for text in ("{not json", json.dumps({"format": noop_export.FORMAT, "inputs": {}, "text": "forged", "exit": 0}),
                 json.dumps([1, 2, 3])):
        receipt.write_text(text)
        done = tito(tito_env, "export", "--all")
        assert done.returncode == 0 and done.stdout == whole.stdout


def test_a_state_folder_that_cannot_be_written_costs_the_export_nothing(course_dir, tito_env):
    receipt = course_dir / ".tito" / noop_export.FILE
    receipt.mkdir()  # a folder where the receipt should be: it cannot be replaced, whoever runs tito
    try:
        for _ in range(2):
            done = tito(tito_env, "export", "--all")
            assert done.returncode == 0 and "Export: 2 already up to date." in done.stdout
    finally:
        shutil.rmtree(receipt)


def test_a_course_copied_with_its_receipt_is_looked_at_afresh(course_dir, tito_env, tmp_path):
    """The receipt names the files of the course it was written in: in a copy (a student's backup, a second
    clone), unchanged files there would say nothing about the copy's own."""
    with_receipt(course_dir, tito_env)
    copy = tmp_path / "copy"
    shutil.copytree(course_dir, copy)
    _edit_content(copy)  # the copy's notebook changes; the original's receipt still matches the original
    done = tito({**tito_env, "TITO_PROJECT": str(copy)}, "export", "--all")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "return b + a" in (copy / PKG).read_text()
    assert "return a + b" in (course_dir / PKG).read_text()


@pytest.mark.posix_only  # a pseudo-terminal (pty); the render memo is off on Windows anyway
def test_a_no_op_export_in_a_terminal_answers_from_its_receipt_too(course_dir, tito_env):
    """Students type it in a terminal, where each module's count used to start rich's live bar (so rich was
    imported and the output could not be kept): a no-op export's count is known at once and draws no bar."""
    import pty

    def in_a_terminal(*args: str) -> tuple[int, str, str]:
        leader, follower = pty.openpty()
        proc = subprocess.Popen([sys.executable, "-X", "importtime", "-m", "tito_jupyter", *args],
                                env=untraced(tito_env),
                                stdout=follower, stderr=subprocess.PIPE, text=True)
        os.close(follower)
        seen = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the terminal's other end closed: the process has ended
                break
            if not chunk:
                break
            seen += chunk
        os.close(leader)
        _, err = proc.communicate(timeout=120)
        return proc.returncode, seen.decode("utf-8", "replace"), err

    first = in_a_terminal("export", "--all")  # the course is exported and settled (exported_and_settled)
    assert first[0] == 0 and "already up to date" in first[1], first
    assert (course_dir / ".tito" / noop_export.FILE).is_file(), "a terminal's no-op export left no receipt"
    code, text, err = in_a_terminal("export", "--all")
    assert code == 0 and text == first[1]
    assert imported(err) & THE_WHOLE_COMMAND == set()
