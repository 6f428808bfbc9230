"""The two views of a running command: the live widget panel and the text lines, from the same events."""

from __future__ import annotations

from types import SimpleNamespace

from IPython.utils.capture import capture_output

from tito_jupyter.magics.display import TextView, WidgetView, result_html, result_text, widgets_usable

EVENTS = [
    {"event": "step", "step": "export", "state": "running", "module": "01_numbers"},
    {"event": "step", "step": "export", "state": "passed", "module": "01_numbers"},
    {"event": "step", "step": "test", "state": "running", "module": "01_numbers"},
    {"event": "collected", "count": 2},
    {"event": "test", "id": "nb::test_a", "outcome": "passed", "message": ""},
    {"event": "progress", "done": 1, "total": 2, "label": "nb::test_a"},
    {"event": "test", "id": "nb::test_b", "outcome": "failed", "message": "AssertionError: 2 != 3"},
    {"event": "progress", "done": 2, "total": 2, "label": "nb::test_b"},
    {"event": "step", "step": "test", "state": "failed", "module": "01_numbers", "message": "1 of 2 passed"},
]
FAILED = {"command": "module.complete", "ok": False, "summary": "01_numbers: tests failed.", "error": None,
          "duration": 0.5, "data": {"modules": [{"module": "01_numbers", "ok": False, "steps": [
              {"step": "test", "ok": False, "tests": [
                  {"id": "nb::test_a", "outcome": "passed", "message": ""},
                  {"id": "nb::test_b", "outcome": "failed", "message": "AssertionError: 2 != 3"}]}]}]}}


def test_widgets_need_a_kernel_and_ipywidgets(monkeypatch):
    monkeypatch.delenv("TITO_MAGIC_DISPLAY", raising=False)
    kernel_shell = SimpleNamespace(kernel=object())
    assert widgets_usable(kernel_shell)
    assert not widgets_usable(SimpleNamespace())  # a terminal IPython has no kernel
    assert not widgets_usable(kernel_shell, force_text=True)  # %tito --text
    monkeypatch.setenv("TITO_MAGIC_DISPLAY", "text")
    assert not widgets_usable(kernel_shell)


def test_the_widget_panel_follows_the_events_and_ends_with_the_summary(shell):
    with capture_output() as captured:
        view = WidgetView("module complete", min_interval=0)
        for event in EVENTS:
            view.on_event(event)
        assert view.bar.max == 2 and view.bar.value == 2
        assert "✗ test 01_numbers" in view.steps_html.value and "✓ export 01_numbers" in view.steps_html.value
        assert "AssertionError: 2 != 3" in view.tests_html.value  # the failure shows while it runs
        view.finish(FAILED)
    assert view.bar.bar_style == "danger"
    assert "01_numbers: tests failed." in view.summary_html.value
    assert "nb::test_b" in view.summary_html.value and "AssertionError: 2 != 3" in view.summary_html.value
    # Where widgets cannot render, the output still says how it ended.
    final = captured.outputs[-1].data
    assert "application/vnd.jupyter.widget-view+json" in final
    assert final["text/plain"].startswith("✗ 01_numbers: tests failed.")
    assert "nb::test_b: AssertionError: 2 != 3" in final["text/plain"]
    assert "AssertionError: 2 != 3" in final["text/html"]


def test_the_text_view_prints_steps_and_failures_as_they_come(shell):
    lines = []
    view = TextView("module complete", write=lines.append)
    for event in EVENTS:
        view.on_event(event)
    assert lines == ["… export 01_numbers", "✓ export 01_numbers (passed)", "… test 01_numbers",
                     "  ✗ nb::test_b: AssertionError: 2 != 3", "✗ test 01_numbers (failed): 1 of 2 passed"]
    with capture_output() as captured:
        view.finish(FAILED)
    assert captured.outputs[0].data["text/plain"] == result_text(FAILED)


def test_results_with_rows_become_tables():
    status = {"ok": True, "summary": "0 of 1 modules complete.", "data": {"modules": [
        {"id": "01_numbers", "title": "Numbers", "state": "not_started", "tests": None,
         "missing_prerequisites": []}]}}
    assert "01_numbers  Numbers  not started" in result_text(status)
    assert "<td style='padding:2px 8px'>not started</td>" in result_html(status)
    assert result_text({"ok": True, "summary": "done", "data": {}}) == "✓ done"


def test_a_timed_out_run_is_never_shown_as_all_passed_and_warnings_are_shown():
    status = {"ok": True, "summary": "0 of 1 modules complete.", "data": {
        "warnings": ["The progress store progress.json could not be read (it is not UTF-8 text)."],
        "modules": [{"id": "01_numbers", "title": "Numbers", "state": "tests_failing", "changed": True,
                     "tests": {"passed": 3, "failed": 0, "error": 1, "total": 4, "timed_out": True},
                     "missing_prerequisites": []}]}}
    text = result_text(status)
    assert "3/4 passed, timed out" in text and "3/3" not in text
    assert "! The progress store progress.json could not be read" in text
    assert "could not be read" in result_html(status) and "3/4 passed, timed out" in result_html(status)


def test_a_link_to_a_cell_names_its_id_quoted_and_works_from_any_notebook():
    """The cell's id goes in JupyterLab's ``#cell-id=`` fragment, quoted (an id is any text in nbformat)."""
    from tito_jupyter.magics.display import notebook_link

    nb = "modules/01_tensor/01_tensor.ipynb"
    assert notebook_link(nb, "modules/01_tensor/01_tensor.ipynb", "tensor-05") == "01_tensor.ipynb#cell-id=tensor-05"
    assert notebook_link(nb, "course/modules/02_x/02_x.ipynb", "a b#c/é") == \
        "../01_tensor/01_tensor.ipynb#cell-id=a%20b%23c%2F%C3%A9"
    assert notebook_link(nb, None, "tensor-05") == "/lab/tree/modules/01_tensor/01_tensor.ipynb#cell-id=tensor-05"
    assert notebook_link(nb, "modules/01_tensor/01_tensor.ipynb") == "01_tensor.ipynb"  # no id: the notebook


def test_a_benchmark_result_is_a_table_of_its_measurements_and_not_run_benchmarks_are_named():
    result = {"command": "benchmark", "ok": True, "summary": "Measured 1 benchmark; saved as 20260101T000000Z.json "
              "(the first run: nothing to compare with). Not run: conv2d_forward (needs modules not yet complete).",
              "data": {"rows": [{"name": "mlp_forward", "what": "MLP", "median_ms": 0.034567891, "ci_low_ms": 0.0331,
                                 "ci_high_ms": 0.0412, "repeats": 20}], "not_run": {"conv2d_forward": ["09_spatial"]}}}
    text = result_text(result)
    assert "name         median_ms  ci_low_ms  ci_high_ms  repeats" in text
    assert "mlp_forward  0.03457    0.0331     0.0412      20" in text
    assert "Not run: conv2d_forward" in text
    assert "<td style='padding:2px 8px'>0.03457</td>" in result_html(result)
