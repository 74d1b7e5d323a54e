"""Every write that spans models. Each is one transaction, validates, and records who did it.

Accepting an update is the only way a commitment's status and progress change outside the admin.
Permission checks happen before these are called (views go through `tracker.selectors`); these
functions guard the workflow itself: which state may follow which, and stale edits.
"""
from __future__ import annotations

import datetime
import functools
from collections.abc import Callable, Sequence
from contextvars import ContextVar

from django.contrib.auth.models import AbstractBaseUser
from django.core.files.uploadedfile import UploadedFile
from django.contrib.admin.models import CHANGE, LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from memoranda.models import Commitment, Organisation, Status
from memoranda.services import recorded_once
from tracker import notifications
from tracker.models import Evidence, Membership, ProgressUpdate, ReportingCycle, Snapshot, UpdateState
from tracker.roles import sync_role_groups


class StaleEdit(ValidationError):
    """Someone else saved first; the form was filled in against an older version of `instance`."""

    def __init__(self, message, *, instance=None, since: int | None = None, **kwargs):
        super().__init__(message, **kwargs)
        self.instance, self.since = instance, since


def _check_nothing_else_awaits_review(commitment: Commitment, update: ProgressUpdate | None = None) -> None:
    """One update at a time awaits review on a commitment, so that no accepted update silently
    undoes another. Call with the commitment's row locked."""
    others = ProgressUpdate.objects.filter(commitment=commitment, state=UpdateState.SUBMITTED)
    if update is not None:
        others = others.exclude(pk=update.pk)
    if others.exists():
        raise ValidationError(
            _("Another update on this commitment awaits review; submit yours once it has been reviewed."), code="awaiting_review"
        )


def _check_version(*, current: int, expected: int | None, what: str, instance=None) -> None:
    if expected is not None and current != expected:
        raise StaleEdit(
            _("This %(what)s was changed by someone else after you opened it. Reload it to see their changes.")
            % {"what": what},
            code="stale", instance=instance, since=expected,
        )


def _moved_since(commitment: Commitment, version: int) -> bool:
    """Whether the commitment's status or progress changed after `version` of it."""
    base = commitment.history.filter(version=version).order_by("history_date", "history_id").last()
    return base is not None and (base.status, base.progress) != (commitment.status, commitment.progress)


# Files written to storage by the service running in this thread (see `_evidence_files_removed_on_failure`).
_stored_files: ContextVar[list | None] = ContextVar("stored_evidence_files", default=None)


def _evidence_files_removed_on_failure[F: Callable](service: F) -> F:
    """Evidence files are written to storage while the update is saved, but storage takes no part in
    the transaction: when it rolls back (a refused link, a file name too long, a database error, a
    failed notification, a commit that fails), the files would stay on disk with no row. Wrapped
    around the transaction, this deletes them again whenever the service does not return.

    It cannot see a rollback of a caller's own, enclosing transaction after the service returned:
    views call these services as their transaction (no ATOMIC_REQUESTS)."""

    @functools.wraps(service)
    def wrapper(*args, **kwargs):
        stored: list = []
        token = _stored_files.set(stored)
        try:
            return service(*args, **kwargs)
        except BaseException:
            for storage, name in stored:
                storage.delete(name)
            raise
        finally:
            _stored_files.reset(token)

    return wrapper


def _update_fields_as_sent(update: ProgressUpdate, fields: dict, files: Sequence[UploadedFile], links: Sequence[str]) -> bool:
    """Whether `update` already holds exactly these fields and this evidence: the same form sent
    twice, as a double click on "save" does."""
    if any(getattr(update, name) != value for name, value in fields.items()):
        return False
    evidence = list(update.evidence.all())
    return (
        sorted(item.description for item in evidence if item.file) == sorted(upload.name[:300] for upload in files)
        and sorted(item.url for item in evidence if item.url) == sorted(links)
    )


