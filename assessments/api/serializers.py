"""The API's representation of assessments, results, evidence and comments."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from rest_framework import serializers

from assessments.carry import carried_forward_count
from assessments.choices import AssessmentStatus, ResultStatus
from assessments.models import Assessment, Comment, Evidence, Result
from compliance.models import Catalogue
from core.api.assessed_serializers import CommentSerializerBase, EvidenceCreateSerializerBase, EvidenceSerializerBase
from core.api.fields import (
    MemberField,
    PersonField,
    ScopedIdField,
    StaysMixin,
    StrictFieldsMixin,
    api_url,
    choice_field,
)
from core.people import person_name
from zones.models import Conduit, Site, Zone


class ResultSerializer(serializers.ModelSerializer[Result]):
    """A result as the API and the live messages show it (one representation for both)."""

    requirement = serializers.CharField(source="requirement.ref", read_only=True)
    requirement_title = serializers.CharField(source="requirement.title", read_only=True)
    fr = serializers.CharField(source="requirement.fr_id", read_only=True)
    level = serializers.SerializerMethodField(
        help_text="The lowest SL at which the assessment selects the item: the catalogue's, or the organization's "
        "override pinned when the assessment was created."
    )
    evidence = serializers.SerializerMethodField()
    assignee_name = serializers.SerializerMethodField()
    updated_by_name = serializers.SerializerMethodField()
    evidence_expired = serializers.SerializerMethodField(help_text="Some linked evidence has expired.")

    class Meta:
        model = Result
        fields = [
            "id",
            "assessment",
            "zone",
            "conduit",
            "requirement",
            "requirement_title",
            "fr",
            "level",
            "in_scope",
            "status",
            "observations",
            "countermeasure",
            "justification",
            "evidence",
            "assignee",
            "assignee_name",
            "updated_by",
            "updated_by_name",
            "updated_at",
            "version",
            "carried_forward",
            "carried_from",
            "evidence_expired",
        ]
        read_only_fields = fields

    def _evidence(self, obj: Result) -> list[Evidence]:
        # Read once for both fields: without a prefetch each .all() is a query (the PATCH's answer).
        cache: dict[Any, list[Evidence]] = self.__dict__.setdefault("_evidence_rows", {})
        if obj.pk not in cache:
            cache[obj.pk] = list(obj.evidence.all())
        return cache[obj.pk]

    def get_evidence(self, obj: Result) -> list[str]:
        return [str(e.pk) for e in self._evidence(obj)]

    def get_evidence_expired(self, obj: Result) -> bool:
        today = timezone.localdate()
        return any(e.expires is not None and e.expires < today for e in self._evidence(obj))

    def get_level(self, obj: Result) -> int | None:
        # One read of the assessment's pin per assessment, not per result (a page of results shares it).
        pins: dict[Any, dict[str, int]] = self.__dict__.setdefault("_pins", {})
        if obj.assessment_id not in pins:
            pins[obj.assessment_id] = obj.assessment.level_overrides
        return pins[obj.assessment_id].get(obj.requirement.ref, obj.requirement.lowest_sl)

    def get_assignee_name(self, obj: Result) -> str:
        return person_name(obj.assignee)

    def get_updated_by_name(self, obj: Result) -> str:
        return person_name(obj.updated_by)


# --- assessments -----------------------------------------------------------------------------------
class CatalogueSerializer(serializers.ModelSerializer[Catalogue]):
    class Meta:
        model = Catalogue
        fields = ["id", "part", "edition", "version"]
        read_only_fields = fields


class AssessmentSerializer(StrictFieldsMixin, serializers.ModelSerializer[Assessment]):
    """An assessment. On create, `zones` and `conduits` default to the whole site; the status
    starts at draft and moves with PATCH (see AssessmentPatchSerializer)."""

    site = ScopedIdField(Site)
    catalogue = CatalogueSerializer(read_only=True, help_text="The 3-3 catalogue release the assessment pins.")
    zones = ScopedIdField(Zone, many=True, required=False, help_text="Omit for every zone of the site.")
    conduits = ScopedIdField(Conduit, many=True, required=False, help_text="Omit for every conduit of the site.")
    lead = MemberField(required=False, allow_null=True)
    team = MemberField(many=True, required=False)
    status = serializers.CharField(read_only=True)
    signed_off_by = PersonField(allow_null=True)
    created_by = PersonField(allow_null=True)
    result_count = serializers.SerializerMethodField(help_text="Results in scope.")
    previous = ScopedIdField(
        Assessment,
        write_only=True,
        required=False,
        help_text="On create: an earlier assessment of the same site whose findings are carried forward, to confirm.",
    )
    carried_forward = serializers.SerializerMethodField(help_text="Results in scope carried forward, to confirm.")
    level_overrides = serializers.JSONField(
        read_only=True,
        help_text="The organization's level overrides the assessment uses, {requirement id: lowest SL}, pinned when "
        "it was created (later overrides do not change it).",
    )
    links = serializers.SerializerMethodField()

    class Meta:
        model = Assessment
        fields = [
            "id", "site", "title", "catalogue", "zones", "conduits", "lead", "team", "planned_start",
            "planned_end", "actual_start", "actual_end", "status", "signed_off_at", "signed_off_by",
            "sign_off_reason", "sign_off_unassessed", "created_by", "created", "version", "result_count", "links",
            "previous", "carried_forward", "level_overrides",
        ]  # fmt: skip
        read_only_fields = ["id", "signed_off_at", "created", "version"]

    def validate(self, attrs: Any) -> Any:
        attrs = super().validate(attrs)
        initial = getattr(self, "initial_data", None) or {}
        if self.instance is None and initial.get("status", AssessmentStatus.DRAFT) != AssessmentStatus.DRAFT:
            raise serializers.ValidationError({"status": ["A new assessment starts as draft; move it with PATCH."]})
        return attrs

    def get_result_count(self, obj: Assessment) -> int:
        annotated = getattr(obj, "result_count", None)
        return int(annotated) if annotated is not None else obj.results.filter(in_scope=True).count()

    def get_carried_forward(self, obj: Assessment) -> int:
        annotated = getattr(obj, "carried_forward_count", None)
        return int(annotated) if annotated is not None else carried_forward_count(obj)

    def get_links(self, obj: Assessment) -> dict[str, str]:
        return {
            "self": api_url(self, "assessments-api:assessment-detail", obj.pk),
            "summary": api_url(self, "assessments-api:assessment-summary", obj.pk),
            "results": api_url(self, "assessments-api:assessment-results", obj.pk),
            "resync": api_url(self, "assessments-api:assessment-resync", obj.pk),
            "evidence": api_url(self, "assessments-api:evidence-list") + f"?assessment={obj.pk}",
        }


class AssessmentPatchSerializer(StaysMixin, AssessmentSerializer):
    """The editable part of an assessment; `status` moves one step (final needs a consultant or an admin)."""

    stays = {"site": "An assessment stays on its site; create a new one for another site."}
    site = ScopedIdField(Site, required=False)
    previous = None  # type: ignore[assignment]  # carry forward happens at creation only
    status = choice_field(AssessmentStatus.values, "assessment status", required=False)  # type: ignore[assignment]
    reason = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        help_text="With status final: required when required items are not assessed. With status in_review from "
        "final (a reopening, consultants and admins): always required.",
    )

    class Meta(AssessmentSerializer.Meta):
        fields = [*(f for f in AssessmentSerializer.Meta.fields if f != "previous"), "reason"]

    def validate(self, attrs: Any) -> Any:
        attrs = super().validate(attrs)
        if attrs.get("reason") and "status" not in attrs:
            message = "A reason goes with a status change (sign-off or reopening)."
            raise serializers.ValidationError({"reason": [message]})
        return attrs


class ResyncCountsSerializer(serializers.Serializer[Any]):
    added = serializers.IntegerField()
    retired = serializers.IntegerField()
    restored = serializers.IntegerField()


# --- results ---------------------------------------------------------------------------------------
class ResultUpdateSerializer(StrictFieldsMixin, serializers.Serializer[Result]):
    """What a PATCH of a result may change. `evidence` replaces the linked evidence (same assessment)."""

    tolerated = tuple(ResultSerializer.Meta.fields)

    status = choice_field(ResultStatus.values, "result status", required=False)
    observations = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    countermeasure = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    justification = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    assignee = MemberField(required=False, allow_null=True)
    evidence = ScopedIdField(Evidence, many=True, required=False)
    carried_forward = serializers.BooleanField(
        required=False, help_text="Send false to confirm a result carried forward from an earlier assessment."
    )


class CommentSerializer(CommentSerializerBase):
    class Meta(CommentSerializerBase.Meta):
        model = Comment


# --- evidence --------------------------------------------------------------------------------------
class EvidenceSerializer(EvidenceSerializerBase):
    """A piece of evidence. PATCH changes `results`, `description` and `expires`; the file stays."""

    download_route = "assessments-api:evidence-download"
    results = ScopedIdField(Result, many=True, required=False)

    class Meta(EvidenceSerializerBase.Meta):
        model = Evidence


class EvidenceCreateSerializer(EvidenceCreateSerializerBase):
    """A new piece of evidence: a `file` (multipart) or a `reference` to a document held elsewhere.
    `assessment` may be left out when `results` are given: it is theirs."""

    assessment = ScopedIdField(Assessment, required=False)
    results = ScopedIdField(Result, many=True, required=False)
