"""Reading, validating and loading the catalogue data files in compliance/catalogue/.

Each part has one catalogue file (`iec62443-3-3.yaml`) and may have one guidance file beside it
(`iec62443-3-3-guidance.yaml`: our remediation advice per item id). Everything is validated before
anything is written; a bad file raises CatalogueError naming the file and the entry, and the
database is left untouched.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction

from compliance.choices import FR_CODES, ComponentType, Kind, Part

CATALOGUE_DIR = Path(__file__).resolve().parent / "catalogue"
GUIDANCE_SUFFIX = "-guidance.yaml"
MAX_GUIDANCE_CHARS = 300  # one or two sentences: a pointer to typical work, not a procedure

_ID_PATTERNS: dict[str, re.Pattern[str]] = {
    Kind.SR: re.compile(r"^SR [1-7]\.\d{1,2}$"),
    Kind.CR: re.compile(r"^CR [1-7]\.\d{1,2}$"),
    Kind.SAR: re.compile(r"^SAR [1-7]\.\d{1,2}$"),
    Kind.EDR: re.compile(r"^EDR [1-7]\.\d{1,2}$"),
    Kind.HDR: re.compile(r"^HDR [1-7]\.\d{1,2}$"),
    Kind.NDR: re.compile(r"^NDR [1-7]\.\d{1,2}$"),
    Kind.RE: re.compile(r"^(SR|CR|SAR|EDR|HDR|NDR) [1-7]\.\d{1,2} RE \d{1,2}$"),
    Kind.ZCR: re.compile(r"^ZCR [1-7](\.\d{1,2})?$"),
}
_KINDS_BY_PART: dict[str, set[str]] = {
    Part.SYSTEM: {Kind.SR, Kind.RE},
    Part.COMPONENT: {Kind.CR, Kind.SAR, Kind.EDR, Kind.HDR, Kind.NDR, Kind.RE},
    Part.RISK: {Kind.ZCR},
}
_ITEM_KEYS = {
    "id", "kind", "fr", "parent", "title", "lowest_sl", "component_types",
    "assessable", "guidance", "note", "structure_note",
}  # fmt: skip


class CatalogueError(Exception):
    """A data file that cannot be loaded; the message names the file and the entry."""

    def __init__(self, file: str, entry: str | None, message: str) -> None:
        self.file, self.entry = file, entry
        where = f"{file}: {entry}: " if entry else f"{file}: "
        super().__init__(where + message)


@dataclass(frozen=True)
class ItemData:
    ref: str
    kind: str
    fr: str | None
    parent: str | None
    title: str
    lowest_sl: int | None
    component_types: tuple[str, ...]
    assessable: bool
    guidance: str
    note: str
    structure_note: str


@dataclass
class CatalogueData:
    file: str
    part: str
    edition: str
    version: str
    sha256: str
    sources: list[str]
    frs: list[dict[str, str]] = field(default_factory=list)
    items: list[ItemData] = field(default_factory=list)


@dataclass(frozen=True)
class GuidanceData:
    """One part's guidance file: remediation advice in our own words, keyed by item id."""

    file: str
    part: str
    version: str
    texts: dict[str, str]


