"""Build risk assessments for the risk tests."""

from __future__ import annotations

from typing import Any

from accounts.models import Organization
from risk import services
from risk.models import RiskAssessment, ThreatScenario, ThreatSource
from risk.selectors import matrix_for
from tests.factories import RiskAssessmentFactory
from zones.models import Conduit, Site, Zone

HIGH = {"safety": 5, "environment": 2, "production": 4, "financial": 3, "reputation": 2, "regulatory": 3}
LOW = {"safety": 1, "environment": 0, "production": 1, "financial": 0, "reputation": 0, "regulatory": 0}


def source(organization: Organization, name: str) -> ThreatSource:
    """One of the seeded threat sources of the organization (seeded with its matrix on first use)."""
    matrix_for(organization)
    return ThreatSource.objects.get(organization=organization, name=name)


def assessment(site: Site, **fields: Any) -> RiskAssessment:
    found: RiskAssessment = RiskAssessmentFactory.create(site=site, **fields)
    matrix_for(site.organization_id)
    return found


def scenario(
    risk_assessment: RiskAssessment, target: Zone | Conduit, threat_source: ThreatSource, **fields: Any
) -> ThreatScenario:
    data: dict[str, Any] = {
        "risk_assessment": risk_assessment,
        "title": fields.pop("title", f"{threat_source.name} against {target.name}"),
        "threat_source": threat_source,
        "likelihood": 4,
        "consequence": HIGH,
        **fields,
    }
    data["zone" if isinstance(target, Zone) else "conduit"] = target
    return services.threat_scenario_save(scenario=ThreatScenario(), fields=data)
