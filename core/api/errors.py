"""The HTTP side of optimistic concurrency and of refused writes: the status codes, If-Match and ETags.

One contract for every writable endpoint: a write to a versioned object names the version it is based on
(`If-Match: "<version>"`); without it the answer is 428, with a stale one 412 carrying what is saved now
under "current" and its ETag, so the client can show the other person's change instead of overwriting it.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import OperationalError
from rest_framework import status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback


class Conflict(APIException):
    """The request is sound but the object's state forbids it (deleting what an assessment refers to)."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = "This object is still in use."
    default_code = "in_use"


class PreconditionFailed(APIException):
    """The If-Match header names no version of this API (a stale version gets `stale_response`)."""

    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "This object was changed by someone else since you read it; fetch it again."
    default_code = "stale"


class PreconditionRequired(APIException):
    """A write to a versioned object came without If-Match: the server cannot tell it is not stale."""

    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_detail = 'This write needs an If-Match header with the ETag you read (e.g. If-Match: "3").'
    default_code = "precondition_required"


class PayloadTooLarge(APIException):
    """An upload over the size limit (core.uploads.EvidenceTooLarge)."""

    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The upload is too large."
    default_code = "too_large"


STALE_DETAIL = "Someone else changed this since you read it; nothing was saved."


def etag(version: int) -> str:
    """The ETag of a version, as sent in `ETag` and expected back in `If-Match`."""
    return f'"{version}"'


def expected_version(request: Request) -> int | None:
    """The version a write is based on, from `If-Match: "<version>"` (None when absent or `*`).

    A weak ETag (`W/"3"`) is refused with 412: If-Match compares strongly (RFC 9110, 13.1.1), so a weak
    tag never matches, and our ETags are strong; taking it as "3" would let a client skip the contract."""
    header = request.headers.get("If-Match", "").strip()
    if not header or header == "*":
        return None
    if header.startswith("W/"):
        raise PreconditionFailed(
            f'If-Match {header!r} is a weak ETag; a write needs the strong ETag you read, e.g. If-Match: "3".'
        )
    value = header.strip('"')
    if not value.isdigit():
        raise PreconditionFailed(f"If-Match {header!r} is not an ETag of this API.")
    return int(value)


def required_version(request: Request) -> int:
    """The version from If-Match; a write to a versioned object without one is refused (428)."""
    version = expected_version(request)
    if version is None:
        raise PreconditionRequired()
    return version


def with_etag(response: Response, version: int | None) -> Response:
    """`response` with the ETag of `version` (unchanged for objects without a version)."""
    if version is not None:
        response["ETag"] = etag(version)
    return response


def stale_response(current: dict[str, Any], version: int) -> Response:
    """412 with what is saved now (under "current") and its ETag: nothing of the write was kept."""
    set_rollback()  # the write failed as a whole, also inside a request-wide transaction
    body = {"detail": STALE_DETAIL, "current": current}
    return with_etag(Response(body, status=status.HTTP_412_PRECONDITION_FAILED), version)


# --- a database too busy to take the write (issue 14) ---------------------------------------------------
# How long a client should wait before trying a refused write again: SQLite's write lock is held for at
# most a few seconds (a large import writes in one short transaction, core.csvio.ImportBatch).
BUSY_RETRY_AFTER_SECONDS = 5
BUSY_DETAIL = (
    "The database is busy with another change (a large import, perhaps); nothing was saved. Try again in a few seconds."
)
# SQLite's messages when its write lock (or, in shared cache, a table lock) could not be had in time.
_SQLITE_BUSY = ("database is locked", "database table is locked")
# PostgreSQL: lock_not_available (lock_timeout), serialization_failure, deadlock_detected. Each means the
# write lost a race for a lock and may succeed when sent again.
_POSTGRES_BUSY = frozenset({"55P03", "40001", "40P01"})


def database_busy(exc: BaseException) -> bool:
    """Whether `exc` is a write that could not get its lock in time: worth retrying, not a server fault."""
    if not isinstance(exc, OperationalError):
        return False
    if getattr(exc.__cause__, "sqlstate", None) in _POSTGRES_BUSY:
        return True
    return any(message in str(exc) for message in _SQLITE_BUSY)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, plus model and service ValidationErrors as 400s naming their fields like DRF's own,
    and a write the database was too busy to take as 503 with Retry-After (never a 500)."""
    if database_busy(exc):
        set_rollback()
        headers = {"Retry-After": str(BUSY_RETRY_AFTER_SECONDS)}
        return Response({"detail": BUSY_DETAIL}, status=status.HTTP_503_SERVICE_UNAVAILABLE, headers=headers)
    if isinstance(exc, DjangoValidationError):
        detail: Any = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = ValidationError(detail=detail)
    return drf_exception_handler(exc, context)
