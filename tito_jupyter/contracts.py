"""The shapes tito's faces exchange, typed once: what the REST API answers and what the event bus carries.

These TypedDicts are the one description of each shape. The code that builds one is annotated with it (the
catalog's :func:`~tito_jupyter.server.catalog.describe`, :meth:`Job.to_dict <tito_jupyter.server.jobs.Job.to_dict>`,
the extension's bus events), and :mod:`tito_jupyter.server.openapi` writes the matching schemas of
``openapi.json`` and ``job-event.schema.json`` from them, so the document cannot say one thing while the code
does another; the server tests check every response against the document, and the sidebar's TypeScript types are
generated from it. Only the shape lives here: what a field means is said once, in the document's descriptions.

Two tables tie the shapes to what the engine makes: :data:`RESULT_DATA`, the ``data`` of every built-in command's
Result (the REST API's jobs and ``tito --json`` print the same Result), and :data:`EVENT_KINDS`, the fields of each
kind of engine event. Every shape is closed: a field the engine adds without adding it here first fails the tests
that hold results and events to the document (tests/openapi_contract.py).

Nothing here imports more than ``typing`` (and, on Python 3.10, ``typing_extensions`` for ``Required``): the CLI
reads it without cost.
"""

import sys
from typing import Any, Literal, TypedDict, Union, get_args, get_type_hints

if sys.version_info >= (3, 11):
    from typing import Required
else:  # Python 3.10, which tito supports, has no typing.Required
    from typing_extensions import Required

#: A job's state; the last four are final.
JobState = Literal["queued", "running", "succeeded", "failed", "cancelled", "timed_out"]
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
    events: list["Event"]  # defined below, with the result's shapes that its kinds share
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


class OverviewData(TypedDict):
    """The data of ``module.overview``: modules, checkpoints and the timeline from one read of the progress."""

    modules: list[ModuleRow]
    complete: int
    total: int
    #: The module to work on next (the first not complete, else the first): what the sidebar offers by default.
    next_module: Union[str, None]
    checkpoints: list[CheckpointRow]
    checkpoints_passed: int
    timeline: list[TimelineEntry]
    warnings: list[str]


class Overview(OverviewData):
    """``GET overview``: the data of ``module.overview`` (one read of the progress) and the server's jobs."""

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
    "Version": Version, "Result": Result, "Job": Job, "Command": Command, "CommandArg": CommandArg,
    "Commands": Commands, "Course": Course, "CourseModule": CourseModule, "CourseCheckpoint": CourseCheckpoint,
    "CourseMilestone": CourseMilestone, "TestCounts": TestCounts, "ModuleRow": ModuleRow,
    "ModuleStatus": ModuleStatus, "CheckpointRow": CheckpointRow, "CheckpointStatus": CheckpointStatus,
    "TimelineEntry": TimelineEntry, "Timeline": Timeline, "Overview": Overview, "NotebookModule": NotebookModule,
}
# Every shape is closed: a field the code adds without adding it here first makes the server tests fail.


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


# -- engine events (``Event``: one shape a kind) -----------------------------------------------------------------
# What an operation reports on the way (engine/results.py's EventSink): the CLI renders them, a job keeps them (its
# ``events``), the bus carries them. The engine stamps each with its time.

StepState = Literal["running", "passed", "failed", "skipped"]
#: ``output``: a line a job printed that is not an engine event (a plugin's print, a warning), kept as a log line.
LogLevel = Literal["info", "warning", "error", "output"]


class Stamped(TypedDict, total=False):
    """What every event has besides its kind's fields: ``time``, when it happened (seconds since the epoch)."""

    time: float


class StepEvent(Stamped, total=False):
    """``step``: a named step of an operation (export, test, checkpoint, record, milestone, benchmark, autograde,
    ...) changes state; the other fields say what it works on."""

    event: Required[Literal["step"]]
    step: Required[str]
    state: Required[StepState]
    module: str
    checkpoint: str
    milestone: str
    #: release.student: which edition (instructor, student, both) the step works on.
    edition: str
    #: module.export: how the module's export ended.
    status: ExportStatus
    message: Union[str, None]
    #: benchmark: the benchmarks about to run.
    benchmarks: list[str]


class CollectedEvent(Stamped, total=False):
    """``collected``: how many tests the run about to start holds."""

    event: Required[Literal["collected"]]
    count: Required[int]


