"""A pytest plugin that writes each test's outcome as one JSON line, as it happens.

tito's test runner loads it into the pytest subprocess (``-p tito_jupyter.engine.pytest_report``) and reads
the file while the tests run, so results are pytest's own, never scraped from its text output.
"""

from __future__ import annotations

import json


def pytest_addoption(parser):
    parser.addoption("--tito-report", default=None, help="Write per-test results as JSON lines to this file.")


class _Writer:
    def __init__(self, path: str):
        self._file = open(path, "a", encoding="utf-8", buffering=1)

    def write(self, record: dict) -> None:
        self._file.write(json.dumps(record) + "\n")
        self._file.flush()


_writer: _Writer | None = None


def pytest_configure(config):
    global _writer
    path = config.getoption("--tito-report")
    _writer = _Writer(path) if path else None


def _message(report) -> str:
    longrepr = report.longrepr
    if longrepr is None:
        return ""
    crash = getattr(longrepr, "reprcrash", None)
    if crash is not None and getattr(crash, "message", None):
        return crash.message
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


def pytest_collection_finish(session):
    if _writer:
        _writer.write({"kind": "collected", "count": len(session.items)})


def pytest_collectreport(report):
    if _writer and report.failed:
        _writer.write(
            {"kind": "test", "id": report.nodeid or "collection", "outcome": "error", "phase": "collect",
             "duration": 0.0, "message": _message(report), "where": _where(report)}
        )


def pytest_runtest_logreport(report):
    if not _writer:
        return
    if report.when == "call" or report.failed or (report.when == "setup" and report.skipped):
        outcome = report.outcome
        if report.when != "call" and report.failed:
            outcome = "error"
        _writer.write(
            {"kind": "test", "id": report.nodeid, "outcome": outcome, "phase": report.when,
             "duration": round(report.duration, 6), "message": _message(report) if not report.passed else "",
             "where": _where(report) if report.failed else None}
        )


def pytest_unconfigure(config):
    global _writer
    if _writer:
        _writer._file.close()
        _writer = None
