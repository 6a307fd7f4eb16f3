"""Object history as people read it: who changed which field from what to what, from the rows
django-simple-history writes on every save (any model). Domain apps say which models and fields they show
and how to label them (a HistorySpec); the pairing of each row with the one before it, the field-level
diff and the display of values (choice labels, related objects, SL vectors, many-to-many) live here.

No query per entry: the rows before the ones shown come in one query per model (a window function), the
many-to-many snapshots in one per field, the related objects named in one per related model, the people
in one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import F, Window
from django.db.models.functions import Lead
from simple_history.utils import get_m2m_reverse_field_name

from core.people import person_name

ACTIONS = {"+": "created", "~": "changed", "-": "deleted"}
EMPTY = "—"
# Bookkeeping every model has: never a change a person made.
BOOKKEEPING = frozenset({"id", "version", "created", "updated_at"})

Record = Any  # a django-simple-history row (its class is generated per model)
WhoFn = Callable[[Record, frozenset[str]], Any]


@dataclass(frozen=True)
class HistorySpec:
    """What a domain shows of one model's history.

    `fields`: the fields compared, in display order (default: the editable concrete fields, then the tracked
    many-to-many ones, without bookkeeping). `labels`: field -> label (default: the verbose name, `capitalize`
    to capitalise it). `display`: field -> function of the stored value (the id for a foreign key) giving the
    text shown, replacing the default. `who`: the person a save is credited to when no signed-in user was
    recorded (given the record and the fields it changed). `m2m_names`: name the linked objects instead of
    counting them. `truncate`: longest text shown."""

    fields: Sequence[str] | None = None
    labels: Mapping[str, str] = field(default_factory=dict)
    display: Mapping[str, Callable[[Any], str]] = field(default_factory=dict)
    who: WhoFn | None = None
    capitalize: bool = False
    m2m_names: bool = False
    truncate: int | None = None
    object_label: Callable[[Record], str] | None = None


@dataclass(frozen=True)
class FieldChange:
    """One field of one save: its stored values (ids for foreign keys, sorted id lists for many-to-many)
    and how they read."""

    field: str
    label: str
    old: Any
    new: Any
    old_display: str
    new_display: str


@dataclass
class HistoryEntry:
    """One save of one object."""

    when: datetime
    who_id: Any
    who: str
    action: str  # created, changed, deleted
    object_id: str
    object_label: str
    object_kind: str
    fields: list[FieldChange]
    compared: bool  # the save before it was found (a first save, or one whose predecessor is gone, is not)
    record: Record = field(repr=False, default=None)

    @property
    def changes(self) -> list[tuple[str, str, str]]:
        """(label, from, to) per changed field, as the History tables show them."""
        return [(c.label, c.old_display, c.new_display) for c in self.fields]


# --- pairing each record with the one before it ---------------------------------------------------
def previous_records(history_model: type[models.Model], records: Sequence[Record]) -> dict[Any, Record]:
    """For each of `records` (rows of one history model), the row of the same object saved just before it,
    by history_id: one query whatever their number."""
    if not records:
        return {}
    wanted = {r.history_id for r in records}
    ordered = Window(
        Lead("history_id"), partition_by=[F("id")], order_by=[F("history_date").asc(), F("history_id").asc()]
    )
    rows = (
        history_model._default_manager.filter(id__in={r.id for r in records})
        .annotate(next_history_id=ordered)
        .filter(next_history_id__in=wanted)
    )
    return {row.next_history_id: row for row in rows}


def chained(records: Iterable[Record]) -> dict[Any, Record]:
    """For records holding each object's whole history, the one before each (by history_id), paired in
    Python: no query."""
    last: dict[Any, Record] = {}
    before: dict[Any, Record] = {}
    for record in sorted(records, key=lambda r: (r.history_date, r.history_id)):
        if record.id in last:
            before[record.history_id] = last[record.id]
        last[record.id] = record
    return before


def m2m_snapshots(history_model: type[models.Model], records: Iterable[Record]) -> dict[str, dict[Any, list[str]]]:
    """For each tracked many-to-many field, the sorted related ids of every record: one query per field."""
    snapshots: dict[str, dict[Any, list[str]]] = {}
    ids = [r.history_id for r in records]
    for m2m in getattr(history_model, "_history_m2m_fields", []):
        through = getattr(history_model, m2m.name).model
        column = f"{get_m2m_reverse_field_name(m2m)}_id"
        sets: dict[Any, set[str]] = defaultdict(set)
        for history_id, related in through.objects.filter(history_id__in=ids).values_list("history_id", column):
            sets[history_id].add(str(related))
        snapshots[m2m.name] = {key: sorted(value) for key, value in sets.items()}
    return snapshots


# --- the diff -----------------------------------------------------------------------------------------
def _model_of(history_model: type[models.Model]) -> type[models.Model]:
    return history_model.instance_type  # type: ignore[attr-defined]


def shown_fields(model: type[models.Model], history_model: type[models.Model], spec: HistorySpec) -> list[str]:
    if spec.fields is not None:
        return list(spec.fields)
    concrete = [f.name for f in model._meta.concrete_fields if f.editable and f.name not in BOOKKEEPING]
    return concrete + [m.name for m in getattr(history_model, "_history_m2m_fields", [])]


def _stored(record: Record, model: type[models.Model], name: str, m2m: Mapping[str, dict[Any, list[str]]]) -> Any:
    if name in m2m:
        return m2m[name].get(record.history_id, [])
    # The stored value (a foreign key's id): not diff_against, which skips non-editable fields such as
    # signed_off_at that an audit trail must show, and fetches related rows one by one.
    stored: Any = model._meta.get_field(name)  # a concrete field: the spec names no reverse relation
    return getattr(record, stored.attname)


@dataclass
class _Raw:
    record: Record
    model: type[models.Model]
    spec: HistorySpec
    compared: bool
    changed: list[tuple[str, Any, Any]]


def _diff(
    history_model: type[models.Model], records: Sequence[Record], before: Mapping[Any, Record], spec: HistorySpec
) -> list[_Raw]:
    model = _model_of(history_model)
    names = shown_fields(model, history_model, spec)
    tracked = {m.name for m in getattr(history_model, "_history_m2m_fields", [])}
    m2m = m2m_snapshots(history_model, [*records, *before.values()]) if tracked & set(names) else {}
    out = []
    for record in records:
        previous = before.get(record.history_id)
        changed = []
        if previous is not None and record.history_type == "~":
            for name in names:
                old, new = _stored(previous, model, name, m2m), _stored(record, model, name, m2m)
                if old != new:
                    changed.append((name, old, new))
        out.append(_Raw(record, model, spec, previous is not None, changed))
    return out


class _Names:
    """The related objects and people the entries mention, fetched once per related model."""

    def __init__(self, raws: Sequence[_Raw]) -> None:
        wanted: dict[type[models.Model], set[Any]] = defaultdict(set)
        self.who: dict[Any, Any] = {}
        for raw in raws:
            for name, old, new in raw.changed:
                related = self._related(raw.model, name)
                if related is not None:
                    values = [*old, *new] if isinstance(old, list) else [old, new]
                    wanted[related].update(v for v in values if v not in (None, ""))
            who = self.who_id(raw)
            if who:
                wanted[get_user_model()].add(who)
        self.objects: dict[type[models.Model], dict[str, Any]] = {
            model: {str(obj.pk): obj for obj in model._default_manager.filter(pk__in=ids)}
            for model, ids in wanted.items()
        }

    @staticmethod
    def _related(model: type[models.Model], name: str) -> type[models.Model] | None:
        f = model._meta.get_field(name)
        related = f.related_model if f.is_relation else None
        return related if isinstance(related, type) else None

    @staticmethod
    def who_id(raw: _Raw) -> Any:
        record = raw.record
        if record.history_user_id:
            return record.history_user_id
        if raw.spec.who is not None:
            return raw.spec.who(record, frozenset(name for name, _, _ in raw.changed))
        return None

    def user(self, pk: Any) -> Any:
        return self.objects.get(get_user_model(), {}).get(str(pk))

    def related(self, model: type[models.Model], name: str, value: Any) -> str:
        related = self._related(model, name)
        assert related is not None
        obj = self.objects.get(related, {}).get(str(value))
        if obj is None:
            return "a former member" if related is get_user_model() else f"a deleted {related._meta.verbose_name}"
        return person_name(obj) if related is get_user_model() else str(obj)


def _text(raw: _Raw, names: _Names, name: str, value: Any) -> str:
    spec, model = raw.spec, raw.model
    if name in spec.display:
        return spec.display[name](value)
    if value is None or value == "" or value == []:
        return EMPTY
    f: Any = model._meta.get_field(name)
    if isinstance(value, list):  # many-to-many
        if not spec.m2m_names:
            return f"{len(value)} linked"
        return "; ".join(sorted(names.related(model, name, v) for v in value))
    if f.is_relation:
        return names.related(model, name, value)
    if getattr(f, "choices", None):
        return str(dict(f.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = str(value.compact()) if hasattr(value, "compact") else " ".join(str(value).split())
    if spec.truncate and len(text) > spec.truncate:
        text = text[: spec.truncate - 1] + "…"
    return text


def _label(raw: _Raw, name: str) -> str:
    if name in raw.spec.labels:
        return raw.spec.labels[name]
    label = str(raw.model._meta.get_field(name).verbose_name)  # type: ignore[union-attr]
    return label.capitalize() if raw.spec.capitalize else label


def _entries(raws: Sequence[_Raw]) -> list[HistoryEntry]:
    names = _Names(raws)
    entries = []
    for raw in raws:
        record, spec = raw.record, raw.spec
        who_id = names.who_id(raw)
        user = names.user(who_id) if who_id else None
        fields = [
            FieldChange(name, _label(raw, name), old, new, _text(raw, names, name, old), _text(raw, names, name, new))
            for name, old, new in raw.changed
        ]
        entries.append(
            HistoryEntry(
                when=record.history_date,
                who_id=who_id,
                who=person_name(user) if user is not None else "a former member" if who_id else "system",
                action=ACTIONS.get(record.history_type, "changed"),
                object_id=str(record.id),
                object_label=spec.object_label(record) if spec.object_label else str(getattr(record, "name", "")),
                object_kind=str(raw.model._meta.verbose_name),
                fields=fields,
                compared=raw.compared,
                record=record,
            )
        )
    return entries


# --- entry points ---------------------------------------------------------------------------------
def entries_for(
    groups: Iterable[tuple[type[models.Model], Sequence[Record], HistorySpec]], *, whole: bool = False
) -> list[HistoryEntry]:
    """Entries for rows of several history models, in the order given per model. `whole`: the rows hold
    each object's entire history (pair them in Python); otherwise the rows before them are fetched."""
    raws: list[_Raw] = []
    for history_model, records, spec in groups:
        before = chained(records) if whole else previous_records(history_model, records)
        raws += _diff(history_model, records, before, spec)
    return _entries(raws)


