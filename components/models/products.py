"""The product library: the makes and models of components an organization runs or buys, and their
certificates."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from accounts.models import Organization
from compliance.choices import ComponentType
from compliance.fields import SLVectorField
from components.choices import CertificateScheme
from core.models import DetailPage, Record
from core.validators import validate_date_range, validate_single_line
from zones.choices import CapabilitySource

EXPIRY_WARNING_DAYS = 90

# The highest level a scheme certifies, for the schemes that certify one: ISASecure CSA (a component's
# capability, IEC 62443-4-2) and SSA (a system's, 3-3) at 1-4; the legacy EDSA scheme had three levels.
# The others (SDLA and the IECEE CB certificates for 4-1) certify a process, with no security level.
SCHEME_MAX_LEVEL: dict[str, int] = {
    CertificateScheme.ISASECURE_CSA: 4,
    CertificateScheme.ISASECURE_SSA: 4,
    CertificateScheme.ISASECURE_EDSA: 3,
}
# Schemes whose certificate may state a level per FR (an SL vector): those about a component's or system's
# capability, and "other" (a scheme we do not know may give one). A process certificate gives none.
SCHEMES_WITH_VECTOR = frozenset(
    {
        CertificateScheme.ISASECURE_CSA,
        CertificateScheme.ISASECURE_SSA,
        CertificateScheme.ISASECURE_EDSA,
        CertificateScheme.IECEE_CB_4_2,
        CertificateScheme.OTHER,
    }
)


class CertificateState(models.TextChoices):
    """How a product's certificates stand today, the worst first."""

    EXPIRED = "expired", "Expired"
    EXPIRING = "expiring", "Expiring soon"
    VALID = "valid", "Valid"
    NONE = "none", "None"