class TestEvent(TestRecord, Stamped, total=False):
    """``test``: one test's outcome, as it happens (a :class:`TestRecord`; ``details`` only for the record that
    stands for a run stopped before its tests were reported)."""

    event: Required[Literal["test"]]


class ProgressEvent(Stamped, total=False):
    """``progress``: ``done`` of ``total`` items (modules exported, tests run, submissions graded); ``label``: the
    item just done."""

    event: Required[Literal["progress"]]
    done: Required[int]
    total: Required[int]
    label: Required[str]


class LogEvent(Stamped, total=False):
    event: Required[Literal["log"]]
    message: Required[str]
    level: Required[LogLevel]


class GradedEvent(Stamped, total=False):
    """``graded``: nbgrader.autograde graded one submission."""

    event: Required[Literal["graded"]]
    module: Required[str]
    student: Required[str]
    status: Required[GradeStatus]
    score: Required[float]
    max_score: Required[float]
    message: Required[str]


class ServingEvent(Stamped, total=False):
    """``serving``: dev.serve's JupyterLab answers at ``url`` (``note``: why the port is not the one asked for)."""

    event: Required[Literal["serving"]]
    url: Required[str]
    port: Required[int]
    token: Required[str]
    requested_port: Required[int]
    note: Required[Union[str, None]]


#: An engine event: the shape of its kind (its ``event`` field says which).
Event = Union[StepEvent, CollectedEvent, TestEvent, ProgressEvent, LogEvent, GradedEvent, ServingEvent]
EVENT_KINDS = {get_args(get_type_hints(shape)["event"])[0]: shape for shape in get_args(Event)}


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
    "Event": Event, "StepEvent": StepEvent, "CollectedEvent": CollectedEvent, "TestEvent": TestEvent,
    "ProgressEvent": ProgressEvent, "LogEvent": LogEvent, "GradedEvent": GradedEvent, "ServingEvent": ServingEvent,
    "Raised": Raised, "TestRecord": TestRecord, "RunCounts": RunCounts, "NotWritten": NotWritten,
    "CheckpointRun": CheckpointRun, "ModuleTestReport": ModuleTestReport, "TestData": TestData,
    "ExportOutcome": ExportOutcome, "ExportData": ExportData, "CompleteStep": CompleteStep,
    "CompleteReport": CompleteReport, "CompleteData": CompleteData, "MilestoneRun": MilestoneRun,
    "GradedTest": GradedTest, "GradedCell": GradedCell, "GradeRecord": GradeRecord, "AutogradeData": AutogradeData,
    "BenchmarkRow": BenchmarkRow, "BenchmarkMeasured": BenchmarkMeasured, "BenchmarkHistoryRow": BenchmarkHistoryRow,
    "BenchmarkHistory": BenchmarkHistory, "BenchmarkWaiting": BenchmarkWaiting,
    "BenchmarkDidNotRun": BenchmarkDidNotRun, "BenchmarkNeedsHarness": BenchmarkNeedsHarness,
})


# -- the data of every other command (``RESULT_DATA`` below names one shape for each command of the table) ----------


class ValidateCheck(TypedDict):
    check: str
    ok: bool
    message: str


class ValidateReport(TypedDict):
    module: str
    ok: bool
    checks: list[ValidateCheck]


class ValidateData(TypedDict):
    """``module.validate``: each module's structural checks."""

    modules: list[ValidateReport]


class Backup(TypedDict):
    """A backup of a student's notebook (``path``: relative to the course root; ``created``: its time)."""

    id: str
    module: str
    path: str
    bytes: int
    created: float


class ResetData(TypedDict, total=False):
    """``module.reset``: ``changed`` false with ``dry_run`` when only told what it would do; ``backup``: the
    student's version, saved before the notebook was put back (null if there was none)."""

    module: Required[str]
    changed: Required[bool]
    dry_run: bool
    backup: Union[Backup, None]


class BackupList(TypedDict):
    backups: list[Backup]


class RestoreData(TypedDict):
    """``module.restore``: ``restored``, the backup's id; ``backup``, the version it replaced (null: none)."""

    module: str
    restored: str
    backup: Union[Backup, None]


