"""Module 19 — benchmarking: the bootstrap interval of the median (exact on degenerate data, repeatable, with the
coverage it claims), the harness's exact call counts (warm-up, repeats × number), verdicts from intervals, reports as
strict JSON saved atomically and read back with checks, comparisons over time, and nonsense refused with a sentence.
Time is asserted only where it is bounded for certain (sleep never returns early) or by a large ratio."""
import json
import math
import os
import time

import numpy as np
import pytest

from tinytorch.bench import (CI_METHOD, REPORT_FIELDS, RESULT_FIELDS, SCHEMA, Benchmark, bootstrap_ci, compare_runs,
                             format_changes, format_table, load_results, machine_info, run_benchmark, save_results,
                             summarise, verdict)


def nap():
    time.sleep(0.002)


def idle():
    pass


def fake_report(medians, **machine):
    """A report as compare returns it, with chosen medians and intervals of ±5%."""
    results = [{"name": name, "number": 1, "repeats": 3, "warmup": 0, "seconds": [m, m, m], "median": m, "mean": m,
                "stdev": 0.0, "min": m, "max": m, "ci_low": m * 0.95, "ci_high": m * 1.05}
               for name, m in medians.items()]
    return {"schema": SCHEMA, "created": "2026-01-01T00:00:00+00:00",
            "machine": {"python": "3.11.7", "numpy": "2.0", "cpu_count": 2, "platform": "Linux", **machine},
            "settings": Benchmark().settings(), "baseline": next(iter(medians)), "results": results}


# ---------------------------------------------------------------- the bootstrap interval

def test_interval_of_identical_timings_is_a_point():
    assert bootstrap_ci([0.25] * 7) == (0.25, 0.25)
    assert bootstrap_ci([0.25]) == (0.25, 0.25)


@pytest.mark.parametrize("size", [5, 20, 200])
def test_interval_holds_the_median_and_lies_within_the_samples(size):
    samples = np.random.default_rng(size).lognormal(sigma=0.4, size=size)
    low, high = bootstrap_ci(samples)
    assert samples.min() <= low <= np.median(samples) <= high <= samples.max()


def test_interval_is_repeatable_by_seed_and_varies_with_it():
    samples = np.random.default_rng(1).lognormal(sigma=0.4, size=15)
    assert bootstrap_ci(samples, seed=3) == bootstrap_ci(samples, seed=3)
    assert len({bootstrap_ci(samples, seed=s) for s in range(10)}) > 1


def test_interval_widens_with_confidence_and_narrows_with_samples():
    many = np.random.default_rng(2).lognormal(sigma=0.4, size=2000)
    widths = [np.subtract(*bootstrap_ci(many[:100], confidence=c)[::-1]) for c in (0.5, 0.9, 0.99)]
    assert widths[0] < widths[1] < widths[2]
    assert np.subtract(*bootstrap_ci(many)[::-1]) < np.subtract(*bootstrap_ci(many[:50])[::-1])


def test_a_95_percent_interval_covers_the_true_median_about_95_percent_of_the_time():
    hits = 0
    for seed in range(300):
        data = np.random.default_rng(1000 + seed).lognormal(mean=0.0, sigma=0.5, size=30)   # true median 1.0
        low, high = bootstrap_ci(data, resamples=500, seed=seed)
        hits += low <= 1.0 <= high
    assert 0.88 <= hits / 300 <= 0.99, f"coverage {hits / 300:.1%}"


@pytest.mark.parametrize("samples, options, message", [
    ([], {}, "at least one sample"), ([1.0, math.nan], {}, "finite"), ([1.0, math.inf], {}, "finite"),
    ([1.0], {"confidence": 0}, "confidence"), ([1.0], {"confidence": 1}, "confidence"),
    ([1.0], {"confidence": "95%"}, "confidence"), ([1.0], {"resamples": 0}, "resamples")])
def test_interval_refuses_nonsense(samples, options, message):
    with pytest.raises(ValueError, match=message):
        bootstrap_ci(samples, **options)


# ---------------------------------------------------------------- summarise

