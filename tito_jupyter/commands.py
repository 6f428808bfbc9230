"""The command table: every operation tito offers, its arguments and the engine function behind it.

All four faces read this one table: ``tito`` and ``%tito`` parse their command lines with the parser built from
it (:mod:`tito_jupyter.command_line`), and the server runs jobs by command name. Targets are imported only when
a command runs, so reading the table (``tito --help``) stays cheap. Third-party packages add commands through
the entry point group ``tito_jupyter.commands``, each entry naming a :class:`Command` or a list of them.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (every CLI start imports this module)
if TYPE_CHECKING:
    from typing import Any

ENTRY_POINT_GROUP = "tito_jupyter.commands"
#: The longest time any command may be given (a timeout, an interval): a day.
MAX_SECONDS = 24 * 3600.0


@dataclass(frozen=True)
class Arg:
    """One argument. No ``flags`` means positional; ``kind`` is str, int, float, bool (a switch), seconds, path
    (a file or folder tito reads or writes), database (a database URL) or address (a machine tito sends course
    material to, such as a Dask scheduler).

    ``seconds`` is a time limit or interval: a finite number above 0 and at most :data:`MAX_SECONDS`. The rule
    lives here, once: the CLI parser (exit 2), the server's request checks (400) and :func:`engine.run
    <tito_jupyter.engine.run>` all call :meth:`check`. Leaving an argument out (``None``) means its default.
    ``path`` and ``database`` read as text everywhere; a request to the server must keep them inside the course
    (``sqlite:`` files included), since a REST caller may not write where the server's user can. An ``address``
    is given only from a terminal: what goes there (submissions, the instructor's notebook) is the instructor's to
    send, so the server refuses a request that names one.
    """

    name: str
    help: str
    flags: tuple[str, ...] = ()
    kind: str = "str"
    nargs: str | None = None
    default: Any = None
    choices: tuple[str, ...] | None = None
    metavar: str | None = None

    @property
    def label(self) -> str:
        """How people name it: its first flag (``--timeout``), or its name if positional."""
        return self.flags[0] if self.flags else self.name

    def check(self, value):
        """``value`` if this argument's kind allows it, else ``ValueError`` saying what it must be
        ("must be ..., not nan."; the caller names the argument its own way).

        Only kinds with a rule beyond their type (seconds) are checked; the others come back as they are.
        """
        if self.kind != "seconds":
            return value
        rule = f"must be a number of seconds above 0 and at most {MAX_SECONDS:.0f} (a day)"
        if isinstance(value, str):  # typed on a command line
            try:
                value = float(value)
            except ValueError:
                raise ValueError(f"{rule}, not {value[:40]!r}.") from None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(f"{rule}, not {type(value).__name__}.")
        try:
            seconds = float(value)
        except OverflowError:  # an int with hundreds of digits (JSON allows them)
            seconds = math.inf
        if not (math.isfinite(seconds) and 0 < seconds <= MAX_SECONDS):
            raise ValueError(f"{rule}, not {seconds:g}.")
        return seconds


@dataclass(frozen=True)
class Command:
    """An operation: ``path`` is its name in the CLI tree (``("module", "export")``)."""

    path: tuple[str, ...]
    help: str
    target: str
    args: tuple[Arg, ...] = ()
    #: Also offered at the top level under its last word (``tito complete`` for ``tito module complete``).
    shortcut: bool = False
    #: Runs long enough that a server runs it as a job in a subprocess.
    long_running: bool = False
    #: Touches or reads a module by name; the server validates the names against the course first.
    acts_on: str | None = None
    #: A REST client may start it as a server job (and the sidebar may offer it). Off for what only makes sense
    #: in a terminal of one's own, such as starting another Jupyter server.
    server_job: bool = True
    #: Also a REST action on the resource it acts on: ``POST modules/{module}/export`` for ``module.export``
    #: (the word is the last of its path). The server's routes, its checks and openapi.json read this; every
    #: server job can be run through ``POST jobs`` in any case.
    rest_action: bool = False
    #: Its answer comes from the course's files and the progress store alone (nothing else, not the clock): a
    #: server keeps it while none of them changed (:mod:`tito_jupyter.engine.kept_answers`).
    reads_only_course_and_progress: bool = False
    description: str = ""
    source: str = field(default="tito_jupyter", compare=False)

    def __hash__(self) -> int:
        # A command is a key (the CLI's views); its path names it, and a plugin's Arg default may be a list.
        return hash(self.path)

    @property
    def name(self) -> str:
        return ".".join(self.path)

    @property
    def action(self) -> str | None:
        """Its word as a REST action (``export`` in ``POST modules/01/export``), or None if it is not one."""
        return self.path[-1] if self.rest_action and self.acts_on and self.server_job else None


def rest_actions(commands: list[Command] | None = None) -> dict[str, dict[str, Command]]:
    """The REST actions, by resource kind then word: ``{"module": {"export": <module.export>, ...}, ...}``.

    A kind's actions come in the table's order; a later command with the same kind and word (a plugin's) does not
    replace a built-in one.
    """
    found: dict[str, dict[str, Command]] = {}
    for command in all_commands() if commands is None else commands:
        if command.action:
            found.setdefault(command.acts_on, {}).setdefault(command.action, command)
    return found


_MODULES = Arg("modules", "module names (01_tensor, 01, 1 or tensor); none: the current notebook's module",
               nargs="*", metavar="MODULE")
_ALL = Arg("all_", "every module of the course, in order", flags=("--all", "-a"), kind="bool")
_TIMEOUT = Arg("timeout", "seconds before a test run is stopped (default 300)", flags=("--timeout",), kind="seconds")
_CHECKPOINT = Arg("checkpoint", "checkpoint name (c01_tensors, c01, 1 or tensors)")

_COURSE_DIR = Arg("course_dir", "the nbgrader course folder (default: nbgrader/ in the course)",
                  flags=("--course-dir",), metavar="DIR", kind="path")
_DB = Arg("db", "gradebook database URL (default: the course folder's; e.g. sqlite:///grades.db, postgresql://...)",
          flags=("--db",), metavar="URL", kind="database")
_ASSIGNMENT = Arg("module", "the assignment (a module name: 01_tensor, 01 or tensor)")

_E = "tito_jupyter.engine."

BUILTIN: tuple[Command, ...] = (
    # A terminal command only: it makes a new course folder, which a student inside a running course (a %tito
    # cell, the sidebar, the server's jobs) has no use for and must not be able to aim at a path of the server's.
    Command(("init",), "Lay down the course this tito was released with in a new folder: the way to start.",
            _E + "init:init",
            (Arg("folder", "the new folder for the course (it must not exist, or be empty)", metavar="FOLDER",
                 kind="path", nargs="?"),),  # left out: the engine asks where, in a sentence
            server_job=False,
            description="Lay down the verified student edition of the course (notebooks without the solutions, "
                        "their tests, checkpoints, milestones and a tinytorch package to fill in) that this "
                        "version of tito-jupyter was released with, in FOLDER. FOLDER must be new or empty: tito "
                        "init never writes over anything. Then: cd FOLDER and tito dev serve."),
    Command(("module", "list"), "List the course's modules and checkpoints, in order.", _E + "modules:list_modules",
            shortcut=True, reads_only_course_and_progress=True),
    # Terminal commands: they may start a JupyterLab that runs until Ctrl-C, which no server job or kernel may do
    # (in a Lab page, the sidebar opens a notebook with a click).
    *(Command(("module", verb), "Open a module's notebook in your running JupyterLab (or start one on the course).",
              _E + "start:start",
              (Arg("module", "the module (01_tensor, 01, 1 or tensor)"),
               Arg("force", "open it even if the modules it builds on are not complete", flags=("--force",),
                   kind="bool"),
               Arg("no_browser", "open no browser window; only print the notebook's URL", flags=("--no-browser",),
                   kind="bool"),
               Arg("port", "the port of the JupyterLab it starts when none is running (default 8888)",
                   flags=("--port",), kind="int")),
              acts_on="module", server_job=False,
              description="Opens the module's notebook in the JupyterLab that serves this course: its tito sidebar "
                          "opens the notebook (or, with no Lab page open, the notebook's URL opens in the browser). "
                          "With no JupyterLab running, starts one on the course (as `tito dev serve`) on the "
                          "notebook, until Ctrl-C. A module whose prerequisites are not complete is refused, with "
                          "the modules to complete first, unless --force." + also)
      for verb, also in (("start", " `tito module edit` is the same command."),
                         ("edit", " The same as `tito module start`."))),
    Command(("module", "status"), "Show where you stand: each module's state and when it last ran.",
            _E + "modules:status", (Arg("modules", "only these modules", nargs="*", metavar="MODULE"),),
            shortcut=True, acts_on="module", reads_only_course_and_progress=True),
    Command(("module", "overview"), "Where you stand, whole: modules, checkpoints and the course's timeline at once.",
            _E + "modules:overview", reads_only_course_and_progress=True,
            description="Every module's state, every checkpoint's and the timeline of the course, read from your "
                        "progress once (what the sidebar shows): module status, checkpoint status and checkpoint "
                        "timeline in one answer."),
    Command(("module", "export"), "Export notebooks' #| export cells into the tinytorch package.",
            _E + "modules:export",
            (_MODULES, _ALL,
             Arg("check", "only check that the package is up to date with the notebooks (exit 1 if not)",
                 flags=("--check",), kind="bool"),
             Arg("force", "export even notebooks that did not change", flags=("--force",), kind="bool")),
            shortcut=True, long_running=True, acts_on="module", rest_action=True),
    Command(("module", "test"), "Run a module's tests against your exported code.", _E + "modules:test",
            (_MODULES, _ALL, _TIMEOUT), shortcut=True, long_running=True, acts_on="module", rest_action=True),
    Command(("module", "complete"), "Export, test, run the checkpoint it unlocks, and record your progress.",
            _E + "modules:complete", (_MODULES, _ALL, _TIMEOUT), shortcut=True, long_running=True,
            acts_on="module", rest_action=True),
    Command(("module", "validate"), "Check a module's structure: notebook, export target, solution markers, tests.",
            _E + "modules:validate", (_MODULES, _ALL), shortcut=True, long_running=True, acts_on="module",
            rest_action=True),
    Command(("module", "reset"), "Put a module's notebook back to its starting point (your version is backed up).",
            _E + "reset:reset",
            (Arg("module", "the module to reset"),
             Arg("yes", "do it (without this, tito only says what it would do)", flags=("--yes", "-y"),
                 kind="bool")),
            long_running=True, acts_on="module"),
    Command(("module", "backups"), "List the backups of your notebooks.", _E + "reset:backups",
            (Arg("module", "only this module's backups", nargs="?"),), acts_on="module"),
    Command(("module", "restore"), "Restore a notebook from a backup (the current version is backed up first).",
            _E + "reset:restore",
            (Arg("module", "the module"), Arg("backup", "the backup's id, from `tito module backups`")),
            long_running=True, acts_on="module"),
    Command(("checkpoint", "status"), "Show every checkpoint's state.", _E + "checkpoints:status",
            reads_only_course_and_progress=True),
    Command(("checkpoint", "timeline"), "Show the course as a timeline of modules and checkpoints.",
            _E + "checkpoints:timeline", reads_only_course_and_progress=True),
    Command(("checkpoint", "test"), "Run a checkpoint's capability test against the package as it is.",
            _E + "checkpoints:test", (_CHECKPOINT, _TIMEOUT), long_running=True, acts_on="checkpoint",
            rest_action=True),
    Command(("checkpoint", "run"), "Export the modules a checkpoint needs, then run its capability test.",
            _E + "checkpoints:run", (_CHECKPOINT, _TIMEOUT), long_running=True, acts_on="checkpoint",
            rest_action=True),
    Command(("milestone", "list"), "List the historical milestones and whether you achieved them.",
            _E + "milestones:list_milestones"),
    Command(("milestone", "run"), "Run a milestone (`tito milestone list` names them: 1957 to 2018) with your own tinytorch.",
            _E + "milestones:run",
            (Arg("milestone", "milestone name (1957_perceptron, 1957 or perceptron)"),
             Arg("timeout", "seconds before it is stopped (default 600)", flags=("--timeout",), kind="seconds")),
            long_running=True, acts_on="milestone"),
    Command(("benchmark",), "Time your framework with your own harness (module 19), save the run, compare with the last.",
            _E + "benchmark:benchmark",
            (Arg("only", "only these benchmarks (default: every one your completed modules allow)", flags=("--only",),
                 nargs="+", metavar="NAME"),
             Arg("repeats", "timed repeats per benchmark (default 20)", flags=("--repeats",), kind="int"),
             Arg("compare", "the run to compare with: 'last' (default), 'none', or a saved report's file name or path",
                 flags=("--compare",), metavar="FILE", kind="path"),
             Arg("list_", "list the saved runs instead of running", flags=("--list",), kind="bool"),
             Arg("timeout", "seconds before the run is stopped (default 600)", flags=("--timeout",), kind="seconds")),
            long_running=True,
            description="Runs a fixed suite (a matmul, an MLP forward pass and training step, a Conv2d, attention, a "
                        "GPT training step, the int8 and fused MLP) on your own tinytorch, in a subprocess, timed by "
                        "your tinytorch.bench.run_benchmark. A benchmark runs only when the modules it needs are "
                        "complete; the others are listed as not run. Each run is saved in .tito/benchmarks/ and "
                        "compared with the previous one by your compare_runs."),
    Command(("system", "doctor"), "Check everything the course needs and say how to fix what is missing.",
            _E + "system:doctor", shortcut=True),
    Command(("system", "info"), "Show versions, paths, the course and (if on) the usage log summary.",
            _E + "system:info"),
    Command(("system", "clean"), "Remove build artifacts and caches (never notebooks, progress or backups).",
            _E + "system:clean",
            (Arg("dry_run", "only list what would be removed", flags=("--dry-run", "-n"), kind="bool"),)),
    Command(("system", "setup"), "Prepare the course: tito's folder, notebook starting points, a first export.",
            _E + "system:setup", long_running=True),
    Command(("system", "health"), "Measure the repository's health now: course size, checkpoints passing, CLI "
            "response, test coverage, wheel build time.", _E + "health:health",
            (Arg("quick", "leave out what takes long: the checkpoint run and the wheel build", flags=("--quick",),
                 kind="bool"),
             Arg("timeout", "seconds before the checkpoint run or the build is stopped (default 600)",
                 flags=("--timeout",), kind="seconds"),
             Arg("runs", "runs of each timed CLI command (default 7; the median is shown)", flags=("--runs",),
                 kind="int")),
            long_running=True),
    Command(("system", "log"), "Turn the local usage log on or off (off by default; nothing leaves the machine).",
            _E + "usage_log:configure",
            (Arg("action", "on, off or status", choices=("on", "off", "status"), nargs="?", default="status"),)),
    Command(("dev", "watch"), "Re-export a module whenever its notebook is saved.", _E + "dev:watch",
            (_MODULES, _ALL,
             Arg("interval", "seconds between checks (default 0.5)", flags=("--interval",), kind="seconds"),
             Arg("duration", "stop after this many seconds (default: until Ctrl-C)", flags=("--duration",),
                 kind="seconds")),
            acts_on="module"),
    Command(("dev", "serve"), "Start JupyterLab on the course and print its URL with the token.",
            _E + "dev:serve",
            (Arg("port", "port (default 8888; if it is busy, the next free one, and tito says so)", flags=("--port",), kind="int"),
             Arg("ip", "address to listen on (default 127.0.0.1)", flags=("--ip",)),
             Arg("open_browser", "open a browser", flags=("--browser",), kind="bool"),
             Arg("instructor", "keep nbgrader's menu and panels on (a student's JupyterLab has them off)",
                 flags=("--instructor",), kind="bool")), server_job=False),
    Command(("dev", "profile"), "Profile an operation (export, test, complete) on a module and show where time goes.",
            _E + "dev:profile",
            (Arg("operation", "what to profile", choices=("export", "test", "complete", "validate")),
             Arg("module", "the module"),
             Arg("top", "how many functions to show (default 15)", flags=("--top",), kind="int")),
            long_running=True, acts_on="module"),
    # -- instructors --
    Command(("release", "student"),
            "Build the student edition (solutions stripped, tests, a solution-free package, starting points) "
            "and verify it.",
            _E + "instructor.release:student",
            (Arg("out", "folder to write the student edition to", flags=("--out", "-o"), metavar="DIR",
                 kind="path"),
             Arg("modules", "only these modules (default: all)", nargs="*", metavar="MODULE"),
             Arg("force", "replace --out if it exists", flags=("--force",), kind="bool"),
             Arg("skip_tests", "do not run the tests on both editions (the solution scan always runs)",
                 flags=("--skip-tests",), kind="bool"),
             _TIMEOUT,
             Arg("allow_dirty", "release files that differ from the last git commit (named in a warning)",
                 flags=("--allow-dirty",), kind="bool")),
            long_running=True, acts_on="module",
            description="Build the student edition in DIR and check it before it is handed out: the instructor "
                        "edition passes every module's tests, the student edition fails them with "
                        "NotImplementedError, and no file holds solution text. A build that fails is kept as "
                        "DIR.rejected and DIR is not touched. The files it is built from must be as in the course's "
                        "last git commit (uncommitted work stays out unless --allow-dirty; a course outside git is "
                        "released as it is, with a warning). Needs nbgrader (pip install 'tito-jupyter[instructor]')."),
    Command(("nbgrader", "init"), "Create an nbgrader course folder with its config and gradebook.",
            _E + "instructor.nbgrader_course:init",
            (_COURSE_DIR, _DB,
             Arg("exchange", "nbgrader exchange folder (default: exchange/ in the course folder)",
                 flags=("--exchange",), metavar="DIR", kind="path"),
             Arg("force", "write nbgrader_config.py again", flags=("--force",), kind="bool"))),
    Command(("nbgrader", "generate"), "Make modules nbgrader assignments: solution, locked and autograder test cells.",
            _E + "instructor.assignment:generate", (_MODULES, _ALL, _COURSE_DIR, _DB), long_running=True, acts_on="module"),
    Command(("nbgrader", "release"), "Release generated assignments to nbgrader's exchange.",
            _E + "instructor.exchange:release",
            (Arg("modules", "assignments (module names); none: every generated one", nargs="*", metavar="MODULE"),
             _ALL, _COURSE_DIR, _DB), long_running=True),
    Command(("nbgrader", "collect"), "Gather submissions (exchange, --from DIR, submitted/) into the gradebook.",
            _E + "instructor.exchange:collect",
            (_ASSIGNMENT,
             Arg("from_", "also import submissions from this folder (<student>/<notebook>.ipynb or <student>.ipynb)",
                 flags=("--from",), metavar="DIR", kind="path"),
             _COURSE_DIR, _DB), long_running=True),
    Command(("nbgrader", "autograde"), "Grade submissions with the module's tests, in parallel, with a timeout each.",
            _E + "instructor.autograde:autograde",
            (_ASSIGNMENT,
             Arg("students", "only these students", flags=("--student",), nargs="+", metavar="STUDENT"),
             Arg("workers", "submissions graded at once (default 2)", flags=("--workers", "-j"), kind="int"),
             Arg("timeout", "seconds per submission before it is stopped (default 120)", flags=("--timeout",),
                 kind="seconds"),
             Arg("memory", "MiB of memory each submission may use (default 2048)", flags=("--memory",), kind="int",
                 metavar="MIB"),
             Arg("scheduler", "grade on the Dask cluster whose scheduler is at this address (tcp://host:8786); "
                 "default: on this machine", flags=("--scheduler",), metavar="ADDRESS", kind="address"),
             Arg("gateway", "grade on a cluster of --workers workers started (and shut down after) by the Dask "
                 "Gateway at this URL", flags=("--gateway",), metavar="URL", kind="address"),
             _COURSE_DIR, _DB), long_running=True),
    Command(("nbgrader", "feedback"), "Write nbgrader's HTML feedback for autograded submissions.",
            _E + "instructor.exchange:feedback",
            (_ASSIGNMENT,
             Arg("students", "only these students", flags=("--student",), nargs="+", metavar="STUDENT"),
             Arg("release_", "also release the feedback to the exchange", flags=("--release",), kind="bool"),
             _COURSE_DIR, _DB), long_running=True),
    Command(("nbgrader", "report"), "Write every student's grades as CSV and JSON.",
            _E + "instructor.grades:report",
            (Arg("modules", "assignments (module names); none: every generated one", nargs="*", metavar="MODULE"),
             Arg("out", "folder for grades.csv and grades.json (default: reports/ in the course folder)",
                 flags=("--out", "-o"), metavar="DIR", kind="path"),
             _COURSE_DIR, _DB)),
    Command(("nbgrader", "status"),
            "Where each assignment stands: generated, released, submitted, collected, graded, feedback returned.",
            _E + "instructor.class_view:assignment_status",
            (Arg("modules", "assignments (module names); none: every generated one", nargs="*", metavar="MODULE"),
             _COURSE_DIR, _DB)),
    Command(("nbgrader", "analytics"),
            "Score distributions per module, pass rate per test, the tests most students fail; a table and a PNG.",
            _E + "instructor.class_view:analytics",
            (Arg("modules", "assignments (module names)", nargs="*", metavar="MODULE"),
             Arg("all_", "every generated assignment", flags=("--all", "-a"), kind="bool"),
             Arg("out", "folder for the PNG plot (default: reports/ in the course folder)", flags=("--out", "-o"),
                 metavar="DIR", kind="path"),
             Arg("top", "how many of the most failed tests to list (default 5)", flags=("--top",), kind="int"),
             _COURSE_DIR, _DB)),
    Command(("class", "status"),
            "The class: students x modules with scores and states from the gradebook, and who is stuck where.",
            _E + "instructor.class_view:class_status",
            (Arg("modules", "only these assignments (module names); none: every generated one", nargs="*",
                 metavar="MODULE"),
             Arg("csv_", "also write the grid to this CSV file", flags=("--csv",), metavar="FILE", kind="path"),
             _COURSE_DIR, _DB),
            description="One row per student, one column per module; each cell is the score the gradebook holds "
                        "and a state: not submitted, submitted, graded, feedback ready, feedback returned. A "
                        "student is stuck where their latest graded module scores under half its points, or "
                        "where they have not submitted the last module released. Needs nbgrader."),
)


def all_commands() -> list[Command]:
    """The built-in commands and those that installed packages register."""
    return list(BUILTIN) + plugin_commands()


_plugins: list[Command] | None = None


def _no_plugins_installed() -> bool:
    """True when no installed distribution can register a plugin command, seen without importlib.metadata.

    importlib.metadata costs about 20 ms to import before it reads anything, which is a quarter of ``tito
    --help``. It finds distributions through each ``sys.path`` folder's ``*.dist-info`` / ``*.egg-info``
    metadata, so a glance at their ``entry_points.txt`` for our group answers the common case (none) exactly.
    Anything this glance cannot see (a zip on sys.path, another finder of distributions) means "maybe".
    """
    import os
    import sys

    from importlib.machinery import PathFinder

    if any(hasattr(f, "find_distributions") and f is not PathFinder for f in sys.meta_path):
        return False
    marker = f"[{ENTRY_POINT_GROUP}]"
    for entry in sys.path:
        folder = entry or "."
        try:
            with os.scandir(folder) as listing:
                names = [e.name for e in listing if e.name.endswith((".dist-info", ".egg-info"))]
        except NotADirectoryError:
            if os.path.exists(folder) and not folder.endswith("python%d%d.zip" % sys.version_info[:2]):
                return False  # a zip of packages: only importlib.metadata reads inside it
            continue
        except OSError:
            continue
        for name in names:
            try:
                with open(os.path.join(folder, name, "entry_points.txt"), encoding="utf-8", errors="replace") as f:
                    if marker in f.read():
                        return False
            except OSError:
                continue
    return True


def plugin_commands() -> list[Command]:
    global _plugins
    if _plugins is None and _no_plugins_installed():
        _plugins = []
    if _plugins is None:
        from importlib.metadata import entry_points

        found: list[Command] = []
        for ep in entry_points(group=ENTRY_POINT_GROUP):
            try:
                loaded = ep.load()
            except Exception as exc:  # a broken plugin must not break tito
                import sys

                print(f"tito: ignoring plugin command {ep.name!r}: {exc}", file=sys.stderr)
                continue
            items = loaded if isinstance(loaded, (list, tuple)) else [loaded]
            for item in items:
                if isinstance(item, Command):
                    found.append(Command(**{**item.__dict__, "source": ep.dist.name if ep.dist else ep.value}))
        _plugins = found
    return _plugins


def forget_plugins() -> None:
    """Forget the plugin commands found so far; the next look-up reads the entry points again.

    For code that installs a package while tito is loaded (tests put a plugin on ``sys.path``).
    """
    global _plugins
    _plugins = None


def find(name: str | tuple[str, ...]) -> Command:
    """A command by dotted name (``module.export``) or path; shortcuts (``complete``) resolve too."""
    from .errors import UsageError

    path = tuple(name.split(".")) if isinstance(name, str) else tuple(name)
    # The built-in commands come first in the table, so a built-in path is found without looking plugins up
    # (which reads every installed distribution's entry points: a few ms of `tito list`, for the CLI's views).
    for cmd in BUILTIN:
        if cmd.path == path:
            return cmd
    commands = all_commands()
    for cmd in commands:
        if cmd.path == path:
            return cmd
    if len(path) == 1:
        for cmd in commands:
            if cmd.shortcut and cmd.path[-1] == path[0]:
                return cmd
    import difflib

    names = [c.name for c in commands]
    close = difflib.get_close_matches(".".join(path), names, n=1)
    raise UsageError(f"There is no command {'.'.join(path)!r}." + (f" Did you mean {close[0]!r}?" if close else ""),
                     hint="See `tito --help`.")


def request_to_json(command: str, args: dict) -> str:
    """A request to run the command named ``command`` with (checked) ``args``, as one JSON text.

    This is how a server job hands its work to the CLI (``--request-json``): arguments travel as values, so a
    list stays a list and a string is never read as an option, unlike a command line rebuilt from them.
    """
    return json.dumps({"command": command, "args": args}, allow_nan=False)


def request_from_json(text: str) -> tuple[Command, dict]:
    """The command and arguments of a :func:`request_to_json` text; a malformed one is a :class:`UsageError`."""
    from .errors import UsageError

    try:
        request = json.loads(text)
    except ValueError as exc:
        raise UsageError(f"The request is not valid JSON ({exc}).") from None
    if not isinstance(request, dict) or not isinstance(request.get("command"), str) \
            or not isinstance(request.get("args", {}), dict):
        raise UsageError('The request must be {"command": "module.test", "args": {...}}.')
    command = find(request["command"])
    args = request.get("args", {})
    names = {arg.name for arg in command.args}
    unknown = sorted(set(args) - names)
    if unknown:
        raise UsageError(f"{command.name} has no argument {unknown[0]!r}; it takes: "
                         f"{', '.join(sorted(names)) or 'no arguments'}.")
    return command, args
