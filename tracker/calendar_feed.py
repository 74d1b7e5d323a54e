"""A person's private calendar feed (`/calendar/<token>.ics`): their due dates, as iCalendar.

What it holds, all of it read through the row-level rule (`tracker.selectors`) and nothing else:

- the due dates of the reporting cycles the person takes part in: of the mechanisms they
  coordinate, of those in which their organisations own commitments (as officials), and of those
  they read as viewers;
- the due dates of the commitments their organisations lead or support, as officials (what `/my/`
  lists), and the dates of those commitments' milestones. Archived commitments are left out, as
  everywhere (their default manager hides them), and so are their milestones.

Every event is an all-day VEVENT whose UID names the row it comes from, so that a calendar app
updates it when a date moves instead of adding another. Titles and descriptions are in the
person's language (`tracker.notifications.language_of`), with the Chinese of the memoranda where
there is one.

Calendar apps cannot sign in: the token in the address is the only credential
(`tracker.models.CalendarFeed`). The person makes and revokes it on their account page.
"""
from __future__ import annotations

import datetime
import logging
import re
import secrets
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vDuration

from memoranda.models import Commitment, Mechanism, Milestone
from tracker import selectors
from tracker.models import CalendarFeed, ReportingCycle, Role
from tracker.notifications import language_of

logger = logging.getLogger("tracker.signin")

# Calendar apps ask again this often (RFC 7986, and Outlook's older X-PUBLISHED-TTL): due dates
# change a few times a year, and a deadline moved this morning is in the calendar by tonight.
REFRESH_INTERVAL = datetime.timedelta(hours=6)
PRODID = "-//Plenary commitment tracker//Calendar feed//EN"
TOKEN = re.compile(rf"[A-Za-z0-9_-]{{{CalendarFeed.KEY_LENGTH + CalendarFeed.SECRET_LENGTH}}}")


# Writes ------------------------------------------------------------------------------------------


@transaction.atomic
def calendar_feed_renew(*, user: AbstractBaseUser) -> CalendarFeed:
    """A new address for the user's calendar feed; the one before it, if any, answers 404 from now on."""
    feed, _created = CalendarFeed.objects.update_or_create(
        user=user,
        defaults={
            "key": secrets.token_urlsafe(12), "secret": secrets.token_urlsafe(32),
            "created_at": timezone.now(),  # the address is new, whether the row is or not
        },
    )
    logger.info("calendar feed renewed user=%r", user.get_username())
    return feed


@transaction.atomic
def calendar_feed_revoke(*, user: AbstractBaseUser) -> None:
    """No more calendar feed for the user: its address answers 404 from now on."""
    if CalendarFeed.objects.filter(user=user).delete()[0]:
        logger.info("calendar feed revoked user=%r", user.get_username())


# Reads -------------------------------------------------------------------------------------------


def calendar_feed_of(user: AbstractBaseUser) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(user=user).first() if user.is_authenticated else None


def calendar_feed_owner(token: str) -> AbstractBaseUser | None:
    """The active person whose feed `token` opens, or None: unknown, revoked, malformed, or the
    account is deactivated (each answered alike). The row is found by its key; the secret is then
    compared in constant time."""
    if not TOKEN.fullmatch(token):
        return None
    key, secret = token[: CalendarFeed.KEY_LENGTH], token[CalendarFeed.KEY_LENGTH :]
    feed = CalendarFeed.objects.select_related("user__profile").filter(key=key).first()
    if feed is None or not constant_time_compare(feed.secret, secret) or not feed.user.is_active:
        return None
    return feed.user


def feed_commitments(user: AbstractBaseUser) -> QuerySet[Commitment]:
    """The person's commitments: those their organisations lead or support, as officials, of
    those they may see."""
    return selectors.commitments_visible_to(user).owned_by(selectors.organisations_of(user, [Role.OFFICIAL]))


def feed_cycles(user: AbstractBaseUser) -> QuerySet[ReportingCycle]:
    """The reporting cycles the person takes part in, of those they may see: of the mechanisms
    they coordinate, report in (their organisations own commitments there) or read as viewers."""
    reports_in = feed_commitments(user).values("session__mechanism_id")
    viewer_parties = selectors.organisations_of(user, [Role.VIEWER]).values("party_id")
    views = Mechanism.parties.through.objects.filter(party_id__in=viewer_parties).values("mechanism_id")
    return selectors.cycles_visible_to(user).filter(
        Q(mechanism__in=selectors.mechanisms_coordinated_by(user)) | Q(mechanism__in=reports_in) | Q(mechanism__in=views)
    )


