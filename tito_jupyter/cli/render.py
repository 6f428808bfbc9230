"""Rendering results and live events in the terminal with rich. Data in, text out; no course logic.

Which view shows a result is chosen by the command that ran, not by its name: :data:`VIEWS` maps a
:class:`~tito_jupyter.commands.Command` of the table to the method that draws its data, registered with
:func:`view` (a name that is not in the table fails when this module loads). A command without a view of its own,
a plugin's for one, gets :meth:`Renderer.default_view`: the data's table as ``%tito`` shows it
(:mod:`tito_jupyter.result_tables`), then its summary, like every command.

rich is reached through :mod:`.memo`: a print whose text rich gave before, in the same terminal, is written
again without importing rich (``tito list`` and ``tito status`` mostly print what they printed last time).
"""

from __future__ import annotations

import time

from ..commands import Command, find
from ..engine.results import Result
from ..result_tables import table as default_table
from .memo import LazyConsole, Memo, Table, escape

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (a cost of every start)
if TYPE_CHECKING:
    from typing import Callable

#: The view of each command that has one of its own: the command -> a Renderer method taking its data.
VIEWS: dict[Command, Callable[["Renderer", dict], None]] = {}


def view(*names: str):
    """Register the decorated Renderer method as the view of the commands named (dotted names of the table)."""
    commands = [find(name) for name in names]

    def register(method):
        for command in commands:
            VIEWS[command] = method
        return method

    return register

_STATE_STYLE = {
    "complete": "bold green", "passed": "green", "tests_passing": "green", "ready": "cyan", "exported": "cyan",
    "tests_failing": "red", "failed": "red", "not_started": "dim", "locked": "dim", "ok": "green",
    "warn": "yellow", "fail": "red", "achieved": "bold green",
}
_MARK = {"passed": "✓", "failed": "✗", "error": "✗", "skipped": "–"}


def _styled(state: str) -> str:
    style = _STATE_STYLE.get(state, "")
    label = state.replace("_", " ")
    return f"[{style}]{label}[/]" if style else label


def _shown(name: str) -> str:
    """A student's name, safe to print (see :func:`~tito_jupyter.engine.instructor.class_view.visible`)."""
    from ..engine.instructor.class_view import visible

    return escape(visible(name))


def _ago(ts: float | None) -> str:
    if not ts:
        return "never"
    seconds = max(0, time.time() - ts)
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds / size:.0f} {unit} ago"
    return "just now"


