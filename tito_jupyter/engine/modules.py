"""Operations on modules: list, status, export, test, complete, validate.

Each takes a :class:`Context` and plain arguments and returns a :class:`Result`; none of them prints.
"""

from __future__ import annotations

from .. import notebooks
from ..course import Course, Module
from ..errors import TitoError, UsageError
from . import export as export_mod
from . import files
from .context import Context
from .progress import ProgressStore, incomplete, module_state, next_module
from .reset import starting_point
from .results import Result

# The test machinery (testing, checkpoints) is imported in the functions that run tests: `tito list` and
# `tito status` import this module, and importing it cost them a fifth of their start-up.


def select_modules(course: Course, names: list[str] | None, all_: bool = False, context_path: str | None = None) -> list[Module]:
    """The modules a command acts on: named ones, ``--all``, or the one whose notebook the caller is in."""
    if all_:
        if not course.modules:
            raise UsageError("The course has no modules yet.", hint="Add a folder modules/01_name/ with a notebook.")
        return list(course.modules)
    if names:
        return [course.module(n) for n in names]
    if context_path:
        module = course.module_for_path(context_path)
        if module:
            return [module]
        raise UsageError(
            f"{context_path} is not a module notebook, so tito cannot tell which module you mean.",
            hint="Name the module, e.g. `tito complete 01_tensor`, or use --all.",
        )
    raise UsageError(
        "Which module? Name one (e.g. `01_tensor`, `01` or `tensor`) or use --all. "
        f"The course has: {', '.join(m.id for m in course.modules)}.",
    )


def modules_meant(course: Course, acts_on: str | None, args: dict, notebook_path: str | None = None) -> list[str]:
    """The ids of the modules a request for a command means, by the rule the command applies
    (:func:`select_modules`): the names in its arguments, ``--all``, or the module of the notebook it came from.

    Empty for a command that acts on no module, and for one that names none (running, it says "which module?").
    The server puts this on each job, so that the sidebar shows the modules a job works on without a rule of its own.
    """
    if acts_on != "module":
        return []
    names = args.get("modules") or ([args["module"]] if args.get("module") else None)
    try:
        return [m.id for m in select_modules(course, names, bool(args.get("all_")), notebook_path)]
    except TitoError:  # an unknown name, a notebook outside every module: the job says so when it runs
        return []


def current_fingerprint(module: Module, course: Course | None = None) -> str:
    """The export fingerprint of the module's notebook as it is now; ``""`` when it cannot be read.

    With ``course``, an unchanged notebook's fingerprint comes from the course's cache instead of a parse.
    """
    if course is None:
        return notebooks.current_export_fingerprint(module.notebook)
    try:
        return course.notebook_facts(module)["fingerprint"]
    except notebooks.NotebookError:
        return ""


# -- list and status ------------------------------------------------------------------------------


def list_modules(ctx: Context) -> Result:
    course = ctx.course
    return Result(
        command="module.list",
        ok=True,
        summary=f"{len(course.modules)} modules, {len(course.checkpoints)} checkpoints.",
        data=course.to_dict(),
    )


def _module_rows(course: Course, chosen: list[Module], progress: dict) -> list[dict]:
    """Each module with its state and the prerequisites it still needs, from one read of the progress."""
    return [{**module.to_dict(course.root),
             **module_state(progress["modules"].get(module.id), current_fingerprint(module, course)),
             "missing_prerequisites": incomplete(module.requires, progress)} for module in chosen]


def status(ctx: Context, modules: list[str] | None = None) -> Result:
    course = ctx.course
    store = ProgressStore(course)
    chosen = [course.module(n) for n in modules] if modules else course.modules
    rows = _module_rows(course, chosen, store.read())
    done = sum(1 for r in rows if r["state"] == "complete")
    return Result(
        command="module.status",
        ok=True,
        summary=f"{done} of {len(rows)} modules complete.",
        data={"modules": rows, "complete": done, "total": len(rows), "warnings": store.warnings},
    )