class StartOpened(TypedDict):
    """``module.start`` that a running JupyterLab opened (``pages``: its Lab pages that heard it, null: unknown;
    ``tried``: the servers that could not)."""

    module: str
    notebook: str
    server: str
    url: str
    pages: Union[int, None]
    started_server: bool
    browser: bool
    tried: list[str]


class ServeData(TypedDict, total=False):
    """``dev.serve``, or ``module.start`` that started a JupyterLab (then with its module, notebook and the servers
    tried): where it served, until it ended (``exit_code``)."""

    url: Required[str]
    port: Required[int]
    requested_port: Required[int]
    exit_code: Required[int]
    started_server: Required[bool]
    module: str
    notebook: str
    tried: list[str]


class MilestoneRow(CourseMilestone):
    state: str
    missing_modules: list[str]
    last_run: Union[dict, None]


class MilestoneList(TypedDict):
    milestones: list[MilestoneRow]


DoctorStatus = Literal["ok", "warn", "fail"]


class DoctorCheck(TypedDict):
    check: str
    status: DoctorStatus
    detail: str
    fix: str


class DoctorData(TypedDict):
    checks: list[DoctorCheck]


class CommandUse(TypedDict):
    command: str
    runs: int
    mean_seconds: Union[float, None]


class UsageLogSummary(TypedDict):
    """``system.log`` (and ``system.info``'s ``usage_log``): the local usage log's state and what it holds."""

    enabled: bool
    file: str
    entries: int
    commands: list[CommandUse]
    #: error kind -> how many runs ended with it.
    errors: dict[str, int]


class InfoCourse(TypedDict):
    root: str
    modules: int
    checkpoints: int
    state_dir: str


class SystemInfo(TypedDict, total=False):
    """``system.info``: versions and paths; ``course`` null (and no ``usage_log``) where there is no course."""

    tito_jupyter: Required[str]
    python: Required[str]
    executable: Required[str]
    platform: Required[str]
    #: distribution -> its version, null where it is not installed.
    packages: Required[dict[str, Union[str, None]]]
    course: Required[Union[InfoCourse, None]]
    usage_log: UsageLogSummary


class CleanData(TypedDict):
    removed: list[str]
    bytes: int
    dry_run: bool


class SetupData(TypedDict):
    """``system.setup``: the notebooks whose starting points it recorded, and its first export's result."""

    starting_points: list[str]
    export: Result


class HealthFigure(TypedDict):
    figure: str
    value: Any
    unit: str
    how: str
    status: str
    detail: str


class HealthData(TypedDict):
    figures: list[HealthFigure]
    measured_at: str
    quick: bool


class WatchedExport(TypedDict):
    module: str
    ok: bool
    summary: str
    at: float


class WatchData(TypedDict):
    """``dev.watch``: the exports it made, in order."""

    exports: list[WatchedExport]


class ProfiledFunction(TypedDict):
    function: str
    calls: int
    own_seconds: float
    cumulative_seconds: float


class ProfileData(TypedDict):
    """``dev.profile``: where the time of one operation went, its slowest tests, and the operation's own result."""

    operation: str
    module: str
    seconds: float
    functions: list[ProfiledFunction]
    slowest_tests: list[TestRecord]
    result: Result


class InitData(TypedDict):
    """``init``: the course laid down (``edition``: the release manifest it came with)."""

    folder: str
    edition: dict
    modules: list[str]
    first_notebook: str
    files: int
    next_steps: list[str]


class ReleaseData(TypedDict, total=False):
    """``release.student``: the verdict on the student edition (``ok``; ``problems`` if not), each module's regions
    and tests (``modules``, ``totals``), the solution scan, what it was built from (``source``); ``out`` where it was
    released (null if rejected, then ``rejected``: where the build was kept)."""

    ok: Required[bool]
    problems: Required[list[str]]
    modules: Required[list[dict]]
    totals: Required[dict]
    scan: Required[dict]
    tests_run: Required[bool]
    sentence: Required[str]
    source: Required[dict]
    warnings: Required[list[str]]
    setup_files: Required[list[str]]
    files: Required[int]
    starting_points: Required[int]
    out: Required[Union[str, None]]
    rejected: str


class NbgraderInit(TypedDict):
    course_dir: str
    #: The gradebook's URL, its password left out.
    db_url: str
    config: str
    exchange: Union[str, None]
    assignments: int


