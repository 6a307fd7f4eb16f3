"""Optimistic concurrency for rows two people may edit at once: the version (ETag) and its checks."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models


class Versioned(models.Model):
    """A row two people may edit at once: `version` goes up on every save (the ETag)."""

    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            self.version += 1
        super().save(*args, **kwargs)

    @property
    def etag(self) -> str:
        return f'"{self.version}"'


V = TypeVar("V", bound=Versioned)


class StaleObjectError(Exception):
    """The object changed since the client read it (HTTP 412, or a form showing the newer values)."""

    def __init__(self, obj: Versioned) -> None:
        self.obj = obj
        super().__init__(f"{obj} was changed by someone else (now version {obj.version}).")


class InUse(Exception):
    """Records that must outlive the object still refer to it (HTTP 409, or the confirmation page says so)."""

    def __init__(self, obj: Any, blockers: list[str]) -> None:
        self.blockers = blockers
        super().__init__(f"{obj} cannot be deleted: it is still referred to by {'; '.join(blockers)}.")


def check_version(obj: Versioned, expected_version: int | None) -> None:
    """Raise StaleObjectError unless `expected_version` is None or the object's current version."""
    if expected_version is not None and expected_version != obj.version:
        raise StaleObjectError(obj)


def lock(obj: V) -> V:
    """The same row read again under SELECT ... FOR UPDATE (call inside a transaction)."""
    return type(obj)._default_manager.select_for_update().get(pk=obj.pk)


def apply_fields(obj: V, fields: dict[str, Any], expected_version: int | None = None) -> V:
    """Check the version, set the fields, validate the whole object and save it."""
    check_version(obj, expected_version)
    for name, value in fields.items():
        setattr(obj, name, value)
    obj.full_clean()
    obj.save()
    return obj


def save_versioned(obj: V, fields: dict[str, Any], expected_version: int | None = None) -> V:
    """Create `obj`, or lock its row, check `expected_version` and apply `fields` (inside a transaction)."""
    if obj._state.adding:
        return apply_fields(obj, fields)
    return apply_fields(lock(obj), fields, expected_version)