def overview(ctx: Context) -> Result:
    """Where the student stands, whole: every module's state, every checkpoint's, and the course's timeline.

    What the sidebar shows, from one read of the progress, so that a refresh is one request and the states
    cannot disagree with each other (``module.status``, ``checkpoint.status`` and ``checkpoint.timeline`` answer
    the same, each on its own).
    """
    from .checkpoints import checkpoint_rows, timeline_entries  # lazy: list and status start without them

    course = ctx.course
    store = ProgressStore(course)
    progress = store.read()
    modules = _module_rows(course, course.modules, progress)
    checkpoints = checkpoint_rows(course, progress)
    done = sum(1 for r in modules if r["state"] == "complete")
    passed = sum(1 for r in checkpoints if r["state"] == "passed")
    return Result(
        command="module.overview",
        ok=True,
        summary=f"{done} of {len(modules)} modules complete; {passed} of {len(checkpoints)} checkpoints passed.",
        data={"modules": modules, "complete": done, "total": len(modules),
              "next_module": next_module([m.id for m in course.modules], progress),
              "checkpoints": checkpoints, "checkpoints_passed": passed,
              "timeline": timeline_entries(course, checkpoints, progress), "warnings": store.warnings},
    )


# -- export ---------------------------------------------------------------------------------------


def export(ctx: Context, modules: list[str] | None = None, all_: bool = False, check: bool = False,
           force: bool = False) -> Result:
    course = ctx.course
    chosen = select_modules(course, modules, all_, ctx.notebook_path)
    result = export_mod.export_modules(course, chosen, ctx.events, check=check, force=force)
    if not check:
        store = ProgressStore(course)
        by_id = {m.id: m for m in chosen}
        store.record_exports([by_id[o["id"]] for o in result.data["modules"] if o["status"] == "exported"],
                             [by_id[o["id"]] for o in result.data["modules"] if o["status"] == "up_to_date"])
        if store.warnings:
            result.data["warnings"] = store.warnings
    return result


# -- test -----------------------------------------------------------------------------------------


@files.uses_build
def test(ctx: Context, modules: list[str] | None = None, all_: bool = False, timeout: float | None = None) -> Result:
    course = ctx.course
    chosen = select_modules(course, modules, all_, ctx.notebook_path)
    store = ProgressStore(course)
    reports = []
    for module in chosen:
        reports.append(_test_one(ctx, module, store, timeout))
    ok = all_ok = all(r["ok"] for r in reports)
    if len(reports) == 1:
        summary = reports[0]["summary"]
    else:
        passing = sum(1 for r in reports if r["ok"])
        summary = f"Tests: {passing} of {len(reports)} modules pass." + (
            "" if all_ok else " Failing: " + ", ".join(r["module"] for r in reports if not r["ok"]) + "."
        )
    warnings = store.warnings + [w for r in reports for w in r.get("warnings", [])]
    return Result(command="module.test", ok=ok, summary=summary, data={"modules": reports, "warnings": warnings})


def _test_one(ctx: Context, module: Module, store: ProgressStore, timeout: float | None,
              exported: str | None = None) -> dict:
    """Run a module's tests against the package and record them, tied to the code they ran against.

    ``exported`` is the export fingerprint of the notebook as read for the export just done (``complete``);
    without it (``tito test``) the tests run against whatever the package holds, whose fingerprint the
    export state knows. Either way, that fingerprint is what is recorded, never the notebook's at record
    time, so an edit made since shows in ``status`` as changed.
    """
    from . import testing  # lazy: list and status start without the test machinery

    plan = _plan_tests(ctx, module, exported)
    if "summary" in plan:
        return plan
    run = testing.run_pytest(ctx.course, plan["paths"], ctx.events, timeout=timeout or ctx.timeout,
                             labels=plan["labels"])
    return _record_tests(ctx, module, store, plan, run)


def _plan_tests(ctx: Context, module: Module, exported: str | None) -> dict:
    """What :func:`_test_one` runs (``paths``, ``labels``, and the fingerprints ``now`` and ``tested``), or,
    when the tests cannot run, the failed report (it has a ``summary``)."""
    from . import testing  # lazy: list and status start without the test machinery

    course = ctx.course
    ctx.events.step("test", "running", module=module.id)
    try:
        now = notebooks.export_fingerprint(notebooks.read_cells(module.notebook))
    except notebooks.NotebookError as exc:
        # Its inline tests cannot be read either: running the rest alone would pass without them.
        summary = (f"{module.id}: its tests did not run, because its notebook is not a readable notebook. "
                   f"{exc.message} Repair it, or restore a backup (`tito module backups {module.id}`).")
        ctx.events.step("test", "failed", module=module.id, message=summary)
        return {"module": module.id, "ok": False, "summary": summary, "tests": [], "counts": None}
    paths, labels, _ = testing.module_test_plan(course, module)
    if not paths:
        summary = (f"{module.id} has no tests: no inline `def test_...` in its notebook and nothing in "
                   f"tests/modules/{module.id}/.")
        ctx.events.step("test", "failed", module=module.id, message=summary)
        return {"module": module.id, "ok": False, "summary": summary, "tests": [], "counts": None}
    tested = exported if exported is not None else export_mod.package_fingerprint(course, module)
    return {"paths": paths, "labels": labels, "now": now, "tested": tested}


