"""The shapes tito's faces exchange, typed once: what the REST API answers and what the event bus carries.

These TypedDicts are the one description of each shape. The code that builds one is annotated with it (the
catalog's :func:`~tito_jupyter.server.catalog.describe`, :meth:`Job.to_dict <tito_jupyter.server.jobs.Job.to_dict>`,
the extension's bus events), and :mod:`tito_jupyter.server.openapi` writes the matching schemas of
``openapi.json`` and ``job-event.schema.json`` from them, so the document cannot say one thing while the code
does another; the server tests check every response against the document, and the sidebar's TypeScript types are
generated from it. Only the shape lives here: what a field means is said once, in the document's descriptions.

Nothing here imports more than ``typing`` (and, on Python 3.10, ``typing_extensions`` for ``Required``): the CLI
reads it without cost.
"""

import sys
from typing import Any, Literal, TypedDict, Union

if sys.version_info >= (3, 11):
    from typing import Required
else:  # Python 3.10, which tito supports, has no typing.Required
    from typing_extensions import Required

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
    checkpoints: list[CheckpointRow]
    checkpoints_passed: int
    timeline: list[TimelineEntry]
    warnings: list[str]
    jobs: list[Job]


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
    "TimelineEntry": TimelineEntry, "Timeline": Timeline, "Overview": Overview,
}
#: Shapes that carry more fields than they name (each kind of engine event has its own); the others are closed:
#: a field the code adds without adding it here first makes the server tests fail.
OPEN: tuple[type, ...] = (Event,)


# -- the data of the long commands' results (``RESULT_DATA``: by command) -------------------------------------------
# A result's ``data`` is its command's own. For the commands below it has this shape whenever the result's ``error``
# is null (with an error it holds what was computed before it, often nothing); openapi.json lists them in its
# ``ResultData`` schema, and the server tests hold every job's result to it.

TestOutcome = Literal["passed", "failed", "skipped", "error"]
#: ``timeout``: the record that stands for the test that was running when time ran out.
TestPhase = Literal["setup", "call", "teardown", "collect", "timeout"]


class Raised(TypedDict):
    """The innermost frame of a failure's exception."""

    path: str
    line: int
    function: str
    exception: str


class TestRecord(TypedDict, total=False):
    """One test's outcome, as tito's pytest plugin reports it."""

    id: Required[str]
    outcome: Required[TestOutcome]
    phase: Required[TestPhase]
    duration: Required[float]
    message: Required[str]
    where: Required[Union[str, None]]
    details: str
    raised: Raised


class RunCounts(TypedDict, total=False):
    passed: Required[int]
    failed: Required[int]
    error: Required[int]
    skipped: Required[int]
    total: Required[int]
    not_run: int
    timed_out: bool


class NotWritten(TypedDict):
    """A function the tests wait on (it still raises NotImplementedError) and where to write it."""

    function: str
    module: Union[str, None]
    notebook: Union[str, None]
    cell: Union[int, None]
    cell_id: Union[str, None]
    file: str
    line: int
    tests: list[str]


class CheckpointRun(TypedDict):
    """The data of ``checkpoint.test`` and ``checkpoint.run``: the checkpoint's pytest run, judged."""

    checkpoint: str
    ok: bool
    summary: str
    tests: list[TestRecord]
    counts: RunCounts
    exit_code: int
    timed_out: bool
    timeout: float
    seconds: float
    log_tail: str
    log: str
    limit: Union[str, None]


class ModuleTestReport(TypedDict, total=False):
    """One module of ``module.test``: its run, judged; a module whose tests could not run has the first five
    fields only (``counts`` null)."""

    module: Required[str]
    ok: Required[bool]
    summary: Required[str]
    tests: Required[list[TestRecord]]
    counts: Required[Union[RunCounts, None]]
    tested_fingerprint: Union[str, None]
    changed_since_export: bool
    warnings: list[str]
    exit_code: int
    timed_out: bool
    timeout: float
    seconds: float
    log_tail: str
    log: str
    limit: Union[str, None]
    not_written: list[NotWritten]
    nothing_written: bool


class TestData(TypedDict):
    modules: list[ModuleTestReport]
    warnings: list[str]


ExportStatus = Literal["exported", "up_to_date", "stale", "failed"]


class ExportOutcome(TypedDict, total=False):
    id: Required[str]
    status: Required[ExportStatus]
    files: Required[list[str]]
    changed: list[str]
    notebook_fingerprint: str
    error: dict


class ExportData(TypedDict, total=False):
    modules: Required[list[ExportOutcome]]
    check: Required[bool]
    warnings: list[str]


CompleteStepName = Literal["export", "test", "checkpoint", "record"]


class CompleteStep(TypedDict, total=False):
    """A step of ``complete``; a test step carries its run's counts, tests, functions not written and log, a
    checkpoint step its checkpoint, counts and tests."""

    step: Required[CompleteStepName]
    ok: Required[bool]
    summary: Required[str]
    checkpoint: str
    counts: Union[RunCounts, None]
    tests: list[TestRecord]
    not_written: list[NotWritten]
    nothing_written: bool
    log: Union[str, None]


