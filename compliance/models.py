"""The IEC 62443 requirement catalogue: ids, short titles and levels (never the normative text)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from compliance.choices import ComponentType, Kind, Part
from core.models import PublicRecord, Record


class FoundationalRequirement(models.Model):
    """One of the seven foundational requirements (FR1-FR7) that every SR and CR belongs to."""

    code = models.CharField(max_length=3, primary_key=True)
    number = models.PositiveSmallIntegerField(unique=True)
    name = models.CharField(max_length=100)
    abbreviation = models.CharField(max_length=5)

    class Meta:
        ordering = ["number"]

    def __str__(self) -> str:
        return f"{self.code} {self.name} ({self.abbreviation})"


class Catalogue(models.Model):
    """One loaded release of one part's data file; assessments pin the release they used."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    part = models.CharField(max_length=3, choices=Part.choices)
    edition = models.CharField(max_length=120)
    version = models.CharField(max_length=30)
    sha256 = models.CharField(max_length=64)
    source_file = models.CharField(max_length=200)
    sources = models.JSONField(default=list)
    is_current = models.BooleanField(default=True)
    loaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["part", "-loaded_at"]
        constraints = [
            models.UniqueConstraint(fields=["part", "version"], name="one_release_per_part_version"),
            models.UniqueConstraint(
                fields=["part"], condition=models.Q(is_current=True), name="one_current_release_per_part"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.edition} (data {self.version})"


class RequirementQuerySet(models.QuerySet["Requirement"]):
    def current(self) -> RequirementQuerySet:
        return self.filter(catalogue__is_current=True)

    def assessable(self) -> RequirementQuerySet:
        return self.filter(assessable=True)

    def for_component_type(self, component_type: str) -> RequirementQuerySet:
        return self.filter(**{f"applies_{component_type.lower()}": True})


class Requirement(models.Model):
    """An item of the standard: an SR or RE (3-3), a CR, component-type item or RE (4-2), or a ZCR (3-2).

    Headings that only point to component-type items, or say there is no component-level
    requirement, are kept for structure with `assessable=False` and no level.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    catalogue = models.ForeignKey(Catalogue, on_delete=models.CASCADE, related_name="requirements")
    ref = models.CharField("id", max_length=30, help_text='The standard\'s id, e.g. "SR 1.1 RE 1".')
    kind = models.CharField(max_length=3, choices=Kind.choices)
    fr = models.ForeignKey(FoundationalRequirement, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    title = models.CharField(max_length=200)
    lowest_sl = models.PositiveSmallIntegerField(null=True, blank=True)
    assessable = models.BooleanField(default=True)
    applies_sar = models.BooleanField(default=False)
    applies_edr = models.BooleanField(default=False)
    applies_hdr = models.BooleanField(default=False)
    applies_ndr = models.BooleanField(default=False)
    guidance = models.TextField(blank=True)
    note = models.TextField(blank=True, help_text="Where public sources disagree on this item.")
    structure_note = models.TextField(blank=True)
    position = models.PositiveIntegerField()

    objects = RequirementQuerySet.as_manager()

    class Meta:
        ordering = ["catalogue", "position"]
        constraints = [
            models.UniqueConstraint(fields=["catalogue", "ref"], name="unique_ref_per_release"),
        ]
        indexes = [models.Index(fields=["catalogue", "fr", "lowest_sl"])]

    def __str__(self) -> str:
        return f"{self.ref} {self.title}"

    @property
    def part(self) -> str:
        return self.catalogue.part

    @property
    def component_types(self) -> list[str]:
        return [ct.value for ct in ComponentType if getattr(self, f"applies_{ct.value.lower()}")]

    @property
    def disputed(self) -> bool:
        """Whether public sources disagree on this item (the catalogue's note says how)."""
        return bool(self.note.strip())


# --- what one organization adds to the catalogue (decision 0032) --------------------------------------------
class LevelOverride(Record):
    """An organization's own reading of one 3-3 item (SR or RE): the lowest SL at which its assessments select
    it, where it reads the standard differently from the catalogue (typically a disputed item). Assessments
    created afterwards pin it (Assessment.level_overrides); earlier ones keep the levels they were made with.

    Keyed by the item's id (`ref`), not a row of one release, so that it survives a new catalogue release."""

    organization = models.ForeignKey("accounts.Organization", on_delete=models.CASCADE, related_name="level_overrides")
    ref = models.CharField("id", max_length=30, help_text='The 3-3 item\'s id, e.g. "SR 1.1 RE 1".')
    lowest_sl = models.PositiveSmallIntegerField("lowest SL", validators=[MinValueValidator(1), MaxValueValidator(4)])
    reason = models.TextField(help_text="Why the organization selects this item at another level.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    history = HistoricalRecords()

    access_organization_path = "organization"

    class Meta:
        ordering = ["organization", "ref"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "ref"], name="one_override_per_item_and_organization"),
        ]

    def __str__(self) -> str:
        return f"{self.ref} at SL{self.lowest_sl} for {self.organization_id}"


class LicensedText(PublicRecord):
    """The normative text and guidance of one requirement, imported by an organization that holds a licence
    to the IEC documents. Shown to that organization's members only; never in demo data or the repository.

    No history on purpose: deleting the texts (when the licence ends) must leave no copy behind."""

    organization = models.ForeignKey("accounts.Organization", on_delete=models.CASCADE, related_name="licensed_texts")
    part = models.CharField(max_length=3, choices=Part.choices)
    ref = models.CharField("id", max_length=30)
    text = models.TextField()
    guidance = models.TextField(blank=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    imported_at = models.DateTimeField()

    access_organization_path = "organization"

    class Meta:
        ordering = ["organization", "part", "ref"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "part", "ref"], name="one_licensed_text_per_item"),
        ]

    def __str__(self) -> str:
        return f"{self.ref} ({self.part}) for {self.organization_id}"
