"""CSV import and export of a site's assets, for the inventories people keep in spreadsheets.

Import is all-or-nothing: every row is checked first and every problem is reported with its line, so the
user fixes the file in one pass; nothing is written unless the whole file is good.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction

from compliance.sl import SLVector, SLVectorError
from zones.choices import AssetRole, CapabilitySource, ComponentType, Criticality
from zones.models import Asset, Site, Zone

# fmt: off
ASSET_CSV_COLUMNS: tuple[str, ...] = (
    "zone", "name", "tag", "component_type", "role", "vendor", "model", "firmware",
    "network_addresses", "sl_capability", "sl_capability_source", "end_of_support", "legacy", "criticality",
)
# fmt: on
REQUIRED_COLUMNS = ("zone", "name", "component_type")
_TEXT_COLUMNS = ("name", "tag", "vendor", "model", "firmware", "network_addresses")
_CHOICES: dict[str, type[models.TextChoices]] = {
    "component_type": ComponentType,
    "role": AssetRole,
    "sl_capability_source": CapabilitySource,
    "criticality": Criticality,
}
_EMPTY_CHOICE = {"role": AssetRole.OTHER.value, "criticality": Criticality.MEDIUM.value, "sl_capability_source": ""}
_BOOLEANS = {"yes": True, "true": True, "1": True, "no": False, "false": False, "0": False, "": False}
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class CsvImportError(Exception):
    """A file that cannot be imported; `errors` lists (line, reason), line 1 being the header."""

    def __init__(self, errors: list[tuple[int, str]]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"line {line}: {reason}" for line, reason in errors))


@dataclass
class ImportResult:
    created: int
    updated: int


def export_assets_csv(site: Site) -> str:
    """The site's assets as CSV text (header + one row per asset), in the format `import_assets_csv` reads."""
    assets = Asset.objects.filter(zone__site=site).select_related("zone").order_by("zone__name", "name", "tag")
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(ASSET_CSV_COLUMNS)
    for a in assets:
        # fmt: off
        writer.writerow([
            a.zone.name, a.name, a.tag, a.component_type, a.role, a.vendor, a.model, a.firmware, a.network_addresses,
            a.sl_capability.compact() if a.sl_capability is not None else "", a.sl_capability_source,
            a.end_of_support.isoformat() if a.end_of_support else "", "yes" if a.legacy else "no", a.criticality,
        ])
        # fmt: on
    return out.getvalue()


def import_assets_csv(*, site: Site, data: bytes) -> ImportResult:
    """Create or update (matched by tag) the site's assets from an uploaded CSV file; see docs/csv-assets.md.

    Raises CsvImportError with every bad line, and then writes nothing.
    """
    rows, errors = _read(data)
    created = updated = 0
    to_save: list[Asset] = []
    seen_tags: dict[str, int] = {}
    # One transaction for reading and writing, and the matched assets locked, so nobody edits them between
    # the check and the write.
    with transaction.atomic():
        zones = list(Zone.objects.filter(site=site))
        zones_by_name = {z.name.casefold(): z for z in zones} | {z.name: z for z in zones}
        tagged: dict[str, list[Asset]] = {}
        for asset in Asset.objects.filter(zone__site=site).exclude(tag="").select_for_update(of=("self",)):
            tagged.setdefault(asset.tag, []).append(asset)
        for line, row in rows:
            reasons: list[str] = []
            tag = row.get("tag", "")
            matches = tagged.get(tag, []) if tag else []
            if tag in seen_tags:
                reasons.append(f"tag '{tag}' already used on line {seen_tags[tag]}")
                matches = []
            elif tag:
                seen_tags[tag] = line
            if len(matches) > 1:
                reasons.append(f"tag '{tag}' matches {len(matches)} assets of site '{site.name}'; make it unique")
            asset = matches[0] if len(matches) == 1 else Asset()
            before = _snapshot(asset)
            reasons += _fill(asset, row, zones_by_name, site)
            if reasons:
                errors.append((line, "; ".join(reasons)))
            elif asset._state.adding:
                created += 1
                to_save.append(asset)
            else:
                updated += 1
                # An unchanged asset is not saved: that would bump its ETag and add an empty history entry.
                if _snapshot(asset) != before:
                    to_save.append(asset)
        if errors:
            raise CsvImportError(sorted(errors))
        for asset in to_save:
            asset.save()
    return ImportResult(created=created, updated=updated)


def _read(data: bytes) -> tuple[list[tuple[int, dict[str, str]]], list[tuple[int, str]]]:
    return read_rows(data, _check_header, "asset")


