"""Pages. Views keep to HTTP: they read through selectors and write through services."""
from __future__ import annotations

from itertools import groupby

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from tracker import charts, selectors
from tracker.history import history_entries
from tracker.models import UpdateState


def home(request: HttpRequest) -> HttpResponse:
    sessions = list(selectors.sessions_for_home(request.user))
    for session in sessions:
        session.segments = charts.status_segments(charts.counts_from_annotations(session))
        session.chart_description = charts.describe(session.segments)
    return render(request, "tracker/home.html", {"sessions": sessions})


def session_detail(request: HttpRequest, code: str, number: int) -> HttpResponse:
    session = selectors.session_visible_to(request.user, code=code, number=number)
    if session is None:
        raise Http404
    commitments = list(selectors.session_commitments(request.user, session))
    areas = [(area, list(items)) for area, items in groupby(commitments, key=lambda c: c.area)]
    return render(
        request,
        "tracker/session_detail.html",
        {"session": session, "areas": areas, "commitment_count": len(commitments)},
    )


def commitment_detail(request: HttpRequest, ref: str) -> HttpResponse:
    commitment = selectors.commitment_for_page(request.user, ref)
    if commitment is None:
        raise Http404
    user = request.user
    may_manage = user.has_perm("memoranda.change_commitment") and selectors.commitments_editable_by(user).filter(pk=commitment.pk).exists()
    in_progress = (
        selectors.updates_visible_to(user)
        .filter(commitment=commitment, state__in=[UpdateState.DRAFT, UpdateState.SUBMITTED, UpdateState.RETURNED])
        .select_related("author", "organisation")
    )
    context = {
        "commitment": commitment,
        "may_report": user.has_perm("tracker.submit_progressupdate") and selectors.commitments_reportable_by(user).filter(pk=commitment.pk).exists(),
        "may_manage": may_manage,
        "in_progress": in_progress,
        "history": history_entries(list(commitment.history.select_related("history_user"))) if may_manage else None,
    }
    return render(request, "tracker/commitment_detail.html", context)


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database answers, 503 when it does not; for load balancers and monitoring."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # any database failure means "not healthy", never a 500 page
        return JsonResponse({"status": "error", "database": type(error).__name__}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})
