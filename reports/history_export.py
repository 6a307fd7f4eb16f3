"""history.csv: every recorded change of an assessment, its results and its evidence (who, when, which
field, from, to), for the export and the evidence bundle. The diff is core.history's; the fields shown
are assessments.history's; this module only writes the rows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, BinaryIO

from accounts.models import User
from assessments import history as shown
from assessments.models import Assessment, Evidence, Result
from assessments.selectors import results_for
from core.csvio import csv_to_binary, plain
from core.history import HistoryEntry, entries_for
from core.people import person_name
from zones.models import Conduit, Zone

HISTORY_COLUMNS = ("when", "who", "who_username", "action", "object_type", "object_id", "object", "field", "from", "to")
PEOPLE_FIELDS = {"assignee", "lead", "signed_off_by"}
LIST_SEPARATOR = "; "


def result_label(result: Result) -> str:
    """How a result is named in exports: "SR 1.1 · Zone 1"."""
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


def _lines(entries: list[HistoryEntry], object_type: str, labels: dict[str, str]) -> list[Change]:
    lines = []
    for e in entries:

        def line(action: str, field: str = "", old: Any = None, new: Any = None, e: HistoryEntry = e) -> Change:
            who = str(e.who_id) if e.who_id else None
            label = labels.get(e.object_id) or e.object_label
            return Change(e.when, who, action, object_type, e.object_id, label, field, old, new)

        if e.action != "changed" or not e.compared:
            lines.append(line(e.action))
        lines += [line("changed", c.field, c.old, c.new) for c in e.fields]
    return lines


def history_changes(assessment: Assessment, results: Sequence[Result], evidence: Sequence[Evidence]) -> list[Change]:
    """Every recorded change of the assessment, its results and its evidence, oldest first: a fixed number
    of queries whatever the number of results. "who" is the signed-in user recorded with the save
    (HistoryRequestMiddleware), else the person the row itself names (updated_by, added_by)."""
    in_order = ("id", "history_date", "history_id")
    records = {
        "assessment": list(Assessment.history.filter(id=assessment.pk).order_by(*in_order)),
        "result": list(Result.history.filter(assessment_id=assessment.pk).order_by(*in_order)),
        "evidence": list(Evidence.history.filter(assessment_id=assessment.pk).order_by(*in_order)),
    }
    specs = {"assessment": shown.ASSESSMENT, "result": shown.RESULT, "evidence": shown.EVIDENCE}
    models = {"assessment": Assessment, "result": Result, "evidence": Evidence}
    labels = {
        "assessment": {str(assessment.pk): assessment.title},
        "result": {str(r.pk): result_label(r) for r in results},
        "evidence": {str(e.pk): str(e) for e in evidence},
    }
    changes = []
    for kind, rows in records.items():
        entries = entries_for([(models[kind].history.model, rows, specs[kind])], whole=True)  # type: ignore[attr-defined]
        changes += _lines(entries, kind, labels[kind])
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

    def cell(name: str, value: Any) -> Any:
        if not name:
            return ""
        if name in PEOPLE_FIELDS and value:
            user = people.get(str(value))
            return person_name(user) if user else f"former member {value}"
        if isinstance(value, list):
            return LIST_SEPARATOR.join(sorted(str(names.get(v, v)) for v in value))
        return plain(value)

    with csv_to_binary(out) as writer:
        writer.writerow(HISTORY_COLUMNS)
        for c in changes:
            user = people.get(c.who_id or "")
            username = user.get_username() if user else ""
            row = [c.when, person_name(user) if user else "", username, c.action, c.object_type, c.object_id, c.label]
            writer.writerow([*row, c.field, cell(c.field, c.old), cell(c.field, c.new)])


def history_csv(assessment: Assessment, out: BinaryIO) -> None:
    """Write the change history of `assessment` (its own fields, results and evidence) as CSV."""
    results = list(results_for(assessment))
    evidence = list(Evidence.objects.filter(assessment=assessment))
    changes = history_changes(assessment, results, evidence)
    write_history_csv(changes, out, result_labels={str(r.pk): result_label(r) for r in results})