def _record_tests(ctx: Context, module: Module, store: ProgressStore, plan: dict, run: dict) -> dict:
    """Judge a module's test run (what is not written yet, the summary), record it, and return the report."""
    from . import testing  # lazy: list and status start without the test machinery

    course = ctx.course
    now, tested = plan["now"], plan["tested"]
    run["not_written"] = testing.not_written(course, run["tests"])
    untouched = _untouched(course, module, now)
    run["nothing_written"] = testing.nothing_written(run, run["not_written"], untouched)
    waiting = testing.not_written_sentence(module.id, run, run["not_written"], untouched)
    ok, summary = testing.summarise_run(run, f"{module.id} tests", waiting)
    warnings = []
    if tested is None:
        warnings.append(f"The package's code for {module.id} is not an export of its notebook by tito (never "
                        f"exported, or its files were edited), so these results are not tied to your notebook. "
                        f"Run `tito export {module.id}`, then test again.")
    elif tested != now:
        warnings.append(f"{module.id}'s notebook changed since it was last exported: these tests ran against the "
                        f"last exported code, not your edits. Run `tito export {module.id}` (or `tito complete "
                        f"{module.id}`) to test them.")
    for warning in warnings:
        ctx.events.log(warning, level="warning")
    store.record_tests(module, ok, run["counts"], tested)
    ctx.events.step("test", "passed" if ok else "failed", module=module.id, message=summary)
    return {"module": module.id, "ok": ok, "summary": summary, "tested_fingerprint": tested,
            "changed_since_export": tested != now, "warnings": warnings, **run}


def _test_and_checkpoints(ctx: Context, module: Module, store: ProgressStore, timeout: float | None,
                          exported: str, completing: set[str]) -> tuple[dict, list[dict]]:
    """``complete``'s checks after the export: the module's tests, then each checkpoint it unlocks, in order,
    up to the first that fails. One pytest process runs them all (:func:`testing.run_stages`): a checkpoint's
    tests begin only once everything before passed, and each result is judged and recorded as soon as it is
    known, exactly as if each had run alone. Returns the tests' report and one report per checkpoint that ran
    (or was refused: locked)."""
    from . import testing  # lazy: list and status start without the test machinery
    from .checkpoints import (CheckpointLocked, checkpoint_started,  # lazy: as testing, above
                              record_checkpoint_run, refuse_if_locked)

    course = ctx.course
    plan = _plan_tests(ctx, module, exported)
    if "summary" in plan:
        return plan, []
    opened, refused = [], None
    for checkpoint in course.unlocked_checkpoints(module):
        try:
            refuse_if_locked(checkpoint, store, completing)
        except CheckpointLocked as exc:
            refused = {"checkpoint": checkpoint.id, "ok": False, "summary": f"{exc.message} {exc.hint}",
                       "counts": None, "tests": []}
            break
        opened.append(checkpoint)
    reports: list[dict] = []

    def started(stage: int) -> None:
        checkpoint_started(ctx, opened[stage - 1])

    def ended(stage: int, run: dict) -> bool:
        if stage == 0:
            reports.append(_record_tests(ctx, module, store, plan, run))
        else:
            reports.append(record_checkpoint_run(ctx, opened[stage - 1], store, run))
        return reports[-1]["ok"]

    testing.run_stages(course, [plan["paths"], *([cp.path] for cp in opened)], ctx.events,
                       timeout=timeout or ctx.timeout, labels=plan["labels"], on_stage_start=started,
                       on_stage_end=ended)
    if refused is not None and all(r["ok"] for r in reports):
        reports.append(refused)
    return reports[0], reports[1:]


def _untouched(course: Course, module: Module, fingerprint: str) -> bool:
    """Whether the notebook's exported code is still its starting point's (so nothing is written yet)."""
    start = starting_point(course, module)
    try:
        return start.is_file() and notebooks.export_fingerprint(notebooks.read_cells(start)) == fingerprint
    except notebooks.NotebookError:
        return False


