"""Error pages that need more than a template: a refusal (403) says why, and whom to ask."""
from __future__ import annotations

from django.http import HttpRequest, HttpResponseForbidden
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token

from tracker import selectors


@requires_csrf_token
def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponseForbidden:
    """Django's 403 view, plus the people to ask: the coordinators of the person's own side (whose
    names officials already see on reviewed updates), or the administrator."""
    user = getattr(request, "user", None)
    context = {
        "reason": str(exception) if exception is not None and exception.args else "",
        "contacts": selectors.coordinators_to_ask(user) if user is not None else [],
    }
    return HttpResponseForbidden(loader.render_to_string("403.html", context, request))
