"""The results of an assessment as a spreadsheet: CSV (UTF-8 with BOM, for Excel and for tools) and XLSX
(styled, with a Summary sheet of SL-T, SL-A and gap per zone and conduit); and its change history as CSV.

One row per result, in scope or not, zones first (by Purdue level and name), then conduits, each in
catalogue order. Both formats have the same columns (RESULT_COLUMNS); see docs/evidence-bundle.md.
SL-A and gap come from assessments.selectors.summary, never from arithmetic here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, BinaryIO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from simple_history.utils import get_m2m_reverse_field_name

from accounts.models import User
from assessments.choices import ResultStatus, TargetKind
from assessments.history import SHOWN_FIELDS as RESULT_HISTORY_FIELDS
from assessments.models import Assessment, Evidence, Result
from assessments.selectors import Summary, TargetSummary, results_for, summary
from compliance.choices import FR_CODES
from compliance.models import FoundationalRequirement
from reports.csv_safety import csv_to_binary, is_formula_like, plain
from zones.models import Conduit, Zone

# fmt: off
RESULT_COLUMNS: tuple[str, ...] = (
    "assessment", "site", "target_kind", "target", "requirement", "requirement_title", "fr", "level",
    "sl_target_for_fr", "status", "in_scope", "observations", "countermeasure", "justification", "evidence",
    "evidence_sha256", "assignee", "updated_by", "updated_at", "version", "result_id",
)
# fmt: on
LIST_SEPARATOR = "; "


def person(user: User | None) -> str:
    """How a person is named in exports: full name, else user name; empty for nobody."""
    if user is None:
        return ""
    return str(user.get_full_name() or user.get_username())


def target_sort_key(result: Result) -> tuple[Any, ...]:
    """Zones before conduits, zones by Purdue level then name (as the assessment pages list them),
    then the catalogue order of the requirement."""
    if result.zone is not None:
        target: tuple[Any, ...] = (0, result.zone.purdue_level or 0, result.zone.name, str(result.zone.pk))
    else:
        assert result.conduit is not None
        target = (1, 0, result.conduit.name, str(result.conduit.pk))
    return (*target, result.requirement.position)


def load_results(assessment: Assessment) -> list[Result]:
    """Every result of the assessment with what a row shows, in export order (a constant number of
    queries whatever the number of results)."""
    return sorted(results_for(assessment), key=target_sort_key)


def ordered_evidence(result: Result) -> list[Evidence]:
    """A result's evidence: uploaded files (by name) first, then references, so that the n-th
    SHA-256 in `evidence_sha256` belongs to the n-th name in `evidence`."""
    items = list(result.evidence.all())  # prefetched by results_for
    files = sorted((e for e in items if e.is_file), key=lambda e: (e.filename.lower(), str(e.pk)))
    references = sorted((e for e in items if not e.is_file), key=lambda e: (e.reference.lower(), str(e.pk)))
    return files + references


def evidence_label(evidence: Evidence) -> str:
    return evidence.filename if evidence.is_file else evidence.reference


@dataclass(frozen=True)
class ResultRow:
    """One result as the exports show it; `values()` follows RESULT_COLUMNS."""

    assessment: str
    site: str
    target_kind: str
    target: str
    requirement: str
    requirement_title: str
    fr: str
    level: int | None
    sl_target_for_fr: int | None
    status: str
    in_scope: bool
    observations: str
    countermeasure: str
    justification: str
    evidence: str
    evidence_sha256: str
    assignee: str
    updated_by: str
    updated_at: datetime
    version: int
    result_id: str

    def values(self) -> list[Any]:
        return [getattr(self, name) for name in RESULT_COLUMNS]


def result_rows(assessment: Assessment, results: Iterable[Result] | None = None) -> Iterator[ResultRow]:
    """The export rows of an assessment (of `results` when the caller has loaded them already)."""
    site = assessment.site
    for result in load_results(assessment) if results is None else results:
        target = result.target
        fr = str(result.requirement.fr_id or "")
        evidence = ordered_evidence(result)
        yield ResultRow(
            assessment=assessment.title,
            site=site.name,
            target_kind=TargetKind.ZONE if result.zone_id else TargetKind.CONDUIT,
            target=target.name,
            requirement=result.requirement.ref,
            requirement_title=result.requirement.title,
            fr=fr,
            level=result.requirement.lowest_sl,
            sl_target_for_fr=target.sl_target[fr] if fr in FR_CODES else None,
            status=result.status,
            in_scope=result.in_scope,
            observations=result.observations,
            countermeasure=result.countermeasure,
            justification=result.justification,
            evidence=LIST_SEPARATOR.join(evidence_label(e) for e in evidence),
            evidence_sha256=LIST_SEPARATOR.join(e.sha256 for e in evidence if e.is_file),
            assignee=person(result.assignee),
            updated_by=person(result.updated_by),
            updated_at=result.updated_at,
            version=result.version,
            result_id=str(result.pk),
        )


# --- CSV ------------------------------------------------------------------------------------------
def write_results_csv(rows: Iterable[ResultRow], out: BinaryIO) -> None:
    with csv_to_binary(out) as writer:
        writer.writerow(RESULT_COLUMNS)
        for row in rows:
            writer.writerow(row.values())


def results_csv(assessment: Assessment, out: BinaryIO) -> None:
    """Write every result of `assessment` to `out` as CSV: UTF-8 with BOM, a header row of
    RESULT_COLUMNS, formula-like text escaped with a leading apostrophe."""
    write_results_csv(result_rows(assessment), out)


# --- XLSX -----------------------------------------------------------------------------------------
# The status colours of the pages (static/css/app.css .status-*): background, text.
STATUS_COLOURS: dict[str, tuple[str, str]] = {
    ResultStatus.NOT_ASSESSED: ("E8ECF1", "3D4856"),
    ResultStatus.MET: ("E3F4EA", "1E7F4F"),
    ResultStatus.COMPENSATED: ("E2F0F7", "0B6A8C"),
    ResultStatus.NOT_APPLICABLE: ("EEEAF6", "5B4A8A"),
    ResultStatus.PARTIALLY_MET: ("FFF3D6", "9A6200"),
    ResultStatus.NOT_MET: ("FBE4E2", "B3261E"),
}
OK_FILL = PatternFill("solid", fgColor="E3F4EA")
BAD_FILL = PatternFill("solid", fgColor="FBE4E2")
HEADER_FILL = PatternFill("solid", fgColor="DDE3EA")
HEADER_FONT = Font(bold=True, color="10233D")
HEADER_BORDER = Border(bottom=Side(style="thin", color="5B6675"))
TOP = Alignment(vertical="top")
MIDDLE = Alignment(vertical="center")
CENTRE = Alignment(horizontal="center", vertical="center")
WRAP = Alignment(vertical="top", wrap_text=True)
# Excel's own limit for one cell.
XLSX_CELL_LIMIT = 32767
TRUNCATED = " … [truncated: the full text is in the CSV export]"

RESULT_WIDTHS: dict[str, float] = {
    "assessment": 24, "site": 24, "target_kind": 10, "target": 24, "requirement": 14, "requirement_title": 40,
    "fr": 6, "level": 7, "sl_target_for_fr": 9, "status": 15, "in_scope": 9, "observations": 50,
    "countermeasure": 40, "justification": 40, "evidence": 32, "evidence_sha256": 30, "assignee": 20,
    "updated_by": 20, "updated_at": 20, "version": 8, "result_id": 38,
}  # fmt: skip
WRAPPED = {"requirement_title", "observations", "countermeasure", "justification", "evidence"}


def xlsx_text(text: str) -> str:
    """Text an XLSX cell can hold: without the control characters the format forbids, within
    Excel's length limit."""
    text = ILLEGAL_CHARACTERS_RE.sub("", text)
    if len(text) > XLSX_CELL_LIMIT:
        text = text[: XLSX_CELL_LIMIT - len(TRUNCATED)] + TRUNCATED
    return text