# -- complete -------------------------------------------------------------------------------------


@files.uses_build
def complete(ctx: Context, modules: list[str] | None = None, all_: bool = False, timeout: float | None = None) -> Result:
    """Export, test, run the checkpoints the module unlocks, then record it complete; stop at the first failure."""
    course = ctx.course
    chosen = select_modules(course, modules, all_, ctx.notebook_path)
    store = ProgressStore(course)
    progress = store.read()
    reports = []
    for position, module in enumerate(chosen):
        report = {"module": module.id, "ok": False, "steps": [], "failed_step": None}
        reports.append(report)
        _warn_of_prerequisites(ctx, module, chosen[:position], progress, report)
        _complete_one(ctx, module, store, timeout, {m.id for m in chosen[: position + 1]}, report)
        if not report["ok"]:
            break
    ok = len(reports) == len(chosen) and all(r["ok"] for r in reports)
    summary = reports[-1]["summary"] if len(chosen) == 1 or not ok else f"All {len(chosen)} modules complete."
    warnings = store.warnings + [w for r in reports for w in r.get("warnings", [])]
    return Result(command="module.complete", ok=ok, summary=summary, data={"modules": reports, "warnings": warnings})


def _warn_of_prerequisites(ctx: Context, module: Module, before: list[Module], progress: dict, report: dict) -> None:
    """A warning (not a refusal) when ``module`` builds on modules not complete yet nor completed just before it."""
    waiting = [r for r in module.requires if r not in {m.id for m in before}
               and module_state(progress["modules"].get(r), None)["state"] != "complete"]
    if waiting:
        report["warnings"] = [f"{module.id} builds on {', '.join(waiting)}, not complete yet."]
        ctx.events.log(report["warnings"][0], level="warning")


def _complete_one(ctx: Context, module: Module, store: ProgressStore, timeout: float | None, completing: set[str],
                  report: dict) -> None:
    """``complete`` for one module, step by step into ``report`` (its ``steps``, ``failed_step``, ``summary``,
    ``ok``): export, the tests and the checkpoints it unlocks, the record; up to the first step that fails."""
    course, steps = ctx.course, report["steps"]
    exported = export_mod.export_modules(course, [module], ctx.events)
    steps.append({"step": "export", "ok": exported.ok, "summary": exported.summary})
    if not exported.ok:
        report.update(failed_step="export", summary=f"{module.id}: export failed. {exported.summary}",
                      error=exported.error)
        return
    # Recorded as `tito export` records it: an export that found the package up to date writes the progress (an
    # fsync before the tests could start) only if it holds no export of the module yet.
    fresh = exported.data["modules"][0]["status"] == "up_to_date"
    store.record_exports([] if fresh else [module], [module] if fresh else [])
    # The version verified from here on is the notebook as the export read it, whatever is saved later.
    verified = exported.data["modules"][0]["notebook_fingerprint"]

    tested, checkpoints = _test_and_checkpoints(ctx, module, store, timeout, verified, completing)
    steps.append({"step": "test", "ok": tested["ok"], "summary": tested["summary"],
                  "counts": tested.get("counts"), "tests": tested.get("tests", []),
                  "not_written": tested.get("not_written", []),
                  "nothing_written": tested.get("nothing_written", False), "log": tested.get("log")})
    if not tested["ok"]:
        report.update(failed_step="test", summary=f"{module.id}: tests failed. {tested['summary']}",
                      not_written=tested.get("not_written", []), nothing_written=tested.get("nothing_written", False))
        return
    for ran in checkpoints:
        steps.append({"step": "checkpoint", "checkpoint": ran["checkpoint"], "ok": ran["ok"],
                      "summary": ran["summary"], "counts": ran["counts"], "tests": ran["tests"]})
    failed = next((ran for ran in checkpoints if not ran["ok"]), None)
    if failed is not None:
        report.update(failed_step="checkpoint",
                      summary=f"{module.id}: checkpoint {failed['checkpoint']} failed. {failed['summary']}")
        return
    _record_complete(ctx, module, store, verified, report)