class GeneratedAssignment(TypedDict):
    assignment: str
    grade_cells: int
    points: float
    solution_cells: int
    prerequisites: list[str]
    release: str


class GenerateData(TypedDict):
    course_dir: str
    assignments: list[GeneratedAssignment]


class ReleasedAssignment(TypedDict):
    assignment: str
    exchange: str
    files: list[str]


class ReleaseToExchange(TypedDict):
    course_dir: str
    assignments: list[ReleasedAssignment]


#: ``from``: where the submission came in (the exchange, a --from folder, or already in submitted/).
CollectedSubmission = TypedDict("CollectedSubmission", {
    "student": str, "notebook": bool, "timestamp": str, "from": Literal["exchange", "folder", "submitted"],
    "path": str})


class CollectData(TypedDict):
    assignment: str
    submissions: list[CollectedSubmission]
    course_dir: str


class FeedbackPage(TypedDict, total=False):
    student: Required[str]
    html: Required[str]
    exists: Required[bool]
    error: Required[Union[str, None]]
    #: With --release: whether the page went to the exchange.
    released: bool


class FeedbackData(TypedDict):
    assignment: str
    feedback: list[FeedbackPage]
    released: list[str]


class GradeRow(TypedDict, total=False):
    """A student's grade on an assignment, from the gradebook (``status`` ``missing``: no submission)."""

    assignment: Required[str]
    student: Required[str]
    max_score: Required[float]
    status: Required[str]
    score: Required[float]
    timestamp: Required[Union[str, None]]
    seconds_late: Required[float]
    message: Required[str]
    percent: Required[float]
    tests_passed: Required[Union[int, None]]
    tests_total: Required[Union[int, None]]
    needs_manual_grade: bool
    grade_cells: list[GradedCell]


class AssignmentGrades(TypedDict):
    assignment: str
    students: int
    submitted: int
    mean_score: float
    max_score: float


class GradesReport(TypedDict):
    """``nbgrader.report``: the files written and what they hold."""

    csv: str
    json: str
    assignments: list[AssignmentGrades]
    grades: list[GradeRow]


class AssignmentStatus(TypedDict):
    assignment: str
    generated: bool
    generated_at: Union[str, None]
    released: bool
    released_at: Union[str, None]
    max_score: float
    students: int
    submitted_to_exchange: int
    collected: int
    in_gradebook: int
    autograded: int
    graded: int
    feedback_written: int
    feedback_returned: int
    first_submission: Union[str, None]
    last_submission: Union[str, None]
    exchange: Union[str, None]


class AssignmentStatusData(TypedDict):
    course_dir: str
    students: int
    assignments: list[AssignmentStatus]


#: A bar of a histogram of percent scores: how many from ``from`` to ``to`` (a Python keyword: hence this form).
Bin = TypedDict("Bin", {"from": float, "to": float, "count": int})


class Distribution(TypedDict):
    """Percent scores: their count, mean and quartiles (null with none), and a histogram."""

    count: int
    mean: Union[float, None]
    median: Union[float, None]
    q1: Union[float, None]
    q3: Union[float, None]
    min: Union[float, None]
    max: Union[float, None]
    bins: list[Bin]


class AssignmentDistribution(TypedDict):
    assignment: str
    students: int
    graded: int
    max_score: float
    distribution: Distribution


class TestTally(TypedDict):
    """One test (grade cell) of an assignment, over the submissions graded."""

    assignment: str
    notebook: str
    test: str
    max_score: float
    graded: int
    passed: int
    failed: int
    pass_rate: float
    mean_share: float


class AnalyticsData(TypedDict):
    course_dir: str
    assignments: list[AssignmentDistribution]
    tests: list[TestTally]
    most_failed: list[TestTally]
    png: Union[str, None]


ClassCellState = Literal["not_submitted", "submitted", "graded", "feedback_ready", "feedback_returned"]


class ClassCell(TypedDict):
    student: str
    assignment: str
    state: ClassCellState
    score: float
    max_score: float
    percent: float
    timestamp: Union[str, None]


class Stuck(TypedDict):
    student: str
    assignment: str
    reason: Literal["low_score", "not_submitted"]
    detail: str


