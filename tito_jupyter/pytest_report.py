"""A pytest plugin that writes each test's outcome as one JSON line, as it happens.

tito's test runner loads it into the pytest subprocess (``-p tito_jupyter.pytest_report``) and reads
the file while the tests run, so results are pytest's own, never scraped from its text output.

A failure's ``message`` is cleaned for a person (the test's own assertion message first, without pytest's
``+  where`` introspection or ``<function f at 0x…>`` addresses); pytest's full report stays under ``details``.
``raised`` names the innermost frame of the exception (file, line, qualified name, exception type), so the
engine can tell which function a ``NotImplementedError`` came from (see ``testing.not_written``). Not
pytest-reportlog for that reason: its lines are pytest's serialised reports, with neither the qualified name of the
function that raised nor a cleaned message, and without the stages below.

With ``--tito-stages`` (``testing.run_stages``: a module's tests, then each checkpoint it unlocks, in one process)
the tests run stage by stage, in the order of the stages, and each record says its ``stage``. A stage begins
(a ``{"kind": "stage", "index": i}`` line) only if every stage before it reported tests and none failed, as if
each stage were a pytest run of its own that runs only after the one before passed; otherwise its tests and
every later stage's are left out, unreported. A stage whose files cannot be collected fails without running,
and does not stop the stages before it from running (pytest would otherwise run nothing at all).

With ``--tito-independent-stages`` as well (``tito release student``: each module's tests, on an edition where most
fail by design) every stage begins whatever the stages before it did, as if each were a pytest run of its own:
one that fails, or cannot be collected, is that stage's alone.

It also lets pytest parse each failing file once a run rather than once a failure (:func:`_parse_each_source_once`).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

#: pytest's report of a failure, kept in full under ``details`` (cut at this many characters: a huge repr).
DETAILS_CHARS = 20_000
_ADDRESS = re.compile(r"<(?:built-in )?(?:function|bound method|method|class) ([\w.<>]+)(?: of .*?)? at 0x[0-9a-fA-F]+>")
_WHERE = re.compile(r"^\s*\+\s+where (.+?) = (.+)$")


def pytest_addoption(parser):
    parser.addoption("--tito-report", default=None, help="Write per-test results as JSON lines to this file.")
    parser.addoption("--tito-stages", default=None,
                     help="A JSON list of lists of paths: run them as stages, each only if those before it passed.")
    parser.addoption("--tito-independent-stages", action="store_true", default=False,
                     help="With --tito-stages: run every stage, whatever the stages before it did.")


class _Writer:
    def __init__(self, path: str):
        self._file = open(path, "a", encoding="utf-8", newline="\n", buffering=1)

    def write(self, record: dict) -> None:
        self._file.write(json.dumps(record) + "\n")
        self._file.flush()


_writer: _Writer | None = None


class _Stages:
    """Which stage each test belongs to, and which stages have reported, failed and begun."""

    def __init__(self, stages: list[list[str]], root: Path, independent: bool = False):
        self.paths = [[Path(p).resolve() for p in stage] for stage in stages]
        self.root = root
        self.independent = independent  # every stage begins, whatever those before it did
        self.of_item: dict[str, int] = {}
        self.reported: set[int] = set()
        self.failed: set[int] = set()
        self.uncollectable: set[int] = set()  # stages with a file pytest could not collect: none of it runs
        self.current = 0
        self.gated = False  # a stage did not pass: nothing after it runs

    def of_path(self, path: Path) -> int:
        path = path.resolve()
        for index, stage in enumerate(self.paths):
            if any(path == p or path.is_relative_to(p) for p in stage):
                return index
        return 0

    def of_nodeid(self, nodeid: str) -> int:
        if nodeid in self.of_item:
            return self.of_item[nodeid]
        return self.of_path(self.root / nodeid.split("::")[0]) if nodeid else 0

    def enter(self, index: int) -> bool:
        """Begin every stage up to ``index`` that may begin; True if ``index`` has begun."""
        while self.current < index and not self.gated:
            if not self.independent and any(s in self.failed or s not in self.reported
                                            for s in range(self.current + 1)):
                self.gated = True
                break
            self.current += 1
            _writer.write({"kind": "stage", "index": self.current})
        return not self.gated and self.current == index and index not in self.uncollectable


_stages: _Stages | None = None


def _parse_each_source_once() -> None:
    """Let pytest parse the source of a failing test's frames once a run, not once a failure.

    For each frame of a failure it reports, pytest parses the frame's whole file to find the statement to show, and
    keeps the tree only for that one report: a fresh module, where every test fails in the same exported file,
    parsed that file again for each of its failures (about 15 ms a failure: 1,000 failures of the course's student
    edition took 15 s of CPU instead of 4). The tree is kept here for the run, keyed by the source text itself, so
    what pytest reports is the same. Only where pytest's formatting is laid out as this expects; otherwise pytest is
    left as it is (and only slower).
    """
    try:
        from _pytest._code import code, source
    except ImportError:
        return
    original = getattr(source, "getstatementrange_ast", None)
    if original is None or getattr(code, "getstatementrange_ast", None) is not original:
        return
    trees: dict[str, object] = {}

    def getstatementrange_ast(lineno, text, assertion=False, astnode=None):
        key = None
        if astnode is None:
            key = "\n".join(text.lines)
            astnode = trees.get(key)
        found = original(lineno, text, assertion, astnode)
        if key is not None and astnode is None:
            trees[key] = found[0]
        return found

    code.getstatementrange_ast = source.getstatementrange_ast = getstatementrange_ast


def pytest_configure(config):
    global _writer, _stages
    _parse_each_source_once()
    path = config.getoption("--tito-report")
    _writer = _Writer(path) if path else None
    stages = config.getoption("--tito-stages")
    independent = config.getoption("--tito-independent-stages")
    _stages = _Stages(json.loads(stages), config.rootpath, independent) if stages and _writer else None


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(session, config, items):
    """Stage by stage, in the stages' order (each stage's tests in pytest's order)."""
    if _stages is None:
        return
    for item in items:
        _stages.of_item[item.nodeid] = _stages.of_path(item.path)
    items.sort(key=lambda item: _stages.of_item[item.nodeid])


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_protocol(item, nextitem):
    """Leave a test out (True: handled, nothing reported) unless its stage has begun and not failed."""
    if _stages is None:
        return None
    index = _stages.of_item.get(item.nodeid, 0)
    if index != _stages.current or index in _stages.uncollectable:
        if not _stages.enter(index):
            return True
    return None


