"""Exports as background jobs: asked for on the list when they are too big to write while the
browser waits (tracker.export_jobs), followed on their own page, downloaded from there."""
from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tracker import access, export_jobs, paging
from tracker.exports import XLSX_TYPE
from tracker.models import ExportJob, ExportJobState

CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "xlsx": XLSX_TYPE, "json": "application/json; charset=utf-8"}
JOBS_SHOWN = 20


def export_confirm(request: HttpRequest, kind: str, count: int) -> HttpResponse:
    """The list's answer to an export of more than EXPORT_IN_REQUEST_ROWS rows: what will happen, and
    the button that asks for it (a POST: asking for work is never a link a page could follow)."""
    return render(request, "tracker/export_confirm.html", {
        "kind": kind, "count": count, "query": export_jobs.filters_of(request.GET), "limit": settings.EXPORT_IN_REQUEST_ROWS,
    })


@require_POST
def export_job_start(request: HttpRequest) -> HttpResponse:
    kind, query = request.POST.get("kind", ""), request.POST.get("query", "")
    commitments = export_jobs.commitments_for(request.user, query) if kind in export_jobs.KINDS else None
    if commitments is None:
        messages.error(request, _("This export could not be started: its format or filters are not valid any more. Choose the filters again."))
        return redirect("commitment-list")
    rows = paging.cached_count(export_jobs.count_key(request.user, QueryDict(query)), commitments.count)  # counted by the list already
    job = export_jobs.start(request.user, kind, query, get_language() or settings.LANGUAGE_CODE, rows)
    return redirect(job)


def export_job_detail(request: HttpRequest, pk) -> HttpResponse:
    job = access.access_export_job(request.user, pk)
    return render(request, "tracker/export_job.html", {"job": job, "filtered_list_url": _list_url(job.query)})


def export_job_list(request: HttpRequest) -> HttpResponse:
    jobs = list(ExportJob.objects.filter(requested_by=request.user)[:JOBS_SHOWN])
    return render(request, "tracker/export_job_list.html", {"jobs": jobs, "keep_hours": settings.EXPORT_KEEP_HOURS})


def export_job_download(request: HttpRequest, pk) -> FileResponse:
    job = access.access_export_job(request.user, pk)
    if job.state != ExportJobState.DONE or not job.file:
        raise Http404
    try:
        file = job.file.open("rb")
    except FileNotFoundError as error:  # removed from the shared storage by hand: gone, not a 500
        raise Http404 from error
    name = f"commitments-{job.created_at:%Y%m%d}.{job.kind}"
    return FileResponse(file, as_attachment=True, filename=name, content_type=CONTENT_TYPES.get(job.kind, "application/octet-stream"))


def _list_url(query: str) -> str:
    return reverse("commitment-list") + (f"?{query}" if query else "")
