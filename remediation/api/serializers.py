"""The API's representation of findings, actions, suggestions and the projection."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from assessments.models import Assessment
from compliance.choices import Kind, Part
from compliance.models import Requirement
from core.api.fields import (
    MemberField,
    PersonField,
    ScopedIdField,
    StaysMixin,
    StrictFieldsMixin,
    api_url,
    choice_field,
)
from remediation import rules
from remediation.choices import ActionStatus, FindingSource, FindingStatus, Phase, Severity
from remediation.models import Action, Finding
from zones.models import Asset, Conduit, Site, Zone


@extend_schema_field({"type": "string", "nullable": True, "example": "SR 1.2"})
class RequirementRefField(serializers.Field):
    """An SR of the current IEC 62443-3-3 release, by its id as the standard writes it ("SR 1.2")."""

    def to_representation(self, value: Requirement) -> str:
        return value.ref

    def to_internal_value(self, data: Any) -> Requirement:
        requirement = (
            Requirement.objects.current()
            .filter(catalogue__part=Part.SYSTEM, kind=Kind.SR, ref=str(data).strip())
            .first()
        )
        if requirement is None:
            raise serializers.ValidationError(f'"{data}" is not an SR of IEC 62443-3-3 (e.g. "SR 1.2").')
        return requirement


# --- findings --------------------------------------------------------------------------------------
class FindingSerializer(StrictFieldsMixin, serializers.ModelSerializer[Finding]):
    """A finding. Generated ones (source `assessment`) carry their assessment and results; others are
    entered with POST. PATCH needs If-Match."""

    site = ScopedIdField(Site)
    zone = ScopedIdField(Zone, required=False, allow_null=True)
    conduit = ScopedIdField(Conduit, required=False, allow_null=True)
    requirement = RequirementRefField(required=False, allow_null=True)
    source = choice_field(FindingSource.values, "finding source")  # type: ignore[assignment]
    severity = choice_field(Severity.values, "severity")
    status = choice_field(FindingStatus.values, "finding status", required=False)
    assessment: serializers.PrimaryKeyRelatedField[Assessment] = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True
    )
    results: serializers.PrimaryKeyRelatedField[Any] = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    # The component of a capability-gap finding (remediation.capability_gaps); null on others.
    asset: serializers.PrimaryKeyRelatedField[Asset] = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True
    )
    actions = serializers.SerializerMethodField()
    created_by = PersonField(allow_null=True)
    links = serializers.SerializerMethodField()

    class Meta:
        model = Finding
        fields = [
            "id", "site", "zone", "conduit", "asset", "assessment", "results", "requirement", "title", "description",
            "source", "reference", "severity", "severity_rationale", "status", "identified", "resolved_at",
            "actions", "created_by", "created", "version", "links",
        ]  # fmt: skip
        read_only_fields = ["id", "created", "version"]
        extra_kwargs = {"identified": {"required": False, "help_text": "Default: today."}}

    def get_actions(self, obj: Finding) -> list[str]:
        return [str(a.pk) for a in obj.actions.all()]

    def get_links(self, obj: Finding) -> dict[str, str]:
        return {"self": api_url(self, "remediation-api:finding-detail", obj.pk), "page": obj.get_absolute_url()}


class FindingPatchSerializer(StaysMixin, FindingSerializer):
    tolerated = tuple(FindingSerializer.Meta.fields)
    stays = {"site": "A finding stays on its site."}
    site = ScopedIdField(Site, required=False)
    source = choice_field(FindingSource.values, "finding source", required=False)
    severity = choice_field(Severity.values, "severity", required=False)


class GenerateSerializer(serializers.Serializer[Any]):
    assessment = ScopedIdField(Assessment)


class GenerateReportSerializer(serializers.Serializer[Any]):
    created = serializers.IntegerField(help_text="New findings.")
    linked = serializers.IntegerField(help_text="Existing findings that gained results of this assessment.")
    unchanged = serializers.IntegerField()
    resolved = serializers.IntegerField(help_text="Earlier findings this assessment shows satisfied.")
    not_assessed = serializers.IntegerField(help_text="Required results nobody assessed: not findings.")


# --- actions ---------------------------------------------------------------------------------------
class ActionSerializer(StrictFieldsMixin, serializers.ModelSerializer[Action]):
    """An action on the roadmap. `status` moves by the allowed steps; `verified` only through
    POST .../verify/. Priority is derived (remediation.rules). PATCH needs If-Match."""

    site = ScopedIdField(Site)
    findings = ScopedIdField(Finding, many=True, required=False)
    zones = ScopedIdField(Zone, many=True, required=False, help_text="Omit for the zones of the findings.")
    conduits = ScopedIdField(Conduit, many=True, required=False)
    assets = ScopedIdField(Asset, many=True, required=False)
    owner = MemberField(required=False, allow_null=True)
    owner_name = serializers.SerializerMethodField()
    phase = choice_field(Phase.values, "phase", required=False)
    status = choice_field(ActionStatus.values, "action status", required=False)
    overdue = serializers.SerializerMethodField()
    priority_label = serializers.SerializerMethodField()
    verified_by = PersonField(allow_null=True)
    links = serializers.SerializerMethodField()

    class Meta:
        model = Action
        fields = [
            "id", "site", "findings", "title", "description", "zones", "conduits", "assets", "owner", "owner_name",
            "phase", "effort_days", "cost_estimate", "planned_start", "due_date", "needs_maintenance_window",
            "maintenance_window", "test_procedure", "rollback_plan", "compensating", "status", "overdue",
            "completed_on", "verified_on", "verified_by", "verification_note", "risk_reduction", "priority",
            "priority_label", "priority_score", "created", "version", "links",
        ]  # fmt: skip
        read_only_fields = [
            "id", "completed_on", "verified_on", "verification_note", "risk_reduction", "priority", "priority_score",
            "created", "version",
        ]  # fmt: skip

    def get_owner_name(self, obj: Action) -> str:
        return str(obj.owner) if obj.owner else ""

    def get_overdue(self, obj: Action) -> bool:
        return obj.is_overdue(timezone.localdate())

    def get_priority_label(self, obj: Action) -> str:
        return rules.PRIORITY_LABELS[obj.priority]

    def get_links(self, obj: Action) -> dict[str, str]:
        return {
            "self": api_url(self, "remediation-api:action-detail", obj.pk),
            "verify": api_url(self, "remediation-api:action-verify", obj.pk),
            "page": obj.get_absolute_url(),
        }


class ActionPatchSerializer(StaysMixin, ActionSerializer):
    tolerated = tuple(ActionSerializer.Meta.fields)
    stays = {"site": "An action stays on its site."}
    site = ScopedIdField(Site, required=False)


class VerifySerializer(StrictFieldsMixin, serializers.Serializer[Any]):
    note = serializers.CharField(required=False, allow_blank=True, help_text="How the fix was checked.")
    accept_open_results = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Verify although an open assessment still shows addressed results unsatisfied.",
    )


class VerifyOutcomeSerializer(serializers.Serializer[Any]):
    action = serializers.DictField()
    resolved = serializers.ListField(child=serializers.UUIDField(), help_text="Findings now resolved.")
    still_open = serializers.ListField(child=serializers.UUIDField())
    pending_confirmation = serializers.ListField(
        child=serializers.UUIDField(), help_text="Resolved, but their final assessment still shows them unsatisfied."
    )


class GuidanceSerializer(serializers.Serializer[Any]):
    """Typical remediation of one requirement behind a suggestion, in Zonewise's own words."""

    requirement = serializers.CharField(source="ref")
    title = serializers.CharField()
    text = serializers.CharField()


