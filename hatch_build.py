"""The build step that puts the course into the package: ``tito init`` lays down what the wheel carries.

A wheel (and an sdist) built from the repository carries ``tito_jupyter/course_edition.zip``: the student
edition of the course made by ``tito release student`` from the committed source at build time, so it has
passed the release's checks (solutions stripped, the student edition fails its tests with NotImplementedError,
the instructor edition passes them, no solution text leaked) and holds only committed work. Its manifest
(``edition.json`` in the zip) names the tito version and the source commit it was made with.

The build fails, with the release's own sentence, whenever that edition cannot be made or does not verify
itself: a wheel never carries a stale or unchecked course. An sdist carries the edition it made, so a wheel
built from the sdist (no git, perhaps no nbgrader) takes that one, once it has checked that it is of the same
version. Editable installs (a contributor's checkout) carry none: the course is right there.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from datetime import datetime, timezone
from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

#: Where the edition goes in the package; ``tito_jupyter/engine/init.py`` reads it from there.
PACKAGED = "tito_jupyter/course_edition.zip"
MANIFEST = "edition.json"
COURSE_PREFIX = "course/"


class CourseEditionHook(BuildHookInterface):
    PLUGIN_NAME = "course-edition"

    def initialize(self, version: str, build_data: dict) -> None:
        if self.target_name == "wheel" and version == "editable":
            return
        root = Path(self.root)
        if (root / "PKG-INFO").is_file():  # an unpacked sdist: it carries the edition it was built with
            packaged = root / PACKAGED
            _check_prebuilt(packaged, self.metadata.version)
            build_data["force_include"][str(packaged)] = PACKAGED
            return
        self._work = Path(tempfile.mkdtemp(prefix="tito-course-edition-"))
        archive = _build_edition(root, self._work, self.metadata.version, self.app)
        build_data["force_include"][str(archive)] = PACKAGED

    def finalize(self, version: str, build_data: dict, artifact_path: str) -> None:
        work = getattr(self, "_work", None)
        if work is not None:
            shutil.rmtree(work, ignore_errors=True)


def _check_prebuilt(packaged: Path, version: str) -> None:
    if not packaged.is_file():
        raise RuntimeError(f"This source distribution has no {PACKAGED}: it was not built from the tito-jupyter "
                           "repository, so there is no verified course to put in the wheel.")
    with zipfile.ZipFile(packaged) as archive:
        manifest = json.loads(archive.read(MANIFEST))
    if manifest.get("tito_version") != version:
        raise RuntimeError(f"{PACKAGED} was made by tito-jupyter {manifest.get('tito_version')}, not {version}: "
                           "rebuild the source distribution from the repository.")


def _build_edition(root: Path, work: Path, version: str, app) -> Path:
    """Run ``tito release student`` on the checkout, then zip the edition with its manifest; raise if it fails."""
    out = work / "course"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(root), os.environ.get("PYTHONPATH")]))}
    command = [sys.executable, "-m", "tito_jupyter", "--json", "--project", str(root), "release", "student",
               "--out", str(out)]
    app.display_info("Building and verifying the student edition of the course (tito release student)...")
    done = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True)
    try:
        result = json.loads(done.stdout)
    except ValueError:
        raise RuntimeError("tito release student did not run, so the wheel would carry no verified course:\n"
                           + (done.stderr or done.stdout)[-3000:]) from None
    if not result.get("ok"):
        raise RuntimeError("tito release student did not make a verified student edition, so no package is "
                           "built: " + result.get("summary", "(no summary)"))
    data = result["data"]
    manifest = {
        "format": 1,
        "tito_version": version,
        "commit": (data.get("source") or {}).get("commit"),
        "built": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "modules": [m["id"] for m in data["modules"]],
        "verified": data["sentence"],
    }
    archive = work / "course_edition.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(MANIFEST, json.dumps(manifest, indent=1) + "\n")
        for path in sorted(out.rglob("*")):
            if path.is_file():
                zf.write(path, COURSE_PREFIX + path.relative_to(out).as_posix())
    app.display_info(f"Course edition: {data['sentence']}")
    return archive
