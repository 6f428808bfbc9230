"""The one watch of every runner (processes.supervise and processes.outcome): processes.run and a warm grader's run
wait for their child, stop it at its timeout, at output past its cap, or when their pool stops, by the same rule.

The real runs are tests/engine/test_processes.py's and tests/instructor/test_warm_grader.py's; here, the rule
itself, with the child's end as a plain callable: which reason wins, what a stopped run says it was, and that a
stopping pool raises Cancelled except after a timeout (the run's own result).
"""

from __future__ import annotations

import threading
import time

import pytest

from tito_jupyter.engine import processes


def never_ends(wait: float) -> bool:
    time.sleep(wait)
    return False


def test_a_child_that_ends_by_itself_is_not_stopped_and_says_so():
    ticks = []
    assert processes.supervise(lambda wait: len(ticks) >= 3, started=time.monotonic(), timeout=60,
                               on_tick=lambda: ticks.append(1)) is None
    finished = processes.outcome(0, time.monotonic(), None, lambda: False)
    assert (finished.exit_code, finished.timed_out, finished.stopped_by) == (0, False, None)


def test_the_timeout_stops_it_and_the_run_says_timed_out():
    started = time.monotonic()
    assert processes.supervise(never_ends, started=started, timeout=0.2) == "timeout"
    assert time.monotonic() - started >= 0.2
    finished = processes.outcome(-9, started, "timeout", lambda: False)
    assert (finished.timed_out, finished.stopped_by) == (True, "timeout")


def test_output_past_its_cap_stops_it_and_a_flood_seen_only_at_the_end_still_counts():
    assert processes.supervise(never_ends, started=time.monotonic(), timeout=60, over_cap=lambda: True) == "output"
    # it printed past the cap and ended before a tick looked: the run still says what stopped it
    finished = processes.outcome(1, time.monotonic(), None, lambda: True)
    assert (finished.timed_out, finished.stopped_by) == (False, "output")


def in_a_pool_that_stops(work):
    """``work()`` in a :func:`processes.worker_threads` pool whose command stops (Ctrl-C) while it runs."""
    running = threading.Event()

    def task():
        running.set()
        return work()

    with pytest.raises(KeyboardInterrupt):
        with processes.worker_threads(1) as pool:
            future = pool.submit(task)
            assert running.wait(30), "the task never started"
            raise KeyboardInterrupt
    return future


def test_a_stopping_pool_stops_the_watch_unless_its_time_ran_out_first():
    started = time.monotonic()
    assert in_a_pool_that_stops(lambda: processes.supervise(never_ends, started=started, timeout=600)).result() \
        == "cancel"
    assert in_a_pool_that_stops(lambda: processes.supervise(never_ends, started=started, timeout=0)).result() \
        == "timeout"


def test_a_run_ended_in_a_stopping_pool_raises_cancelled_unless_it_had_timed_out():
    def ended_once_stopping(stopped_by):
        def work():
            while not processes.cancel_requested():
                time.sleep(0.01)
            return processes.outcome(1, time.monotonic(), stopped_by, lambda: False)
        return work

    with pytest.raises(processes.Cancelled):
        in_a_pool_that_stops(ended_once_stopping("cancel")).result()
    with pytest.raises(processes.Cancelled):  # it ended by itself, but its command is stopping
        in_a_pool_that_stops(ended_once_stopping(None)).result()
    assert in_a_pool_that_stops(ended_once_stopping("timeout")).result().timed_out
