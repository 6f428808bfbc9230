"""One version, written once in labextension/package.json: the sidebar, the wheel's metadata and Python read it.

The sidebar's handshake with the server extension (``GET version``) refuses a sidebar of another version, so two
copies that drift apart leave a student without a sidebar. tests/packaging checks the built wheel says the same.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import tito_jupyter
from tito_jupyter import _version

REPO = Path(tito_jupyter.__file__).resolve().parents[1]
PACKAGE_JSON = REPO / "labextension" / "package.json"


def test_python_reads_the_version_package_json_says():
    assert tito_jupyter.__version__ == json.loads(PACKAGE_JSON.read_text())["version"]
    assert Path(_version.PACKAGE_JSON).resolve() == PACKAGE_JSON


def test_the_wheels_metadata_takes_the_same_version():
    # What hatch builds the wheel's METADATA from (pyproject.toml: hatch-nodejs-version reads package.json).
    done = subprocess.run([sys.executable, "-m", "hatchling", "version"], cwd=REPO, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == tito_jupyter.__version__


def _package_beside(tmp_path: Path, build_version: str | None, package_json: dict | None) -> subprocess.CompletedProcess:
    """Import a copy of _version.py as an installed package would have it (in site-packages: no checkout around),
    with the build's file and a package.json beside it, or not."""
    site = tmp_path / "site-packages"
    (site / "tito_jupyter").mkdir(parents=True)
    (site / "tito_jupyter" / "__init__.py").write_text("")
    shutil.copy(_version.__file__, site / "tito_jupyter" / "_version.py")
    if build_version is not None:
        (site / "tito_jupyter" / "_build_version.py").write_text(f"__version__ = VERSION = {build_version!r}\n")
    if package_json is not None:
        (site / "labextension").mkdir()
        (site / "labextension" / "package.json").write_text(json.dumps(package_json))
    code = "from tito_jupyter._version import __version__; print(__version__)"
    return subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env={"PYTHONPATH": str(site)},
                          capture_output=True, text=True, timeout=60)


def test_an_installed_package_reads_what_the_build_wrote(tmp_path):
    done = _package_beside(tmp_path, "9.8.7", None)
    assert done.returncode == 0 and done.stdout.strip() == "9.8.7", done.stderr
    # Another package's package.json above site-packages is not ours: the build's version still counts.
    done = _package_beside(tmp_path / "other", "9.8.7", {"name": "someone-else", "version": "1.0.0"})
    assert done.returncode == 0 and done.stdout.strip() == "9.8.7", done.stderr


def test_a_checkouts_package_json_wins_over_a_stale_build_file(tmp_path):
    # `pip install -e` wrote _build_version.py; the version changed since in package.json: the checkout's counts.
    done = _package_beside(tmp_path, "0.0.1", {"name": "tito-jupyter", "version": "2.0.0"})
    assert done.returncode == 0 and done.stdout.strip() == "2.0.0", done.stderr


def test_without_either_it_says_what_to_do(tmp_path):
    done = _package_beside(tmp_path, None, {"name": "tito-jupyter"})  # no version in it
    assert done.returncode != 0
    assert "cannot tell its version" in done.stderr and "pip install tito-jupyter" in done.stderr
