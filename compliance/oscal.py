"""The catalogue as an OSCAL catalog, and the OSCAL identity of its items that every OSCAL export shares.

One group per foundational requirement; one control per top-level item (an SR of 3-3, a CR of 4-2), its
children (REs, 4-2's component-type items and their REs) nested as controls of their parent, as OSCAL does
with NIST's control enhancements. Ids, short titles and levels only: the catalogue holds no normative text,
so no control has parts. Levels and kinds are properties in our own namespace (PROP_NS).

The document is built as a dict with OSCAL's own (hyphenated) names and parsed by compliance-trestle's model
before it is written, so an export that does not validate fails instead of leaving (decision 0029).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

from compliance.choices import Part
from compliance.models import Catalogue, FoundationalRequirement, Requirement

# The OSCAL release the documents declare. trestle 5.2's models follow OSCAL 1.2.1; the exports use only
# constructs that 1.1.x already had, so they validate against both (decision 0029).
OSCAL_VERSION = "1.1.3"
# Our properties' namespace: a stable name, never fetched (OSCAL namespaces are identifiers, not links).
PROP_NS = "https://zonewise.example/ns/oscal"
# uuid5 namespace of every OSCAL UUID Zonewise makes: the same object gives the same UUID in every export.
UUID_NAMESPACE = uuid.UUID("6f1c2a54-62a4-5c3e-9b1d-0a62443a0a11")
# Parts whose items are controls a zone, conduit or component is assessed against (3-2's ZCRs are not).
OSCAL_PARTS = (Part.SYSTEM.value, Part.COMPONENT.value)


def stable_uuid(*parts: object) -> str:
    """The UUID of an OSCAL object from what it stands for, e.g. ("observation", result.pk)."""
    return str(uuid.uuid5(UUID_NAMESPACE, "/".join(str(p) for p in parts)))


def control_id(ref: str) -> str:
    """The OSCAL control id of a catalogue item: "SR 1.1 RE 1" -> "sr-1.1-re-1" (lower case, as NIST's)."""
    return "-".join(ref.lower().split())


def prop(name: str, value: object, *, ns: bool = True) -> dict[str, str]:
    """An OSCAL property; in our namespace unless it is one of OSCAL's own (label, sort-id, ...)."""
    return {"name": name, "value": str(value), **({"ns": PROP_NS} if ns else {})}


def timestamp(moment: datetime) -> str:
    """An OSCAL date-time (always with its offset)."""
    return moment.astimezone(UTC).isoformat()


def _control(item: Requirement, children: dict[uuid.UUID | None, list[Requirement]]) -> dict[str, Any]:
    props = [prop("label", item.ref, ns=False), prop("sort-id", f"{item.position:05d}", ns=False)]
    props.append(prop("kind", item.kind))
    if item.lowest_sl is not None:
        props.append(prop("lowest-sl", item.lowest_sl))
    if not item.assessable:
        props.append(prop("assessable", "false"))
    props += [prop("component-type", ct) for ct in item.component_types]
    control: dict[str, Any] = {"id": control_id(item.ref), "title": item.title, "props": props}
    if item.kind in ("RE",):
        control["class"] = "enhancement"
    nested = [_control(child, children) for child in children.get(item.pk, [])]
    if nested:
        control["controls"] = nested
    return control


def catalog_document(catalogue: Catalogue) -> dict[str, Any]:
    """The OSCAL catalog (the document's JSON, wrapped in {"catalog": ...}) of one catalogue release."""
    items = list(catalogue.requirements.order_by("position"))
    children: dict[uuid.UUID | None, list[Requirement]] = defaultdict(list)
    for item in items:
        children[item.parent_id].append(item)
    groups = []
    for fr in FoundationalRequirement.objects.order_by("number"):
        controls = [_control(item, children) for item in children[None] if item.fr_id == fr.code]
        if controls:
            groups.append(
                {
                    "id": fr.code.lower(),
                    "class": "foundational-requirement",
                    "title": fr.name,
                    "props": [prop("label", fr.code, ns=False), prop("abbreviation", fr.abbreviation)],
                    "controls": controls,
                }
            )
    metadata = {
        "title": f"{catalogue.edition}: ids, short titles and levels",
        "last-modified": timestamp(catalogue.loaded_at),
        "version": catalogue.version,
        "oscal-version": OSCAL_VERSION,
        "props": [prop("part", catalogue.part), prop("data-sha256", catalogue.sha256)],
        "remarks": (
            "Identifiers, short titles and the lowest security level at which each item is selected. "
            "The standard's normative text is not included (IEC copyright)."
        ),
    }
    catalog = {"uuid": stable_uuid("catalog", catalogue.pk), "metadata": metadata, "groups": groups}
    return {"catalog": validated("catalog", catalog)}


def validated(model: str, document: dict[str, Any]) -> dict[str, Any]:
    """The document as trestle's OSCAL model writes it, after parsing it (raises when it is not valid
    OSCAL): "catalog", "assessment-results" or "plan-of-action-and-milestones"."""
    from trestle.oscal import assessment_results, catalog, poam

    models: dict[str, Any] = {
        "catalog": catalog.Catalog,
        "assessment-results": assessment_results.AssessmentResults,
        "plan-of-action-and-milestones": poam.PlanOfActionAndMilestones,
    }
    parsed = models[model].model_validate(document)
    dumped: dict[str, Any] = parsed.model_dump(by_alias=True, exclude_none=True, mode="json")
    return dumped
