"""Counts that grow with the whole database, cached until the data they count changes.

At 100,000 commitments the dashboard's, cycles' and desks' counts take seconds to compute, yet
they change only when someone writes. So they are cached under the *data version*: a token in one
database row (`DataVersion`) that is replaced after every committed write to commitments,
updates, sessions, cycles, organisations or memberships. A reader asks for the token (one
indexed query, once per request), and finds the counts cached under it or computes and caches them. Every app
server reads the same row, so none serves counts older than the last write it can see, whatever
cache each one uses; the cache timeout is a bound for writes made outside the ORM.

The token is replaced after the commit (never inside the writing transaction, where the one row
would make every writer wait for every other): a reader between the commit and the new token
may get counts from just before the write, never counts of data that was rolled back.

AGGREGATE_CACHE_SECONDS=0 turns caching off (the test suite does: its transactions never commit,
so the token would never change; the caching itself has its own tests).
"""
from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Hashable
from typing import TypeVar

from asgiref.local import Local
from django.apps import apps
from django.conf import settings
from django.core.cache import caches
from django.core.signals import request_finished, request_started
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

T = TypeVar("T")
VERSION = "data"
# Models no cached count reads, written often enough (a language chosen, a reminder sent, a
# calendar link made) that each write throwing every count away would cost more than it saves.
UNCOUNTED = {"dataversion", "profile", "calendarfeed", "reminder", "snapshot", "exportjob"}


# Within one request the token is read once: a page asks for a dozen cached values, and each would
# otherwise cost a query. Only while a request runs (reset when it starts and ends, and set by a
# change this request commits); commands and the task worker read the row every time.
_request = Local()


def data_version() -> str:
    from tracker.models import DataVersion

    token = getattr(_request, "token", None)
    if token is None:
        token = DataVersion.objects.filter(name=VERSION).values_list("token", flat=True).first() or "initial"
        if getattr(_request, "active", False):
            _request.token = token
    return token


def _request_started(**kwargs) -> None:
    _request.active, _request.token = True, None


def _request_finished(**kwargs) -> None:
    _request.active, _request.token = False, None


def data_changed() -> None:
    """Replace the token: every cached count is recomputed on its next read."""
    from tracker.models import DataVersion

    token = uuid.uuid4().hex
    if not DataVersion.objects.filter(name=VERSION).update(token=token, changed_at=timezone.now()):
        DataVersion.objects.get_or_create(name=VERSION, defaults={"token": token})
    if getattr(_request, "active", False):
        _request.token = token  # the rest of this request reads what it just wrote


def cached(name: str, parts: tuple[Hashable, ...], compute: Callable[[], T]) -> T:
    """`compute()`, cached under the data version, today's date and the active language (counts of
    what is overdue change at midnight; names are given in the reader's language)."""
    seconds = settings.AGGREGATE_CACHE_SECONDS
    if not seconds:
        return compute()
    scope = hashlib.sha1(repr(parts).encode()).hexdigest()  # any parts, as a short key every cache accepts
    key = f"aggregates:{name}:{data_version()}:{timezone.localdate().isoformat()}:{get_language() or ''}:{scope}"
    cache = caches["aggregates"]
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, seconds)
    return value


def cached_html(name: str, parts: tuple[Hashable, ...], template: str, context: Callable[[], dict]) -> SafeString:
    """A template rendered once per data version, date and language (`cached`), for a part of a
    page that reads the same for everyone who may see it. `context` is only called on a miss."""
    return mark_safe(cached(name, parts, lambda: render_to_string(template, context())))


def _on_write(sender, **kwargs) -> None:
    connection = transaction.get_connection()
    # Once per transaction, however many rows it writes (an import writes hundreds). A callback of
    # a savepoint that rolls back is dropped by Django, so the next write registers it again.
    if any(callback is data_changed for _savepoints, callback, _robust in connection.run_on_commit):
        return
    # robust: a failure to replace the token must not turn a committed write into an error page
    transaction.on_commit(data_changed, robust=True)


def connect() -> None:
    """Called once from TrackerConfig.ready. Only the apps' real models that counts read are tracked
    (migrations' historical models are other classes, and the table may not exist yet when they run)."""
    request_started.connect(_request_started, dispatch_uid="aggregates-request-started")
    request_finished.connect(_request_finished, dispatch_uid="aggregates-request-finished")
    for model in [*apps.get_app_config("memoranda").get_models(), *apps.get_app_config("tracker").get_models()]:
        if model._meta.model_name in UNCOUNTED or model._meta.model_name.startswith("historical"):
            continue  # a historical record is written with the row it records
        post_save.connect(_on_write, sender=model, dispatch_uid=f"aggregates-save-{model._meta.label}")
        post_delete.connect(_on_write, sender=model, dispatch_uid=f"aggregates-delete-{model._meta.label}")
        for field in model._meta.local_many_to_many:
            m2m_changed.connect(_on_write, sender=field.remote_field.through, dispatch_uid=f"aggregates-m2m-{field.remote_field.through._meta.label}")
