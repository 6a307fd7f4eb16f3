"""The demo roadmap: idempotent, and the story it tells on 25 November 2026."""

from __future__ import annotations

from datetime import date

import pytest

from accounts.demo import FIRST_ORG, seed_people
from assessments.choices import ResultStatus
from assessments.demo import TITLE, seed_assessment
from assessments.models import Assessment, Result
from remediation import selectors
from remediation.choices import ActionStatus, FindingSource
from remediation.demo import STORY_DAY, seed_roadmap
from remediation.models import Action, Finding
from tests.conftest import DEMO_GROUP
from zones.demo import seed_plants, seed_water_works
from zones.models import Site

pytestmark = pytest.mark.django_db
DEMO_SITE = "Riverside Water Treatment Works"


@pytest.fixture
def site() -> Site:
    """The demo plant and its assessment, without the roadmap (seed_demo would add it)."""
    orgs = seed_people()
    seed_plants(orgs)
    site = seed_water_works(orgs[FIRST_ORG])
    seed_assessment(site)
    return site


@pytest.fixture
def demo_site(demo_db: None) -> Site:
    """The demo plant as seed_demo left it, roadmap included."""
    return Site.objects.get(name=DEMO_SITE)


@pytest.mark.xdist_group(DEMO_GROUP)
def test_seed_demo_includes_the_roadmap(demo_site: Site) -> None:
    assert Action.objects.filter(findings__site=demo_site).distinct().count() >= 12


@pytest.mark.xdist_group(DEMO_GROUP)
def test_seed_is_idempotent_and_leaves_the_collaboration_zone_alone(demo_site: Site) -> None:
    site = demo_site  # seed_demo has seeded the roadmap once
    counts = (Finding.objects.count(), Action.objects.count(), Result.history.count())
    assert seed_roadmap(site) is None
    assert (Finding.objects.count(), Action.objects.count(), Result.history.count()) == counts
    assessment = Assessment.objects.get(title=TITLE)
    assert assessment.status == "in_progress"
    dmz = Result.objects.filter(assessment=assessment, zone__name="Plant DMZ")
    assert set(dmz.values_list("status", flat=True)) == {ResultStatus.NOT_ASSESSED}
    assert not Result.objects.filter(
        assessment=assessment, zone__name__in=["Process control", "SCADA", "Field devices"], status="not_assessed"
    ).exists()


@pytest.mark.xdist_group(DEMO_GROUP)
def test_the_story(demo_site: Site) -> None:
    site = demo_site
    actions = list(Action.objects.filter(site=site).select_related("owner"))  # all seeded by seed_roadmap
    assert 12 <= len(actions) <= 20
    assert {a.owner.username for a in actions if a.owner} == {"demo-owner", "demo-consultant"}
    assert {a.status for a in actions} >= {ActionStatus.DONE, ActionStatus.VERIFIED, ActionStatus.PLANNED}
    assert sorted(a.title for a in actions if a.is_overdue(STORY_DAY)) == [
        "Quarterly review of the plant firewall rule bases",
        "Replace the historian certificate and disable TLS 1.0",
    ]
    assert "Spring shutdown 2027" in {a.maintenance_window for a in actions}
    dates = [d for a in actions for d in (a.planned_start, a.due_date) if d]
    assert min(dates).year == 2026 and max(dates).year == 2028
    sources = set(Finding.objects.values_list("source", flat=True))
    assert sources == set(FindingSource.values)
    rows = {r.target.name: r for r in selectors.site_projection(site, STORY_DAY).zones}
    assert rows["Process control"].verdict == "Reaches its SL-T in Q3 2027 if these 4 actions land"
    assert rows["Field devices"].reaches_quarter == "Q4 2026"
    assert rows["SCADA"].verdict == "Not with the planned actions: FR2, FR6 uncovered"
    assert rows["Enterprise IT"].projection.at_target_now
    # Open findings without an action: the legacy dosing PLC's capability gap and one assessment finding.
    assert [s.title for s in selectors.suggestions(site, STORY_DAY)] == [
        "Remediate: SL-C below SL-T on FR1, FR2, FR3, FR4, FR5, FR7: Dosing PLC · Process control",
        "SR 2.6 Remote session termination: SCADA",
    ]


def test_audit_findings_of_the_program_demo_are_reused_not_duplicated(site: Site) -> None:
    """In whichever order the demo seeds run, one set of audit findings: the KPI of audit findings
    (program app) counts them."""
    common = {"source": FindingSource.THIRD_PARTY_AUDIT, "severity": "high", "identified": date(2026, 3, 16)}
    vendor = Finding.objects.create(site=site, title="Vendor remote access sessions not recorded", **common)
    plan = Finding.objects.create(site=site, title="Response plan not tested with the SIS vendor", **common)
    assert seed_roadmap(site) is not None
    assert set(Finding.objects.filter(source=FindingSource.THIRD_PARTY_AUDIT)) == {vendor, plan}
    assert Action.objects.get(title="Session recording on the vendor jump host").findings.get() == vendor
    assert Action.objects.get(title__startswith="OT incident response plan").findings.get() == plan
