"""The API's representation of component assessments, their results, evidence and comments."""

from __future__ import annotations

from django.utils import timezone
from rest_framework import serializers

from compliance.choices import ResultStatus
from compliance.fields import SLVectorSerializerField
from components.choices import ResultSource
from components.models import ComponentAssessment, ComponentComment, ComponentEvidence, ComponentResult, Product
from core.api.assessed_serializers import CommentSerializerBase, EvidenceCreateSerializerBase, EvidenceSerializerBase
from core.api.fields import MemberField, PersonField, ScopedIdField, StrictFieldsMixin, api_url, choice_field
from core.people import person_name


class ComponentResultSerializer(serializers.ModelSerializer[ComponentResult]):
    """A component result as the API and the live messages show it (one representation for both)."""

    requirement = serializers.CharField(source="requirement.ref", read_only=True)
    requirement_title = serializers.CharField(source="requirement.title", read_only=True)
    kind = serializers.CharField(source="requirement.kind", read_only=True)
    fr = serializers.CharField(source="requirement.fr_id", read_only=True)
    level = serializers.IntegerField(source="requirement.lowest_sl", read_only=True)
    evidence = serializers.SerializerMethodField()
    assignee_name = serializers.SerializerMethodField()
    updated_by_name = serializers.SerializerMethodField()

    class Meta:
        model = ComponentResult
        fields = [
            "id", "assessment", "requirement", "requirement_title", "kind", "fr", "level", "status", "source",
            "observations", "countermeasure", "justification", "evidence", "assignee", "assignee_name",
            "updated_by", "updated_by_name", "updated_at", "version",
        ]  # fmt: skip
        read_only_fields = fields

    def get_evidence(self, obj: ComponentResult) -> list[str]:
        return [str(e.pk) for e in obj.evidence.all()]

    def get_assignee_name(self, obj: ComponentResult) -> str:
        return person_name(obj.assignee)

    def get_updated_by_name(self, obj: ComponentResult) -> str:
        return person_name(obj.updated_by)


class ComponentResultUpdateSerializer(StrictFieldsMixin, serializers.Serializer[ComponentResult]):
    """What a PATCH of a component result may change. `evidence` replaces the linked evidence."""

    tolerated = tuple(ComponentResultSerializer.Meta.fields)

    status = choice_field(ResultStatus.values, "result status", required=False)
    source = choice_field([*ResultSource.values, ""], "result source", required=False)  # type: ignore[assignment]
    observations = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    countermeasure = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    justification = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    assignee = MemberField(required=False, allow_null=True)
    evidence = ScopedIdField(ComponentEvidence, many=True, required=False)


class ComponentAssessmentSerializer(StrictFieldsMixin, serializers.ModelSerializer[ComponentAssessment]):
    """A component assessment: a product assessed against IEC 62443-4-2 up to `sl_target` (default 4 per FR)."""

    product = ScopedIdField(Product)
    sl_target = SLVectorSerializerField(required=False, help_text="The level to assess up to per FR; default 4.")
    component_type = serializers.CharField(source="product.component_type", read_only=True)
    catalogue = serializers.SerializerMethodField(help_text="The 4-2 release the assessment pins.")
    status = serializers.CharField(read_only=True)
    created_by = PersonField(allow_null=True)
    applied_by = PersonField(allow_null=True)
    result_count = serializers.SerializerMethodField()
    links = serializers.SerializerMethodField()

    class Meta:
        model = ComponentAssessment
        fields = [
            "id", "product", "component_type", "title", "sl_target", "catalogue", "status", "created_by", "created",
            "applied_at", "applied_by", "version", "result_count", "links",
        ]  # fmt: skip
        read_only_fields = ["id", "created", "applied_at", "version"]

    def get_catalogue(self, obj: ComponentAssessment) -> dict[str, str]:
        return {"id": str(obj.catalogue_id), "edition": obj.catalogue.edition, "version": obj.catalogue.version}

    def get_result_count(self, obj: ComponentAssessment) -> int:
        annotated = getattr(obj, "result_count", None)
        return int(annotated) if annotated is not None else obj.results.count()

    def get_links(self, obj: ComponentAssessment) -> dict[str, str]:
        name = "components-api:component-assessment"
        return {
            "self": api_url(self, f"{name}-detail", obj.pk),
            "summary": api_url(self, f"{name}-summary", obj.pk),
            "results": api_url(self, f"{name}-results", obj.pk),
            "apply": api_url(self, f"{name}-apply", obj.pk),
            "page": api_url(self, "component-assessment-detail", obj.pk),
        }


class ComponentAssessmentPatchSerializer(StrictFieldsMixin, serializers.Serializer[ComponentAssessment]):
    """What a PATCH may change: the title (the scope is fixed at creation; start a new assessment to widen it)."""

    title = serializers.CharField(max_length=200)


class ComponentCommentSerializer(CommentSerializerBase):
    class Meta(CommentSerializerBase.Meta):
        model = ComponentComment


class ComponentEvidenceSerializer(EvidenceSerializerBase):
    """A piece of evidence. PATCH changes `results`, `description` and `expires`; the file stays."""

    download_route = "components-api:component-evidence-download"
    results = ScopedIdField(ComponentResult, many=True, required=False)
    expired = serializers.SerializerMethodField()

    class Meta(EvidenceSerializerBase.Meta):
        model = ComponentEvidence
        fields = [*EvidenceSerializerBase.Meta.fields[:9], "expired", *EvidenceSerializerBase.Meta.fields[9:]]

    def get_expired(self, obj: ComponentEvidence) -> bool:
        return obj.expires is not None and obj.expires < timezone.localdate()


class ComponentEvidenceCreateSerializer(EvidenceCreateSerializerBase):
    """A new piece of evidence: a `file` (multipart) or a `reference`. `assessment` may be left out when
    `results` are given: it is theirs."""

    assessment = ScopedIdField(ComponentAssessment, required=False)
    results = ScopedIdField(ComponentResult, many=True, required=False)
