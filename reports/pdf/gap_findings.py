"""The findings section of the gap-assessment PDF: the remediation register's findings of the assessment
when it has some, else the results found wanting."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from assessments.choices import ResultStatus
from assessments.models import Assessment, Result
from remediation.models import FINDING_ORDER, Finding
from reports.pdf.toc import anchor

# Findings listed from the results when the remediation register has none for the assessment: what was
# found wanting. Not assessed items are unsatisfied too, but they are work still to do, not findings; the
# report counts them apart.
FINDING_STATUSES = (ResultStatus.NOT_MET, ResultStatus.PARTIALLY_MET)


@dataclass
class FindingRow:
    """A row of the findings table. `number` is stable across re-renders and revisions of the report (a new
    finding never renumbers the others), and `key` identifies the row for cutting the table into parts
    (decision 0039)."""

    number: str
    title: str
    target: str
    anchor: str
    requirement: str
    rating: str
    rating_class: str
    description: str
    extra: str = ""
    key: str = ""


def _register_findings(assessment: Assessment, names: dict[uuid.UUID, tuple[str, str]]) -> list[FindingRow]:
    """The assessment's findings in the remediation register, most severe first, then oldest first; numbered
    in the order they were recorded (F01 the first), so that a new finding renumbers no other."""
    findings = Finding.objects.filter(assessment=assessment).select_related("zone", "conduit", "requirement")
    rows = list(findings.order_by(*FINDING_ORDER))
    recorded = {f.pk: n for n, f in enumerate(sorted(rows, key=lambda f: (f.created, str(f.pk))), start=1)}
    out = []
    for f in rows:
        target = f.zone or f.conduit
        out.append(
            FindingRow(
                number=f"F{recorded[f.pk]:02d}",
                key=str(f.pk),
                title=f.title,
                target=str(target) if target is not None else "Site-wide",
                anchor=anchor(names[target.pk][1], target.pk) if target is not None and target.pk in names else "",
                requirement=f.requirement.ref if f.requirement is not None else "",
                rating=str(f.get_severity_display()),
                rating_class=f"sev-{f.severity}",
                description=f.description,
                extra=str(f.get_status_display()),
            )
        )
    return out


def _result_findings(
    results: dict[uuid.UUID, list[Result]], names: dict[uuid.UUID, tuple[str, str]]
) -> list[FindingRow]:
    """What the results found wanting: not met first, then partially met, each in catalogue order. Each is
    numbered by its place among all the in-scope results in catalogue order (so the numbers have gaps, and a
    result found wanting later renumbers no other)."""

    def catalogue_order(r: Result) -> tuple[int, str, str]:
        return (r.requirement.position, names[r.target_id][0], str(r.target_id))

    everything = sorted((r for rows in results.values() for r in rows), key=catalogue_order)
    place = {r.pk: n for n, r in enumerate(everything, start=1)}
    width = max(2, len(str(len(everything))))
    flat = [r for r in everything if r.status in FINDING_STATUSES]
    flat.sort(key=lambda r: (r.status != ResultStatus.NOT_MET, *catalogue_order(r)))
    return [
        FindingRow(
            number=f"F{place[r.pk]:0{width}d}",
            key=str(r.pk),
            title=r.requirement.title,
            target=names[r.target_id][0],
            anchor=anchor(names[r.target_id][1], r.target_id),
            requirement=r.requirement.ref,
            rating=str(ResultStatus(r.status).label),
            rating_class=f"status-{r.status}",
            description=r.observations,
        )
        for r in flat
    ]


def findings_for(
    assessment: Assessment, results: dict[uuid.UUID, list[Result]], names: dict[uuid.UUID, tuple[str, str]]
) -> tuple[list[FindingRow], str]:
    """The register's findings when someone has raised them for this assessment; otherwise what the
    results found wanting (an empty register must not read as "no findings" in a client's report)."""
    register = _register_findings(assessment, names)
    if register:
        return register, "remediation"
    return _result_findings(results, names), "results"
