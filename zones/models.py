"""A client's plants: sites, their zones and conduits, and the assets (components) in the zones."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from guardian.models import UserObjectPermissionBase
from simple_history.models import HistoricalRecords

from accounts.models import Organization
from compliance.fields import SLVectorField
from compliance.sl import SLVector, zero_vector
from core.models import DetailPage, Record
from core.validators import validate_single_line
from zones.choices import (
    AssetRole,
    CapabilitySource,
    ComponentType,
    Criticality,
    Direction,
    Sector,
    ZoneKind,
)


class Site(DetailPage, Record):
    """A plant or facility of an organization (e.g. a water treatment works)."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="sites")
    name = models.CharField(max_length=200, validators=[validate_single_line])
    location = models.CharField(max_length=200, blank=True)
    sector = models.CharField(max_length=20, choices=Sector.choices, default=Sector.OTHER)
    description = models.TextField(blank=True)
    history = HistoricalRecords()

    access_site_path = ""
    detail_route = "site-detail"

    class Meta:
        ordering = ["organization__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="unique_site_name_per_organization"),
        ]

    def __str__(self) -> str:
        return self.name


class SiteUserObjectPermission(UserObjectPermissionBase):
    """A per-site grant (django-guardian, direct foreign key) for people limited to some sites."""

    content_object = models.ForeignKey(Site, on_delete=models.CASCADE)


