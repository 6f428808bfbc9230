"""tito runs on the oldest Python pyproject.toml names (3.10): nothing in tito_jupyter may reach for what came later.

No Python 3.10 is installed here, so the rule is read from the source: the standard library's names that are new in
3.11 or 3.12 may only be imported under a ``sys.version_info`` check, with a fallback (as ``contracts.py`` takes
``Required`` from ``typing_extensions`` on 3.10). A bare ``from typing import Required`` once made the server
extension fail to load on 3.10.
"""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "tito_jupyter"

#: Names a module of the standard library gained after 3.10.
NEWER = {
    "typing": {"Required", "NotRequired", "Self", "LiteralString", "Never", "assert_never", "assert_type",
               "reveal_type", "dataclass_transform", "Unpack", "TypeVarTuple", "override", "TypeAliasType",
               "get_overloads", "clear_overloads"},
    "enum": {"StrEnum", "verify", "EnumCheck", "ReprEnum", "member", "nonmember", "global_enum"},
    "datetime": {"UTC"},
    "asyncio": {"TaskGroup", "timeout", "timeout_at", "Timeout", "Runner"},
    "itertools": {"batched"},
}
#: Modules of the standard library that are new after 3.10.
NEWER_MODULES = {"tomllib", "wsgiref.types"}


def _guarded(tree: ast.Module) -> set[int]:
    """Line numbers of the statements inside an ``if sys.version_info ...`` block (either branch)."""
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "version_info" in ast.unparse(node.test):
            for child in [*node.body, *node.orelse]:
                lines.update(range(child.lineno, (child.end_lineno or child.lineno) + 1))
    return lines


def _too_new(path: Path, root: Path = ROOT) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    guarded = _guarded(tree)
    found = []
    for node in ast.walk(tree):
        if getattr(node, "lineno", None) in guarded:
            continue
        if isinstance(node, ast.ImportFrom) and node.module in NEWER:
            found += [f"from {node.module} import {a.name}" for a in node.names if a.name in NEWER[node.module]]
        if isinstance(node, ast.ImportFrom) and node.module in NEWER_MODULES:
            found.append(f"from {node.module} import ...")
        if isinstance(node, ast.Import):
            found += [f"import {a.name}" for a in node.names if a.name in NEWER_MODULES]
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
                and node.attr in NEWER.get(node.value.id, ()):
            found.append(f"{node.value.id}.{node.attr}")
        if isinstance(node, ast.TryStar):
            found.append("except*")
    return [f"{path.relative_to(root)}:{what}" for what in found]


def test_nothing_in_tito_needs_a_python_newer_than_its_floor():
    floor = re.search(r'requires-python = ">=(\d+\.\d+)"', (ROOT / "pyproject.toml").read_text()).group(1)
    assert floor == "3.10", "the lists above are what came after 3.10: update them with the floor"
    too_new = [hit for path in sorted(PACKAGE.rglob("*.py")) for hit in _too_new(path)]
    assert not too_new, "newer than Python 3.10, unguarded: " + "; ".join(too_new)


@pytest.mark.parametrize("source", ["from typing import Required\n", "import tomllib\n",
                                    "import enum\nx = enum.StrEnum\n"])
def test_the_check_sees_a_bare_import_of_something_newer(tmp_path, source):
    (tmp_path / "probe.py").write_text(source, encoding="utf-8")
    assert _too_new(tmp_path / "probe.py", tmp_path)


def test_the_check_accepts_a_guarded_import(tmp_path):
    (tmp_path / "guarded.py").write_text(
        "import sys\nif sys.version_info >= (3, 11):\n    from typing import Required\n"
        "else:\n    from typing_extensions import Required\n", encoding="utf-8")
    assert not _too_new(tmp_path / "guarded.py", tmp_path)
