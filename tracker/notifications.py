"""E-mail about the progress workflow: updates submitted and reviewed, and reminders of cycles.

Mail goes out only once the transaction that caused it has committed, so a rolled-back action
never announces itself. Reminders are recorded (`Reminder`), which is what keeps
`send_reminders` from sending the same reminder twice however often it runs.
"""
from __future__ import annotations

import datetime
import logging
from collections.abc import Callable, Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db import transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone, translation

from memoranda.models import Commitment, Organisation
from tracker.models import Membership, ProgressUpdate, Reminder, ReminderKind, ReportingCycle, Role

logger = logging.getLogger(__name__)
REMINDER_DAYS_BEFORE = int(getattr(settings, "REMINDER_DAYS_BEFORE", 7))
OVERDUE_REPEAT_DAYS = 7


def language_of(user) -> str:
    """The language to write to someone in: the one they last chose, else the site's."""
    return getattr(getattr(user, "profile", None), "language", "") or settings.LANGUAGE_CODE


def link_base(request: HttpRequest | None = None) -> str:
    """Where links in e-mail point: the address the request came to when there is one (so links
    follow whatever host and port the site is served on), else SITE_URL."""
    if request is None:
        return settings.SITE_URL
    return request.build_absolute_uri("/").rstrip("/")


Attachment = tuple[str, bytes, str]  # file name, content, MIME type


def _send(recipients, template: str, context: dict, *, base_url: str | None = None,
          attach: Callable[[object], list[Attachment]] | None = None) -> None:
    """Render `template` (subject on its first line) for each recipient in their language, with
    what `attach(recipient)` gives (made in their language too)."""
    for user in {user for user in recipients if user.email and user.is_active}:
        with translation.override(language_of(user)):
            subject, _, body = render_to_string(template, {**context, "recipient": user, "site_url": base_url or settings.SITE_URL}).strip().partition("\n")
            files = attach(user) if attach else []
        transaction.on_commit(lambda s=subject, b=body, to=user.email, f=files: _deliver(s, b, to, f))


def _deliver(subject: str, body: str, to: str, files: list[Attachment] = ()) -> None:
    message = EmailMessage(subject.strip(), body.strip() + "\n", None, [to])
    for name, content, mimetype in files:
        message.attach(name, content, mimetype)
    try:
        message.send()
    except OSError:  # an unreachable mail server must not undo the work that was just saved
        logger.exception("Could not send mail to %s", to)


def coordinators_of(commitment: Commitment):
    parties = commitment.session.mechanism.parties.all()
    return get_user_model().objects.filter(
        memberships__role=Role.COORDINATOR, memberships__organisation__party__in=parties
    ).distinct()


def update_submitted(update: ProgressUpdate) -> None:
    _send(coordinators_of(update.commitment), "tracker/email/update_submitted.txt", {"update": update, "commitment": update.commitment})


def update_reviewed(update: ProgressUpdate) -> None:
    _send([update.author], "tracker/email/update_reviewed.txt", {"update": update, "commitment": update.commitment})


def officials_awaited(
    cycle: ReportingCycle, *, organisation: Organisation | None = None, commitments: Iterable[Commitment] | None = None
) -> dict:
    """Officials whose organisations owe an update in the cycle → the commitments they owe.

    With `organisation`, only its officials, about the outstanding commitments it leads (one row of
    the cycle's completeness); with `commitments`, only about those of them still outstanding."""
    from tracker.selectors import cycle_outstanding

    awaited = cycle_outstanding(cycle).select_related("lead_organisation").prefetch_related("supporting_organisations")
    if organisation is not None:
        awaited = awaited.filter(lead_organisation=organisation)
    if commitments is not None:
        awaited = awaited.filter(pk__in=[commitment.pk for commitment in commitments])
    owed: dict[int, set[Commitment]] = {}
    for commitment in awaited:
        owners = [commitment.lead_organisation] if organisation is not None else [
            commitment.lead_organisation, *commitment.supporting_organisations.all()
        ]
        for owner in owners:
            if owner is not None:
                owed.setdefault(owner.pk, set()).add(commitment)
    members = (
        Membership.objects.filter(role=Role.OFFICIAL, organisation_id__in=owed, user__is_active=True)
        .exclude(user__email="")
        .select_related("user")
    )
    by_user: dict = {}
    for membership in members:
        by_user.setdefault(membership.user, set()).update(owed[membership.organisation_id])
    return {user: sorted(commitments, key=lambda c: c.ref) for user, commitments in by_user.items()}


def send_cycle_reminders(
    cycle: ReportingCycle,
    *,
    kind: str,
    today: datetime.date | None = None,
    organisation: Organisation | None = None,
    commitments: Iterable[Commitment] | None = None,
    base_url: str | None = None,
) -> int:
    """Remind every official who still owes an update in the cycle; returns how many were sent.
    Each person gets each kind of reminder at most once a day; 'due soon' once per cycle, and
    'overdue' again only after a week. `organisation` and `commitments` narrow who is reminded
    and about what (see `officials_awaited`); the e-mail lists only what its recipient owes."""
    today = today or timezone.localdate()
    if not cycle.is_open_on(today):
        return 0
    sent = 0
    for user, owed in officials_awaited(cycle, organisation=organisation, commitments=commitments).items():
        earlier = Reminder.objects.filter(cycle=cycle, recipient=user, kind=kind)
        if kind == ReminderKind.DUE_SOON:
            earlier = earlier.all()
        elif kind == ReminderKind.OVERDUE:
            earlier = earlier.filter(sent_on__gt=today - datetime.timedelta(days=OVERDUE_REPEAT_DAYS))
        else:
            earlier = earlier.filter(sent_on=today)
        if earlier.exists():
            continue
        with transaction.atomic():
            Reminder.objects.create(cycle=cycle, recipient=user, kind=kind, sent_on=today, commitment_count=len(owed))
            _send([user], "tracker/email/reminder.txt", {"cycle": cycle, "commitments": owed, "kind": kind, "today": today},
                  base_url=base_url, attach=lambda person: [reminder_workbook(person, cycle)])
        sent += 1
    return sent


def reminder_workbook(user, cycle: ReportingCycle) -> Attachment:
    """The recipient's progress workbook for the cycle, pre-filled with their drafts, in the active
    language: a reminder they can answer from their spreadsheet and upload back."""
    from tracker.exports import XLSX_TYPE
    from tracker.workbook import build_workbook, workbook_commitments

    content = build_workbook(user, workbook_commitments(user, cycle), cycle, translation.get_language())
    return f"progress-{cycle.mechanism.code}-{timezone.localdate():%Y%m%d}.xlsx", content, XLSX_TYPE


def due_reminders(today: datetime.date | None = None) -> dict[ReportingCycle, int]:
    """Send what is due today for every open cycle: 'due soon' within REMINDER_DAYS_BEFORE days
    of the due date, 'overdue' after it."""
    today = today or timezone.localdate()
    results = {}
    for cycle in ReportingCycle.objects.open(today).select_related("mechanism"):
        days_left = (cycle.due_on - today).days
        if days_left < 0:
            results[cycle] = send_cycle_reminders(cycle, kind=ReminderKind.OVERDUE, today=today)
        elif days_left <= REMINDER_DAYS_BEFORE:
            results[cycle] = send_cycle_reminders(cycle, kind=ReminderKind.DUE_SOON, today=today)
    return results
