"""The terminal face renders item progress (submissions graded) as a live rich bar, with log lines above it."""

from __future__ import annotations

import io

from rich.console import Console

from tito_jupyter.cli.render import Renderer


def terminal_renderer() -> tuple[Renderer, io.StringIO]:
    screen = io.StringIO()
    renderer = Renderer()
    renderer.console = Console(file=screen, force_terminal=True, width=100, color_system=None)
    return renderer, screen


def test_progress_events_become_a_bar_that_counts_to_the_end():
    renderer, screen = terminal_renderer()
    renderer.on_event({"event": "step", "step": "autograde", "state": "running", "module": "01_numbers"})
    renderer.on_event({"event": "progress", "done": 0, "total": 3, "label": "graded"})
    assert renderer._progress is not None  # a bar, as soon as the count is known
    for done, student in enumerate(("ada", "bea", "cy"), start=1):
        renderer.on_event({"event": "log", "message": f"{student}: 3/3 (graded)", "level": "info"})
        renderer.on_event({"event": "progress", "done": done, "total": 3, "label": student})
        task = renderer._progress.tasks[0]
        assert (task.completed, task.total, task.description) == (done, 3, "graded")
    renderer.on_event({"event": "step", "step": "autograde", "state": "passed", "module": "01_numbers"})
    assert renderer._progress is None  # the step's end closes the bar
    text = screen.getvalue()
    assert "cy: 3/3 (graded)" in text and "3/3" in text and "✓ autograde" in text


def test_without_a_terminal_there_is_no_bar():
    renderer = Renderer()
    renderer.console = Console(file=io.StringIO(), force_terminal=False)
    renderer.on_event({"event": "progress", "done": 1, "total": 3, "label": "graded"})
    assert renderer._progress is None


def test_a_count_that_is_already_complete_draws_no_bar():
    """A no-op export reports its count once, done: a bar drawn and erased at once would show nothing, and rich
    writing it would keep the output from being remembered (a terminal's no-op export would never be quick)."""
    renderer, screen = terminal_renderer()
    renderer.on_event({"event": "step", "step": "export", "state": "skipped", "module": "01_numbers"})
    renderer.on_event({"event": "progress", "done": 2, "total": 2, "label": "02_doubling"})
    assert renderer._progress is None
    assert "01_numbers is up to date" in screen.getvalue()