class SuggestionSerializer(serializers.Serializer[Any]):
    """A suggested action: POST its `action` body to /api/v1/actions/ to accept it."""

    key = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField()
    requirement = serializers.CharField(source="requirement.ref", allow_null=True, default=None)
    findings = serializers.SerializerMethodField()
    zones = serializers.SerializerMethodField()
    conduits = serializers.SerializerMethodField()
    phase = serializers.CharField()
    effort_days = serializers.DecimalField(max_digits=7, decimal_places=1)
    planned_start = serializers.DateField()
    due_date = serializers.DateField()
    worst_severity = serializers.CharField()
    priority = serializers.IntegerField(source="priority.band")
    priority_label = serializers.CharField(source="priority.label")
    guidance = GuidanceSerializer(
        many=True, read_only=True, help_text="What OT teams typically do about the requirement and its gap items."
    )
    action = serializers.SerializerMethodField(help_text="The body to POST to /api/v1/actions/ to accept it.")

    def get_findings(self, obj: Any) -> list[str]:
        return [str(f.pk) for f in obj.findings]

    def get_zones(self, obj: Any) -> list[str]:
        return [str(z.pk) for z in obj.zones]

    def get_conduits(self, obj: Any) -> list[str]:
        return [str(c.pk) for c in obj.conduits]

    def get_action(self, obj: Any) -> dict[str, Any]:
        site = obj.findings[0].site_id
        return {
            "site": str(site),
            "findings": self.get_findings(obj),
            "zones": self.get_zones(obj),
            "conduits": self.get_conduits(obj),
            "title": obj.title,
            "description": obj.description,
            "phase": obj.phase,
            "effort_days": str(obj.effort_days),
            "planned_start": obj.planned_start.isoformat(),
            "due_date": obj.due_date.isoformat(),
            "status": ActionStatus.PLANNED,
        }
