"""API shapes of report jobs (field names are a contract scripts rely on)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from assessments.models import Assessment
from components.procurement import PURCHASE_MAX_LENGTH
from components.requirements import COMPONENT_TYPES
from core.api.fields import PersonField, ScopedIdField, StrictFieldsMixin, api_url
from reports.choices import ReportKind
from reports.models import ReportJob
from risk.models import RiskAssessment
from zones.models import Site, Zone


class ReportRequestSerializer(StrictFieldsMixin, serializers.Serializer[ReportJob]):
    """What to report on: `kind`, and `assessment` (or `site` for the roadmap, `risk_assessment` for the
    cybersecurity requirements specification, `zone` with its options for the procurement requirements)."""

    kind = serializers.ChoiceField(
        choices=ReportKind.choices,
        error_messages={
            "invalid_choice": f'"{{input}}" is not a report kind; use one of: {", ".join(ReportKind.values)}.'
        },
    )
    assessment = ScopedIdField(Assessment, required=False, allow_null=True)
    site = ScopedIdField(Site, required=False, allow_null=True, help_text="For the roadmap only.")
    risk_assessment = ScopedIdField(
        RiskAssessment,
        required=False,
        allow_null=True,
        help_text="For the cybersecurity requirements specification (kind crs) only.",
    )
    zone = ScopedIdField(
        Zone,
        required=False,
        allow_null=True,
        help_text="Procurement requirements (kind procurement) only: the zone of the site the components are for; "
        "the site may then be left out.",
    )
    component_types = serializers.ListField(
        child=serializers.ChoiceField(choices=COMPONENT_TYPES),
        required=False,
        allow_empty=False,
        help_text="Procurement requirements only: the component types to list (default: SAR, EDR, HDR and NDR).",
    )
    purchase = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=PURCHASE_MAX_LENGTH,
        help_text='Procurement requirements only: the planned purchase, e.g. "Replace the RTUs in pump station 3".',
    )
    compact_not_assessed = serializers.BooleanField(
        required=False,
        allow_null=True,
        help_text="Gap-assessment PDF and evidence bundle: list not-assessed items as one compact line per zone "
        "or conduit instead of a row each. Default: true while the assessment is not final.",
    )
    omit_met = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Gap-assessment PDF and evidence bundle: leave met requirements out of the zone and conduit "
        "sections (the report says so and counts them). Default: false.",
    )


@extend_schema_field(
    {
        "type": "object",
        "nullable": True,
        "properties": {
            "filename": {"type": "string"},
            "content_type": {"type": "string"},
            "size": {"type": "integer"},
            "sha256": {"type": "string"},
            "pages": {"type": "integer", "nullable": True},
        },
    }
)
class OutputField(serializers.Field):
    def __init__(self, **kwargs: Any) -> None:
        kwargs["read_only"] = True
        kwargs["source"] = "*"
        super().__init__(**kwargs)

    def to_representation(self, job: ReportJob) -> dict[str, Any] | None:
        if not job.can_download:
            return None
        return {
            "filename": job.filename,
            "content_type": job.content_type,
            "size": job.size,
            "sha256": job.sha256,
            "pages": job.pages,
            **job.output_info,
        }


class ReportJobSerializer(serializers.ModelSerializer[ReportJob]):
    """A report job: what was asked, where the worker is, and the file once it is done."""

    requested_by = PersonField()
    target = serializers.CharField(source="target_label", read_only=True)
    output = OutputField()
    links = serializers.SerializerMethodField()

    class Meta:
        model = ReportJob
        fields = [
            "id",
            "kind",
            "status",
            "progress",
            "stage",
            "parts_total",
            "parts_done",
            "assessment",
            "risk_assessment",
            "site",
            "target",
            "parameters",
            "sign_off",
            "requested_by",
            "created",
            "started_at",
            "finished_at",
            "attempts",
            "output",
            "error",
            "links",
        ]
        read_only_fields = fields

    def _url(self, name: str, job: ReportJob) -> str:
        return api_url(self, name, job.pk)

    @extend_schema_field(
        {
            "type": "object",
            "properties": {
                "self": {"type": "string"},
                "download": {"type": "string", "nullable": True},
                "page": {"type": "string"},
                "retry": {"type": "string", "nullable": True},
            },
        }
    )
    def get_links(self, job: ReportJob) -> dict[str, str | None]:
        return {
            "self": self._url("reports-api:report-detail", job),
            "download": self._url("reports-api:report-download", job) if job.can_download else None,
            "page": self._url("report-detail", job),
            "retry": self._url("reports-api:report-retry", job) if job.status == "failed" else None,
        }