def test_summary_numbers_are_the_textbook_ones_as_plain_floats():
    data = [0.004, 0.001, 0.003, 0.002, 0.050]
    summary = summarise(np.array(data))
    assert summary["median"] == 0.003 and summary["min"] == 0.001 and summary["max"] == 0.050
    assert summary["mean"] == pytest.approx(np.mean(data)) and summary["stdev"] == pytest.approx(np.std(data, ddof=1))
    assert all(type(value) is float for value in summary.values())
    assert summary["median"] < summary["mean"], "one slow outlier pulls the mean, not the median"


# ---------------------------------------------------------------- the harness

@pytest.mark.parametrize("warmup, repeats, number", [(0, 1, 1), (3, 4, 2), (1, 7, 5)])
def test_measure_calls_exactly_warmup_plus_repeats_times_number(warmup, repeats, number):
    calls = []
    result = Benchmark(warmup=warmup, repeats=repeats, number=number).measure(calls.append, "x")
    assert len(calls) == warmup + repeats * number
    assert len(result["seconds"]) == repeats and result["number"] == number and result["warmup"] == warmup


def test_measure_passes_keyword_arguments_and_names_the_result():
    seen = []
    result = Benchmark(warmup=0, repeats=2, number=1).measure(lambda a, b=0: seen.append((a, b)), 1, b=2)
    assert seen == [(1, 2), (1, 2)] and result["name"] == "<lambda>"
    assert Benchmark(warmup=0, repeats=1, number=1).measure(idle, name="nothing")["name"] == "nothing"


def test_measure_times_per_call_and_never_reports_less_than_the_call_takes():
    result = Benchmark(warmup=0, repeats=3, number=2).measure(nap)
    assert min(result["seconds"]) >= 0.002, "each call sleeps 2 ms; the time is per call, not per repeat"
    assert result["ci_low"] >= 0.002


def test_calibration_repeats_a_tiny_call_until_a_repeat_is_measurable():
    result = Benchmark(warmup=0, repeats=3).measure(idle)
    assert result["number"] >= 64, f"a call of ~100 ns is timed {result['number']} at a time"
    assert result["median"] < 1e-4


def test_one_interruption_does_not_end_the_calibration_early():
    """Another process taking the core for a moment (here: one call of ~100 ns that stalls for 2 ms, in the count of
    16) must not make a tiny call look long enough to fill a repeat."""
    calls = [0]

    def stalls_once():
        calls[0] += 1
        if calls[0] == 20:
            time.sleep(0.002)

    result = Benchmark(warmup=0, repeats=3).measure(stalls_once)
    assert result["number"] >= 64, f"one stall made the calibration stop at {result['number']} calls a repeat"


def test_a_summary_is_consistent_with_its_timings():
    result = Benchmark(warmup=1, repeats=9, number=1).measure(sum, range(1000))
    seconds = result["seconds"]
    assert result["median"] == pytest.approx(float(np.median(seconds)))
    assert result["min"] == min(seconds) and result["max"] == max(seconds)
    assert result["min"] <= result["ci_low"] <= result["median"] <= result["ci_high"] <= result["max"]


@pytest.mark.parametrize("options, message", [
    ({"repeats": 0}, "repeats"), ({"repeats": -3}, "repeats"), ({"repeats": 2.5}, "repeats"),
    ({"repeats": True}, "repeats"), ({"warmup": -1}, "warmup"), ({"number": 0}, "number"),
    ({"confidence": 0.0}, "confidence"), ({"confidence": 95}, "confidence"), ({"resamples": 0}, "resamples"),
    ({"seed": -1}, "seed")])
def test_settings_that_make_no_sense_are_refused_with_a_sentence(options, message):
    with pytest.raises(ValueError, match=message):
        Benchmark(**options)


@pytest.mark.parametrize("fn", [42, "model", None])
def test_measure_refuses_what_cannot_be_called(fn):
    with pytest.raises(TypeError, match="not callable"):
        Benchmark().measure(fn)


@pytest.mark.parametrize("candidates, error, message", [
    ({}, ValueError, "at least one candidate"), ([idle], TypeError, "dict"),
    ({"a": idle, "b": 3}, TypeError, "candidate 'b' is not callable"), ({"": idle}, ValueError, "non-empty strings"),
    ({1: idle}, ValueError, "non-empty strings")])
