"""Archive, never delete: what an administrator does instead of deleting a commitment, a progress
update or a piece of evidence.

- Archiving hides the row from every page, list, export, report and count (their default managers
  leave archived rows out, `memoranda.models.WithoutArchivedManager`) and changes nothing else: its
  relations (parties, owners, milestones, updates, evidence) stay as they are, so restoring it
  brings it back whole.
- Archiving a commitment archives its updates and their evidence with it, at the same moment, so
  that nothing of it shows anywhere (no review queue, no cycle, no count); restoring it brings back
  exactly those, not an update archived on its own before. The same holds for an update and its
  evidence. Something archived with its commitment (or update) comes back with it, not alone.
- An archived piece of evidence keeps its file until an administrator purges it: the file and the
  row go together, or neither does.

Each service is one transaction, asks `tracker.access` (only administrators archive, restore and
purge), and records who did it: in the row (`archived_by`), in its change history and in Django's
action log (the admin's "History", and the audit log).
"""
from __future__ import annotations

import datetime

from django.contrib.admin.models import CHANGE, DELETION, LogEntry
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from memoranda.models import Archivable, Commitment
from tracker import access
from tracker.models import Evidence, ProgressUpdate

# What the history and the action log say; stored in English, translated on display.
ARCHIVED = gettext_noop("Archived")
RESTORED = gettext_noop("Restored")
PURGED = gettext_noop("Purged: the file and the row removed")


def _mark(rows: list[Archivable], *, at: datetime.datetime | None, by: AbstractBaseUser, reason: str) -> None:
    """Archive (`at` a moment) or restore (`at` None) each row, recording who and why."""
    for row in rows:
        row.archived_at, row.archived_by = at, (by if at else None)
        row._history_user = by  # read by django-simple-history (commitments and updates have a history)
        row._change_reason = reason
        row.save(update_fields=["archived_at", "archived_by"])
    LogEntry.objects.log_actions(user_id=by.pk, queryset=rows, action_flag=CHANGE, change_message=reason)


def _locked(model: type[Model], pk: int):
    return model.all_objects.select_for_update().get(pk=pk)


@transaction.atomic
def commitment_archive(*, commitment: Commitment, by: AbstractBaseUser) -> Commitment:
    """Archive a commitment, with its progress updates and their evidence."""
    access.require(by, "archive", commitment)
    commitment = _locked(Commitment, commitment.pk)
    if commitment.is_archived:
        return commitment
    at = timezone.now()
    updates = list(ProgressUpdate.objects.filter(commitment=commitment))
    _mark([commitment], at=at, by=by, reason=ARCHIVED)
    _mark(updates, at=at, by=by, reason=ARCHIVED)
    _mark(list(Evidence.objects.filter(update__in=updates)), at=at, by=by, reason=ARCHIVED)
    return commitment


@transaction.atomic
def commitment_restore(*, commitment: Commitment, by: AbstractBaseUser) -> Commitment:
    """Bring back an archived commitment, with the updates and evidence archived with it."""
    access.require(by, "restore", commitment)
    commitment = _locked(Commitment, commitment.pk)
    if not commitment.is_archived:
        return commitment
    updates = list(ProgressUpdate.all_objects.filter(commitment=commitment, archived_at=commitment.archived_at))
    evidence = list(Evidence.all_objects.filter(update__in=updates, archived_at=commitment.archived_at))
    _mark([commitment], at=None, by=by, reason=RESTORED)
    _mark(updates, at=None, by=by, reason=RESTORED)
    _mark(evidence, at=None, by=by, reason=RESTORED)
    return commitment


@transaction.atomic
def update_archive(*, update: ProgressUpdate, by: AbstractBaseUser) -> ProgressUpdate:
    """Archive a progress update, with its evidence."""
    access.require(by, "archive", update)
    update = _locked(ProgressUpdate, update.pk)
    if update.is_archived:
        return update
    at = timezone.now()
    _mark([update], at=at, by=by, reason=ARCHIVED)
    _mark(list(Evidence.objects.filter(update=update)), at=at, by=by, reason=ARCHIVED)
    return update


@transaction.atomic
def update_restore(*, update: ProgressUpdate, by: AbstractBaseUser) -> ProgressUpdate:
    """Bring back an archived progress update, with the evidence archived with it. An update
    archived with its commitment comes back with the commitment, not alone."""
    access.require(by, "restore", update)
    update = _locked(ProgressUpdate, update.pk)
    if not update.is_archived:
        return update
    if Commitment.all_objects.filter(pk=update.commitment_id, archived_at__isnull=False).exists():
        raise ValidationError(
            _("%(ref)s is archived: restore the commitment, and this update comes back with it.") % {"ref": update.commitment.ref},
            code="parent_archived",
        )
    evidence = list(Evidence.all_objects.filter(update=update, archived_at=update.archived_at))
    _mark([update], at=None, by=by, reason=RESTORED)
    _mark(evidence, at=None, by=by, reason=RESTORED)
    return update


@transaction.atomic
def evidence_archive(*, evidence: Evidence, by: AbstractBaseUser) -> Evidence:
    access.require(by, "archive", evidence)
    evidence = _locked(Evidence, evidence.pk)
    if not evidence.is_archived:
        _mark([evidence], at=timezone.now(), by=by, reason=ARCHIVED)
    return evidence


@transaction.atomic
def evidence_restore(*, evidence: Evidence, by: AbstractBaseUser) -> Evidence:
    """Bring back archived evidence. Evidence archived with its update comes back with the update."""
    access.require(by, "restore", evidence)
    evidence = _locked(Evidence, evidence.pk)
    if not evidence.is_archived:
        return evidence
    if ProgressUpdate.all_objects.filter(pk=evidence.update_id, archived_at__isnull=False).exists():
        raise ValidationError(
            _("Its progress update is archived: restore the update, and this evidence comes back with it."), code="parent_archived"
        )
    _mark([evidence], at=None, by=by, reason=RESTORED)
    return evidence


@transaction.atomic
def evidence_purge(*, evidence: Evidence, by: AbstractBaseUser) -> None:
    """Remove an archived piece of evidence for good: its file and its row, together.

    The row is deleted first, inside the transaction, then the file: if the file cannot be
    removed, the error undoes the row's deletion, so there is never a row whose file is gone nor
    (the row's deletion having succeeded before the file is touched) a file left with no row."""
    access.require(by, "purge", evidence)
    evidence = _locked(Evidence, evidence.pk)
    if not evidence.is_archived:
        raise ValidationError(_("Only archived evidence can be purged: archive it first."), code="not_archived")
    LogEntry.objects.log_actions(user_id=by.pk, queryset=[evidence], action_flag=DELETION, change_message=PURGED)
    name, storage = evidence.file.name, evidence.file.storage
    evidence.delete()
    if name:
        storage.delete(name)
