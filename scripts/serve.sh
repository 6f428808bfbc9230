#!/usr/bin/env bash
# Set up (if needed) and start JupyterLab on the course with the tito sidebar and magics; prints the URL
# with its token. Extra arguments go to `tito dev serve` (e.g. --port 9000 --ip 0.0.0.0).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
. .venv/bin/activate
exec python -m tito_jupyter dev serve "$@"
