"""Forms of the risk pages (the pages' side of risk.services): the risk assessment, the matrix editor, a
threat source and a threat scenario row of the register."""

from __future__ import annotations

from typing import Any

from django import forms

from compliance.choices import FR_CODES
from compliance.sl import SLVector, SLVectorError
from core.forms import ConflictForm, VersionedForm
from risk import rules
from risk.models import RiskAssessment, RiskMatrix, ThreatScenario, ThreatSource

SL_CHOICES = [(level, f"SL {level}") for level in range(5)]
CAPABILITY_CHOICES = [
    (1, "1 · casual or coincidental"),
    (2, "2 · intentional, simple means, low resources, generic skills"),
    (3, "3 · sophisticated means, moderate resources, IACS-specific skills"),
    (4, "4 · sophisticated means, extended resources, high motivation"),
]
RANK_CHOICES = [(rank, str(rank)) for rank in range(1, rules.LEVELS + 1)]
CATEGORY_LABELS = {
    "safety": "Safety",
    "environment": "Environment",
    "production": "Production",
    "financial": "Financial",
    "reputation": "Reputation",
    "regulatory": "Regulatory",
}


class RiskAssessmentForm(VersionedForm):
    """Title, the system under consideration (ZCR 1), the regulatory requirements (for the CRS, ZCR 6) and the
    baseline SL."""

    class Meta:
        model = RiskAssessment
        fields = ["title", "scope", "regulatory", "baseline_sl"]
        widgets = {
            "scope": forms.Textarea(attrs={"rows": 5}),
            "regulatory": forms.Textarea(attrs={"rows": 4}),
            "baseline_sl": forms.Select(choices=SL_CHOICES),
        }
        labels = {
            "scope": "System under consideration",
            "regulatory": "Regulatory requirements",
            "baseline_sl": "Baseline SL",
        }


class ThreatSourceForm(VersionedForm):
    """A threat source of the organization; the capability is the SL that holds it off."""

    class Meta:
        model = ThreatSource
        fields = ["name", "description", "capability"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3}), "capability": forms.Select}
        help_texts = {"capability": "The security level that counters this source (the SL definitions of 62443-3-3)."}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        capability: Any = self.fields["capability"]
        capability.widget.choices = CAPABILITY_CHOICES


