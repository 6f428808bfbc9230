"""The course registry: everything computed from the files, names resolved as a person would type them."""

from __future__ import annotations

import json

import pytest

from course_factory import write_notebook, notebook
from tito_jupyter.course import Course
from tito_jupyter.errors import ProjectNotFound, UnknownNameError


def test_modules_in_order_with_targets_and_prerequisites_from_imports(course_dir):
    course = Course.load(course_dir)
    assert [m.id for m in course.modules] == ["01_numbers", "02_doubling"]
    numbers, doubling = course.modules
    assert numbers.targets == ("core.numbers",)
    assert numbers.requires == ()
    assert doubling.requires == ("01_numbers",), "02 imports tinytorch.core.numbers, so it needs 01"
    assert numbers.inline_tests == ("test_unit_add", "test_unit_add_negative")
    assert [p.name for p in numbers.test_files] == ["test_numbers.py"]
    assert numbers.title == "Numbers"


def test_checkpoint_needs_and_unlock_come_from_its_imports(course_dir):
    course = Course.load(course_dir)
    (cp,) = course.checkpoints
    assert cp.id == "c01_arithmetic"
    assert cp.question == "Can I do arithmetic with my own functions?"
    assert cp.requires == ("01_numbers", "02_doubling")
    assert cp.unlocked_by == "02_doubling"
    assert course.unlocked_checkpoints(course.module("02")) == [cp]
    assert course.unlocked_checkpoints(course.module("01")) == []


def test_a_new_module_folder_is_all_it_takes(course_dir):
    write_notebook(
        course_dir / "modules/03_tripling/03_tripling.ipynb",
        notebook(("markdown", "# Tripling"), ("code", "#| default_exp core.tripling"),
                 ("code", "#| export\nfrom tinytorch.core.doubling import double\n\ndef triple(x):\n    return double(x) + x")),
    )
    course = Course.load(course_dir)
    assert course.modules[-1].id == "03_tripling"
    assert course.module("tripling").requires == ("02_doubling",)


@pytest.mark.parametrize("name", ["01_numbers", "01", "1", "numbers", "NUMBERS", "modules/01_numbers/01_numbers.ipynb"])
def test_module_names_people_type(course_dir, name):
    assert Course.load(course_dir).module(name).id == "01_numbers"


def test_unknown_module_lists_the_course_and_suggests_the_closest(course_dir):
    with pytest.raises(UnknownNameError) as info:
        Course.load(course_dir).module("numbrs")
    message = info.value.message
    assert "Did you mean '01_numbers'?" in message
    assert "01_numbers, 02_doubling" in message
    assert info.value.exit_code == 2


def test_checkpoint_names(course_dir):
    course = Course.load(course_dir)
    for name in ("c01_arithmetic", "c01", "1", "arithmetic"):
        assert course.checkpoint(name).id == "c01_arithmetic"
    with pytest.raises(UnknownNameError):
        course.checkpoint("c07")


def test_notebook_path_maps_to_its_module(course_dir):
    course = Course.load(course_dir)
    assert course.module_for_path(course_dir / "modules/02_doubling/02_doubling.ipynb").id == "02_doubling"
    assert course.module_for_path("modules/01_numbers/01_numbers.ipynb").id == "01_numbers"
    assert course.module_for_path(course_dir / "README.md") is None


def test_broken_notebook_is_a_problem_not_a_crash(course_dir):
    (course_dir / "modules/01_numbers/01_numbers.ipynb").write_text("{not json")
    course = Course.load(course_dir)
    assert any("not valid JSON" in p for p in course.module("01").problems)
    assert [m.id for m in course.modules] == ["01_numbers", "02_doubling"]


def test_import_of_something_no_module_exports_is_reported(course_dir):
    nb = json.loads((course_dir / "modules/02_doubling/02_doubling.ipynb").read_text())
    nb["cells"][2]["source"] = "#| export\nfrom tinytorch.core.nothing import x\n"
    write_notebook(course_dir / "modules/02_doubling/02_doubling.ipynb", nb)
    assert any("tinytorch.core.nothing" in p for p in Course.load(course_dir).module("02").problems)


def test_course_found_from_a_subfolder_and_not_elsewhere(course_dir, tmp_path, monkeypatch):
    monkeypatch.delenv("TITO_PROJECT", raising=False)
    assert Course.find(course_dir / "modules/01_numbers").root == course_dir.resolve()
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ProjectNotFound) as info:
        Course.find(empty)
    assert "--project" in info.value.hint


def test_the_course_is_read_again_only_when_its_files_change(course_dir):
    first = Course.load(course_dir)
    assert Course.load(course_dir) is first, "nothing changed: the parsed course is reused"
    nb = course_dir / "modules/01_numbers/01_numbers.ipynb"
    nb.write_text(nb.read_text().replace("# Numbers", "# Sums"))
    assert Course.load(course_dir).module("01").title == "Sums"
    (course_dir / "tests/modules/01_numbers/test_more.py").write_text("def test_x():\n    pass\n")
    assert [p.name for p in Course.load(course_dir).module("01").test_files] == ["test_more.py", "test_numbers.py"]


def _signature_by_glob(root):
    """The course signature as pathlib's glob reads it: what course.signature's quicker walk must equal."""
    patterns = ("modules/*", "modules/*/*.ipynb", "tests/modules/*", "tests/modules/*/test_*.py",
                "tests/checkpoints/c*.py", "milestones/*", "milestones/*/run.py", "milestones/*/README.md")
    entries = []
    for pattern in patterns:
        for path in root.resolve().glob(pattern):
            st = path.stat()
            entries.append((str(path), st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns))
    return tuple(sorted(entries))


def test_the_course_signature_sees_every_file_the_course_is_read_from_and_no_other(course_dir):
    """The signature the server checks at each status request is walked with os.scandir; it must see exactly what
    the glob patterns name: dot files (Jupyter's `.~` save marker), odd Unicode names, a module folder that is a
    symlink, a module name that is a file, a milestone's README; and not a helper file beside the tests."""
    from tito_jupyter.course import signature

    root = course_dir.resolve()
    module = root / "modules/01_numbers"
    changes = [
        lambda: (module / ".~01_numbers.ipynb").write_text("{}"),
        lambda: (root / "modules/02_zéro_😀").mkdir(),
        lambda: (root / "modules/02_zéro_😀/02_zéro_😀.ipynb").write_text("{}"),
        lambda: (root / "modules/03_link").symlink_to(module, target_is_directory=True),
        lambda: (root / "modules/notes.txt").write_text("a file where a module folder could be"),
        lambda: (root / "tests/modules/01_numbers/helpers.py").write_text("x = 1\n"),
        lambda: (root / "tests/checkpoints/c99_new.py").write_text("x = 1\n"),
        lambda: (root / "tests/checkpoints/helper.py").write_text("x = 1\n"),
        lambda: (root / "milestones/1957_perceptron").mkdir(parents=True),
        lambda: (root / "milestones/1957_perceptron/README.md").write_text("# Perceptron\n"),
        lambda: (root / "milestones/1957_perceptron/notes.md").write_text("not read\n"),
    ]
    assert signature(root) == _signature_by_glob(root)
    for change in changes:
        change()
        assert signature(root) == _signature_by_glob(root)
    paths = {entry[0] for entry in signature(root)}
    assert str(module / ".~01_numbers.ipynb") in paths and str(root / "modules/03_link/01_numbers.ipynb") in paths
    assert str(root / "tests/modules/01_numbers/helpers.py") not in paths
