"""A student with Python and nothing else: install the built wheel in a fresh virtual environment, `tito init`,
open the course, run `%tito complete` on an empty module.

The wheel is built from this checkout's files (committed into a throwaway git repository, so the release's
"committed work only" check holds, and the edition names that commit), as `python -m build` releases it: the
sdist's build hook runs `tito release student` and packs the verified edition, and the wheel is built from the
unpacked sdist. The virtual environment is new and
has only the wheel and its dependencies from the package index: nothing of the test's own environment leaks
in (no PYTHONPATH, the test environment's tools off PATH, Jupyter's user folders under the test's own).

Timing (2 shared cores, under load): the sdist and its wheel 1.5 min (one run of `tito release student`), the
fresh environment half a minute with uv (the test extra has it; 1 to 3.5 min with pip), the tests after that
1.5 min together: about 3.5 minutes for the file.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from lab_server import CHROMIUM, CHROMIUM_ARGS, Lab
from lab_sidebar import open_lab, open_sidebar, screenshot
from playwright.sync_api import expect
from process_tree import MARKER, assert_tree_gone, clean_up

from tito_jupyter import __version__
from tito_jupyter.course import Course
from tito_jupyter.engine.instructor import release, solution_scan

pytestmark = [pytest.mark.timeout(900), pytest.mark.slow(190)]  # about 190 s on 2 shared cores: started early

REPO = Path(__file__).resolve().parents[2]
#: Variables of the test's environment that would make the fresh one use this checkout or its settings.
NOT_INHERITED = ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME", "TITO_PROJECT", "TITO_COURSE_EDITION", "TITO_TOKEN",
                 "JUPYTER_PATH", "JUPYTER_CONFIG_PATH", "JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR",
                 "JUPYTER_RUNTIME_DIR", "IPYTHONDIR")


def _run(argv: list, timeout: float = 600, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([str(a) for a in argv], capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL, **kwargs)


def _clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in NOT_INHERITED}
    here = Path(sys.executable).parent
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if p and Path(p) != here)
    return env


def _snapshot_of_this_checkout(dest: Path) -> str:
    """The checkout's files as they are now (tracked and new, not ignored), committed in a repository of their
    own; plus the prebuilt sidebar (ignored by git, built by the setup). Returns the commit."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=REPO,
                            capture_output=True, check=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = REPO / name
        if source.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)
    sidebar = REPO / "tito_jupyter" / "labextension"
    assert (sidebar / "package.json").is_file(), "the sidebar is not built: run scripts/setup.sh"
    shutil.copytree(sidebar, dest / "tito_jupyter" / "labextension")
    git = ["git", "-c", "user.name=tito-test", "-c", "user.email=test@tito.local", "-c", "commit.gpgsign=false"]
    for argv in (["git", "init", "-q"], ["git", "add", "-A"], [*git, "commit", "-q", "-m", "snapshot"]):
        subprocess.run(argv, cwd=dest, check=True, capture_output=True)
    return subprocess.run(["git", "rev-parse", "HEAD"], cwd=dest, check=True, capture_output=True,
                          text=True).stdout.strip()


@dataclass
class Checkout:
    root: Path
    commit: str


@dataclass
class Built:
    sdist: Path
    unpacked: Path  # the sdist's source tree, where the wheel was built
    wheel: Path
    commit: str


def _build_wheel(source: Path, dist: Path) -> subprocess.CompletedProcess:
    """pip's wheel build, with this environment's build tools (no download of them), as a release would run it."""
    return _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w", dist, source],
                env={**os.environ, "PYTHONPATH": ""})


def _manifest(wheel: Path) -> dict:
    with zipfile.ZipFile(wheel) as whl, zipfile.ZipFile(whl.open("tito_jupyter/course_edition.zip")) as edition:
        return json.loads(edition.read("edition.json"))


@pytest.fixture(scope="session")
def checkout(tmp_path_factory) -> Checkout:
    root = tmp_path_factory.mktemp("checkout") / "tito-jupyter"
    return Checkout(root, _snapshot_of_this_checkout(root))


