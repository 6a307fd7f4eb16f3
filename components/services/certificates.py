"""Writes to a product's certificates: record one with its document, edit it, delete it. Each is one
transaction and raises ValidationError (field errors) on bad input and StaleObjectError on a stale version."""

from __future__ import annotations

import hashlib
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from components.models import Certificate
from core.services import refuse_unknown_fields
from core.uploads import check_upload
from core.versioning import check_version, lock

if TYPE_CHECKING:
    from accounts.models import User

CERTIFICATE_FIELDS = ("product", "scheme", "level", "sl_vector", "number", "issuer", "issued", "expires")


def _attach(certificate: Certificate, file: UploadedFile) -> None:
    """Check the document (size, type, first bytes) and keep it with its name, type, size and digest."""
    content_type = check_upload(file)
    digest = hashlib.sha256()
    for chunk in file.chunks():
        digest.update(chunk)
    file.seek(0)
    name = PurePath(file.name or "certificate").name
    certificate.file.save(name, file, save=False)
    certificate.filename, certificate.content_type = name, content_type
    certificate.size, certificate.sha256 = file.size, digest.hexdigest()


@transaction.atomic
def certificate_save(
    *,
    by: User | None,
    fields: dict[str, Any],
    certificate: Certificate | None = None,
    file: UploadedFile | None = None,
    expected_version: int | None = None,
) -> Certificate:
    """Record a certificate of a product (`certificate` None) or edit one under its version; `file` is the
    certificate document, replacing the one kept. A certificate stays with its product."""
    refuse_unknown_fields(fields, CERTIFICATE_FIELDS)
    certificate = certificate if certificate is not None else Certificate()
    if not certificate._state.adding:
        product = fields.get("product")
        if product is not None and product.pk != certificate.product_id:
            raise ValidationError({"product": "A certificate stays with its product."})
        certificate = lock(certificate)
        check_version(certificate, expected_version)
    for name, value in fields.items():
        setattr(certificate, name, value)
    if by is not None:
        certificate._history_user = by  # type: ignore[attr-defined]
    # Validate before the file is written, so a refused certificate leaves no orphan file behind.
    certificate.full_clean(exclude=["file"])
    if file is not None:
        _attach(certificate, file)
    certificate.save()
    return certificate


@transaction.atomic
def certificate_delete(*, certificate: Certificate, by: User | None, expected_version: int | None = None) -> None:
    """Delete a certificate and, once the transaction commits, its document."""
    locked = lock(certificate)
    check_version(locked, expected_version)
    if by is not None:
        locked._history_user = by  # type: ignore[attr-defined]
    stored = locked.file.name
    storage = locked.file.storage
    locked.delete()
    if stored:
        transaction.on_commit(lambda: storage.delete(stored))
