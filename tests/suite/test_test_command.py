"""The README's test command (scripts/test.sh) runs the sidebar's lint and unit tests beside pytest, not before it,
and still reports them: their output is printed at the end and the command fails when they fail. A run that
stops early (ruff finds something) leaves none of them running.

scripts/test.sh itself runs here, copied into a throwaway checkout whose heavy tools are stand-ins on PATH (the
setup, npm, ruff, and the `python -m pytest` it calls): the script's own logic is what is tested. Each stand-in
notes when it starts; the sidebar's lint waits (boundedly) for pytest to start, which only happens when the two
run at the same time.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest
from process_tree import MARKER, assert_tree_gone

REPO = Path(__file__).resolve().parents[2]

#: npm as the sidebar's checks call it: `npm run --silent lint:check`, then `npm test --silent`.
FAKE_NPM = r"""#!/usr/bin/env bash
log="$FAKE_LOG"
case "$*" in
  *lint:check*)
    echo "lint started" >>"$log"
    echo "sidebar lint output"
    if [ "${FAKE_LINT_HANGS:-0}" = 1 ]; then sleep 120; fi
    for _ in $(seq 300); do grep -q "pytest started" "$log" && break; sleep 0.1; done  # at most 30 s
    grep -q "pytest started" "$log" && echo "lint saw pytest running" >>"$log"
    exit "${FAKE_LINT_EXIT:-0}" ;;
  *test*)
    echo "jest ran" >>"$log"
    echo "sidebar jest output"
    exit "${FAKE_JEST_EXIT:-0}" ;;
esac
exit 99
"""

#: `python -m pytest ...`: notes its start, prints, and exits as told.
FAKE_PYTHON = r"""#!/usr/bin/env bash
echo "pytest started" >>"$FAKE_LOG"
echo "pytest output"
for _ in $(seq 300); do grep -q "lint started" "$FAKE_LOG" && break; sleep 0.1; done  # at most 30 s
exit "${FAKE_PYTEST_EXIT:-0}"
"""

FAKE_RUFF = """#!/usr/bin/env bash
exit "${FAKE_RUFF_EXIT:-0}"
"""


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    root = tmp_path / "checkout"
    (root / "scripts").mkdir(parents=True)
    shutil.copy(REPO / "scripts/test.sh", root / "scripts/test.sh")
    (root / "scripts/setup.sh").write_text("exit 0\n")
    (root / "labextension").mkdir()
    (root / "labextension/package.json").write_text('{"scripts": {"test": "jest"}}\n')
    bin_dir = root / ".venv/bin"
    bin_dir.mkdir(parents=True)
    (bin_dir / "activate").write_text(f'PATH="{bin_dir}:$PATH"\n')
    for name, text in (("npm", FAKE_NPM), ("python", FAKE_PYTHON), ("ruff", FAKE_RUFF)):
        (bin_dir / name).write_text(text)
        (bin_dir / name).chmod(0o755)
    return root


def _run(checkout: Path, tmp_path: Path, **fakes: str) -> tuple[subprocess.CompletedProcess, list[str], str]:
    log = tmp_path / "started.log"
    log.touch()
    tag = uuid.uuid4().hex
    env = {**os.environ, "FAKE_LOG": str(log), MARKER: tag, **fakes}
    env.pop("TITO_TEST_WORKERS", None)
    done = subprocess.run(["bash", str(checkout / "scripts/test.sh")], env=env, capture_output=True, text=True,
                          timeout=180)
    return done, log.read_text().splitlines(), tag


def test_the_sidebar_checks_run_beside_pytest_and_report_at_the_end(checkout, tmp_path):
    done, started, tag = _run(checkout, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "lint saw pytest running" in started, started  # the two ran at the same time
    assert "jest ran" in started
    out = done.stdout
    assert out.index("pytest output") < out.index("sidebar lint output") < out.index("sidebar jest output"), out
    assert_tree_gone(tag)


@pytest.mark.parametrize("failing", ["FAKE_LINT_EXIT", "FAKE_JEST_EXIT"])
def test_a_failing_sidebar_check_fails_the_command_after_pytest_ran(checkout, tmp_path, failing):
    done, started, tag = _run(checkout, tmp_path, **{failing: "3"})
    assert done.returncode != 0
    assert "pytest started" in started
    assert "sidebar lint output" in done.stdout  # what failed is shown
    assert "the sidebar's lint or unit tests failed (exit 3)" in done.stderr, done.stderr
    assert ("jest ran" in started) == (failing == "FAKE_JEST_EXIT")  # jest does not run after a failed lint
    assert_tree_gone(tag)


def test_a_failing_pytest_fails_the_command_and_still_shows_the_sidebar(checkout, tmp_path):
    done, started, tag = _run(checkout, tmp_path, FAKE_PYTEST_EXIT="1")
    assert done.returncode != 0
    assert "sidebar jest output" in done.stdout
    assert_tree_gone(tag)


def test_a_run_stopped_by_ruff_leaves_no_sidebar_check_running(checkout, tmp_path):
    done, started, tag = _run(checkout, tmp_path, FAKE_RUFF_EXIT="1", FAKE_LINT_HANGS="1")
    assert done.returncode != 0
    assert "pytest started" not in started
    assert_tree_gone(tag, timeout=10)  # the lint's two-minute sleep was stopped with the command
