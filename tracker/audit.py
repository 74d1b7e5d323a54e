"""The audit log: who changed what, and when, from every record the product already keeps.

Sources, merged newest first:

- django-simple-history: every model with `history = HistoricalRecords` (commitments, milestones,
  progress updates, …): created, changed (field: old → new), archived, restored, deleted;
- Django's admin log (`LogEntry`): what was done in the admin, and what services record there
  (a reporting cycle closed or reopened);
- django-axes, when installed: sign-ins, sign-outs, failed sign-ins and lockouts, with the address.

Each source is one query ordered by time and limited to the date range; `heapq.merge` interleaves
them on (time, primary key) only, and the rows are then read and described a chunk at a time with a
fixed number of queries per chunk and source, never one per row. So a page costs the same whether
the range holds ten changes or a million, and an export streams.
"""
from __future__ import annotations

import datetime
import heapq
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Any

from django.apps import apps
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import F, QuerySet, Window
from django.db.models.functions import Lag
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import get_history_model_for_model

# The descriptions of values and reasons are the ones the change history on the pages shows.
from tracker.archive import ARCHIVED, RESTORED
from tracker.history import HIDDEN_FIELDS, _display, _m2m_members, _names, reason_label

SIGN_IN = "signin"  # the object type of sign-in events
CHUNK = 500  # rows read and described together in an export
VALUE_LENGTH = 60  # characters of an old or new value: the log says what changed, the page shows it all

COLUMNS = ["when", "username", "name", "action", "object_type", "object", "changes", "address"]
HEADINGS = {
    "when": gettext_lazy("When"),
    "username": gettext_lazy("User"),
    "name": gettext_lazy("Name"),
    "action": gettext_lazy("Action"),
    "object_type": gettext_lazy("Type"),
    "object": gettext_lazy("Object"),
    "changes": gettext_lazy("What changed"),
    "address": gettext_lazy("Address"),
}
WIDTHS = {"when": 20, "username": 16, "name": 22, "action": 14, "object_type": 18, "object": 28, "changes": 70, "address": 16}


@dataclass(frozen=True)
class AuditQuery:
    """What to show: [start, end) in time, optionally one user (by username) and one object type
    (`app_label.model`, or SIGN_IN)."""

    start: datetime.datetime
    end: datetime.datetime
    username: str = ""
    object_type: str = ""


@dataclass(frozen=True)
class AuditRow:
    when: datetime.datetime
    username: str
    name: str
    action: str
    object_type: str
    object: str
    changes: str
    address: str = ""

    @property
    def local_when(self) -> str:
        """The time in the site's time zone, ISO-like (sorts as text, reads the same in every language)."""
        return timezone.localtime(self.when, timezone.get_default_timezone()).strftime("%Y-%m-%d %H:%M:%S")

    @property
    def who(self) -> str:
        if self.username and self.name and self.name != self.username:
            return f"{self.username} ({self.name})"
        return self.username or self.name

    def as_export(self) -> dict[str, Any]:
        return {column: getattr(self, column) for column in COLUMNS} | {"when": self.local_when}


def _full_name(user) -> str:
    return (user.get_full_name() or "") if user is not None else ""


def _short(text: str) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= VALUE_LENGTH else text[: VALUE_LENGTH - 1] + "…"


class Source:
    """One kind of record. `keys` answers (time, primary key) newest first; `rows` describes the
    records with those keys in a fixed number of queries."""

    type_keys: frozenset[str] | None = None  # the object types it can hold (None: any)

    def wanted(self, query: AuditQuery) -> bool:
        return not query.object_type or self.type_keys is None or query.object_type in self.type_keys

    def keys(self, query: AuditQuery) -> QuerySet:
        raise NotImplementedError

    def rows(self, pks: list) -> dict[Any, AuditRow]:
        raise NotImplementedError