class Product(DetailPage, Record):
    """A make, model and version of a component (a PLC's firmware release, an HMI package, a switch), as an
    organization knows it: its 4-2 component type and its capability security level (SL-C) with where that
    comes from. Assets of that product show its SL-C unless they have their own."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="products")
    vendor = models.CharField(max_length=200, validators=[validate_single_line])
    name = models.CharField(max_length=200, validators=[validate_single_line])
    # `version` is the row's ETag (core.versioning); the API calls this field `version`, as vendors do.
    release = models.CharField(
        "version",
        max_length=120,
        blank=True,
        validators=[validate_single_line],
        help_text="Firmware or software version",
    )
    component_type = models.CharField(max_length=3, choices=ComponentType.choices)
    description = models.TextField(blank=True)
    sl_capability = SLVectorField("SL-C", null=True, blank=True, default=None)
    sl_capability_source = models.CharField("SL-C source", max_length=20, choices=CapabilitySource.choices, blank=True)
    sl_capability_note = models.CharField(
        "SL-C reference", max_length=300, blank=True, help_text="e.g. the certificate or assessment it comes from"
    )
    history = HistoricalRecords()

    access_organization_path = "organization"
    detail_route = "product-detail"

    class Meta:
        ordering = ["vendor", "name", "release"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "vendor", "name", "release"], name="unique_product_per_organization"
            )
        ]

    def __str__(self) -> str:
        return " ".join(part for part in (self.vendor, self.name, self.release) if part)

    def clean(self) -> None:
        if self.sl_capability is not None and not self.sl_capability_source:
            raise ValidationError({"sl_capability_source": "Say where the SL-C comes from."})
        if self.sl_capability is None and self.sl_capability_source:
            raise ValidationError({"sl_capability_source": "There is no SL-C to give a source for."})

    def certificate_state(self, today: datetime.date | None = None) -> CertificateState:
        """The state of its certificates (prefetch `certificates` on lists): expired if any has expired,
        expiring if any runs out within EXPIRY_WARNING_DAYS, valid, or none."""
        today = today or timezone.localdate()
        certificates = list(self.certificates.all())
        if not certificates:
            return CertificateState.NONE
        if any(c.expires is not None and c.expires < today for c in certificates):
            return CertificateState.EXPIRED
        if any(c.expires_within(today=today) for c in certificates):
            return CertificateState.EXPIRING
        return CertificateState.VALID


def certificate_upload_to(instance: Certificate, filename: str) -> str:
    # Never under a public path: MEDIA_ROOT is not served; downloads go through a checked view.
    return f"certificates/{instance.product_id}/{instance.pk}/{filename}"


class Certificate(Record):
    """A certificate a product holds (an ISASecure CSA at a level, an IECEE CB test certificate), with its
    validity and the certificate document itself."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="certificates")
    scheme = models.CharField(max_length=20, choices=CertificateScheme.choices)
    level = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="The security level certified, where the scheme gives one (1-4)"
    )
    sl_vector = SLVectorField(
        "SL vector", null=True, blank=True, default=None, help_text="Per FR, where the certificate gives one"
    )
    number = models.CharField("certificate number", max_length=120, validators=[validate_single_line])
    issuer = models.CharField(max_length=200, help_text="The certification body", validators=[validate_single_line])
    issued = models.DateField(validators=[validate_date_range])
    expires = models.DateField(null=True, blank=True, validators=[validate_date_range])
    file = models.FileField(upload_to=certificate_upload_to, max_length=300, blank=True)
    filename = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=120, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    sha256 = models.CharField("SHA-256", max_length=64, blank=True)
    history = HistoricalRecords()

    access_organization_path = "product__organization"

    class Meta:
        ordering = ["expires", "number"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(level__isnull=True) | models.Q(level__gte=1, level__lte=4),
                name="certificate_level_1_to_4",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_scheme_display()} {self.number}"

    def get_download_url(self) -> str:
        return reverse("certificate-download", args=[self.pk])

    @property
    def expired(self) -> bool:
        return self.expires is not None and self.expires < timezone.localdate()

    @property
    def expiring_soon(self) -> bool:
        """Still valid but runs out within EXPIRY_WARNING_DAYS (the KPI page and the home page list these)."""
        return self.expires_within()

    def expires_within(self, days: int = EXPIRY_WARNING_DAYS, today: datetime.date | None = None) -> bool:
        """Whether it is still valid but runs out within `days`."""
        today = today or timezone.localdate()
        return self.expires is not None and today <= self.expires <= today + datetime.timedelta(days=days)

    def clean(self) -> None:
        errors = {}
        if self.issued and self.expires and self.expires < self.issued:
            errors["expires"] = "The certificate expires before it was issued."
        highest = SCHEME_MAX_LEVEL.get(self.scheme)
        if self.level is not None and highest is None:
            errors["level"] = f"A {self.get_scheme_display()} certificate gives no security level; leave it empty."
        elif self.level is not None and highest is not None and not 1 <= self.level <= highest:
            errors["level"] = f"A {self.get_scheme_display()} level is 1 to {highest}."
        if self.sl_vector is not None and self.scheme not in SCHEMES_WITH_VECTOR:
            errors["sl_vector"] = f"A {self.get_scheme_display()} certificate gives no SL vector; leave it empty."
        if errors:
            raise ValidationError(errors)


# The two questions the KPI and home pages ask of the certificates a person may see (a queryset through the door).
def certificates_expiring(
    certificates: models.QuerySet[Certificate], days: int = EXPIRY_WARNING_DAYS, today: datetime.date | None = None
) -> models.QuerySet[Certificate]:
    """Those still valid but running out within `days`, soonest first."""
    today = today or timezone.localdate()
    window = certificates.filter(expires__gte=today, expires__lte=today + datetime.timedelta(days=days))
    return window.order_by("expires", "number")


def certificates_expired(
    certificates: models.QuerySet[Certificate], today: datetime.date | None = None
) -> models.QuerySet[Certificate]:
    """Those past their expiry date."""
    return certificates.filter(expires__lt=today or timezone.localdate())
