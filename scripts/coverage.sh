#!/usr/bin/env bash
# Test coverage of tito_jupyter over the whole suite, subprocesses included: the CLI runs, the server's jobs, the
# kernels, the pytest runs tito starts. One figure, written to build/coverage/ (coverage.json for
# `tito system health`, an HTML report); exits non-zero under 90% or when a test fails. Extra arguments go to
# pytest. Slower than scripts/test.sh (every Python process is traced), so CI runs it as its own job.
set -euo pipefail
cd "$(dirname "$0")/.."
TITO_SETUP_TEST=1 bash scripts/setup.sh
. .venv/bin/activate

rm -rf build/coverage
mkdir -p build/coverage
# Every process writes its own data file here (absolute: tests run tito in scratch folders); pyproject.toml's
# [tool.coverage.run] reads this variable.
export TITO_COVERAGE_DATA="$PWD/build/coverage/.coverage"
status=0
# In parallel like scripts/test.sh: the xdist workers are subprocesses, traced through `patch = ["subprocess"]`
# like every other (their data files are combined below with the CLI runs', the jobs' and the kernels').
workers=${TITO_TEST_WORKERS:-$(nproc)}
python -m coverage run -m pytest -q -n "$workers" --dist loadfile "$@" || status=$?
python -m coverage combine --quiet
python -m coverage json --quiet -o build/coverage/coverage.json
python -m coverage html --quiet -d build/coverage/html
python -m coverage report --skip-covered --sort=cover --fail-under=90 || status=$((status ? status : 2))
exit "$status"
