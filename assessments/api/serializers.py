"""The API's representation of assessments, results, evidence and comments."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.access import Action, organizations_for
from accounts.models import User
from assessments.choices import AssessmentStatus, ResultStatus
from assessments.models import Assessment, Comment, Evidence, Result
from compliance.models import Catalogue
from zones.api.serializers import ScopedRelatedField
from zones.models import Conduit, Site, Zone


class ResultSerializer(serializers.ModelSerializer[Result]):
    """A result as the API and the live messages show it (one representation for both)."""

    requirement = serializers.CharField(source="requirement.ref", read_only=True)
    requirement_title = serializers.CharField(source="requirement.title", read_only=True)
    fr = serializers.CharField(source="requirement.fr_id", read_only=True)
    level = serializers.IntegerField(source="requirement.lowest_sl", read_only=True)
    evidence = serializers.SerializerMethodField()
    assignee_name = serializers.SerializerMethodField()
    updated_by_name = serializers.SerializerMethodField()

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
        ]
        read_only_fields = fields

    def get_evidence(self, obj: Result) -> list[str]:
        return [str(e.pk) for e in obj.evidence.all()]

    def get_assignee_name(self, obj: Result) -> str:
        return _name(obj.assignee)

    def get_updated_by_name(self, obj: Result) -> str:
        return _name(obj.updated_by)


def _name(user: Any) -> str:
    if user is None:
        return ""
    return str(user.get_full_name() or user.get_username())


# --- building blocks -------------------------------------------------------------------------------
def choice_field(values: Iterable[str], noun: str, **kwargs: Any) -> serializers.ChoiceField:
    """A choice whose error names the allowed values, so a script's author can fix the call."""
    allowed = list(values)
    message = f'"{{input}}" is not a valid {noun}; use one of: {", ".join(allowed)}.'
    return serializers.ChoiceField(choices=allowed, error_messages={"invalid_choice": message}, **kwargs)


class StrictFieldsMixin:
    """Refuse keys the serializer does not know: a misspelt field must not be dropped silently.
    Keys in `tolerated` (read-only fields of the representation a client sends back) pass."""

    tolerated: tuple[str, ...] = ()

    def validate(self, attrs: Any) -> Any:
        initial = getattr(self, "initial_data", None)
        if initial is not None and hasattr(initial, "keys"):
            known = set(self.fields) | set(self.tolerated)  # type: ignore[attr-defined]
            unknown = sorted(set(initial.keys()) - known)
            if unknown:
                raise serializers.ValidationError({"non_field_errors": [f"Unknown fields: {', '.join(unknown)}."]})
        return super().validate(attrs)  # type: ignore[misc]


