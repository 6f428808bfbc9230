"""The shapes tito's faces exchange, typed once: what the REST API answers and what the event bus carries.

These TypedDicts are the one description of each shape. The code that builds one is annotated with it (the
catalog's :func:`~tito_jupyter.server.catalog.describe`, :meth:`Job.to_dict <tito_jupyter.server.jobs.Job.to_dict>`,
the extension's bus events), and :mod:`tito_jupyter.server.openapi` writes the matching schemas of
``openapi.json`` and ``job-event.schema.json`` from them, so the document cannot say one thing while the code
does another; the server tests check every response against the document, and the sidebar's TypeScript types are
generated from it. Only the shape lives here: what a field means is said once, in the document's descriptions.

Nothing here imports more than ``typing``: the CLI reads it without cost.
"""

from typing import Any, Literal, Required, TypedDict, Union

#: A job's state; the last four are final.
JobState = Literal["queued", "running", "succeeded", "failed", "cancelled", "timed_out"]
#: The kinds of engine event a job reports (``step`` of an operation, tests ``collected``, each ``test``, work
#: counted in items as ``progress``, a ``log`` line).
EventKind = Literal["step", "collected", "test", "progress", "log"]
#: What an argument of the command table holds (:class:`~tito_jupyter.commands.Arg`).
ArgKind = Literal["str", "int", "float", "bool", "seconds", "path", "database", "address"]
#: How many values an argument takes, as argparse says it; None: exactly one.
Nargs = Literal["?", "*", "+", None]
#: Where a job comes from: this server's own, or ``tito`` typed in a terminal of the course.
JobOrigin = Literal["server", "terminal"]


ModuleState = Literal["not_started", "exported", "tests_failing", "tests_passing", "complete"]
CheckpointState = Literal["locked", "ready", "passed", "failed"]


class Version(TypedDict):
    version: str
    api: Literal[1]


class Event(TypedDict, total=False):
    """An engine event; besides these, each kind has its own fields (``step``, ``state``, ``id``, ...)."""

    event: Required[EventKind]
    time: float


class Result(TypedDict):
    command: str
    ok: bool
    summary: str
    data: dict
    error: Union[dict, None]
    duration: float


class Job(TypedDict):
    id: str
    command: str
    args: dict
    notebook: Union[str, None]
    #: The modules the job works on (its names, all of them, or its notebook's module), by the engine's rule.
    modules: list[str]
    source: str
    origin: JobOrigin
    state: JobState
    events: list[Event]
    event_count: int
    result: Union[Result, None]
    created: float
    started: Union[float, None]
    finished: Union[float, None]


class CommandArg(TypedDict):
    name: str
    help: str
    flags: list[str]
    kind: ArgKind
    nargs: Nargs
    choices: Union[list[str], None]
    default: Any


class Command(TypedDict):
    name: str
    path: list[str]
    help: str
    description: str
    args: list[CommandArg]
    shortcut: bool
    long_running: bool
    acts_on: Union[str, None]
    action: Union[str, None]
    source: str


class Commands(TypedDict):
    commands: list[Command]


# -- the course and where the student stands (GET course, modules, checkpoints, checkpoints/timeline) --------------


class CourseModule(TypedDict):
    id: str
    number: int
    name: str
    title: str
    notebook: str
    export_target: Union[str, None]
    targets: list[str]
    requires: list[str]
    inline_tests: int
    test_files: list[str]
    problems: list[str]


class CourseCheckpoint(TypedDict):
    id: str
    number: int
    name: str
    question: str
    path: str
    requires: list[str]
    unlocked_by: Union[str, None]
    problems: list[str]


class CourseMilestone(TypedDict):
    id: str
    year: int
    name: str
    title: str
    script: str
    requires: list[str]
    problems: list[str]


class Course(TypedDict):
    """The data of ``module.list``."""

    root: str
    package: str
    modules: list[CourseModule]
    checkpoints: list[CourseCheckpoint]
    milestones: list[CourseMilestone]


class TestCounts(TypedDict, total=False):
    passed: int
    failed: int
    error: int
    total: int
    timed_out: bool


class ModuleRow(CourseModule):
    """One module of ``module.status``: the course's facts and the student's state."""

    state: ModuleState
    last_run: Union[float, None]
    changed: bool
    completed_earlier: bool
    tests: Union[TestCounts, None]
    missing_prerequisites: list[str]


class ModuleStatus(TypedDict):
    modules: list[ModuleRow]
    complete: int
    total: int
    warnings: list[str]


class CheckpointRow(CourseCheckpoint):
    state: CheckpointState
    missing_modules: list[str]
    passed_at: Union[float, None]
    last_run: Union[dict, None]


class CheckpointStatus(TypedDict):
    checkpoints: list[CheckpointRow]
    passed: int
    total: int
    warnings: list[str]


class TimelineEntry(TypedDict):
    kind: Literal["module", "checkpoint"]
    id: str
    title: str
    state: str


class Timeline(TypedDict):
    timeline: list[TimelineEntry]
    warnings: list[str]


class Overview(TypedDict):
    """``GET overview``: the data of ``module.overview`` (one read of the progress) and the server's jobs."""

    modules: list[ModuleRow]
    complete: int
    total: int
    #: The module to work on next (the first not complete, else the first): what the sidebar offers by default.
    next_module: Union[str, None]
    checkpoints: list[CheckpointRow]
    checkpoints_passed: int
    timeline: list[TimelineEntry]
    warnings: list[str]
    jobs: list[Job]


class NotebookModule(TypedDict):
    """``GET notebook?path=``: the module a notebook belongs to, by the engine's rule (any notebook in the module's
    folder), so that the sidebar needs none of its own."""

    #: The notebook relative to the course root; None when it lies outside the course.
    notebook: Union[str, None]
    module: Union[str, None]


class JobBusEvent(TypedDict):
    """What the extension emits on jupyter_server's event bus for each change of a job (``job-event.schema.json``)."""

    job_id: str
    command: str
    state: JobState
    event: str


#: The schemas of openapi.json's ``components`` that these types write, by their name there.
COMPONENTS: dict[str, type] = {
    "Version": Version, "Event": Event, "Result": Result, "Job": Job, "Command": Command, "CommandArg": CommandArg,
    "Commands": Commands, "Course": Course, "CourseModule": CourseModule, "CourseCheckpoint": CourseCheckpoint,
    "CourseMilestone": CourseMilestone, "TestCounts": TestCounts, "ModuleRow": ModuleRow,
    "ModuleStatus": ModuleStatus, "CheckpointRow": CheckpointRow, "CheckpointStatus": CheckpointStatus,
    "TimelineEntry": TimelineEntry, "Timeline": Timeline, "Overview": Overview, "NotebookModule": NotebookModule,
}
#: Shapes that carry more fields than they name (each kind of engine event has its own); the others are closed:
#: a field the code adds without adding it here first makes the server tests fail.
OPEN: tuple[type, ...] = (Event,)
