"""Reading our public identifiers (UUIDs) from user input: query strings, posted forms, API parameters."""

from __future__ import annotations

import uuid


def parse_uuid(value: str | None) -> uuid.UUID | None:
    """`value` as a UUID, or None when it is absent or malformed (a filter to ignore, not an error)."""
    try:
        return uuid.UUID(value) if value else None
    except ValueError:
        return None


def is_uuid(value: str) -> bool:
    """Whether `value` spells a UUID."""
    return parse_uuid(value) is not None
