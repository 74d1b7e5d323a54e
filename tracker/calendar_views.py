"""The private calendar feed, for calendar apps: the token in the address is the credential, so the
address is open without signing in (calendar apps cannot). Made and revoked on the account page
(`tracker.account_views.account`); what it holds is `tracker.calendar_feed`'s."""
from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

from tracker import calendar_feed
from tracker.notifications import language_of, link_base


@login_not_required
@require_safe
def calendar_feed_ics(request: HttpRequest, token: str) -> HttpResponse:
    """The feed of the person `token` belongs to; 404, the same for every reason, otherwise."""
    user = calendar_feed.calendar_feed_owner(token)
    if user is None:
        raise Http404
    response = HttpResponse(calendar_feed.calendar_for(user, base_url=link_base(request)), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="due-dates.ics"'
    response["Content-Language"] = language_of(user)
    # It holds what only its owner may see, and the request is signed out: the middleware that
    # keeps signed-in pages out of caches does not see it.
    patch_cache_control(response, no_store=True, private=True)
    return response