@_evidence_files_removed_on_failure
@transaction.atomic
def progress_update_create(
    *,
    commitment: Commitment,
    author: AbstractBaseUser,
    proposed_status: str,
    proposed_progress: int,
    narrative: str = "",
    narrative_zh: str = "",
    next_steps: str = "",
    next_steps_zh: str = "",
    not_pursued_reason: str = "",
    internal_note: str = "",
    cycle: ReportingCycle | None = None,
    organisation: Organisation | None = None,
    submit: bool = False,
    commitment_version: int | None = None,
    evidence_files: Sequence[UploadedFile] = (),
    evidence_links: Sequence[str] = (),
    is_demo: bool = False,
    notify: bool = True,
) -> ProgressUpdate:
    """Start a progress update on a commitment, as a draft or submitted for review at once.

    An organisation has one update in progress per commitment. The commitment's row is locked
    first, so that two requests at once (a double click on "save draft") are taken one after the
    other: the second finds what the first saved, and returns it if it is the same form sent again,
    or is refused, rather than making a second draft."""
    commitment = Commitment.objects.select_for_update().get(pk=commitment.pk)
    _check_version(current=commitment.version, expected=commitment_version, what=_("commitment"), instance=commitment)
    fields = {
        "author": author, "cycle": cycle, "proposed_status": proposed_status, "proposed_progress": proposed_progress,
        "narrative": narrative, "narrative_zh": narrative_zh, "next_steps": next_steps, "next_steps_zh": next_steps_zh,
        "not_pursued_reason": not_pursued_reason, "internal_note": internal_note,
    }
    in_progress = ProgressUpdate.objects.filter(
        commitment=commitment, state__in=[UpdateState.DRAFT, UpdateState.RETURNED, UpdateState.SUBMITTED]
    )
    in_progress = in_progress.filter(organisation=organisation) if organisation is not None else in_progress.filter(organisation=None, author=author)
    for existing in in_progress:
        sent_again = existing.state == (UpdateState.SUBMITTED if submit else UpdateState.DRAFT)
        if sent_again and _update_fields_as_sent(existing, fields, evidence_files, evidence_links):
            return existing
        if existing.is_editable:
            raise ValidationError(
                _("Your organisation already has an update in progress on this commitment; continue that one "
                  "(from the commitment's page or from your commitments) instead of starting another."),
                code="update_in_progress",
            )
    update = ProgressUpdate(commitment_version=commitment.version, commitment=commitment, organisation=organisation, is_demo=is_demo, **fields)
    if submit:
        _check_nothing_else_awaits_review(commitment)
        update.state = UpdateState.SUBMITTED
        update.submitted_at = timezone.now()
    update.full_clean()
    update._history_user = author
    update.save()
    _add_evidence(update, evidence_files, evidence_links)
    if submit and notify:
        notifications.update_submitted(update)
    return update


def _add_evidence(update: ProgressUpdate, files: Sequence[UploadedFile], links: Sequence[str]) -> None:
    """Attach files and links. Call from a service wrapped in `_evidence_files_removed_on_failure`."""
    stored = _stored_files.get()
    for upload in files:
        evidence = Evidence(update=update, description=upload.name[:300])
        evidence.file.save(upload.name, upload, save=False)
        if stored is not None:
            stored.append((evidence.file.storage, evidence.file.name))
        evidence.full_clean()
        evidence.save()
    for link in links:
        evidence = Evidence(update=update, url=link)
        evidence.full_clean()
        evidence.save()


@_evidence_files_removed_on_failure
@transaction.atomic
def progress_update_edit(
    *,
    update: ProgressUpdate,
    by: AbstractBaseUser,
    proposed_status: str,
    proposed_progress: int,
    narrative: str = "",
    narrative_zh: str = "",
    next_steps: str = "",
    next_steps_zh: str = "",
    not_pursued_reason: str = "",
    internal_note: str = "",
    update_version: int | None = None,
    commitment_version: int | None = None,
    submit: bool = False,
    evidence_files: Sequence[UploadedFile] = (),
    evidence_links: Sequence[str] = (),
) -> ProgressUpdate:
    """Change a draft or a returned update; refused if someone saved it after the form was opened,
    or, when submitting, if the commitment's status or progress moved since the author saw it."""
    update = ProgressUpdate.objects.select_for_update().get(pk=update.pk)
    _check_version(current=update.version, expected=update_version, what=_("update"), instance=update)
    commitment = Commitment.objects.select_for_update().get(pk=update.commitment_id)
    if commitment_version:
        update.commitment_version = commitment_version
    if submit and _moved_since(commitment, update.commitment_version):
        raise StaleEdit(
            _("Another update on this commitment was accepted after this one was written. Check yours against it, then submit again."),
            code="stale", instance=commitment, since=update.commitment_version,
        )
    if not update.is_editable:
        raise ValidationError(_("This update has been submitted or accepted and can no longer be changed."), code="invalid_state")
    update.proposed_status = proposed_status
    update.proposed_progress = proposed_progress
    update.narrative = narrative
    update.narrative_zh = narrative_zh
    update.next_steps = next_steps
    update.next_steps_zh = next_steps_zh
    update.not_pursued_reason = not_pursued_reason
    update.internal_note = internal_note
    update.version += 1
    if submit:
        _check_nothing_else_awaits_review(commitment, update)
        update.state = UpdateState.SUBMITTED
        update.submitted_at = timezone.now()
    update._history_user = by
    update.full_clean()
    update.save()
    _add_evidence(update, evidence_files, evidence_links)
    if submit:
        notifications.update_submitted(update)
    return update