class HistorySource(Source):
    """The historical records of one model (django-simple-history)."""

    def __init__(self, model: type[models.Model]):
        self.model = model
        self.history = get_history_model_for_model(model)
        self.type_keys = frozenset({model._meta.label_lower})
        self.pk_name = model._meta.pk.attname
        self.m2m_fields = list(self.history._history_m2m_fields)
        # The fields compared, those no form edits included (who archived a row, and when):
        # simple_history's diff_against leaves out fields that are not editable.
        self.fields = [f for f in self.history.tracked_fields if f.name not in HIDDEN_FIELDS]
        # An update or a milestone is named by its commitment's reference.
        commitment = next((f for f in model._meta.fields if f.name == "commitment" and isinstance(f, models.ForeignKey)), None)
        self.commitment_model = commitment.related_model if commitment else None

    def keys(self, query: AuditQuery) -> QuerySet:
        records = self.history._default_manager.filter(history_date__gte=query.start, history_date__lt=query.end)
        if query.username:
            records = records.filter(history_user__username__iexact=query.username)
        return records.order_by("-history_date", "-history_id").values_list("history_date", "history_id")

    def rows(self, pks: list) -> dict[Any, AuditRow]:
        manager = self.history._default_manager
        records = list(manager.filter(history_id__in=pks).select_related("history_user"))
        if not records:
            return {}
        # The record before each one, numbered by the database along each object's history (one
        # query for the chunk, however long the histories are), then read in one more.
        wanted_ids = set(pks)
        before = manager.filter(
            **{f"{self.pk_name}__in": {getattr(r, self.pk_name) for r in records}},
            history_date__lte=max(r.history_date for r in records),
        ).annotate(
            audit_previous_id=Window(Lag("history_id"), partition_by=[F(self.pk_name)], order_by=[F("history_date").asc(), F("history_id").asc()]),
        ).values_list("history_id", "audit_previous_id")
        previous_ids = {history_id: previous_id for history_id, previous_id in before if history_id in wanted_ids}
        previous = manager.in_bulk([p for p in previous_ids.values() if p is not None])
        members = _m2m_members(records + list(previous.values())) if self.m2m_fields else {}

        deltas = {}  # history id → [(field, old, new)], many-to-many fields as sets of primary keys
        wanted: dict[type[models.Model], set] = {}  # related objects to name, per model
        for record in records:
            earlier = previous.get(previous_ids.get(record.history_id))
            if record.history_type != "~" or earlier is None:
                deltas[record.history_id] = []
                continue
            changes = [
                (model_field, getattr(earlier, model_field.attname), getattr(record, model_field.attname))
                for model_field in self.fields
                if getattr(earlier, model_field.attname) != getattr(record, model_field.attname)
            ]
            for model_field, old, new in changes:
                if isinstance(model_field, models.ForeignKey):
                    wanted.setdefault(model_field.related_model, set()).update(v for v in (old, new) if v not in (None, ""))
            for m2m_field in self.m2m_fields:
                old = members[(earlier.history_id, m2m_field.name)]
                new = members[(record.history_id, m2m_field.name)]
                if old != new:
                    changes.append((m2m_field, old, new))
                    wanted.setdefault(m2m_field.related_model, set()).update(old | new)
            deltas[record.history_id] = changes
        if self.commitment_model is not None:
            wanted.setdefault(self.commitment_model, set()).update(r.commitment_id for r in records if r.commitment_id)
        # The base manager: an archived commitment is still named by its reference.
        related = {(kind, obj.pk): obj for kind, pks_ in wanted.items() for obj in kind._base_manager.filter(pk__in=pks_)}

        type_label = capfirst(str(self.model._meta.verbose_name))
        labels: dict[str, str] = {}  # field names in the reader's language, translated once a chunk
        result = {}
        for record in records:
            changes = deltas[record.history_id]
            for model_field, _old, _new in changes:
                if model_field.name not in labels:
                    labels[model_field.name] = capfirst(str(model_field.verbose_name))
            described = []
            for model_field, old, new in sorted(changes, key=lambda change: labels[change[0].name]):
                if isinstance(model_field, models.ManyToManyField):
                    old_text = ", ".join(_names(old, model_field, related)) or _("none")
                    new_text = ", ".join(_names(new, model_field, related)) or _("none")
                else:
                    old_text, new_text = _display(model_field, old, related), _display(model_field, new, related)
                described.append(f"{labels[model_field.name]}: {_short(old_text)} → {_short(new_text)}")
            reason = record.history_change_reason or ""
            if reason:  # a reason tracker.history does not know is shown translated if it can be
                label = reason_label(reason)
                described.insert(0, _(label) if label == reason else label)
            user = record.history_user
            result[record.history_id] = AuditRow(
                when=record.history_date,
                username=user.get_username() if user else "",
                name=_full_name(user) if user else _("the system"),
                action=self._action(record.history_type, changes),
                object_type=type_label,
                object=self._object(record, related),
                changes="; ".join(described),
            )
        return result

    def _object(self, record, related: dict) -> str:
        if getattr(record, "ref", None):
            return record.ref
        title = getattr(record, "title", "") or getattr(record, "title_zh", "")
        label = _short(title) if title else f"#{getattr(record, self.pk_name)}"
        if self.commitment_model is not None:
            commitment = related.get((self.commitment_model, record.commitment_id))
            if commitment is not None:
                return f"{commitment.ref}: {label}"
        return label

    @staticmethod
    def _action(history_type: str, changes: list) -> str:
        if history_type == "+":
            return _("created")
        if history_type == "-":
            return _("deleted")
        # Archiving is a change of an "archived…" field: say which way it went.
        for model_field, old, new in changes:
            if "archived" in model_field.name and bool(old) != bool(new):
                return _("archived") if new else _("restored")
        return _("changed")


