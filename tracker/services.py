"""Every write that spans models. Each is one transaction, validates, and records who did it.

Accepting an update is the only way a commitment's status and progress change outside the admin.
Permission checks happen before these are called (views go through `tracker.selectors`); these
functions guard the workflow itself: which state may follow which, and stale edits.
"""
from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from memoranda.models import Commitment, Organisation, Status
from tracker.models import ProgressUpdate, ReportingCycle, UpdateState


class StaleEdit(ValidationError):
    """Someone else saved first; the form was filled in against an older version."""


def _check_version(*, current: int, expected: int | None, what: str) -> None:
    if expected is not None and current != expected:
        raise StaleEdit(
            _("This %(what)s was changed by someone else after you opened it. Reload it to see their changes.")
            % {"what": what},
            code="stale",
        )


@transaction.atomic
def progress_update_create(
    *,
    commitment: Commitment,
    author: AbstractBaseUser,
    proposed_status: str,
    proposed_progress: int,
    narrative: str,
    next_steps: str = "",
    not_pursued_reason: str = "",
    internal_note: str = "",
    cycle: ReportingCycle | None = None,
    organisation: Organisation | None = None,
    submit: bool = False,
    commitment_version: int | None = None,
    is_demo: bool = False,
) -> ProgressUpdate:
    """Start a progress update on a commitment, as a draft or submitted for review at once."""
    commitment = Commitment.objects.select_for_update().get(pk=commitment.pk)
    _check_version(current=commitment.version, expected=commitment_version, what=_("commitment"))
    update = ProgressUpdate(
        commitment=commitment,
        author=author,
        organisation=organisation,
        cycle=cycle,
        proposed_status=proposed_status,
        proposed_progress=proposed_progress,
        narrative=narrative,
        next_steps=next_steps,
        not_pursued_reason=not_pursued_reason,
        internal_note=internal_note,
        is_demo=is_demo,
    )
    if submit:
        update.state = UpdateState.SUBMITTED
        update.submitted_at = timezone.now()
    update.full_clean()
    update.save()
    return update


@transaction.atomic
def progress_update_submit(*, update: ProgressUpdate, by: AbstractBaseUser) -> ProgressUpdate:
    """Send a draft (or a returned update, once fixed) to the coordinators for review."""
    update = ProgressUpdate.objects.select_for_update().get(pk=update.pk)
    if not update.is_editable:
        raise ValidationError(_("Only a draft or a returned update can be submitted."), code="invalid_state")
    update.state = UpdateState.SUBMITTED
    update.submitted_at = timezone.now()
    update.version += 1
    update._history_user = by
    update.full_clean()
    update.save()
    return update


@transaction.atomic
def progress_update_accept(
    *, update: ProgressUpdate, reviewer: AbstractBaseUser, comment: str = "", update_version: int | None = None
) -> ProgressUpdate:
    """Accept a submitted update: the commitment takes its status and progress, in one transaction.

    Both rows are locked (SELECT … FOR UPDATE on PostgreSQL), so two coordinators accepting at
    once cannot both apply: the second finds the update already accepted and is refused.
    """
    update = ProgressUpdate.objects.select_for_update().get(pk=update.pk)
    _check_version(current=update.version, expected=update_version, what=_("update"))
    if update.state != UpdateState.SUBMITTED:
        raise ValidationError(_("Only a submitted update can be accepted."), code="invalid_state")
    commitment = Commitment.objects.select_for_update().get(pk=update.commitment_id)
    commitment.status = update.proposed_status
    commitment.progress = 100 if update.proposed_status == Status.COMPLETED else update.proposed_progress
    if update.proposed_status == Status.NOT_PURSUED:
        commitment.not_pursued_reason = update.not_pursued_reason
    commitment.version += 1
    commitment._history_user = reviewer
    commitment._change_reason = _("Accepted progress update #%(id)s") % {"id": update.pk}
    commitment.full_clean()
    commitment.save()

    update.state = UpdateState.ACCEPTED
    update.reviewer = reviewer
    update.review_comment = comment
    update.reviewed_at = timezone.now()
    update.version += 1
    update._history_user = reviewer
    update.full_clean()
    update.save()
    return update


@transaction.atomic
def progress_update_return(
    *, update: ProgressUpdate, reviewer: AbstractBaseUser, comment: str, update_version: int | None = None
) -> ProgressUpdate:
    """Send a submitted update back to its author with a comment saying what to fix."""
    update = ProgressUpdate.objects.select_for_update().get(pk=update.pk)
    _check_version(current=update.version, expected=update_version, what=_("update"))
    if update.state != UpdateState.SUBMITTED:
        raise ValidationError(_("Only a submitted update can be returned."), code="invalid_state")
    if not comment.strip():
        raise ValidationError({"review_comment": _("Say what needs to change before returning the update.")})
    update.state = UpdateState.RETURNED
    update.reviewer = reviewer
    update.review_comment = comment
    update.reviewed_at = timezone.now()
    update.version += 1
    update._history_user = reviewer
    update.full_clean()
    update.save()
    return update