@pytest.hookimpl(hookwrapper=True)
def pytest_runtestloop(session):
    yield
    if _stages is not None:
        _stages.enter(len(_stages.paths) - 1)  # stages with no test to run (collection errors) still begin


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
    if not _writer:
        return
    record = {"kind": "collected", "count": len(session.items)}
    if _stages is not None:
        counts = [0] * len(_stages.paths)
        for item in session.items:
            counts[_stages.of_item.get(item.nodeid, 0)] += 1
        record["stages"] = counts
        if _stages.uncollectable and (_stages.independent or 0 not in _stages.uncollectable):
            # The stages that can be collected run (the others fail when they begin, untested); gated, that is
            # only when the first stage can be, for nothing runs after a stage that failed.
            session.config.option.continue_on_collection_errors = True
    _writer.write(record)


def pytest_collectreport(report):
    if _writer and report.failed:
        record = {"kind": "test", "id": report.nodeid or "collection", "outcome": "error", "phase": "collect",
                  "duration": 0.0, "message": _message(report), "where": _where(report), "details": _details(report)}
        if _stages is not None:
            record["stage"] = _stages.of_nodeid(report.nodeid)
            _stages.failed.add(record["stage"])
            _stages.uncollectable.add(record["stage"])
        _writer.write(record)


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
        if _stages is not None:
            record["stage"] = _stages.of_nodeid(report.nodeid)
            _stages.reported.add(record["stage"])
            if report.failed:
                _stages.failed.add(record["stage"])
        _writer.write(record)


def pytest_sessionfinish(session, exitstatus):
    """pytest's verdict: the last line of a run that ended as pytest ends it (a test that ends the process, or a
    kill, leaves none)."""
    if _writer:
        _writer.write({"kind": "finished", "exit_code": int(exitstatus)})


def pytest_unconfigure(config):
    global _writer, _stages
    _stages = None
    if _writer:
        _writer._file.close()
        _writer = None
