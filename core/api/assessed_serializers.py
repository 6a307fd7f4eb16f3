"""What the API shows of the comments and evidence of assessed rows, whatever is assessed (a gap result, a
component result). The domain serializer names its model and declares its scoped `assessment` and `results`
fields (each reads through the door for its own model); the rest is here once."""

from __future__ import annotations

from typing import Any, ClassVar

from rest_framework import serializers

from core.api.fields import PersonField, StrictFieldsMixin, api_url

COMMENT_FIELDS = ["id", "result", "author", "body", "created"]
EVIDENCE_FIELDS = [
    "id", "assessment", "filename", "size", "content_type", "sha256", "reference", "description", "expires",
    "results", "added_by", "added_at", "download_url",
]  # fmt: skip
EVIDENCE_READ_ONLY = ["id", "assessment", "filename", "size", "content_type", "sha256", "reference", "added_at"]


class CommentSerializerBase(serializers.ModelSerializer[Any]):
    """A remark in a row's thread; only `body` is written. Subclass with `class Meta(CommentSerializerBase.Meta)`
    naming the model."""

    author = PersonField()

    class Meta:
        fields = COMMENT_FIELDS
        read_only_fields = ["id", "result", "author", "created"]


class EvidenceSerializerBase(StrictFieldsMixin, serializers.ModelSerializer[Any]):
    """A piece of evidence. PATCH changes `results`, `description` and `expires`; the file stays. Declare
    `results` and `download_route` (the URL name of the download action)."""

    download_route: ClassVar[str]
    added_by = PersonField(allow_null=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        fields = EVIDENCE_FIELDS
        read_only_fields = EVIDENCE_READ_ONLY

    def get_download_url(self, obj: Any) -> str | None:
        return api_url(self, self.download_route, obj.pk) if obj.is_file else None


class EvidenceCreateSerializerBase(StrictFieldsMixin, serializers.Serializer[Any]):
    """A new piece of evidence: a `file` (multipart) or a `reference` to a document held elsewhere.
    `assessment` may be left out when `results` are given: it is theirs. Declare `assessment` and `results`."""

    file = serializers.FileField(required=False)
    reference = serializers.CharField(required=False, allow_blank=True, max_length=500)
    description = serializers.CharField(required=False, allow_blank=True)
    expires = serializers.DateField(required=False, allow_null=True)

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