@transaction.atomic
def progress_update_submit(*, update: ProgressUpdate, by: AbstractBaseUser) -> ProgressUpdate:
    """Send a draft (or a returned update, once fixed) to the coordinators for review."""
    update = ProgressUpdate.objects.select_for_update().get(pk=update.pk)
    if not update.is_editable:
        raise ValidationError(_("Only a draft or a returned update can be submitted."), code="invalid_state")
    Commitment.objects.select_for_update().get(pk=update.commitment_id)
    _check_nothing_else_awaits_review(update.commitment, update)
    update.state = UpdateState.SUBMITTED
    update.submitted_at = timezone.now()
    update.version += 1
    update._history_user = by
    update.full_clean()
    update.save()
    notifications.update_submitted(update)
    return update


# The wording a coordinator may correct while accepting: the update's own texts, in both languages.
CORRECTABLE_WORDING = ("narrative", "narrative_zh", "next_steps", "next_steps_zh")


def _same_text(one: str, other: str) -> bool:
    """Equal but for line endings and surrounding blanks (browsers send textareas with CRLF)."""
    return one.replace("\r\n", "\n").strip() == other.replace("\r\n", "\n").strip()


@transaction.atomic
def progress_update_accept(
    *,
    update: ProgressUpdate,
    reviewer: AbstractBaseUser,
    comment: str = "",
    update_version: int | None = None,
    notify: bool = True,
    narrative: str | None = None,
    narrative_zh: str | None = None,
    next_steps: str | None = None,
    next_steps_zh: str | None = None,
) -> ProgressUpdate:
    """Accept a submitted update: the commitment takes its status and progress, in one transaction.

    The wording arguments, when given and different, are the reviewer's corrections of the
    update's narrative and next steps: saved with the acceptance, in the same history entry,
    under the reviewer's name (None leaves a text as its author wrote it).

    Both rows are locked (SELECT … FOR UPDATE on PostgreSQL), so two coordinators accepting at
    once cannot both apply: the second finds the update already accepted and is refused.
    """
    update = ProgressUpdate.objects.select_for_update().get(pk=update.pk)
    _check_version(current=update.version, expected=update_version, what=_("update"))
    if update.state != UpdateState.SUBMITTED:
        raise ValidationError(_("Only a submitted update can be accepted."), code="invalid_state")
    corrections = {"narrative": narrative, "narrative_zh": narrative_zh, "next_steps": next_steps, "next_steps_zh": next_steps_zh}
    for name, text in corrections.items():
        if text is not None and not _same_text(text, getattr(update, name)):
            setattr(update, name, text.replace("\r\n", "\n").strip())
    if not (update.narrative.strip() or update.narrative_zh.strip()):
        raise ValidationError({"narrative": _("The progress made cannot be empty in both languages.")})
    commitment = Commitment.objects.select_for_update().get(pk=update.commitment_id)
    if _moved_since(commitment, update.commitment_version):
        raise ValidationError(
            _("The commitment's status or progress changed after this update was written. Return it so that its author can bring it up to date."),
            code="stale",
        )
    commitment.status = update.proposed_status
    commitment.progress = 100 if update.proposed_status == Status.COMPLETED else update.proposed_progress
    if update.proposed_status == Status.NOT_PURSUED:
        commitment.not_pursued_reason = update.not_pursued_reason
    commitment.version += 1
    commitment._history_user = reviewer
    commitment._change_reason = f"Accepted progress update #{update.pk}"  # stored in English, shown translated (tracker.history)
    commitment.full_clean()
    commitment.save()
    return _record_review(update, reviewer=reviewer, state=UpdateState.ACCEPTED, comment=comment, notify=notify)


