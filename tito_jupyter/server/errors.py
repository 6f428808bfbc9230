"""The one shape every error of the REST API takes: a 4xx (or, for a bug, 500) with ``{message, reason}``.

Handlers never build error bodies themselves: they raise :class:`ApiError` (or let a :class:`TitoError` from the
engine through) and the base handler turns it into JSON.
"""

from __future__ import annotations

from tornado.web import HTTPError

from ..errors import TitoError

#: HTTP status for each kind of engine error; kinds not listed are failures of the work itself.
_STATUS_BY_KIND = {
    "unknown_name": 404,
    "project_not_found": 404,
    "usage_error": 400,
    "busy": 409,
}


class ApiError(HTTPError):
    """A request that cannot be answered as asked: ``status`` is the HTTP status, ``reason`` a stable word.

    It is a tornado ``HTTPError`` so that tornado answers with its status; the base handler writes the body.
    """

    def __init__(self, status: int, message: str, reason: str, **extra):
        super().__init__(status)
        self.status = status
        self.message = message
        self.reason = reason
        self.extra = extra

    def to_dict(self) -> dict:
        return {"message": self.message, "reason": self.reason, **self.extra}

    @classmethod
    def from_tito_error(cls, exc: TitoError) -> "ApiError":
        return cls.from_error_dict(exc.to_dict())

    @classmethod
    def from_error_dict(cls, error: dict) -> "ApiError":
        """An engine ``Result.error`` (``{kind, message, hint, ...}``) as an API error."""
        kind = error.get("kind") or "error"
        message = error.get("message") or "tito could not do that."
        if error.get("hint"):
            message = f"{message} {error['hint']}"
        extra = {k: error[k] for k in ("suggestion", "choices") if error.get(k) is not None}
        return cls(_STATUS_BY_KIND.get(kind, 500), message, kind, **extra)