@extend_schema_field(
    {
        "type": "object",
        "nullable": True,
        "properties": {"id": {"type": "string", "format": "uuid"}, "name": {"type": "string"}},
    }
)
class PersonField(serializers.Field):
    """A person as {"id", "name"} (read-only)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value: Any) -> dict[str, str]:
        return {"id": str(value.pk), "name": _name(value)}


@extend_schema_field(OpenApiTypes.UUID)
class ScopedIdField(ScopedRelatedField):
    """An id resolved through the door (another organization's object 'does not exist')."""


@extend_schema_field(OpenApiTypes.UUID)
class MemberField(serializers.PrimaryKeyRelatedField):
    """A person's id among the members of the organizations the caller can see; anyone else
    'does not exist'. The services check that the person belongs to the assessment's organization."""

    def get_queryset(self) -> QuerySet[User]:
        request = self.context["request"]
        orgs = organizations_for(request.user, Action.VIEW).values("pk")
        return User.objects.filter(memberships__organization__in=orgs).distinct()


def _url(serializer: serializers.BaseSerializer[Any], name: str, *args: Any) -> str:
    path = reverse(f"assessments-api:{name}", args=args)
    request = serializer.context.get("request")
    return request.build_absolute_uri(path) if request is not None else path


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
    links = serializers.SerializerMethodField()

    class Meta:
        model = Assessment
        fields = [
            "id", "site", "title", "catalogue", "zones", "conduits", "lead", "team", "planned_start",
            "planned_end", "actual_start", "actual_end", "status", "signed_off_at", "signed_off_by",
            "created_by", "created", "version", "result_count", "links",
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

    def get_links(self, obj: Assessment) -> dict[str, str]:
        return {
            "self": _url(self, "assessment-detail", obj.pk),
            "summary": _url(self, "assessment-summary", obj.pk),
            "results": _url(self, "assessment-results", obj.pk),
            "resync": _url(self, "assessment-resync", obj.pk),
            "evidence": _url(self, "evidence-list") + f"?assessment={obj.pk}",
        }


class AssessmentPatchSerializer(AssessmentSerializer):
    """The editable part of an assessment; `status` moves one step (final needs a consultant or an admin)."""

    site = ScopedIdField(Site, required=False)
    status = choice_field(AssessmentStatus.values, "assessment status", required=False)  # type: ignore[assignment]

    def validate_site(self, value: Site) -> Site:
        if self.instance is not None and value.pk != self.instance.site_id:
            raise serializers.ValidationError("An assessment stays on its site; create a new one for another site.")
        return value


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


class ChangeSerializer(serializers.Serializer[Any]):
    """One field of one change: `field`, `label`, `from`, `to`, `from_display`, `to_display`."""

    def get_fields(self) -> dict[str, serializers.Field]:
        # "from" is a Python keyword and "label" a Field attribute, so they cannot be class attributes.
        return {
            "field": serializers.CharField(),
            "label": serializers.CharField(),
            "from": serializers.JSONField(),
            "to": serializers.JSONField(),
            "from_display": serializers.CharField(),
            "to_display": serializers.CharField(),
        }


class HistoryEntrySerializer(serializers.Serializer[Any]):
    when = serializers.DateTimeField()
    who = serializers.CharField()
    who_id = serializers.UUIDField(allow_null=True)
    kind = serializers.ChoiceField(choices=["created", "changed"])
    changes = ChangeSerializer(many=True)


class CommentSerializer(serializers.ModelSerializer[Comment]):
    author = PersonField()

    class Meta:
        model = Comment
        fields = ["id", "result", "author", "body", "created"]
        read_only_fields = ["id", "result", "author", "created"]


# --- evidence --------------------------------------------------------------------------------------
class EvidenceSerializer(StrictFieldsMixin, serializers.ModelSerializer[Evidence]):
    """A piece of evidence. PATCH changes `results`, `description` and `expires`; the file stays."""

    results = ScopedIdField(Result, many=True, required=False)
    added_by = PersonField(allow_null=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Evidence
        fields = [
            "id", "assessment", "filename", "size", "content_type", "sha256", "reference", "description",
            "expires", "results", "added_by", "added_at", "download_url",
        ]  # fmt: skip
        read_only_fields = ["id", "assessment", "filename", "size", "content_type", "sha256", "reference",
                            "added_at"]  # fmt: skip

    def get_download_url(self, obj: Evidence) -> str | None:
        return _url(self, "evidence-download", obj.pk) if obj.is_file else None


class EvidenceCreateSerializer(StrictFieldsMixin, serializers.Serializer[Evidence]):
    """A new piece of evidence: a `file` (multipart) or a `reference` to a document held elsewhere.
    `assessment` may be left out when `results` are given: it is theirs."""

    assessment = ScopedIdField(Assessment, required=False)
    file = serializers.FileField(required=False)
    reference = serializers.CharField(required=False, allow_blank=True, max_length=500)
    description = serializers.CharField(required=False, allow_blank=True)
    expires = serializers.DateField(required=False, allow_null=True)
    results = ScopedIdField(Result, many=True, required=False)

    def validate(self, attrs: Any) -> Any:
        attrs = super().validate(attrs)
        if attrs.get("assessment") is None:
            owners = {r.assessment_id for r in attrs.get("results", [])}
            if not owners:
                raise serializers.ValidationError({"assessment": ["Give the assessment, or results to link."]})
            if len(owners) > 1:
                raise serializers.ValidationError({"results": ["The results belong to different assessments."]})
            attrs["assessment"] = attrs["results"][0].assessment
        return attrs
