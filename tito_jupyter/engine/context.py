"""The context an operation runs in: which course, where events go, and who is asking."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from ..course import Course, course_folder
from .results import NULL_SINK, EventSink


@dataclass
class Context:
    """Everything an operation needs besides its own arguments.

    ``notebook_path`` is the notebook a request comes from (the magics and the sidebar know it), so that
    ``complete`` with no module name acts on that notebook's module.

    ``announce`` names where a run comes from (``"terminal"``) when a long-running command should announce itself
    in the course's runs folder, so that others follow it live (:mod:`tito_jupyter.engine.runs`); None: it is not
    announced (a server job, which the server shows itself; a test of the engine).

    ``project`` (chosen explicitly) and ``here`` (where the face stands: the notebook's folder for ``%tito``) say
    which folder is the course, by :func:`~tito_jupyter.course.course_folder`'s rule.
    """

    project: Path | str | None = None
    events: EventSink = field(default_factory=lambda: NULL_SINK)
    notebook_path: str | None = None
    timeout: float = 300.0
    announce: str | None = None
    here: Path | str | None = None

    @cached_property
    def course(self) -> Course:
        return Course.load(course_folder(self.project, self.here))
