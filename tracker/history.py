"""Readable change history from django-simple-history: who changed what, when, from what to what.

Each entry is the difference between two consecutive historical records, the tracked
many-to-many fields (a commitment's supporting organisations) included, in the reader's language:
field names, status labels, dates and the recorded reasons are all shown translated. Reasons are
stored in English (a stable key such as "Accepted progress update #6") and translated here.
"""
from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from memoranda.formatting import session_short_title

HIDDEN_FIELDS = {"version", "updated_at", "created_at", "id"}

# Records of one version, by one person with one reason, this close together are one change:
# databases written before changes were recorded once hold a second record of the same version
# for the supporting organisations set after the save.
SAME_CHANGE_WITHIN = datetime.timedelta(seconds=5)

# The reasons services record, as stored (English), and as shown. Unknown reasons are shown as stored.
REASONS: list[tuple[re.Pattern[str], Promise]] = [
    (re.compile(r"Accepted progress update #(?P<id>\d+)"), gettext_lazy("Accepted progress update #%(id)s")),
    (re.compile(r"Loaded from the memorandum"), gettext_lazy("Loaded from the memorandum")),
    (re.compile(r"Loaded from the (?P<session>\d+)\w* plenary fixture"), gettext_lazy("Loaded from the bundled data of the %(session)s")),
    (re.compile(r"Chinese text added from the Chinese memorandum"), gettext_lazy("Chinese text added from the Chinese memorandum")),
    (re.compile(r"English text added from the English source"), gettext_lazy("English text added from the English source")),
    (re.compile(r"Owners and due date set"), gettext_lazy("Owners and due date set")),
    (re.compile(r"Imported from a spreadsheet"), gettext_lazy("Imported from a spreadsheet")),
    (re.compile(r"Carried forward by (?P<ref>\S+)"), gettext_lazy("Carried forward: %(ref)s continues it")),
    (re.compile(r"Carrying forward undone"), gettext_lazy("Carrying forward undone")),
]


def reason_label(reason: str) -> str:
    """A recorded reason in the reader's language."""
    for pattern, message in REASONS:
        found = pattern.fullmatch(reason.strip())
        if found:
            values = found.groupdict()
            if "session" in values:  # "4th" is English: the session is named in the reader's language
                values["session"] = session_short_title(int(values["session"]))
            return str(message) % values if values else str(message)
    return reason


@dataclass
class Change:
    field: str  # the field's verbose name, in the reader's language
    old: str
    new: str
    added: list[str] = field(default_factory=list)  # many-to-many: what was added and removed
    removed: list[str] = field(default_factory=list)


@dataclass
class HistoryEntry:
    when: datetime.datetime
    who: str
    kind: str  # created, changed
    reason: str
    changes: list[Change] = field(default_factory=list)


def _label(obj: Any) -> str:
    if obj is None:
        return _("none")
    if getattr(obj, "ref", None):  # a commitment: its reference says which one
        return obj.ref
    if hasattr(obj, "get_full_name"):
        return obj.get_full_name() or obj.get_username()
    return str(obj)


def _display(model_field: models.Field, value: Any, related: dict) -> str:
    if value in (None, ""):
        return _("none")
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(model_field, models.ForeignKey):
        return _label(related.get((model_field.related_model, value)))
    if isinstance(model_field, models.BooleanField):
        return _("yes") if value else _("no")
    if isinstance(model_field, models.DateTimeField) and isinstance(value, datetime.datetime):
        return date_format(timezone.localtime(value) if timezone.is_aware(value) else value, "DATETIME_FORMAT")
    if isinstance(model_field, models.DateField) and isinstance(value, datetime.date):
        return date_format(value, "DATE_FORMAT")
    return Truncator(str(value)).chars(120)


def _group(ordered: list) -> list[list]:
    """Consecutive records that are one change (see SAME_CHANGE_WITHIN), oldest first."""
    groups: list[list] = []
    for record in ordered:
        if groups:
            last = groups[-1][-1]
            if (
                getattr(record, "version", None) == getattr(last, "version", None)
                and record.history_user_id == last.history_user_id
                and (record.history_change_reason or "") == (last.history_change_reason or "")
                and record.history_date - last.history_date <= SAME_CHANGE_WITHIN
            ):
                groups[-1].append(record)
                continue
        groups.append([record])
    return groups


