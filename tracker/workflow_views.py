"""The progress workflow: officials report, coordinators review, cycles collect the reports.

Every object named in a URL is fetched through its accessor in `tracker.access`: what the user may
not see answers 404, what they may see but not do answers 403.
"""
from __future__ import annotations

import re

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from memoranda.models import Commitment
from tracker import access, aggregates, notifications, paging, pending_uploads, review, selectors, services
from tracker.forms import CommitmentAssignForm, ProgressUpdateForm, ReportingCycleForm, ReviewForm
from tracker.history import changes_since
from tracker.models import ProgressUpdate, ReminderKind, ReportingCycle, Role, UpdateState

# Long lists are paged: a secretariat's queue before a plenary, a bureau's hundreds of commitments.
REVIEWS_PER_PAGE = 50
MY_COMMITMENTS_PER_PAGE = 25
MY_DUE_SHOWN = 20  # per open cycle; the rest are one link away, on the filtered list
MY_UPDATES_SHOWN = 20  # of each: returned, drafts, awaiting review


def _reporting_organisation(request: HttpRequest, commitment: Commitment):
    """The organisation the user reports for on this commitment: one of theirs that owns it."""
    owners = [commitment.lead_organisation_id, *commitment.supporting_organisations.values_list("pk", flat=True)]
    mine = selectors.organisations_of(request.user, [Role.OFFICIAL])
    return mine.filter(pk__in=owners).order_by("pk").first()


def _update_arguments(form: ProgressUpdateForm) -> dict:
    data = form.cleaned_data
    return {
        "proposed_status": data["proposed_status"], "proposed_progress": data["proposed_progress"],
        "narrative": data["narrative"], "narrative_zh": data["narrative_zh"], "next_steps": data["next_steps"],
        "next_steps_zh": data["next_steps_zh"], "not_pursued_reason": data["not_pursued_reason"],
        "internal_note": data["internal_note"], "evidence_files": data["evidence_files"], "evidence_links": data["evidence_links"],
        "submit": "submit" in form.data,
    }


def _stale(request, form: ProgressUpdateForm | CommitmentAssignForm, instance, error: services.StaleEdit) -> list:
    """Keep what the user typed, show what changed meanwhile, and let them save again knowingly."""
    changed_instance = error.instance or instance
    opened_at = error.since or form.cleaned_data.get("version") or 1
    instance.refresh_from_db()
    changed_instance.refresh_from_db()
    form.data = form.data.copy()
    form.data["version"] = instance.version
    if "commitment_version" in form.fields:
        form.data["commitment_version"] = changed_instance.version if changed_instance is not instance else form.data.get("commitment_version", "")
    form.add_error(None, error.messages[0])
    return changes_since(changed_instance, opened_at)


def _posted(request: HttpRequest) -> tuple:
    """A form's data and files when the request is a POST, even an empty one (`request.POST or None`
    would leave a form with nothing posted unbound, and an unbound form has no cleaned data)."""
    if request.method == "POST":
        return request.POST, request.FILES
    return None, None


def update_create(request: HttpRequest, ref: str) -> HttpResponse:
    commitment = access.access_commitment(request.user, ref, "report")
    pending = selectors.updates_editable_by(request.user).filter(commitment=commitment).first()
    if pending is not None:
        messages.info(request, _("Your organisation already has an update in progress on this commitment; continue it here."))
        return redirect("update-edit", pk=pending.pk)
    awaiting = selectors.updates_visible_to(request.user).filter(commitment=commitment, state=UpdateState.SUBMITTED).first()
    if awaiting is not None:
        messages.info(request, _("An update on this commitment awaits review; a new one can be written once it has been reviewed."))
        return redirect("update-detail", pk=awaiting.pk)
    cycle = selectors.open_cycle_for(commitment.session.mechanism_id)
    initial = {"proposed_status": commitment.status, "proposed_progress": commitment.progress, "version": commitment.version}
    form = ProgressUpdateForm(*_posted(request), initial=initial)

    def save(arguments: dict) -> ProgressUpdate:
        return services.progress_update_create(
            commitment=commitment, author=request.user, organisation=_reporting_organisation(request, commitment),
            cycle=cycle, commitment_version=form.cleaned_data["version"], **arguments,
        )

    return _update_form(request, form, save, stale_object=commitment, form_key=f"new-{commitment.pk}",
                        context={"commitment": commitment, "cycle": cycle})


