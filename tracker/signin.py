"""The sign-in policy: how many wrong passwords are allowed, from where, and what follows.

Three rules, counted from django-axes' record of every failed sign-in (AccessFailureLog), each
with its own limit (settings SIGNIN_*; README, "Sign-in and sessions"):

1. one account from one address: after SIGNIN_PAIR_LIMIT failures within SIGNIN_LOCK_MINUTES,
   that account is locked from that address for SIGNIN_LOCK_MINUTES after the last one;
2. one address, whatever the accounts: after SIGNIN_ADDRESS_LIMIT failures within
   SIGNIN_LOCK_MINUTES, the address is locked for SIGNIN_LOCK_MINUTES after the last one;
3. one account from any address: after SIGNIN_ACCOUNT_LIMIT failures within
   SIGNIN_ACCOUNT_WINDOW_HOURS, each further attempt must wait 1, 2, 4 … minutes (at most
   SIGNIN_DELAY_MAX_MINUTES) after the last failure. Guessing spread over many addresses is slowed
   to a trickle, while the owner is only ever delayed, never shut out.

Rules 1 and 3 count only the failures since the account's last successful sign-in. An attempt
refused while a rule holds is not read (a right password is refused too) and does not count as a
failure, so someone hammering a locked account does not lengthen the wait. When rule 1 or 3 starts
to hold back an account, its owner gets one e-mail about it (at most one per
SIGNIN_ACCOUNT_WINDOW_HOURS), in their language.

The client's address is REMOTE_ADDR, or behind TRUSTED_PROXY_COUNT reverse proxies the address the
outermost of them saw (X-Forwarded-For): behind a proxy every client would otherwise share the
proxy's address, and one person's typing would lock out everyone.

Every sign-in, failure, refusal, lock and sign-out is kept by axes in the database (shown to
administrators in the admin) and written as one line to the `tracker.signin` logger.
"""
from __future__ import annotations

import datetime
import ipaddress
import logging
import math
import time
from dataclasses import dataclass

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessFailureLog, AccessLog
from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Count, Max
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone, translation

logger = logging.getLogger(__name__)

PAIR, ADDRESS, ACCOUNT = "account-and-address", "address", "account"


USERNAME_RECORDED_LENGTH = 150  # no account has a longer name (User.username); axes' records hold 255


def recorded_username(request: HttpRequest, credentials: dict | None = None) -> str | None:
    """The username a sign-in attempt is recorded and counted under: as typed, cut to the longest
    any account has. A longer one can match no account, and PostgreSQL refuses to record it (the
    sign-in page answered 500); cut, it is still counted, locked and logged like any other."""
    if credentials:
        username = credentials.get("username")
    else:
        username = getattr(request, "data", request.POST).get("username")
    return username[:USERNAME_RECORDED_LENGTH] if isinstance(username, str) else username


def client_ip_address(request: HttpRequest) -> str | None:
    """The client's address: REMOTE_ADDR, or with TRUSTED_PROXY_COUNT = n the n-th address from
    the right of X-Forwarded-For (each trusted proxy appends the address it was reached from, so
    whatever a client writes into the header itself stays further left and is never believed)."""
    remote = request.META.get("REMOTE_ADDR") or None
    count = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0)
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < count:  # not through the proxies (or a proxy not set up to append)
        return remote
    try:
        return str(ipaddress.ip_address(forwarded[-count]))
    except ValueError:
        return remote


@dataclass(frozen=True)
class Refusal:
    """Why sign-ins are held back, and until when."""

    rule: str
    until: datetime.datetime
    failures: int

    def minutes_left(self, now: datetime.datetime | None = None) -> int:
        return max(1, math.ceil((self.until - (now or timezone.now())).total_seconds() / 60))


def last_sign_in(username: str) -> datetime.datetime | None:
    return AccessLog.objects.filter(username=username).aggregate(last=Max("attempt_time"))["last"]


def _locked(failures, limit: int, now: datetime.datetime, rule: str) -> Refusal | None:
    """`limit` failures within the lock period before the last one lock until a lock period
    after the last one."""
    if limit <= 0:  # the rule is turned off
        return None
    lock = datetime.timedelta(minutes=settings.SIGNIN_LOCK_MINUTES)
    latest = list(failures.order_by("-attempt_time").values_list("attempt_time", flat=True)[:limit])
    if len(latest) < limit or now >= latest[0] + lock or latest[-1] <= latest[0] - lock:
        return None
    return Refusal(rule, latest[0] + lock, len(latest))


def _slowed(failures, now: datetime.datetime) -> Refusal | None:
    """From the SIGNIN_ACCOUNT_LIMIT-th failure on, each attempt waits twice as long as the one
    before after the last failure: 1, 2, 4 … minutes, at most SIGNIN_DELAY_MAX_MINUTES."""
    recent = failures.filter(attempt_time__gt=now - datetime.timedelta(hours=settings.SIGNIN_ACCOUNT_WINDOW_HOURS))
    summary = recent.aggregate(count=Count("id"), last=Max("attempt_time"))
    count, limit = summary["count"], settings.SIGNIN_ACCOUNT_LIMIT
    if limit <= 0 or count < limit:
        return None
    delay = min(2 ** min(count - limit, 30), settings.SIGNIN_DELAY_MAX_MINUTES)
    until = summary["last"] + datetime.timedelta(minutes=delay)
    return Refusal(ACCOUNT, until, count) if now < until else None


