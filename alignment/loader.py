"""Reading, validating and loading the framework data files in alignment/frameworks/ (format: one YAML file
per framework, described in decision 0031).

Everything is validated before anything is written, against the 62443-3-3 ids of the catalogue being loaded
in the same run; a bad file raises compliance.loader.CatalogueError naming the file and the entry, exactly
as a bad catalogue file does, and `manage.py load_catalogue` then writes nothing at all.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction

from alignment.choices import Relationship
from compliance.choices import Kind, Part
from compliance.loader import CatalogueData, CatalogueError, read_yaml

FRAMEWORKS_DIR = Path(__file__).resolve().parent / "frameworks"
MAX_TITLE_CHARS = 200  # a short title in our words, never the framework's sentence
MAX_TEXT_CHARS = 600  # a rationale or a no-counterpart note: one or two sentences

_KEY = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_TOP_KEYS = {"key", "name", "short_name", "edition", "version", "url", "sources", "groups", "items"}
_REQUIRED = ("key", "name", "short_name", "edition", "version", "sources", "items")
_GROUP_KEYS = {"id", "title"}
_ITEM_KEYS = {"id", "group", "title", "mappings", "no_counterpart"}
_MAPPING_KEYS = {"iec", "relationship", "rationale", "source"}


@dataclass(frozen=True)
class MappingData:
    refs: tuple[str, ...]
    relationship: str
    rationale: str
    source: str


@dataclass(frozen=True)
class ItemData:
    ref: str
    group: str | None
    title: str
    no_counterpart: str
    mappings: tuple[MappingData, ...]


@dataclass
class FrameworkData:
    """One validated framework file."""

    file: str
    key: str
    name: str
    short_name: str
    edition: str
    version: str
    url: str
    sha256: str
    sources: dict[str, str]
    groups: list[tuple[str, str]] = field(default_factory=list)
    items: list[ItemData] = field(default_factory=list)


def system_refs(datas: list[CatalogueData]) -> frozenset[str]:
    """The SR and RE ids of the 62443-3-3 file among `datas`: what a mapping may name."""
    return frozenset(
        item.ref for data in datas if data.part == Part.SYSTEM for item in data.items if item.kind in (Kind.SR, Kind.RE)
    )


def _text(name: str, entry: str | None, raw: dict[str, Any], key: str, limit: int | None = None) -> str:
    value = raw.get(key)
    if not isinstance(value, str | int | float) or isinstance(value, bool) or not str(value).strip():
        raise CatalogueError(name, entry, f"{key!r} is missing or empty")
    text = " ".join(str(value).split())
    if limit is not None and len(text) > limit:
        raise CatalogueError(name, entry, f"{key!r} has {len(text)} characters; keep it to {limit}")
    return text


def read_framework(path: Path, known_refs: frozenset[str]) -> FrameworkData:
    """Parse and fully validate one framework file against the 62443-3-3 ids in `known_refs`."""
    name = path.name
    raw_bytes, doc = read_yaml(path)
    unknown = set(doc) - _TOP_KEYS
    if unknown:
        raise CatalogueError(name, None, f"unknown top-level keys: {', '.join(sorted(map(str, unknown)))}")
    for key in _REQUIRED:
        if key not in doc:
            raise CatalogueError(name, None, f"missing top-level key {key!r}")
    key = str(doc["key"])
    if not _KEY.match(key) or len(key) > 40:
        raise CatalogueError(name, None, f"key {key!r} must be lower-case letters, digits and hyphens")
    if path.stem != key:
        raise CatalogueError(name, None, f"key {key!r} must equal the file name ({path.stem})")
    sources = doc["sources"]
    if not isinstance(sources, dict) or not sources:
        raise CatalogueError(name, "sources", "must be a non-empty mapping of source key to citation")
    data = FrameworkData(
        file=name,
        key=key,
        name=_text(name, None, doc, "name", MAX_TITLE_CHARS),
        short_name=_text(name, None, doc, "short_name", 60),
        edition=_text(name, None, doc, "edition", MAX_TITLE_CHARS),
        version=_text(name, None, doc, "version", 30),
        url=str(doc.get("url") or ""),
        sha256=hashlib.sha256(raw_bytes).hexdigest(),
        sources={str(k): _text(name, f"sources: {k}", sources, k) for k in sources},
        groups=_read_groups(name, doc.get("groups")),
    )
    if not isinstance(doc["items"], list) or not doc["items"]:
        raise CatalogueError(name, None, "'items' must be a non-empty list")
    group_ids = {ref for ref, _ in data.groups}
    seen: set[str] = set()
    for index, raw in enumerate(doc["items"], start=1):
        item = _read_item(name, index, raw, group_ids, data.sources, known_refs)
        if item.ref in seen:
            raise CatalogueError(name, item.ref, "duplicate id")
        seen.add(item.ref)
        data.items.append(item)
    return data


def _read_groups(name: str, raw: Any) -> list[tuple[str, str]]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise CatalogueError(name, "groups", "must be a list")
    groups: list[tuple[str, str]] = []
    for index, entry in enumerate(raw, start=1):
        if not isinstance(entry, dict) or "id" not in entry:
            raise CatalogueError(name, f"group #{index}", "must be a mapping with an 'id'")
        ref = str(entry["id"])
        if set(entry) - _GROUP_KEYS:
            raise CatalogueError(name, f"group {ref}", f"unknown keys: {', '.join(sorted(set(entry) - _GROUP_KEYS))}")
        if any(ref == existing for existing, _ in groups):
            raise CatalogueError(name, f"group {ref}", "duplicate group id")
        groups.append((ref, _text(name, f"group {ref}", entry, "title", MAX_TITLE_CHARS)))
    return groups


def _read_item(
    name: str, index: int, raw: Any, groups: set[str], sources: dict[str, str], known: frozenset[str]
) -> ItemData:
    if not isinstance(raw, dict) or "id" not in raw:
        raise CatalogueError(name, f"item #{index}", "must be a mapping with an 'id'")
    ref = str(raw["id"]).strip()
    unknown = set(raw) - _ITEM_KEYS
    if unknown:
        raise CatalogueError(name, ref, f"unknown keys: {', '.join(sorted(map(str, unknown)))}")
    if not ref or len(ref) > 60:
        raise CatalogueError(name, f"item #{index}", "id must be 1-60 characters")
    title = _text(name, ref, raw, "title", MAX_TITLE_CHARS)
    group = raw.get("group")
    if group is not None and str(group) not in groups:
        raise CatalogueError(name, ref, f"group {group!r} is not one of the file's groups")
    mappings, no_counterpart = raw.get("mappings"), raw.get("no_counterpart")
    if mappings and no_counterpart is not None:
        raise CatalogueError(name, ref, "has both 'mappings' and 'no_counterpart'; give one")
    if not mappings and no_counterpart is None:
        raise CatalogueError(name, ref, "needs 'mappings' or, when nothing in 62443-3-3 maps, 'no_counterpart'")
    if mappings is not None and not isinstance(mappings, list):
        raise CatalogueError(name, ref, "'mappings' must be a list")
    return ItemData(
        ref=ref,
        group=str(group) if group is not None else None,
        title=title,
        no_counterpart=_text(name, ref, raw, "no_counterpart", MAX_TEXT_CHARS) if no_counterpart is not None else "",
        mappings=tuple(
            _read_mapping(name, f"{ref} mapping #{n}", m, sources, known) for n, m in enumerate(mappings or [], 1)
        ),
    )


def _read_mapping(name: str, entry: str, raw: Any, sources: dict[str, str], known: frozenset[str]) -> MappingData:
    if not isinstance(raw, dict):
        raise CatalogueError(name, entry, "must be a mapping with iec, relationship, rationale and source")
    unknown = set(raw) - _MAPPING_KEYS
    if unknown:
        raise CatalogueError(name, entry, f"unknown keys: {', '.join(sorted(map(str, unknown)))}")
    refs = raw.get("iec")
    if not isinstance(refs, list) or not refs:
        raise CatalogueError(name, entry, "'iec' must be a non-empty list of 62443-3-3 ids")
    clean = [" ".join(str(r).split()) for r in refs]
    for ref in clean:
        if ref not in known:
            raise CatalogueError(name, entry, f"{ref!r} is not an SR or RE of the IEC 62443-3-3 catalogue")
        if clean.count(ref) > 1:
            raise CatalogueError(name, entry, f"{ref!r} is listed twice")
    relationship = str(raw.get("relationship", ""))
    if relationship not in Relationship.values:
        raise CatalogueError(
            name, entry, f"relationship {relationship!r} is not one of {', '.join(Relationship.values)}"
        )
    source = str(raw.get("source", ""))
    if source not in sources:
        raise CatalogueError(name, entry, f"source {source!r} is not a key of 'sources'")
    return MappingData(tuple(clean), relationship, _text(name, entry, raw, "rationale", MAX_TEXT_CHARS), source)


def read_frameworks(known_refs: frozenset[str], directory: Path = FRAMEWORKS_DIR) -> list[FrameworkData]:
    """Read and validate every framework file of `directory` (none when the folder does not exist)."""
    if not directory.is_dir():
        return []
    return [read_framework(path, known_refs) for path in sorted(directory.glob("*.yaml"))]


@dataclass
class FrameworkLoadReport:
    loaded: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def load_frameworks(datas: list[FrameworkData]) -> FrameworkLoadReport:
    """Write validated frameworks; idempotent for unchanged files, all-or-nothing overall. A new data version
    replaces the framework's groups, items and mappings; changed content under a loaded version is refused."""
    from alignment.models import Framework

    report = FrameworkLoadReport()
    with transaction.atomic():
        for data in datas:
            existing = Framework.objects.filter(key=data.key).first()
            if existing is not None and existing.version == data.version:
                if existing.sha256 != data.sha256:
                    raise CatalogueError(
                        data.file, None, f"content changed but version {data.version} is already loaded; bump 'version'"
                    )
                report.unchanged.append(data.file)
                continue
            _write(data, existing)
            report.loaded.append(data.file)
    return report