def _update_form(request: HttpRequest, form: ProgressUpdateForm, save, *, stale_object, form_key: str, context: dict) -> HttpResponse:
    """Validate and save a progress update form; on a stale edit keep the input and show what changed.
    Files chosen on a form that comes back with an error are kept for it (see `pending_uploads`)."""
    changed = []
    if request.method == "POST":
        pending_uploads.discard(request, form_key, request.POST.getlist("remove_kept"))
        if form.is_valid():
            arguments = _update_arguments(form)
            kept = pending_uploads.files(request, form_key)
            try:
                update = save({**arguments, "evidence_files": [*arguments["evidence_files"], *kept]})
            except services.StaleEdit as error:
                changed = _stale(request, form, stale_object, error)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                pending_uploads.clear(request, form_key)
                _saved_message(request, update)
                return redirect("update-detail", pk=update.pk)
            finally:
                for handle in kept:
                    handle.close()
        if "evidence_files" not in form.errors:  # the files themselves were fine: keep them for the next try
            pending_uploads.keep(request, form_key, form.cleaned_data.get("evidence_files") or [])
    status = 409 if changed else (400 if form.errors else 200)
    context = {**context, "form": form, "changed": changed, "kept_files": pending_uploads.kept(request, form_key)}
    return render(request, "tracker/update_form.html", context, status=status)


def _saved_message(request: HttpRequest, update: ProgressUpdate) -> None:
    if update.state == UpdateState.SUBMITTED:
        messages.success(request, _("Your update was submitted; the coordinators have been told."))
    else:
        messages.success(request, _("Your draft was saved. Submit it when it is ready."))


def update_edit(request: HttpRequest, pk: int) -> HttpResponse:
    update = access.access_update(request.user, pk, "edit")
    initial = {
        "proposed_status": update.proposed_status, "proposed_progress": update.proposed_progress, "narrative": update.narrative,
        "narrative_zh": update.narrative_zh, "next_steps": update.next_steps, "next_steps_zh": update.next_steps_zh,
        "not_pursued_reason": update.not_pursued_reason, "internal_note": update.internal_note,
        "version": update.version, "commitment_version": update.commitment.version,
    }
    form = ProgressUpdateForm(*_posted(request), initial=initial)

    def save(arguments: dict) -> ProgressUpdate:
        return services.progress_update_edit(
            update=update, by=request.user, update_version=form.cleaned_data["version"],
            commitment_version=form.cleaned_data.get("commitment_version"), **arguments,
        )

    context = {"commitment": update.commitment, "update": update, "cycle": update.cycle}
    return _update_form(request, form, save, stale_object=update, form_key=f"edit-{update.pk}", context=context)


def _update_page(request: HttpRequest, update: ProgressUpdate, *, review_form: ReviewForm | None = None, status: int = 200) -> HttpResponse:
    """The update page: its content in the reader's language, its review history and what changed
    since it was returned, and only the actions this person may take on it."""
    user = request.user
    may_review = access.may(user, "review", update)
    if review_form is None and may_review and update.state == UpdateState.SUBMITTED:
        review_form = ReviewForm.for_update(update)
    context = {
        "update": update,
        "commitment": update.commitment,
        "show_internal_note": access.may(user, "see_internal_note", update),
        "may_edit": access.may(user, "edit", update),
        "may_withdraw": update.state == UpdateState.SUBMITTED and access.may(user, "withdraw", update),
        "review_form": review_form if may_review and update.state == UpdateState.SUBMITTED else None,
        "may_review": may_review,
        "next_in_queue": selectors.next_in_queue(user, after=update) if may_review and update.state != UpdateState.SUBMITTED else None,
        "texts": review.texts_in_languages(update),
        **review.review_context(update),
    }
    return render(request, "tracker/update_detail.html", context, status=status)