class ClassStatus(TypedDict, total=False):
    """``class.status``: students x assignments (``cells``), who is stuck where; ``shown``: each student id as it
    may be shown (control characters made visible); ``counts``: assignment -> state -> students; ``csv`` with
    --csv."""

    course_dir: Required[str]
    assignments: Required[list[str]]
    students: Required[list[str]]
    states: Required[list[ClassCellState]]
    cells: Required[list[ClassCell]]
    stuck: Required[list[Stuck]]
    last_released: Required[Union[str, None]]
    shown: Required[dict[str, str]]
    counts: Required[dict[str, dict[str, int]]]
    csv: str


COMPONENTS.update({
    "OverviewData": OverviewData, "ValidateCheck": ValidateCheck, "ValidateReport": ValidateReport,
    "ValidateData": ValidateData, "Backup": Backup, "ResetData": ResetData, "BackupList": BackupList,
    "RestoreData": RestoreData, "StartOpened": StartOpened, "ServeData": ServeData, "MilestoneRow": MilestoneRow,
    "MilestoneList": MilestoneList, "DoctorCheck": DoctorCheck, "DoctorData": DoctorData, "CommandUse": CommandUse,
    "UsageLogSummary": UsageLogSummary, "InfoCourse": InfoCourse, "SystemInfo": SystemInfo, "CleanData": CleanData,
    "SetupData": SetupData, "HealthFigure": HealthFigure, "HealthData": HealthData, "WatchedExport": WatchedExport,
    "WatchData": WatchData, "ProfiledFunction": ProfiledFunction, "ProfileData": ProfileData, "InitData": InitData,
    "ReleaseData": ReleaseData, "NbgraderInit": NbgraderInit, "GeneratedAssignment": GeneratedAssignment,
    "GenerateData": GenerateData, "ReleasedAssignment": ReleasedAssignment, "ReleaseToExchange": ReleaseToExchange,
    "CollectedSubmission": CollectedSubmission, "CollectData": CollectData, "FeedbackPage": FeedbackPage,
    "FeedbackData": FeedbackData, "GradeRow": GradeRow, "AssignmentGrades": AssignmentGrades,
    "GradesReport": GradesReport, "AssignmentStatus": AssignmentStatus, "AssignmentStatusData": AssignmentStatusData,
    "Bin": Bin, "Distribution": Distribution, "AssignmentDistribution": AssignmentDistribution,
    "TestTally": TestTally, "AnalyticsData": AnalyticsData, "ClassCell": ClassCell, "Stuck": Stuck,
    "ClassStatus": ClassStatus,
})

#: The shape of the result's ``data``, by command, for results whose ``error`` is null: one for every command of
#: the table (tests/server/test_result_data.py holds the table to it), terminal-only ones included, since the
#: CLI's ``--json`` prints the same Result.
RESULT_DATA: dict[str, Any] = {
    "init": InitData, "module.list": Course, "module.start": Union[StartOpened, ServeData],
    "module.edit": Union[StartOpened, ServeData], "module.status": ModuleStatus, "module.overview": OverviewData,
    "module.export": ExportData, "module.test": TestData, "module.complete": CompleteData,
    "module.validate": ValidateData, "module.reset": ResetData, "module.backups": BackupList,
    "module.restore": RestoreData, "checkpoint.status": CheckpointStatus, "checkpoint.timeline": Timeline,
    "checkpoint.test": CheckpointRun, "checkpoint.run": CheckpointRun, "milestone.list": MilestoneList,
    "milestone.run": MilestoneRun,
    "benchmark": Union[BenchmarkMeasured, BenchmarkHistory, BenchmarkWaiting, BenchmarkDidNotRun, BenchmarkNeedsHarness],
    "system.doctor": DoctorData, "system.info": SystemInfo, "system.clean": CleanData, "system.setup": SetupData,
    "system.health": HealthData, "system.log": UsageLogSummary, "dev.watch": WatchData, "dev.serve": ServeData,
    "dev.profile": ProfileData, "release.student": ReleaseData, "nbgrader.init": NbgraderInit,
    "nbgrader.generate": GenerateData, "nbgrader.release": ReleaseToExchange, "nbgrader.collect": CollectData,
    "nbgrader.autograde": AutogradeData, "nbgrader.feedback": FeedbackData, "nbgrader.report": GradesReport,
    "nbgrader.status": AssignmentStatusData, "nbgrader.analytics": AnalyticsData, "class.status": ClassStatus,
}
