"""`tito benchmark` typed in a terminal: the table, --json for machines, --list, and exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from real_course import copy_course, record_complete, upto


def tito(course, *args):
    env = {**os.environ, "TITO_PROJECT": str(course), "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "tito_jupyter", *args], capture_output=True, text=True, env=env,
                          timeout=300)


@pytest.fixture
def course(tmp_path):
    return copy_course(tmp_path / "course")


def test_benchmark_prints_the_table_and_json_and_lists_its_history(course):
    record_complete(course, upto(19))
    first = tito(course, "--no-color", "benchmark", "--only", "mlp_forward", "mlp_forward_fused", "--repeats", "3")
    assert first.returncode == 0, first.stderr
    assert "Your framework, measured" in first.stdout and "mlp_forward_fused" in first.stdout
    assert "(the first run: nothing to compare with)" in first.stdout
    second = tito(course, "--json", "benchmark", "--only", "mlp_forward", "--repeats", "3")
    assert second.returncode == 0, second.stderr
    result = json.loads(second.stdout)
    assert result["command"] == "benchmark" and result["ok"]
    assert [row["name"] for row in result["data"]["rows"]] == ["mlp_forward"]
    assert result["data"]["comparison"]["only_in_old"] == ["mlp_forward_fused"]
    assert (course / ".tito" / "benchmarks" / result["data"]["file"]).is_file()
    listed = tito(course, "--json", "benchmark", "--list")
    assert [run["file"] for run in json.loads(listed.stdout)["data"]["history"]][-1] == result["data"]["file"]


def test_benchmark_before_module_19_exits_1_and_says_what_to_do(course):
    record_complete(course, upto(18))
    proc = tito(course, "--no-color", "benchmark")
    assert proc.returncode == 1
    assert "Complete module 19_benchmarking first (`tito complete 19`)" in proc.stderr


@pytest.mark.parametrize("args", [["--repeats", "many"], ["--timeout", "0"], ["--repeats", "1"]])
def test_benchmark_bad_arguments_exit_2(course, args):
    proc = tito(course, "benchmark", *args)
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
