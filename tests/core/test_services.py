"""The fields check every service makes."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from core.services import refuse_unknown_fields


def test_known_fields_pass() -> None:
    refuse_unknown_fields({"title": "x", "status": "open"}, ("title", "status", "owner"))
    refuse_unknown_fields({}, ())


def test_unknown_fields_are_named_sorted() -> None:
    with pytest.raises(ValidationError) as exc:
        refuse_unknown_fields({"title": "x", "zz": 1, "created_by": 2}, ["title"])
    assert exc.value.messages == ["Unknown fields: created_by, zz"]
