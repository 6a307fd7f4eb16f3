"""Forms for the remediation pages (the pages' side of remediation.services)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q

from accounts.selectors import people_of
from assessments.choices import ResultStatus
from compliance.choices import Kind, Part
from compliance.models import Requirement
from core.forms import ConflictForm, DateInput, VersionedForm
from remediation.choices import ACTION_TRANSITIONS, MANUAL_SOURCES, ActionStatus, FindingSource
from remediation.models import Action, Finding
from zones.models import Asset, Site


class SRChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.ref} {obj.title}"


class FindingForm(VersionedForm):
    """A finding entered by hand, or the editable part of a generated one (its severity, status, text)."""

    requirement = SRChoiceField(
        queryset=Requirement.objects.none(),
        required=False,
        label="Requirement (SR)",
        help_text="The IEC 62443-3-3 system requirement the finding is about, if any.",
    )

    class Meta:
        model = Finding
        fields = ["title", "source", "reference", "zone", "conduit", "requirement", "severity", "description",
                  "identified", "status", "resolved_at"]  # fmt: skip
        widgets = {
            "identified": DateInput,
            "resolved_at": DateInput,
            "description": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args: Any, site: Site, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["zone"].queryset = site.zones.order_by("purdue_level", "name")
        fields["conduit"].queryset = site.conduits.order_by("name")
        fields["requirement"].queryset = (
            Requirement.objects.current().filter(catalogue__part=Part.SYSTEM, kind=Kind.SR).order_by("position")
        )
        if self.instance.source == FindingSource.ASSESSMENT:
            # A generated finding keeps what ties it to its assessment.
            for name in ("source", "zone", "conduit", "requirement"):
                del self.fields[name]
        else:
            fields["source"].choices = [(s.value, s.label) for s in MANUAL_SOURCES]

    def service_fields(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "version" and k in self.fields}


class ActionForm(VersionedForm):
    """An action: what, where, who, when, how (test and rollback), and which findings it addresses."""

    class Meta:
        model = Action
        fields = [
            "title", "description", "findings", "zones", "conduits", "assets", "owner", "status", "phase",
            "effort_days", "cost_estimate", "planned_start", "due_date", "needs_maintenance_window",
            "maintenance_window", "compensating", "test_procedure", "rollback_plan",
        ]  # fmt: skip
        widgets = {
            "findings": forms.CheckboxSelectMultiple,
            "zones": forms.CheckboxSelectMultiple,
            "conduits": forms.CheckboxSelectMultiple,
            "assets": forms.SelectMultiple(attrs={"size": 6}),
            "planned_start": DateInput,
            "due_date": DateInput,
            "description": forms.Textarea(attrs={"rows": 3}),
            "test_procedure": forms.Textarea(attrs={"rows": 3}),
            "rollback_plan": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "zones": "Leave empty to take the zones of the findings.",
            "findings": "Open findings of the site, and those the action already addresses.",
        }

    def __init__(self, *args: Any, site: Site, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        editing = not self.instance._state.adding
        linked = Q(pk__in=self.instance.findings.values("pk")) if editing else Q(pk__in=[])
        fields["findings"].queryset = (
            Finding.objects.filter(site=site)
            .filter(linked | Q(status__in=["open", "in_remediation"]))
            .select_related("zone", "conduit")
            .order_by("title")
        )
        fields["findings"].label_from_instance = lambda f: f"{f.title} ({f.get_severity_display().lower()})"
        fields["zones"].queryset = site.zones.order_by("purdue_level", "name")
        fields["conduits"].queryset = site.conduits.order_by("name")
        fields["assets"].queryset = (
            Asset.objects.filter(zone__site=site).select_related("zone").order_by("zone__name", "name")
        )
        fields["owner"].queryset = people_of(site.organization_id)
        fields["cost_estimate"].label = f"Cost estimate ({site.organization.currency})"
        current = self.instance.status if editing else ActionStatus.PROPOSED
        allowed = [current, *ACTION_TRANSITIONS[current]] if editing else [
            ActionStatus.PROPOSED, ActionStatus.PLANNED, ActionStatus.IN_PROGRESS, ActionStatus.DEFERRED,
        ]  # fmt: skip
        # Verified is reached through the verify flow, never picked here; but a verified action keeps it as its
        # current value, or editing its title would silently move it back to a transition's first choice.
        choices = [s for s in allowed if s != ActionStatus.VERIFIED or s == current]
        fields["status"].choices = [(s, ActionStatus(s).label) for s in choices]

    def service_fields(self) -> dict[str, Any]:
        skip = {"version", "findings", "zones", "conduits", "assets"}
        data = {k: v for k, v in self.cleaned_data.items() if k not in skip and k in self.fields}
        if not self.instance._state.adding and data.get("status") == self.instance.status:
            data.pop("status")
        return data

    def relations(self) -> dict[str, Any]:
        data = {name: list(self.cleaned_data[name]) for name in ("findings", "zones", "conduits", "assets")}
        if self.instance._state.adding and not data["zones"] and not data["conduits"]:
            del data["zones"], data["conduits"]  # the service takes those of the findings
        return data


class VerifyResultForm(ConflictForm, forms.Form):
    """One addressed result, updated as part of verifying an action, with optional evidence."""

    status = forms.ChoiceField(choices=ResultStatus.choices)
    observations = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    countermeasure = forms.CharField(
        required=False, label="Compensating countermeasure", widget=forms.Textarea(attrs={"rows": 2})
    )
    justification = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput)
    evidence_file = forms.FileField(required=False, label="Evidence file")
    evidence_reference = forms.CharField(
        required=False, max_length=500, label="or evidence reference", help_text="A DMS link, a change ticket…"
    )
    evidence_description = forms.CharField(required=False, max_length=500, label="Evidence description")


class VerifyForm(ConflictForm, forms.Form):
    note = forms.CharField(
        label="How was the fix verified?",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="e.g. test procedure run on 2027-03-14, firewall rule review attached.",
    )
    accept_open_results = forms.BooleanField(
        required=False, label="Verify although the assessment still shows some addressed results unsatisfied"
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
