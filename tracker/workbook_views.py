"""The progress workbook's pages: download (`/my/workbook/`, and per organisation from a cycle's
page) and upload back (`/my/upload/`, and per organisation from a cycle's page).

An upload is all or nothing: every problem is listed by row and column and nothing is written.
The file is then kept (tracker.pending_uploads) so that the person can, after confirming, save the
valid rows alone without choosing the file again.
"""
from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import urlencode
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET

from memoranda.models import Organisation
from memoranda.parsing.numerals import whole_number
from tracker import access, pending_uploads, selectors
from tracker.exports import XLSX_TYPE
from tracker.forms import WorkbookUploadForm
from tracker.models import ReportingCycle
from tracker.workbook import build_workbook, workbook_commitments
from tracker.workbook_import import SAME_AS_DRAFT, UploadPlan, WorkbookError, apply_upload, plan_upload, read_workbook

KEPT_FILE = "workbook-upload"  # the pending_uploads key of a refused upload's file


def my_cycles(user):
    """Open cycles in which the user has something to report on, soonest due first."""
    cycles = selectors.cycles_visible_to(user).open().order_by("due_on", "pk")
    return [cycle for cycle in cycles if workbook_commitments(user, cycle).exists()]


def _chosen_cycle(request: HttpRequest, cycles: list[ReportingCycle]) -> ReportingCycle | None:
    wanted = whole_number(request.GET.get("cycle", ""))
    return next((cycle for cycle in cycles if cycle.pk == wanted), cycles[0] if cycles else None)


