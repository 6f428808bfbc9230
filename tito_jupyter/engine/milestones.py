"""Milestones: history reproduced with the student's own framework (1957 perceptron, 1969 XOR, 1986 MLP).

A milestone is a script, ``milestones/YYYY_name/run.py``, that uses only ``tinytorch`` (and NumPy). It runs in
a subprocess against the course's package, with a timeout; its output streams as log events, and a last
line of JSON (``{"accuracy": 0.93, ...}``) becomes the milestone's figures. It counts as achieved when the
script exits 0.
"""

from __future__ import annotations

import json
import os
import sys

from . import processes
from .context import Context
from .progress import ProgressStore, unlock_state
from .results import Result

DEFAULT_TIMEOUT = 600.0


def list_milestones(ctx: Context) -> Result:
    course = ctx.course
    progress = ProgressStore(course).read()
    rows = []
    for ms in course.milestones:
        recorded = progress.get("milestones", {}).get(ms.id, {})
        last = recorded.get("last_run")
        state, missing = unlock_state(ms.requires, progress, last, passed="achieved")
        rows.append({**ms.to_dict(course.root), "state": state, "missing_modules": missing, "last_run": last})
    achieved = sum(1 for r in rows if r["state"] == "achieved")
    return Result(command="milestone.list", ok=True, summary=f"{achieved} of {len(rows)} milestones achieved.",
                  data={"milestones": rows})


def run(ctx: Context, milestone: str, timeout: float | None = None) -> Result:
    course = ctx.course
    ms = course.milestone(milestone)
    timeout = timeout or DEFAULT_TIMEOUT
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(course.root), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env["PYTHONUNBUFFERED"] = "1"
    ctx.events.step("milestone", "running", milestone=ms.id)
    lines: list[str] = []

    def take(line: str) -> None:
        lines.append(line)
        ctx.events.log(line)

    # Ctrl-C, SIGTERM or a cancelled job stop the script's whole tree on their way out (processes.run).
    finished = processes.run([sys.executable, str(ms.script)], cwd=ms.script.parent, env=env, timeout=timeout,
                             on_line=take)
    code, timed_out = finished.exit_code, finished.timed_out
    seconds = finished.seconds
    metrics = None
    for line in reversed(lines):
        if line.startswith("{"):
            try:
                metrics = json.loads(line)
            except ValueError:
                pass
            break
    ok = code == 0 and not timed_out
    ProgressStore(course).record_milestone(ms.id, ok, metrics, seconds)
    if timed_out:
        summary = f"Milestone {ms.id} timed out after {timeout:.0f} s."
    elif ok:
        summary = f"Milestone {ms.id} achieved in {seconds:.1f} s" + (
            ": " + ", ".join(f"{k} {v}" for k, v in metrics.items() if k not in ("milestone",)) if metrics else ".")
    else:
        tail = next((line for line in reversed(lines) if line.strip()), "")
        summary = f"Milestone {ms.id} failed (exit code {code}): {tail}"
    ctx.events.step("milestone", "passed" if ok else "failed", milestone=ms.id, message=summary)
    return Result(command="milestone.run", ok=ok, summary=summary,
                  data={"milestone": ms.id, "exit_code": code, "timed_out": timed_out, "seconds": round(seconds, 3),
                        "metrics": metrics, "output": lines[-200:]})
