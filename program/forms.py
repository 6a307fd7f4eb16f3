"""Forms of the program pages; they validate input and hand it to program.services."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms

from core.forms import CsvUploadForm, DateInput, VersionedForm
from program.kpis import parse_month
from program.models import Exercise, TrainingRecord, Vulnerability
from zones.models import Asset, Site

DATE = DateInput()

__all__ = ["CsvUploadForm", "ExerciseForm", "MonthForm", "SiteRecordForm", "TrainingRecordForm", "VulnerabilityForm"]


class SiteRecordForm(VersionedForm):
    """A row of one site's program data (a vulnerability of one of its assets, a training count, an exercise)."""

    def __init__(self, *args: Any, site: Site, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.site = site


class VulnerabilityForm(SiteRecordForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        assets = Asset.objects.filter(zone__site=self.site).select_related("zone").order_by("zone__name", "name")
        asset_field = self.fields["asset"]
        asset_field.queryset = assets  # type: ignore[attr-defined]
        asset_field.label_from_instance = lambda a: f"{a.zone.name} · {a}"  # type: ignore[attr-defined]
        severity = self.fields["severity"]
        severity.required = False
        severity.choices = [("", "From the CVSS score"), *severity.choices[1:]]  # type: ignore[attr-defined]

    class Meta:
        model = Vulnerability
        fields = ["asset", "cve", "advisory", "title", "cvss_score", "severity", "found", "fixed", "status", "notes"]
        widgets = {"found": DATE, "fixed": DATE, "notes": forms.Textarea(attrs={"rows": 3})}


class TrainingRecordForm(SiteRecordForm):
    class Meta:
        model = TrainingRecord
        fields = ["programme", "period_start", "period_end", "people_required", "people_completed", "notes"]
        widgets = {"period_start": DATE, "period_end": DATE, "notes": forms.Textarea(attrs={"rows": 3})}


class ExerciseForm(SiteRecordForm):
    class Meta:
        model = Exercise
        fields = ["held_on", "kind", "scenario", "participants", "outcome", "lessons_learned"]
        widgets = {"held_on": DATE, "lessons_learned": forms.Textarea(attrs={"rows": 4})}


class MonthForm(forms.Form):
    """The month a dashboard shows (`?month=2026-06`); empty means the current month."""

    month = forms.CharField(required=False)

    def clean_month(self) -> date | None:
        text = self.cleaned_data.get("month", "")
        if not text:
            return None
        try:
            return parse_month(text)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc
