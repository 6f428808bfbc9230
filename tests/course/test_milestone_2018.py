"""The 2018 milestone of this repository's course, as a student meets it: locked until the part 3 modules are
complete, then run (quick mode; bench/milestone_2018.py runs it in full) through `tito milestone run`."""

from __future__ import annotations

import math

from course_copies import fresh_clone, instructor_package, milestones, run


def test_the_mlperf_milestone_needs_the_part_3_modules_then_prints_one_measured_table(tmp_path, monkeypatch):
    """The 2018 milestone, quick mode, through `tito milestone run` with the instructor package: its table's figures
    are all there, finite and consistent (int8 at most 1/3.5 of the float32 bytes, half the weights pruned, the
    same tokens with and without the KV cache), and nothing in it is quoted: each row is printed from this run."""
    root = fresh_clone(tmp_path)
    before = milestones(root)["2018_mlperf"]
    assert before["state"] == "locked"
    assert {"14_profiling", "15_quantization", "16_compression", "17_memoization", "19_benchmarking"} <= set(
        before["requires"]), before["requires"]

    instructor_package(root)
    monkeypatch.setenv("MLPERF_QUICK", "1")
    result = run(root, "milestone.run", {"milestone": "2018"})
    assert result.ok, (result.summary, result.data["output"][-30:])
    m = result.data["metrics"]
    assert m["quick"] is True and m["tokens_identical"] is True, m
    for key in ("cnn_accuracy", "int8_accuracy", "pruned_accuracy", "cnn_ms", "int8_ms", "pruned_ms",
                "gpt_nats_per_char", "tokens_per_s", "cached_tokens_per_s", "kv_speedup"):
        assert isinstance(m[key], float) and math.isfinite(m[key]) and m[key] > 0, (key, m[key])
    assert m["int8_bytes"] * 3.5 <= m["cnn_bytes"], m
    assert abs(m["sparsity"] - 0.5) <= 0.01, m
    assert m["int8_accuracy"] >= m["cnn_accuracy"] - 0.03 and m["cnn_accuracy"] > 0.5, m
    assert m["gpt_nats_per_char"] < math.log(57), "the GPT learned something: better than guessing among 57 tokens"
    assert math.isclose(m["kv_speedup"], m["cached_tokens_per_s"] / m["tokens_per_s"], rel_tol=0.01), m

    out = "\n".join(result.data["output"])
    lines = result.data["output"]
    header = next(i for i, line in enumerate(lines) if line.split()[:2] == ["model", "variant"])
    table = lines[header + 1:header + 6]
    assert [row.split()[:2] for row in table] == [["digits", "CNN"]] * 3 + [["char", "GPT"]] * 2, out
    assert f"{m['int8_bytes']:,}" in table[1] and f"{m['cnn_bytes']:,}" in table[0], "the table prints the sizes measured"
    assert "before -> after:" in out and "x" in out.split("before -> after:")[1]
    assert milestones(root)["2018_mlperf"]["state"] == "achieved"