def refusal_for(username: str | None, ip_address: str | None, now: datetime.datetime | None = None) -> Refusal | None:
    """The rule that holds back a sign-in as `username` from `ip_address` now, if any (the one
    that holds longest when several do)."""
    now = now or timezone.now()
    found = []
    if username:
        of_account = AccessFailureLog.objects.filter(username=username)
        since = last_sign_in(username)
        if since is not None:
            of_account = of_account.filter(attempt_time__gt=since)
        if ip_address:
            found.append(_locked(of_account.filter(ip_address=ip_address), settings.SIGNIN_PAIR_LIMIT, now, PAIR))
        found.append(_slowed(of_account, now))
    if ip_address:
        found.append(_locked(AccessFailureLog.objects.filter(ip_address=ip_address), settings.SIGNIN_ADDRESS_LIMIT, now, ADDRESS))
    found = [refusal for refusal in found if refusal is not None]
    return max(found, key=lambda refusal: refusal.until) if found else None


def shown(value) -> str:
    """A username as typed, safe for a one-line log (no line breaks or control characters)."""
    return repr(value) if value is not None else "-"


class SignInHandler(AxesDatabaseHandler):
    """axes' database handler (which keeps the records) deciding by the rules above."""

    def is_locked(self, request, credentials: dict | None = None) -> bool:
        username = get_client_username(request, credentials)
        request.signin_refusal = refusal_for(username, request.axes_ip_address)
        return request.signin_refusal is not None

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        if request is None:
            return super().user_login_failed(sender, credentials, request, **kwargs)
        refused_unread = bool(getattr(request, "axes_locked_out", False))
        super().user_login_failed(sender, credentials, request, **kwargs)
        username, address = get_client_username(request, credentials), request.axes_ip_address
        if refused_unread:
            refusal = getattr(request, "signin_refusal", None)
            logger.warning(
                "sign-in refused user=%s address=%s rule=%s until=%s", shown(username), address,
                refusal.rule if refusal else "-", refusal.until.isoformat(timespec="seconds") if refusal else "-",
            )
            return
        logger.info("sign-in failed user=%s address=%s", shown(username), address)
        refusal = refusal_for(username, address)
        if refusal is None:
            return
        request.signin_refusal = refusal
        request.axes_locked_out = True  # AxesMiddleware answers with lockout_response
        request.axes_credentials = credentials
        logger.warning(
            "sign-in locked user=%s address=%s rule=%s until=%s failures=%d", shown(username), address,
            refusal.rule, refusal.until.isoformat(timespec="seconds"), refusal.failures,
        )
        failure = AccessFailureLog.objects.filter(username=username, ip_address=address).order_by("-pk").first()
        if refusal.rule != ADDRESS:
            notify_owner(username, refusal, request)
        if failure is not None:
            AccessFailureLog.objects.filter(pk=failure.pk).update(locked_out=True)
        user_locked_out.send("axes", request=request, username=username, ip_address=address)

    def user_logged_in(self, sender, request, user, **kwargs):
        super().user_logged_in(sender, request, user, **kwargs)
        # Where a session's age and idleness are measured from (tracker.middleware.SessionTimeout).
        from tracker.middleware import LAST_SEEN, SIGNED_IN_AT

        request.session[SIGNED_IN_AT] = request.session[LAST_SEEN] = int(time.time())
        logger.info("sign-in succeeded user=%s address=%s", shown(user.get_username()), request.axes_ip_address)

    def user_logged_out(self, sender, request, user, **kwargs):
        super().user_logged_out(sender, request, user, **kwargs)
        if user is not None:  # signing out a session that was not signed in is no event
            logger.info("signed out user=%s address=%s", shown(user.get_username()), request.axes_ip_address)


def notify_owner(username: str, refusal: Refusal, request: HttpRequest) -> None:
    """Tell the account's owner, once per account window (since their last sign-in), that their
    account is locked or slowed; in their language, and only if such an account exists."""
    from tracker.notifications import language_of, link_base

    try:
        owner = get_user_model()._default_manager.get_by_natural_key(username)
    except get_user_model().DoesNotExist:
        return
    if not owner.is_active or not owner.email:
        return
    since = timezone.now() - datetime.timedelta(hours=settings.SIGNIN_ACCOUNT_WINDOW_HOURS)
    last = last_sign_in(username)
    if last is not None and last > since:
        since = last
    if AccessFailureLog.objects.filter(username=username, locked_out=True, attempt_time__gt=since).exists():
        return  # told already
    context = {
        "recipient": owner, "refusal": refusal, "address": request.axes_ip_address, "site_url": link_base(request),
        "pair": refusal.rule == PAIR,
    }
    with translation.override(language_of(owner)):
        subject, _, body = render_to_string("registration/email/sign_in_held_back.txt", context).strip().partition("\n")
    transaction.on_commit(lambda: _deliver(subject.strip(), body.strip() + "\n", owner.email))


def _deliver(subject: str, body: str, to: str) -> None:
    try:
        send_mail(subject, body, None, [to])
    except OSError:  # an unreachable mail server must not turn a refused sign-in into an error page
        logger.exception("Could not send the sign-in notice to %s", to)


def lockout_response(request: HttpRequest, original_response=None, credentials: dict | None = None) -> HttpResponse:
    """What a refused or locking sign-in answers (axes' AXES_LOCKOUT_CALLABLE): why, and how long."""
    refusal = getattr(request, "signin_refusal", None)
    if refusal is None:
        refusal = refusal_for(get_client_username(request, credentials), getattr(request, "axes_ip_address", None))
    context = {"refusal": refusal, "minutes": refusal.minutes_left() if refusal else settings.SIGNIN_LOCK_MINUTES}
    return render(request, "registration/locked_out.html", context, status=429)