# The calendar ------------------------------------------------------------------------------------


def calendar_for(user: AbstractBaseUser, *, base_url: str) -> bytes:
    """The person's feed as iCalendar bytes, in their language; links start with `base_url`."""
    with translation.override(language_of(user)):
        return _calendar(user, base_url=base_url.rstrip("/")).to_ical()


def _calendar(user: AbstractBaseUser, *, base_url: str) -> Calendar:
    domain = urlsplit(settings.SITE_URL).hostname or "localhost"  # not the request's: UIDs must not change with it
    stamp = timezone.now()
    calendar = Calendar.new(
        prodid=PRODID,
        calscale="GREGORIAN",
        method="PUBLISH",
        uid=f"calendar-{user.pk}@{domain}",
        name=_("My due dates – commitment tracker"),  # also written as X-WR-CALNAME
        description=_("Reporting deadlines, due dates and milestones of your commitments."),
        refresh_interval=REFRESH_INTERVAL,
        url=base_url + reverse("my-commitments"),
    )
    calendar["REFRESH-INTERVAL"].params["VALUE"] = "DURATION"  # RFC 7986: no default value type
    calendar.add("X-PUBLISHED-TTL", vDuration(REFRESH_INTERVAL))

    def event(uid: str, day: datetime.date, summary: str, lines: list[str], url: str) -> Event:
        return Event.new(
            uid=f"{uid}@{domain}", stamp=stamp, start=day, end=day + datetime.timedelta(days=1),
            summary=summary, description="\n".join([*filter(None, lines), url]), url=url, transparency="TRANSPARENT",
        )

    for cycle in feed_cycles(user).order_by("due_on", "pk"):
        lines = [
            cycle.mechanism.display_name,
            _("Reports to plenary session %(number)s.") % {"number": cycle.reports_to_session_number},
            _("Opens on %(date)s.") % {"date": _date(cycle.opens_on)},
            _("Closed on %(date)s.") % {"date": _date(cycle.closed_on)} if cycle.closed_on else "",
        ]
        calendar.add_component(event(
            f"cycle-{cycle.pk}", cycle.due_on, _("Progress updates due: %(cycle)s") % {"cycle": cycle.display_title},
            lines, base_url + cycle.get_absolute_url(),
        ))

    commitments = feed_commitments(user).select_related("session__mechanism", "lead_organisation")
    for commitment in commitments.filter(due_on__isnull=False).order_by("due_on", "ref"):
        calendar.add_component(event(
            f"commitment-{commitment.pk}", commitment.due_on,
            _("%(ref)s due: %(title)s") % {"ref": commitment.ref, "title": commitment.display_title},
            _commitment_lines(commitment), base_url + commitment.get_absolute_url(),
        ))

    milestones = Milestone.objects.filter(commitment__in=commitments.values("pk"), due_on__isnull=False).select_related(
        "commitment__session__mechanism", "commitment__lead_organisation"
    )
    for milestone in milestones.order_by("due_on", "commitment__ref", "position", "pk"):
        commitment = milestone.commitment
        calendar.add_component(event(
            f"milestone-{milestone.pk}", milestone.due_on,
            _("%(ref)s milestone: %(title)s") % {"ref": commitment.ref, "title": milestone.display_title},
            [
                _("Status of the milestone: %(status)s") % {"status": milestone.get_status_display()},
                _("Of the commitment %(ref)s: %(title)s") % {"ref": commitment.ref, "title": commitment.display_title},
                *_commitment_lines(commitment),
            ],
            base_url + commitment.get_absolute_url(),
        ))
    return calendar


def _commitment_lines(commitment: Commitment) -> list[str]:
    lead = commitment.lead_organisation.display_name if commitment.lead_organisation else "—"
    return [
        commitment.session.mechanism.display_name,
        _("Lead organisation: %(organisation)s") % {"organisation": lead},
        _("Status of the commitment: %(status)s, %(percent)s%% done") % {"status": commitment.get_status_display(), "percent": commitment.progress},
    ]


def _date(day: datetime.date) -> str:
    return formats.date_format(day, "DATE_FORMAT")
