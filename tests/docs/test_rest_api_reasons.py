"""docs/rest-api.md names every error ``reason`` the server can send, read from the code (not from a list here).

A reason comes from an ``ApiError(status, message, reason)`` in the server, from a ``"reason"`` the base handler
writes, or from the ``kind`` of an engine error passed through (``ApiError.from_error_dict``): every
``TitoError`` subclass's ``kind``, and the ``internal`` of an engine bug.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import tito_jupyter

PACKAGE_DIR = Path(tito_jupyter.__file__).parent
DOC = PACKAGE_DIR.parent / "docs/rest-api.md"
#: Reasons tornado's own HTTPError gives through the base handler (its status phrase as a word).
#: bad_request: a URL whose %-escapes are not UTF-8 (tornado refuses it before any tito handler runs).
TORNADO_PHRASES = {"forbidden", "method_not_allowed", "bad_request"}


def _constant(node) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def reasons_in_server() -> set[str]:
    found = set()
    for path in (PACKAGE_DIR / "server").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "ApiError":
                given = node.args[2] if len(node.args) > 2 else next(
                    (k.value for k in node.keywords if k.arg == "reason"), None)
                if _constant(given):
                    found.add(_constant(given))
            elif isinstance(node, ast.Dict):
                for key, value in zip(node.keys, node.values):
                    if key is not None and _constant(key) == "reason" and _constant(value):
                        found.add(_constant(value))
    return found


def engine_error_kinds() -> set[str]:
    """``kind = "..."`` of every error class in the package, and ``internal`` (an engine bug's Result)."""
    found = {"internal"}
    for path in PACKAGE_DIR.rglob("*.py"):
        if "labextension" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                for stmt in node.body:
                    if (isinstance(stmt, ast.Assign) and [getattr(t, "id", None) for t in stmt.targets] == ["kind"]
                            and _constant(stmt.value)):
                        found.add(_constant(stmt.value))
    return found


def documented_reasons() -> set[str]:
    text = DOC.read_text(encoding="utf-8")
    errors = text[text.index("- Errors: `reason`"):]
    errors = errors[:errors.index("\n- ", 1)]
    # The reasons are the lists in parentheses; other backticked words there are fields (`suggestion`).
    return {word for listed in re.findall(r"\(([^()]*)\)", errors) for word in re.findall(r"`([a-z_]+)`", listed)}


def test_the_reader_finds_reasons():
    assert {"invalid_json", "too_many_jobs", "internal"} <= reasons_in_server()
    assert {"project_not_found", "unknown_name", "busy", "release_failed"} <= engine_error_kinds()


def test_every_reason_the_server_sends_is_documented():
    sent = reasons_in_server() | engine_error_kinds() | TORNADO_PHRASES
    missing = sorted(sent - documented_reasons())
    assert not missing, f"docs/rest-api.md does not name these reasons: {', '.join(missing)}"


def test_the_doc_names_no_reason_the_server_never_sends():
    sent = reasons_in_server() | engine_error_kinds() | TORNADO_PHRASES
    extra = sorted(documented_reasons() - sent)
    assert not extra, f"docs/rest-api.md names reasons nothing sends: {', '.join(extra)}"
