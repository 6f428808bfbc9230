"""How ``%tito`` shows a command as it runs and when it ends. Events and results in, display out.

Two views with the same two methods (``on_event``, ``finish``):

- :class:`WidgetView` — a live ipywidgets panel (progress bar, steps, per-test marks, a pass/fail summary with
  the first failure's message). Its output also carries a text/plain and text/html rendering of the final
  state, so a notebook opened where widgets cannot render (nbconvert, GitHub, nbclient) still shows the outcome;
- :class:`TextView` — lines printed as the work goes and a summary at the end, for terminals, ``--text``,
  and kernels without ipywidgets.

:func:`make_view` picks one. Nothing here knows about modules or checkpoints beyond the shape of events and of
the engine's result data (its tables, the rule of :mod:`tito_jupyter.result_tables`, failed tests and
``not_written`` groups), so a plugin's command is shown like a built-in one.
"""

from __future__ import annotations

import html
import os
import posixpath
import re
import time
import urllib.parse

from ..engine.testing import place, tests_waiting
from ..result_tables import table

_MARK = {"passed": "✓", "failed": "✗", "error": "✗", "skipped": "–", "running": "…"}
_COLOUR = {"passed": "#1a7f37", "failed": "#cf222e", "error": "#cf222e", "skipped": "#6e7781", "running": "#0969da"}
_FAILED = ("failed", "error")
#: A link looks like one in the widget panel too (ipywidgets' HTML does not style links).
_LINK = "color:var(--jp-content-link-color,#0969da);text-decoration:underline"


def widgets_usable(shell, force_text: bool = False) -> bool:
    """Widgets need ipywidgets and a kernel with a frontend channel (not a terminal IPython)."""
    if force_text or os.environ.get("TITO_MAGIC_DISPLAY", "").lower() == "text":
        return False
    if getattr(shell, "kernel", None) is None:
        return False
    try:
        import ipywidgets  # noqa: F401
    except ImportError:
        return False
    return True


def make_view(shell, title: str, force_text: bool = False, here: str | None = None):
    """``here`` is the path of the notebook the cell runs in (links to other notebooks are made relative to it)."""
    view = WidgetView(title) if widgets_usable(shell, force_text) else TextView(title)
    view.here = here
    return view


# -- what a result says, as text and HTML -----------------------------------------------------------------


def step_label(event: dict) -> str:
    what = event.get("module") or event.get("checkpoint") or ""
    return f"{event.get('step', '')} {what}".strip()


def failures(result: dict) -> list[dict]:
    """Failed tests anywhere in a result's data (``{id, outcome, message}`` records), in order."""
    found: list[dict] = []

    def walk(node) -> None:
        if isinstance(node, dict):
            if node.get("outcome") in _FAILED and "id" in node:
                found.append(node)
                return
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(result.get("data") or {})
    return found


def not_written(result: dict) -> list[dict]:
    """The engine's ``not_written`` groups of every module in a result, in the order to write them."""
    modules = (result.get("data") or {}).get("modules") if isinstance(result.get("data"), dict) else None
    return [g for m in modules or [] if isinstance(m, dict) for g in m.get("not_written") or []]


#: A notebook's path ends with the course's layout (``modules/NN_name/NN_name.ipynb``); what is before is where
#: the course folder is, seen from the same place.
_COURSE_NOTEBOOK = re.compile(r"^(?P<course>.*?)modules/[^/]+/[^/]+\.ipynb$")


def notebook_link(notebook: str, here: str | None, cell_id: str | None = None) -> str:
    """The href that opens a course notebook in JupyterLab from the notebook at ``here`` (at a cell, given its id).

    A relative href is resolved by JupyterLab against the notebook showing the output, and opens the file in
    Lab itself (any base URL, any workspace); without ``here`` the link is ``/lab/tree/<notebook>``.
    ``#cell-id=<id>`` is JupyterLab 4's fragment for a notebook cell; the tito lab extension takes a click on
    such a link (in the HTML output and in the live widget panel alike) and opens the notebook with that cell
    selected (labextension/src/cellLink.ts). Elsewhere the fragment is ignored and the notebook opens.
    """
    fragment = "#cell-id=" + urllib.parse.quote(cell_id, safe="") if cell_id else ""
    found = _COURSE_NOTEBOOK.match((here or "").replace(os.sep, "/"))
    if not found:
        return "/lab/tree/" + urllib.parse.quote(notebook) + fragment
    target = found["course"] + notebook
    return urllib.parse.quote(posixpath.relpath(target, posixpath.dirname(found.group(0)))) + fragment


