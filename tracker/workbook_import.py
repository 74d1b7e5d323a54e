"""The progress workbook (`tracker.workbook`) back from an official, saved as draft updates through
the same services as the web form.

Three steps, so that nothing is written until every row has been checked:

- `read_workbook(file)` (`tracker.workbook_reading`): the rows of the XLSX or CSV; no database.
- `plan_upload(user, rows, cycle)`: what each filled row would do (create a draft, continue the
  organisation's draft, nothing because it is unchanged), or why it cannot: unknown ref, a
  commitment the person may not report on (`access.may(user, "report", …)`), a commitment not
  asked for in the cycle, a commitment changed since the download (its version), a draft changed
  by someone else since, an update awaiting review, values the web form would refuse (checked by
  that very form). Each problem names its row and column as the person sees them. Writes nothing.
- `apply_upload(user, plan, submit=..., only_valid=...)`: every valid row through
  `services.progress_update_create` / `progress_update_edit` / `progress_update_submit`, in one
  transaction; all or nothing, unless `only_valid` (the valid rows alone, once the person has
  confirmed that).

Uploading the same file twice creates nothing new: a row equal to the organisation's draft (or to
its update already submitted, accepted or returned in this cycle) is unchanged and skipped; a
changed row continues the organisation's draft on that commitment rather than starting a second.
A draft is continued only if it is as the workbook found it, or was last changed by the uploader
(their own earlier upload of the file, say); a colleague's changes are never overwritten.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from memoranda.models import Commitment, Organisation, Status
from tracker import access, selectors, services
from tracker.forms import ProgressUpdateForm
from tracker.models import ProgressUpdate, ReportingCycle, Role, UpdateState
from tracker.workbook import TEXT_FILL_KEYS, reporting_organisation
from tracker.workbook_reading import Problem, Row, WorkbookError, read_workbook

__all__ = ["Problem", "Row", "UploadPlan", "UploadResult", "WorkbookError", "apply_upload", "plan_upload", "read_workbook"]


# Planning -----------------------------------------------------------------------------------------


CREATE, EDIT, SAME_AS_DRAFT, UNCHANGED = "create", "edit", "same_as_draft", "unchanged"


@dataclass
class PlannedRow:
    """What one valid row does. `action`: create (a new draft), edit (continue the organisation's
    draft), same_as_draft (the row says what the organisation's draft says: nothing to save, and
    with "submit all" the draft is submitted as it is), unchanged (the row says what the
    organisation's update already submitted, accepted or returned says: nothing at all)."""

    row: Row
    commitment: Commitment
    action: str
    arguments: dict[str, Any]
    organisation_id: int | None
    update: ProgressUpdate | None = None  # the draft it continues, or the update it equals


@dataclass
class UploadPlan:
    cycle: ReportingCycle
    planned: list[PlannedRow]
    problems: list[Problem]
    organisation_id: int | None = None
    empty_rows: int = 0

    @property
    def is_valid(self) -> bool:
        return not self.problems

    @property
    def to_save(self) -> list[PlannedRow]:
        """Rows that create or change a draft."""
        return [planned for planned in self.planned if planned.action in (CREATE, EDIT)]

    @property
    def unchanged(self) -> list[PlannedRow]:
        """Rows equal to what the organisation already has (drafts among them are submitted with "submit all")."""
        return [planned for planned in self.planned if planned.action in (SAME_AS_DRAFT, UNCHANGED)]

    @property
    def refused_rows(self) -> list[int]:
        return sorted({problem.row for problem in self.problems if problem.row})


def plan_upload(user, rows: list[Row], cycle: ReportingCycle, *, organisation: Organisation | None = None) -> UploadPlan:
    """Check every filled row against the database, writing nothing: what each would do, and every
    problem, by row and column. `organisation`: report for it (it must own each commitment), rather
    than for the user's organisation that owns each commitment, as the web form does."""
    filled = [row for row in rows if row.is_filled]
    plan = UploadPlan(cycle=cycle, planned=[], problems=[], organisation_id=getattr(organisation, "pk", None),
                      empty_rows=len(rows) - len(filled))
    refs = {row.ref for row in filled if row.ref}
    commitments = {
        c.ref: c
        for c in selectors.with_owners(selectors.commitments_visible_to(user)).filter(ref__in=refs)
    }
    in_cycle = set(selectors.cycle_commitments(cycle).filter(ref__in=refs).values_list("ref", flat=True))
    official_of = set(selectors.organisations_of(user, [Role.OFFICIAL]).values_list("pk", flat=True))
    ids = [c.pk for c in commitments.values()]
    # Per commitment and organisation: the draft (or returned update) a row continues, as the web
    # form continues it; and every update of this cycle, whatever its state: a row equal to one of
    # them is unchanged (the same file uploaded again, perhaps after submitting).
    drafts: dict[tuple[int, int | None], ProgressUpdate] = {}
    for update in selectors.updates_editable_by(user).filter(commitment__in=ids).prefetch_related("evidence").order_by("-updated_at", "-pk"):
        drafts.setdefault((update.commitment_id, update.organisation_id), update)
    in_this_cycle: dict[tuple[int, int | None], list[ProgressUpdate]] = {}
    for update in selectors.updates_visible_to(user).filter(commitment__in=ids, cycle=cycle).prefetch_related("evidence"):
        in_this_cycle.setdefault((update.commitment_id, update.organisation_id), []).append(update)
    # Entering an organisation's workbook for it (a coordinator): its drafts are its own and not
    # seen, so a row on which it has one in hand is refused rather than starting a second.
    unseen_in_progress = set()
    if organisation is not None:
        unseen_in_progress = set(ProgressUpdate.objects.filter(
            commitment__in=ids, organisation=organisation, state__in=[UpdateState.DRAFT, UpdateState.RETURNED],
        ).exclude(pk__in=[update.pk for update in drafts.values()]).values_list("commitment_id", "organisation_id"))
    awaiting = set(selectors.updates_visible_to(user).filter(commitment__in=ids, state=UpdateState.SUBMITTED).values_list("commitment_id", flat=True))
    first_row_of: dict[str, int] = {}
    for row in filled:
        problems = list(row.problems)
        commitment = commitments.get(row.ref)
        if not row.ref:
            problems.append(row.problem(_("the row has values to save but no ref."), "ref"))
        elif row.ref in first_row_of:
            problems.append(row.problem(_("%(ref)s appears twice (also in row %(row)s).") % {"ref": row.ref, "row": first_row_of[row.ref]}, "ref"))
        elif commitment is None:
            problems.append(row.problem(_("there is no commitment %(ref)s.") % {"ref": row.ref}, "ref"))
        elif not (access.may(user, "report", commitment) or (organisation is not None and access.may(user, "report_for", commitment))):
            problems.append(row.problem(_("you may not report on %(ref)s: only officials of the organisations that own it may.") % {"ref": row.ref}, "ref"))
        elif row.ref not in in_cycle:
            problems.append(row.problem(_("%(ref)s is not asked for in “%(cycle)s”.") % {"ref": row.ref, "cycle": cycle.display_title}, "ref"))
        elif organisation is not None and organisation.pk not in _owners(commitment):
            problems.append(row.problem(_("%(organisation)s does not lead or support %(ref)s.") % {"organisation": organisation.display_name, "ref": row.ref}, "ref"))
        first_row_of.setdefault(row.ref, row.number)
        if problems or commitment is None:
            plan.problems.extend(problems)
            continue
        organisation_id = organisation.pk if organisation is not None else reporting_organisation(commitment, official_of)
        draft = drafts.get((commitment.pk, organisation_id))
        arguments = _arguments(row, commitment, draft)
        theirs = [update for update in [draft, *in_this_cycle.get((commitment.pk, organisation_id), [])] if update is not None]
        same_as = next((update for update in theirs if _same(update, arguments)), None)
        if same_as is not None:
            # A returned update is not resubmitted untouched by a "submit all": its reviewer asked for changes.
            action = SAME_AS_DRAFT if same_as.state == UpdateState.DRAFT else UNCHANGED
            if action == SAME_AS_DRAFT and row.version != commitment.version:
                plan.problems.append(_stale(row, commitment))
                continue
            plan.planned.append(PlannedRow(row, commitment, action, {}, organisation_id, same_as))
            continue
        if draft is None and (commitment.pk, organisation_id) in unseen_in_progress:
            plan.problems.append(row.problem(_("%(organisation)s has an update on %(ref)s in progress on the site; its officials "
                                               "submit it, or take it back, before another is entered for them.")
                                             % {"organisation": organisation.display_name, "ref": row.ref}, "ref"))
            continue
        problems = _row_problems(row, commitment, arguments, draft, awaiting, user)
        if problems:
            plan.problems.extend(problems)
            continue
        arguments["evidence_links"] = [link for link in arguments["evidence_links"] if link not in _links(draft)]
        plan.planned.append(PlannedRow(row, commitment, EDIT if draft else CREATE, arguments, organisation_id, draft))
    return plan


def _owners(commitment: Commitment) -> set[int | None]:
    return {commitment.lead_organisation_id, *(o.pk for o in commitment.supporting_organisations.all())}


def _links(update: ProgressUpdate | None) -> list[str]:
    return [evidence.url for evidence in update.evidence.all() if evidence.url] if update is not None else []


def _arguments(row: Row, commitment: Commitment, draft: ProgressUpdate | None) -> dict[str, Any]:
    """The update the row asks for, as the services take it. A column the file lacks keeps the
    draft's value; an empty status or % keeps the draft's, else the commitment's current one."""
    values = row.values
    status = values.get("proposed_status") or (draft.proposed_status if draft else commitment.status)
    progress = values.get("proposed_progress")
    if progress is None:
        progress = 100 if status == Status.COMPLETED else (draft.proposed_progress if draft else commitment.progress)
    arguments = {"proposed_status": status, "proposed_progress": progress}
    for key in TEXT_FILL_KEYS:
        arguments[key] = values[key] if values.get(key) is not None else (getattr(draft, key) if draft else "")
    links = values.get("evidence_links")
    arguments["evidence_links"] = list(dict.fromkeys(links if links is not None else _links(draft)))
    return arguments


def _normal(text: str) -> str:
    return text.replace("\r\n", "\n").strip()


def _same(update: ProgressUpdate, arguments: dict[str, Any]) -> bool:
    """Whether the update already says what the row says (its links included)."""
    return (
        update.proposed_status == arguments["proposed_status"]
        and update.proposed_progress == arguments["proposed_progress"]
        and all(_normal(getattr(update, key)) == _normal(arguments[key]) for key in TEXT_FILL_KEYS)
        and set(arguments["evidence_links"]) <= set(_links(update))
    )


def _row_problems(row: Row, commitment: Commitment, arguments: dict, draft: ProgressUpdate | None, awaiting: set[int], user) -> list[Problem]:
    """What keeps a changed row from being saved: a stale version, an update awaiting review, or
    values the web form would refuse (checked by that very form)."""
    if row.version is None:
        return [row.problem(_("the version is missing. Download the workbook again and copy your text into it."), "version")]
    if row.version != commitment.version:
        return [_stale(row, commitment)]
    if draft is not None and row.draft != (draft.pk, draft.version) and _last_changed_by(draft) != user.pk:
        return [row.problem(_("your organisation's draft on %(ref)s was changed by someone else after this workbook was downloaded. "
                              "Download the workbook again: it comes with their changes.") % {"ref": commitment.ref}, "ref")]
    if draft is None and commitment.pk in awaiting:
        return [row.problem(_("an update on %(ref)s awaits review; a new one can be written once it has been reviewed.") % {"ref": commitment.ref}, "ref")]
    form = ProgressUpdateForm({
        **{key: arguments[key] for key in ("proposed_status", "proposed_progress", *TEXT_FILL_KEYS)},
        "evidence_links": "\n".join(arguments["evidence_links"]), "version": row.version,
    })
    if form.is_valid():
        return []
    problems = []
    for name, messages in form.errors.items():
        key = _column_of(name, row)
        problems.extend(row.problem(message, key) for message in messages)
    return problems


def _stale(row: Row, commitment: Commitment) -> Problem:
    return row.problem(_("%(ref)s was changed on the site after this workbook was downloaded, so this row was not saved. "
                         "Download the workbook again and copy your text into it.") % {"ref": commitment.ref}, "ref")


def _column_of(form_field: str, row: Row) -> str:
    """The column a form field's error belongs to; "say what progress was made" goes to whichever
    narrative column the file has."""
    if form_field == "narrative" and "narrative" not in row.columns and "narrative_zh" in row.columns:
        return "narrative_zh"
    return form_field if form_field in row.columns else ""


def _last_changed_by(update: ProgressUpdate) -> int | None:
    last = update.history.order_by("-history_date", "-history_id").values_list("history_user_id", flat=True).first()
    return last


# Saving -------------------------------------------------------------------------------------------


@dataclass
class UploadResult:
    created: list[ProgressUpdate]
    updated: list[ProgressUpdate]
    unchanged: list[PlannedRow]
    submitted: bool


def apply_upload(user, plan: UploadPlan, *, submit: bool = False, only_valid: bool = False) -> UploadResult:
    """Save every valid row of `plan` as a draft update (submitted, with `submit`) of the uploader's
    organisation, through the web form's services, in one transaction. A plan with problems saves
    nothing (`WorkbookError`) unless `only_valid`: the valid rows alone, once confirmed. Anything
    refused while saving (a commitment changed since the plan was made) undoes the whole upload."""
    if plan.problems and not only_valid:
        raise WorkbookError(plan.problems)
    result = UploadResult(created=[], updated=[], unchanged=[], submitted=submit)
    with transaction.atomic():
        # In the order of the commitments, so that two uploads at once take their locks in the same order.
        for planned in sorted(plan.planned, key=lambda planned: planned.commitment.pk):
            try:
                _save(user, plan, planned, submit, result)
            except ValidationError as error:  # StaleEdit included; raising undoes the whole upload
                raise WorkbookError([planned.row.problem(" ".join(error.messages), "ref")]) from None
    return result


def _save(user, plan: UploadPlan, planned: PlannedRow, submit: bool, result: UploadResult) -> None:
    if planned.action == UNCHANGED or (planned.action == SAME_AS_DRAFT and not submit):
        result.unchanged.append(planned)
        return
    # What the plan saw is checked again under lock, as the services lock (the update, then its
    # commitment, so that an upload and a web form never wait on each other): the edit and submit
    # services take the commitment's version on trust, and anything may have moved since the plan.
    # (An update started meanwhile by another upload of the same rows, or on the web form, is the
    # create service's to find: an organisation has one update in progress per commitment.)
    if planned.update is not None:
        draft = ProgressUpdate.objects.select_for_update().filter(pk=planned.update.pk).first()  # None: archived meanwhile
        if draft is None or draft.version != planned.update.version or not draft.is_editable:
            raise services.StaleEdit(_("Your organisation's draft on %(ref)s changed while this upload was being checked; "
                                       "nothing was saved. Upload the workbook again.") % {"ref": planned.commitment.ref}, code="stale")
    commitment = Commitment.objects.select_for_update().filter(pk=planned.commitment.pk).first()
    if commitment is None or commitment.version != planned.row.version:
        raise services.StaleEdit(
            _("%(ref)s was changed on the site after this workbook was downloaded; nothing was saved. "
              "Download the workbook again and copy your text into it.") % {"ref": planned.commitment.ref}, code="stale")
    if planned.action == SAME_AS_DRAFT:
        result.updated.append(services.progress_update_submit(update=planned.update, by=user))
        return
    arguments = {**planned.arguments, "submit": submit, "commitment_version": planned.row.version}
    if planned.action == EDIT:
        update = services.progress_update_edit(
            update=planned.update, by=user, update_version=planned.update.version,
            internal_note=planned.update.internal_note, **arguments,
        )
        result.updated.append(update)
    else:
        organisation = Organisation.objects.filter(pk=planned.organisation_id).first() if planned.organisation_id else None
        update = services.progress_update_create(
            commitment=commitment, author=user, cycle=plan.cycle, organisation=organisation, **arguments,
        )
        result.created.append(update)