def _update_to_review(request: HttpRequest, pk: int) -> ProgressUpdate | None:
    """The update, or None (with a message) when its author withdrew it before this reviewer decided."""
    try:
        return access.access_update(request.user, pk)
    except Http404:
        if not selectors.withdrawn_from_review(request.user, pk):
            raise
    messages.info(request, _("Its author withdrew this update before it was reviewed; it will come back to the queue when submitted again."))
    return None


def update_detail(request: HttpRequest, pk: int) -> HttpResponse:
    update = _update_to_review(request, pk)
    return _update_page(request, update) if update is not None else redirect("review-queue")


@require_POST
def update_review(request: HttpRequest, pk: int) -> HttpResponse:
    """Accept (with the wording as the coordinator corrected it) or return an update, then stay on
    it: the page confirms what was done and offers the next update in the queue."""
    update = _update_to_review(request, pk)
    if update is None:
        return redirect("review-queue")
    access.require(request.user, "review", update)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        return _update_page(request, update, review_form=form, status=400)
    arguments = {"update": update, "reviewer": request.user, "comment": form.cleaned_data["comment"], "update_version": form.cleaned_data["version"]}
    try:
        if form.cleaned_data["decision"] == "accept":
            services.progress_update_accept(**arguments, **form.wording())
            messages.success(request, _("Accepted: %(ref)s now shows this update.") % {"ref": update.commitment.ref})
        else:
            services.progress_update_return(**arguments)
            messages.success(request, _("Returned to %(author)s with your comment.") % {"author": update.author.get_full_name() or update.author.username})
    except ValidationError as error:
        update = _update_to_review(request, pk)
        if update is None:
            return redirect("review-queue")
        if update.state != UpdateState.SUBMITTED:  # reviewed meanwhile: nothing left to decide
            messages.error(request, " ".join(error.messages))
            return redirect("update-detail", pk=update.pk)
        # Changed meanwhile: show it as it is now, keep what the coordinator typed, and let them decide again knowingly.
        form.data = form.data.copy()
        form.data["version"] = update.version
        if hasattr(error, "error_dict"):
            for field_name, errors in error.error_dict.items():
                form.add_error(field_name if field_name in form.fields else None, errors)
        else:
            form.add_error(None, error)
        return _update_page(request, update, review_form=form, status=409 if isinstance(error, services.StaleEdit) else 400)
    return redirect("update-detail", pk=update.pk)


@require_POST
def update_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """An official takes back an update submitted by mistake, before anyone has reviewed it."""
    update = access.access_update(request.user, pk, "withdraw")
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = -1  # a form without its version is out of date: refuse rather than guess
    try:
        services.progress_update_withdraw(update=update, by=request.user, update_version=version)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("update-detail", pk=update.pk)
    messages.success(request, _("Your update was withdrawn and is a draft again: change it and submit it when it is ready."))
    return redirect("update-detail", pk=update.pk)


def evidence_download(request: HttpRequest, pk: int) -> FileResponse:
    """Evidence files are served only to those who may see their update, never from a public folder."""
    evidence = access.access_evidence(request.user, pk)
    if not evidence.file:  # a link: nothing to download here
        raise Http404
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=evidence.file.name.rsplit("/", 1)[-1])


def review_queue(request: HttpRequest) -> HttpResponse:
    access.require(request.user, "review", ProgressUpdate)
    updates = selectors.with_previous_returns(selectors.updates_reviewable_by(request.user))
    # the menu's count of the same queue, cached until the data changes: no second COUNT of it
    context = paging.page_of(request, updates, REVIEWS_PER_PAGE, count=selectors.review_count(request.user))
    return render(request, "tracker/review_queue.html", {**context, "updates": context["page"].object_list})


