#!/usr/bin/env bash
# Set up (if needed) and start JupyterLab on the course with the tito sidebar and magics; prints the URL
# with its token. Extra arguments go to `tito dev serve` (e.g. --port 9000 --ip 0.0.0.0).
# A student's JupyterLab by default; `--instructor` (or TITO_INSTRUCTOR=1) also installs nbgrader and keeps its
# menu and panels on.
set -euo pipefail
cd "$(dirname "$0")/.."
for arg in "$@"; do
  if [ "$arg" = "--instructor" ]; then export TITO_INSTRUCTOR=1; fi
done
bash scripts/setup.sh
. .venv/bin/activate
if [ "${TITO_INSTRUCTOR:-0}" = "1" ]; then
  case " $* " in *" --instructor "*) ;; *) set -- "$@" --instructor ;; esac
fi
exec python -m tito_jupyter dev serve "$@"
