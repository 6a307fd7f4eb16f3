"""The rows behind evidence and conversations, whatever is assessed (abstract; no tables of core's own).

- `EvidenceBase`: a document that supports findings: an uploaded file with its SHA-256, or a reference to a
  document held elsewhere. The concrete model owns its `file` field (each stores files under its own path,
  never a public one) and what it is attached to.
- `CommentBase`: a remark in the thread of one finding; the concrete model says which finding.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.fields.files import FieldFile

from core.models import PublicRecord
from core.validators import validate_date_range


class EvidenceBase(PublicRecord):
    """A file (with its hash) or a reference; the subclass adds `file` and its links."""

    file: FieldFile
    filename = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=120, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    sha256 = models.CharField("SHA-256", max_length=64, blank=True)
    reference = models.CharField(
        max_length=500, blank=True, help_text="Where the document is held, e.g. a DMS link or a drawing number"
    )
    description = models.TextField(blank=True)
    expires = models.DateField(null=True, blank=True, validators=[validate_date_range])
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.filename or self.reference

    @property
    def is_file(self) -> bool:
        return bool(self.file)

    def clean(self) -> None:
        if bool(self.file) == bool(self.reference.strip()):
            raise ValidationError({"file": "Give either a file or a reference to a document held elsewhere."})


class CommentBase(PublicRecord):
    """A remark by someone, in the thread of one finding (the subclass adds which)."""

    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField()
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["created"]

    def __str__(self) -> str:
        return f"{self.author}: {self.body[:40]}"