def my_commitments(request: HttpRequest) -> HttpResponse:
    """An official's desk: what their organisations own, what each open cycle awaits, what came back.
    Every list is bounded: a bureau may own thousands of commitments, so the table is paged, and each
    cycle shows its first commitments due with a link to all of them on the filtered list."""
    organisations = selectors.organisations_of(request.user, [Role.OFFICIAL])
    owned = selectors.commitments_visible_to(request.user).owned_by(organisations)
    organisation_ids = tuple(selectors.organisation_ids_of(request.user, [Role.OFFICIAL]))
    scope = (organisation_ids, selectors.is_administrator(request.user))  # what the counts below depend on
    paged = paging.page_of(
        request, selectors.with_latest_update(selectors.with_owners(owned)).in_reading_order(), MY_COMMITMENTS_PER_PAGE,
        count=aggregates.cached("my-owned", scope, owned.count),
    )
    commitments = list(paged["page"].object_list)
    # Only an official is asked for reports (a coordinator who is not sees no cycle here).
    open_cycles = list(selectors.cycles_visible_to(request.user).open().order_by("due_on")) if organisations else []
    cycles = [_due_in_cycle(cycle, organisation_ids, scope) for cycle in open_cycles]
    due_commitments = Commitment.objects.in_bulk([pk for entry in cycles for pk in entry["due"]])  # one query for every cycle
    for entry in cycles:  # the ids, in reading order, become the commitments
        entry["due"] = [due_commitments[pk] for pk in entry["due"] if pk in due_commitments]
    cycle_state = _state_in_first_cycle(commitments, open_cycles)
    in_hand = _updates_in_hand(request.user, organisation_ids)
    context = {
        **paged,
        "organisations": organisations,
        "commitments": commitments,
        "cycles": cycles,
        "in_cycle": cycle_state,
        **in_hand,
        # per commitment shown (table and cycles): report, continue, or awaiting review
        "actions": access.update_actions(request.user, commitments + [c for entry in cycles for c in entry["due"]]),
    }
    return render(request, "tracker/my.html", context)


IN_HAND = [  # newest first: the oldest first would hide what just happened
    ("returned", UpdateState.RETURNED, "reviewed_at"), ("drafts", UpdateState.DRAFT, "updated_at"), ("awaiting", UpdateState.SUBMITTED, "submitted_at"),
]


def _updates_in_hand(user, organisation_ids: tuple) -> dict:
    """The organisations' updates returned, in draft and awaiting review: the newest of each and how
    many in all. Which ones is cached until the data changes (sorting an organisation's 1,200
    returned updates took a tenth of the page); the updates themselves are read by id."""
    mine = selectors.updates_visible_to(user).filter(organisation_id__in=organisation_ids)

    def newest_and_counts() -> dict:
        found = {}
        for name, state, when in IN_HAND:
            updates = mine.filter(state=state)
            found[name] = list(updates.order_by(f"-{when}", "-pk").values_list("pk", flat=True)[:MY_UPDATES_SHOWN])
            found[f"{name}_count"] = updates.count()
        return found

    found = aggregates.cached("my-updates-in-hand", (user.pk, organisation_ids), newest_and_counts)
    updates = ProgressUpdate.objects.select_related("commitment", "author", "reviewer").in_bulk([pk for name, *_ in IN_HAND for pk in found[name]])
    return {**found, **{name: [updates[pk] for pk in found[name] if pk in updates] for name, *_ in IN_HAND}}


def _due_in_cycle(cycle: ReportingCycle, organisation_ids: tuple, scope: tuple) -> dict:
    """What /my/ shows of one open cycle: the first commitments the organisations still owe it (as
    ids, in reading order), how many in all, and the link to all of them on the list."""

    def first_and_count() -> tuple[list[int], int]:
        # The cycle is visible, so are its commitments: the database starts from the cycle's
        # mechanism instead of from every commitment the organisations own.
        due = selectors.cycle_outstanding(cycle).owned_by(organisation_ids)
        return list(due.in_reading_order().values_list("pk", flat=True)[:MY_DUE_SHOWN]), due.count()

    # Both read the cycle's updates for every commitment owned: cached until the data changes (and
    # built only then: building the query for nine cycles was a tenth of the page's time).
    due_pks, due_count = aggregates.cached("my-due", (cycle.pk, *scope), first_and_count)
    all_due_url = reverse("commitment-list") + "?" + urlencode({"outstanding_in_cycle": cycle.pk, "mine": "on"})
    return {"cycle": cycle, "due": due_pks, "due_count": due_count, "all_due_url": all_due_url}


