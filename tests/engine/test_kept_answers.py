"""The status reads' kept answers (engine/kept_answers.py): given again only while nothing they read has changed.

Every change here is made the way a student or tito makes it (a saved notebook, a completed module, a new module
folder, an edited checkpoint), most with an old modification time so that only the rest of the stamp tells, and the
answer after it must equal a fresh run of the engine.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from course_factory import NUMBERS_EXPORT, numbers_notebook, write_notebook

from tito_jupyter import engine
from tito_jupyter.commands import all_commands
from tito_jupyter.engine.kept_answers import KeptAnswers, inputs

NB = "modules/01_numbers/01_numbers.ipynb"
READS = ("module.list", "module.status", "module.overview", "checkpoint.status", "checkpoint.timeline")


def _age(root: Path, seconds: float = 120) -> None:
    """Every file and folder of the course an old modification time, as a course left alone for a while has."""
    old = time.time() - seconds
    for path in [root, *root.rglob("*")]:
        os.utime(path, (old, old))


def _fresh(root: Path, command: str) -> dict:
    result = engine.run(command, {}, engine.Context(project=root))
    assert result.ok, result.summary
    return result.data


class Counting:
    """A real engine run of ``command`` with ``args``, counted."""

    def __init__(self, root: Path, command: str, args: dict | None = None):
        self.root, self.command, self.args, self.calls = root, command, args, 0

    def __call__(self) -> dict:
        self.calls += 1
        result = engine.run(self.command, self.args, engine.Context(project=self.root))
        assert result.ok, result.summary
        return result.data


def test_the_table_marks_exactly_the_reads_of_the_course_and_progress():
    assert {c.name for c in all_commands() if c.reads_only_course_and_progress} == set(READS)


@pytest.mark.parametrize("command", READS)
def test_an_answer_is_kept_while_nothing_changed_and_each_caller_gets_its_own_copy(course_dir, command):
    _age(course_dir)
    kept, compute = KeptAnswers(), Counting(course_dir, command)
    first = kept.answer(course_dir, command, None, compute)
    first["added by a caller"] = True
    again = kept.answer(course_dir, command, None, compute)
    assert compute.calls == 1
    assert again == _fresh(course_dir, command)


def _edit_notebook_keeping_its_time(root: Path) -> None:
    path = root / NB
    st = path.stat()
    write_notebook(path, numbers_notebook(NUMBERS_EXPORT + "\n\ndef sub(a, b):\n    return a - b\n"))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))


def _complete_module_02(root: Path) -> None:
    result = engine.run("module.complete", {"modules": ["02"]}, engine.Context(project=root))
    assert result.ok, result.summary
    _age(root)


def _add_a_module(root: Path) -> None:
    folder = root / "modules" / "03_more"
    folder.mkdir()
    nb = numbers_notebook()
    nb["cells"][0]["source"] = "# More"
    nb["cells"][1]["source"] = "#| default_exp core.more"
    write_notebook(folder / "03_more.ipynb", nb)
    _age(root)


def _edit_a_checkpoint(root: Path) -> None:
    path = next(root.glob("tests/checkpoints/c*.py"))
    path.write_text(path.read_text().replace('"""', '"""Can it really? ', 1))
    _age(root)


def _remove_the_progress(root: Path) -> None:
    (root / ".tito" / "progress.json").unlink()


@pytest.mark.parametrize("change", [_edit_notebook_keeping_its_time, _complete_module_02, _add_a_module,
                                    _edit_a_checkpoint, _remove_the_progress])
def test_any_change_to_what_a_read_reads_is_seen_at_once(course_dir, change):
    assert engine.run("module.complete", {"modules": ["01"]}, engine.Context(project=course_dir)).ok
    _age(course_dir)
    kept = KeptAnswers()
    computes = {command: Counting(course_dir, command) for command in READS}
    before = {command: kept.answer(course_dir, command, None, computes[command]) for command in READS}
    change(course_dir)
    for command in READS:
        after = kept.answer(course_dir, command, None, computes[command])
        assert computes[command].calls == 2, f"{command} gave its kept answer after {change.__name__}"
        assert after == _fresh(course_dir, command)
    assert before["module.overview"] != kept.answer(course_dir, "module.overview", None, computes["module.overview"])


def test_a_file_modified_this_instant_keeps_nothing(course_dir):
    """Two saves in one clock tick can keep a file's size and times: a just-modified course is read every time."""
    _age(course_dir)
    (course_dir / NB).touch()
    assert inputs(course_dir) is None
    kept, compute = KeptAnswers(), Counting(course_dir, "module.status")
    kept.answer(course_dir, "module.status", None, compute)
    kept.answer(course_dir, "module.status", None, compute)
    assert compute.calls == 2


def test_a_change_made_while_the_answer_was_computed_is_seen_at_the_next_read(course_dir):
    _age(course_dir)
    kept, compute = KeptAnswers(), Counting(course_dir, "module.status")

    def changing_midway() -> dict:
        data = compute()
        path = course_dir / NB
        st = path.stat()
        nb = numbers_notebook()
        nb["cells"][0]["source"] = "# Sums"  # a new title, in a file of a new size but the same time
        write_notebook(path, nb)
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
        return data

    stale = kept.answer(course_dir, "module.status", None, changing_midway)
    now = kept.answer(course_dir, "module.status", None, compute)
    assert compute.calls == 2
    assert now == _fresh(course_dir, "module.status") and now != stale


def test_an_answer_with_warnings_or_an_error_is_never_kept(course_dir):
    _age(course_dir)
    kept, calls = KeptAnswers(), []

    def warned() -> dict:
        calls.append(1)
        return {"modules": [], "warnings": ["The progress store could not be read."]}

    kept.answer(course_dir, "module.status", None, warned)
    kept.answer(course_dir, "module.status", None, warned)
    assert len(calls) == 2

    def failing() -> dict:
        calls.append(1)
        raise RuntimeError("no answer")

    for _ in range(2):
        with pytest.raises(RuntimeError):
            kept.answer(course_dir, "module.list", None, failing)
    assert len(calls) == 4


def test_answers_are_kept_apart_by_command_arguments_and_course(course_dir, tmp_path):
    from course_factory import make_course

    other = make_course(tmp_path / "other")
    nb = numbers_notebook()
    nb["cells"][0]["source"] = "# Other numbers"
    write_notebook(other / NB, nb)
    _age(course_dir)
    _age(other)
    kept = KeptAnswers(limit=3)
    one = kept.answer(course_dir, "module.status", {"modules": ["01_numbers"]},
                      Counting(course_dir, "module.status", {"modules": ["01_numbers"]}))
    assert [row["id"] for row in one["modules"]] == ["01_numbers"]
    both = kept.answer(course_dir, "module.status", None, Counting(course_dir, "module.status"))
    theirs = kept.answer(other, "module.status", None, Counting(other, "module.status"))
    assert kept.answer(course_dir, "module.status", None, _never) == both
    assert kept.answer(other, "module.status", None, _never) == theirs != both
    assert kept.answer(course_dir, "module.status", {"modules": ["01_numbers"]}, _never) == one
    # A fourth answer: the one asked for longest ago goes (the whole course's status, asked first of the three).
    kept.answer(course_dir, "module.list", None, Counting(course_dir, "module.list"))
    fresh = Counting(course_dir, "module.status")
    kept.answer(course_dir, "module.status", None, fresh)
    assert fresh.calls == 1
    assert json.dumps(kept.answer(course_dir, "module.list", None, _never))


def _never() -> dict:
    raise AssertionError("computed although an unchanged answer was kept")
