"""Reports for the next plenary session: as a page, a PDF, a spreadsheet; and frozen snapshots."""
from __future__ import annotations

import datetime
import re

from django.contrib import messages
from django.contrib.staticfiles import finders
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tracker import access, aggregates, exports, reports, selectors, services


def _as_at(request: HttpRequest) -> datetime.date:
    try:
        return min(datetime.date.fromisoformat(request.GET.get("as_at", "")), timezone.localdate())
    except ValueError:
        return timezone.localdate()


def report_list(request: HttpRequest) -> HttpResponse:
    sessions = selectors.sessions_for_home(request.user)
    mechanisms = selectors.mechanisms_visible_to(request.user)
    return render(request, "tracker/report_list.html", {"sessions": sessions, "mechanisms": mechanisms})


def session_report(request: HttpRequest, code: str, number: int) -> HttpResponse:
    session = access.access_session(request.user, code, number)
    snapshot = None
    if re.fullmatch(r"[0-9]{1,12}", request.GET.get("snapshot", "")):  # anything else: the live report
        snapshot = access.access_snapshot(request.user, session, request.GET["snapshot"])
        report = reports.SessionReport(session=session, as_at=snapshot.as_at, rows=snapshot.rows, snapshot=snapshot)
    else:
        report = reports.session_report(session, request.user, _as_at(request))
    export = request.GET.get("_export")
    filename = f"{session.mechanism.code}-{session.number}-report-{report.as_at:%Y%m%d}"
    if export == "pdf":
        return _pdf(request, report, filename)
    if export == "xlsx":
        return exports.xlsx_response(
            reports.report_export_rows(report), reports.REPORT_COLUMNS, filename, reports.report_headers(),
            title=f"{session.mechanism.code}-{session.number}", widths=reports.REPORT_WIDTHS, preamble=reports.report_preamble(report), fit_to_width=True,
        )
    if export == "csv":
        return exports.csv_response(reports.report_export_rows(report), reports.REPORT_COLUMNS, filename, reports.report_headers())
    # The body reads the same for everyone who may see the session: rendered once per data version
    # and language (a generated session has 1,250 items).
    body_key = ("snapshot", snapshot.pk) if snapshot else ("live", session.pk, report.as_at.isoformat(), str(report.asked_for))
    context = {
        "report": report,
        "report_body": aggregates.cached_html("session-report-body", body_key, "tracker/includes/report_body.html", lambda: {"report": report}),
        "snapshots": session.snapshots.all(),
        "query": request.GET.urlencode(),
        "today": timezone.localdate(),
    }
    return render(request, "tracker/session_report.html", context)


def _pdf(request: HttpRequest, report: reports.SessionReport, filename: str) -> HttpResponse:
    from weasyprint import CSS, HTML  # imported here: WeasyPrint loads fonts and Pango when first used

    html = render_to_string("tracker/report_document.html", {"report": report, "language": get_language()}, request)
    stylesheet = CSS(filename=finders.find("css/report.css"))
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf(stylesheets=[stylesheet])
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}.pdf"'
    return response


@require_POST
def snapshot_create(request: HttpRequest, code: str, number: int) -> HttpResponse:
    session = access.access_session(request.user, code, number, "snapshot")
    try:
        as_at = datetime.date.fromisoformat(request.POST.get("as_at", "") or timezone.localdate().isoformat())
    except ValueError:
        messages.error(request, _("Give the snapshot's date as YYYY-MM-DD."))
        return redirect("session-report", code=code, number=number)
    began = reports.tracking_began(session)
    if as_at > timezone.localdate() or (began and as_at < began):
        messages.error(request, _("A snapshot can be frozen as at a day between the start of tracking and today."))
        return redirect("session-report", code=code, number=number)
    try:
        snapshot = services.snapshot_take(session=session, as_at=as_at, by=request.user, label=request.POST.get("label", "")[:200])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("session-report", code=code, number=number)
    messages.success(request, _("Snapshot frozen as at %(date)s.") % {"date": date_format(snapshot.as_at, "DATE_FORMAT")})
    return redirect(f"{redirect('session-report', code=code, number=number).url}?snapshot={snapshot.pk}")


def snapshot_compare(request: HttpRequest, code: str, number: int) -> HttpResponse:
    session = access.access_session(request.user, code, number)
    before = access.access_snapshot(request.user, session, request.GET.get("a", ""))
    after = access.access_snapshot(request.user, session, request.GET["b"]) if request.GET.get("b") else None  # none: now
    after_rows = after.rows if after else reports.session_report(session, request.user).rows
    comparison = reports.compare_rows(before.rows, after_rows)
    return render(request, "tracker/snapshot_compare.html", {"session": session, "before": before, "after": after, "comparison": comparison})


def mechanism_report(request: HttpRequest, code: str) -> HttpResponse:
    mechanism = access.access_mechanism(request.user, code)
    # Whoever may see the mechanism sees all its commitments: the same report for everyone.
    body = aggregates.cached_html(
        "mechanism-report-body", (mechanism.pk,), "tracker/includes/mechanism_report_body.html",
        lambda: {"report": reports.mechanism_report(mechanism, request.user)},
    )
    return render(request, "tracker/mechanism_report.html", {"mechanism": mechanism, "report_body": body})