def read_yaml(path: Path) -> tuple[bytes, dict[str, Any]]:
    """The file's bytes (for its sha256) and its top-level mapping; CatalogueError naming the file otherwise.
    Shared with alignment.loader, whose framework files are refused the same way."""
    raw_bytes = path.read_bytes()
    try:
        # libyaml's parser when PyYAML has it (ten times faster: the test suite reloads the files after every
        # flush); the same safe constructor either way.
        doc = yaml.load(raw_bytes, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506
    except yaml.YAMLError as exc:
        raise CatalogueError(path.name, None, f"not valid YAML ({exc})") from exc
    if not isinstance(doc, dict):
        raise CatalogueError(path.name, None, "expected a mapping at the top level")
    return raw_bytes, doc


def read_file(path: Path) -> CatalogueData:
    """Parse and fully validate one data file."""
    name = path.name
    raw_bytes, doc = read_yaml(path)
    for key in ("part", "edition", "version", "items"):
        if key not in doc:
            raise CatalogueError(name, None, f"missing top-level key {key!r}")
    part = str(doc["part"])
    if part not in Part.values:
        raise CatalogueError(name, None, f"unknown part {part!r} (expected one of {', '.join(Part.values)})")
    data = CatalogueData(
        file=name,
        part=part,
        edition=str(doc["edition"]),
        version=str(doc["version"]),
        sha256=hashlib.sha256(raw_bytes).hexdigest(),
        sources=[str(s) for s in doc.get("sources") or []],
        frs=_read_frs(name, doc.get("foundational_requirements")),
    )
    if not isinstance(doc["items"], list) or not doc["items"]:
        raise CatalogueError(name, None, "'items' must be a non-empty list")
    for index, raw in enumerate(doc["items"], start=1):
        data.items.append(_read_item(name, part, index, raw))
    _check_consistency(data)
    return data


def _read_frs(name: str, raw: Any) -> list[dict[str, str]]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise CatalogueError(name, "foundational_requirements", "must be a list")
    frs = []
    for entry in raw:
        if not isinstance(entry, dict) or not {"code", "name", "abbreviation"} <= set(entry):
            raise CatalogueError(name, "foundational_requirements", f"entry {entry!r} needs code, name, abbreviation")
        if entry["code"] not in FR_CODES:
            raise CatalogueError(name, str(entry["code"]), "unknown foundational requirement code")
        frs.append({k: str(entry[k]) for k in ("code", "name", "abbreviation")})
    if [fr["code"] for fr in frs] != list(FR_CODES):
        raise CatalogueError(name, "foundational_requirements", "must list FR1 to FR7 in order")
    return frs


def _read_item(name: str, part: str, index: int, raw: Any) -> ItemData:
    if not isinstance(raw, dict) or "id" not in raw:
        raise CatalogueError(name, f"item #{index}", "must be a mapping with an 'id'")
    ref = str(raw["id"])
    unknown = set(raw) - _ITEM_KEYS
    if unknown:
        raise CatalogueError(name, ref, f"unknown keys: {', '.join(sorted(unknown))}")
    kind = str(raw.get("kind", ""))
    if kind not in _KINDS_BY_PART[part]:
        raise CatalogueError(name, ref, f"kind {kind!r} does not belong in part {part}")
    if not _ID_PATTERNS[kind].match(ref):
        raise CatalogueError(name, ref, f"id does not have the form of a {kind} id")
    title = str(raw.get("title") or "").strip()
    if not title:
        raise CatalogueError(name, ref, "title is missing")
    assessable = bool(raw.get("assessable", part != Part.RISK))
    fr = raw.get("fr")
    lowest = raw.get("lowest_sl")
    types = raw.get("component_types") or []
    if part == Part.RISK:
        if fr is not None or lowest is not None or types:
            raise CatalogueError(name, ref, "3-2 items carry no FR, level or component types")
        assessable = False
    else:
        if fr not in FR_CODES:
            raise CatalogueError(name, ref, f"fr {fr!r} is not one of FR1-FR7")
        if str(fr)[2] != ref.split(" ")[1][0]:
            raise CatalogueError(name, ref, f"id belongs under FR{ref.split(' ')[1][0]}, not {fr}")
        if assessable:
            if not isinstance(lowest, int) or isinstance(lowest, bool) or not 1 <= lowest <= 4:
                raise CatalogueError(name, ref, f"lowest_sl {lowest!r} must be an integer 1-4")
        elif lowest is not None:
            raise CatalogueError(name, ref, "a heading that is not assessable has no lowest_sl")
    if part == Part.COMPONENT and assessable:
        if not isinstance(types, list) or not types or not set(types) <= set(ComponentType.values):
            raise CatalogueError(name, ref, f"component_types {types!r} must be a non-empty list of SAR/EDR/HDR/NDR")
    elif part == Part.SYSTEM and types:
        raise CatalogueError(name, ref, "3-3 items have no component types")
    parent = raw.get("parent")
    if kind == Kind.RE and not parent:
        raise CatalogueError(name, ref, "a requirement enhancement needs a parent")
    return ItemData(
        ref=ref,
        kind=kind,
        fr=str(fr) if fr else None,
        parent=str(parent) if parent else None,
        title=title,
        lowest_sl=lowest if assessable else None,
        component_types=tuple(types),
        assessable=assessable,
        guidance=str(raw.get("guidance") or ""),
        note=str(raw.get("note") or ""),
        structure_note=str(raw.get("structure_note") or ""),
    )


def _check_consistency(data: CatalogueData) -> None:
    by_ref: dict[str, ItemData] = {}
    for item in data.items:
        if item.ref in by_ref:
            raise CatalogueError(data.file, item.ref, "duplicate id")
        by_ref[item.ref] = item
    seen: set[str] = set()
    for item in data.items:
        seen.add(item.ref)
        if item.parent is None:
            continue
        parent = by_ref.get(item.parent)
        if parent is None:
            raise CatalogueError(data.file, item.ref, f"parent {item.parent!r} is not in the file")
        if item.parent not in seen:
            raise CatalogueError(data.file, item.ref, f"parent {item.parent!r} must come before its children")
        if item.kind == Kind.RE and not item.ref.startswith(parent.ref + " RE "):
            raise CatalogueError(data.file, item.ref, f"an RE's id must extend its parent's ({parent.ref})")
        if parent.fr != item.fr:
            raise CatalogueError(data.file, item.ref, f"fr {item.fr} differs from parent {parent.ref}'s {parent.fr}")
        if item.kind == Kind.RE and parent.assessable and item.assessable:
            if item.lowest_sl is not None and parent.lowest_sl is not None and item.lowest_sl < parent.lowest_sl:
                raise CatalogueError(data.file, item.ref, "an enhancement cannot start below its parent's level")
            if not set(item.component_types) <= set(parent.component_types):
                raise CatalogueError(data.file, item.ref, "component types exceed the parent's")


def read_all(directory: Path = CATALOGUE_DIR) -> list[CatalogueData]:
    """Read and validate every catalogue file of `directory` (guidance files are read_guidance's)."""
    files = sorted(path for path in directory.glob("*.yaml") if not path.name.endswith(GUIDANCE_SUFFIX))
    if not files:
        raise CatalogueError(str(directory), None, "no catalogue data files found")
    datas = [read_file(path) for path in files]
    parts = [d.part for d in datas]
    for part in set(parts):
        if parts.count(part) > 1:
            raise CatalogueError(str(directory), None, f"more than one file for part {part}")
    return datas


def read_guidance(datas: list[CatalogueData], directory: Path = CATALOGUE_DIR) -> list[GuidanceData]:
    """Read and validate the guidance files of `directory` against the catalogue files in `datas`:
    each names a part that has a catalogue file, at most one per part, only ids of that file, and
    one non-empty text of at most MAX_GUIDANCE_CHARS per id. A part with a guidance file takes its
    guidance from there only, so an item's inline `guidance` is refused."""
    by_part = {data.part: data for data in datas}
    out: list[GuidanceData] = []
    for path in sorted(directory.glob(f"*{GUIDANCE_SUFFIX}")):
        name = path.name
        _, doc = read_yaml(path)
        for key in ("part", "version", "guidance"):
            if key not in doc:
                raise CatalogueError(name, None, f"missing top-level key {key!r}")
        part = str(doc["part"])
        catalogue = by_part.get(part)
        if catalogue is None:
            raise CatalogueError(name, None, f"part {part!r} has no catalogue file")
        if any(g.part == part for g in out):
            raise CatalogueError(name, None, f"more than one guidance file for part {part}")
        if not isinstance(doc["guidance"], dict) or not doc["guidance"]:
            raise CatalogueError(name, None, "'guidance' must be a non-empty mapping of item id to text")
        items = {item.ref: item for item in catalogue.items}
        texts: dict[str, str] = {}
        for ref, text in doc["guidance"].items():
            item = items.get(str(ref))
            if item is None:
                raise CatalogueError(name, str(ref), f"unknown id: not an item of {catalogue.file}")
            if not isinstance(text, str) or not text.strip():
                raise CatalogueError(name, item.ref, "guidance must be a non-empty text")
            text = " ".join(text.split())
            if len(text) > MAX_GUIDANCE_CHARS:
                raise CatalogueError(name, item.ref, f"{len(text)} characters; keep it to {MAX_GUIDANCE_CHARS}")
            texts[item.ref] = text
        inline = next((item.ref for item in catalogue.items if item.guidance), None)
        if inline is not None:
            raise CatalogueError(catalogue.file, inline, f"guidance belongs in {name}, not inline")
        out.append(GuidanceData(file=name, part=part, version=str(doc["version"]), texts=texts))
    return out


@dataclass
class LoadReport:
    loaded: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    guidance_updated: dict[str, int] = field(default_factory=dict)  # guidance file -> rows whose text changed


def load(datas: list[CatalogueData], guidance: list[GuidanceData] | None = None) -> LoadReport:
    """Write validated catalogue data and guidance; idempotent for unchanged files, all-or-nothing overall.

    Guidance is advice, not the standard, so it is not part of a release: a changed guidance file
    updates the requirements of every release of its part (assessments that pinned an older release
    get the better advice too) without a new catalogue version."""
    from compliance.models import Catalogue

    report = LoadReport()
    # The file that defines FR1-FR7 goes first: the others refer to them.
    ordered = sorted(datas, key=lambda d: 0 if d.frs else 1)
    with transaction.atomic():
        for data in ordered:
            existing = Catalogue.objects.filter(part=data.part, version=data.version).first()
            if existing is not None:
                if existing.sha256 != data.sha256:
                    raise CatalogueError(
                        data.file,
                        None,
                        f"content changed but version {data.version} is already loaded; bump 'version'",
                    )
                if not existing.is_current:
                    Catalogue.objects.filter(part=data.part).update(is_current=False)
                    Catalogue.objects.filter(pk=existing.pk).update(is_current=True)
                report.unchanged.append(data.file)
                continue
            _write(data, next((g.texts for g in guidance or [] if g.part == data.part), None))
            report.loaded.append(data.file)
        for g in guidance or []:
            report.guidance_updated[g.file] = _apply_guidance(g.part, g.texts)
    return report


def _apply_guidance(part: str, texts: dict[str, str]) -> int:
    """Set each requirement of `part` (every release) to its guidance text, or none when the file has
    none for it; only rows that differ are written, so an unchanged file writes nothing."""
    from compliance.models import Requirement

    stale = [
        row
        for row in Requirement.objects.filter(catalogue__part=part).only("pk", "ref", "guidance")
        if row.guidance != texts.get(row.ref, "")
    ]
    for row in stale:
        row.guidance = texts.get(row.ref, "")
    Requirement.objects.bulk_update(stale, ["guidance"], batch_size=500)
    return len(stale)


def _write(data: CatalogueData, guidance: dict[str, str] | None = None) -> None:
    from compliance.models import Catalogue, FoundationalRequirement, Requirement

    for number, fr in enumerate(data.frs, start=1):
        FoundationalRequirement.objects.update_or_create(
            code=fr["code"], defaults={"number": number, "name": fr["name"], "abbreviation": fr["abbreviation"]}
        )
    if data.part != Part.RISK and FoundationalRequirement.objects.count() != len(FR_CODES):
        raise CatalogueError(data.file, None, "the foundational requirements are not loaded (load 3-3 first)")
    Catalogue.objects.filter(part=data.part).update(is_current=False)
    catalogue = Catalogue.objects.create(
        part=data.part,
        edition=data.edition,
        version=data.version,
        sha256=data.sha256,
        source_file=data.file,
        sources=data.sources,
        is_current=True,
    )
    created: dict[str, Requirement] = {}
    for position, item in enumerate(data.items):
        created[item.ref] = Requirement.objects.create(
            catalogue=catalogue,
            ref=item.ref,
            kind=item.kind,
            fr_id=item.fr,
            parent=created[item.parent] if item.parent else None,
            title=item.title,
            lowest_sl=item.lowest_sl,
            assessable=item.assessable,
            guidance=guidance.get(item.ref, "") if guidance is not None else item.guidance,
            note=item.note,
            structure_note=item.structure_note,
            position=position,
            **{f"applies_{ct.lower()}": ct in item.component_types for ct in ComponentType.values},
        )
