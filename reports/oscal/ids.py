"""The UUIDs of the OSCAL objects the exports make: uuid5 of a fixed namespace (compliance.oscal) and what
the object stands for, so two exports of the same objects name them alike and a GRC tool that imports the
second updates what it imported from the first instead of duplicating it."""

from __future__ import annotations

from typing import Any

from compliance.oscal import stable_uuid


def document(kind: str, pk: Any) -> str:
    """The document: ("assessment-results", assessment id) or ("poam", site id)."""
    return stable_uuid(kind, pk)


def result(assessment_pk: Any, target_pk: Any) -> str:
    """The OSCAL result of one zone or conduit in one assessment."""
    return stable_uuid("result", assessment_pk, target_pk)


def observation(result_pk: Any) -> str:
    """The observation of one of our results (status and observations text)."""
    return stable_uuid("observation", result_pk)


def finding(result_pk: Any) -> str:
    """The OSCAL finding of one of our results that is not met or partially met."""
    return stable_uuid("finding", result_pk)


def plan(assessment_pk: Any) -> str:
    """The back-matter resource that stands for the assessment plan (scope and catalogue) of an assessment."""
    return stable_uuid("assessment-plan", assessment_pk)


def evidence(evidence_pk: Any) -> str:
    """The back-matter resource of one evidence document."""
    return stable_uuid("evidence", evidence_pk)


def component(target_pk: Any) -> str:
    """The component that stands for a zone or conduit."""
    return stable_uuid("component", target_pk)


def site_finding(finding_pk: Any) -> str:
    """A remediation finding as an OSCAL finding (in the POA&M)."""
    return stable_uuid("site-finding", finding_pk)


def site_observation(finding_pk: Any) -> str:
    """A remediation finding as an OSCAL observation (in the POA&M)."""
    return stable_uuid("site-observation", finding_pk)


def poam_item(action_pk: Any) -> str:
    return stable_uuid("poam-item", action_pk)


def risk(action_pk: Any) -> str:
    return stable_uuid("risk", action_pk)


def remediation(action_pk: Any) -> str:
    return stable_uuid("remediation", action_pk)


def milestone(action_pk: Any, what: str) -> str:
    return stable_uuid("milestone", action_pk, what)