class Zone(DetailPage, Record):
    """A group of assets with the same security requirements (e.g. "Safety instrumented system")."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="zones")
    name = models.CharField(max_length=200, validators=[validate_single_line])
    description = models.TextField(blank=True)
    kind = models.CharField(max_length=20, choices=ZoneKind.choices, default=ZoneKind.CONTROL)
    purdue_level = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(5)], help_text="0-5, optional"
    )
    criticality = models.CharField(max_length=10, choices=Criticality.choices, default=Criticality.MEDIUM)
    sl_target = SLVectorField(
        "SL-T", default=zero_vector, help_text="Target security level per FR, e.g. {2,2,1,1,3,1,2}"
    )
    responsible = models.CharField("responsible person", max_length=200, blank=True)
    history = HistoricalRecords()

    access_site_path = "site"
    detail_route = "zone-detail"

    class Meta:
        ordering = ["site", "purdue_level", "name"]
        constraints = [models.UniqueConstraint(fields=["site", "name"], name="unique_zone_name_per_site")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_external(self) -> bool:
        return self.kind == ZoneKind.EXTERNAL


class Asset(DetailPage, Record):
    """A component in exactly one zone: a PLC, HMI, historian, switch, firewall..."""

    zone = models.ForeignKey(Zone, on_delete=models.PROTECT, related_name="assets")
    name = models.CharField(max_length=200, validators=[validate_single_line])
    tag = models.CharField(max_length=100, blank=True, help_text="Plant tag or asset number")
    component_type = models.CharField(max_length=3, choices=ComponentType.choices)
    role = models.CharField(max_length=30, choices=AssetRole.choices, default=AssetRole.OTHER)
    vendor = models.CharField(max_length=120, blank=True)
    model = models.CharField(max_length=120, blank=True)
    firmware = models.CharField("firmware or version", max_length=120, blank=True)
    network_addresses = models.CharField(max_length=500, blank=True, help_text="IP or MAC addresses, comma-separated")
    product = models.ForeignKey(
        "components.Product",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assets",
        help_text="The make, model and version from the product library; its SL-C applies unless the asset has its own",
    )
    sl_capability = SLVectorField("SL-C", null=True, blank=True, default=None)
    sl_capability_source = models.CharField("SL-C source", max_length=20, choices=CapabilitySource.choices, blank=True)
    end_of_support = models.DateField(null=True, blank=True)
    legacy = models.BooleanField(default=False, help_text="Cannot be patched or upgraded")
    # Partitioning (IEC 62443-3-2 ZCR 3.2-3.6): what a zone should not mix; zones.checks.partition_findings.
    business_system = models.BooleanField(
        default=False, help_text="A business (IT) system rather than part of the control system (IACS)"
    )
    safety_related = models.BooleanField(default=False, help_text="Part of a safety function (e.g. an SIS)")
    temporarily_connected = models.BooleanField(
        default=False, help_text="Connected only now and then: a maintenance laptop, a USB device"
    )
    wireless = models.BooleanField(default=False, help_text="Communicates over a wireless link")
    external_network = models.BooleanField(
        "reached over external networks",
        default=False,
        help_text="Reached over a network outside the system under consideration (internet, carrier, vendor)",
    )
    criticality = models.CharField(max_length=10, choices=Criticality.choices, default=Criticality.MEDIUM)
    history = HistoricalRecords()

    access_site_path = "zone__site"
    detail_route = "asset-detail"

    class Meta:
        ordering = ["zone", "name"]
        indexes = [models.Index(fields=["zone", "name"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.tag})" if self.tag else self.name

    def clean(self) -> None:
        if self.sl_capability is not None and not self.sl_capability_source:
            raise ValidationError({"sl_capability_source": "Say where the SL-C comes from."})
        if self.sl_capability is None and self.sl_capability_source:
            raise ValidationError({"sl_capability_source": "There is no SL-C to give a source for."})
        if (
            self.product_id is not None
            and self.zone_id is not None
            and self.product.organization_id != self.zone.site.organization_id  # type: ignore[union-attr]
        ):
            raise ValidationError({"product": "Choose a product of this site's organization."})

    # The SL-C that counts (issue 16): the asset's own when it has one, else its product's. Lists select_related
    # the product so that reading it costs no query per asset.
    @property
    def sl_capability_effective(self) -> SLVector | None:
        """The asset's own SL-C, else its product's (None when neither has one)."""
        if self.sl_capability is not None:
            return self.sl_capability
        return self.product.sl_capability if self.product_id is not None else None  # type: ignore[union-attr]

    @property
    def sl_capability_from(self) -> str:
        """Where the SL-C that counts comes from: "asset" (its own), "product", or "" (none recorded)."""
        if self.sl_capability is not None:
            return "asset"
        return "product" if self.sl_capability_effective is not None else ""


class Conduit(DetailPage, Record):
    """The communication channels between two or more zones of a site, with their own SL-T."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="conduits")
    name = models.CharField(max_length=200, validators=[validate_single_line])
    description = models.TextField(blank=True)
    zones = models.ManyToManyField(Zone, related_name="conduits")
    protocols = models.CharField(max_length=300, blank=True, help_text="e.g. Modbus/TCP, OPC UA, HTTPS")
    direction = models.CharField(max_length=20, choices=Direction.choices, default=Direction.BIDIRECTIONAL)
    sl_target = SLVectorField("SL-T", default=zero_vector)
    # Where the data flows on a one-way conduit (a data diode): from one of its zones to another. Empty on a
    # conduit that carries traffic both ways; zones.services.conduit_save keeps the two consistent.
    source_zone = models.ForeignKey(
        Zone, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", help_text="One way: data flows from"
    )
    destination_zone = models.ForeignKey(
        Zone, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", help_text="One way: data flows to"
    )
    boundary_devices = models.ManyToManyField(Asset, blank=True, related_name="boundary_of")
    history = HistoricalRecords(m2m_fields=[zones, boundary_devices])

    access_site_path = "site"
    detail_route = "conduit-detail"

    class Meta:
        ordering = ["site", "name"]
        constraints = [models.UniqueConstraint(fields=["site", "name"], name="unique_conduit_name_per_site")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_one_way(self) -> bool:
        return self.direction == Direction.UNIDIRECTIONAL

    def flow_zone_ids(self) -> list[Any]:
        """The ids of the zones it joins, the sender first and the receiver second on a one-way conduit
        (the diagram draws the arrow that way); from the prefetched zones."""
        ids = [z.pk for z in self.zones.all()]
        if self.is_one_way and self.source_zone_id in ids and self.destination_zone_id in ids:
            ends = [self.source_zone_id, self.destination_zone_id]
            return ends + [i for i in ids if i not in ends]
        return ids

    @property
    def flow(self) -> str:
        """The way data moves, in words: "A → B" on a one-way conduit, else its zones joined by "↔". Reads
        the zones (prefetched on lists), never the two foreign keys, so a table of conduits costs no query more."""
        names = {z.pk: z.name for z in self.zones.all()}
        if self.is_one_way and self.source_zone_id in names and self.destination_zone_id in names:
            return f"{names[self.source_zone_id]} → {names[self.destination_zone_id]}"
        return " ↔ ".join(names.values())
