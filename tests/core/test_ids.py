"""Reading public identifiers from user input."""

from __future__ import annotations

import uuid

import pytest

from core.ids import is_uuid, parse_uuid

ID = uuid.UUID("6f1c2a7e-1d2b-4c3a-9e8f-0a1b2c3d4e5f")


@pytest.mark.parametrize("text", [str(ID), str(ID).upper(), ID.hex])
def test_a_uuid_in_any_usual_spelling_is_read(text: str) -> None:
    assert parse_uuid(text) == ID
    assert is_uuid(text)


@pytest.mark.parametrize("text", [None, "", "42", "not-a-uuid", str(ID)[:-1]])
def test_anything_else_is_none_not_an_error(text: str | None) -> None:
    assert parse_uuid(text) is None
    assert not is_uuid(text or "")
