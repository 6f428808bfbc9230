"""Name resolution (the one home for it): only ASCII digits are numbers, only ASCII letters fold, long names echo short."""

from __future__ import annotations

import shutil
import time

import pytest
from course_factory import numbers_notebook, write_notebook

from tito_jupyter.course import Course, whole_number
from tito_jupyter.errors import UnknownNameError

#: Each passes str.isdigit(); int() crashes on some and reads others as 1 or 01.
ODD_DIGITS = ["²", "①", "¹", "٠١", "١", "१", "𝟎𝟏", "０１", "𝟏", "¹²", "߁"]


def test_whole_number_reads_ascii_digits_only():
    assert [whole_number(t) for t in ("0", "01", "007", "123456789012")] == [0, 1, 7, 123456789012]
    for text in [*ODD_DIGITS, "", " 1", "1 ", "+1", "-1", "1.0", "1_000", "0x1", None, 1]:
        assert whole_number(text) is None, text


def test_ascii_names_resolve_as_before(course_dir):
    course = Course.load(course_dir)
    for name in ("1", "01", "001", "01_numbers", "numbers", "NUMBERS", " numbers ", "01_numbers.ipynb",
                 "modules/01_numbers/01_numbers.ipynb"):
        assert course.module(name).id == "01_numbers", name
    for name in ("1", "01", "c1", "c01", "c01_arithmetic", "arithmetic"):
        assert course.checkpoint(name).id == "c01_arithmetic", name


@pytest.mark.parametrize("name", ODD_DIGITS)
def test_digits_of_other_scripts_name_nothing(course_dir, name):
    course = Course.load(course_dir)
    for lookup, raw in ((course.module, name), (course.checkpoint, name), (course.checkpoint, "c" + name)):
        with pytest.raises(UnknownNameError) as caught:
            lookup(raw)
        assert repr(raw) in caught.value.message


def test_letters_that_lower_onto_ascii_name_nothing(course_dir):
    folder = course_dir / "modules/03_kelvin"
    write_notebook(folder / "03_kelvin.ipynb", numbers_notebook())
    course = Course.load(course_dir)
    assert course.module("KELVIN").id == "03_kelvin"
    with pytest.raises(UnknownNameError):
        course.module("\u212aelvin")  # KELVIN SIGN, whose lower() is an ASCII k
    shutil.rmtree(folder)


def test_folders_numbered_in_other_digits_are_not_modules(course_dir):
    write_notebook(course_dir / "modules/٠٣_arabic/٠٣_arabic.ipynb", numbers_notebook())
    assert [m.id for m in Course.load(course_dir).modules] == ["01_numbers", "02_doubling"]


def test_a_name_of_a_million_characters_is_echoed_short_and_fast(course_dir):
    course = Course.load(course_dir)
    started = time.monotonic()
    with pytest.raises(UnknownNameError) as caught:
        course.module("x" * 1_000_000)
    assert time.monotonic() - started < 10
    message = caught.value.message
    assert "'" + "x" * 40 + "'… (1,000,000 characters)" in message and len(message) < 200, message[:300]
