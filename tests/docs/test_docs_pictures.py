"""The pictures in README.md and docs/ are the ones scripts/screenshots.sh takes from the real UI: every one the
script takes is committed, in both themes, small, and shown; every picture the docs show exists."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
IMAGES = REPO / "docs" / "images"
SCRIPT = REPO / "scripts" / "screenshots.sh"


def taken() -> set[str]:
    """The file names the screenshot test writes (its own list, so the two cannot drift apart)."""
    sys.path.insert(0, str(REPO / "tests" / "lab"))
    try:
        from test_readme_screenshots import PICTURES, THEMES
    finally:
        sys.path.pop(0)
    return {f"{name}-{theme}.png" for name in PICTURES for theme in THEMES}


#: A picture in Markdown, ``![alt](path.png)``, or in HTML, ``src="path.png"`` / ``srcset="path.png"``.
_PICTURE = re.compile(r"(?:src|srcset)=\"([^\"]+\.png)\"|\]\(([^)\s]+\.png)\)")


def shown(doc: Path) -> set[str]:
    """The paths of the pictures a Markdown file shows."""
    return {html or markdown for html, markdown in _PICTURE.findall(doc.read_text())}


def test_every_picture_the_script_takes_is_committed_small_and_shown():
    names = taken()
    assert names == {p.name for p in IMAGES.glob("*.png")}, "run `bash scripts/screenshots.sh` and commit docs/images"
    for name in names:
        data = (IMAGES / name).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{name} is not a PNG"
        assert len(data) < 150_000, f"{name} has {len(data)} bytes: crop it to the panel it shows"
    guide = {Path(p).name for p in shown(REPO / "docs" / "student-guide.md")}
    assert guide == names, f"docs/student-guide.md shows {sorted(guide)}"


def test_every_picture_the_docs_show_exists():
    for doc in [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]:
        for path in shown(doc):
            assert (doc.parent / path).is_file(), f"{doc.name} shows {path}, which does not exist"
    assert {Path(p).name for p in shown(REPO / "README.md")} <= taken()


def test_the_script_takes_them_from_the_browser_test_and_passes_shellcheck():
    text = SCRIPT.read_text()
    assert "TITO_SCREENSHOTS_DIR=" in text and "tests/lab/test_readme_screenshots.py" in text
    assert shutil.which("shellcheck"), "shellcheck is not installed: `bash scripts/test.sh` installs it"
    done = subprocess.run(["shellcheck", "-S", "warning", str(SCRIPT)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout
