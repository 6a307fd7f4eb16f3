"""The API's representation of assessments, results, evidence and comments."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from assessments.models import Result


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
