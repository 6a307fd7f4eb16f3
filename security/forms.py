"""The forms of the security pages: a new token, and the security log's filters."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from django import forms
from django.utils import timezone

from core.forms import DateInput
from core.validators import validate_date_range, validate_single_line
from security.choices import TOKEN_DEFAULT_DAYS, TOKEN_LIFETIME_CHOICES, EventKind

CUSTOM = "date"


class ApiTokenForm(forms.Form):
    """Name a token and pick how long it lives: 7, 30, 90 or 365 days, or until a date."""

    name = forms.CharField(
        max_length=100, validators=[validate_single_line], help_text="What it is for, e.g. “CI export”."
    )
    lifetime = forms.ChoiceField(
        label="Expires",
        choices=[*[(str(days), f"in {days} days") for days in TOKEN_LIFETIME_CHOICES], (CUSTOM, "on a date…")],
        initial=str(TOKEN_DEFAULT_DAYS),
    )
    expires_on = forms.DateField(
        label="Date (for “on a date…”)", required=False, widget=DateInput(), validators=[validate_date_range]
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("lifetime") == CUSTOM and not data.get("expires_on"):
            self.add_error("expires_on", "Pick the date the token stops working.")
        return data

    def expiry(self) -> dict[str, Any]:
        """The keywords of services.token_expiry for what was picked (the end of the picked day, local time)."""
        if self.cleaned_data["lifetime"] == CUSTOM:
            day: date = self.cleaned_data["expires_on"]
            return {"until": timezone.make_aware(datetime.combine(day, time(23, 59, 59)))}
        return {"days": int(self.cleaned_data["lifetime"])}


class SecurityLogFilterForm(forms.Form):
    """Filters of the security log: what happened, to or by whom, and between which days."""

    kind = forms.ChoiceField(label="Event", required=False, choices=[("", "All events"), *EventKind.choices])
    person = forms.ChoiceField(label="Person", required=False)
    since = forms.DateField(label="From", required=False, widget=DateInput(), validators=[validate_date_range])
    until = forms.DateField(label="To", required=False, widget=DateInput(), validators=[validate_date_range])

    def __init__(self, *args: Any, people: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.people = {str(person.pk): person for person in people}
        field = self.fields["person"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "Everyone"), *[(key, str(person)) for key, person in self.people.items()]]

    def filters(self) -> dict[str, Any]:
        """The keywords of selectors.organization_events (nothing filtered when the form is not valid)."""
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "person": self.people.get(data["person"]),
            "since": data["since"],
            "until": data["until"],
        }
