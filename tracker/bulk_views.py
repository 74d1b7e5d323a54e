"""The two addresses of the bulk actions, POST only: the commitment list's bulk form
(/commitments/bulk/) and the review queue's "accept the ticked updates" (/reviews/accept/).
Each answers by going back to the page it was sent from, with a summary of what was done."""
from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from memoranda.forms import ModelsChoice
from memoranda.models import Commitment, Organisation
from memoranda.parsing.numerals import whole_number
from tracker import access, bulk, selectors
from tracker.filters import CommitmentFilter
from tracker.models import ProgressUpdate, ReportingCycle

QUERY_MAX_LENGTH = 2000  # the list's filters, as its address carries them


class OrganisationChoice(forms.ModelChoiceField):
    def label_from_instance(self, organisation: Organisation) -> str:
        return organisation.display_name


class OrganisationsChoice(ModelsChoice):
    def label_from_instance(self, organisation: Organisation) -> str:
        return organisation.display_name


class BulkCommitmentForm(forms.Form):
    """What to do to the commitments chosen on the list: which ones (the ticked rows, or all that
    match the filter) and one change."""

    SELECTED, ALL = "selected", "all"
    LEAD, ADD_SUPPORTING, REPLACE_SUPPORTING, DUE_ON, CYCLE = "lead", "add_supporting", "replace_supporting", "due_on", "cycle"
    FIELD_OF_ACTION = {LEAD: "lead_organisation", ADD_SUPPORTING: "supporting_organisations",
                       REPLACE_SUPPORTING: "supporting_organisations", DUE_ON: "due_on", CYCLE: "cycle"}

    scope = forms.ChoiceField(
        label=gettext_lazy("Apply to"), initial=SELECTED, widget=forms.RadioSelect,
        choices=[(SELECTED, gettext_lazy("the rows ticked")), (ALL, gettext_lazy("all rows matching the filter"))],
    )
    action = forms.ChoiceField(label=gettext_lazy("Change"), choices=[
        (LEAD, gettext_lazy("Set the lead organisation")),
        (ADD_SUPPORTING, gettext_lazy("Add supporting organisations")),
        (REPLACE_SUPPORTING, gettext_lazy("Replace the supporting organisations")),
        (DUE_ON, gettext_lazy("Set the due date")),
        (CYCLE, gettext_lazy("Add to a reporting cycle")),
    ])
    lead_organisation = OrganisationChoice(label=gettext_lazy("Lead organisation"), queryset=Organisation.objects.none(), required=False)
    supporting_organisations = OrganisationsChoice(
        label=gettext_lazy("Supporting organisations"), queryset=Organisation.objects.none(), required=False,
        widget=forms.SelectMultiple(attrs={"size": 5}),
        help_text=gettext_lazy("Hold Ctrl (⌘ on a Mac) to choose several."),
    )
    due_on = forms.DateField(label=gettext_lazy("Due on"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    cycle = forms.ModelChoiceField(label=gettext_lazy("Reporting cycle"), queryset=ReportingCycle.objects.none(), required=False)
    filter_query = forms.CharField(required=False, max_length=QUERY_MAX_LENGTH, widget=forms.HiddenInput)
    count = forms.CharField(required=False, max_length=12, widget=forms.HiddenInput)

    def __init__(self, *args, user, **kwargs):
        kwargs.setdefault("auto_id", "bulk_%s")  # the list's filters, on the same page, have fields of the same names
        super().__init__(*args, **kwargs)
        organisations = bulk.organisations_for_bulk(user)
        self.fields["lead_organisation"].queryset = organisations
        self.fields["supporting_organisations"].queryset = organisations
        self.fields["cycle"].queryset = bulk.cycles_for_bulk(user)

    def clean(self):
        data = super().clean()
        action = data.get("action")
        name = self.FIELD_OF_ACTION.get(action)
        if name and name not in self.errors and not data.get(name) and action != self.REPLACE_SUPPORTING:
            self.add_error(name, _("Choose what to set for “%(change)s”.") % {"change": dict(self.fields["action"].choices)[action]})
        return data


def _list_address(query: QueryDict) -> str:
    return reverse("commitment-list") + (f"?{query.urlencode()}" if query else "")


def _bad_request(request: HttpRequest) -> HttpResponse:
    return render(request, "400.html", status=400)


def _ids(values: list[str]) -> list[int] | None:
    """The ids a form sent, or None if any is not a whole number (or there are too many)."""
    if len(values) > bulk.MAX_SELECTED:
        return None
    ids = [whole_number(value) for value in values]
    return None if None in ids else list(dict.fromkeys(ids))


def _problems_message(problems: list[tuple[str, str]]) -> str:
    return " ".join(f"{ref}: {reason}" if ref else reason for ref, reason in problems)


@require_POST
def commitments_bulk(request: HttpRequest) -> HttpResponse:
    """Change the ticked commitments, or all those matching the list's filter, in one transaction."""
    user = request.user
    if not bulk.may_manage_any(user):
        raise PermissionDenied(access.REFUSALS[Commitment, "manage"])
    form = BulkCommitmentForm(request.POST, user=user)
    query = QueryDict(request.POST.get("filter_query", "")[:QUERY_MAX_LENGTH], mutable=True)
    query.pop("page", None)
    query.pop("_export", None)
    back = _list_address(query)
    ids = _ids(request.POST.getlist("commitment"))
    if ids is None:
        return _bad_request(request)
    if not form.is_valid():
        for name, errors in form.errors.items():
            label = form.fields[name].label if name in form.fields else ""
            messages.error(request, f"{label}: {' '.join(errors)}" if label else " ".join(errors))
        return redirect(back)
    data = form.cleaned_data
    visible = selectors.commitments_visible_to(user).select_related("session__mechanism")
    if data["scope"] == form.ALL:
        filterset = CommitmentFilter(query, queryset=visible, request=request)
        if not filterset.is_valid():
            return _bad_request(request)
        commitments = list({c.pk: c for c in filterset.qs.in_reading_order()[: bulk.MAX_SELECTED + 1]}.values())
        expected = whole_number(data["count"])
        if expected is not None and expected != len(commitments):
            messages.error(request, _(
                "The filter now matches %(now)d commitments, not the %(then)d the page showed: nothing was changed. "
                "Check the list and try again."
            ) % {"now": len(commitments), "then": expected})
            return redirect(back)
    else:
        commitments = list(visible.filter(pk__in=ids).in_reading_order())
        if len(commitments) != len(ids):  # ids out of sight, or of nothing: say nothing about which
            raise Http404
    if not commitments:
        messages.error(request, _("Tick at least one commitment, or choose all rows matching the filter."))
        return redirect(back)
    if len(commitments) > bulk.MAX_SELECTED:
        messages.error(request, _("At most %(max)d commitments can be changed at once; narrow the filter.") % {"max": bulk.MAX_SELECTED})
        return redirect(back)

    action = data["action"]
    if action == form.CYCLE:
        return _cycle_coverage(request, data["cycle"], commitments, back)
    changes = {
        form.LEAD: {"lead_organisation": data["lead_organisation"]},
        form.ADD_SUPPORTING: {"add_supporting": list(data["supporting_organisations"])},
        form.REPLACE_SUPPORTING: {"replace_supporting": list(data["supporting_organisations"])},
        form.DUE_ON: {"due_on": data["due_on"]},
    }[action]
    try:
        result = bulk.commitments_bulk_assign(commitments=commitments, by=user, **changes)
    except bulk.BulkRefused as refused:
        if refused.not_permitted == len(commitments):
            raise PermissionDenied(access.REFUSALS[Commitment, "manage"]) from None
        messages.error(request, ngettext(
            "Nothing was changed: %(count)d commitment could not be.", "Nothing was changed: %(count)d commitments could not be.",
            len(refused.problems),
        ) % {"count": len(refused.problems)} + " " + _problems_message(refused.problems))
        return redirect(back)
    if not result.changed:
        messages.info(request, ngettext(
            "Nothing to change: the commitment was already so.", "Nothing to change: the %(count)d commitments were already so.",
            len(result.unchanged),
        ) % {"count": len(result.unchanged)})
        return redirect(back)
    summary = ngettext("%(count)d commitment changed.", "%(count)d commitments changed.", len(result.changed)) % {"count": len(result.changed)}
    if result.unchanged:
        summary += " " + ngettext(
            "%(count)d was already so and was left as it was.", "%(count)d were already so and were left as they were.", len(result.unchanged)
        ) % {"count": len(result.unchanged)}
    messages.success(request, summary)
    return redirect(back)


def _cycle_coverage(request: HttpRequest, cycle: ReportingCycle, commitments: list[Commitment], back: str) -> HttpResponse:
    """A cycle covers commitments by session and status, not by a list (see `bulk.cycle_coverage`):
    say which of the chosen it asks a report on, and why not the others. Nothing is written."""
    coverage = bulk.cycle_coverage(cycle=cycle, commitments=commitments)
    explanation = _(
        "“%(cycle)s” asks for a report on every unfinished commitment of %(mechanism)s agreed before session %(number)d; "
        "a cycle has no list to add to, so nothing was changed."
    ) % {"cycle": cycle.display_title, "mechanism": cycle.mechanism.code, "number": cycle.reports_to_session_number}
    covered = ngettext(
        "%(count)d of those chosen is in it.", "%(count)d of those chosen are in it.", len(coverage.covered)
    ) % {"count": len(coverage.covered)}
    messages.info(request, f"{explanation} {covered}")
    if coverage.not_covered:
        messages.warning(request, ngettext(
            "%(count)d is not, and cannot be:", "%(count)d are not, and cannot be:", len(coverage.not_covered)
        ) % {"count": len(coverage.not_covered)} + " " + "; ".join(f"{c.ref} ({reason})" for c, reason in coverage.not_covered[:50])
            + (" …" if len(coverage.not_covered) > 50 else ""))
    return redirect(back)


@require_POST
def reviews_accept(request: HttpRequest) -> HttpResponse:
    """Accept the ticked updates of the review queue, each with the version the page showed."""
    access.require(request.user, "review", ProgressUpdate)
    ids = _ids(request.POST.getlist("update"))
    if ids is None:
        return _bad_request(request)
    if not ids:
        messages.error(request, _("Tick at least one update to accept."))
        return redirect("review-queue")
    if selectors.updates_visible_to(request.user).filter(pk__in=ids).count() != len(ids):
        raise Http404  # ids out of sight, or of nothing: say nothing about which
    versions = {pk: whole_number(request.POST.get(f"version-{pk}", "")) for pk in ids}
    result = bulk.progress_updates_bulk_accept(versions=versions, by=request.user)
    if result.accepted:
        messages.success(request, ngettext(
            "Accepted %(count)d update: %(refs)s.", "Accepted %(count)d updates: %(refs)s.", len(result.accepted)
        ) % {"count": len(result.accepted), "refs": ", ".join(update.commitment.ref for update in result.accepted)})
    if result.refused:
        messages.error(request, ngettext(
            "Refused %(count)d update:", "Refused %(count)d updates:", len(result.refused)
        ) % {"count": len(result.refused)} + " " + _problems_message(result.refused))
    return redirect("review-queue")
