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


def _entries(path) -> list[dict]:
    """The whole entries of the log: a line cut short by a crash, or edited by hand into something that is not
    an entry (JSON, but no command name), is skipped, so a damaged log never breaks `tito system info`."""
    entries = []
    if path.is_file():
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if isinstance(entry, dict) and isinstance(entry.get("command"), str):
                entries.append(entry)
    return entries


def _seconds(entry: dict) -> float | None:
    value = entry.get("seconds")
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def summary(course: Course) -> dict:
    path = course.state_dir / LOG
    entries = _entries(path)
    commands = Counter(e["command"] for e in entries)
    errors = Counter(e["error"] for e in entries if isinstance(e.get("error"), str))
    seconds: dict[str, list[float]] = {}
    for e in entries:
        if _seconds(e) is not None:
            seconds.setdefault(e["command"], []).append(_seconds(e))
    return {
        "enabled": enabled(course),
        "file": str(path),
        "entries": len(entries),
        "commands": [{"command": c, "runs": n,
                      "mean_seconds": round(sum(seconds[c]) / len(seconds[c]), 4) if seconds.get(c) else None}
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
