#!/usr/bin/env bash
# Set up everything the tests need and run every test: Python (engine, CLI, server, magics, course,
# instructor, browser) and the sidebar's unit tests. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
TITO_SETUP_TEST=1 bash scripts/setup.sh
. .venv/bin/activate

# The sidebar's dev packages: jest for its unit tests, axe-core for the browser tests' accessibility checks.
# The editable install skips npm when the sidebar is already built, so make sure they are here.
if [ -f labextension/package-lock.json ] && [ ! -f labextension/node_modules/axe-core/axe.min.js ]; then
  echo "› sidebar dev packages (npm ci)"
  (cd labextension && npm ci --silent --no-audit --no-fund)
fi

if [ -f labextension/package.json ] && grep -q '"test"' labextension/package.json; then
  echo "› sidebar unit tests"
  (cd labextension && npm test --silent)
fi

echo "› lint (ruff)"
ruff check .

# In parallel: one pytest-xdist worker a core (TITO_TEST_WORKERS to choose). Most tests wait on subprocesses
# (kernels, jupyter servers, pytest runs, Chromium), so two workers on two cores overlap that waiting
# (bench/test_suite.py measures the ratio: x0.81 on a slice of the suite, on a half-loaded machine).
# --dist loadfile keeps a file's tests on one worker: its module-scoped fixtures (a browser) are made once.
# --no-loadscope-reorder hands out the files in the order collected, where tests/conftest.py puts the files marked
# @pytest.mark.slow first, longest first (xdist's own order, most tests first, left them for the end, to run alone).
# --durations=30 ends the log with the slowest steps: where to look when the command nears its ten minutes.
# Extra arguments come last, so `-n 0` runs serially; `python -m pytest` alone is serial too.
workers=${TITO_TEST_WORKERS:-$(nproc)}
echo "› pytest ($workers workers)"
python -m pytest -q -n "$workers" --dist loadfile --no-loadscope-reorder --durations=30 "$@"
