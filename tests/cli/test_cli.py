"""The CLI face: subprocess runs as a person or CI would type them, exit codes, --json, speed of --help."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tito_jupyter.cli import main, parse, to_argv
from tito_jupyter.commands import find


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
        "import sys, runpy\n"
        "sys.argv = ['tito'] + sys.argv[1:]\n"
        "try:\n    runpy.run_module('tito_jupyter', run_name='__main__')\n"
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


@pytest.mark.parametrize("argv", [["complete", "01", "--timeout", "5"], ["module", "export", "--all", "--force"],
                                  ["checkpoint", "run", "c01"], ["module", "reset", "01", "--yes"]])
def test_to_argv_round_trips_through_the_parser(argv):
    command, kwargs, _ = parse(argv)
    assert parse(to_argv(command, kwargs))[:2] == (command, kwargs)


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
