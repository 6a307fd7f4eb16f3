"""API shapes of risk matrices, threat sources, risk assessments and threat scenarios (a contract scripts and the
pages rely on). Values are checked here so a bad request is a 400 naming the field; the models check again."""

from __future__ import annotations

import uuid
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import Organization
from compliance.choices import FR_CODES
from compliance.fields import SLVectorSerializerField
from core.api.fields import PersonField, ScopedIdField, StaysMixin, StrictFieldsMixin, api_url, choice_field
from risk import rules
from risk.choices import RiskStatus
from risk.models import RiskAssessment, RiskMatrix, ThreatScenario, ThreatSource
from risk.selectors import matrix_for
from zones.models import Conduit, Site, Zone

LEVEL_MESSAGES = {
    "min_value": "Use an integer from {min_value} to {max_value}.",
    "max_value": "Use an integer from {min_value} to {max_value}.",
}


def level_field(low: int, high: int, **kwargs: Any) -> serializers.IntegerField:
    """An integer in low..high whose error says the range whichever end was crossed."""
    messages: dict[str, Any] = {key: text.format(min_value=low, max_value=high) for key, text in LEVEL_MESSAGES.items()}
    return serializers.IntegerField(min_value=low, max_value=high, error_messages=messages, **kwargs)


def _labels(**kwargs: Any) -> serializers.ListField:
    return serializers.ListField(
        child=serializers.CharField(max_length=60), min_length=rules.LEVELS, max_length=rules.LEVELS, **kwargs
    )


# --- the matrix and threat sources -----------------------------------------------------------------------
@extend_schema_field(
    {
        "type": "array",
        "minItems": 5,
        "maxItems": 5,
        "items": {
            "type": "array",
            "minItems": 5,
            "maxItems": 5,
            "items": {"type": "integer", "minimum": 1, "maximum": 5},
        },
        "description": "ranks[l-1][c-1]: the risk rank of likelihood l and consequence c.",
    }
)
class RanksField(serializers.Field):
    """The 5x5 ranks; anything else is a 400 saying which row or cell is wrong."""

    def to_representation(self, value: Any) -> Any:
        return value

    def to_internal_value(self, data: Any) -> list[list[int]]:
        if problem := rules.matrix_errors(data, 1).get("ranks"):
            raise serializers.ValidationError(problem)
        return [list(row) for row in data]


class RiskMatrixSerializer(StrictFieldsMixin, serializers.ModelSerializer[RiskMatrix]):
    """An organization's risk matrix (one each). PUT or PATCH under If-Match: admins and consultants."""

    tolerated = ("id", "organization", "version", "created")
    organization: serializers.PrimaryKeyRelatedField[Organization] = serializers.PrimaryKeyRelatedField(read_only=True)
    likelihood_labels = _labels(help_text="Likelihood 1 to 5, lowest first.")
    consequence_labels = _labels(help_text="Consequence 1 to 5, lowest first.")
    ranks = RanksField()
    tolerable_rank = level_field(1, rules.LEVELS, help_text="The highest rank tolerated; above it a scenario exceeds.")

    class Meta:
        model = RiskMatrix
        fields = [
            "id", "organization", "likelihood_labels", "consequence_labels", "ranks", "tolerable_rank", "version",
            "created",
        ]  # fmt: skip
        read_only_fields = ["id", "version", "created"]


class ThreatSourceSerializer(StaysMixin, StrictFieldsMixin, serializers.ModelSerializer[ThreatSource]):
    """Who or what may attack an organization's plants, and the SL (capability 1-4) that holds it off."""

    tolerated = ("id", "version", "created")
    stays = {"organization": "A threat source stays in its organization."}
    organization = ScopedIdField(Organization)
    capability = level_field(rules.MIN_CAPABILITY, rules.MAX_CAPABILITY)

    class Meta:
        model = ThreatSource
        fields = ["id", "organization", "name", "description", "capability", "version", "created"]
        read_only_fields = ["id", "version", "created"]