def _state_in_first_cycle(commitments: list[Commitment], open_cycles: list[ReportingCycle]) -> dict[int, str]:
    """Per commitment of the table, its state in the first open cycle (by due date) that asks a
    report on it: "" when nothing is written there yet; absent when no open cycle asks."""
    states: dict[int, str] = {}
    mechanisms_shown = {commitment.session.mechanism_id for commitment in commitments}
    shown = [commitment.pk for commitment in commitments]
    for cycle in open_cycles:
        if cycle.mechanism_id not in mechanisms_shown:
            continue  # a cycle asks only about its own mechanism's commitments: none of them is shown
        # The table's rows are owned already: asking by their ids alone lets the database start from them.
        for commitment in selectors.with_cycle_state(selectors.cycle_commitments(cycle).filter(pk__in=shown), cycle):
            states.setdefault(commitment.pk, commitment.cycle_state or "")
    return states


def commitment_manage(request: HttpRequest, ref: str) -> HttpResponse:
    commitment = access.access_commitment(request.user, ref, "manage")
    form = CommitmentAssignForm(*_posted(request)[:1], instance=commitment, initial={"version": commitment.version})
    changed = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.commitment_assign(
                commitment=commitment, by=request.user, lead_organisation=data["lead_organisation"],
                supporting_organisations=list(data["supporting_organisations"]), responsible_officer=data["responsible_officer"],
                due_on=data["due_on"], commitment_version=data["version"],
            )
        except services.StaleEdit as error:
            changed = _stale(request, form, commitment, error)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Owners and due date of %(ref)s saved.") % {"ref": commitment.ref})
            return redirect(commitment.get_absolute_url())
    status = 409 if changed else (400 if form.errors else 200)
    return render(request, "tracker/commitment_manage.html", {"form": form, "commitment": commitment, "changed": changed}, status=status)


def cycle_list(request: HttpRequest) -> HttpResponse:
    cycles = selectors.cycles_visible_to(request.user).annotate(
        accepted=Count("updates", filter=Q(updates__state=UpdateState.ACCEPTED), distinct=True),
        awaiting=Count("updates", filter=Q(updates__state=UpdateState.SUBMITTED), distinct=True),
    )
    return render(request, "tracker/cycle_list.html", {"cycles": cycles, "may_open": access.may(request.user, "open", ReportingCycle)})


def cycle_create(request: HttpRequest) -> HttpResponse:
    access.require(request.user, "open", ReportingCycle)
    mechanisms = selectors.mechanisms_coordinated_by(request.user)
    form = ReportingCycleForm(*_posted(request)[:1], mechanisms=mechanisms)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        cycle = services.cycle_open(
            by=request.user, mechanism=data["mechanism"], title=data["title"], title_zh=data["title_zh"],
            reports_to_session_number=data["reports_to_session_number"], opens_on=data["opens_on"], due_on=data["due_on"],
        )
        messages.success(request, _("Cycle opened: officials now see what is due."))
        return redirect(cycle.get_absolute_url())
    return render(request, "tracker/cycle_form.html", {"form": form}, status=400 if form.errors else 200)


def _drill_down(request: HttpRequest, cycle: ReportingCycle, rows: list[dict], *, may_remind: bool) -> dict | None:
    """One row of completeness opened up (?organisation=<pk>, or "none" for commitments with no
    lead yet): its outstanding commitments, who a reminder would reach, and the same rows in the list."""
    row = next((row for row in rows if row["key"] == request.GET.get("organisation")), None)
    if row is None:
        return None
    organisation_id = row["organisation_id"]
    list_url = None
    if organisation_id is not None:
        query = urlencode({"outstanding_in_cycle": cycle.pk, "lead_organisation": organisation_id})
        list_url = f"{reverse('commitment-list')}?{query}"
    officials = list(selectors.officials_with_email(organisation_id)) if organisation_id is not None else []
    return {
        "row": row,
        "commitments": selectors.cycle_outstanding_led_by(request.user, cycle, organisation_id),
        "officials": officials,
        "list_url": list_url,
        "may_remind": may_remind and bool(officials),
    }


