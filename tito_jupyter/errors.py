"""The errors tito raises on purpose: each says what is wrong and what to do next.

Faces turn them into a sentence (CLI, magics), a JSON body (REST) or a notice (sidebar); none of them
shows a traceback for these.
"""

from __future__ import annotations


class TitoError(Exception):
    """An expected failure with a message for people and an optional hint on what to do next."""

    kind = "error"
    #: The CLI exit code: 1 for work that failed, 2 for a request that was wrong.
    exit_code = 1

    def __init__(self, message: str, hint: str | None = None, **details):
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.details = details

    def to_dict(self) -> dict:
        return {"kind": self.kind, "message": self.message, "hint": self.hint, **self.details}


class UsageError(TitoError):
    """The request itself was wrong (an unknown module, a bad option)."""

    kind = "usage_error"
    exit_code = 2


class UnknownNameError(UsageError):
    """A module or checkpoint name that the course does not have."""

    kind = "unknown_name"


class ProjectNotFound(UsageError):
    """No course here."""

    kind = "project_not_found"
