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


def _display(model: type[models.Model], name: str, value: Any) -> str:
    model_field = model._meta.get_field(name)
    if value in (None, ""):
        return "—"
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(model_field, models.ForeignKey):
        related = model_field.related_model._default_manager.filter(pk=value).first()
        return str(related) if related else "—"
    return str(value)


def history_entries(records: list) -> list[HistoryEntry]:
    """Entries newest first, from a model's history records in any order."""
    ordered = sorted(records, key=lambda record: (record.history_date, record.history_id))
    entries = []
    for previous, record in zip([None, *ordered], ordered, strict=False):
        model = record.instance_type
        user = record.history_user
        entry = HistoryEntry(
            when=record.history_date,
            who=(user.get_full_name() or user.username) if user else _("the system"),
            kind="created" if previous is None else "changed",
            reason=record.history_change_reason or "",
        )
        if previous is not None:
            delta = record.diff_against(previous, excluded_fields=HIDDEN_FIELDS, foreign_keys_are_objs=False)
            for change in delta.changes:
                if isinstance(model._meta.get_field(change.field), models.ManyToManyField):
                    continue
                entry.changes.append(Change(
                    str(model._meta.get_field(change.field).verbose_name),
                    _display(model, change.field, change.old),
                    _display(model, change.field, change.new),
                ))
            if not entry.changes and not entry.reason:
                continue
        entries.append(entry)
    return list(reversed(entries))


def changes_since(instance: models.Model, version: int) -> list[HistoryEntry]:
    """What others changed in `instance` after the version a form was opened at."""
    records = list(instance.history.filter(version__gte=version).select_related("history_user"))
    return [entry for entry in history_entries(records) if entry.kind == "changed"]
