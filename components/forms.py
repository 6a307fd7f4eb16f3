"""Forms of the components pages: a product of the library (with its SL-C set by hand: a vendor claim or a
certificate), and a certificate with its document."""

from __future__ import annotations

from typing import Any

from django import forms

from compliance.fields import SLVectorFormField
from components.models import Certificate, Product
from core.forms import DateInput, VersionedForm
from core.uploads import allowed_extensions, max_megabytes


class ProductForm(VersionedForm):
    """A product's make, model, version and type, and its SL-C with where it comes from."""

    sl_capability = SLVectorFormField(
        label="SL-C (capability)",
        required=False,
        help_text="Per FR, as the vendor claims or a certificate states; an applied component assessment sets it too.",
    )

    class Meta:
        model = Product
        fields = [
            "vendor", "name", "release", "component_type", "description", "sl_capability", "sl_capability_source",
            "sl_capability_note",
        ]  # fmt: skip
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class CertificateForm(forms.ModelForm):
    """A certificate of a product, with the certificate document (optional, checked like evidence)."""

    sl_vector = SLVectorFormField(
        label="SL vector", required=False, help_text="Per FR, where the certificate gives one."
    )
    file = forms.FileField(
        label="Certificate document",
        required=False,
        help_text=f"PDF or image, up to {max_megabytes():g} MB ({', '.join(allowed_extensions())}).",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["level"].help_text = "ISASecure CSA and SSA: 1-4; EDSA: 1-3; empty for the other schemes."

    class Meta:
        model = Certificate
        fields = ["scheme", "level", "sl_vector", "number", "issuer", "issued", "expires"]
        widgets = {"issued": DateInput, "expires": DateInput}

    def service_fields(self) -> dict[str, Any]:
        """The certificate's fields for components.services.certificates (the file goes apart)."""
        return {name: self.cleaned_data[name] for name in self.Meta.fields if name in self.cleaned_data}
