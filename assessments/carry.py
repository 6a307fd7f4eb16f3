"""Carry forward (decision 0026): a new assessment of a site starts from an earlier one's findings.

Each result of the new assessment whose zone or conduit and requirement had a finding in the earlier
assessment takes its status, observations, compensating countermeasure, justification and evidence links
(the same Evidence rows, not copies of the files), marked `carried_forward` until someone confirms it.
Requirements are matched by their reference ("SR 1.1 RE 1"), so a carry across catalogue releases keeps
what still exists under the same reference.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import User
from assessments.choices import ResultStatus
from assessments.models import Assessment, Evidence, Result
from compliance.models import Requirement


@dataclass(frozen=True)
class CarryCounts:
    """What a carry forward did: results carried, evidence links made, and of those links how many point at
    evidence that has expired (still linked, flagged in the workspace and the API)."""

    carried: int = 0
    evidence_links: int = 0
    expired_links: int = 0


def check_previous(*, site_id: uuid.UUID, previous: Assessment, assessment: Assessment | None = None) -> None:
    """Refuse a `previous` assessment of another site, or the assessment itself."""
    if previous.site_id != site_id:
        raise ValidationError({"previous": "Carry forward only from an earlier assessment of the same site."})
    if assessment is not None and previous.pk == assessment.pk:
        raise ValidationError({"previous": "An assessment cannot be carried forward from itself."})


def _has_finding(status: str, observations: str, countermeasure: str, justification: str, linked: bool) -> bool:
    # A row nobody wrote anything on would only add "to confirm" noise: not carried.
    return status != ResultStatus.NOT_ASSESSED or bool(observations or countermeasure or justification) or linked


class Carry:
    """One carry forward from `previous`, in two steps around the new results' single bulk insert (the
    insert writes their history rows too): `fill` sets the findings on the unsaved results, `link` then
    links the same evidence. Filling before the insert, not updating after it, keeps it to a fixed number
    of queries and one write per row: a bulk UPDATE of 1,820 rows took seconds (decision 0026)."""

    def __init__(self, *, previous: Assessment, by: User, today: date | None = None) -> None:
        self.previous = previous
        self.by = by
        self.today = today or timezone.localdate()
        self.carried: list[Result] = []
        self.linked: dict[uuid.UUID, list[uuid.UUID]] = {}

    def fill(self, results: list[Result]) -> None:
        """Copy the findings of `previous` onto the unsaved `results` of the same target and requirement."""
        links = Evidence.results.through
        for result_id, evidence_id in links.objects.filter(result__assessment=self.previous).values_list(
            "result_id", "evidence_id"
        ):
            self.linked.setdefault(result_id, []).append(evidence_id)
        source: dict[tuple[uuid.UUID, str], tuple[uuid.UUID, str, str, str, str]] = {}
        rows = Result.objects.filter(assessment=self.previous).values_list(
            "id", "zone_id", "conduit_id", "requirement__ref", "status", "observations", "countermeasure",
            "justification",
        )  # fmt: skip
        for pk, zone_id, conduit_id, ref, status, observations, countermeasure, justification in rows:
            if _has_finding(status, observations, countermeasure, justification, pk in self.linked):
                source[(zone_id or conduit_id, ref)] = (pk, status, observations, countermeasure, justification)
        refs = dict(Requirement.objects.filter(pk__in={r.requirement_id for r in results}).values_list("pk", "ref"))
        for result in results:
            found = source.get((result.target_id, refs[result.requirement_id]))
            if found is None:
                continue
            result.carried_from_id, result.status, result.observations, result.countermeasure = found[:4]
            result.justification = found[4]
            result.carried_forward = True
            result.updated_by = self.by
            self.carried.append(result)

    def link(self) -> CarryCounts:
        """Link the evidence of the carried findings to the (now saved) new results; count what was done."""
        links = Evidence.results.through
        new_links = [
            links(result_id=r.pk, evidence_id=evidence_id)
            for r in self.carried
            for evidence_id in self.linked.get(r.carried_from_id, [])  # type: ignore[arg-type]
        ]
        links.objects.bulk_create(new_links, batch_size=1000)
        evidence_ids = {link.evidence_id for link in new_links}
        expired_ids = set(
            Evidence.objects.filter(pk__in=evidence_ids, expires__lt=self.today).values_list("pk", flat=True)
        )
        expired = sum(1 for link in new_links if link.evidence_id in expired_ids)
        return CarryCounts(carried=len(self.carried), evidence_links=len(new_links), expired_links=expired)


def carried_forward_count(assessment: Assessment) -> int:
    """In-scope results of `assessment` still carried forward, to confirm."""
    return Result.objects.filter(assessment=assessment, in_scope=True, carried_forward=True).count()