def _write(data: FrameworkData, framework: Any) -> None:
    from alignment.models import Framework, FrameworkGroup, FrameworkItem, Mapping, MappingTarget

    fields = {
        "name": data.name, "short_name": data.short_name, "edition": data.edition, "version": data.version,
        "url": data.url, "sources": data.sources, "source_file": data.file, "sha256": data.sha256,
    }  # fmt: skip
    if framework is None:
        framework = Framework.objects.create(key=data.key, **fields)
    else:
        for name, value in fields.items():
            setattr(framework, name, value)
        framework.save()
        framework.items.all().delete()  # their mappings and targets go with them
        framework.groups.all().delete()
    groups = {
        ref: FrameworkGroup(framework=framework, ref=ref, title=title, position=n)
        for n, (ref, title) in enumerate(data.groups)
    }
    FrameworkGroup.objects.bulk_create(groups.values())
    items, mappings, targets = [], [], []
    for position, item in enumerate(data.items):
        row = FrameworkItem(
            framework=framework,
            group=groups[item.group] if item.group else None,
            ref=item.ref,
            title=item.title,
            no_counterpart=item.no_counterpart,
            position=position,
        )
        items.append(row)
        for n, m in enumerate(item.mappings):
            mapping = Mapping(item=row, relationship=m.relationship, rationale=m.rationale, source=m.source, position=n)
            mappings.append(mapping)
            targets += [MappingTarget(mapping=mapping, ref=ref, position=k) for k, ref in enumerate(m.refs)]
    FrameworkItem.objects.bulk_create(items, batch_size=500)
    Mapping.objects.bulk_create(mappings, batch_size=500)
    MappingTarget.objects.bulk_create(targets, batch_size=500)
