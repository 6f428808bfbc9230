"""tito-jupyter's version, written in one place: the ``version`` of ``labextension/package.json``.

The sidebar is built from that file and the wheel's metadata reads it (hatch-nodejs-version, pyproject.toml), so
the JupyterLab extension and the Python package are one version by construction; the sidebar's handshake with
the server extension (``GET version``) depends on it. Python finds it:

- in a checkout (a contributor's, ``pip install -e``, or ``PYTHONPATH``), in ``labextension/package.json`` itself,
  so a version changed there counts at once;
- in an installed wheel, in ``_build_version.py``, which the build writes beside this file from the same
  package.json (hatch's version hook; git ignores it).

Read once per process: ``json`` is imported by every face anyway, and the file is a few kilobytes.
"""

from __future__ import annotations

import json
import os

#: The sidebar's package, whose ``version`` is the one version.
PACKAGE_JSON = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "labextension",
                            "package.json")
PACKAGE_NAME = "tito-jupyter"


def _from_checkout() -> str | None:
    """package.json's version, in a checkout; None elsewhere (beside an installed package is no such file of ours)."""
    try:
        with open(PACKAGE_JSON, encoding="utf-8") as file:
            package = json.load(file)
    except (OSError, ValueError):
        return None
    if not isinstance(package, dict) or package.get("name") != PACKAGE_NAME:
        return None
    version = package.get("version")
    return version if isinstance(version, str) and version else None


def _from_build() -> str | None:
    try:
        from ._build_version import __version__ as built
    except ImportError:
        return None
    return built


def _version() -> str:
    version = _from_checkout() or _from_build()
    if version is None:
        raise ImportError("tito-jupyter cannot tell its version: it is neither a checkout (no labextension/package.json "
                          "beside the package) nor an installed build (no tito_jupyter/_build_version.py). Install it "
                          "with `pip install tito-jupyter`, or from a checkout with scripts/setup.sh.")
    return version


__version__ = _version()
