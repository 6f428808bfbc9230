"""`tito system doctor` and `tito system info` answer anywhere: outside a course (a student in the wrong folder is
who runs them most) and with a damaged Jupyter configuration, each problem a check with its fix, never a crash."""

from __future__ import annotations

import json

from tito_jupyter import engine
from tito_jupyter.engine.context import Context


def test_doctor_outside_a_course_fails_the_course_check_with_where_to_run(tmp_path):
    result = engine.run("system.doctor", {}, Context(project=tmp_path))
    assert not result.ok and result.exit_code == 1
    checks = {c["check"]: c for c in result.data["checks"]}
    assert checks["course"]["status"] == "fail"
    assert checks["course"]["detail"].startswith(f"No TinyTorch course found in {tmp_path.resolve()}")
    assert "--project DIR" in checks["course"]["fix"]
    assert "package" not in checks and "state" not in checks  # nothing of a course that is not there
    assert checks["numpy"]["status"] == "ok"  # the rest is still checked
    assert "course: Run tito from inside the course folder" in result.summary


def test_info_outside_a_course_says_so_and_still_gives_the_versions(tmp_path):
    result = engine.run("system.info", {}, Context(project=tmp_path))
    assert result.ok and result.data["course"] is None
    assert result.summary.endswith("; no course here.")
    assert result.data["packages"]["numpy"] and "usage_log" not in result.data


def test_a_damaged_jupyter_config_file_is_passed_over_and_a_later_one_still_counts(course_dir, tmp_path, monkeypatch):
    config = tmp_path / "jupyter-config"
    folder = config / "jupyter_server_config.d"
    folder.mkdir(parents=True)
    (folder / "a_damaged.json").write_text("{ not json", encoding="utf-8")
    (folder / "b_unreadable.json").mkdir()  # a folder where a file should be: it cannot be read
    (folder / "c_tito_off.json").write_text(json.dumps({"ServerApp": {"jpserver_extensions": {"tito_jupyter": False}}}))
    # The first folder of JUPYTER_CONFIG_PATH is read last: its word wins, as in Jupyter.
    monkeypatch.setenv("JUPYTER_CONFIG_PATH", str(config))
    result = engine.run("system.doctor", {}, Context(project=course_dir))
    checks = {c["check"]: c for c in result.data["checks"]}
    assert checks["server extension"]["status"] == "fail"
    assert "not enabled" in checks["server extension"]["detail"]
    assert "jupyter server extension enable tito_jupyter" in checks["server extension"]["fix"]