class AdminLogSource(Source):
    """Django's admin log: changes made in the admin, and what services record there."""

    ACTIONS = {ADDITION: gettext_lazy("created"), CHANGE: gettext_lazy("changed"), DELETION: gettext_lazy("deleted")}
    # Archiving and restoring are changes to the admin's log; the message (tracker.archive) says which.
    MESSAGES = {ARCHIVED: gettext_lazy("archived"), RESTORED: gettext_lazy("restored")}

    def wanted(self, query: AuditQuery) -> bool:
        return query.object_type != SIGN_IN

    def keys(self, query: AuditQuery) -> QuerySet:
        entries = LogEntry.objects.filter(action_time__gte=query.start, action_time__lt=query.end)
        if query.username:
            entries = entries.filter(user__username__iexact=query.username)
        if query.object_type:
            app_label, _dot, model = query.object_type.partition(".")
            entries = entries.filter(content_type__app_label=app_label, content_type__model=model)
        return entries.order_by("-action_time", "-pk").values_list("action_time", "pk")

    def rows(self, pks: list) -> dict[Any, AuditRow]:
        result = {}
        for entry in LogEntry.objects.filter(pk__in=pks).select_related("user", "content_type"):
            model = entry.content_type.model_class() if entry.content_type else None
            result[entry.pk] = AuditRow(
                when=entry.action_time,
                username=entry.user.get_username(),
                name=_full_name(entry.user),
                action=str(self.MESSAGES.get(entry.change_message) or self.ACTIONS.get(entry.action_flag, _("changed"))),
                object_type=capfirst(str(model._meta.verbose_name)) if model else (entry.content_type.model if entry.content_type else ""),
                object=entry.object_repr,
                # Services store a plain English message ("Closed the cycle"); the admin's own are translated by Django.
                changes=_(entry.get_change_message()),
            )
        return result


class SignInSource(Source):
    """django-axes' records of sign-ins (and, by their logout time, sign-outs) or of failures."""

    type_keys = frozenset({SIGN_IN})

    def __init__(self, model: type[models.Model], time_field: str, describe):
        self.model, self.time_field, self.describe = model, time_field, describe

    def keys(self, query: AuditQuery) -> QuerySet:
        records = self.model._default_manager.filter(**{f"{self.time_field}__gte": query.start, f"{self.time_field}__lt": query.end})
        if query.username:
            records = records.filter(username__iexact=query.username)
        return records.order_by(f"-{self.time_field}", "-pk").values_list(self.time_field, "pk")

    def rows(self, pks: list) -> dict[Any, AuditRow]:
        records = list(self.model._default_manager.filter(pk__in=pks))
        User = get_user_model()
        names = {
            user.get_username(): _full_name(user)
            for user in User._default_manager.filter(**{f"{User.USERNAME_FIELD}__in": {r.username for r in records if r.username}})
        }
        return {
            record.pk: AuditRow(
                when=getattr(record, self.time_field),
                username=record.username or "",
                name=names.get(record.username, ""),
                action=self.describe(record),
                object_type=_("Sign-in"),
                object="",
                changes="",
                address=record.ip_address or "",
            )
            for record in records
        }