def test_compare_refuses_nonsense(candidates, error, message):
    with pytest.raises(error, match=message):
        Benchmark(warmup=0, repeats=1, number=1).compare(candidates)


def test_compare_refuses_a_baseline_that_is_not_a_candidate():
    with pytest.raises(ValueError, match="baseline 'c' is not one of the candidates"):
        Benchmark(warmup=0, repeats=1, number=1).compare({"a": idle, "b": idle}, baseline="c")


def test_compare_says_faster_only_when_the_intervals_prove_it():
    report = Benchmark(warmup=1, repeats=8).compare({"nap": nap, "idle": idle}, baseline="nap")
    nap_result, idle_result = report["results"]
    assert nap_result["verdict"] == "baseline" and nap_result["speedup"] == 1.0
    assert idle_result["verdict"] == "faster" and idle_result["speedup"] > 10
    flipped = Benchmark(warmup=1, repeats=8).compare({"nap": nap, "idle": idle}, baseline="idle")
    assert flipped["results"][0]["verdict"] == "slower"


@pytest.mark.parametrize("low, high, expected", [(0.5, 0.9, "faster"), (2.1, 3.0, "slower"), (0.5, 1.5, "same within noise"),
                                                 (1.2, 1.8, "same within noise"), (1.0, 1.0, "same within noise")])
def test_verdict_by_interval_overlap(low, high, expected):
    assert verdict({"ci_low": low, "ci_high": high}, {"ci_low": 1.0, "ci_high": 2.0}) == expected


def test_a_report_has_every_field_of_the_schema_and_is_strict_json():
    report = run_benchmark({"sum": sum, "max": max}, [3, 1, 2], warmup=0, repeats=3, number=1)
    assert tuple(report) == REPORT_FIELDS and report["schema"] == SCHEMA
    assert all(set(RESULT_FIELDS) | {"speedup", "verdict"} == set(r) for r in report["results"])
    assert report["settings"]["ci_method"] == CI_METHOD and report["baseline"] == "sum"
    assert json.loads(json.dumps(report, allow_nan=False)) == report
    assert report["created"].endswith("+00:00"), "UTC, ISO 8601"
    table = format_table(report)
    assert "sum" in table and "max" in table and "95% interval" in table and "baseline" in table


def test_machine_info_says_where_it_ran():
    info = machine_info()
    assert info["numpy"] == np.__version__ and info["cpu_count"] == os.cpu_count()
    assert info["python"].count(".") == 2 and info["platform"]


# ---------------------------------------------------------------- saved results

def test_saved_report_loads_back_exactly_and_leaves_no_temporary_file(tmp_path):
    report = run_benchmark({"sum": sum}, [1, 2], warmup=0, repeats=2, number=1)
    path = save_results(report, tmp_path / "deep" / "folder" / "run.json")
    assert path == tmp_path / "deep" / "folder" / "run.json"
    assert load_results(path) == report
    assert [p.name for p in path.parent.iterdir()] == ["run.json"]
    save_results(fake_report({"other": 1.0}), path)
    assert load_results(path)["results"][0]["name"] == "other", "saving again replaces the file"


def test_saving_is_atomic_a_failed_write_keeps_the_old_file(tmp_path):
    path = save_results(fake_report({"a": 1.0}), tmp_path / "run.json")
    before = path.read_text()
    broken = fake_report({"a": 1.0})
    broken["results"][0]["median"] = math.nan           # strict JSON has no NaN: json.dumps refuses it
    with pytest.raises(ValueError):
        save_results(broken, path)
    assert path.read_text() == before
    assert [p.name for p in tmp_path.iterdir()] == ["run.json"], "no temporary file left behind"


KILLED_WHILE_SAVING = """
import os, sys, time
from pathlib import Path
import tinytorch.bench as bench

def stalled_fsync(fd):
    # A disk that takes its time: the new report is written to the temporary file but not yet renamed.
    Path(sys.argv[2]).write_text("writing")
    time.sleep(60)

os.fsync = stalled_fsync
report = bench.load_results(sys.argv[1])
report["results"][0]["name"] = "new"
bench.save_results(report, sys.argv[1])
"""


