"""CSV import and export of a site's vulnerabilities (scanner exports, vendor advisories tracked in sheets).

The import is all-or-nothing like the asset import (zones/csv_io.py): every row is checked first, every
problem is reported with its line, and nothing is written unless the whole file is good. The format is
documented in docs/vulnerabilities-csv.md.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

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
from program.choices import REMEDIATED, Severity, VulnerabilityStatus
from program.models import Vulnerability, cve_problem, severity_for_cvss
from zones.models import Asset, Site

VULNERABILITY_CSV_COLUMNS: tuple[str, ...] = (
    "asset",
    "cve",
    "advisory",
    "title",
    "severity",
    "cvss",
    "found",
    "fixed",
    "status",
    "notes",
)
REQUIRED_COLUMNS = ("asset", "found")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_SCORE = re.compile(r"\d{1,2}(\.\d)?")
_LIMITS = {"advisory": 100, "title": 300}

__all__ = ["VULNERABILITY_CSV_COLUMNS", "CsvImportError", "ImportResult", "export_csv", "import_csv"]


def export_csv(site: Site) -> str:
    """The site's vulnerabilities as CSV text, in the format `import_csv` reads (assets by tag, else name)."""
    rows = Vulnerability.objects.filter(asset__zone__site=site).select_related("asset")
    # fmt: off
    return csv_text(VULNERABILITY_CSV_COLUMNS, (
        [
            v.asset.tag or v.asset.name, v.cve, v.advisory, v.title, v.severity,
            "" if v.cvss_score is None else f"{v.cvss_score:.1f}", v.found.isoformat(),
            v.fixed.isoformat() if v.fixed else "", v.status, v.notes,
        ]
        for v in rows.order_by("found", "cve", "advisory", "pk")
    ))
    # fmt: on


def import_csv(*, site: Site, data: bytes) -> ImportResult:
    """Create or update (matched by asset and CVE id, or asset and advisory id without a CVE) the site's
    vulnerabilities from an uploaded CSV file. Raises CsvImportError with every bad line; then writes nothing.
    The rows are checked before the short write transaction (see core.csvio.ImportBatch)."""
    rows, refused = _read(data)
    return run_import(lambda: _check_rows(site, rows, refused))


def _check_rows(site: Site, rows: list[tuple[int, dict[str, str]]], refused: list[tuple[int, str]]) -> ImportBatch:
    """Every row checked against the site's assets and vulnerabilities (read once), as a batch to write."""
    batch = ImportBatch(list(refused))
    seen: dict[tuple[Any, str, str], int] = {}
    today = timezone.localdate()
    assets = _AssetIndex(site)
    existing: dict[tuple[Any, str, str], Vulnerability] = {}
    # The batch checks, when it writes, that these are still the site's vulnerabilities, unchanged.
    for known in batch.read(Vulnerability.objects.filter(asset__zone__site=site)):
        existing[_key(known.asset_id, known.cve, known.advisory)] = known
    for line, row in rows:
        reasons, values = _parse_cells(row, assets, site, today)
        vuln: Vulnerability | None = None
        if not reasons:
            if not values.get("cve") and not values.get("advisory"):
                reasons.append("give a cve or an advisory id")
            else:
                key = _key(values["asset"].pk, values.get("cve", ""), values.get("advisory", ""))
                if key in seen:
                    reasons.append(f"the same asset and {_key_name(key)} as line {seen[key]}")
                else:
                    seen[key] = line
                    vuln = existing.get(key)
        vuln = vuln or Vulnerability()
        before = field_values(vuln)
        if not reasons:
            reasons = _resolve(vuln, values) or _fill(vuln, values)
        batch.add(line, vuln, reasons, before=before)
    return batch


def _key(asset_id: Any, cve: str, advisory: str) -> tuple[Any, str, str]:
    """What identifies a vulnerability on an asset: its CVE id, or without one its advisory id."""
    return (asset_id, cve.upper(), "") if cve else (asset_id, "", advisory.casefold())


def _key_name(key: tuple[Any, str, str]) -> str:
    return key[1] if key[1] else f"advisory '{key[2]}'"


class _AssetIndex:
    """The site's assets, found by tag (first) or by name, in any case."""

    def __init__(self, site: Site) -> None:
        self.by_tag: dict[str, list[Asset]] = {}
        self.by_name: dict[str, list[Asset]] = {}
        for asset in Asset.objects.filter(zone__site=site).select_related("zone"):
            if asset.tag:
                self.by_tag.setdefault(asset.tag.casefold(), []).append(asset)
            self.by_name.setdefault(asset.name.casefold(), []).append(asset)

    def find(self, raw: str, site: Site) -> Asset:
        matches = self.by_tag.get(raw.casefold()) or self.by_name.get(raw.casefold()) or []
        if not matches:
            raise ValueError(f"asset '{raw}' is not the tag or name of an asset of site '{site.name}'")
        if len(matches) > 1:
            raise ValueError(f"asset '{raw}' matches {len(matches)} assets of site '{site.name}'; use a unique tag")
        return matches[0]


