"""The reports list page's filters."""

from __future__ import annotations

from typing import Any

from django import forms

from accounts.access import Action
from assessments.models import Assessment
from reports.choices import JobStatus, ReportKind


class AssessmentChoiceField(forms.ModelChoiceField):
    """An assessment named with its site (two sites may each have a "2026 gap assessment")."""

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.title} · {obj.site.name}"


class ReportFilterForm(forms.Form):
    kind = forms.ChoiceField(choices=[("", "All kinds"), *ReportKind.choices], required=False)
    status = forms.ChoiceField(choices=[("", "Any status"), *JobStatus.choices], required=False)
    assessment = AssessmentChoiceField(
        queryset=Assessment.objects.none(), required=False, empty_label="All assessments"
    )
    mine = forms.BooleanField(label="Requested by me", required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["assessment"]
        assert isinstance(field, AssessmentChoiceField)
        field.queryset = Assessment.objects.restrict(user, Action.VIEW).select_related("site").order_by("title")
