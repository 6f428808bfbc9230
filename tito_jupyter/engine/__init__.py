"""The engine: every tito operation, once. Faces call :func:`run` and render the :class:`Result`.

Nothing here imports Jupyter's server, and nothing prints: operations report through events.
"""

from __future__ import annotations

import importlib
import time

from ..commands import Command, find
from ..errors import TitoError, UsageError
from . import runs, usage_log
from .context import Context
from .files import atomic_write_text, refused_by_file_system
from .results import EventSink, Result

__all__ = ["Context", "EventSink", "Result", "run"]


def run(command: str | Command, args: dict | None = None, ctx: Context | None = None) -> Result:
    """Run one command with keyword ``args``; expected failures become a failed Result, never an exception."""
    spec = command if isinstance(command, Command) else find(command)
    ctx = ctx or Context()
    args = {k: v for k, v in (args or {}).items() if v is not None}
    started = time.monotonic()
    announcement = None
    faces_events = ctx.events
    try:
        args = _checked_args(spec, args)
        module_name, func_name = spec.target.split(":")
        func = getattr(importlib.import_module(module_name), func_name)
        announcement = _announce(spec, args, ctx)
        if announcement is not None:
            ctx.events = announcement.sink(faces_events)
        result = func(ctx, **args)
    except TitoError as exc:
        result = _failed(spec, exc)
    except KeyboardInterrupt as exc:  # Ctrl-C, or SIGTERM/SIGHUP (processes.Stopped): children are stopped by now
        why = f"Stopped ({exc.args[0]})." if getattr(exc, "signum", None) else "Stopped (interrupted)."
        result = Result(command=spec.name, ok=False, summary=why,
                        error={"kind": "interrupted", "message": why, "exit_code": getattr(exc, "exit_code", 130)})
    except Exception as exc:
        refused = refused_by_file_system(exc)  # a read-only folder is the course's state, not a bug: say which
        result = _failed(spec, refused) if refused is not None else _internal_error(spec, ctx, exc)
    finally:
        ctx.events = faces_events
    result.duration = time.monotonic() - started
    if announcement is not None:
        announcement.finish(result)
    _log_usage(ctx, spec, result)
    return result


def _announce(spec: Command, args: dict, ctx: Context):
    """The run file of this run if it should have one (a long-running command, and a face that asks for it)."""
    if not ctx.announce or not spec.long_running:
        return None
    try:
        return runs.announce(ctx.course.state_dir, spec.name, args, ctx.announce)
    except Exception:  # no course (the command will say so itself), an unreadable one: run unannounced
        return None


def _failed(spec: Command, exc: TitoError) -> Result:
    message = exc.message + (f" {exc.hint}" if exc.hint else "")
    return Result(command=spec.name, ok=False, summary=message, error={**exc.to_dict(), "exit_code": exc.exit_code})


def _internal_error(spec: Command, ctx: Context, exc: Exception) -> Result:
    """A bug in tito: say so in a sentence, keep the traceback in a file (call it while handling ``exc``)."""
    where = _save_traceback(ctx)
    message = f"tito hit an internal error ({type(exc).__name__}: {exc})."
    hint = f"The details are in {where}; please report them." if where else "Please report this."
    return Result(command=spec.name, ok=False, summary=f"{message} {hint}",
                  error={"kind": "internal", "message": message, "hint": hint, "exit_code": 1})


def _checked_args(spec: Command, args: dict) -> dict:
    """``args`` after the command table's rules (a timeout of 0 or NaN is refused, not taken as the default)."""
    by_name = {arg.name: arg for arg in spec.args}
    checked = {}
    for name, value in args.items():
        arg = by_name.get(name)
        try:
            checked[name] = arg.check(value) if arg else value
        except ValueError as exc:
            raise UsageError(f"{arg.label} {exc}", hint=f"See `tito {' '.join(spec.path)} --help`.") from None
    return checked


def _save_traceback(ctx: Context) -> str | None:
    try:
        folder = ctx.course.state_dir / "logs"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "last-error.txt"
        import traceback  # only when a bug is being reported

        atomic_write_text(path, traceback.format_exc())
        return str(path)
    except Exception:
        return None


def _log_usage(ctx: Context, spec: Command, result: Result) -> None:
    try:
        usage_log.record(ctx, spec.name, result)
    except Exception:  # the usage log must never break a command
        pass