def result_text(result: dict, here: str | None = None) -> str:
    lines = [("✓ " if result.get("ok") else "✗ ") + str(result.get("summary", ""))]
    shown = table(result)
    if shown:
        columns, rows = shown
        widths = [max(len(c), *(len(r[i]) for r in rows)) for i, c in enumerate(columns)]
        lines.append("  ".join(c.ljust(w) for c, w in zip(columns, widths)).rstrip())
        lines += ["  ".join(v.ljust(w) for v, w in zip(row, widths)).rstrip() for row in rows]
    groups = not_written(result)
    if groups:
        lines.append("  Not written yet, in the order to write them:")
        lines += [f"  {i}. {g['function']}: {place(g)} ({tests_waiting(len(g['tests']))})" for i, g in enumerate(groups, 1)]
    grouped = {t for g in groups for t in g["tests"]}
    for test in [t for t in failures(result) if t["id"] not in grouped][:5]:
        lines.append(f"  ✗ {test['id']}: {test.get('message') or test['outcome']}")
    lines += [f"  ! {w}" for w in _warnings(result)]
    return "\n".join(lines)


def _warnings(result: dict) -> list[str]:
    data = result.get("data")
    return [str(w) for w in data.get("warnings") or []] if isinstance(data, dict) else []


def result_html(result: dict, here: str | None = None) -> str:
    ok = bool(result.get("ok"))
    colour = _COLOUR["passed" if ok else "failed"]
    parts = [f'<div style="border-left:4px solid {colour};padding:4px 8px;margin:4px 0">'
             f'<b style="color:{colour}">{"✓" if ok else "✗"}</b> {html.escape(str(result.get("summary", "")))}</div>']
    shown = table(result)
    if shown:
        columns, rows = shown
        head = "".join(f"<th style='text-align:left;padding:2px 8px'>{html.escape(c.replace('_', ' '))}</th>"
                       for c in columns)
        body = "".join("<tr>" + "".join(f"<td style='padding:2px 8px'>{html.escape(v)}</td>" for v in row) + "</tr>"
                       for row in rows)
        parts.append(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
    groups = not_written(result)
    if groups:
        items = "".join(
            f"<li><code>{html.escape(g['function'])}</code>: "
            + (f"<a href='{html.escape(notebook_link(g['notebook'], here, g.get('cell_id')))}' style='{_LINK}' "
               f"title='opens the "
               f"notebook at cell {g['cell']}, where the function is written'>{html.escape(place(g))}</a>"
               if g.get("notebook")
               else html.escape(place(g)))
            + f" <span style='color:#6e7781' title='{html.escape(', '.join(g['tests']))}'>({tests_waiting(len(g['tests']))})</span></li>"
            for g in groups)
        parts.append(f"<div>Not written yet, in the order to write them:</div><ol style='margin:2px 0'>{items}</ol>")
    grouped = {t for g in groups for t in g["tests"]}
    fails = [t for t in failures(result) if t["id"] not in grouped][:5]
    if fails:
        # the message first; pytest's whole report one click away
        items = "".join(f"<li><code>{html.escape(t['id'])}</code>: <pre style='display:inline;white-space:pre-wrap'>"
                        f"{html.escape(t.get('message') or t['outcome'])}</pre>"
                        + (f"<details><summary>pytest's full report</summary><pre style='white-space:pre-wrap'>"
                           f"{html.escape(t['details'])}</pre></details>" if t.get("details") else "")
                        + "</li>" for t in fails)
        parts.append(f"<ul style='margin:2px 0'>{items}</ul>")
    parts += [f"<div style='color:#9a6700'>! {html.escape(w)}</div>" for w in _warnings(result)]
    return "\n".join(parts)


class ResultDisplay:
    """A finished result as a display object (HTML where it renders, text elsewhere)."""

    def __init__(self, result: dict, here: str | None = None):
        self.result = result
        self.here = here

    def _repr_html_(self) -> str:
        return result_html(self.result, self.here)

    def __repr__(self) -> str:
        return result_text(self.result, self.here)


# -- text -------------------------------------------------------------------------------------------------


class TextView:
    """Prints a line per step and per failed test as they happen, then the summary."""

    here: str | None = None  # the notebook the cell runs in (make_view sets it)

    def __init__(self, title: str, write=print):
        self.title = title
        self.write = write
        self.tests = {"passed": 0, "failed": 0}

    def note(self, message: str) -> None:
        self.write(message)

    def on_event(self, event: dict) -> None:
        kind = event.get("event")
        if kind == "step":
            state = event.get("state", "")
            line = f"{_MARK.get(state, '·')} {step_label(event)}" + (f" ({state})" if state != "running" else "")
            if event.get("message") and state != "running":
                line += f": {event['message']}"
            self.write(line)
        elif kind == "test":
            outcome = event.get("outcome")
            self.tests["passed" if outcome == "passed" else "failed"] += outcome != "skipped"
            if outcome in _FAILED:
                self.write(f"  ✗ {event.get('id')}: {event.get('message') or outcome}")
        elif kind == "log" and event.get("level") in ("warning", "error"):
            self.write(f"  ! {event.get('message')}")

    def finish(self, result: dict) -> None:
        from IPython.display import display

        display(ResultDisplay(result, self.here))


# -- widgets ----------------------------------------------------------------------------------------------


class WidgetView:
    """A live panel; updates are throttled so a thousand tests do not flood the frontend."""

    here: str | None = None  # the notebook the cell runs in (make_view sets it)

    def __init__(self, title: str, min_interval: float = 0.1):
        import ipywidgets as w
        from IPython.display import display

        self.title = title
        self.min_interval = min_interval
        self._last = 0.0
        self.heading = w.HTML(f"<b>%tito {html.escape(title)}</b> <span style='color:#6e7781'>starting…</span>")
        self.bar = w.FloatProgress(value=0.0, min=0.0, max=1.0, bar_style="info", layout=w.Layout(width="60%"))
        self.steps_html = w.HTML()
        self.tests_html = w.HTML()
        self.summary_html = w.HTML()
        self.box = w.VBox([self.heading, self.bar, self.steps_html, self.tests_html, self.summary_html])
        self.steps: dict[str, str] = {}
        self.test_marks: list[tuple[str, str]] = []
        self.failed: list[dict] = []
        self.handle = display(self._bundle(f"%tito {title}: running…", ""), raw=True, display_id=True)

    def _bundle(self, text: str, html_text: str) -> dict:
        bundle = dict(self.box._repr_mimebundle_() or {})
        bundle["text/plain"] = text
        if html_text:
            bundle["text/html"] = html_text
        return bundle

    def note(self, message: str) -> None:
        self.heading.value += f"<div>{html.escape(message)}</div>"

    def on_event(self, event: dict) -> None:
        kind = event.get("event")
        if kind == "step":
            self.steps[step_label(event)] = event.get("state", "")
        elif kind == "test":
            self.test_marks.append((event.get("outcome", ""), str(event.get("id", ""))))
            if event.get("outcome") in _FAILED:
                self.failed.append(event)
        elif kind == "progress" and event.get("total"):
            self.bar.max = float(event["total"])
            self.bar.value = float(min(event.get("done", 0), event["total"]))
        elif kind == "collected" and event.get("count"):
            self.bar.max, self.bar.value = float(event["count"]), 0.0
        now = time.monotonic()
        if now - self._last >= self.min_interval:
            self._render()
            self._last = now

    def _render(self) -> None:
        running = [label for label, state in self.steps.items() if state == "running"]
        status = f"running {running[-1]}…" if running else "working…"
        self.heading.value = (f"<b>%tito {html.escape(self.title)}</b> "
                              f"<span style='color:#6e7781'>{html.escape(status)}</span>")
        self.steps_html.value = " ".join(
            f"<span style='color:{_COLOUR.get(state, '#6e7781')};margin-right:12px'>{_MARK.get(state, '·')} "
            f"{html.escape(label)}</span>" for label, state in self.steps.items())
        marks = "".join(f"<span title='{html.escape(name)}' style='color:{_COLOUR.get(outcome, '#6e7781')}'>"
                        f"{_MARK.get(outcome, '·')}</span>" for outcome, name in self.test_marks[-400:])
        fails = "".join(f"<div style='color:{_COLOUR['failed']}'>✗ <code>{html.escape(str(e.get('id')))}</code>: "
                        f"{html.escape(str(e.get('message') or e.get('outcome')))}</div>" for e in self.failed[:5])
        self.tests_html.value = (f"<div style='font-family:monospace'>{marks}</div>" if marks else "") + fails

    def finish(self, result: dict) -> None:
        self.failed = []  # the summary lists the failures; the marks stay
        self._render()
        ok = bool(result.get("ok"))
        self.bar.bar_style = "success" if ok else "danger"
        self.bar.value = self.bar.max
        self.heading.value = f"<b>%tito {html.escape(self.title)}</b>"
        self.summary_html.value = result_html(result, self.here)
        if self.handle is not None:  # None outside IPython
            self.handle.update(self._bundle(result_text(result, self.here), result_html(result, self.here)), raw=True)
