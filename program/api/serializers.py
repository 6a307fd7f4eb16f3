"""API shapes of vulnerabilities, training counts, exercises and KPI values (field names are a contract)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from core.api.fields import ScopedIdField, ScopedRelatedField
from program.models import Exercise, TrainingRecord, Vulnerability
from zones.models import Asset, Site


class VulnerabilitySerializer(serializers.ModelSerializer[Vulnerability]):
    asset = ScopedRelatedField(Asset)
    site = serializers.UUIDField(source="asset.zone.site_id", read_only=True)
    severity = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="critical, high, medium, low or none; leave out to take the CVSS score's rating.",
    )

    class Meta:
        model = Vulnerability
        fields = [
            "id", "asset", "site", "cve", "advisory", "title", "severity", "cvss_score", "found", "fixed",
            "status", "notes", "version", "created",
        ]  # fmt: skip
        read_only_fields = ["id", "site", "version", "created"]
        validators: list[Any] = []  # uniqueness and cross-field rules: the model's clean() in the service


class TrainingRecordSerializer(serializers.ModelSerializer[TrainingRecord]):
    site = ScopedRelatedField(Site)
    percent = serializers.FloatField(read_only=True)

    class Meta:
        model = TrainingRecord
        fields = [
            "id", "site", "programme", "period_start", "period_end", "people_required", "people_completed",
            "percent", "notes", "version", "created",
        ]  # fmt: skip
        read_only_fields = ["id", "percent", "version", "created"]
        validators: list[Any] = []


class ExerciseSerializer(serializers.ModelSerializer[Exercise]):
    site = ScopedRelatedField(Site)

    class Meta:
        model = Exercise
        fields = [
            "id", "site", "held_on", "kind", "scenario", "participants", "outcome", "lessons_learned", "version",
            "created",
        ]  # fmt: skip
        read_only_fields = ["id", "version", "created"]


class VulnerabilityImportSerializer(serializers.Serializer[Any]):
    site = ScopedIdField(Site)
    file = serializers.FileField(help_text="CSV as documented in docs/vulnerabilities-csv.md")


class ImportCountsSerializer(serializers.Serializer[Any]):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()


class KpiValueSerializer(serializers.Serializer[Any]):
    key = serializers.CharField()
    name = serializers.CharField()
    definition = serializers.CharField()
    unit = serializers.CharField(help_text='"%", "days", or "" for a count')
    target = serializers.FloatField()
    amber = serializers.FloatField(help_text="The threshold between amber and red")
    direction = serializers.ChoiceField(choices=["higher", "lower"])
    value = serializers.FloatField(allow_null=True)
    rag = serializers.ChoiceField(choices=["green", "amber", "red", "none"])
    numerator = serializers.FloatField(allow_null=True)
    denominator = serializers.FloatField(allow_null=True)
    summary = serializers.CharField()
    detail = serializers.DictField()
    source = serializers.ChoiceField(choices=["computed", "snapshot"])  # type: ignore[assignment]


class KpiPeriodSerializer(serializers.Serializer[Any]):
    month = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()
    as_of = serializers.DateTimeField()
    to_date = serializers.BooleanField()
    window_start = serializers.DateField()


class KpiScopeSerializer(serializers.Serializer[Any]):
    organization = serializers.UUIDField()
    organization_name = serializers.CharField()
    site = serializers.UUIDField(allow_null=True)
    site_name = serializers.CharField(allow_null=True)


class KpiReportSerializer(serializers.Serializer[Any]):
    scope = KpiScopeSerializer()
    period = KpiPeriodSerializer()
    kpis = KpiValueSerializer(many=True)