def xlsx_cell(ws: WriteOnlyWorksheet, value: Any, alignment: Alignment = TOP) -> WriteOnlyCell:
    """A cell whose text is always text: a value such as `=HYPERLINK(...)` is stored as a string
    with Excel's quote prefix (the apostrophe a user would type), never as a formula."""
    if isinstance(value, datetime):
        # Excel has no time zones: UTC, as the notes under the Summary sheet say.
        cell = WriteOnlyCell(ws, value=value.astimezone(UTC).replace(tzinfo=None, microsecond=0))
        cell.number_format = "yyyy-mm-dd hh:mm:ss"
    elif isinstance(value, bool):
        cell = WriteOnlyCell(ws, value="yes" if value else "no")
    elif isinstance(value, int) or value is None:
        cell = WriteOnlyCell(ws, value=value)
    else:
        text = xlsx_text(str(value))
        cell = WriteOnlyCell(ws, value=text)
        cell.data_type = "s"
        if is_formula_like(text):
            cell.quotePrefix = True
    cell.alignment = alignment
    return cell


def header_cells(ws: WriteOnlyWorksheet, names: Sequence[str]) -> list[WriteOnlyCell]:
    cells = []
    for name in names:
        cell = WriteOnlyCell(ws, value=name)
        cell.font, cell.fill, cell.border = HEADER_FONT, HEADER_FILL, HEADER_BORDER
        cell.alignment = Alignment(vertical="center")
        cells.append(cell)
    return cells