def _record_review(update: ProgressUpdate, *, reviewer, state: str, comment: str, notify: bool) -> ProgressUpdate:
    """The reviewer's decision on the update, and the author told of it."""
    update.state = state
    update.reviewer = reviewer
    update.review_comment = comment
    update.reviewed_at = timezone.now()
    update.version += 1
    update._history_user = reviewer
    update.full_clean()
    update.save()
    if notify:
        notifications.update_reviewed(update)
    return update


@transaction.atomic
def progress_update_withdraw(*, update: ProgressUpdate, by: AbstractBaseUser, update_version: int | None = None) -> ProgressUpdate:
    """Take a submitted update back to draft before anyone has reviewed it, e.g. one sent by
    mistake. Refused once it has been reviewed, or if it changed after `update_version`."""
    update = ProgressUpdate.objects.select_for_update().get(pk=update.pk)
    if update.state in (UpdateState.ACCEPTED, UpdateState.RETURNED):
        raise ValidationError(
            _("This update has already been reviewed and can no longer be withdrawn."), code="already_reviewed"
        )
    _check_version(current=update.version, expected=update_version, what=_("update"), instance=update)
    if update.state != UpdateState.SUBMITTED:
        raise ValidationError(_("Only an update awaiting review can be withdrawn."), code="invalid_state")
    update.state = UpdateState.DRAFT
    update.submitted_at = None
    update.version += 1
    update._history_user = by
    update.full_clean()
    update.save()
    return update


@transaction.atomic
def progress_update_return(
    *, update: ProgressUpdate, reviewer: AbstractBaseUser, comment: str, update_version: int | None = None, notify: bool = True
) -> ProgressUpdate:
    """Send a submitted update back to its author with a comment saying what to fix."""
    update = ProgressUpdate.objects.select_for_update().get(pk=update.pk)
    _check_version(current=update.version, expected=update_version, what=_("update"))
    if update.state != UpdateState.SUBMITTED:
        raise ValidationError(_("Only a submitted update can be returned."), code="invalid_state")
    if not comment.strip():
        raise ValidationError({"review_comment": _("Say what needs to change before returning the update.")})
    return _record_review(update, reviewer=reviewer, state=UpdateState.RETURNED, comment=comment, notify=notify)


@transaction.atomic
def commitment_assign(
    *,
    commitment: Commitment,
    by: AbstractBaseUser,
    lead_organisation: Organisation | None,
    supporting_organisations: Sequence[Organisation],
    responsible_officer: str = "",
    due_on: datetime.date | None = None,
    commitment_version: int | None = None,
) -> Commitment:
    """A coordinator sets who owns a commitment and when it is due; recorded in its history."""
    commitment = Commitment.objects.select_for_update().get(pk=commitment.pk)
    _check_version(current=commitment.version, expected=commitment_version, what=_("commitment"), instance=commitment)
    commitment.lead_organisation = lead_organisation
    commitment.responsible_officer = responsible_officer
    commitment.due_on = due_on
    commitment.version += 1
    commitment._history_user = by
    commitment._change_reason = "Owners and due date set"  # stored in English, shown translated (tracker.history)
    commitment.full_clean()
    with recorded_once(commitment):  # one entry, naming the supporting organisations added or removed
        commitment.save()
        commitment.supporting_organisations.set([o for o in supporting_organisations if o != lead_organisation])
    return commitment


def _status_before_carried_forward(commitment: Commitment) -> str:
    """The status the commitment had before it was (last) carried forward, from its history."""
    for status in commitment.history.values_list("status", flat=True):  # newest first
        if status != Status.CARRIED_FORWARD:
            return status
    return Status.NOT_STARTED


@transaction.atomic
def commitment_carry_forward_undo(*, commitment: Commitment, by: AbstractBaseUser, commitment_version: int | None = None) -> Commitment:
    """A coordinator takes back carrying a commitment forward (see
    `memoranda.services.commitment_carry_forward`): it gets back the status it had before, so
    that cycles ask for reports on it again. The link from the later item stays; recorded."""
    commitment = Commitment.objects.select_for_update().get(pk=commitment.pk)
    _check_version(current=commitment.version, expected=commitment_version, what=_("commitment"), instance=commitment)
    if commitment.status != Status.CARRIED_FORWARD:
        raise ValidationError(_("This commitment is not carried forward."), code="invalid_state")
    commitment.status = _status_before_carried_forward(commitment)
    commitment.version += 1
    commitment._history_user = by
    commitment._change_reason = "Carrying forward undone"  # stored in English, shown translated (tracker.history)
    commitment.full_clean()
    commitment.save()
    return commitment


