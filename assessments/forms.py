"""Forms for the assessment pages (the pages' side of assessments.services)."""

from __future__ import annotations

from typing import Any

from django import forms

from accounts.selectors import people_of
from assessments.models import Assessment
from core.forms import CommentForm, DateInput, EvidenceForm, VersionedForm
from zones.models import Site

__all__ = ["AssessmentForm", "CommentForm", "EvidenceForm"]


class AssessmentForm(VersionedForm):
    """Title, scope, people and dates. Scope defaults to every zone and conduit of the site. A new assessment
    may start from an earlier one of the site (`previous`: its findings are carried forward, to confirm)."""

    relation_fields = ("zones", "conduits", "team", "previous")
    previous = forms.ModelChoiceField(
        queryset=Assessment.objects.none(),
        required=False,
        label="Carry forward from",
        empty_label="Nothing: start empty",
        help_text="An earlier assessment of this site: its findings and evidence links are copied, "
        "marked “carried forward, to confirm”.",
    )

    class Meta:
        model = Assessment
        fields = ["title", "zones", "conduits", "lead", "team", "planned_start", "planned_end", "actual_start",
                  "actual_end"]  # fmt: skip
        widgets = {
            "zones": forms.CheckboxSelectMultiple,
            "conduits": forms.CheckboxSelectMultiple,
            "team": forms.CheckboxSelectMultiple,
            "planned_start": DateInput,
            "planned_end": DateInput,
            "actual_start": DateInput,
            "actual_end": DateInput,
        }
        help_texts = {
            "zones": "Each zone in scope gets the 3-3 requirements selected at or below its SL-T.",
            "conduits": "Conduits are assessed too, against their own SL-T.",
        }

    def __init__(self, *args: Any, site: Site, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["zones"].queryset = site.zones.order_by("purdue_level", "name")
        fields["conduits"].queryset = site.conduits.order_by("name")
        members = people_of(site.organization_id)
        fields["lead"].queryset = members
        fields["team"].queryset = members
        if self.instance._state.adding:
            self.fields["zones"].initial = list(site.zones.all())
            self.fields["conduits"].initial = list(site.conduits.all())
            for name in ("actual_start", "actual_end"):
                del self.fields[name]
            fields["previous"].queryset = site.assessments.order_by("-created")
        else:
            del self.fields["previous"]