def sources() -> list[Source]:
    """Every source this installation has: sign-in records only where django-axes is installed."""
    found: list[Source] = [
        HistorySource(model) for model in apps.get_models() if hasattr(model._meta, "simple_history_manager_attribute")
    ]
    found.append(AdminLogSource())
    if apps.is_installed("axes"):
        from axes.models import AccessFailureLog, AccessLog

        found += [
            SignInSource(AccessLog, "attempt_time", lambda record: _("signed in")),
            SignInSource(AccessLog, "logout_time", lambda record: _("signed out")),
            SignInSource(AccessFailureLog, "attempt_time", lambda record: _("locked out") if record.locked_out else _("sign-in failed")),
        ]
    return found


def object_types() -> list[tuple[str, str]]:
    """The object types to filter by, (key, label) in the reader's language: the models with a
    history, those the admin log mentions, and sign-ins."""
    labels = {
        model._meta.label_lower: capfirst(str(model._meta.verbose_name))
        for model in apps.get_models() if hasattr(model._meta, "simple_history_manager_attribute")
    }
    for content_type in ContentType.objects.filter(pk__in=LogEntry.objects.values("content_type_id")):
        model = content_type.model_class()
        if model is not None:
            labels.setdefault(model._meta.label_lower, capfirst(str(model._meta.verbose_name)))
    if apps.is_installed("axes"):
        labels[SIGN_IN] = _("Sign-in")
    return sorted(labels.items(), key=lambda item: item[1].lower())


class AuditLog:
    """The rows of a query, newest first. Sliceable and countable, so Django's Paginator pages it;
    iterating it streams every row in chunks (for the exports)."""

    def __init__(self, query: AuditQuery):
        self.query = query
        self.sources = [source for source in sources() if source.wanted(query)]

    def count(self) -> int:
        return sum(source.keys(self.query).count() for source in self.sources)

    def _merged(self, limit: int | None = None) -> Iterator[tuple[datetime.datetime, int, Any]]:
        """(time, source index, primary key), newest first. With a limit, each source reads no more
        than that many keys (a page needs no more); without, each is read in chunks as merged."""
        streams = []
        for index, source in enumerate(self.sources):
            keys = source.keys(self.query)
            keys = keys[:limit] if limit is not None else keys.iterator(chunk_size=2000)
            streams.append(_tagged(keys, index))
        return heapq.merge(*streams, key=lambda key: key[0], reverse=True)

    def _described(self, keys: list[tuple[datetime.datetime, int, Any]]) -> list[AuditRow]:
        by_source: dict[int, list] = {}
        for _when, index, pk in keys:
            by_source.setdefault(index, []).append(pk)
        described = {index: self.sources[index].rows(pks) for index, pks in by_source.items()}
        # A record deleted since its key was read is left out rather than failing the page.
        return [described[index][pk] for _when, index, pk in keys if pk in described[index]]

    def __getitem__(self, window: slice) -> list[AuditRow]:
        if not isinstance(window, slice) or window.step is not None:
            raise TypeError("The audit log is read by pages: log[start:stop]")
        start, stop = window.start or 0, window.stop
        return self._described(list(islice(self._merged(limit=stop), start, stop)))

    def __iter__(self) -> Iterator[AuditRow]:
        merged = self._merged()
        while chunk := list(islice(merged, CHUNK)):
            yield from self._described(chunk)


def _tagged(keys: Iterable[tuple[datetime.datetime, Any]], index: int) -> Iterator[tuple[datetime.datetime, int, Any]]:
    # A function, not a generator expression in the loop: each stream keeps its own source index.
    for when, pk in keys:
        yield when, index, pk


def export_rows(log: Iterable[AuditRow]) -> Iterator[dict[str, Any]]:
    """Rows for `tracker.exports.csv_response` and `xlsx_response`."""
    for row in log:
        yield row.as_export()


def headings() -> list[str]:
    return [capfirst(str(HEADINGS[column])) for column in COLUMNS]
