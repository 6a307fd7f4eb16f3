"""Validators for values people type in, shared by every app's models (so forms and the API refuse the same
things with a field error). Dates: a sane calendar range, see docs/decisions/0017-date-range.md. Names and
titles: one line, no control characters."""

from __future__ import annotations

import unicodedata
from datetime import date

from django.core.exceptions import ValidationError

# Nothing in an OT security programme happens before 1900 or after 2200: a date outside is a typo (0026 for
# 2026, 9999 for "never"), and near date.min/date.max the arithmetic of timelines and periods overflows.
MIN_DATE = date(1900, 1, 1)
MAX_DATE = date(2200, 12, 31)


def date_in_range(day: date) -> bool:
    """Whether `day` lies in the range Zonewise accepts (MIN_DATE..MAX_DATE)."""
    return MIN_DATE <= day <= MAX_DATE


def clamp_date(day: date, low: date = MIN_DATE, high: date = MAX_DATE) -> date:
    """`day` moved into low..high (for drawing stored data that predates the validator)."""
    return min(max(day, low), high)


def validate_date_range(value: date) -> None:
    """A model field validator: refuse dates outside MIN_DATE..MAX_DATE."""
    if value is not None and not date_in_range(value):
        raise ValidationError(
            "Enter a date between %(low)s and %(high)s.",
            code="date_out_of_range",
            params={"low": MIN_DATE.isoformat(), "high": MAX_DATE.isoformat()},
        )


def validate_single_line(value: str) -> None:
    """A model field validator for names and titles: refuse control characters (line breaks, tabs, NUL, escape
    codes) and the Unicode line and paragraph separators. A name ends up in file names, HTTP headers, CSV
    cells, diagrams and PDF headings, where a line break or an escape code breaks or forges the output."""
    if value and any(unicodedata.category(char) in ("Cc", "Zl", "Zp") for char in value):
        raise ValidationError(
            "Control characters (line breaks, tabs and the like) are not allowed here.", code="control_characters"
        )
