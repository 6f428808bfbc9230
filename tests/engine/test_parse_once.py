"""Python source is parsed in one place (``notebooks.parse_python``), one thread at a time.

CPython 3.11 and 3.12 share the AST constructor's recursion counter between threads, so two threads in
``ast.parse`` at once can fail with "SystemError: AST constructor recursion depth mismatch" (python/cpython#106905):
a release that tested both editions at once met it in CI. The failure is rare and not reproducible on demand, so
this guards the rule instead: nothing in tito calls ``ast.parse`` but the locked helper.
"""

from __future__ import annotations

import threading
from pathlib import Path

from tito_jupyter import notebooks

PACKAGE = Path(notebooks.__file__).resolve().parent


def test_only_the_locked_helper_parses():
    callers = [f"{path.relative_to(PACKAGE.parent)}:{n}" for path in sorted(PACKAGE.rglob("*.py"))
               for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
               if "ast.parse(" in line and path.name != "notebooks.py"]
    assert not callers, f"parse with notebooks.parse_python (one thread at a time), not ast.parse: {callers}"


def test_the_helper_holds_its_lock_while_it_parses():
    """Another thread cannot parse while one is inside: the lock is taken around ast.parse itself."""
    inside = threading.Event()
    release = threading.Event()
    original = notebooks.ast.parse

    def slow_parse(source, filename="<unknown>"):
        inside.set()
        release.wait(10)
        return original(source, filename)

    notebooks.ast.parse = slow_parse
    try:
        first = threading.Thread(target=notebooks.parse_python, args=("x = 1",))
        first.start()
        assert inside.wait(10)
        assert notebooks._PARSE_LOCK.locked()
        release.set()
        first.join(10)
    finally:
        notebooks.ast.parse = original
    assert not notebooks._PARSE_LOCK.locked()
    assert notebooks.parse_python("def f():\n    return 1\n").body[0].name == "f"
