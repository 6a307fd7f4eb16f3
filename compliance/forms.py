"""The form of the licensed-text import page (decision 0032)."""

from __future__ import annotations

from django import forms


class LicensedTextForm(forms.Form):
    """One CSV or JSON file holding all of an organization's licensed text; it replaces what was there."""

    file = forms.FileField(
        label="CSV or JSON file",
        help_text="UTF-8. Columns (or keys) id, text, guidance, and part for an id in two parts. "
        "It replaces all of your organization's licensed text; nothing is imported if any entry is bad.",
    )
