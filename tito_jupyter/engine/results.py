"""What every operation gives back (a :class:`Result`) and how it reports progress on the way (events).

A result is plain data: ``Result.to_dict()`` is JSON, the same for the CLI's ``--json``, the REST API and
the magics. Events are small dicts (``{"event": "step", "step": "export", "state": "running"}``) handed to
an :class:`EventSink`; a face renders them live, the job runner writes them as JSON lines.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (every CLI start imports this module)
if TYPE_CHECKING:
    from typing import Any, Callable

Event = dict


@dataclass
class Result:
    """The outcome of one operation."""

    command: str
    ok: bool
    summary: str
    data: dict = field(default_factory=dict)
    error: dict | None = None
    duration: float = 0.0

    @property
    def exit_code(self) -> int:
        if self.ok:
            return 0
        return int((self.error or {}).get("exit_code", 1))

    def to_dict(self) -> dict:
        return {
            "command": self.command,
            "ok": self.ok,
            "summary": self.summary,
            "data": self.data,
            "error": self.error,
            "duration": round(self.duration, 4),
        }


class EventSink:
    """Receives progress events; faces subclass or pass a callback. The default one drops them."""

    def __init__(self, callback: Callable[[Event], Any] | None = None):
        self._callback = callback

    def emit(self, event: str, **data) -> None:
        if self._callback is not None:
            self._callback({"event": event, "time": time.time(), **data})

    # Conveniences that keep event shapes the same everywhere.
    def step(self, step: str, state: str, **data) -> None:
        """A named step of an operation changes state: ``running``, ``passed``, ``failed``, ``skipped``."""
        self.emit("step", step=step, state=state, **data)

    def progress(self, done: int, total: int, label: str = "") -> None:
        self.emit("progress", done=done, total=total, label=label)

    def log(self, message: str, level: str = "info") -> None:
        self.emit("log", message=message, level=level)


NULL_SINK = EventSink()
