#!/usr/bin/env bash
# Set up everything the tests need and run every test: Python (engine, CLI, server, magics, course,
# instructor, browser) and the sidebar's unit tests. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
TITO_SETUP_TEST=1 bash scripts/setup.sh
. .venv/bin/activate

# The sidebar's dev packages: jest, eslint and prettier for its own checks, axe-core for the browser tests' accessibility
# checks.
# The editable install skips npm when the sidebar is already built, so make sure they are here.
if [ -f labextension/package-lock.json ] && { [ ! -f labextension/node_modules/axe-core/axe.min.js ] ||
  [ ! -f labextension/node_modules/.bin/eslint ]; }; then
  echo "› sidebar dev packages (npm ci)"
  (cd labextension && npm ci --silent --no-audit --no-fund)
fi

# The sidebar's lint (prettier, eslint, tsc, generated API types) and unit tests run in the background beside
# pytest, whose workers spend much of their time waiting on kernels, servers and Chromium: that takes their
# minute and a half of one core off the command's wall time. Their output is printed at the end, and the
# command fails if they do. Job control (set -m) gives them a process group of their own, so a run that stops
# early (ruff fails, Ctrl-C) stops them too.
sidebar_pid=""
sidebar_log=""
if [ -f labextension/package.json ] && grep -q '"test"' labextension/package.json; then
  sidebar_log=$(mktemp)
  echo "› sidebar lint and unit tests (in the background; their output follows pytest's)"
  set -m
  bash -c 'cd labextension &&
    echo "› sidebar lint (prettier, eslint, tsc, generated API types)" && npm run --silent lint:check &&
    echo "› sidebar unit and component tests" && npm test --silent' >"$sidebar_log" 2>&1 &
  sidebar_pid=$!
  set +m
  trap 'kill -- -"$sidebar_pid" 2>/dev/null || true; rm -f "$sidebar_log"' EXIT
fi

echo "› lint (ruff)"
ruff check .

# In parallel: one pytest-xdist worker a core, and two more (TITO_TEST_WORKERS to choose). Most tests wait on
# subprocesses (kernels, jupyter servers, pytest runs, Chromium): two workers on two cores left a third of the cores
# idle, three still left 5% of the test phase's CPU idle (vmstat, fresh-clone runs), four leave under 2%: fresh-clone
# runs on a quiet 2-core machine, pytest 9 min 9 s to 10 min with three workers, 8 min 59 s and 9 min 12 s with four.
# --dist loadfile keeps a file's tests on one worker: its module-scoped fixtures (a browser) are made once.
# --no-loadscope-reorder hands out the files in the order collected, where tests/conftest.py puts the files marked
# @pytest.mark.slow first, longest first (xdist's own order, most tests first, left them for the end, to run alone).
# --durations=30 ends the log with the slowest steps: where to look when the command nears its ten minutes.
# -m "not milestone_run": the milestones trained to their targets (2017, 1998: a minute of CPU) are left to CI's test
# jobs, which run every test, as issue #13 allows to keep this command under ten minutes; `-m milestone_run` runs them.
# Extra arguments come last, so `-n 0` runs serially; `python -m pytest` alone is serial too.
workers=${TITO_TEST_WORKERS:-$(($(nproc) + 2))}
echo "› pytest ($workers workers)"
set +e  # the sidebar's verdict is still to come
python -m pytest -q -n "$workers" --dist loadfile --no-loadscope-reorder --durations=30 -m "not milestone_run" "$@"
pytest_status=$?
set -e

sidebar_status=0
if [ -n "$sidebar_pid" ]; then
  wait "$sidebar_pid" || sidebar_status=$?
  cat "$sidebar_log"
  [ "$sidebar_status" = 0 ] || echo "› the sidebar's lint or unit tests failed (exit $sidebar_status), above" >&2
fi
[ "$pytest_status" = 0 ] && [ "$sidebar_status" = 0 ]
