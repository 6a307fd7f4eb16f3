"""Licensed text (decision 0032): the normative text and guidance of requirements, imported by an organization
that holds a licence to the IEC documents, from a CSV or JSON file it prepares itself.

The import is all-or-nothing and replaces every text the organization had: the file is the whole of what it
holds, so removing a line from the file and importing it again removes that text. Every refusal names its
line (a JSON entry's line is where the entry starts). The texts are only ever read for one organization:
`texts_of` (an assessment's organization) and `texts_for_user` (the organizations a person belongs to).
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.access import AnyUser
from compliance.choices import Part
from compliance.models import LicensedText, Requirement
from core.csvio import CONTROL_CHARACTERS, CsvImportError, LineError, check_header, read_rows

COLUMNS = ("id", "text", "guidance", "part")
REQUIRED_COLUMNS = ("id", "text")
TEXT_MAX_CHARS = 20_000  # the longest requirement with its rationale is a few thousand characters
GUIDANCE_MAX_CHARS = 20_000
NOUN = "licensed text"

__all__ = ["COLUMNS", "CsvImportError", "licensed_text_delete", "licensed_text_import", "texts_for_user", "texts_of"]


@dataclass(frozen=True)
class Entry:
    """One row of the file, as read: its line and its values (all text)."""

    line: int
    values: dict[str, str]


# --- reading the file ---------------------------------------------------------------------------------------
def _line_of(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def _skip_space(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t\r\n":
        pos += 1
    return pos


def _json_entries(text: str) -> list[Entry]:
    """The entries of a JSON list of objects, each with the line it starts on (json.loads cannot tell)."""
    decoder, entries = json.JSONDecoder(), []
    pos = _skip_space(text, 0)
    if not text.startswith("[", pos):
        raise CsvImportError([(_line_of(text, pos), 'the file must hold a JSON list: [{"id": ..., "text": ...}, ...]')])
    pos = _skip_space(text, pos + 1)
    while not text.startswith("]", pos):
        line = _line_of(text, pos)
        try:
            value, pos = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            raise CsvImportError([(exc.lineno, f"not valid JSON: {exc.msg}")]) from exc
        entries.append(Entry(line, value))
        pos = _skip_space(text, pos)
        if text.startswith(",", pos):
            pos = _skip_space(text, pos + 1)
        elif not text.startswith("]", pos):
            raise CsvImportError([(_line_of(text, pos), "not valid JSON: expected ',' or ']' after an entry")])
    if _skip_space(text, pos + 1) != len(text):
        raise CsvImportError([(_line_of(text, pos + 1), "not valid JSON: text after the end of the list")])
    if not entries:
        raise CsvImportError([(1, f"The file has no {NOUN} entries.")])
    return entries


def _json_rows(data: bytes) -> tuple[list[Entry], list[LineError]]:
    """The JSON entries as text values, and the entries refused for their shape (not an object, wrong keys)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise CsvImportError([(line, "the file is not UTF-8 text; save it as UTF-8")]) from exc
    rows, errors = [], []
    for entry in _json_entries(text):
        raw: Any = entry.values
        if not isinstance(raw, dict):
            errors.append((entry.line, 'each entry must be an object: {"id": ..., "text": ..., "guidance": ...}'))
            continue
        reasons = []
        if unknown := sorted(k for k in raw if k not in COLUMNS):
            reasons.append(f"unknown keys: {', '.join(unknown)} (allowed: {', '.join(COLUMNS)})")
        if missing := [k for k in REQUIRED_COLUMNS if k not in raw]:
            reasons.append(f"missing keys: {', '.join(missing)}")
        if not_text := sorted(k for k, v in raw.items() if k in COLUMNS and not isinstance(v, str)):
            reasons.append(f"{', '.join(not_text)} must be text")
        if bad := [k for k, v in raw.items() if isinstance(v, str) and CONTROL_CHARACTERS.search(v)]:
            reasons.append(f"{', '.join(bad)}: control characters are not allowed")
        if reasons:
            errors.append((entry.line, "; ".join(reasons)))
        else:
            rows.append(Entry(entry.line, {k: str(v).strip() for k, v in raw.items()}))
    return rows, errors


def _csv_rows(data: bytes) -> tuple[list[Entry], list[LineError]]:
    def check(header: list[str]) -> None:
        check_header(header, allowed=COLUMNS, required=REQUIRED_COLUMNS, noun=NOUN)

    rows, errors = read_rows(data, check, NOUN)
    return [Entry(line, values) for line, values in rows], errors


def is_json(data: bytes, filename: str = "") -> bool:
    """Whether the upload is JSON: by its extension, else by its first character (CSV starts with a header)."""
    name = filename.lower()
    if name.endswith((".json", ".csv")):
        return name.endswith(".json")
    return data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"[", b"{")


