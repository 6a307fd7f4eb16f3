"""The History tab: who changed what from what to what, from django-simple-history records."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Model

CHANGE_TYPES = {"+": "created", "~": "changed", "-": "deleted"}
HIDDEN_FIELDS = {"version", "created"}


@dataclass
class HistoryEntry:
    when: Any
    who: str
    action: str
    object_label: str
    object_kind: str
    changes: list[tuple[str, str, str]]  # field label, old, new


def _display(record: Any, field_name: str, value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, list):  # m2m: list of through-row dicts
        return f"{len(value)} linked"
    field = record.instance._meta.get_field(field_name)
    if getattr(field, "choices", None):
        return str(dict(field.choices).get(value, value))
    if hasattr(value, "compact"):
        return str(value.compact())
    return str(value)


def entries_for(records: list[Any]) -> list[HistoryEntry]:
    """Turn historical records (newest first) into entries with field-level before/after."""
    entries = []
    for record in records:
        changes: list[tuple[str, str, str]] = []
        previous = record.prev_record
        if record.history_type == "~" and previous is not None:
            delta = record.diff_against(previous)
            for change in delta.changes:
                if change.field in HIDDEN_FIELDS:
                    continue
                label = str(record.instance._meta.get_field(change.field).verbose_name)
                changes.append(
                    (label, _display(record, change.field, change.old), _display(record, change.field, change.new))
                )
        model: type[Model] = record.instance_type
        entries.append(
            HistoryEntry(
                when=record.history_date,
                who=str(record.history_user) if record.history_user_id else "system",
                action=CHANGE_TYPES.get(record.history_type, record.history_type),
                object_label=str(getattr(record, "name", "")),
                object_kind=str(model._meta.verbose_name),
                changes=changes,
            )
        )
    return entries


def object_history(obj: Any, limit: int = 100) -> list[HistoryEntry]:
    records = list(obj.history.select_related("history_user").order_by("-history_date")[:limit])
    return entries_for(records)


def site_history(site: Any, limit: int = 200) -> list[HistoryEntry]:
    """Changes to the site and everything in it, newest first."""
    from zones.models import Asset, Conduit, Zone

    records: list[Any] = []
    records += list(site.history.select_related("history_user")[:limit])
    records += list(Zone.history.filter(site_id=site.pk).select_related("history_user")[:limit])
    records += list(Conduit.history.filter(site_id=site.pk).select_related("history_user")[:limit])
    zone_ids = list(Zone.history.filter(site_id=site.pk).values_list("id", flat=True).distinct())
    records += list(Asset.history.filter(zone_id__in=zone_ids).select_related("history_user")[:limit])
    records.sort(key=lambda r: r.history_date, reverse=True)
    return entries_for(records[:limit])
