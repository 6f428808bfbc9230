"""The course cache (.tito/course-cache.json) makes list/status/no-op export fast, and is never trusted
once a file changed: every test here edits the course the way a student or a tool would, then reads it as a
new tito process would (the in-process memos cleared), and compares with what the files say."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from course_factory import NUMBERS_EXPORT, numbers_notebook, write_notebook
from tito_jupyter import course as course_mod
from tito_jupyter import course_cache
from tito_jupyter import notebooks
from tito_jupyter.course import Course
from tito_jupyter.engine import export as export_mod
from tito_jupyter.engine.context import Context
from tito_jupyter.engine.modules import export, status

NB = "modules/01_numbers/01_numbers.ipynb"


def _age(*paths: Path, seconds: float = 120) -> None:
    """Give files an old mtime, as a notebook saved a while ago has (fresh ones are never cached: racy)."""
    old = time.time() - seconds
    for path in paths:
        os.utime(path, (old, old))


def _fresh_load(root: Path) -> Course:
    """The course as a new tito process reads it: no memo in this process, only what is on disk."""
    course_mod._LOADED.clear()
    notebooks._CELLS_CACHE.clear()
    return Course.load(root)


def _warm(root: Path) -> Course:
    _age(*root.glob("modules/*/*.ipynb"), *root.glob("tests/checkpoints/*.py"))
    (root / ".tito").mkdir(exist_ok=True)
    _fresh_load(root)
    assert (root / ".tito" / "course-cache.json").is_file()
    return _fresh_load(root)


def _no_parsing(monkeypatch) -> None:
    def refuse(*args, **kwargs):
        raise AssertionError("a notebook was parsed although the cache knew it")

    monkeypatch.setattr(notebooks, "read_notebook", refuse)


def test_an_unchanged_course_is_read_without_parsing_a_notebook(course_dir, monkeypatch):
    expected = _fresh_load(course_dir).to_dict()
    _warm(course_dir)
    _no_parsing(monkeypatch)
    assert _fresh_load(course_dir).to_dict() == expected


def test_status_and_a_no_op_export_parse_no_notebook_and_write_nothing(course_dir, monkeypatch):
    ctx = Context(project=course_dir)
    assert export(ctx, all_=True).ok
    _warm(course_dir)
    state = course_dir / ".tito"
    before = {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in state.glob("*.json")}
    _no_parsing(monkeypatch)
    result = export(Context(project=course_dir), all_=True)
    assert result.ok and {m["status"] for m in result.data["modules"]} == {"up_to_date"}
    assert status(Context(project=course_dir)).ok
    after = {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in state.glob("*.json")}
    assert after == before, "a no-op export rewrote progress.json or export-state.json"


def _numbers(root: Path):
    return _fresh_load(root).module("01")


@pytest.mark.parametrize("how", ["content", "old_mtime_new_size", "directive", "deleted_cell"])
def test_a_changed_notebook_is_read_again(course_dir, how):
    _warm(course_dir)
    path = course_dir / NB
    stat = path.stat()
    nb = numbers_notebook(NUMBERS_EXPORT + "\n\ndef sub(a, b):\n    return a - b\n")
    if how == "directive":
        nb = numbers_notebook()
        nb["cells"][1]["source"] = "#| default_exp core.sums"
    elif how == "deleted_cell":
        nb = numbers_notebook()
        del nb["cells"][5]  # the second inline test
    write_notebook(path, nb)
    if how == "old_mtime_new_size":  # a tool that restores the old time: only the size (and ctime) tell
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
        assert path.stat().st_size != stat.st_size
    module = _numbers(course_dir)
    if how == "directive":
        assert module.targets == ("core.sums",)
    elif how == "deleted_cell":
        assert module.inline_tests == ("test_unit_add",)
    facts = _fresh_load(course_dir).notebook_facts(module)
    assert facts["fingerprint"] == notebooks.current_export_fingerprint(path)


def test_the_same_size_and_mtime_but_a_new_file_is_read_again(course_dir):
    """An editor that writes a new file and renames it over the old one, keeping size and mtime."""
    _warm(course_dir)
    path = course_dir / NB
    stat = path.stat()
    text = path.read_text()
    swapped = text.replace('"# Numbers', '"# Sumbers', 1)
    assert len(swapped) == len(text)
    tmp = path.with_name("new.tmp")
    tmp.write_text(swapped)
    os.utime(tmp, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    os.replace(tmp, path)
    assert _numbers(course_dir).title == "Sumbers"


def test_a_renamed_notebook_is_a_new_module(course_dir):
    _warm(course_dir)
    folder = course_dir / "modules" / "01_numbers"
    folder.rename(course_dir / "modules" / "01_sums")
    (course_dir / "modules" / "01_sums" / "01_numbers.ipynb").rename(course_dir / "modules/01_sums/01_sums.ipynb")
    course = _fresh_load(course_dir)
    assert [m.id for m in course.modules] == ["01_sums", "02_doubling"]
    assert course.module("01").notebook.name == "01_sums.ipynb"
    assert course.module("01").targets == ("core.numbers",)


def test_a_just_written_notebook_is_not_cached(course_dir):
    """Two saves within one clock tick keep size and times: a file this fresh is never stored."""
    (course_dir / ".tito").mkdir(exist_ok=True)
    _fresh_load(course_dir)
    cache = course_dir / ".tito" / "course-cache.json"
    stored = json.loads(cache.read_text())["files"] if cache.exists() else {}
    assert not any(key.endswith(NB) for key in stored)


@pytest.mark.parametrize("garbage", [b"\x00\xff not json", b"[1, 2]", b'{"format": 1, "tito": "0.0.0-other", "files": {}}',
                                     b'{"format": 999, "files": {}}', b'{"format": 1, "files": {"x": 3}}', b""])
def test_a_garbage_or_foreign_cache_is_rebuilt(course_dir, garbage):
    expected = _fresh_load(course_dir).to_dict()
    _warm(course_dir)
    cache = course_dir / ".tito" / "course-cache.json"
    cache.write_bytes(garbage)
    assert _fresh_load(course_dir).to_dict() == expected
    data = json.loads(cache.read_text())
    assert data["format"] == course_cache.FORMAT and any(key.endswith(NB) for key in data["files"])


def test_facts_from_an_older_build_missing_a_key_are_read_again(course_dir):
    _warm(course_dir)
    cache = course_dir / ".tito" / "course-cache.json"
    data = json.loads(cache.read_text())
    for entry in data["files"].values():
        entry["facts"].pop("fingerprint", None)
    cache.write_text(json.dumps(data))
    course = _fresh_load(course_dir)
    module = course.module("01")
    assert course.notebook_facts(module)["fingerprint"] == notebooks.current_export_fingerprint(module.notebook)


def test_a_cache_that_lies_about_an_old_version_is_not_believed(course_dir):
    """Facts stored for another version of the file (its stamp differs) are never used."""
    _warm(course_dir)
    cache = course_dir / ".tito" / "course-cache.json"
    data = json.loads(cache.read_text())
    key = next(k for k in data["files"] if k.endswith(NB))
    data["files"][key]["facts"]["title"] = "Lies"
    data["files"][key]["stamp"][1] += 1  # another size
    cache.write_text(json.dumps(data))
    assert _numbers(course_dir).title == "Numbers"


def test_a_cache_that_cannot_be_written_only_means_no_cache(course_dir):
    """A folder where the cache file should be (os.replace fails): tito reads the course all the same."""
    expected = _fresh_load(course_dir).to_dict()
    _age(*course_dir.glob("modules/*/*.ipynb"))
    (course_dir / ".tito" / "course-cache.json").mkdir(parents=True)
    assert _fresh_load(course_dir).to_dict() == expected
    assert _fresh_load(course_dir).to_dict() == expected
    assert not [p for p in (course_dir / ".tito").iterdir() if p.name.endswith("tmp")], "a temporary file was left"


def test_a_no_op_export_still_notices_every_change_that_matters(course_dir):
    ctx = Context(project=course_dir)
    assert export(ctx, all_=True).ok
    _warm(course_dir)
    path = course_dir / NB
    package = course_dir / "tinytorch" / "core" / "numbers.py"

    def export_01():
        _fresh_load(course_dir)
        result = export(Context(project=course_dir), ["01"])
        assert result.ok, result.summary
        return result.data["modules"][0]["status"]

    write_notebook(path, numbers_notebook(NUMBERS_EXPORT.replace("return a + b", "return b + a")))
    assert export_01() == "exported" and "return b + a" in package.read_text()
    _age(path)
    assert export_01() == "up_to_date"

    stat = path.stat()
    write_notebook(path, numbers_notebook(NUMBERS_EXPORT.replace("return a + b", "return a+b")))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # old mtime, new size
    assert export_01() == "exported" and "return a+b" in package.read_text()

    nb = numbers_notebook()
    nb["cells"][3]["source"] = nb["cells"][3]["source"].replace("#| export", "#| exporti")
    write_notebook(path, nb)
    assert export_01() == "exported"

    nb = numbers_notebook()
    nb["cells"].insert(4, {"cell_type": "code", "id": "extra", "metadata": {}, "outputs": [], "execution_count": None,
                           "source": "#| export\ndef sub(a, b):\n    return a - b\n"})
    write_notebook(path, nb)
    assert export_01() == "exported" and "def sub" in package.read_text()
    del nb["cells"][4]  # the exported cell deleted
    write_notebook(path, nb)
    assert export_01() == "exported" and "def sub" not in package.read_text()
    assert export_mod.STATE_FILE in {p.name for p in (course_dir / ".tito").iterdir()}