@pytest.fixture(scope="session")
def built(checkout, tmp_path_factory) -> Built:
    """As `python -m build` releases it: the sdist from the checkout (its build makes and verifies the edition, the
    one run of the course's release here), then the wheel from the unpacked sdist, where there is no git."""
    dist = tmp_path_factory.mktemp("dist")
    done = _run([sys.executable, "-m", "build", "--sdist", "--no-isolation", "-o", dist, checkout.root],
                env={**os.environ, "PYTHONPATH": ""})
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    [sdist] = dist.glob("tito_jupyter-*.tar.gz")
    unpacked = tmp_path_factory.mktemp("unpacked")
    shutil.unpack_archive(sdist, unpacked)
    [source] = unpacked.iterdir()
    done = _build_wheel(source, dist)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return Built(sdist=sdist, unpacked=source, wheel=next(dist.glob("tito_jupyter-*.whl")), commit=checkout.commit)


@dataclass
class Student:
    """A fresh virtual environment with the wheel installed, and how to run its commands."""

    venv: Path
    home: Path

    def env(self, tag: str | None = None) -> dict[str, str]:
        env = _clean_env()
        env["PATH"] = os.pathsep.join([str(self.venv / "bin"), env["PATH"]])
        for name in ("runtime", "data", "config"):
            env[f"JUPYTER_{name.upper()}_DIR"] = str(self.home / name)
        env["IPYTHONDIR"] = str(self.home / "ipython")
        if tag:
            env[MARKER] = tag
        return env

    def tito(self, *args, cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess:
        return _run([self.venv / "bin" / "tito", "--no-color", *args], cwd=cwd, env=self.env(), timeout=timeout)


def _installer(venv: Path) -> list:
    """What installs into the fresh environment: uv where the test extra brought it (the same wheel and
    dependencies, installed in seconds rather than minutes), else the environment's own pip, as a student's."""
    import importlib.util

    uv = shutil.which("uv") or (importlib.util.find_spec("uv") and sys.executable)
    if uv:
        return [uv, *(["-m", "uv"] if uv == sys.executable else []), "pip", "install", "-q", "--python",
                venv / "bin" / "python"]
    return [venv / "bin" / "python", "-m", "pip", "install", "-q", "--disable-pip-version-check"]


@pytest.fixture(scope="session")
def student(built, tmp_path_factory) -> Student:
    venv = tmp_path_factory.mktemp("fresh") / "venv"
    made = _run([sys.executable, "-m", "venv", venv], env=_clean_env())
    assert made.returncode == 0, made.stderr
    installed = _run([*_installer(venv), str(built.wheel)], env=_clean_env(), timeout=900)
    assert installed.returncode == 0, installed.stdout[-3000:] + installed.stderr[-3000:]
    home = tmp_path_factory.mktemp("home")
    who = Student(venv, home)
    where = _run([venv / "bin" / "python", "-c", "import tito_jupyter; print(tito_jupyter.__file__)"],
                 env=who.env(), cwd=home)
    assert where.stdout.strip().startswith(str(venv)), where  # the wheel's tito, not this checkout's
    return who


def _tree(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {p.relative_to(folder).as_posix(): (p.read_bytes() if p.is_file() else b"", p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*"))}


# -- the wheel ---------------------------------------------------------------------------------------------


def test_the_wheels_python_and_its_sidebar_are_one_version(built, student):
    # Written once, in labextension/package.json: the wheel's metadata, the Python package and the built sidebar's
    # package.json (which JupyterLab loads) all say it, or the sidebar refuses the server extension.
    written = json.loads((REPO / "labextension" / "package.json").read_text())["version"]
    with zipfile.ZipFile(built.wheel) as wheel:
        [metadata] = [n for n in wheel.namelist() if n.endswith(".dist-info/METADATA")]
        said = re.search(r"^Version: (.+)$", wheel.read(metadata).decode(), re.M).group(1)
        [shared] = [n for n in wheel.namelist() if n.endswith("share/jupyter/labextensions/tito-jupyter/package.json")]
        sidebar = json.loads(wheel.read(shared))["version"]
        built_python = wheel.read("tito_jupyter/_build_version.py").decode()
    python = _run([student.venv / "bin" / "python", "-c", "import tito_jupyter; print(tito_jupyter.__version__)"],
                  env=student.env(), cwd=student.home)
    assert python.returncode == 0, python.stderr
    assert said == sidebar == python.stdout.strip() == written == __version__
    assert repr(written) in built_python


def test_the_wheel_carries_the_verified_student_edition_of_its_version_and_commit(built):
    manifest = _manifest(built.wheel)
    with zipfile.ZipFile(built.wheel) as wheel, zipfile.ZipFile(wheel.open("tito_jupyter/course_edition.zip")) as ed:
        names = ed.namelist()
    assert manifest["tito_version"] == __version__ and manifest["commit"] == built.commit
    assert manifest["modules"] == [m.id for m in Course.load(REPO).modules]
    assert "0 leaked line(s)" in manifest["verified"] and "with NotImplementedError" in manifest["verified"]
    assert "course/modules/01_tensor/01_tensor.ipynb" in names and "course/tests/modules/01_tensor/" in \
        "".join(names) and "course/.tito/starting-points/01_tensor/01_tensor.ipynb" in names
    assert not any("progress.json" in n or "__pycache__" in n for n in names)


def test_a_checkout_with_uncommitted_work_builds_no_wheel(checkout, tmp_path):
    """The edition is made from committed work only: a notebook changed after the last commit stops the build
    with the release's sentence, and no wheel is written."""
    source = tmp_path / "tito-jupyter"
    shutil.copytree(checkout.root, source, symlinks=True)
    notebook = source / "modules" / "01_tensor" / "01_tensor.ipynb"
    notebook.write_text(notebook.read_text().replace("Tensor", "Tensr", 1))
    dist = tmp_path / "dist"
    done = _build_wheel(source, dist)
    said = " ".join((done.stdout + done.stderr).split())
    assert done.returncode != 0, said[-2000:]
    assert "did not make a verified student edition, so no package is built" in said and "modules/01_tensor/01_tensor.ipynb" in said, said[-2000:]
    assert not list(dist.glob("*.whl")) if dist.exists() else True


def test_the_sdist_carries_the_edition_so_its_wheel_builds_without_git_or_a_second_release(built):
    assert not (built.unpacked / ".git").exists()
    packed = built.unpacked / "tito_jupyter" / "course_edition.zip"
    with zipfile.ZipFile(built.wheel) as wheel:
        assert wheel.read("tito_jupyter/course_edition.zip") == packed.read_bytes()  # the sdist's, as it was


# -- init --------------------------------------------------------------------------------------------------


def test_init_lays_down_the_student_edition_that_tito_recognises(student, built, tmp_path):
    done = student.tito("init", "my-course", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    course_dir = tmp_path / "my-course"
    said = " ".join(done.stdout.split())
    assert f"student edition of tito-jupyter {__version__}, commit {built.commit[:12]}" in said
    assert "cd my-course" in said and "tito dev serve" in said

    course = Course.load(course_dir)
    instructor = Course.load(REPO)
    assert [m.id for m in course.modules] == [m.id for m in instructor.modules]
    assert [c.id for c in course.checkpoints] == [c.id for c in instructor.checkpoints]
    for module in course.modules:
        assert module.test_files, f"{module.id} came without its tests"
        assert "raise NotImplementedError" in module.notebook.read_text()
    assert (course_dir / "milestones").is_dir() and (course_dir / "tinytorch" / "__init__.py").is_file()
    assert "Got this folder with `tito init`? Then tito is installed already" in (course_dir / "README.md").read_text()
    leaks = solution_scan.scan(course_dir, release.course_secrets(instructor))["leaks"]
    assert leaks == [], leaks[:3]
    assert json.loads((course_dir / ".tito" / "edition.json").read_text())["commit"] == built.commit
    assert not (course_dir / ".tito" / "progress.json").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["my-course"]  # no unpacking folder left beside it


def test_init_refuses_a_folder_with_anything_in_it_and_changes_nothing(student, tmp_path):
    mine = tmp_path / "my-course"
    (mine / "modules").mkdir(parents=True)
    (mine / "notes.txt").write_text("my notes, written before\n")
    (mine / "modules" / "work.py").write_text("x = 1\n")
    before = _tree(mine)
    done = student.tito("init", "my-course", cwd=tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "my-course already exists and is not empty" in " ".join(done.stderr.split())
    assert _tree(mine) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["my-course"]

    (tmp_path / "a-file").write_text("not a folder\n")
    done = student.tito("init", "a-file", cwd=tmp_path)
    assert done.returncode == 2 and "is a file" in done.stderr
    assert (tmp_path / "a-file").read_text() == "not a folder\n"


def test_init_into_an_empty_folder_fills_it(student, tmp_path):
    (tmp_path / "empty").mkdir()
    done = student.tito("init", "empty", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (tmp_path / "empty" / "modules" / "01_tensor" / "01_tensor.ipynb").is_file()


# -- complete ----------------------------------------------------------------------------------------------


def _state(student: Student, course_dir: Path, module: str) -> str:
    status = student.tito("--json", "status", cwd=course_dir)
    return next(m["state"] for m in json.loads(status.stdout)["data"]["modules"] if m["id"] == module)


def test_complete_fails_honestly_on_an_empty_module_then_passes_with_the_solution(student, tmp_path):
    assert student.tito("init", "course", cwd=tmp_path).returncode == 0
    course_dir = tmp_path / "course"

    empty = student.tito("complete", "01", cwd=course_dir)
    said = " ".join((empty.stdout + empty.stderr).split())
    assert empty.returncode == 1, said
    assert "NotImplementedError" in said and "Not written yet, in the order to write them" in said
    assert _state(student, course_dir, "01_tensor") == "tests_failing"
    recorded = json.loads((course_dir / ".tito" / "progress.json").read_text())["modules"]["01_tensor"]
    assert "completed_at" not in recorded and recorded["tests"]["ok"] is False and recorded["tests"]["passed"] == 0

    # The student writes the code: here, the instructor's notebook stands for it.
    notebook = "modules/01_tensor/01_tensor.ipynb"
    shutil.copy(REPO / notebook, course_dir / notebook)
    solved = student.tito("complete", "01", cwd=course_dir)
    assert solved.returncode == 0, solved.stdout[-3000:] + solved.stderr[-3000:]
    assert _state(student, course_dir, "01_tensor") == "complete"


# -- open ----------------------------------------------------------------------------------------------------

#: Run by the fresh environment's Python: a kernel started in a module's folder, as JupyterLab starts one for its
#: notebook, runs a cell; what it shows is printed as JSON.
KERNEL_CELL = """
import json, sys
from jupyter_client.manager import start_new_kernel

km, kc = start_new_kernel(cwd=sys.argv[1])
shown = []
def keep(message):
    content = message["content"]
    if message["msg_type"] == "stream":
        shown.append(content["text"])
    elif message["msg_type"] in ("display_data", "execute_result", "update_display_data"):
        shown.append(content["data"].get("text/plain", ""))
    elif message["msg_type"] == "error":
        shown.append("\\n".join(content["traceback"]))
try:
    reply = kc.execute_interactive(sys.argv[2], timeout=240, output_hook=keep)
    print(json.dumps({"status": reply["content"]["status"], "shown": "".join(shown)}))
finally:
    kc.stop_channels()
    km.shutdown_kernel(now=True)
"""


def test_a_notebooks_kernel_has_tito_and_imports_the_courses_own_tinytorch(student, tmp_path):
    """Every kernel of the environment loads %tito (the wheel's IPython config), and a notebook of module 02
    imports `tinytorch` from the course folder, where tito exports the student's code: nothing else installs it."""
    assert student.tito("init", "course", cwd=tmp_path).returncode == 0
    course_dir = tmp_path / "course"
    cell = "import tinytorch\nprint('package:', tinytorch.__file__)\n%tito status"
    done = _run([student.venv / "bin" / "python", "-c", KERNEL_CELL, course_dir / "modules" / "02_activations",
                 cell], cwd=tmp_path, env=student.env(), timeout=400)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    kernel = json.loads(done.stdout.strip().splitlines()[-1])
    assert kernel["status"] == "ok", kernel["shown"]
    assert f"package: {course_dir / 'tinytorch' / '__init__.py'}" in kernel["shown"]
    assert "01_tensor" in kernel["shown"] and "not started" in kernel["shown"], kernel["shown"]


def _serve(student: Student, course_dir: Path, tag: str) -> tuple[subprocess.Popen, dict]:
    tito = subprocess.Popen([student.venv / "bin" / "tito", "--events", "dev", "serve", "--port", "18888"],
                            cwd=course_dir, env=student.env(tag), stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, start_new_session=True)
    for line in tito.stdout:  # bounded by dev serve's own 90 s start limit
        if line.startswith("{"):
            event = json.loads(line)
            if event.get("event") == "serving" or event.get("type") == "result":
                return tito, event
    return tito, {}


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium (or set TITO_CHROMIUM)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


def test_dev_serve_opens_the_course_with_the_sidebar_and_tito_complete_says_what_to_write(student, tmp_path,
                                                                                           browser):
    assert student.tito("init", "course", cwd=tmp_path).returncode == 0
    course_dir = tmp_path / "course"
    tag = uuid.uuid4().hex
    tito, serving = _serve(student, course_dir, tag)
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    try:
        assert serving.get("event") == "serving", f"JupyterLab did not start: {serving}"
        lab = Lab(url=f"http://127.0.0.1:{serving['port']}/", token=serving["token"], root=course_dir,
                  log_path=tmp_path / "no.log", process=tito)
        assert lab.api("tito/api/version")["version"] == __version__  # the server extension is on

        page = context.new_page()
        page.set_default_timeout(60_000)
        # On a slow start JupyterLab may ask which kernel a notebook should use (its kernel list came late): the
        # student takes the one offered, Python 3, as they would. Its button shows "Select" and is named "Select
        # Kernel" (aria-label), which is what a role query sees.
        dialog = page.locator(".jp-Dialog").filter(has_text="Select Kernel")
        page.add_locator_handler(dialog, lambda found: found.get_by_role("button", name="Select Kernel",
                                                                         exact=True).click())
        open_lab(page, lab)
        panel = open_sidebar(page)  # the prebuilt sidebar of the wheel, with no build step
        expect(panel.locator("li.jp-TitoModule")).to_have_count(len(Course.load(course_dir).modules))
        screenshot(page, "fresh-student-sidebar")
        panel.get_by_role("button", name="Open the notebook of 01_tensor").click()
        notebook = page.locator(".jp-NotebookPanel:visible")
        cells = notebook.locator(".jp-Cell")
        expect(cells.first).to_be_visible()
        # The kernel is up (the toolbar says idle): a cell run before that would wait in a queue.
        expect(notebook.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']")).to_have_count(
            1, timeout=120_000)
        # As a student does: select the first cell, add a cell above it (A), type, run (Shift-Enter;
        # the sidebar saves the notebook first). (The first cell: JupyterLab draws a long notebook's cells as they scroll into view.)
        first_text = cells.first.inner_text()
        cells.first.locator(".jp-InputPrompt").click()
        page.keyboard.press("Escape")
        page.keyboard.press("a")
        expect(cells.first).not_to_have_text(first_text)
        page.keyboard.press("Enter")
        page.keyboard.type("%tito complete")
        expect(cells.first).to_contain_text("%tito complete")
        page.keyboard.press("Shift+Enter")
        prompt = cells.first.locator(".jp-InputPrompt")
        try:  # "[*]:" while it runs, "[1]:" after
            expect(prompt).not_to_have_text(re.compile(r"\[\s*\]:"), timeout=60_000)
        except AssertionError:  # a key press lost on a loaded machine: the student clicks Run instead
            prompt.click()
            notebook.get_by_role("button", name="Run this cell and advance (Shift+Enter)").click()
        output = cells.first.locator(".jp-OutputArea")
        expect(output).to_contain_text("Not written yet", timeout=240_000)
        shown = " ".join(output.inner_text().split())
        output.scroll_into_view_if_needed()
        screenshot(page, "fresh-student-tito-complete-on-an-empty-module")
        assert "NotImplementedError" in shown or "not written" in shown.lower(), shown
        assert "01_tensor" in shown
        assert _state(student, course_dir, "01_tensor") != "complete"
    except BaseException:
        if context.pages:
            screenshot(context.pages[0], "fresh-student-failure")
        raise
    finally:
        context.close()
        if tito.poll() is None:
            os.killpg(tito.pid, signal.SIGINT)
            try:
                tito.communicate(timeout=60)
            except subprocess.TimeoutExpired:
                pass
        clean_up(tito, tag)
        assert_tree_gone(tag, timeout=30)