class Renderer:
    """Prints events as they come and the result at the end."""

    def __init__(self, no_color: bool = False, verbose: bool = False, state_dir=None):
        """``state_dir``: a callable giving the course's state folder, where rich's texts are remembered."""
        self.memo = Memo(state_dir) if state_dir is not None else None
        self.console = LazyConsole(self.memo, no_color=no_color, highlight=False, soft_wrap=False)
        self.err = LazyConsole(self.memo, stderr=True, no_color=no_color, highlight=False)
        self.verbose = verbose
        self._progress = None
        self._task = None
        self._passed_by_file: dict[str, int] = {}

    @property
    def transcript(self) -> str | None:
        """Everything printed so far, if all of it went to stdout as known text (no live display, nothing on
        stderr, nothing rich wrote itself); else None."""
        if self.console.transcript is None or self.err.transcript != []:
            return None
        return "".join(self.console.transcript)

    # -- live events --------------------------------------------------------------------------------

    def on_event(self, event: dict) -> None:
        kind = event.get("event")
        if kind == "step":
            self._step(event)
        elif kind == "collected" and self.console.is_terminal:
            self._start_progress(event["count"])
        elif kind == "progress" and self.console.is_terminal:
            # Work counted in items (submissions graded): a bar of its own, or the test bar kept in step.
            if self._progress is None:
                if event["done"] >= event["total"]:
                    return  # nothing left to count (a no-op export says so at once): no bar to draw and erase
                self._start_progress(event["total"], what=event.get("label") or "done")
            self._progress.update(self._task, completed=event["done"], total=event["total"])
        elif kind == "test":
            self._test(event)
        elif kind == "log":
            style = {"error": "red", "warning": "yellow"}.get(event.get("level"), "dim")
            self._print(f"[{style}]{escape(event['message'])}[/]")
        elif kind == "serving":
            note = f"[yellow]{escape(event['note'])}[/]\n" if event.get("note") else ""
            self._print(f"\n{note}[bold]JupyterLab is running:[/] {event['url']}\n[dim]Press Ctrl-C to stop.[/]")

    def _print(self, text: str) -> None:
        console = self._progress.console if self._progress is not None else self.console
        console.print(text, soft_wrap=True)

    def _start_progress(self, total: int, what: str = "tests") -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self._stop_progress()
        self._progress = Progress(TextColumn("  {task.description}"), BarColumn(), MofNCompleteColumn(),
                                  TimeElapsedColumn(), console=self._rich_console(), transient=True)
        self._progress.start()
        self._task = self._progress.add_task(escape(what), total=total)

    def _rich_console(self):
        """rich's own console (a live display needs it), imported now if the memo kept it away so far."""
        if isinstance(self.console, LazyConsole):
            self.console.transcript = None  # a live display writes through rich itself
            return self.console.real
        return self.console

    def _stop_progress(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None

    def _step(self, event: dict) -> None:
        who = event.get("module") or event.get("checkpoint") or event.get("milestone") or ""
        name = event["step"]
        state = event["state"]
        if state == "running":
            if name != "export":  # an export is quick: its outcome line is enough
                self._print(f"[bold]→ {name}[/] {escape(who)}")
            return
        self._stop_progress()
        self._flush_passed()
        if name == "export" and state == "skipped":
            self._print(f"  [dim]{escape(who)} is up to date[/]")
        elif state in ("passed", "skipped"):
            self._print(f"  [green]✓ {name}[/] {escape(who)}")
        else:
            message = f": {escape(event['message'])}" if event.get("message") else ""
            self._print(f"  [red]✗ {name}[/] {escape(who)}{message}")

    def _flush_passed(self) -> None:
        """Passing tests are summed up per file (one line each); failures were shown as they came."""
        for file, count in self._passed_by_file.items():
            self._print(f"    [green]✓[/] {escape(file)} [dim]{count} passed[/]")
        self._passed_by_file.clear()

    def _test(self, event: dict) -> None:
        outcome = event["outcome"]
        if outcome == "passed" and not self.verbose:
            file = event["id"].split("::")[0]
            self._passed_by_file[file] = self._passed_by_file.get(file, 0) + 1
            if self._progress is not None and self._task is not None:
                self._progress.advance(self._task)
            return
        mark = _MARK.get(outcome, "?")
        style = {"passed": "green", "skipped": "yellow"}.get(outcome, "red")
        line = f"    [{style}]{mark}[/] {escape(event['id'])} [dim]{event.get('duration', 0):.3f}s[/]"
        if outcome in ("failed", "error") and event.get("message"):
            line += f"\n      [red]{escape(event['message'])}[/]"
        self._print(line)
        if self._progress is not None and self._task is not None:
            self._progress.advance(self._task)

    # -- results ------------------------------------------------------------------------------------

    def finish(self, result: Result, command: Command | None = None) -> None:
        """Show ``result`` of ``command`` (by default the table's command of that name): its view, warnings,
        summary and next steps."""
        self._stop_progress()
        self._flush_passed()
        if command is None:
            command = find(result.command)
        if result.ok or result.error is None:  # failed work (tests, checks) still shows its table; an error does not
            draw = VIEWS.get(command)
            if draw is not None:
                draw(self, result.data)
            else:
                self.default_view(result.data)
        for warning in (result.data or {}).get("warnings", []) if isinstance(result.data, dict) else []:
            self.err.print(f"[yellow]warning:[/] {escape(warning)}")
        if result.ok:
            self.console.print(f"[green]✓[/] {escape(result.summary)}")
            self._render_next_steps(result.data)
        else:
            self.err.print(f"[red]✗[/] {escape(result.summary)}")
            self._render_not_written(result.data)
        if self.memo is not None:
            self.memo.save()

    @view("module.test", "module.complete", "module.reset", "module.restore", "checkpoint.test", "checkpoint.run",
          "milestone.run", "system.setup", "system.log", "dev.watch", "dev.serve", "nbgrader.init", "nbgrader.release",
          "module.start", "module.edit")
    def _render_the_summary_only(self, data: dict) -> None:
        """Commands whose steps and tests were shown live, as events, or whose summary says it all."""

    def default_view(self, data) -> None:
        """The view of a command without one of its own: the first list in its data worth a table, if any."""
        shown = default_table({"data": data})
        if shown is None:
            return
        columns, rows = shown
        grid = Table(title_justify="left")
        for column in columns:
            grid.add_column(column.replace("_", " "))
        for row in rows:
            grid.add_row(*(escape(value) for value in row))
        self.console.print(grid)

    def _render_next_steps(self, data) -> None:
        steps = data.get("next_steps") if isinstance(data, dict) else None
        if steps:
            self.console.print("\n[bold]Next:[/]")
            for step in steps:
                self.console.print(f"  {escape(step)}")

    def _render_not_written(self, data) -> None:
        """The functions the failed tests wait on, in the order to write them (the engine's ``not_written``)."""
        modules = data.get("modules") if isinstance(data, dict) else None
        groups = [g for m in modules or [] if isinstance(m, dict) for g in m.get("not_written") or []]
        if not groups:
            return
        from ..engine.testing import place, tests_waiting

        self.err.print("  Not written yet, in the order to write them:")
        for i, g in enumerate(groups, 1):
            self.err.print(f"  {i}. [bold]{escape(g['function'])}[/]: {escape(place(g))} "
                           f"[dim]({tests_waiting(len(g['tests']))})[/]")

    @view("module.list")
    def _render_module_list(self, data: dict) -> None:
        table = Table(title="Modules", title_justify="left")
        table.add_column("module", no_wrap=True)
        table.add_column("title")
        table.add_column("exports to", no_wrap=True)
        table.add_column("needs")
        table.add_column("tests", no_wrap=True)
        for m in data["modules"]:
            tests = f"{m['inline_tests']} inline, {len(m['test_files'])} file(s)"
            short = m["title"].split(" — ")[0]
            target = (m["export_target"] or "").removeprefix(data["package"] + ".") or "[red]none[/]"
            needs = ", ".join(r.split("_", 1)[0] for r in m["requires"]) or "–"
            table.add_row(m["id"], escape(short), target, needs, tests)
        self.console.print(table)
        if data["checkpoints"]:
            cps = Table(title="Checkpoints", title_justify="left")
            for col in ("checkpoint", "capability", "needs", "unlocked by"):
                cps.add_column(col)
            for c in data["checkpoints"]:
                cps.add_row(c["id"], escape(c["question"]), ", ".join(c["requires"]) or "–", c["unlocked_by"] or "–")
            self.console.print(cps)

    @view("module.status")
    def _render_module_status(self, data: dict) -> None:
        table = Table(title="Your progress", title_justify="left")
        for col in ("module", "state", "tests", "last run", "notes"):
            table.add_column(col)
        for m in data["modules"]:
            tests = m.get("tests") or {}
            counts = f"{tests.get('passed', 0)}/{tests.get('total', 0)}" if tests else "–"
            notes = []
            if tests.get("timed_out"):
                notes.append("tests timed out")
            if m.get("changed"):
                notes.append("notebook changed since")
            if m.get("missing_prerequisites") and m["state"] != "complete":
                notes.append("needs " + ", ".join(m["missing_prerequisites"]))
            table.add_row(m["id"], _styled(m["state"]), counts, _ago(m.get("last_run")), "; ".join(notes))
        self.console.print(table)

    @view("module.overview")
    def _render_module_overview(self, data: dict) -> None:
        self._render_module_status(data)
        self._render_checkpoint_timeline(data)

    @view("module.export")
    def _render_module_export(self, data: dict) -> None:
        for m in data["modules"]:
            if m["status"] == "stale":
                self.console.print(f"  {m['id']}: [yellow]out of date[/] [dim]{', '.join(m.get('changed') or [])}[/]")

    @view("module.validate")
    def _render_module_validate(self, data: dict) -> None:
        for m in data["modules"]:
            mark = "[green]✓[/]" if m["ok"] else "[red]✗[/]"
            self.console.print(f"{mark} {m['module']}")
            for c in m["checks"]:
                if not c["ok"] or not m["ok"]:
                    cmark = "[green]✓[/]" if c["ok"] else "[red]✗[/]"
                    self.console.print(f"    {cmark} {c['check']}: {escape(c['message'])}")

    @view("checkpoint.status")
    def _render_checkpoint_status(self, data: dict) -> None:
        table = Table(title="Checkpoints", title_justify="left")
        for col in ("checkpoint", "capability", "state", "needs"):
            table.add_column(col)
        for c in data["checkpoints"]:
            table.add_row(c["id"], escape(c["question"]), _styled(c["state"]), ", ".join(c["missing_modules"]) or "–")
        self.console.print(table)

    @view("checkpoint.timeline")
    def _render_checkpoint_timeline(self, data: dict) -> None:
        for entry in data["timeline"]:
            if entry["kind"] == "module":
                self.console.print(f"● {entry['id']:<18} {_styled(entry['state'])}")
            else:
                self.console.print(f"│   ◆ {entry['id']:<14} {_styled(entry['state'])}  [dim]{escape(entry['title'])}[/]")

    @view("milestone.list")
    def _render_milestone_list(self, data: dict) -> None:
        table = Table(title="Milestones", title_justify="left")
        for col in ("milestone", "title", "state", "needs"):
            table.add_column(col)
        for m in data["milestones"]:
            table.add_row(m["id"], escape(m["title"]), _styled(m["state"]), ", ".join(m["missing_modules"]) or "–")
        self.console.print(table)

    @view("benchmark")
    def _render_benchmark(self, data: dict) -> None:
        if "history" in data:
            table = Table(title="Saved benchmark runs", title_justify="left")
            for col in ("file", "created", "benchmarks (median)", "not run"):
                table.add_column(col)
            for run in data["history"]:
                medians = ", ".join(f"{name} {seconds * 1e3:.3g} ms" for name, seconds in run["benchmarks"].items()
                                    if isinstance(seconds, (int, float)))
                table.add_row(run["file"], str(run["created"]), escape(medians), ", ".join(run["not_run"]) or "–")
            self.console.print(table)
            return
        if data.get("rows"):
            table = Table(title="Your framework, measured", title_justify="left")
            for col in ("benchmark", "median", "95% interval", "repeats"):
                table.add_column(col)
            for row in data["rows"]:
                table.add_row(row["name"], f"{row['median_ms']:.3g} ms",
                              f"{row['ci_low_ms']:.3g} – {row['ci_high_ms']:.3g} ms", str(row["repeats"]))
            self.console.print(table)
        if data.get("changes"):
            self.console.print(f"[bold]Since {escape(data['compared_with'])}[/]")
            self.console.print(escape(data["changes"]))
        for name, modules in (data.get("not_run") or {}).items():
            self.console.print(f"  [dim]{name}: not run, needs module {', '.join(modules)}[/]")
        for name, error in (data.get("failed") or {}).items():
            self.console.print(f"  [red]✗ {name}[/]: {escape(error)}")

    @view("system.doctor")
    def _render_system_doctor(self, data: dict) -> None:
        table = Table(title="tito doctor", title_justify="left")
        for col in ("check", "status", "detail", "fix"):
            table.add_column(col)
        for c in data["checks"]:
            table.add_row(c["check"], _styled(c["status"]), escape(c["detail"]), escape(c["fix"]))
        self.console.print(table)

    @view("system.info")
    def _render_system_info(self, data: dict) -> None:
        table = Table(show_header=False)
        table.add_column("what")
        table.add_column("value")
        for key in ("tito_jupyter", "python", "executable", "platform"):
            table.add_row(key, str(data[key]))
        for dist, version in data["packages"].items():
            table.add_row(dist, version or "[dim]not installed[/]")
        if data.get("course"):
            table.add_row("course", f"{data['course']['root']} ({data['course']['modules']} modules)")
            log = data.get("usage_log") or {}
            state = "on" if log.get("enabled") else "off"
            table.add_row("usage log", f"{state}, {log.get('entries', 0)} entries")
            for row in log.get("commands", [])[:5]:
                mean = row["mean_seconds"]  # None: no run of it has a duration the log can read
                table.add_row("", f"{row['command']}: {row['runs']} runs"
                                  + (f", {mean:.2f} s mean" if mean is not None else ""))
        self.console.print(table)

    @view("system.health")
    def _render_system_health(self, data: dict) -> None:
        table = Table(title=f"repository health, measured {data['measured_at']}", title_justify="left")
        for col in ("figure", "value", "detail"):
            table.add_column(col)
        for f in data["figures"]:
            value = (f"{f['value']:g} {f['unit']}".strip() if f["status"] == "measured"
                     else _styled("failed" if f["status"] == "failed" else "not measured"))
            table.add_row(f["figure"], value, escape(f["detail"] or f["how"]))
        self.console.print(table)

    @view("module.backups")
    def _render_module_backups(self, data: dict) -> None:
        for b in data["backups"]:
            self.console.print(f"  {b['module']}  {b['id']}  [dim]{b['path']}[/]")

    @view("dev.profile")
    def _render_dev_profile(self, data: dict) -> None:
        table = Table(title=f"Where the time went ({data['seconds']:.2f} s)", title_justify="left")
        for col in ("function", "calls", "own s", "cumulative s"):
            table.add_column(col)
        for row in data["functions"]:
            table.add_row(escape(row["function"]), str(row["calls"]), f"{row['own_seconds']:.4f}",
                          f"{row['cumulative_seconds']:.4f}")
        self.console.print(table)
        if data["slowest_tests"]:
            self.console.print("[bold]Slowest tests[/]")
            for t in data["slowest_tests"]:
                self.console.print(f"  {t['duration']:.3f}s  {escape(t['id'])}")

    @view("init")
    def _render_init(self, data: dict) -> None:
        edition = data["edition"]
        commit = f", commit {edition['commit'][:12]}" if edition.get("commit") else ""
        self.console.print(f"  {len(data['modules'])} modules, {data['files']} files "
                           f"[dim](student edition of tito-jupyter {escape(str(edition.get('tito_version')))}"
                           f"{escape(commit)})[/]")

    @view("system.clean")
    def _render_system_clean(self, data: dict) -> None:
        for path in data["removed"]:
            self.console.print(f"  [dim]{path}[/]")

    # -- instructors --------------------------------------------------------------------------------

    @view("release.student")
    def _render_release_student(self, data: dict) -> None:
        table = Table(title="Student edition", title_justify="left")
        for col in ("module", "solutions", "student edition", "NotImplementedError", "instructor edition"):
            table.add_column(col)
        for m in data["modules"]:
            student, instructor = m.get("student"), m.get("instructor")
            table.add_row(
                m["id"], str(m["solution_regions"]),
                f"{student['failed']}/{student['total']} fail" if student else "–",
                str(student["not_implemented"]) if student else "–",
                (f"[green]{instructor['passed']}/{instructor['total']} pass[/]" if instructor["ok"]
                 else f"[red]{instructor['passed']}/{instructor['total']} pass[/]") if instructor else "–")
        self.console.print(table)
        for leak in data["scan"]["leaks"][:20]:
            self.console.print(f"  [red]leak[/] {escape(leak['file'])}:{leak['line']}: {escape(leak['text'][:100])}")
        for problem in data.get("problems", []):
            self.console.print(f"  [red]✗[/] {escape(problem)}")

    @view("nbgrader.generate")
    def _render_nbgrader_generate(self, data: dict) -> None:
        for a in data["assignments"]:
            needs = f", builds on {', '.join(a['prerequisites'])}" if a["prerequisites"] else ""
            self.console.print(f"  {a['assignment']}: {a['grade_cells']} grade cells, {a['points']} points, "
                               f"{a['solution_cells']} solution cells{needs}")

    @view("nbgrader.collect")
    def _render_nbgrader_collect(self, data: dict) -> None:
        for s in data["submissions"]:
            mark = "[green]✓[/]" if s["notebook"] else "[red]✗ no notebook[/]"
            self.console.print(f"  {mark} {escape(s['student'])} [dim]{s['timestamp']} ({s['from']})[/]")

    @view("nbgrader.autograde")
    def _render_nbgrader_autograde(self, data: dict) -> None:
        table = Table(title=f"{data['assignment']} ({data['seconds']:.1f} s, {data['per_minute']:.0f}/min)",
                      title_justify="left")
        for col in ("student", "status", "score", "tests", "seconds", "notes"):
            table.add_column(col)
        for s in data["submissions"]:
            status = "passed" if s["status"] == "graded" else "failed"
            table.add_row(escape(s["student"]), f"[{_STATE_STYLE[status]}]{s['status'].replace('_', ' ')}[/]",
                          f"{s['score']:g}/{s['max_score']:g}", f"{s.get('tests_passed', 0)}/{s.get('tests_total', 0)}",
                          f"{s['seconds']:.1f}", escape("; ".join([*(s.get("notes") or []), *filter(None, [s.get("limit")])])
                                                        or ("" if s["status"] == "graded" else s["message"])))
        self.console.print(table)
        if data.get("containment"):
            self.console.print(f"[dim]Containment: {escape(data['containment'])}.[/]")

    @view("nbgrader.feedback")
    def _render_nbgrader_feedback(self, data: dict) -> None:
        for page in data["feedback"]:
            mark = "[green]✓[/]" if page["exists"] else "[red]✗[/]"
            self.console.print(f"  {mark} {escape(page['student'])} [dim]{page['html']}[/]")

    @view("nbgrader.report")
    def _render_nbgrader_report(self, data: dict) -> None:
        table = Table(title="Grades", title_justify="left")
        assignments = [a["assignment"] for a in data["assignments"]]
        table.add_column("student")
        for a in assignments:
            table.add_column(a, justify="right")
        by_student: dict[str, dict] = {}
        for row in data["grades"]:
            by_student.setdefault(row["student"], {})[row["assignment"]] = row
        for student, rows in sorted(by_student.items()):
            cells = []
            for a in assignments:
                row = rows.get(a)
                if row is None or row["status"] == "missing":
                    cells.append("[dim]–[/]")
                else:
                    cells.append(f"{row['score']:g}/{row['max_score']:g}")
            table.add_row(escape(student), *cells)
        self.console.print(table)

    @view("nbgrader.status")
    def _render_nbgrader_status(self, data: dict) -> None:
        table = Table(title=f"Assignments ({data['students']} students in the gradebook)", title_justify="left")
        for col in ("assignment", "generated", "released", "via exchange", "collected", "graded", "feedback",
                    "returned", "last submission"):
            table.add_column(col, justify="left" if col in ("assignment", "last submission") else "right")
        yes = {True: "[green]yes[/]", False: "[dim]no[/]"}
        for a in data["assignments"]:
            table.add_row(a["assignment"], yes[a["generated"]], yes[a["released"]], str(a["submitted_to_exchange"]),
                          str(a["collected"]), str(a["graded"]), str(a["feedback_written"]),
                          str(a["feedback_returned"]), escape((a["last_submission"] or "–")[:19]))
        self.console.print(table)

    _CELL_STYLE = {"not_submitted": "dim", "submitted": "yellow", "graded": "", "feedback_ready": "cyan",
                   "feedback_returned": "green"}

    @view("class.status")
    def _render_class_status(self, data: dict) -> None:
        table = Table(title="The class", title_justify="left")
        table.add_column("student")
        for a in data["assignments"]:
            table.add_column(a, justify="right")
        cells = {(c["student"], c["assignment"]): c for c in data["cells"]}
        stuck = {s["student"]: s for s in data["stuck"]}
        for student in data["students"]:
            row = []
            for a in data["assignments"]:
                c = cells[(student, a)]
                text = "–" if c["state"] == "not_submitted" else f"{c['score']:g}/{c['max_score']:g}"
                if c["state"] == "submitted":
                    text = "submitted"
                if stuck.get(student, {}).get("assignment") == a:
                    text += " !"
                style = self._CELL_STYLE[c["state"]]
                row.append(f"[{style}]{text}[/]" if style else text)
            table.add_row(_shown(student), *row)
        self.console.print(table)
        self.console.print("[dim]– not submitted, [yellow]submitted[/] (not graded), score: graded, "
                           "[cyan]cyan[/]: feedback ready, [green]green[/]: feedback returned, !: stuck[/]")
        for s in data["stuck"]:
            self.console.print(f"  [yellow]stuck[/] {_shown(s['student'])}: {escape(s['detail'])}")

    @view("nbgrader.analytics")
    def _render_nbgrader_analytics(self, data: dict) -> None:
        table = Table(title="Scores (% of the points, graded submissions)", title_justify="left")
        for col in ("assignment", "graded", "mean", "median", "Q1", "Q3", "min", "max"):
            table.add_column(col, justify="left" if col == "assignment" else "right")
        for a in data["assignments"]:
            d = a["distribution"]
            numbers = [d[k] for k in ("mean", "median", "q1", "q3", "min", "max")]
            table.add_row(a["assignment"], f"{a['graded']}/{a['students']}",
                          *("–" if n is None else f"{n:g}" for n in numbers))
        self.console.print(table)
        tests = Table(title="Tests (grade cells)", title_justify="left")
        for col in ("assignment", "test", "passed", "failed", "pass rate"):
            tests.add_column(col, justify="left" if col in ("assignment", "test") else "right")
        for t in data["tests"]:
            tests.add_row(t["assignment"], escape(t["test"]), str(t["passed"]), str(t["failed"]),
                          f"{100 * t['pass_rate']:.0f} %")
        if data["tests"]:
            self.console.print(tests)
        for i, t in enumerate(data["most_failed"], 1):
            self.console.print(f"  {i}. [red]{escape(t['test'])}[/] ({t['assignment']}): failed by {t['failed']} "
                               f"of {t['graded']}")
