"""Files chosen on a form that came back with an error are kept, so nobody loses their evidence.

A browser cannot re-fill a file input, so the files of a refused form are stored server-side (in a
folder of their own under the media storage, never served), remembered in the person's session
under the form they belong to, listed on the form with a remove box, and attached when the form is
finally saved. Files left behind by abandoned forms are removed after a day.
"""
from __future__ import annotations

import datetime
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from django.core.files import File
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest
from django.utils import timezone

SESSION_KEY = "pending_evidence"
FOLDER = "pending"
KEPT_FOR = datetime.timedelta(days=1)


@dataclass
class KeptFile:
    id: str
    name: str
    size: int


def _entries(request: HttpRequest, form_key: str) -> list[dict]:
    return request.session.get(SESSION_KEY, {}).get(form_key, [])


def _save_entries(request: HttpRequest, form_key: str, entries: list[dict]) -> None:
    store = request.session.setdefault(SESSION_KEY, {})
    if entries:
        store[form_key] = entries
    else:
        store.pop(form_key, None)
    request.session.modified = True


def kept(request: HttpRequest, form_key: str) -> list[KeptFile]:
    """The files kept for this form, to list on it."""
    return [KeptFile(entry["id"], entry["name"], entry["size"]) for entry in _entries(request, form_key)]


def keep(request: HttpRequest, form_key: str, uploads: list[UploadedFile]) -> None:
    """Store files that passed their own checks, for a form that was refused for another reason."""
    _purge_abandoned(request)
    entries = _entries(request, form_key)
    for upload in uploads:
        upload.seek(0)  # a refused save may have read it already
        file_id = secrets.token_urlsafe(12)
        # Stored under its id and plain extension only (the name is kept in the session): a name of
        # any length, script or character would otherwise be more than the file system takes.
        suffix = Path(upload.name).suffix
        path = default_storage.save(f"{FOLDER}/{file_id}{suffix if re.fullmatch(r'\.[A-Za-z0-9]{1,8}', suffix) else ''}", upload)
        entries.append({"id": file_id, "name": upload.name, "size": upload.size, "path": path, "kept_at": timezone.now().isoformat()})
    _save_entries(request, form_key, entries)


def discard(request: HttpRequest, form_key: str, file_ids: list[str]) -> None:
    """Remove the kept files the person ticked off."""
    entries = _entries(request, form_key)
    for entry in entries:
        if entry["id"] in file_ids:
            default_storage.delete(entry["path"])
    _save_entries(request, form_key, [entry for entry in entries if entry["id"] not in file_ids])


def files(request: HttpRequest, form_key: str) -> list[File]:
    """The kept files, open, to attach as evidence (with their original names)."""
    return [
        File(default_storage.open(entry["path"], "rb"), name=entry["name"])
        for entry in _entries(request, form_key)
        if default_storage.exists(entry["path"])
    ]


def clear(request: HttpRequest, form_key: str) -> None:
    """Once the form is saved (the files are now evidence), forget and delete the kept copies."""
    discard(request, form_key, [entry["id"] for entry in _entries(request, form_key)])


def _purge_abandoned(request: HttpRequest) -> None:
    limit = timezone.now() - KEPT_FOR
    for form_key in list(request.session.get(SESSION_KEY, {})):
        old = [entry["id"] for entry in _entries(request, form_key) if datetime.datetime.fromisoformat(entry["kept_at"]) < limit]
        if old:
            discard(request, form_key, old)