def _print_setup(ws: WriteOnlyWorksheet, *, fit_width: bool) -> None:
    """Printed: landscape, the header row on every page, as wide as the page if asked (the 21
    columns of the results would be unreadably small)."""
    ws.page_setup.orientation = "landscape"
    ws.print_title_rows = "1:1"
    if fit_width:
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True


def _results_sheet(wb: Workbook, rows: Iterable[ResultRow]) -> None:
    ws = wb.create_sheet("Results")
    for n, name in enumerate(RESULT_COLUMNS, start=1):
        # Room for the header and the autofilter's button.
        ws.column_dimensions[get_column_letter(n)].width = max(RESULT_WIDTHS.get(name, 14), len(name) + 4)
    ws.freeze_panes = "A2"
    _print_setup(ws, fit_width=False)
    ws.append(header_cells(ws, RESULT_COLUMNS))
    status_col = RESULT_COLUMNS.index("status")
    count = 0
    for row in rows:
        cells = [
            xlsx_cell(ws, value, WRAP if name in WRAPPED else TOP)
            for name, value in zip(RESULT_COLUMNS, row.values(), strict=True)
        ]
        background, colour = STATUS_COLOURS.get(row.status, ("FFFFFF", "1C2430"))
        cells[status_col].fill = PatternFill("solid", fgColor=background)
        cells[status_col].font = Font(color=colour, bold=row.status == ResultStatus.NOT_MET)
        ws.append(cells)
        count += 1
    ws.auto_filter.ref = f"A1:{get_column_letter(len(RESULT_COLUMNS))}{count + 1}"


SUMMARY_COLUMNS: tuple[str, ...] = ("Kind", "Zone or conduit", "Measure")
SUMMARY_TAIL: tuple[str, ...] = ("At target", "Assessed", "Required", "Progress %", "Out of scope")
MEASURES = (("SL-T", "target"), ("SL-A", "achieved"), ("Gap", "gap"))