def _record_complete(ctx: Context, module: Module, store: ProgressStore, verified: str, report: dict) -> None:
    """The last step: record the module complete, unless its notebook changed while it was being checked."""
    if not store.record_complete(module, verified):
        summary = (f"{module.id}: not recorded complete, because its notebook changed (it was saved, reset "
                   "or restored) while tito was checking it; what passed was the version before. Run "
                   f"`tito complete {module.id}` again to check the notebook as it is now.")
        report["steps"].append({"step": "record", "ok": False, "summary": summary})
        ctx.events.step("record", "failed", module=module.id, message=summary)
        report.update(failed_step="record", summary=summary)
        return
    ctx.events.step("record", "passed", module=module.id)
    unlocked = [c.id for c in ctx.course.unlocked_checkpoints(module)]
    report.update(ok=True, summary=f"{module.id} is complete"
                  + (f"; checkpoint {', '.join(unlocked)} passed." if unlocked else "."))


# -- validate -------------------------------------------------------------------------------------


def validate(ctx: Context, modules: list[str] | None = None, all_: bool = False) -> Result:
    course = ctx.course
    chosen = select_modules(course, modules, all_ or not modules, None)
    reports = []
    for module in chosen:
        checks = _validate_one(course, module)
        reports.append({"module": module.id, "ok": all(c["ok"] for c in checks), "checks": checks})
    bad = [r for r in reports if not r["ok"]]
    summary = (f"{len(reports)} module(s) valid." if not bad else
               f"{len(bad)} of {len(reports)} module(s) have problems: " + "; ".join(
                   f"{r['module']}: " + ", ".join(c["message"] for c in r["checks"] if not c["ok"]) for r in bad))
    return Result(command="module.validate", ok=not bad, summary=summary, data={"modules": reports})


def _validate_one(course: Course, module: Module) -> list[dict]:
    checks = []

    def check(name: str, ok: bool, message: str) -> None:
        checks.append({"check": name, "ok": bool(ok), "message": message})

    rel = module.notebook.relative_to(course.root) if module.notebook.is_relative_to(course.root) else module.notebook
    try:
        cells = notebooks.read_cells(module.notebook)
        check("notebook", True, f"{rel} parses")
    except notebooks.NotebookError as exc:
        check("notebook", False, exc.message)
        return checks
    target = notebooks.default_exp(cells)
    refused = [p for p in map(notebooks.export_target_problem, notebooks.export_targets(cells)) if p]
    if refused:
        check("export_target", False, "; ".join(refused))
        target = None
    else:
        check("export_target", bool(target),
              f"exports to tinytorch.{target}" if target else "no `#| default_exp` cell")
    if target:
        others = [m.id for m in course.modules_exporting(target) if m.id != module.id]
        check("unique_target", not others,
              f"tinytorch.{target} is exported by this module only" if not others
              else f"tinytorch.{target} is also exported by {', '.join(others)}")
    exported = [c for c in cells if c.is_export]
    check("export_cells", bool(exported), f"{len(exported)} exported cells" if exported else "no `#| export` cells")
    syntax = []
    for cell in exported:
        try:
            compile(cell.source, str(rel), "exec")
        except SyntaxError as exc:
            syntax.append(f"cell {cell.index} line {exc.lineno}: {exc.msg}")
    check("syntax", not syntax, "exported cells compile" if not syntax else "; ".join(syntax))
    markers = notebooks.solution_marker_problems(cells)
    n_solutions = notebooks.solution_regions(cells)
    check("solution_markers", not markers,
          f"{n_solutions} solution regions, balanced" if not markers else "; ".join(markers))
    n_tests = len(module.inline_tests) + len(module.test_files)
    check("tests", n_tests > 0, f"{len(module.inline_tests)} inline tests, {len(module.test_files)} test files"
          if n_tests else f"no inline tests and no tests/modules/{module.id}/test_*.py")
    unclean = notebooks.opens_clean_problems(notebooks.read_notebook(module.notebook))
    check("opens_clean", not unclean, "opens in JupyterLab unmodified" if not unclean else
          "JupyterLab would open it marked modified: " + "; ".join(unclean) + " (put these in the .ipynb file)")
    check("title", bool(notebooks.title(cells)), "has a title" if notebooks.title(cells) else "no `# Title` heading")
    import_problems = [p for p in module.problems if "imports" in p]
    check("imports", not import_problems, "imports only modules of the course" if not import_problems
          else "; ".join(import_problems))
    order = {m.id: m.number for m in course.modules}
    later = [r for r in module.requires if order[r] > module.number]
    check("order", not later, "needs only earlier modules" if not later
          else f"needs later module(s) {', '.join(later)}")
    return checks
