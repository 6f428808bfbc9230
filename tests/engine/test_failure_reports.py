"""pytest's report of a failure, in tito's runs: the same text as pytest alone writes, at the cost of one parse of each
failing file a run, not one a failure (tito_jupyter/pytest_report.py ``_parse_each_source_once``).

A fresh module fails every test in the same exported file; pytest parsed that whole file again for each failure
it reported (1,000 failures of the course's student edition: 15 s of CPU, 4 s with the parse kept). Real pytest in
subprocesses, with and without tito's plugin.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

FAILURES = 40

#: Counts pytest's parses of whole sources for a report (it names them "source") into $PARSES, one line each.
CONFTEST = '''import ast
import os

_parse = ast.parse


def counting_parse(source, filename="<unknown>", *args, **kwargs):
    if filename == "source":
        with open(os.environ["PARSES"], "a") as f:
            f.write("parse\\n")
    return _parse(source, filename, *args, **kwargs)


ast.parse = counting_parse
'''


def _write_project(root: Path) -> None:
    # A long module (as an exported notebook is), whose one function is not written yet.
    filler = "\n\n".join(f"def helper_{i}(x):\n    \"\"\"Helper {i}.\"\"\"\n    return x + {i}\n" for i in range(300))
    (root / "stubs.py").write_text(f"{filler}\n\ndef forward(x):\n    raise NotImplementedError()\n")
    tests = "\n\n".join(f"def test_forward_{i}():\n    assert stubs.forward({i}) == {i}\n" for i in range(FAILURES))
    (root / "test_stubs.py").write_text(f"import stubs\n\n\n{tests}")
    (root / "conftest.py").write_text(CONFTEST)


def _pytest(root: Path, *plugin: str) -> tuple[str, int]:
    """pytest's terminal output (addresses, timings and this run's paths made neutral) and its parse count."""
    parses = root / f"parses{len(plugin)}.txt"
    env = {**os.environ, "PARSES": str(parses), "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1", "PYTHONPATH": os.pathsep.join(
        [str(root), str(Path(__file__).resolve().parents[2]), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir", str(root),
                           "-c", os.devnull, *plugin, "test_stubs.py"],
                          cwd=root, env=env, capture_output=True, text=True, timeout=300)
    assert f"{FAILURES} failed" in done.stdout, done.stdout[-3000:] + done.stderr[-3000:]
    text = re.sub(r"0x[0-9a-fA-F]+", "0x", done.stdout)
    text = re.sub(r" in [0-9.]+s", "", text)
    return text, len(parses.read_text().splitlines()) if parses.exists() else 0


def test_tito_runs_report_failures_as_pytest_does_and_parse_each_file_once(tmp_path):
    _write_project(tmp_path)
    alone, parsed_alone = _pytest(tmp_path)
    report = tmp_path / "report.jsonl"
    with_tito, parsed_with_tito = _pytest(tmp_path, "-p", "tito_jupyter.pytest_report", f"--tito-report={report}")

    assert with_tito == alone  # every traceback, line for line
    assert parsed_alone >= FAILURES  # pytest alone: the long module again for every failure
    # With tito: each source once, whatever the number of failures (the test file, the module, the function's lines).
    assert parsed_with_tito == 3, parsed_with_tito
    records = [json.loads(line) for line in report.read_text().splitlines()]
    failed = [r for r in records if r.get("outcome") == "failed"]
    assert len(failed) == FAILURES
    assert all("raise NotImplementedError()" in r["details"] and r["raised"]["function"] == "forward"
               for r in failed)

