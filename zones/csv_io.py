"""CSV import and export of a site's assets, for the inventories people keep in spreadsheets.

Import is all-or-nothing: every row is checked first and every problem is reported with its line, so the
user fixes the file in one pass; nothing is written unless the whole file is good.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

from compliance.sl import SLVector, SLVectorError
from core.csvio import (
    CsvImportError,
    ImportBatch,
    ImportResult,
    check_header,
    csv_text,
    field_values,
    read_rows,
    run_import,
)
from zones.choices import AssetRole, CapabilitySource, ComponentType, Criticality
from zones.models import Asset, Site, Zone

# The partitioning flags of IEC 62443-3-2 (ZCR 3.2-3.6): optional yes/no columns, like legacy.
PARTITION_FLAGS = ("business_system", "safety_related", "temporarily_connected", "wireless", "external_network")
_FLAG_COLUMNS = ("legacy", *PARTITION_FLAGS)
# fmt: off
ASSET_CSV_COLUMNS: tuple[str, ...] = (
    "zone", "name", "tag", "component_type", "role", "vendor", "model", "firmware",
    "network_addresses", "sl_capability", "sl_capability_source", "end_of_support", "legacy", "criticality",
    *PARTITION_FLAGS,
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


__all__ = ["ASSET_CSV_COLUMNS", "CsvImportError", "ImportResult", "export_assets_csv", "import_assets_csv"]


def export_assets_csv(site: Site) -> str:
    """The site's assets as CSV text (header + one row per asset), in the format `import_assets_csv` reads."""
    assets = Asset.objects.filter(zone__site=site).select_related("zone").order_by("zone__name", "name", "tag")
    # fmt: off
    return csv_text(ASSET_CSV_COLUMNS, (
        [
            a.zone.name, a.name, a.tag, a.component_type, a.role, a.vendor, a.model, a.firmware, a.network_addresses,
            a.sl_capability.compact() if a.sl_capability is not None else "", a.sl_capability_source,
            a.end_of_support.isoformat() if a.end_of_support else "", _yes_no(a.legacy), a.criticality,
            *(_yes_no(getattr(a, flag)) for flag in PARTITION_FLAGS),
        ]
        for a in assets
    ))
    # fmt: on


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


def import_assets_csv(*, site: Site, data: bytes) -> ImportResult:
    """Create or update (matched by tag) the site's assets from an uploaded CSV file; see docs/csv-assets.md.

    Raises CsvImportError with every bad line, and then writes nothing. The rows are checked before the
    short write transaction (see core.csvio.ImportBatch), so a large file does not hold up other saves.
    """
    rows, refused = _read(data)
    return run_import(lambda: _check_rows(site, rows, refused))


def _check_rows(site: Site, rows: list[tuple[int, dict[str, str]]], refused: list[tuple[int, str]]) -> ImportBatch:
    """Every row checked against the site's zones and tagged assets (read once), as a batch to write."""
    batch = ImportBatch(list(refused))
    seen_tags: dict[str, int] = {}
    zones = list(Zone.objects.filter(site=site))
    zones_by_name = {z.name.casefold(): z for z in zones} | {z.name: z for z in zones}
    tagged: dict[str, list[Asset]] = {}
    # The batch checks, when it writes, that these are still the site's tagged assets, unchanged.
    for asset in batch.read(Asset.objects.filter(zone__site=site).exclude(tag="")):
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
        before = field_values(asset)
        reasons += _fill(asset, row, zones_by_name, site)
        batch.add(line, asset, reasons, before=before)
    return batch


def _read(data: bytes) -> tuple[list[tuple[int, dict[str, str]]], list[tuple[int, str]]]:
    return read_rows(data, _check_header, "asset")


def _check_header(header: list[str]) -> None:
    check_header(header, allowed=ASSET_CSV_COLUMNS, required=REQUIRED_COLUMNS, noun="asset")


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
    if column in _FLAG_COLUMNS:
        if raw.lower() not in _BOOLEANS:
            raise ValueError(f"{column} '{raw}' is not one of yes, no, true, false, 1, 0")
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
