"""The demo risk assessment: its proposal reproduces the demo plant's SL-T vectors, it is approved by the demo
owner, and seeding it is cheap and happens once."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reports import tasks
from reports.choices import ReportKind
from reports.demo import seed_crs
from risk.choices import RiskStatus
from risk.demo import TITLE, seed_risk
from risk.models import AppliedTarget, RiskAssessment
from risk.selectors import site_proposal
from tests.conftest import DEMO_GROUP
from zones.models import Site

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group(DEMO_GROUP)]


def demo_assessment() -> RiskAssessment:
    return RiskAssessment.objects.select_related("site", "approved_by").get(title=TITLE)


def test_the_proposal_reproduces_every_demo_sl_t(demo_db: None) -> None:
    proposal = site_proposal(demo_assessment())
    targets = proposal.targets()
    assert len(proposal.zones) == 7 and len(proposal.conduits) == 5
    for target in targets:
        assert target.obj.sl_target.max_level > 0, target.name  # every demo zone and conduit has an SL-T
        assert target.proposed == target.obj.sl_target, f"{target.kind} {target.name}"
        # Every level is set by a scenario (baseline 0), so every FR above 0 has a reason.
        reasoned = {reason.fr for reason in target.proposal.reasons}
        assert reasoned == {fr for fr, level in target.proposed.items() if level}


def test_it_is_approved_by_the_demo_owner_and_has_a_mix_of_scenarios(demo_db: None) -> None:
    assessment = demo_assessment()
    assert assessment.status == RiskStatus.APPROVED and assessment.approved_by is not None
    assert assessment.approved_by.username == "demo-owner" and assessment.revision == 1
    assert assessment.regulatory and assessment.scope and assessment.baseline_sl == 0
    scenarios = list(assessment.scenarios.select_related("threat_source"))
    assert len(scenarios) >= 20
    assert {s.threat_source.name for s in scenarios} >= {"Commodity ransomware", "Third-party remote user"}
    assert any(s.additional_countermeasures for s in scenarios)  # some still need more (ZCR 5.12)
    assert all(s.history.exists() for s in scenarios[:3])  # seeded with history, like any write
    assert not AppliedTarget.objects.exists()  # the SL-Ts were already there: nothing to apply


def test_seeding_again_does_nothing_and_seeding_is_cheap(demo_db: None) -> None:
    site = Site.objects.get(name="Riverside Water Treatment Works")
    assert seed_risk(site) is None
    RiskAssessment.objects.filter(site=site).delete()
    with CaptureQueriesContext(connection) as queries:
        assert seed_risk(site) is not None
    assert len(queries) < 60


def test_the_demo_queues_its_crs_once_for_the_worker(
    demo_db: None, settings: Any, monkeypatch: Any, django_capture_on_commit_callbacks: Any
) -> None:
    assessment = demo_assessment()
    sent: list[tuple[Any, ...]] = []
    monkeypatch.setattr(tasks.run_report, "delay", lambda *args: sent.append(args))
    assert seed_crs(assessment) is None  # tasks run eagerly here: nothing rendered inside seed_demo
    settings.CELERY_TASK_ALWAYS_EAGER = False
    with django_capture_on_commit_callbacks(execute=True):
        job = seed_crs(assessment)
    assert job is not None and (job.kind, job.risk_assessment_id) == (ReportKind.CRS, assessment.pk)
    assert seed_crs(assessment) is None and sent == [(str(job.pk), str(job.run_token))]
