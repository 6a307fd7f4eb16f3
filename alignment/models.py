"""Frameworks (regulations and standards beside IEC 62443) and how their items map onto 62443-3-3.

Reference data like the catalogue: loaded from alignment/frameworks/*.yaml by `manage.py load_catalogue`
(alignment.loader), read by everyone signed in, written by nobody else. A mapping names 62443-3-3 items by
their public id (`SR 1.1`, `SR 1.1 RE 1`), not by a row of one catalogue release: each assessment pins its
own release, and the id is what stays the same across releases (decision 0031).
"""

from __future__ import annotations

import uuid

from django.db import models

from alignment.choices import Relationship


class Framework(models.Model):
    """A regulation, directive or standard an asset owner must answer to (NIS2, NERC CIP, ISO/IEC 27001...),
    as one loaded data file: its public ids, our short titles and the sources used."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    key = models.SlugField(max_length=40, unique=True, help_text='The data file\'s key, e.g. "nist-csf-2".')
    name = models.CharField(max_length=200)
    short_name = models.CharField(max_length=60)
    edition = models.CharField(max_length=200, help_text="The public document the ids come from.")
    version = models.CharField(max_length=30, help_text="Our data version (semver), not the framework's.")
    url = models.URLField(max_length=500, blank=True)
    sources = models.JSONField(default=dict, help_text="Source key -> full citation.")
    source_file = models.CharField(max_length=200)
    sha256 = models.CharField(max_length=64)
    loaded_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["short_name"]

    def __str__(self) -> str:
        return f"{self.short_name} (data {self.version})"


class FrameworkGroup(models.Model):
    """A heading items are grouped under on pages: a CSF function, a NIS2 article point, a CIP standard."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="groups")
    ref = models.CharField("id", max_length=60)
    title = models.CharField(max_length=200)
    position = models.PositiveIntegerField()

    class Meta:
        ordering = ["framework", "position"]
        constraints = [models.UniqueConstraint(fields=["framework", "ref"], name="unique_group_per_framework")]

    def __str__(self) -> str:
        return f"{self.ref} {self.title}"


class FrameworkItem(models.Model):
    """One requirement of a framework (e.g. NIS2 Art 21(2)(d), CIP-005-7 R1, PR.AA-01), under its public id
    with a short title in our words; either mapped to 62443-3-3 items or saying why nothing there maps."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="items")
    group = models.ForeignKey(FrameworkGroup, null=True, blank=True, on_delete=models.CASCADE, related_name="items")
    ref = models.CharField("id", max_length=60)
    title = models.CharField(max_length=200)
    no_counterpart = models.TextField(
        blank=True, help_text="Why no 62443-3-3 item maps (set exactly when the item has no mappings)."
    )
    position = models.PositiveIntegerField()

    class Meta:
        ordering = ["framework", "position"]
        constraints = [models.UniqueConstraint(fields=["framework", "ref"], name="unique_item_per_framework")]

    def __str__(self) -> str:
        return f"{self.ref} {self.title}"


class Mapping(models.Model):
    """One stated relation of a framework item to a set of 62443-3-3 items, with why and on whose word."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    item = models.ForeignKey(FrameworkItem, on_delete=models.CASCADE, related_name="mappings")
    relationship = models.CharField(max_length=20, choices=Relationship.choices)
    rationale = models.TextField()
    source = models.CharField(max_length=60, help_text="A key of the framework's sources.")
    position = models.PositiveIntegerField()

    class Meta:
        ordering = ["item", "position"]

    def __str__(self) -> str:
        return f"{self.item.ref} {self.relationship}"


class MappingTarget(models.Model):
    """A 62443-3-3 id a mapping names. A row per id (not a list in the mapping) so that the catalogue page can
    ask which framework items map to "SR 1.1" through an index."""

    mapping = models.ForeignKey(Mapping, on_delete=models.CASCADE, related_name="targets")
    ref = models.CharField(max_length=30, db_index=True, help_text='A 62443-3-3 id, e.g. "SR 1.1 RE 1".')
    position = models.PositiveIntegerField()

    class Meta:
        ordering = ["mapping", "position"]
        constraints = [models.UniqueConstraint(fields=["mapping", "ref"], name="unique_ref_per_mapping")]

    def __str__(self) -> str:
        return self.ref
