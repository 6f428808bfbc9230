#!/usr/bin/env bash
# Set up everything the tests need and run every test: Python (engine, CLI, server, magics, course,
# instructor, browser) and the sidebar's unit tests. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
TITO_SETUP_TEST=1 bash scripts/setup.sh
. .venv/bin/activate

if [ -f labextension/package.json ] && grep -q '"test"' labextension/package.json; then
  echo "› sidebar unit tests"
  (cd labextension && npm test --silent)
fi

echo "› lint (ruff)"
ruff check .

echo "› pytest"
python -m pytest -q "$@"
