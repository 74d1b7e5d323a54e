"""Request-wide rules that belong to no single page."""
from __future__ import annotations

import logging
import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

signin_logger = logging.getLogger("tracker.signin")


class RefuseNulInPath:
    """A NUL byte in an address can name nothing (PostgreSQL refuses it in a query): answer 404
    at once rather than letting a lookup fail with a server error."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path or "\x00" in request.META.get("QUERY_STRING", "") or any(
            "\x00" in value for values in request.GET.lists() for value in values[1]
        ):
            raise Http404
        return self.get_response(request)


class NoStoreWhenSignedIn:
    """Pages, exports and evidence shown to a signed-in person hold what only they may see: no
    browser or proxy cache keeps a copy."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, no_store=True, private=True)
        return response


SIGNED_IN_AT, LAST_SEEN = "signed_in_at", "last_seen"


class SessionTimeout:
    """A person idle for SESSION_IDLE_MINUTES, or signed in longer than SESSION_MAX_HOURS, is signed
    out and sees the sign-in page with a notice saying why. Times are kept in the session (as Unix
    seconds); the last-seen time is written at most once a minute, not on every request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            signed_in_at = request.session.setdefault(SIGNED_IN_AT, now)
            last_seen = request.session.get(LAST_SEEN, now)
            if now - last_seen > settings.SESSION_IDLE_MINUTES * 60:
                reason = _("You were signed out after %(minutes)d minutes without activity. Sign in again to go on.") % {
                    "minutes": settings.SESSION_IDLE_MINUTES}
                return self.sign_out(request, reason, "idle")
            if now - signed_in_at > settings.SESSION_MAX_HOURS * 60 * 60:
                reason = ngettext(
                    "You were signed out because a session lasts at most %(hours)d hour. Sign in again to go on.",
                    "You were signed out because a session lasts at most %(hours)d hours. Sign in again to go on.",
                    settings.SESSION_MAX_HOURS,
                ) % {"hours": settings.SESSION_MAX_HOURS}
                return self.sign_out(request, reason, "too long")
            if now - request.session.get(LAST_SEEN, 0) >= 60:
                request.session[LAST_SEEN] = now
        return self.get_response(request)

    def sign_out(self, request: HttpRequest, reason: str, why: str) -> HttpResponse:
        signin_logger.info("session ended user=%r reason=%s", request.user.get_username(), why)
        logout(request)
        messages.info(request, reason)
        return redirect_to_login(request.get_full_path())


class TwoFactorRequired:
    """Someone who must give a code from their authenticator (tracker.two_factor) goes nowhere
    else until they have, and someone who must set one up, nowhere before they have."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from tracker import two_factor

        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not self.always_open(request.path):
            step = two_factor.step_needed(user)
            if step is not None:
                return redirect(f"{reverse(step)}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)

    @staticmethod
    def always_open(path: str) -> bool:
        """The code and setup steps themselves, signing out, the language, health and static files."""
        from tracker import two_factor

        open_paths = {reverse(two_factor.VERIFY), reverse(two_factor.ENROL), reverse("logout"), reverse("set_language"), reverse("healthz")}
        return path in open_paths or path.startswith("/" + settings.STATIC_URL.lstrip("/"))
