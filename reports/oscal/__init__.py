"""OSCAL exports of assessments (assessment results) and of sites' remediation (plan of action and
milestones); the catalog itself is compliance.oscal. Decision 0029."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time
from typing import Any, BinaryIO


class EmptyExport(ValueError):
    """The document would be empty, which OSCAL does not allow (no zone in scope, no remediation action)."""


def day(value: date) -> str:
    """An OSCAL date-time for a date we hold without a time: its start, in UTC."""
    return datetime.combine(value, time.min, tzinfo=UTC).isoformat()


def write_json(document: dict[str, Any], out: BinaryIO) -> None:
    """The document as UTF-8 JSON, indented for people who open it, keys in the order built."""
    out.write(json.dumps(document, ensure_ascii=False, indent=1).encode())