class CompleteReport(TypedDict, total=False):
    """One module of ``module.complete``: its steps up to the first that failed (``failed_step``)."""

    module: Required[str]
    ok: Required[bool]
    steps: Required[list[CompleteStep]]
    failed_step: Required[Literal[CompleteStepName, None]]
    summary: Required[str]
    warnings: list[str]
    error: Union[dict, None]
    not_written: list[NotWritten]
    nothing_written: bool


class CompleteData(TypedDict):
    modules: list[CompleteReport]
    warnings: list[str]


class MilestoneRun(TypedDict):
    milestone: str
    exit_code: int
    timed_out: bool
    seconds: float
    metrics: Union[dict, None]
    output: list[str]


GradeStatus = Literal["graded", "missing_notebook", "unreadable", "timed_out", "stopped", "error"]


class GradedTest(TypedDict):
    test: str
    passed: bool
    message: str


class GradedCell(TypedDict):
    """A grade cell of a submission: one point per test of it that passed."""

    grade_id: str
    points: float
    score: float
    tests: list[GradedTest]


class GradeRecord(TypedDict, total=False):
    """One submission's grades (also written to ``tito/<assignment>/results/<student>.json``). ``jailed`` and
    ``warm`` say how its tests ran, when they ran; ``timestamp`` is the submission's in the gradebook, once
    recorded there."""

    student: Required[str]
    assignment: Required[str]
    status: Required[GradeStatus]
    message: Required[str]
    notes: Required[list[str]]
    deleted_cells: Required[list[str]]
    limit: Required[Union[str, None]]
    grade_cells: Required[list[GradedCell]]
    score: Required[float]
    max_score: Required[float]
    tests_total: Required[int]
    tests_passed: Required[int]
    seconds: Required[float]
    jailed: bool
    warm: bool
    timestamp: Union[str, None]


class AutogradeData(TypedDict):
    assignment: str
    submissions: list[GradeRecord]
    by_status: dict
    workers: Union[int, None]
    scheduler: Union[str, None]
    gateway: Union[str, None]
    timeout: float
    memory_mib: int
    jailed: Union[bool, None]
    containment: str
    seconds: float
    per_minute: float
    max_score: float


class BenchmarkRow(TypedDict):
    name: str
    what: str
    median_ms: float
    ci_low_ms: float
    ci_high_ms: float
    repeats: int


class BenchmarkMeasured(TypedDict):
    """``benchmark`` that measured: the saved report, its table and the comparison with the run before (the
    student's harness makes ``report`` and ``comparison``: their inside is tinytorch.bench's)."""

    path: str
    file: str
    rows: list[BenchmarkRow]
    table: Union[str, None]
    not_run: dict
    failed: dict
    compared_with: Union[str, None]
    comparison: Any
    changes: Union[str, None]
    report: dict
    warnings: list[str]


class BenchmarkHistoryRow(TypedDict):
    file: str
    created: Any
    benchmarks: dict
    not_run: list[str]


class BenchmarkHistory(TypedDict):
    """``benchmark --history``."""

    history: list[BenchmarkHistoryRow]
    folder: str
    warnings: list[str]


class BenchmarkWaiting(TypedDict):
    """``benchmark`` when no benchmark can run yet: what each waits for (``not_run``: name -> module ids)."""

    not_run: dict
    warnings: list[str]


class BenchmarkDidNotRun(TypedDict):
    """``benchmark`` whose suite gave no report: its failures and last output."""

    not_run: dict
    failed: dict
    output: list[str]
    warnings: list[str]


class BenchmarkNeedsHarness(TypedDict):
    """``benchmark`` before module 19's harness is complete (``state``: its state, or ``absent``)."""

    needs: str
    state: str


COMPONENTS.update({
    "Raised": Raised, "TestRecord": TestRecord, "RunCounts": RunCounts, "NotWritten": NotWritten,
    "CheckpointRun": CheckpointRun, "ModuleTestReport": ModuleTestReport, "TestData": TestData,
    "ExportOutcome": ExportOutcome, "ExportData": ExportData, "CompleteStep": CompleteStep,
    "CompleteReport": CompleteReport, "CompleteData": CompleteData, "MilestoneRun": MilestoneRun,
    "GradedTest": GradedTest, "GradedCell": GradedCell, "GradeRecord": GradeRecord, "AutogradeData": AutogradeData,
    "BenchmarkRow": BenchmarkRow, "BenchmarkMeasured": BenchmarkMeasured, "BenchmarkHistoryRow": BenchmarkHistoryRow,
    "BenchmarkHistory": BenchmarkHistory, "BenchmarkWaiting": BenchmarkWaiting,
    "BenchmarkDidNotRun": BenchmarkDidNotRun, "BenchmarkNeedsHarness": BenchmarkNeedsHarness,
})

#: The shape of the result's ``data``, by command, for results whose ``error`` is null.
RESULT_DATA: dict[str, Any] = {
    "module.export": ExportData, "module.test": TestData, "module.complete": CompleteData,
    "checkpoint.test": CheckpointRun, "checkpoint.run": CheckpointRun, "milestone.run": MilestoneRun,
    "nbgrader.autograde": AutogradeData,
    "benchmark": Union[BenchmarkMeasured, BenchmarkHistory, BenchmarkWaiting, BenchmarkDidNotRun, BenchmarkNeedsHarness],
}