# --- risk assessments -----------------------------------------------------------------------------------
class RiskAssessmentSerializer(StrictFieldsMixin, serializers.ModelSerializer[RiskAssessment]):
    """A risk assessment of a site. It starts in draft; PATCH `status` moves it (see the patch shape)."""

    tolerated = ("id", "status", "revision", "approved_by", "approved_at", "created_by", "created", "version", "links")
    site = ScopedIdField(Site)
    baseline_sl = level_field(0, 4, required=False, help_text="No proposed SL-T goes below it (default 1).")
    status = serializers.CharField(read_only=True)
    approved_by = PersonField(allow_null=True)
    created_by = PersonField(allow_null=True)
    links = serializers.SerializerMethodField()

    class Meta:
        model = RiskAssessment
        fields = [
            "id", "site", "title", "scope", "regulatory", "baseline_sl", "status", "revision", "approved_by",
            "approved_at", "created_by", "created", "version", "links",
        ]  # fmt: skip
        read_only_fields = ["id", "revision", "approved_at", "created", "version"]

    def validate(self, attrs: Any) -> Any:
        attrs = super().validate(attrs)
        initial = getattr(self, "initial_data", None) or {}
        if self.instance is None and initial.get("status", RiskStatus.DRAFT) != RiskStatus.DRAFT:
            raise serializers.ValidationError(
                {"status": ["A new risk assessment starts as draft; move it with PATCH."]}
            )
        return attrs

    def get_links(self, obj: RiskAssessment) -> dict[str, str]:
        return {
            "self": api_url(self, "risk-api:risk-assessment-detail", obj.pk),
            "scenarios": api_url(self, "risk-api:threat-scenario-list") + f"?risk_assessment={obj.pk}",
            "sl_targets": api_url(self, "risk-api:risk-assessment-sl-targets", obj.pk),
            "apply": api_url(self, "risk-api:risk-assessment-apply", obj.pk),
        }


class RiskAssessmentPatchSerializer(StaysMixin, RiskAssessmentSerializer):
    """The editable part: title, scope, baseline and `status` (draft → in_review → approved; approval by an
    asset owner or admin; approved → draft makes a new revision, as does any change once approved)."""

    stays = {"site": "A risk assessment stays on its site; create a new one for another site."}
    site = ScopedIdField(Site, required=False)
    status = choice_field(RiskStatus.values, "risk assessment status", required=False)  # type: ignore[assignment]


# --- threat scenarios -----------------------------------------------------------------------------------
@extend_schema_field(
    {
        "type": "object",
        "properties": {name: {"type": "integer", "minimum": 0, "maximum": 5} for name in rules.CONSEQUENCE_CATEGORIES},
        "additionalProperties": False,
        "description": "0-5 per category (a missing one is 0); the scenario's consequence is the highest.",
    }
)
class ConsequenceField(serializers.Field):
    """The consequence per category; errors name the category."""

    def to_representation(self, value: Any) -> Any:
        return value

    def to_internal_value(self, data: Any) -> dict[str, int]:
        if errors := rules.consequence_errors(data):
            raise serializers.ValidationError(
                {("non_field_errors" if k == "__all__" else k): [v] for k, v in errors.items()}
            )
        return {name: data.get(name, 0) for name in rules.CONSEQUENCE_CATEGORIES}


class MatrixCache:
    """The matrix of each organization, read once per request (a list of scenarios costs no query per row)."""

    def __init__(self) -> None:
        self._by_org: dict[Any, rules.Matrix] = {}

    def get(self, organization_id: Any) -> rules.Matrix:
        if organization_id not in self._by_org:
            self._by_org[organization_id] = matrix_for(organization_id).as_rule()
        return self._by_org[organization_id]


