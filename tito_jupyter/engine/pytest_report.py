"""A pytest plugin that writes each test's outcome as one JSON line, as it happens.

tito's test runner loads it into the pytest subprocess (``-p tito_jupyter.engine.pytest_report``) and reads
the file while the tests run, so results are pytest's own, never scraped from its text output.

A failure's ``message`` is cleaned for a person (the test's own assertion message first, without pytest's
``+  where`` introspection or ``<function f at 0x…>`` addresses); pytest's full report stays under ``details``.
``raised`` names the innermost frame of the exception (file, line, qualified name, exception type), so the
engine can tell which function a ``NotImplementedError`` came from (see ``testing.not_written``).
"""

from __future__ import annotations

import json
import re

import pytest

#: pytest's report of a failure, kept in full under ``details`` (cut at this many characters: a huge repr).
DETAILS_CHARS = 20_000
_ADDRESS = re.compile(r"<(?:built-in )?(?:function|bound method|method|class) ([\w.<>]+)(?: of .*?)? at 0x[0-9a-fA-F]+>")
_WHERE = re.compile(r"^\s*\+\s+where (.+?) = (.+)$")


def pytest_addoption(parser):
    parser.addoption("--tito-report", default=None, help="Write per-test results as JSON lines to this file.")


class _Writer:
    def __init__(self, path: str):
        self._file = open(path, "a", encoding="utf-8", newline="\n", buffering=1)

    def write(self, record: dict) -> None:
        self._file.write(json.dumps(record) + "\n")
        self._file.flush()


_writer: _Writer | None = None


def pytest_configure(config):
    global _writer
    path = config.getoption("--tito-report")
    _writer = _Writer(path) if path else None


def clean_message(message: str) -> str:
    """A failure message for a person: the test's own assertion message first, then pytest's explanation
    without its ``+  where`` introspection lines and with ``<function f at 0x…>`` shortened to ``f``.

    With its own message (``assert ok, "why"``) a test says why it failed, so pytest's ``assert False`` after
    it goes. Without one, a bare ``assert False`` becomes the call that gave it (``assert allclose(a, b)``).
    """
    message = _ADDRESS.sub(lambda m: m.group(1), message)
    lines = message.splitlines()
    wheres = [_WHERE.match(line) for line in lines]
    kept = [line for line, where in zip(lines, wheres) if not where and not line.lstrip().startswith("+ ")]
    if kept and kept[0].startswith("AssertionError: "):
        # pytest indents the message's own later lines by two spaces and then appends "assert <expr>"
        own = [kept[0]]
        for line in kept[1:]:
            if not line.startswith("  "):
                break
            own.append(line[2:])
        return "\n".join(own).rstrip()
    if kept and kept[0].strip() in ("assert False", "assert None", "assert 0"):
        first = next((w for w in wheres if w), None)
        if first is not None:
            kept[0] = f"assert {first.group(2)} (it was {first.group(1)})"
    return "\n".join(kept).rstrip()


def _message(report) -> str:
    longrepr = report.longrepr
    if longrepr is None:
        return ""
    crash = getattr(longrepr, "reprcrash", None)
    if crash is not None and getattr(crash, "message", None):
        return clean_message(crash.message)
    if isinstance(longrepr, tuple) and len(longrepr) == 3:  # skips: (path, lineno, reason)
        return str(longrepr[2])
    text = str(longrepr).strip().splitlines()
    errors = [line for line in text if line.startswith("E ")]
    return "\n".join(line[2:].strip() for line in errors[-3:]) if errors else (text[-1] if text else "")


def _where(report) -> str | None:
    crash = getattr(report.longrepr, "reprcrash", None)
    if crash is not None and getattr(crash, "path", None):
        return f"{crash.path}:{crash.lineno}"
    return None


def _details(report) -> str:
    return str(report.longrepr)[:DETAILS_CHARS] if report.longrepr is not None else ""


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep where the exception was raised (the innermost frame) on the report, before the traceback goes."""
    outcome = yield
    report = outcome.get_result()
    excinfo = call.excinfo
    if excinfo is None or report.passed or report.skipped:
        return
    tb = excinfo.tb
    while tb.tb_next is not None:
        tb = tb.tb_next
    code = tb.tb_frame.f_code
    report.tito_raised = {"path": code.co_filename, "line": tb.tb_lineno,
                          "function": getattr(code, "co_qualname", code.co_name),  # co_qualname: Python 3.11+
                          "exception": excinfo.type.__name__}


def pytest_collection_finish(session):
    if _writer:
        _writer.write({"kind": "collected", "count": len(session.items)})


def pytest_collectreport(report):
    if _writer and report.failed:
        _writer.write(
            {"kind": "test", "id": report.nodeid or "collection", "outcome": "error", "phase": "collect",
             "duration": 0.0, "message": _message(report), "where": _where(report), "details": _details(report)}
        )


def pytest_runtest_logreport(report):
    if not _writer:
        return
    if report.when == "call" or report.failed or (report.when == "setup" and report.skipped):
        outcome = report.outcome
        if report.when != "call" and report.failed:
            outcome = "error"
        record = {"kind": "test", "id": report.nodeid, "outcome": outcome, "phase": report.when,
                  "duration": round(report.duration, 6), "message": _message(report) if not report.passed else "",
                  "where": _where(report) if report.failed else None}
        if report.failed:
            record["details"] = _details(report)
            raised = getattr(report, "tito_raised", None)
            if raised:
                record["raised"] = raised
        _writer.write(record)


def pytest_unconfigure(config):
    global _writer
    if _writer:
        _writer._file.close()
        _writer = None
