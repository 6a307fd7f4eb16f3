"""SL vectors: the API object form, the compact notation, and refusals that name the FR and value."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from compliance.sl import SLVector, SLVectorError

levels = st.tuples(*[st.integers(0, 4)] * 7)


def test_api_form_round_trip() -> None:
    data = {"FR1": 2, "FR2": 2, "FR3": 1, "FR4": 1, "FR5": 3, "FR6": 1, "FR7": 2}
    vector = SLVector.from_mapping(data)
    assert vector.to_dict() == data
    assert vector.compact() == "{2,2,1,1,3,1,2}"


@pytest.mark.parametrize("text", ["{2,2,1,1,3,1,2}", "2,2,1,1,3,1,2", "{2 2 1 1 3 1 2}", " { 2, 2,1,1,3,1,2 } "])
def test_compact_notation(text: str) -> None:
    assert SLVector.parse(text) == SLVector.of(2, 2, 1, 1, 3, 1, 2)


@pytest.mark.parametrize(
    ("data", "key", "message"),
    [
        (
            {"FR1": 5, "FR2": 0, "FR3": 0, "FR4": 0, "FR5": 0, "FR6": 0, "FR7": 0},
            "FR1",
            "FR1 must be between 0 and 4, not 5",
        ),
        (
            {"FR1": 0, "FR2": 0, "FR3": -1, "FR4": 0, "FR5": 0, "FR6": 0, "FR7": 0},
            "FR3",
            "FR3 must be between 0 and 4, not -1",
        ),
        (
            {"FR1": 0, "FR2": "2", "FR3": 0, "FR4": 0, "FR5": 0, "FR6": 0, "FR7": 0},
            "FR2",
            "FR2 must be an integer 0-4, not '2'",
        ),
        (
            {"FR1": 0, "FR2": 1.5, "FR3": 0, "FR4": 0, "FR5": 0, "FR6": 0, "FR7": 0},
            "FR2",
            "FR2 must be an integer 0-4, not 1.5",
        ),
        ({"FR1": 0, "FR2": True, "FR3": 0, "FR4": 0, "FR5": 0, "FR6": 0, "FR7": 0}, "FR2", "not True"),
        ({"FR1": 0, "FR2": 0, "FR3": 0, "FR4": 0, "FR5": 0, "FR6": 0}, "FR7", "FR7 is missing"),
        (
            {"FR1": 0, "FR2": 0, "FR3": 0, "FR4": 0, "FR5": 0, "FR6": 0, "FR7": 0, "FR8": 1},
            "__all__",
            "unknown keys: FR8",
        ),
    ],
)
def test_bad_objects_are_refused_naming_fr_and_value(data: dict[str, object], key: str, message: str) -> None:
    with pytest.raises(SLVectorError) as excinfo:
        SLVector.from_mapping(data)
    assert message in excinfo.value.errors[key]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{2,2,1}", "expected 7 values"),
        ("{2,2,1,1,9,1,2}", "FR5 must be between 0 and 4, not 9"),
        ("{2,x,1,1,3,1,2}", "FR2 must be an integer 0-4, not 'x'"),
    ],
)
def test_bad_compact_notation(text: str, message: str) -> None:
    with pytest.raises(SLVectorError, match=message):
        SLVector.parse(text)


def test_not_an_object() -> None:
    with pytest.raises(SLVectorError, match="expected an object"):
        SLVector.from_mapping([1, 2, 3])


@given(levels)
def test_parse_of_compact_is_identity(values: tuple[int, ...]) -> None:
    vector = SLVector(values)  # type: ignore[arg-type]
    assert SLVector.parse(vector.compact()) == vector
    assert SLVector.from_mapping(vector.to_dict()) == vector


@given(levels, levels)
def test_frs_below_and_gap_agree(a: tuple[int, ...], b: tuple[int, ...]) -> None:
    capability, target = SLVector(a), SLVector(b)  # type: ignore[arg-type]
    gap = capability.gap_to(target)
    assert set(capability.frs_below(target)) == {fr for fr, g in gap.items() if g > 0}
    assert all(g >= 0 for g in gap)
    assert capability.meets(target) == (gap.max_level == 0)