def cycle_detail(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = access.access_cycle(request.user, pk)
    rows = selectors.cycle_completeness(cycle)
    total = sum(row["total"] for row in rows)
    accepted = sum(row["accepted"] for row in rows)
    may_change = access.may(request.user, "change", cycle)
    may_remind = cycle.is_open and access.may(request.user, "remind", cycle)
    context = {
        "cycle": cycle, "rows": rows, "total": total, "accepted": accepted,
        "outstanding": sum(row["outstanding"] for row in rows),
        "percent": round(100 * accepted / total) if total else 100,
        "may_remind": may_remind,
        "may_report_for": access.may(request.user, "report_for", cycle),  # an organisation's workbook
        "may_close": may_change and cycle.closed_on is None,
        "may_reopen": may_change and cycle.closed_on is not None,
        "selected": _drill_down(request, cycle, rows, may_remind=may_remind),
        "all_outstanding_url": f"{reverse('commitment-list')}?{urlencode({'outstanding_in_cycle': cycle.pk})}",
        "reminders": selectors.cycle_reminder_log(cycle),
        "history": selectors.cycle_history(cycle),
    }
    return render(request, "tracker/cycle_detail.html", context)


@require_POST
def cycle_remind(request: HttpRequest, pk: int) -> HttpResponse:
    """Remind those who owe updates: everyone, or the officials of one organisation (its row of
    completeness), optionally about only the commitments ticked in its drill-down."""
    cycle = access.access_cycle(request.user, pk, "remind")
    back = cycle.get_absolute_url()
    if not cycle.is_open:
        messages.error(request, _("No reminder was sent: this cycle is not open."))
        return redirect(back)
    organisation = None
    if request.POST.get("organisation"):
        organisation = selectors.cycle_lead_organisation(cycle, request.POST["organisation"])
        if organisation is None:
            messages.error(request, _("No reminder was sent: that organisation leads nothing in this cycle."))
            return redirect(back)
        back = f"{back}?{urlencode({'organisation': organisation.pk})}#outstanding"
    commitments = None
    if request.POST.get("selected_only"):
        chosen = [value for value in request.POST.getlist("commitment") if re.fullmatch(r"[0-9]{1,12}", value)]
        commitments = list(selectors.cycle_outstanding(cycle).filter(pk__in=chosen))
        if not commitments:
            messages.error(request, _("No reminder was sent: tick at least one commitment still awaiting an update."))
            return redirect(back)
    sent = notifications.send_cycle_reminders(
        cycle, kind=ReminderKind.BY_COORDINATOR, organisation=organisation, commitments=commitments,
        base_url=notifications.link_base(request),
    )
    if sent and organisation is not None:
        messages.success(request, ngettext(
            "Reminder sent to %(count)s official of %(organisation)s.",
            "Reminders sent to %(count)s officials of %(organisation)s.", sent,
        ) % {"count": sent, "organisation": organisation.display_name})
    elif sent:
        messages.success(request, _("Reminders sent to %(count)s officials.") % {"count": sent})
    else:
        messages.info(request, _("No reminder was sent: everyone who owes an update was already reminded today, or nothing is owed."))
    return redirect(back)


@require_http_methods(["GET", "POST"])
def cycle_close(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks for confirmation, saying what is still outstanding; POST closes the cycle."""
    cycle = access.access_cycle(request.user, pk, "change")
    if request.method == "POST":
        services.cycle_close(cycle=cycle, by=request.user)
        messages.success(request, _("The cycle is closed."))
        return redirect(cycle.get_absolute_url())
    if cycle.closed_on is not None:
        messages.info(request, _("This cycle is already closed."))
        return redirect(cycle.get_absolute_url())
    rows = selectors.cycle_completeness(cycle)
    today = timezone.localdate()
    context = {
        "cycle": cycle,
        "outstanding": sum(row["outstanding"] for row in rows),
        "submitted": sum(row["submitted"] for row in rows),
        "organisations": sum(1 for row in rows if row["outstanding"]),
        "opened_today": cycle.opens_on == today,
        "before_due": today < cycle.due_on,
    }
    return render(request, "tracker/cycle_confirm_close.html", context)


@require_POST
def cycle_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = access.access_cycle(request.user, pk, "change")
    services.cycle_reopen(cycle=cycle, by=request.user)
    messages.success(request, _("The cycle is open again: officials see what is due and reminders resume."))
    return redirect(cycle.get_absolute_url())
