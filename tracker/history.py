"""Readable change history from django-simple-history: who changed what, when, from what to what."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import models
from django.utils.translation import gettext as _

HIDDEN_FIELDS = {"version", "updated_at", "created_at", "id"}


@dataclass
class Change:
    field: str
    old: str
    new: str


@dataclass
class HistoryEntry:
    when: datetime
    who: str
    kind: str  # created, changed
    reason: str
    changes: list[Change] = field(default_factory=list)


def _display(model: type[models.Model], name: str, value: Any, related: dict) -> str:
    model_field = model._meta.get_field(name)
    if value in (None, ""):
        return "—"
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(model_field, models.ForeignKey):
        found = related.get((model_field.related_model, value))
        return str(found) if found else "—"
    return str(value)


def _related_objects(changes: list[tuple[type[models.Model], Any]]) -> dict:
    """The objects foreign keys in the changes point to, one query per related model."""
    wanted: dict = {}
    for model, change in changes:
        model_field = model._meta.get_field(change.field)
        if isinstance(model_field, models.ForeignKey):
            wanted.setdefault(model_field.related_model, set()).update(v for v in (change.old, change.new) if v not in (None, ""))
    return {(related, obj.pk): obj for related, pks in wanted.items() for obj in related._default_manager.filter(pk__in=pks)}


def history_entries(records: list) -> list[HistoryEntry]:
    """Entries newest first, from a model's history records in any order."""
    ordered = sorted(records, key=lambda record: (record.history_date, record.history_id))
    diffs = []
    for previous, record in zip([None, *ordered], ordered, strict=False):
        model = record.instance_type
        # Many-to-many history would cost queries per record; the supporting organisations'
        # changes are not listed (the current ones are on the page).
        m2m = [f.name for f in model._meta.many_to_many]
        delta = record.diff_against(previous, excluded_fields=HIDDEN_FIELDS | set(m2m), foreign_keys_are_objs=False) if previous else None
        diffs.append((previous, record, model, delta.changes if delta else []))
    related = _related_objects([(model, change) for _, _, model, changes in diffs for change in changes])
    entries = []
    for previous, record, model, changes in diffs:
        user = record.history_user
        entry = HistoryEntry(
            when=record.history_date,
            who=(user.get_full_name() or user.username) if user else _("the system"),
            kind="created" if previous is None else "changed",
            reason=record.history_change_reason or "",
            changes=[
                Change(str(model._meta.get_field(c.field).verbose_name), _display(model, c.field, c.old, related), _display(model, c.field, c.new, related))
                for c in changes
            ],
        )
        if previous is not None and not entry.changes and not entry.reason:
            continue
        entries.append(entry)
    return list(reversed(entries))


def changes_since(instance: models.Model, version: int) -> list[HistoryEntry]:
    """What others changed in `instance` after the version a form was opened at."""
    records = list(instance.history.filter(version__gte=version).select_related("history_user"))
    return [entry for entry in history_entries(records) if entry.kind == "changed"]
