"""An opt-in, local usage log: command names, durations and error kinds, in ``.tito/usage.jsonl``.

Off by default. Nothing else is written (no arguments, no paths, no code) and nothing leaves the machine;
``tito system info`` summarises it, and ``tito system log off`` stops it.
"""

from __future__ import annotations

import json
import time
from collections import Counter

from ..course import Course
from . import files
from .context import Context
from .results import Result

CONFIG = "config.json"
LOG = "usage.jsonl"


def _config(course: Course) -> dict:
    try:
        return json.loads((course.state_dir / CONFIG).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def enabled(course: Course) -> bool:
    return bool(_config(course).get("usage_log"))


def record(ctx: Context, command: str, result: Result) -> None:
    course = ctx.course
    if not enabled(course):
        return
    entry = {"at": round(time.time(), 3), "command": command, "ok": result.ok,
             "seconds": round(result.duration, 4), "error": (result.error or {}).get("kind")}
    with open(course.state_dir / LOG, "a", encoding="utf-8", newline="\n") as f:
        f.write(json.dumps(entry) + "\n")


def summary(course: Course) -> dict:
    path = course.state_dir / LOG
    entries = []
    if path.is_file():
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                entries.append(json.loads(line))
            except ValueError:
                continue
    commands = Counter(e["command"] for e in entries)
    errors = Counter(e["error"] for e in entries if e.get("error"))
    seconds: dict[str, list[float]] = {}
    for e in entries:
        seconds.setdefault(e["command"], []).append(e.get("seconds", 0.0))
    return {
        "enabled": enabled(course),
        "file": str(path),
        "entries": len(entries),
        "commands": [{"command": c, "runs": n, "mean_seconds": round(sum(seconds[c]) / n, 4)}
                     for c, n in commands.most_common()],
        "errors": dict(errors),
    }


def configure(ctx: Context, action: str = "status") -> Result:
    course = ctx.course
    if action in ("on", "off"):
        config = _config(course)
        config["usage_log"] = action == "on"
        files.atomic_write_json(course.state_dir / CONFIG, config)
    info = summary(course)
    state = "on" if info["enabled"] else "off"
    return Result(command="system.log", ok=True,
                  summary=f"The usage log is {state} ({info['entries']} entries in {LOG}; it stays on this machine).",
                  data=info)
