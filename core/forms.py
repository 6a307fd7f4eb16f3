"""Form plumbing shared by every edit page: the versioned form that catches a concurrent edit and keeps
the user's input beside the other person's, and putting a service's ValidationError back on a form."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.http import QueryDict

from core.versioning import Versioned

EMPTY = "—"


class DateInput(forms.DateInput):
    """A browser date picker; its value must be ISO (yyyy-mm-dd) whatever the language's format."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None, format: str | None = None) -> None:
        super().__init__(attrs, format=format or "%Y-%m-%d")


def readable(value: Any, choices: Iterable[tuple[Any, Any]] = ()) -> str:
    """A value as a person reads it: choice labels, related objects by name, lists joined, dates in ISO,
    booleans as Yes/No, and anything else by its str() (an SL vector prints compactly: {2,2,1,1,3,1,2})."""
    if hasattr(value, "all") and callable(value.all):  # a related manager or a queryset
        value = list(value.all())
    if isinstance(value, list | tuple | set):
        return ", ".join(readable(v, choices) for v in value) or EMPTY
    if value is None or value == "":
        return EMPTY
    if isinstance(value, bool):
        return "Yes" if value else "No"
    labels = {str(key): label for key, label in choices if not isinstance(label, list | tuple)}
    if not isinstance(value, Model) and str(value) in labels:
        return str(labels[str(value)])
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def saved_value(obj: Model, name: str) -> str:
    """The saved value of field `name` on `obj`, readable (choice labels, related objects by name)."""
    display = getattr(obj, f"get_{name}_display", None)
    if callable(display):
        return str(display())
    return readable(getattr(obj, name, None))


@dataclass(frozen=True)
class Conflict:
    """One field of a stale save: what the other person saved and what the user typed."""

    label: str
    theirs: str
    yours: str

    @property
    def differs(self) -> bool:
        return self.theirs != self.yours


def errors_to_form(form: forms.BaseForm, exc: ValidationError, rename: Mapping[str, str] | None = None) -> None:
    """Put a service's ValidationError on the form: on the field it names (after `rename`, for forms whose
    field names differ from the model's), else on the form as a whole."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, errors in exc.error_dict.items():
        name = (rename or {}).get(field, field)
        form.add_error(name if name in form.fields else None, errors)


class ConflictForm(forms.BaseForm):
    """A form with a hidden `version` that can show a concurrent edit: after `show_conflict`, `current` is
    the object as the other person saved it, the hidden version is theirs (so saving again overwrites
    knowingly) and the user's input stays in the fields. Mix it in before Form or ModelForm."""

    current: Versioned | None = None

    @property
    def expected_version(self) -> int | None:
        """The version the user started from (None on a create)."""
        version: int | None = self.cleaned_data.get("version")
        return version

    def show_conflict(self, current: Versioned) -> None:
        """Someone else saved `current` meanwhile: say so, keep the input, and take their version."""
        self.add_error(
            None,
            f"Someone else saved this {current._meta.verbose_name} while you were editing (now version "
            f"{current.version}). Your changes are kept below; the current values are shown beside them. "
            "Save again to overwrite.",
        )
        # a QueryDict keeps every value of a multiple choice; its copy is mutable
        data = self.data.copy() if isinstance(self.data, QueryDict) else dict(self.data)
        data[self.add_prefix("version")] = str(current.version)
        self.data = data
        self.current = current

    def conflicts(self) -> list[Conflict]:
        """Each visible field's saved value (theirs) beside the user's input (yours), for the conflict box."""
        if self.current is None:
            return []
        cleaned = getattr(self, "cleaned_data", {})
        rows = []
        for bound in self.visible_fields():
            if isinstance(bound.field, forms.FileField) or not hasattr(self.current, bound.name):
                continue  # only what the object itself holds can differ from what they saved
            choices = getattr(bound.field, "choices", ())
            plain = () if hasattr(choices, "queryset") else choices  # related objects print themselves
            rows.append(
                Conflict(
                    label=str(bound.label),
                    theirs=saved_value(self.current, bound.name),
                    yours=readable(cleaned.get(bound.name), plain),
                )
            )
        return rows


class VersionedForm(ConflictForm, forms.ModelForm):
    """A model form that carries the version the user started from, so a concurrent edit is caught, not
    overwritten (see ConflictForm for what the page shows then)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    # Many-to-many fields the service takes as keyword arguments of their own (zones=, team=, ...), not in `fields=`.
    relation_fields: tuple[str, ...] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance and not self.instance._state.adding:
            self.fields["version"].initial = self.instance.version

    def service_fields(self) -> dict[str, Any]:
        """The cleaned model fields, for the service's `fields=` argument (relations go apart)."""
        names = [name for name in self._meta.fields or [] if name not in self.relation_fields]
        return {name: self.cleaned_data[name] for name in names if name in self.cleaned_data}

    def relations(self) -> dict[str, Any]:
        """The cleaned relation fields, each a keyword argument of the service."""
        return {name: self.cleaned_data[name] for name in self.relation_fields if name in self.cleaned_data}


class CsvUploadForm(forms.Form):
    """One CSV file to import; the importer checks every row before it writes any."""

    file = forms.FileField(label="CSV file", help_text="Columns as documented; nothing is imported if any row is bad.")


# --- the panels of an assessed row (a gap result, a component result) -------------------------------------
class CommentForm(forms.Form):
    """A remark in the thread of one finding."""

    body = forms.CharField(label="Comment", widget=forms.Textarea(attrs={"rows": 2}), max_length=5000)


class EvidenceForm(forms.Form):
    """A file or a reference to a document held elsewhere, with a description and an expiry."""

    file = forms.FileField(required=False)
    reference = forms.CharField(
        required=False, max_length=500, help_text="Or where the document is held: a DMS link, a drawing number…"
    )
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    expires = forms.DateField(required=False, widget=DateInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("file") and not (data.get("reference") or "").strip():
            raise forms.ValidationError("Choose a file to upload or give a reference to a document held elsewhere.")
        return data