class MatrixForm(ConflictForm, forms.Form):
    """The 5x5 ranks (`rank_<l>_<c>`), the ten labels and the tolerable rank of an organization's matrix."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    tolerable_rank = forms.TypedChoiceField(
        choices=RANK_CHOICES, coerce=int, help_text="Scenarios ranked above it exceed tolerable risk."
    )

    def __init__(self, *args: Any, matrix: RiskMatrix, **kwargs: Any) -> None:
        initial: dict[str, Any] = {"version": matrix.version, "tolerable_rank": matrix.tolerable_rank}
        initial.update(kwargs.pop("initial", None) or {})
        kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        for i in range(1, rules.LEVELS + 1):
            for kind, labels in (("likelihood", matrix.likelihood_labels), ("consequence", matrix.consequence_labels)):
                name = f"{kind}_label_{i}"
                self.fields[name] = forms.CharField(max_length=60, label=f"{kind.capitalize()} {i}")
                self.initial[name] = labels[i - 1]
            for c in range(1, rules.LEVELS + 1):
                name = f"rank_{i}_{c}"
                self.fields[name] = forms.TypedChoiceField(
                    choices=RANK_CHOICES, coerce=int, label=f"Likelihood {i}, consequence {c}"
                )
                self.initial[name] = matrix.ranks[i - 1][c - 1]

    def service_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        levels = range(1, rules.LEVELS + 1)
        return {
            "likelihood_labels": [data[f"likelihood_label_{i}"] for i in levels],
            "consequence_labels": [data[f"consequence_label_{i}"] for i in levels],
            "ranks": [[data[f"rank_{i}_{c}"] for c in levels] for i in levels],
            "tolerable_rank": data["tolerable_rank"],
        }

    def rank_field(self, likelihood: int, consequence: int) -> forms.BoundField:
        return self[f"rank_{likelihood}_{consequence}"]


class ScenarioForm(ConflictForm, forms.Form):
    """One row of the register: its zone or conduit, threat source, FRs, likelihood, the six consequence
    categories, countermeasures and the residual values."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    target = forms.ChoiceField(label="Zone or conduit")
    title = forms.CharField(max_length=200)
    threat_source = forms.ModelChoiceField(queryset=ThreatSource.objects.none())
    frs = forms.MultipleChoiceField(
        label="FRs", choices=[(fr, fr) for fr in FR_CODES], widget=forms.CheckboxSelectMultiple
    )
    likelihood = forms.TypedChoiceField(coerce=int)
    countermeasures = forms.CharField(
        label="Existing countermeasures", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    residual_likelihood = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    residual_consequence = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    additional_countermeasures = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(
        self, *args: Any, assessment: RiskAssessment, matrix: RiskMatrix, instance: ThreatScenario | None = None,
        target: str = "", **kwargs: Any,
    ) -> None:  # fmt: skip
        self.instance = instance or ThreatScenario(risk_assessment=assessment)
        site = assessment.site
        self.zones = {str(z.pk): z for z in site.zones.order_by("name")}
        self.conduits = {str(c.pk): c for c in site.conduits.order_by("name")}
        initial: dict[str, Any] = {"frs": list(FR_CODES), "target": target}
        s = instance
        if s is not None:
            initial.update(
                version=s.version, target=str(s.target_id), title=s.title, threat_source=s.threat_source_id,
                frs=list(s.frs), likelihood=s.likelihood, countermeasures=s.countermeasures,
                residual_likelihood=s.residual_likelihood, residual_consequence=s.residual_consequence,
                additional_countermeasures=s.additional_countermeasures,
                **{f"c_{name}": value for name, value in s.consequence.items()},
            )  # fmt: skip
        initial.update(kwargs.pop("initial", None) or {})
        kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["target"].choices = [
            ("Zones", [(pk, z.name) for pk, z in self.zones.items()]),
            ("Conduits", [(pk, c.name) for pk, c in self.conduits.items()]),
        ]
        fields["threat_source"].queryset = ThreatSource.objects.filter(organization_id=site.organization_id)
        fields["threat_source"].label_from_instance = lambda ts: f"{ts.name} (SL {ts.capability})"
        likelihoods = [(i, f"{i} · {label}") for i, label in enumerate(matrix.likelihood_labels, start=1)]
        consequences = [(0, "0 · none"), *((i, f"{i} · {lb}") for i, lb in enumerate(matrix.consequence_labels, 1))]
        fields["likelihood"].choices = likelihoods
        fields["residual_likelihood"].choices = [("", "as before"), *likelihoods]
        fields["residual_consequence"].choices = [("", "as before"), *consequences]
        for name in rules.CONSEQUENCE_CATEGORIES:
            self.fields[f"c_{name}"] = forms.TypedChoiceField(
                label=CATEGORY_LABELS[name], choices=consequences, coerce=int, initial=0
            )

    def consequence_fields(self) -> list[forms.BoundField]:
        return [self[f"c_{name}"] for name in rules.CONSEQUENCE_CATEGORIES]

    def service_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        target = data["target"]
        return {
            "zone": self.zones.get(target),
            "conduit": self.conduits.get(target),
            "title": data["title"],
            "threat_source": data["threat_source"],
            "frs": data["frs"],
            "likelihood": data["likelihood"],
            "consequence": {name: data[f"c_{name}"] for name in rules.CONSEQUENCE_CATEGORIES},
            "countermeasures": data["countermeasures"],
            "residual_likelihood": data["residual_likelihood"],
            "residual_consequence": data["residual_consequence"],
            "additional_countermeasures": data["additional_countermeasures"],
        }


class ApplyForm(forms.Form):
    """Which zones and conduits get the proposal, and per target an optional override with its justification
    (fields `override_<id>` and `justification_<id>`, read by the view)."""

    targets = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, target_ids: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["targets"].choices = [(t, t) for t in target_ids]
        self.target_ids = target_ids
        for t in target_ids:
            self.fields[f"override_{t}"] = forms.CharField(required=False, max_length=40)
            self.fields[f"justification_{t}"] = forms.CharField(
                required=False, widget=forms.Textarea(attrs={"rows": 2})
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.is_bound and not data.get("targets"):
            self.add_error("targets", "Choose at least one zone or conduit.")
        overrides: dict[str, tuple[SLVector, str]] = {}
        for t in data.get("targets") or []:
            text = (data.get(f"override_{t}") or "").strip()
            if not text:
                continue
            try:
                vector = SLVector.parse(text)
            except (SLVectorError, ValueError) as exc:
                self.add_error(f"override_{t}", f"Not an SL vector: {exc}. Write seven levels 0-4, e.g. 2,2,1,1,3,1,2.")
                continue
            justification = (data.get(f"justification_{t}") or "").strip()
            if not justification:
                self.add_error(f"justification_{t}", "An override needs a justification.")
                continue
            overrides[t] = (vector, justification)
        data["overrides"] = overrides
        return data