@transaction.atomic
def cycle_open(
    *,
    by: AbstractBaseUser,
    mechanism,
    title: str,
    title_zh: str = "",
    reports_to_session_number: int,
    opens_on: datetime.date,
    due_on: datetime.date,
) -> ReportingCycle:
    """Open a reporting cycle, e.g. 'Progress report to the 5th Plenary Session'."""
    cycle = ReportingCycle(
        mechanism=mechanism, title=title, title_zh=title_zh, reports_to_session_number=reports_to_session_number,
        opens_on=opens_on, due_on=due_on, created_by=by,
    )
    cycle.full_clean()
    cycle.save()
    return cycle


@transaction.atomic
def cycle_close(*, cycle: ReportingCycle, by: AbstractBaseUser) -> ReportingCycle:
    """A coordinator of the cycle's mechanism closes it: it stops asking for updates and sending
    reminders. Recorded in the cycle's history; a coordinator may reopen it (`cycle_reopen`)."""
    _check_coordinates_cycle(cycle=cycle, by=by)
    cycle = ReportingCycle.objects.select_for_update().get(pk=cycle.pk)
    if cycle.closed_on is None:
        cycle.closed_on = timezone.localdate()
        cycle.full_clean()
        cycle.save(update_fields=["closed_on"])
        _record_cycle_change(cycle=cycle, by=by, message=CYCLE_CLOSED)
    return cycle


@transaction.atomic
def cycle_reopen(*, cycle: ReportingCycle, by: AbstractBaseUser) -> ReportingCycle:
    """A coordinator of the cycle's mechanism reopens a closed cycle, e.g. one closed by mistake:
    officials see it as due again and reminders resume. Recorded in the cycle's history."""
    _check_coordinates_cycle(cycle=cycle, by=by)
    cycle = ReportingCycle.objects.select_for_update().get(pk=cycle.pk)
    if cycle.closed_on is not None:
        cycle.closed_on = None
        cycle.full_clean()
        cycle.save(update_fields=["closed_on"])
        _record_cycle_change(cycle=cycle, by=by, message=CYCLE_REOPENED)
    return cycle


# What the cycle's history (Django's action log, also shown in the admin) says; translated on display.
CYCLE_CLOSED = gettext_noop("Closed the cycle")
CYCLE_REOPENED = gettext_noop("Reopened the cycle")


def _check_coordinates_cycle(*, cycle: ReportingCycle, by: AbstractBaseUser) -> None:
    """Closing and reopening are for the coordinators of the cycle's mechanism (and administrators)."""
    from tracker.access import may

    if not may(by, "change", cycle):
        raise PermissionDenied(_("Only a coordinator of this cycle's mechanism may close or reopen it."))


def _record_cycle_change(*, cycle: ReportingCycle, by: AbstractBaseUser, message: str) -> None:
    LogEntry.objects.log_actions(user_id=by.pk, queryset=[cycle], action_flag=CHANGE, change_message=message, single_object=True)


@transaction.atomic
def membership_set(*, user: AbstractBaseUser, organisation: Organisation, role: str) -> Membership:
    """Make the user a member of the organisation in a role, and give them that role's group."""
    membership, _created = Membership.objects.update_or_create(user=user, organisation=organisation, defaults={"role": role})
    membership.full_clean()
    sync_role_groups(user)
    return membership


@transaction.atomic
def snapshot_take(*, session, as_at: datetime.date, by: AbstractBaseUser, label: str = "") -> Snapshot:
    """Freeze the state of a session's commitments as at a date. A snapshot is never changed."""
    from tracker.reports import report_rows

    if Snapshot.objects.filter(session=session, as_at=as_at).exists():
        raise ValidationError({"as_at": _("A snapshot as at this date already exists; snapshots are never replaced.")})
    snapshot = Snapshot(session=session, as_at=as_at, label=label, created_by=by, rows=report_rows(Commitment.objects.for_session(session), as_at))
    snapshot.full_clean()
    try:
        with transaction.atomic():
            snapshot.save()
    except IntegrityError:  # the same snapshot frozen a moment ago, e.g. a double click
        raise ValidationError({"as_at": _("A snapshot as at this date already exists; snapshots are never replaced.")}) from None
    return snapshot