def read_rows(
    data: bytes, check_header: Callable[[list[str]], None], noun: str
) -> tuple[list[tuple[int, dict[str, str]]], list[tuple[int, str]]]:
    """The non-blank data rows as (line, {column: trimmed value}) and the rows too long to read;
    shared by every all-or-nothing CSV import.

    Size, encoding and header problems are raised at once: no row can be read past them.
    """
    limit = settings.CSV_IMPORT_MAX_BYTES
    if len(data) > limit:
        raise CsvImportError([(0, f"The file is {len(data)} bytes; the limit is {limit} bytes.")])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise CsvImportError([(line, "the file is not UTF-8 text; save it as 'CSV UTF-8'")]) from exc
    # Spreadsheets in comma-decimal locales write semicolons; the header (plain names) tells which it is.
    first = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";" if first.count(";") > first.count(",") else ",")
    rows: list[tuple[int, dict[str, str]]] = []
    errors: list[tuple[int, str]] = []
    try:
        header = [h.strip().lower() for h in next(reader, [])]
        check_header(header)
        start = reader.line_num + 1
        for cells in reader:
            # A quoted value may span lines; the row is numbered by the line it starts on.
            line, start = start, reader.line_num + 1
            if not any(c.strip() for c in cells):
                continue
            if len(cells) > len(header):
                errors.append((line, f"the row has {len(cells)} values but the header has {len(header)} columns"))
                continue
            rows.append((line, {col: cell.strip() for col, cell in zip(header, cells, strict=False)}))
    except csv.Error as exc:
        raise CsvImportError([(reader.line_num, f"not valid CSV: {exc}")]) from exc
    if not rows and not errors:
        raise CsvImportError([(1, f"The file has no {noun} rows.")])
    return rows, errors


def _check_header(header: list[str]) -> None:
    if not any(header):
        raise CsvImportError([(1, "The file has no asset rows.")])
    reasons = []
    if unknown := [h for h in header if h not in ASSET_CSV_COLUMNS]:
        reasons.append(f"unknown columns: {', '.join(repr(h) for h in unknown)}")
    if missing := [c for c in REQUIRED_COLUMNS if c not in header]:
        reasons.append(f"missing columns: {', '.join(missing)}")
    if repeated := sorted({h for h in header if header.count(h) > 1}):
        reasons.append(f"repeated columns: {', '.join(repeated)}")
    if reasons:
        raise CsvImportError([(1, "; ".join(reasons) + f" (allowed: {', '.join(ASSET_CSV_COLUMNS)})")])


def _fill(asset: Asset, row: dict[str, str], zones: dict[str, Zone], site: Site) -> list[str]:
    """Set the asset's fields from the row's cells; return the reasons the row is bad (empty if good).

    Columns absent from the file leave an updated asset's fields as they are.
    """
    reasons = []
    for column, raw in row.items():
        try:
            setattr(asset, column, _parse(column, raw, zones, site))
        except ValueError as exc:
            reasons.append(str(exc))
    if reasons:
        return reasons
    # Asset.clean() says the same, but naming the CSV columns and values helps the user more.
    if asset.sl_capability is not None and not asset.sl_capability_source:
        return ["sl_capability_source is required when sl_capability is given"]
    if asset.sl_capability is None and asset.sl_capability_source:
        return [f"sl_capability_source '{asset.sl_capability_source}' given without an sl_capability"]
    try:
        # Skipped, to spare a query per row: the zone's existence (it came from this site's zones) and
        # uniqueness (the only unique field is the generated UUID). Constraints are still checked.
        asset.full_clean(exclude=["zone"], validate_unique=False)
    except ValidationError as exc:
        return [f"{field}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items()]
    return []


def _parse(column: str, raw: str, zones: dict[str, Zone], site: Site) -> Any:
    """The model value of one cell; ValueError with a reason naming the column and the value if it is bad."""
    if column == "zone":
        if not raw:
            raise ValueError("zone is required")
        zone = zones.get(raw) or zones.get(raw.casefold())
        if zone is None:
            raise ValueError(f"zone '{raw}' is not a zone of site '{site.name}'")
        return zone
    if column in _TEXT_COLUMNS:
        if column == "name" and not raw:
            raise ValueError("name is required")
        field = Asset._meta.get_field(column)
        limit = field.max_length if isinstance(field, models.CharField) else None
        if limit is not None and len(raw) > limit:
            raise ValueError(f"{column} is {len(raw)} characters long; the limit is {limit}")
        return raw
    if column in _CHOICES:
        return _choice(column, raw)
    if column == "sl_capability":
        try:
            return SLVector.parse(raw) if raw else None
        except SLVectorError as exc:
            raise ValueError(f"sl_capability '{raw}' is not valid: {exc}") from exc
    if column == "end_of_support":
        if not raw:
            return None
        try:
            if not _ISO_DATE.fullmatch(raw):
                raise ValueError(raw)
            return dt.date.fromisoformat(raw)
        except ValueError:
            raise ValueError(f"end_of_support '{raw}' is not a date like 2030-12-31") from None
    if column == "legacy":
        if raw.lower() not in _BOOLEANS:
            raise ValueError(f"legacy '{raw}' is not one of yes, no, true, false, 1, 0")
        return _BOOLEANS[raw.lower()]
    raise AssertionError(f"unhandled column {column}")  # _check_header lets only known columns through


def _choice(column: str, raw: str) -> str:
    """The stored value for a cell that holds a choice's value or label, in any case."""
    if not raw:
        if column in _EMPTY_CHOICE:
            return _EMPTY_CHOICE[column]
        raise ValueError(f"{column} is required")
    wanted = raw.casefold()
    for value, label in _CHOICES[column].choices:
        if wanted in (str(value).casefold(), str(label).casefold()):
            return str(value)
    allowed = ", ".join(str(v) for v in _CHOICES[column].values)
    raise ValueError(f"{column} '{raw}' is not one of {allowed}")


def _snapshot(asset: Asset) -> tuple[Any, ...]:
    return tuple(getattr(asset, f.attname) for f in Asset._meta.concrete_fields)
