"""The abstract rows domain models are built on (core has no tables of its own).

- `PublicRecord`: known outside by a UUID (never a guessable number) and read through the permission door
  (`objects.restrict(user, action)`); the model still says where its scope root is (`access_site_path` or
  `access_organization_path`).
- `Record`: a public record people create and edit, two at a time perhaps: it also has a version (the
  ETag, see core.versioning) and the moment it was created.
- `DetailPage`: a record with a page of its own, the URL pattern named in `detail_route`.

The change history stays on each model (`history = HistoricalRecords(...)`): which many-to-many fields it
tracks is the model's own business, and django-simple-history registers it per concrete model.
"""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.urls import reverse

from accounts.access import RestrictedQuerySet
from core.versioning import Versioned


class PublicRecord(models.Model):
    """A row with a public UUID, read through the permission door."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        abstract = True


class Record(Versioned, PublicRecord):
    """A public record people create and edit: versioned (the ETag), with the moment it was created."""

    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True


class DetailPage(models.Model):
    """A record with a page of its own: `detail_route` names the URL pattern that takes its id."""

    detail_route: ClassVar[str]

    class Meta:
        abstract = True

    def get_absolute_url(self) -> str:
        return reverse(self.detail_route, args=[self.pk])


class PresenceRow(models.Model):
    """One open WebSocket on a live page (abstract): whose socket it is and when it was last seen. The
    subclass adds the page's object and the row being edited (core.presence works on both by name); rows
    live as long as the socket, and stale rows of a crashed process are swept on the next connect."""

    channel_name = models.CharField(max_length=200, primary_key=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    seen = models.DateTimeField()

    class Meta:
        abstract = True
