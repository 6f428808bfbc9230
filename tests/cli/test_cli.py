"""The CLI face: subprocess runs as a person or CI would type them, exit codes, --json, speed of --help."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from file_modes import obey_file_modes

from tito_jupyter.cli import main, parse
from tito_jupyter.commands import find, request_to_json


def tito(*args, env=None, cwd=None):
    return subprocess.run([sys.executable, "-m", "tito_jupyter", *args], capture_output=True, text=True,
                          env=env, cwd=cwd, timeout=300)


def test_help_lists_the_tree_and_exit_codes():
    proc = tito("--help")
    assert proc.returncode == 0
    for word in ("module", "checkpoint", "system", "dev", "complete", "exit codes"):
        assert word in proc.stdout
    sub = tito("module", "--help")
    for word in ("list", "status", "export", "test", "complete", "validate", "reset"):
        assert word in sub.stdout


def test_help_and_list_import_nothing_heavy(course_dir):
    probe = (
        "import sys\n"
        "sys.argv = ['tito'] + sys.argv[1:]\n"
        # main(), not the module run as a program: that ends the process at once (__main__.exit_now)
        "try:\n    from tito_jupyter.__main__ import main\n    main()\n"
        "except SystemExit:\n    pass\n"
        "heavy = [m for m in ('nbformat', 'nbdev', 'nbclient', 'nbgrader', 'jupyter_server', 'IPython', 'numpy',"
        " 'jsonschema') if m in sys.modules]\n"
        "print('HEAVY', heavy, file=sys.stderr)\n"
    )
    for args in (["--help"], ["--project", str(course_dir), "module", "list"]):
        proc = subprocess.run([sys.executable, "-c", probe, *args], capture_output=True, text=True)
        assert "HEAVY []" in proc.stderr, (args, proc.stderr)


def test_complete_short_form_and_status(tito_env):
    proc = tito("complete", "01", env=tito_env)
    assert proc.returncode == 0, proc.stderr
    assert "✓ 01_numbers is complete." in proc.stdout
    assert "modules/01_numbers/01_numbers.ipynb 2 passed" in proc.stdout  # passing tests summed per file
    verbose = tito("-v", "test", "01", env=tito_env)
    assert "01_numbers.ipynb::test_unit_add_negative" in verbose.stdout  # -v lists each test
    status = tito("--no-color", "status", env=tito_env)
    assert "complete" in status.stdout and "not started" in status.stdout
    assert "\x1b[" not in status.stdout


def test_json_output_is_the_engine_result(tito_env):
    proc = tito("--json", "module", "test", "01", env=tito_env)
    data = json.loads(proc.stdout)
    assert data["command"] == "module.test"
    counts = data["data"]["modules"][0]["counts"]
    # nothing exported yet: the tests fail on import and the JSON says so, with exit code 1
    assert proc.returncode == 1 and data["ok"] is False and counts["passed"] == 0


def test_exit_codes_ok_failed_usage(tito_env, course_dir):
    assert tito("export", "--all", env=tito_env).returncode == 0
    (course_dir / "modules/01_numbers/01_numbers.ipynb").write_text("{")
    failed = tito("export", "01", env=tito_env)
    assert failed.returncode == 1 and "not valid JSON" in failed.stderr
    usage = tito("complete", "tensr", env=tito_env)
    assert usage.returncode == 2
    assert "There is no module called 'tensr'" in usage.stderr and "01_numbers, 02_doubling" in usage.stderr
    bad_flag = tito("export", "--everything", env=tito_env)
    assert bad_flag.returncode == 2 and "See `tito --help`" in bad_flag.stderr
    assert "Traceback" not in failed.stderr + usage.stderr + bad_flag.stderr


def test_a_failing_test_shows_its_message_and_exits_1(tito_env, course_dir):
    nb = course_dir / "modules/01_numbers/01_numbers.ipynb"
    nb.write_text(nb.read_text().replace("return a + b", "return a * b"))
    proc = tito("--no-color", "complete", "01", env=tito_env)
    assert proc.returncode == 1
    assert "✗ modules/01_numbers/01_numbers.ipynb::test_unit_add" in proc.stdout
    assert "add(2, 3) gave 6" in proc.stdout
    assert "01_numbers: tests failed" in proc.stderr


def test_validate_says_what_is_wrong_in_plain_output(tito_env, course_dir):
    ok = tito("--no-color", "validate", "--all", env=tito_env)
    assert ok.returncode == 0 and "✓ 01_numbers" in ok.stdout and "2 module(s) valid." in ok.stdout
    nb = course_dir / "modules/01_numbers/01_numbers.ipynb"
    nb.write_text(nb.read_text().replace("### END SOLUTION", "### END"))
    bad = tito("--no-color", "validate", "01", env=tito_env)
    assert bad.returncode == 1
    assert "✗ 01_numbers" in bad.stdout and "BEGIN SOLUTION is never closed" in bad.stdout


def test_export_check_for_ci(tito_env, course_dir):
    assert tito("export", "--all", env=tito_env).returncode == 0
    assert tito("export", "--all", "--check", env=tito_env).returncode == 0
    nb = course_dir / "modules/01_numbers/01_numbers.ipynb"
    nb.write_text(nb.read_text().replace("return a + b", "return b + a"))
    proc = tito("export", "--all", "--check", env=tito_env)
    assert proc.returncode == 1 and "01_numbers" in proc.stderr


def test_events_mode_streams_json_lines_then_the_result(tito_env):
    proc = tito("--events", "complete", "01", env=tito_env)
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    assert all(line["type"] == "event" for line in lines[:-1]) and lines[-1]["type"] == "result"
    steps = [(e["step"], e["state"]) for e in lines if e.get("event") == "step"]
    assert steps[0] == ("export", "running") and ("test", "passed") in steps
    assert lines[-1]["ok"] is True


@pytest.mark.parametrize("mode", [["--json"], ["--events"]])
def test_a_reader_that_stops_reading_is_no_traceback(tito_env, mode):
    """`tito --json complete 01 | head -1`: the pipe closes early; the command still finishes, quietly."""
    proc = subprocess.Popen([sys.executable, "-m", "tito_jupyter", *mode, "complete", "01"], env=tito_env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()  # the reader is gone before the first line
    _, err = proc.communicate(timeout=300)
    assert "Traceback" not in err.decode() and "BrokenPipe" not in err.decode(), err.decode()
    assert proc.returncode == 0  # the exit code still says what happened
    status = json.loads(tito("--json", "status", env=tito_env).stdout)
    assert status["data"]["modules"][0]["state"] == "complete"


def test_outside_a_course_says_where_to_run(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "TITO_PROJECT"}
    proc = tito("status", env=env, cwd=tmp_path)
    assert proc.returncode == 2 and "No TinyTorch course found" in proc.stderr


def test_the_tito_script_is_installed():
    script = Path(sys.executable).with_name("tito")
    assert script.exists()
    assert subprocess.run([str(script), "--version"], capture_output=True, text=True).stdout.startswith("tito-jupyter")


def test_in_process_main_returns_the_exit_code(course_dir, capsys):
    assert main(["--project", str(course_dir), "--json", "module", "list"]) == 0
    assert json.loads(capsys.readouterr().out)["data"]["modules"][0]["id"] == "01_numbers"
    assert main(["--project", str(course_dir), "module", "complete", "99"]) == 2


def test_a_request_as_json_runs_with_its_arguments_as_they_are(tito_env):
    # How server jobs call the CLI: lists stay lists, and no value is ever read as an option.
    request = request_to_json("module.export", {"modules": ["02", "01"], "force": True})
    assert parse(["--request-json", request])[:2] == (find("module.export"), {"modules": ["02", "01"], "force": True})
    proc = tito("--events", "--request-json", request, env=tito_env)
    result = json.loads(proc.stdout.splitlines()[-1])
    assert proc.returncode == 0 and result["ok"], proc.stderr
    assert [m["id"] for m in result["data"]["modules"]] == ["02_doubling", "01_numbers"]


@pytest.mark.parametrize("request_text, says", [
    ("{", "The request is not valid JSON"),
    ('["module.test"]', 'The request must be {"command": "module.test", "args": {...}}.'),
    ('{"command": "module.tset"}', "There is no command 'module.tset'. Did you mean 'module.test'?"),
    ('{"command": "module.test", "args": {"students": ["a"]}}', "module.test has no argument 'students'"),
    ('{"command": "module.test", "args": {"timeout": 0}}', "--timeout must be a number of seconds above 0"),
])
def test_a_malformed_request_is_a_usage_error_in_a_sentence(tito_env, request_text, says):
    proc = tito("--request-json", request_text, env=tito_env)
    assert proc.returncode == 2 and says in proc.stderr + proc.stdout, (proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr


def test_a_command_and_a_request_at_once_is_refused(tito_env):
    proc = tito("--request-json", request_to_json("module.list", {}), "list", env=tito_env)
    assert proc.returncode == 2 and "either a command or --request-json" in proc.stderr


def test_plugin_commands_from_an_entry_point_appear_in_the_cli(tmp_path, course_dir):
    site = tmp_path / "site"
    (site / "tito_hello").mkdir(parents=True)
    (site / "tito_hello/__init__.py").write_text(
        "from tito_jupyter.commands import Arg, Command\n"
        "from tito_jupyter.engine.results import Result\n"
        "COMMANDS = [Command(('hello', 'greet'), 'Say hello to a module.', 'tito_hello:greet',"
        " (Arg('module', 'a module'),), acts_on='module')]\n"
        "def greet(ctx, module):\n"
        "    m = ctx.course.module(module)\n"
        "    return Result('hello.greet', True, f'Hello, {m.title}!', {'module': m.id})\n"
    )
    dist = site / "tito_hello-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: tito-hello\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[tito_jupyter.commands]\nhello = tito_hello:COMMANDS\n")
    env = dict(os.environ, PYTHONPATH=str(site), TITO_PROJECT=str(course_dir))
    assert "hello" in tito("--help", env=env).stdout
    proc = tito("--json", "hello", "greet", "1", env=env)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["summary"] == "Hello, Numbers!"
    assert find("module.list").name == "module.list"


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "1e400", "0", "-0", "-1", "86401", "soon"])
def test_a_timeout_must_be_a_finite_positive_number_of_seconds(tito_env, course_dir, value):
    proc = tito("test", "01", f"--timeout={value}", env=tito_env)  # "=": argparse reads -inf as a value
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    assert "argument --timeout: must be a number of seconds above 0 and at most 86400 (a day), not" in proc.stderr
    assert "Traceback" not in proc.stderr and not (course_dir / ".tito/progress.json").exists()  # nothing ran


def test_every_timeout_like_option_follows_the_same_rule():
    # milestone run, nbgrader autograde, release student and dev watch say it as test and complete do.
    for argv in (["milestone", "run", "1957", "--timeout", "nan"], ["nbgrader", "autograde", "01", "--timeout", "0"],
                 ["release", "student", "--timeout", "inf"], ["dev", "watch", "--interval", "0"],
                 ["dev", "watch", "--duration", "-5"], ["checkpoint", "test", "c01", "--timeout", "-1"]):
        with pytest.raises(SystemExit) as stopped:
            parse(argv)
        assert stopped.value.code == 2, argv
    command, kwargs, _ = parse(["complete", "01", "--timeout", "2.5"])
    assert kwargs["timeout"] == 2.5
    assert parse(["complete", "01"])[1]["timeout"] is None  # left out: the default


# -- read-only folders -------------------------------------------------------------------------------------


def tito_restricted(*args, env):
    return subprocess.run([sys.executable, "-m", "tito_jupyter", *args], capture_output=True, text=True,
                          env={**env, "COLUMNS": "1000"}, timeout=300, preexec_fn=obey_file_modes)


@pytest.fixture
def read_only():
    """``read_only(folder)`` takes write permission away from ``folder`` until the test ends."""
    folders = []

    def take_away(folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        folder.chmod(0o555)
        folders.append(folder)
        return folder

    yield take_away
    for folder in folders:
        if folder.exists():
            folder.chmod(0o755)


def assert_says_folder_is_read_only(proc, folder: Path):
    assert proc.returncode == 1, (proc.stdout, proc.stderr)
    said = proc.stdout + proc.stderr
    assert f"tito cannot write in {folder}: permission denied." in said, said
    assert f"chmod u+w '{folder}'" in said
    assert "internal error" not in said and "Traceback" not in said


@pytest.mark.posix_only
def test_the_restricted_child_really_cannot_write_a_read_only_folder(tmp_path, read_only):
    folder = read_only(tmp_path / "locked")
    probe = subprocess.run([sys.executable, "-c", f"open({str(folder / 'x')!r}, 'w')"], capture_output=True,
                           text=True, preexec_fn=obey_file_modes)
    assert probe.returncode == 1 and "PermissionError" in probe.stderr  # else the tests below prove nothing


@pytest.mark.posix_only
def test_a_read_only_package_folder_is_named_in_a_sentence(tito_env, course_dir, read_only):
    folder = read_only(course_dir / "tinytorch/core")
    proc = tito_restricted("export", "01", env=tito_env)
    assert_says_folder_is_read_only(proc, folder)
    assert list(folder.iterdir()) == [folder / "__init__.py"]  # no package file, no temporary file


@pytest.mark.posix_only
def test_a_read_only_tito_folder_is_named_in_a_sentence(tito_env, course_dir, read_only):
    folder = read_only(course_dir / ".tito")
    assert_says_folder_is_read_only(tito_restricted("complete", "01", env=tito_env), folder)


@pytest.mark.posix_only
def test_a_read_only_build_folder_is_named_in_a_sentence(tito_env, course_dir, read_only):
    assert tito("export", "01", env=tito_env).returncode == 0
    folder = read_only(course_dir / ".tito/build")
    assert_says_folder_is_read_only(tito_restricted("test", "01", env=tito_env), folder)


@pytest.mark.posix_only
def test_clean_in_a_read_only_tito_folder_says_so_as_json_too(tito_env, course_dir, read_only):
    (course_dir / ".tito/build").mkdir(parents=True)
    (course_dir / ".tito/build/pytest-output.log").write_text("old output")
    folder = read_only(course_dir / ".tito")
    proc = tito_restricted("--json", "system", "clean", env=tito_env)
    error = json.loads(proc.stdout)["error"]
    assert proc.returncode == 1 and error["kind"] == "not_writable" and error["folder"] == str(folder)
    assert error["message"] == f"tito cannot write in {folder}: permission denied."


@pytest.mark.posix_only
def test_progress_survives_a_read_only_tito_folder(tito_env, course_dir, read_only):
    assert tito("complete", "01", env=tito_env).returncode == 0
    progress = (course_dir / ".tito/progress.json").read_text()
    folder = read_only(course_dir / ".tito")
    assert_says_folder_is_read_only(tito_restricted("complete", "01", env=tito_env), folder)
    assert (course_dir / ".tito/progress.json").read_text() == progress  # the last good progress, untouched


@pytest.mark.posix_only
def test_an_unreadable_notebook_is_named_in_a_sentence(tito_env, course_dir):
    notebook_path = course_dir / "modules/01_numbers/01_numbers.ipynb"
    notebook_path.chmod(0o000)
    try:
        proc = tito_restricted("export", "01", env=tito_env)
    finally:
        notebook_path.chmod(0o644)
    assert proc.returncode == 1, (proc.stdout, proc.stderr)
    assert f"tito may not use {notebook_path}: permission denied." in proc.stderr
    assert "internal error" not in proc.stderr + proc.stdout


def test_a_locked_checkpoint_exits_2_with_what_to_do_first(tito_env, course_dir):
    proc = tito("checkpoint", "run", "c01", env=tito_env)
    assert proc.returncode == 2
    said = " ".join(proc.stderr.split())
    assert "Checkpoint c01_arithmetic is locked: it needs 01_numbers, 02_doubling" in said
    assert "`tito complete 01_numbers`" in said
    assert not (course_dir / ".tito/progress.json").exists() or "c01_arithmetic" not in json.loads(
        (course_dir / ".tito/progress.json").read_text())["checkpoints"]


def test_status_of_a_run_that_timed_out_after_its_tests_does_not_read_all_passed(tito_env, course_dir):
    (course_dir / "tests/modules/01_numbers/test_numbers.py").write_text(
        "import threading, time\n\nthreading.Thread(target=time.sleep, args=(3600,)).start()\n\n\n"
        "def test_nothing_much():\n    pass\n"
    )
    assert tito("export", "01", env=tito_env).returncode == 0
    ran = tito("test", "01", "--timeout", "8", env=tito_env)
    assert ran.returncode == 1 and "timed out after 8 s" in " ".join(ran.stderr.split())
    table = tito("status", env=tito_env, cwd=course_dir).stdout
    row = next(line for line in table.splitlines() if "01_numbers" in line)
    assert "3/4" in row and "3/3" not in row and "tests timed out" in row