def _summary_rows(ws: WriteOnlyWorksheet, target: TargetSummary) -> Iterator[list[WriteOnlyCell]]:
    kind = TargetKind(target.kind).label
    for n, (measure, attribute) in enumerate(MEASURES):
        vector = getattr(target.standing, attribute)
        cells = [xlsx_cell(ws, kind, MIDDLE), xlsx_cell(ws, target.name, MIDDLE), xlsx_cell(ws, measure, MIDDLE)]
        for fr in FR_CODES:
            cell = xlsx_cell(ws, vector[fr], CENTRE)
            if attribute == "gap":
                cell.fill = BAD_FILL if vector[fr] > 0 else OK_FILL
            if attribute == "achieved":
                cell.font = Font(bold=True)
            cells.append(cell)
        if n == 0:  # once per zone or conduit, on its first line
            at_target = xlsx_cell(ws, target.standing.at_target, CENTRE)
            at_target.fill = OK_FILL if target.standing.at_target else BAD_FILL
            progress = (target.progress.assessed, target.progress.total, target.progress.percent, target.out_of_scope)
            cells += [at_target, *(xlsx_cell(ws, value, CENTRE) for value in progress)]
        if n == len(MEASURES) - 1:
            for cell in cells:
                cell.border = Border(bottom=Side(style="thin", color="D9DEE5"))
        yield cells


def _summary_sheet(wb: Workbook, assessment: Assessment, data: Summary, generated_at: datetime) -> None:
    ws = wb.create_sheet("Summary")
    frs = {fr.code: fr.abbreviation for fr in FoundationalRequirement.objects.all()}
    header = [*SUMMARY_COLUMNS, *(f"{fr} {frs.get(fr, '')}".strip() for fr in FR_CODES), *SUMMARY_TAIL]
    widths = [10, 30, 9, *([9] * len(FR_CODES)), 10, 10, 10, 11, 12]
    for n, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(n)].width = width
    ws.freeze_panes = "D2"
    _print_setup(ws, fit_width=True)
    cells = header_cells(ws, header)
    for cell in cells[len(SUMMARY_COLUMNS) :]:
        cell.alignment = CENTRE
    ws.append(cells)
    count = 0
    for target in data.targets:
        for cells in _summary_rows(ws, target):
            ws.append(cells)
            count += 1
    ws.auto_filter.ref = f"A1:{get_column_letter(len(header))}{count + 1}"
    total = data.progress
    ws.append([])
    notes = [
        f"Zones and conduits at target: {data.at_target} of {len(data.targets)}",
        f"Progress: {total.assessed} of {total.total} required results assessed ({total.percent} %)",
        "SL-A per FR: the highest level whose selected items are all satisfied (met, compensated, or not "
        "applicable with a justification). Gap = SL-T - SL-A, never below zero.",
        f"Assessment: {assessment.title} · {assessment.site.name} · status {assessment.get_status_display()}",
        f"Catalogue: {assessment.catalogue.edition} (data {assessment.catalogue.version})",
        f"Generated {generated_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC; times in the Results sheet are UTC.",
    ]
    for note in notes:
        ws.append([xlsx_cell(ws, note)])


def results_xlsx(assessment: Assessment, out: BinaryIO) -> None:
    """Write every result of `assessment` to `out` as an XLSX workbook: a "Results" sheet with the
    columns of the CSV (bold frozen header, autofilter, status colours) and a "Summary" sheet with
    SL-T, SL-A and gap per FR and the progress of every zone and conduit in scope."""
    generated_at = datetime.now(tz=UTC)
    wb = Workbook(write_only=True)  # rows stream to a temporary file: memory stays flat
    wb.properties.title = f"{assessment.title}: results"
    wb.properties.creator = "Zonewise"
    _results_sheet(wb, result_rows(assessment))
    _summary_sheet(wb, assessment, summary(assessment), generated_at)
    wb.save(out)


