#!/usr/bin/env bash
# Take the pictures in README.md and docs/ (docs/images/*.png) from the real UI: JupyterLab on the course's own
# student edition, in headless Chromium, worked as a student does, light and dark theme
# (tests/lab/test_readme_screenshots.py says what each shows). Then optimize them (optipng).
# Usage: bash scripts/screenshots.sh               (sets up .venv first, as scripts/test.sh does)
#        bash scripts/screenshots.sh --no-setup    (use the Python environment already active)
# Look at every picture before committing it: it must show what its caption says.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = "--no-setup" ]; then
  shift
else
  TITO_SETUP_TEST=1 bash scripts/setup.sh
  . .venv/bin/activate
fi
if ! command -v optipng >/dev/null; then
  echo "› installing optipng (Debian) to keep the pictures small"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq optipng >/dev/null
fi

out="$PWD/docs/images"
mkdir -p "$out"
echo "› taking the pictures into docs/images/"
TITO_SCREENSHOTS_DIR="$out" python -m pytest -q -p no:cacheprovider tests/lab/test_readme_screenshots.py "$@"
echo "› optimizing them"
optipng -quiet -o2 -strip all "$out"/*.png
ls -l "$out"