def _parse_cells(
    row: dict[str, str], assets: _AssetIndex, site: Site, today: dt.date
) -> tuple[list[str], dict[str, Any]]:
    """The row's cells as model values, and the reasons some cells are bad (empty if none)."""
    reasons: list[str] = []
    values: dict[str, Any] = {}
    for column, raw in row.items():
        try:
            values[column] = _parse(column, raw, assets, site, today)
        except ValueError as exc:
            reasons.append(str(exc))
    return reasons, values


def _resolve(vuln: Vulnerability, values: dict[str, Any]) -> list[str]:
    """Check the cells against each other (and, for an update, against what the file leaves as it is);
    derive the severity from the score and an empty status from the fixed date."""
    reasons = []
    score = values.get("cvss", vuln.cvss_score)
    severity = values.pop("severity", "") or ""
    if score is not None:
        rating = severity_for_cvss(score)
        if severity and severity != rating:
            reasons.append(
                f"severity '{severity}' does not match cvss {score} (rated {rating}); leave severity empty to take "
                "the score's rating"
            )
        values["severity"] = rating
    elif severity:
        values["severity"] = severity
    elif not vuln.severity:
        reasons.append("severity is required when there is no cvss score")
    found = values.get("found", vuln.found)
    fixed = values.get("fixed", vuln.fixed)
    if fixed is not None and found is not None and fixed < found:
        reasons.append(f"fixed {fixed} is before found {found}")
    status = values.get("status") or _default_status(vuln.status, fixed)
    values["status"] = status
    if status in REMEDIATED and fixed is None:
        reasons.append(f"status '{status}' needs a fixed date")
    if status not in REMEDIATED and fixed is not None:
        reasons.append(f"status '{status}' cannot have a fixed date (use fixed or mitigated)")
    return reasons


def _default_status(current: str, fixed: dt.date | None) -> str:
    """For an empty status cell: a fixed date means fixed (or still mitigated), none means open (or still
    risk accepted)."""
    if fixed is not None:
        return current if current in REMEDIATED else VulnerabilityStatus.FIXED
    return current if current not in REMEDIATED else VulnerabilityStatus.OPEN


def _parse(column: str, raw: str, assets: _AssetIndex, site: Site, today: dt.date) -> Any:
    """The model value of one cell; ValueError naming the column and the value if it is bad."""
    if column == "asset":
        if not raw:
            raise ValueError("asset is required")
        return assets.find(raw, site)
    if column == "cve":
        value = raw.upper()
        if value and (problem := cve_problem(value)):
            raise ValueError(f"cve {problem}")
        return value
    if column in ("advisory", "title", "notes"):
        limit = _LIMITS.get(column)
        if limit is not None and len(raw) > limit:
            raise ValueError(f"{column} is {len(raw)} characters long; the limit is {limit}")
        return raw
    if column == "cvss":
        if not raw:
            return None
        text = raw.replace(",", ".")
        try:
            if not _SCORE.fullmatch(text):
                raise InvalidOperation
            score = Decimal(text)
        except InvalidOperation:
            raise ValueError(f"cvss '{raw}' is not a score like 9.8") from None
        if not Decimal(0) <= score <= Decimal(10):
            raise ValueError(f"cvss {raw} is out of range: a CVSS score is 0.0 to 10.0")
        return score.quantize(Decimal("0.1"))
    if column == "severity":
        return _choice(column, raw, Severity) if raw else ""
    if column == "status":
        return _choice(column, raw, VulnerabilityStatus) if raw else ""
    if column in ("found", "fixed"):
        if not raw:
            if column == "found":
                raise ValueError("found is required")
            return None
        try:
            if not _ISO_DATE.fullmatch(raw):
                raise ValueError(raw)
            day = dt.date.fromisoformat(raw)
        except ValueError:
            raise ValueError(f"{column} '{raw}' is not a date like 2026-03-31") from None
        if day > today:
            raise ValueError(f"{column} {raw} is in the future")
        return day
    raise AssertionError(f"unhandled column {column}")  # the header check lets only known columns through


def _choice(column: str, raw: str, choices: Any) -> str:
    wanted = raw.casefold()
    for value, label in choices.choices:
        if wanted in (str(value).casefold(), str(label).casefold()):
            return str(value)
    raise ValueError(f"{column} '{raw}' is not one of {', '.join(choices.values)}")


def _fill(vuln: Vulnerability, values: dict[str, Any]) -> list[str]:
    for name, value in values.items():
        setattr(vuln, "cvss_score" if name == "cvss" else name, value)
    try:
        # The asset came from this site's assets, and _key() stands for the unique constraints (the database
        # still enforces them); skipping both spares queries per row.
        vuln.full_clean(exclude=["asset"], validate_unique=False)
    except ValidationError as exc:
        return [f"{field}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items()]
    return []


# --- reading ------------------------------------------------------------------------------------------------
def _read(data: bytes) -> tuple[list[tuple[int, dict[str, str]]], list[tuple[int, str]]]:
    return read_rows(data, _check_header, "vulnerability")


def _check_header(header: list[str]) -> None:
    required = (*REQUIRED_COLUMNS, ("cve", "advisory"))
    check_header(header, allowed=VULNERABILITY_CSV_COLUMNS, required=required, noun="vulnerability")