def test_a_save_killed_midway_leaves_the_previous_report_whole(tmp_path):
    """SIGKILL between writing and renaming (a real kill, no cleanup can run): the report on disk is still the old
    one, complete, and loads; the new one never appears half-written."""
    import subprocess
    import sys

    path = save_results(fake_report({"old": 1.0}), tmp_path / "run.json")
    marker = tmp_path / "writing"
    child = subprocess.Popen([sys.executable, "-c", KILLED_WHILE_SAVING, str(path), str(marker)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while not marker.exists() and child.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        if not marker.exists():
            child.kill()
            _, err = child.communicate()
            pytest.fail(f"the saving process never reached the write: {err[-2000:]}")
        child.kill()  # SIGKILL (on Windows, TerminateProcess): no cleanup can run
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert [r["name"] for r in load_results(path)["results"]] == ["old"]
    leftovers = sorted(p.name for p in tmp_path.iterdir() if p.name not in ("run.json", "writing"))
    assert len(leftovers) == 1 and leftovers[0].startswith(".run.json.") and leftovers[0].endswith(".tmp"), leftovers


def test_unicode_names_survive_the_round_trip(tmp_path):
    report = fake_report({"naïve 循环 🐢": 2.0, "vectorisé ⚡": 0.1})
    assert [r["name"] for r in load_results(save_results(report, tmp_path / "ü.json"))["results"]] == \
        ["naïve 循环 🐢", "vectorisé ⚡"]


@pytest.mark.parametrize("content, message", [
    ('{"schema": "tinytorch.bench/1", "created": ', "not valid JSON"), ("", "not valid JSON"),
    ("[1, 2]", "must be a dict"), ('{"schema": "tinytorch.bench/1"}', "lacks created"),
    ('{"schema": "other/9", "created": 1, "machine": {}, "settings": {}, "baseline": null, "results": []}', "other/9"),
    ('{"schema": "tinytorch.bench/1", "created": 1, "machine": {}, "settings": {}, "baseline": null, '
     '"results": [{"name": "x"}]}', "result 'x' lacks number")])
def test_loading_a_file_that_is_not_a_report_says_what_is_wrong(tmp_path, content, message):
    path = tmp_path / "run.json"
    path.write_text(content)
    with pytest.raises(ValueError, match=message):
        load_results(path)


def test_loading_a_missing_file_says_what_to_do(tmp_path):
    with pytest.raises(FileNotFoundError, match="run the benchmark and save_results first"):
        load_results(tmp_path / "nothing.json")


def test_saving_something_that_is_not_a_report_is_refused_before_writing(tmp_path):
    with pytest.raises(ValueError, match="lacks"):
        save_results({"results": []}, tmp_path / "x.json")
    assert not (tmp_path / "x.json").exists()


# ---------------------------------------------------------------- over time

def test_runs_compare_by_name_with_ratio_and_verdict():
    old = fake_report({"forward": 0.010, "backward": 0.020, "gone": 1.0})
    new = fake_report({"added": 1.0, "backward": 0.0201, "forward": 0.030})
    changes = compare_runs(old, new)
    assert [row["name"] for row in changes["rows"]] == ["backward", "forward"], "in the new report's order"
    forward = changes["rows"][1]
    assert forward["ratio"] == pytest.approx(3.0) and forward["verdict"] == "slower"
    assert changes["rows"][0]["verdict"] == "same within noise"
    assert changes["only_in_old"] == ["gone"] and changes["only_in_new"] == ["added"]
    assert changes["same_machine"] and json.loads(json.dumps(changes)) == changes
    text = format_changes(changes)
    assert "3.00x" in text and "gone since" in text and "new since" in text


def test_runs_on_different_machines_say_so():
    changes = compare_runs(fake_report({"a": 1.0}), fake_report({"a": 0.5}, cpu_count=64, numpy="2.1"))
    assert not changes["same_machine"]
    assert changes["machine_changes"] == {"cpu_count": [2, 64], "numpy": ["2.0", "2.1"]}
    assert "different machine" in format_changes(changes)


def test_compare_runs_checks_both_reports():
    with pytest.raises(ValueError, match="the old report lacks"):
        compare_runs({"schema": SCHEMA}, fake_report({"a": 1.0}))