# --- checking and writing -------------------------------------------------------------------------------
def _parts_by_ref() -> dict[str, set[str]]:
    """Which current releases hold each id (the same id could appear in two parts)."""
    parts: dict[str, set[str]] = defaultdict(set)
    for ref, part in Requirement.objects.current().values_list("ref", "catalogue__part"):
        parts[ref].add(part)
    return parts


def _check(entry: Entry, parts: dict[str, set[str]], seen: dict[tuple[str, str], int]) -> tuple[str, list[str]]:
    """The part of the entry's requirement and the reasons to refuse the entry (none: it is good)."""
    ref, text, guidance = entry.values.get("id", ""), entry.values.get("text", ""), entry.values.get("guidance", "")
    reasons: list[str] = []
    part = entry.values.get("part", "")
    if not ref:
        reasons.append("the id is empty")
    elif part and part not in Part.values:
        reasons.append(f"unknown part {part!r} (one of {', '.join(Part.values)})")
    elif part and part not in parts.get(ref, ()):
        reasons.append(f"{ref!r} is not an id of IEC 62443-{part}")
    elif not parts.get(ref):
        reasons.append(f"unknown id {ref!r}: not in the current catalogue")
    elif not part and len(parts[ref]) > 1:
        reasons.append(f"{ref!r} is in parts {', '.join(sorted(parts[ref]))}: add a part column")
    else:
        part = part or next(iter(parts[ref]))
        if (first := seen.setdefault((part, ref), entry.line)) != entry.line:
            reasons.append(f"duplicate id {ref!r}: already on line {first}")
    if not text:
        reasons.append("the text is empty")
    elif len(text) > TEXT_MAX_CHARS:
        reasons.append(f"the text has {len(text)} characters; the limit is {TEXT_MAX_CHARS}")
    if len(guidance) > GUIDANCE_MAX_CHARS:
        reasons.append(f"the guidance has {len(guidance)} characters; the limit is {GUIDANCE_MAX_CHARS}")
    return part, reasons


def licensed_text_import(*, organization: Any, data: bytes, by: Any, filename: str = "") -> int:
    """Replace all of the organization's licensed texts with those of a CSV or JSON file (columns or keys id,
    text, guidance and, for an id in two parts, part); returns how many it holds now. Every entry is checked
    first: CsvImportError lists every refused line, and then nothing is written."""
    limit = int(settings.CSV_IMPORT_MAX_BYTES)
    if len(data) > limit:
        raise CsvImportError([(0, f"The file is {len(data)} bytes; the limit is {limit} bytes.")])
    rows, errors = _json_rows(data) if is_json(data, filename) else _csv_rows(data)
    parts = _parts_by_ref()
    seen: dict[tuple[str, str], int] = {}  # (part, id) -> the line it was first seen on
    now = timezone.now()
    texts = []
    for entry in rows:
        part, reasons = _check(entry, parts, seen)
        if reasons:
            errors.append((entry.line, "; ".join(reasons)))
            continue
        values = entry.values
        texts.append(
            LicensedText(
                organization=organization,
                part=part,
                ref=values["id"],
                text=values["text"],
                guidance=values.get("guidance", ""),
                imported_by=by,
                imported_at=now,
            )
        )
    if errors:
        raise CsvImportError(sorted(errors))
    with transaction.atomic():
        type(organization).objects.select_for_update().filter(pk=organization.pk).first()  # one import at a time
        LicensedText.objects.filter(organization=organization).delete()
        LicensedText.objects.bulk_create(texts)
    return len(texts)


@transaction.atomic
def licensed_text_delete(*, organization: Any) -> int:
    """Delete every licensed text of the organization at once (no history keeps a copy); how many went."""
    deleted, _ = LicensedText.objects.filter(organization=organization).delete()
    return deleted


# --- reading ------------------------------------------------------------------------------------------------
def texts_of(organization_id: Any, part: str = Part.SYSTEM) -> dict[str, LicensedText]:
    """One organization's texts of one part by id: for its assessments' workspace and reports (one query)."""
    return {t.ref: t for t in LicensedText.objects.filter(organization_id=organization_id, part=part)}


def texts_for_user(user: AnyUser) -> dict[tuple[str, str], list[LicensedText]]:
    """The texts of the organizations `user` belongs to, by (part, id), each naming its organization: what the
    catalogue page shows them (one query, through the permission door)."""
    texts: dict[tuple[str, str], list[LicensedText]] = defaultdict(list)
    for text in LicensedText.objects.restrict(user).select_related("organization").order_by("organization__name"):
        texts[(text.part, text.ref)].append(text)
    return texts
