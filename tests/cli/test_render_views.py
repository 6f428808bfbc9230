"""The terminal shows a result by the view of the command that ran (cli/render.VIEWS), not by its name; a command
without a view of its own (a plugin's) is shown by the default view, the data's table as ``%tito`` shows it."""

from __future__ import annotations

import io

from rich.console import Console

from tito_jupyter.cli.render import VIEWS, Renderer
from tito_jupyter.commands import BUILTIN, Arg, Command
from tito_jupyter.engine.results import Result


def screen_renderer() -> tuple[Renderer, io.StringIO]:
    screen = io.StringIO()
    renderer = Renderer()
    renderer.console = Console(file=screen, force_terminal=False, width=120, color_system=None)
    renderer.err = renderer.console
    return renderer, screen


def test_every_built_in_command_has_a_view_chosen_for_it():
    # A new built-in decides how the terminal shows it (its own view, or the summary only); none falls through.
    assert [c.name for c in BUILTIN if c not in VIEWS] == []


def test_a_plugin_command_gets_the_default_view_a_table_of_its_rows():
    # A list-valued default makes the Arg unhashable; the command is still a key (its path).
    plugin = Command(("hello", "survey"), "Ask every module how it is.", "tito_hello:survey",
                     (Arg("only", "only these", flags=("--only",), nargs="+", default=["01"]),),
                     source="tito-hello")
    renderer, screen = screen_renderer()
    data = {"modules": [{"id": "01_numbers", "title": "Numbers", "state": "tests_passing"},
                        {"id": "02_words", "title": "Words ⟨β⟩ [bold]", "state": "not_started"}]}
    renderer.finish(Result("hello.survey", True, "2 modules asked.", data), plugin)
    text = screen.getvalue()
    assert "01_numbers" in text and "tests passing" in text and "not started" in text
    assert "Words ⟨β⟩ [bold]" in text  # shown as written, not read as rich markup
    assert "✓ 2 modules asked." in text


def test_a_plugin_result_without_rows_shows_its_summary_only():
    plugin = Command(("hello", "wave"), "Wave.", "tito_hello:wave", source="tito-hello")
    renderer, screen = screen_renderer()
    renderer.finish(Result("hello.wave", True, "Waving at 2 modules.", {"count": 2}), plugin)
    assert screen.getvalue().strip() == "✓ Waving at 2 modules."


def test_the_view_is_the_commands_not_the_names():
    # A plugin command whose dotted name reads like a built-in's view method (the old rule was
    # getattr(self, "_render_" + name)) still gets the default view, and a built-in keeps its own.
    lookalike = Command(("module", "list", "extra"), "Not module.list.", "x:y", source="tito-x")
    renderer, screen = screen_renderer()
    renderer.finish(Result("module.list.extra", True, "done.", {"modules": [{"id": "01", "state": "complete"}]}),
                    lookalike)
    assert "01" in screen.getvalue() and "Modules" not in screen.getvalue()  # not module.list's titled table