def workbook_response(user, cycle: ReportingCycle, organisation: Organisation | None = None) -> HttpResponse:
    """The workbook as a download, named after the mechanism, the organisation and the day."""
    commitments = workbook_commitments(user, cycle, organisation)
    data = build_workbook(user, commitments, cycle, translation.get_language(), organisation=organisation)
    parts = ["progress", cycle.mechanism.code, slugify(organisation.name) if organisation else "", f"{timezone.localdate():%Y%m%d}"]
    response = HttpResponse(data, content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{"-".join(part for part in parts if part)}.xlsx"'
    return response


@require_GET
def my_workbook(request: HttpRequest) -> HttpResponse:
    cycles = my_cycles(request.user)
    cycle = _chosen_cycle(request, cycles)
    if cycle is None:
        messages.info(request, _("No open reporting cycle asks you for a report, so there is no workbook to fill in."))
        return redirect("my-commitments")
    return workbook_response(request.user, cycle)


def my_upload(request: HttpRequest) -> HttpResponse:
    cycles = my_cycles(request.user)
    if not cycles:
        messages.info(request, _("No open reporting cycle asks you for a report, so there is nothing to upload."))
        return redirect("my-commitments")
    return _upload(request, cycles, organisation=None, done_url=reverse("my-commitments"))


@require_GET
def cycle_workbook(request: HttpRequest, pk: int) -> HttpResponse:
    """A coordinator's copy of one organisation's workbook, to send to its officials."""
    cycle, organisation = _cycle_and_organisation(request, pk)
    return workbook_response(request.user, cycle, organisation)


def cycle_upload(request: HttpRequest, pk: int) -> HttpResponse:
    """A coordinator enters the workbook an organisation sent back, as that organisation's updates."""
    cycle, organisation = _cycle_and_organisation(request, pk)
    if not cycle.is_open:
        messages.error(request, _("This cycle is closed: reopen it to enter updates."))
        return redirect(cycle)
    return _upload(request, [cycle], organisation=organisation, done_url=cycle.get_absolute_url())


def _cycle_and_organisation(request: HttpRequest, pk: int) -> tuple[ReportingCycle, Organisation]:
    cycle = access.access_cycle(request.user, pk, "report_for")
    organisation = selectors.cycle_owner_organisation(cycle, request.GET.get("organisation", ""))
    if organisation is None:
        raise Http404
    return cycle, organisation


def _upload(request: HttpRequest, cycles: list[ReportingCycle], *, organisation: Organisation | None, done_url: str) -> HttpResponse:
    form = WorkbookUploadForm(request.POST or None, request.FILES or None, cycles=ReportingCycle.objects.filter(pk__in=[c.pk for c in cycles]),
                              initial={"cycle": _chosen_cycle(request, cycles)})
    context = {"form": form, "organisation": organisation, "done_url": done_url, "kept": pending_uploads.kept(request, KEPT_FILE)}
    if request.method != "POST":
        return render(request, "tracker/workbook_upload.html", context)
    if request.POST.get("discard"):
        pending_uploads.clear(request, KEPT_FILE)
        return redirect(request.get_full_path())
    if not form.is_valid():
        return render(request, "tracker/workbook_upload.html", context)
    upload = form.cleaned_data["file"]
    if upload is not None:  # a new file replaces one kept from an earlier try
        pending_uploads.clear(request, KEPT_FILE)
    else:
        kept = pending_uploads.files(request, KEPT_FILE)
        if not kept:
            form.add_error("file", _("Choose the workbook to upload."))
            return render(request, "tracker/workbook_upload.html", {**context, "kept": []})
        upload = kept[0]
    cycle = form.cleaned_data["cycle"]
    try:
        rows = read_workbook(upload)
    except WorkbookError as error:
        pending_uploads.clear(request, KEPT_FILE)
        form.add_error("file", [str(problem) for problem in error.problems])
        return render(request, "tracker/workbook_upload.html", {**context, "kept": []})
    plan = plan_upload(request.user, rows, cycle, organisation=organisation)
    submit = form.cleaned_data["submit_all"]
    only_valid = bool(request.POST.get("only_valid"))
    if plan.problems and not only_valid:
        if form.cleaned_data["file"] is not None:
            pending_uploads.keep(request, KEPT_FILE, [upload])
        return render(request, "tracker/workbook_upload.html", {
            **context, "kept": pending_uploads.kept(request, KEPT_FILE), "plan": plan, "submit_all": submit, "savable": _savable(plan, submit),
        })
    try:
        result = apply_upload(request.user, plan, submit=submit, only_valid=only_valid)
    except WorkbookError as error:  # something changed while the upload was being saved: nothing was
        return render(request, "tracker/workbook_upload.html", {
            **context, "kept": pending_uploads.kept(request, KEPT_FILE), "plan": UploadPlan(cycle, [], error.problems), "submit_all": submit,
        })
    pending_uploads.clear(request, KEPT_FILE)
    messages.success(request, _summary(result, plan, only_valid))
    return redirect(done_url)


def _savable(plan: UploadPlan, submit: bool) -> int:
    """How many rows saving the valid ones alone would save (or, with "submit all", submit)."""
    return len(plan.to_save) + (sum(1 for planned in plan.planned if planned.action == SAME_AS_DRAFT) if submit else 0)


def _summary(result, plan: UploadPlan, only_valid: bool) -> str:
    saved = len(result.created) + len(result.updated)
    if result.submitted:
        parts = [ngettext("%(count)s update submitted for review.", "%(count)s updates submitted for review.", saved) % {"count": saved}]
    else:
        parts = [ngettext("%(count)s draft saved: check it and submit it when ready.",
                          "%(count)s drafts saved: check them and submit them when ready.", saved) % {"count": saved}]
    unchanged = len(result.unchanged)
    if unchanged:
        parts.append(ngettext("%(count)s row was unchanged.", "%(count)s rows were unchanged.", unchanged) % {"count": unchanged})
    if only_valid and plan.refused_rows:
        refused = len(plan.refused_rows)
        parts.append(ngettext("%(count)s row with problems was left out.", "%(count)s rows with problems were left out.", refused) % {"count": refused})
    return " ".join(parts)


def upload_link(cycle: ReportingCycle, organisation: Organisation) -> str:
    return f"{reverse('cycle-upload', args=[cycle.pk])}?{urlencode({'organisation': organisation.pk})}"