def object_history(obj: models.Model, spec: HistorySpec | None = None, limit: int = 100) -> list[HistoryEntry]:
    """The latest `limit` saves of one object, newest first."""
    manager: Any = obj.history  # type: ignore[attr-defined]
    records = list(manager.order_by("-history_date", "-history_id")[:limit])
    return entries_for([(manager.model, records, spec or HistorySpec())])


def newest_first(sources: Iterable[tuple[models.QuerySet[Any], HistorySpec]], limit: int) -> list[HistoryEntry]:
    """The newest `limit` saves across several history querysets (e.g. a site and everything in it)."""
    taken: list[tuple[Record, type[models.Model], HistorySpec]] = []
    for queryset, spec in sources:
        rows = queryset.order_by("-history_date", "-history_id")[:limit]
        taken += [(row, queryset.model, spec) for row in rows]
    taken.sort(key=lambda t: t[0].history_date, reverse=True)
    taken = taken[:limit]
    by_model: dict[type[models.Model], tuple[list[Record], HistorySpec]] = {}
    for record, model, spec in taken:
        by_model.setdefault(model, ([], spec))[0].append(record)
    entries = entries_for((model, records, spec) for model, (records, spec) in by_model.items())
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries


def _plain(value: Any) -> Any:
    return str(value) if value is not None and not isinstance(value, bool | int | str) else value


def change_log(history_model: type[models.Model], records: Sequence[Record], spec: HistorySpec) -> list[dict[str, Any]]:
    """The saves of one object (`records`, oldest first), newest first, as the API and the History dialog
    show them: `{"when", "who", "who_id", "kind", "changes": [{"field", "label", "from", "to",
    "from_display", "to_display"}]}`. Saves that changed nothing `spec` shows are left out. One query for
    the people the records mention (a gap result and a component result alike)."""
    entries = entries_for([(history_model, list(records), spec)], whole=True)
    out = [
        {
            "when": e.when,
            "who": e.who if e.who_id else "",
            "who_id": str(e.who_id) if e.who_id else None,
            "kind": "changed" if e.compared else "created",
            "changes": [
                {
                    "field": c.field,
                    "label": c.label,
                    "from": _plain(c.old),
                    "to": _plain(c.new),
                    "from_display": c.old_display,
                    "to_display": c.new_display,
                }
                for c in e.fields
            ],
        }
        for e in entries
        if not e.compared or e.fields
    ]
    out.reverse()
    return out