@extend_schema_field(
    {
        "type": "object",
        "readOnly": True,
        "properties": {
            "consequence": {"type": "integer", "description": "The worst category."},
            "rank": {"type": "integer", "description": "Unmitigated rank (0: no consequence)."},
            "exceeds_tolerable": {"type": "boolean"},
            "residual_rank": {"type": "integer"},
            "additional_countermeasures_needed": {"type": "boolean"},
        },
    }
)
class RiskField(serializers.Field):
    """What the rule says of the scenario, against its organization's matrix (read-only)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs["read_only"] = True
        kwargs["source"] = "*"
        super().__init__(**kwargs)

    def to_representation(self, value: ThreatScenario) -> dict[str, Any]:
        cache = self.context.get("matrices") or MatrixCache()
        matrix = cache.get(value.risk_assessment.site.organization_id)
        result = rules.evaluate(matrix, value.as_rule(value.threat_source.capability))
        return {
            "consequence": value.worst_consequence,
            "rank": result.rank,
            "exceeds_tolerable": result.exceeds,
            "residual_rank": result.residual_rank,
            "additional_countermeasures_needed": result.needs_additional_countermeasures,
        }


class ThreatScenarioSerializer(StaysMixin, StrictFieldsMixin, serializers.ModelSerializer[ThreatScenario]):
    """One threat scenario against exactly one zone or conduit of the assessment's site."""

    tolerated = ("id", "risk", "remediation_action", "version", "created")
    stays = {"risk_assessment": "A scenario stays in its risk assessment."}
    risk_assessment = ScopedIdField(RiskAssessment)
    zone = ScopedIdField(Zone, allow_null=True, required=False)
    conduit = ScopedIdField(Conduit, allow_null=True, required=False)
    threat_source = ScopedIdField(ThreatSource)
    frs = serializers.ListField(
        child=choice_field(FR_CODES, "foundational requirement"),
        allow_empty=False,
        required=False,
        help_text='The FRs it bears on, "FR1".."FR7"; default all seven.',
    )
    likelihood = level_field(1, rules.LEVELS)
    consequence = ConsequenceField()
    residual_likelihood = level_field(1, rules.LEVELS, allow_null=True, required=False)
    residual_consequence = level_field(0, rules.LEVELS, allow_null=True, required=False)
    risk = RiskField()
    remediation_action: serializers.PrimaryKeyRelatedField[Any] = serializers.PrimaryKeyRelatedField(
        read_only=True,
        allow_null=True,
        help_text="The remediation action made from its additional countermeasures (POST create-action/), or null.",
    )

    class Meta:
        model = ThreatScenario
        fields = [
            "id", "risk_assessment", "zone", "conduit", "title", "threat_source", "frs", "likelihood", "consequence",
            "countermeasures", "residual_likelihood", "residual_consequence", "additional_countermeasures", "risk",
            "remediation_action", "version", "created",
        ]  # fmt: skip
        read_only_fields = ["id", "remediation_action", "version", "created"]

    def validate_frs(self, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise serializers.ValidationError("Name each FR once.")
        return value

    def validate(self, attrs: Any) -> Any:
        attrs = super().validate(attrs)
        if self.instance is None and (attrs.get("zone") is None) == (attrs.get("conduit") is None):
            raise serializers.ValidationError({"zone": ["Give exactly one of zone or conduit."]})
        return attrs


# --- the proposal and applying it -------------------------------------------------------------------------
class OverrideSerializer(serializers.Serializer[Any]):
    sl_target = SLVectorSerializerField()
    justification = serializers.CharField(help_text="Why this SL-T and not the proposal (required).")


class ApplySerializer(StrictFieldsMixin, serializers.Serializer[Any]):
    """Which targets to write (default: every zone and conduit of the site) and any justified overrides."""

    targets = serializers.ListField(child=serializers.UUIDField(), required=False, allow_empty=False)
    overrides = serializers.DictField(
        child=OverrideSerializer(), required=False, help_text="Zone or conduit id -> {sl_target, justification}."
    )

    def validate_overrides(self, value: dict[str, Any]) -> dict[uuid.UUID, dict[str, Any]]:
        parsed = {}
        for key, item in value.items():
            try:
                parsed[uuid.UUID(str(key))] = item
            except ValueError as exc:
                raise serializers.ValidationError({key: ["Not a zone or conduit id."]}) from exc
        return parsed