# --- history --------------------------------------------------------------------------------------
HISTORY_COLUMNS = ("when", "who", "who_username", "action", "object_type", "object_id", "object", "field", "from", "to")
ASSESSMENT_HISTORY_FIELDS = (
    "title", "status", "lead", "planned_start", "planned_end", "actual_start", "actual_end",
    "signed_off_at", "signed_off_by",
)  # fmt: skip
EVIDENCE_HISTORY_FIELDS = ("filename", "reference", "description", "expires", "sha256")
PEOPLE_FIELDS = {"assignee", "lead", "signed_off_by"}
# Fields a person sets through result_update: only a save that changed one of them is credited to
# the result's `updated_by` when no signed-in user was recorded (a re-sync changing in_scope is not).
EDITED_FIELDS = {"status", "observations", "countermeasure", "justification", "assignee"}
ACTIONS = {"+": "created", "~": "changed", "-": "deleted"}


def result_label(result: Result) -> str:
    return f"{result.requirement.ref} · {result.target.name}"


@dataclass
class Change:
    """One line of history.csv: a field of an object changed (or the object created or deleted)."""

    when: datetime
    who_id: str | None
    action: str
    object_type: str
    object_id: str
    label: str
    field: str = ""
    old: Any = None
    new: Any = None


def _m2m_snapshots(history_model: Any, records: list[Any]) -> dict[str, dict[int, set[str]]]:
    """For each tracked many-to-many field, the related ids in every historical record: one query
    per field, whatever the number of records."""
    snapshots: dict[str, dict[int, set[str]]] = {}
    ids = [record.history_id for record in records]
    for m2m in getattr(history_model, "_history_m2m_fields", []):
        through = getattr(history_model, m2m.name).model
        column = f"{get_m2m_reverse_field_name(m2m)}_id"
        sets: dict[int, set[str]] = defaultdict(set)
        for history_id, related_id in through.objects.filter(history_id__in=ids).values_list("history_id", column):
            sets[history_id].add(str(related_id))
        snapshots[m2m.name] = sets
    return snapshots


def _raw(record: Any, name: str) -> Any:
    # The stored value (a foreign key's id). Not diff_against: it skips non-editable fields such as
    # signed_off_at, which an audit trail must show.
    return getattr(record, record._meta.get_field(name).attname)


def _changes(
    records: list[Any],
    *,
    object_type: str,
    fields: Sequence[str],
    label: Callable[[Any], str],
    who: Callable[[Any, set[str]], Any],
    snapshots: dict[str, dict[int, set[str]]],
) -> Iterator[Change]:
    """Each object's consecutive historical records compared field by field (records sorted by
    object, then time), on the stored values: no query per record."""
    previous: Any = None
    for record in records:
        if previous is not None and previous.id != record.id:
            previous = None
        base = {"when": record.history_date, "object_type": object_type, "object_id": str(record.id)}
        if record.history_type != "~" or previous is None:
            action = ACTIONS.get(record.history_type, "changed")
            yield Change(**base, who_id=who(record, set()), action=action, label=label(record))
        else:
            by_field = {name: (_raw(previous, name), _raw(record, name)) for name in fields}
            by_field = {name: pair for name, pair in by_field.items() if pair[0] != pair[1]}
            for name, sets in snapshots.items():
                old, new = sets.get(previous.history_id, set()), sets.get(record.history_id, set())
                if old != new:
                    by_field[name] = (sorted(old), sorted(new))
            changed = [name for name in (*fields, *snapshots) if name in by_field]
            who_id = who(record, set(changed))
            for name in changed:
                old, new = by_field[name]
                yield Change(**base, who_id=who_id, action="changed", label=label(record), field=name, old=old, new=new)
        previous = record


def _result_who(record: Any, changed: set[str]) -> Any:
    return record.history_user_id or (record.updated_by_id if EDITED_FIELDS & changed else None)


