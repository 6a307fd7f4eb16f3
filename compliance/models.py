"""The IEC 62443 requirement catalogue: ids, short titles and levels (never the normative text)."""

from __future__ import annotations

import uuid

from django.db import models

from compliance.choices import ComponentType, Kind, Part


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
