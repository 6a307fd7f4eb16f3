"""A refused request is one log line, not a traceback: who asked for what, and why it was refused."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied, SuspiciousOperation

REFUSALS = (PermissionDenied, SuspiciousOperation)


def _who(request: Any) -> str:
    user = getattr(request, "user", None)  # absent when the refusal came before the authentication middleware
    try:
        return user.get_username() if user is not None and user.is_authenticated else "anonymous"
    except Exception:  # noqa: BLE001 - logging a refusal must never fail (the session store may be the problem)
        return "unknown"


def _escaped(text: str) -> str:
    return text.encode("unicode_escape").decode("ascii")


class OneLineRefusal(logging.Filter):
    """Rewrites the record of a refused request (403, or a 400 for a suspicious one) into one line, "403 GET
    /path by alice: reason", and drops the traceback Django attaches: a refusal is the permission door
    working, not a fault to debug. Other records pass unchanged. Idempotent: it may sit on a logger and on a
    handler the same record passes through."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        request = getattr(record, "request", None)
        if getattr(record, "one_line", False) or status is None or request is None or not 400 <= status < 500:
            return True
        exc = record.exc_info[1] if record.exc_info else None
        if exc is None and status != 403:
            return True  # a 404 or a form's 400 is already one line, and no refusal
        if exc is not None and not isinstance(exc, REFUSALS):
            return True
        kind = type(exc).__name__ if exc is not None else "Forbidden"
        reason = str(exc) if exc is not None and str(exc) else "no reason given"
        record.msg = "%s %s %s by %s refused (%s): %s"
        # The path and the reason may carry what the client sent: escaped, as Django does, to stay one line.
        record.args = (
            status,
            getattr(request, "method", "?"),
            _escaped(getattr(request, "path", "?")),
            _escaped(_who(request)),
            kind,
            _escaped(reason),
        )
        record.exc_info = None
        record.exc_text = None
        record.one_line = True
        return True