def _m2m_members(records: list) -> dict[tuple[int, str], frozenset]:
    """(history id, field name) → the primary keys the tracked many-to-many field held, one query per field."""
    if not records:
        return {}
    history_model = type(records[0])
    members: dict[tuple[int, str], set] = {(record.history_id, f.name): set() for record in records for f in history_model._history_m2m_fields}
    for m2m_field in history_model._history_m2m_fields:
        rows = getattr(history_model, m2m_field.name).model.objects.filter(history_id__in=[r.history_id for r in records])
        for history_id, pk in rows.values_list("history_id", f"{m2m_field.m2m_reverse_field_name()}_id"):
            members[(history_id, m2m_field.name)].add(pk)
    return {key: frozenset(value) for key, value in members.items()}


def _field_changes(model: type[models.Model], before, after) -> list[tuple[models.Field, Any, Any]]:
    delta = after.diff_against(before, excluded_fields=HIDDEN_FIELDS | {f.name for f in type(after)._history_m2m_fields}, foreign_keys_are_objs=False)
    return [(model._meta.get_field(change.field), change.old, change.new) for change in delta.changes]


def history_entries(records: list) -> list[HistoryEntry]:
    """Entries newest first, from one object's history records in any order: one per change."""
    ordered = sorted(records, key=lambda record: (record.history_date, record.history_id))
    if not ordered:
        return []
    model = ordered[0].instance_type
    m2m_fields = list(type(ordered[0])._history_m2m_fields)
    members = _m2m_members(ordered)
    groups = _group(ordered)

    raw = []  # (group, [(field, old, new)], [(many-to-many field, old pks, new pks)])
    for previous, group in zip([None, *groups], groups, strict=False):
        before, after = (previous[-1] if previous else None), group[-1]
        if before is None:
            raw.append((group, [], []))
            continue
        sets = []
        for m2m_field in m2m_fields:
            old, new = members[(before.history_id, m2m_field.name)], members[(after.history_id, m2m_field.name)]
            if old != new:
                sets.append((m2m_field, old, new))
        raw.append((group, _field_changes(model, before, after), sets))

    wanted: dict[type[models.Model], set] = {}
    for _records, changes, sets in raw:
        for model_field, old, new in changes:
            if isinstance(model_field, models.ForeignKey):
                wanted.setdefault(model_field.related_model, set()).update(v for v in (old, new) if v not in (None, ""))
        for m2m_field, old, new in sets:
            wanted.setdefault(m2m_field.related_model, set()).update(old | new)
    related = {(kind, obj.pk): obj for kind, pks in wanted.items() for obj in kind._default_manager.filter(pk__in=pks)}

    entries = []
    for index, (group, changes, sets) in enumerate(raw):
        listed = [Change(str(f.verbose_name), _display(f, old, related), _display(f, new, related)) for f, old, new in changes]
        for m2m_field, old, new in sets:
            listed.append(Change(
                str(m2m_field.verbose_name),
                ", ".join(_names(old, m2m_field, related)) or _("none"), ", ".join(_names(new, m2m_field, related)) or _("none"),
                added=_names(new - old, m2m_field, related), removed=_names(old - new, m2m_field, related),
            ))
        listed.sort(key=lambda change: change.field)
        first = group[0]
        user = first.history_user
        reason = first.history_change_reason or ""
        entry = HistoryEntry(
            when=group[-1].history_date,
            who=_label(user) if user else _("the system"),
            kind="created" if index == 0 else "changed",
            reason=reason_label(reason) if reason else "",
            changes=listed,
        )
        if entry.kind == "changed" and not entry.changes and not entry.reason:
            continue
        entries.append(entry)
    return list(reversed(entries))


def _names(pks, m2m_field: models.ManyToManyField, related: dict) -> list[str]:
    return sorted(_label(related.get((m2m_field.related_model, pk))) for pk in pks)


def changes_since(instance: models.Model, version: int) -> list[HistoryEntry]:
    """What others changed in `instance` after the version a form was opened at."""
    records = list(instance.history.filter(version__gte=version).select_related("history_user"))
    return [entry for entry in history_entries(records) if entry.kind == "changed"]