def history_changes(assessment: Assessment, results: Sequence[Result], evidence: Sequence[Evidence]) -> list[Change]:
    """Every recorded change of the assessment, its results and its evidence, oldest first, from
    django-simple-history: three queries for the records, one per many-to-many field for the
    snapshots, whatever the number of results. "who" is the signed-in user recorded with the save
    (HistoryRequestMiddleware), else the person the row itself names (updated_by, added_by)."""
    result_labels = {str(r.pk): result_label(r) for r in results}
    evidence_labels = {str(e.pk): str(e) for e in evidence}
    assessment_records = list(Assessment.history.filter(id=assessment.pk).order_by("history_date", "history_id"))
    result_records = list(
        Result.history.filter(assessment_id=assessment.pk).order_by("id", "history_date", "history_id")
    )
    evidence_records = list(
        Evidence.history.filter(assessment_id=assessment.pk).order_by("id", "history_date", "history_id")
    )
    changes = [
        *_changes(
            assessment_records,
            object_type="assessment",
            fields=ASSESSMENT_HISTORY_FIELDS,
            label=lambda r: assessment.title,
            who=lambda r, _: r.history_user_id,
            snapshots=_m2m_snapshots(Assessment.history.model, assessment_records),
        ),
        *_changes(
            result_records,
            object_type="result",
            fields=RESULT_HISTORY_FIELDS,
            label=lambda r: result_labels.get(str(r.id), f"result {r.id}"),
            who=_result_who,
            snapshots={},
        ),
        *_changes(
            evidence_records,
            object_type="evidence",
            fields=EVIDENCE_HISTORY_FIELDS,
            label=lambda r: evidence_labels.get(str(r.id), r.filename or r.reference),
            who=lambda r, _: r.history_user_id or r.added_by_id,
            snapshots=_m2m_snapshots(Evidence.history.model, evidence_records),
        ),
    ]
    for change in changes:
        change.who_id = str(change.who_id) if change.who_id else None
    changes.sort(key=lambda c: c.when)  # stable: the fields of one save stay together, in order
    return changes


def write_history_csv(changes: Sequence[Change], out: BinaryIO, *, result_labels: dict[str, str]) -> None:
    """history.csv: when (UTC, ISO 8601), who, what, which field, from, to. People and zones are
    named (one query each); results by their requirement and target."""
    people_ids: set[Any] = {c.who_id for c in changes}
    people_ids.update(v for c in changes if c.field in PEOPLE_FIELDS for v in (c.old, c.new))
    wanted = {str(i) for i in people_ids if i}
    people = {str(u.pk): u for u in User.objects.filter(pk__in=wanted)} if wanted else {}
    names = dict(result_labels)
    targets = {str(v) for c in changes if c.field in ("zones", "conduits") for v in (*c.old, *c.new)}
    if targets:
        for model in (Zone, Conduit):
            names.update((str(pk), name) for pk, name in model.objects.filter(pk__in=targets).values_list("pk", "name"))

    def shown(name: str, value: Any) -> Any:
        if not name:
            return ""
        if name in PEOPLE_FIELDS and value:
            user = people.get(str(value))
            return person(user) if user else f"former member {value}"
        if isinstance(value, list):
            return LIST_SEPARATOR.join(sorted(str(names.get(v, v)) for v in value))
        return plain(value)

    with csv_to_binary(out) as writer:
        writer.writerow(HISTORY_COLUMNS)
        for c in changes:
            user = people.get(c.who_id or "")
            username = user.get_username() if user else ""
            row = [c.when, person(user), username, c.action, c.object_type, c.object_id, c.label, c.field]
            writer.writerow([*row, shown(c.field, c.old), shown(c.field, c.new)])


def history_csv(assessment: Assessment, out: BinaryIO) -> None:
    """Write the change history of `assessment` (its own fields, results and evidence) as CSV."""
    results = load_results(assessment)
    evidence = list(Evidence.objects.filter(assessment=assessment))
    changes = history_changes(assessment, results, evidence)
    write_history_csv(changes, out, result_labels={str(r.pk): result_label(r) for r in results})
