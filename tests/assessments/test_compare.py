"""Comparing two assessments of one site (decision 0027): SL-A per zone and conduit and their difference,
the results whose status changed and the findings opened and closed, checked against an independent
computation from the definitions; the refusals (400/404); a flat query count; the page; and the gap
PDF's "Since the last assessment" chapter."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments.choices import ResultStatus
from assessments.compare import compare, previous_assessment
from assessments.models import Assessment, Result
from compliance.choices import FR_CODES, Kind
from compliance.models import Requirement
from remediation.choices import FindingSource, FindingStatus, Severity
from remediation.models import Finding
from reports.pdf.gap_assessment import TEMPLATE, context
from reports.pdf.gap_data import gap_report
from tests.assessments.helpers import Plant, make_assessment, make_plant, make_zone, results_of, uniform
from tests.conftest import Personas, api_as
from tests.factories import SiteFactory
from zones.models import Conduit, Zone

pytestmark = pytest.mark.django_db

# What the primer calls satisfied, written out here rather than taken from compliance.sl (the oracle).
SATISFIED = {"met", "compensated", "not_applicable"}
STATUSES = [s.value for s in ResultStatus]


def scatter(assessment: Assessment, rng: random.Random, met_share: float) -> None:
    """Give every result of `assessment` a status (mostly met, so that SL-A varies), a few queries in all."""
    chosen: dict[str, list[uuid.UUID]] = {}
    for pk in Result.objects.filter(assessment=assessment).order_by("pk").values_list("pk", flat=True):
        status = "met" if rng.random() < met_share else rng.choice(STATUSES)
        chosen.setdefault(status, []).append(pk)
    for status, pks in chosen.items():
        Result.objects.filter(pk__in=pks).update(status=status)


@dataclass
class Pair:
    plant: Plant
    extra: Zone
    older: Assessment
    newer: Assessment


@pytest.fixture
def pair(personas: Personas) -> Pair:
    """Last year: zones 1 and 2 and their conduit. This year: zone 1, the conduit and a new zone 3
    (zone 2 left the scope). Statuses scattered differently in each."""
    plant = make_plant(personas.site, [uniform(2), uniform(1)], conduit_slt="{1,1,0,0,2,0,0}")
    extra = make_zone(personas.site, "Zone 3", uniform(1), purdue_level=3)
    by = personas.consultant
    older = make_assessment(personas.site, by, zones=plant.zones, conduits=plant.conduits, title="2025")
    newer = make_assessment(personas.site, by, zones=[plant.zones[0], extra], conduits=plant.conduits, title="2026")
    Assessment.objects.filter(pk=older.pk).update(created=newer.created - timedelta(days=365))
    older.refresh_from_db()
    scatter(older, random.Random(1), 0.8)
    scatter(newer, random.Random(2), 0.85)
    return Pair(plant, extra, older, newer)


# --- the oracle: straight from the definitions and the rows ------------------------------------------
def oracle_sla(assessment: Assessment, target: Zone | Conduit) -> dict[str, int]:
    """SL-A per FR: the highest n such that every 3-3 item of the FR selected at n or below is satisfied
    (an item without a result counts as not satisfied)."""
    items = Requirement.objects.filter(
        catalogue=assessment.catalogue, kind__in=[Kind.SR, Kind.RE], assessable=True, lowest_sl__isnull=False
    ).values_list("ref", "fr_id", "lowest_sl")
    status = dict(results_of(assessment, target).values_list("requirement__ref", "status"))
    levels = {}
    for fr in FR_CODES:
        n = 0
        while n < 4 and all(status.get(ref) in SATISFIED for ref, f, low in items if f == fr and (low or 0) <= n + 1):
            n += 1
        levels[fr] = n
    return levels


def oracle_changes(older: Assessment, newer: Assessment) -> set[tuple[str, str, str, str]]:
    def rows(a: Assessment) -> dict[tuple[str, str], str]:
        found = Result.objects.filter(assessment=a, in_scope=True).values_list(
            "zone_id", "conduit_id", "requirement__ref", "status"
        )
        return {(str(z or c), ref): s for z, c, ref, s in found}

    before, after = rows(older), rows(newer)
    return {
        (ref, t, before[(t, ref)], s) for (t, ref), s in after.items() if (t, ref) in before and before[(t, ref)] != s
    }


def test_compare_matches_the_oracle(personas: Personas, pair: Pair) -> None:
    zone1, zone2 = pair.plant.zones
    conduit = pair.plant.conduits[0]
    response = api_as(personas.auditor).get(f"/api/v1/assessments/{pair.newer.pk}/compare/?with={pair.older.pk}")
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["assessment"], data["with"]) == (str(pair.newer.pk), str(pair.older.pk))
    assert (data["older"]["id"], data["newer"]["id"]) == (str(pair.older.pk), str(pair.newer.pk))

    zones = {z["id"]: z for z in data["zones"]}
    assert {zones[str(z.pk)]["change"] for z in (zone1,)} == {"both"}
    assert zones[str(zone2.pk)]["change"] == "removed" and zones[str(zone2.pk)]["sl_achieved_newer"] is None
    assert zones[str(pair.extra.pk)]["change"] == "added" and zones[str(pair.extra.pk)]["sl_achieved_older"] is None
    assert zones[str(zone2.pk)]["sl_achieved_older"] == oracle_sla(pair.older, zone2)
    assert zones[str(pair.extra.pk)]["sl_achieved_newer"] == oracle_sla(pair.newer, pair.extra)
    for row, target in ((zones[str(zone1.pk)], zone1), (data["conduits"][0], conduit)):
        before, after = oracle_sla(pair.older, target), oracle_sla(pair.newer, target)
        assert row["sl_achieved_older"] == before and row["sl_achieved_newer"] == after
        assert row["difference"] == {fr: after[fr] - before[fr] for fr in FR_CODES}
    # The fixture must exercise the arithmetic, not compare zeros with zeros.
    assert any(v for z in data["zones"] + data["conduits"] for v in (z["sl_achieved_newer"] or {}).values())

    got = {(c["requirement"], c["target"]["id"], c["from"], c["to"]) for c in data["results_changed"]}
    expected = oracle_changes(pair.older, pair.newer)
    assert got == expected and len(expected) > 5
    assert len(data["results_changed"]) == len(expected)  # no duplicates
    improved = sum(1 for _, _, a, b in expected if a not in SATISFIED and b in SATISFIED)
    assert data["counts"]["improved"] == improved

    # The same comparison from the other side: same content, the roles of `assessment` and `with` swapped.
    back = api_as(personas.auditor).get(f"/api/v1/assessments/{pair.older.pk}/compare/?with={pair.newer.pk}").json()
    assert (back["assessment"], back["with"]) == (str(pair.older.pk), str(pair.newer.pk))
    assert {k: v for k, v in back.items() if k not in ("assessment", "with")} == {
        k: v for k, v in data.items() if k not in ("assessment", "with")
    }


def _finding(a: Assessment | None, zone: Zone, ref: str, status: str = FindingStatus.OPEN, **kw: Any) -> Finding:
    requirement = Requirement.objects.get(catalogue=(a or kw.pop("catalogue_of")).catalogue, ref=ref)
    return Finding.objects.create(
        site=zone.site,
        zone=zone,
        assessment=a,
        requirement=requirement,
        title=f"{ref} on {zone.name}",
        source=FindingSource.ASSESSMENT if a else FindingSource.INTERNAL_REVIEW,
        severity=Severity.HIGH,
        status=status,
        identified=date(2026, 1, 1),
        resolved_at=date(2026, 2, 1) if status == FindingStatus.RESOLVED else None,
    )


def test_findings_opened_and_closed(personas: Personas, pair: Pair) -> None:
    zone1, zone2 = pair.plant.zones
    old, new = pair.older, pair.newer
    gone = _finding(old, zone1, "SR 1.1")  # met this year and no finding for it: closed
    results_of(new, zone1).filter(requirement__ref="SR 1.1").update(status=ResultStatus.MET)
    fixed = _finding(old, zone2, "SR 1.2", FindingStatus.RESOLVED)  # resolved: closed
    again = _finding(old, zone1, "SR 2.1")  # found again this year (a new row): neither
    _finding(new, zone1, "SR 2.1")
    carried = _finding(old, zone1, "SR 3.1")  # still open and linked to this year's result: neither
    carried.results.add(results_of(new, zone1).get(requirement__ref="SR 3.1"))
    accepted = _finding(old, zone1, "SR 3.2", FindingStatus.ACCEPTED_RISK)  # linked again, but accepted: closed
    accepted.results.add(results_of(new, zone1).get(requirement__ref="SR 3.2"))
    fresh = _finding(new, pair.extra, "SR 1.1")  # new this year: opened
    _finding(None, zone1, "SR 4.1", catalogue_of=new)  # a manual finding of no assessment: neither
    third = make_assessment(personas.site, personas.consultant, zones=[zone1], title="Spot check")
    _finding(third, zone1, "SR 5.1")  # another assessment's: neither

    result = compare(new, old)
    assert {f.pk for f in result.opened} == {fresh.pk}
    assert {f.pk for f in result.closed} == {gone.pk, fixed.pk, accepted.pk}
    assert again.pk not in {f.pk for f in result.closed}
    data = api_as(personas.consultant).get(f"/api/v1/assessments/{new.pk}/compare/?with={old.pk}").json()
    assert [f["id"] for f in data["findings"]["opened"]] == [str(fresh.pk)]
    assert data["counts"]["findings_closed"] == 3
    assert data["findings"]["opened"][0]["requirement"] == "SR 1.1"


def test_refusals(personas: Personas, pair: Pair) -> None:
    url = f"/api/v1/assessments/{pair.newer.pk}/compare/"
    client = api_as(personas.consultant)
    assert client.get(url).status_code == 400  # no `with`
    assert client.get(url + "?with=nonsense").status_code == 400
    same = client.get(url + f"?with={pair.newer.pk}")
    assert same.status_code == 400 and "with" in same.json()
    elsewhere = SiteFactory.create(organization=personas.org, name="Other plant")
    other_site = make_assessment(elsewhere, personas.consultant, zones=[make_zone(elsewhere, "Z")], title="There")
    assert client.get(url + f"?with={other_site.pk}").status_code == 400
    foreign_site = personas.other_site
    foreign = make_assessment(foreign_site, personas.outsider, zones=[make_zone(foreign_site, "F")], title="B")
    assert client.get(url + f"?with={foreign.pk}").status_code == 404  # another organization's: not there
    assert client.get(url + f"?with={uuid.uuid4()}").status_code == 404
    assert api_as(personas.outsider).get(url + f"?with={foreign.pk}").status_code == 404


def test_query_count_is_flat(personas: Personas, pair: Pair) -> None:
    """More zones, results and findings, the same number of queries."""
    url = f"/api/v1/assessments/{pair.newer.pk}/compare/?with={pair.older.pk}"
    client = api_as(personas.consultant)
    # An empty list of findings would skip a query: one resolved since, so it is listed as closed.
    _finding(pair.older, pair.plant.zones[0], "SR 1.1", FindingStatus.RESOLVED)
    client.get(url)  # warm the catalogue cache
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    zones = [make_zone(personas.site, f"More {n}", uniform(2)) for n in range(3)]
    older = make_assessment(personas.site, personas.consultant, zones=zones + pair.plant.zones, title="Big old")
    newer = make_assessment(personas.site, personas.consultant, zones=zones, title="Big new")
    scatter(older, random.Random(3), 0.5)
    scatter(newer, random.Random(4), 0.5)
    for zone in zones:
        _finding(older, zone, "SR 1.1", FindingStatus.RESOLVED)
        _finding(newer, zone, "SR 1.2")
    url = f"/api/v1/assessments/{newer.pk}/compare/?with={older.pk}"
    with CaptureQueriesContext(connection) as big:
        response = client.get(url)
    assert response.status_code == 200 and len(response.json()["results_changed"]) > 100
    assert len(big) == len(small)


def test_page_picker_and_link(personas: Personas, pair: Pair) -> None:
    client = Client()
    client.force_login(personas.auditor)
    detail = client.get(reverse("assessment-detail", args=[pair.newer.pk])).content.decode()
    page_url = reverse("assessment-compare", args=[pair.newer.pk])
    assert f'href="{page_url}"' in detail

    page = client.get(page_url)  # no choice made: the previous assessment
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="compare-picker"' in html and f'value="{pair.older.pk}" selected' in html
    assert 'id="compare-levels"' in html and 'data-change="added"' in html and 'data-change="removed"' in html
    assert page.context["c"].older == pair.older and len(page.context["c"].changes) > 5
    assert "badge-ok" in html or "badge-bad" in html  # some SL-A moved and is coloured

    first = client.get(reverse("assessment-compare", args=[pair.older.pk])).content.decode()
    assert 'id="compare-picker"' in first and 'id="compare-levels"' not in first  # nothing earlier: pick one
    chosen = client.get(reverse("assessment-compare", args=[pair.older.pk]) + f"?with={pair.newer.pk}")
    assert chosen.context["c"].newer == pair.newer

    foreign_site = personas.other_site
    foreign = make_assessment(foreign_site, personas.outsider, zones=[make_zone(foreign_site, "F")], title="B")
    assert client.get(page_url + f"?with={foreign.pk}").status_code == 404
    outsider = Client()
    outsider.force_login(personas.outsider)
    assert outsider.get(page_url).status_code == 404


def test_previous_and_the_gap_report_chapter(personas: Personas, pair: Pair) -> None:
    assert previous_assessment(pair.newer) == pair.older
    assert previous_assessment(pair.older) is None
    assert gap_report(pair.older).since is None
    report = gap_report(pair.newer)
    assert report.since is not None and report.since.older == pair.older
    titles = [e.label for e in report.outline.entries if e.level == 1]
    assert titles.index("6 Findings") + 1 == titles.index("7 Since the last assessment")
    html = render_to_string(TEMPLATE, context(report))
    assert 'id="since"' in html and "Compared with <strong>2025</strong>" in html
    assert len(report.since.top_changes) == min(15, len(report.since.changes))


def test_a_finding_not_raised_again_is_closed_only_when_its_requirement_is_now_satisfied(
    personas: Personas, pair: Pair
) -> None:
    """A newer assessment that has not generated findings yet (carried forward, still being assessed) does not
    close the older's findings: only a result now satisfied on the same target, or a resolved finding, does."""
    zone = pair.plant.zones[0]
    still_open = _finding(pair.older, zone, "SR 1.2")
    fixed = _finding(pair.older, zone, "SR 1.3")
    Result.objects.filter(assessment=pair.newer, zone=zone, requirement__ref="SR 1.2").update(
        status=ResultStatus.NOT_ASSESSED
    )
    Result.objects.filter(assessment=pair.newer, zone=zone, requirement__ref="SR 1.3").update(status=ResultStatus.MET)
    body = api_as(personas.consultant).get(f"/api/v1/assessments/{pair.newer.pk}/compare/?with={pair.older.pk}").json()
    closed = {f["id"] for f in body["findings"]["closed"]}
    assert str(fixed.pk) in closed and str(still_open.pk) not in closed
