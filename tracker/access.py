"""Who may see what and do what: the one rule, written once.

Every page, export, report, template and the admin asks here:

- `may(user, action, obj)`: whether the user may do `action` to `obj` (a commitment, a progress
  update, a piece of evidence, a reporting cycle, a session, a snapshot, a mechanism). Given a
  model instead of an object (`may(user, "review", ProgressUpdate)`), whether the user's role
  may do that to such objects at all: what the navigation and pages of no one object ask.
- `access_commitment(user, ref, action)` and its siblings, one per kind of object a URL names: the
  object, or 404 when the user may not see it (so nothing says it exists) and 403, with a
  refusal that says who may, when they may see it but not do `action`.
- `require(user, action, obj)`: the same 403 for what a view holds already or for a kind of object.

Which rows each person sees is the row-level rule of `tracker.selectors` (`commitments_visible_to`
and the rest): this module turns it into answers about one object. Roles (Django permissions held
through the role groups, `tracker.roles`) say what kind of thing a person does; the row-level rule
says to which rows. Both are asked here, so no view, template or admin class repeats either.

Actions, by kind of object:

| object | actions |
|---|---|
| Commitment | view · report (write progress updates) · manage (owners, due date; the admin's change) · undo_carry_forward · review (its updates) · report_for (enter an organisation's workbook) · archive · restore |
| ProgressUpdate | view · edit · withdraw · review · see_internal_note · archive · restore |
| Evidence | view · archive · restore · purge |
| ReportingCycle | view · change (close, reopen) · remind · report_for (an organisation's workbook, downloaded or entered) |
| Mechanism | view · coordinate (open cycles, freeze snapshots) |
| PlenarySession | view · snapshot |
| Snapshot | view |
| a model (a kind) | ProgressUpdate: review (the review queue) · ReportingCycle: open · LogEntry: view (the audit log) |
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.contrib.admin.models import LogEntry
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from memoranda.models import Commitment, Mechanism, PlenarySession
from memoranda.parsing.numerals import whole_number
from tracker import selectors
from tracker.models import Evidence, ExportJob, ProgressUpdate, ReportingCycle, Snapshot, UpdateState
from tracker.selectors import User, is_administrator

VIEW = "view"


# The rules, one per kind of object --------------------------------------------------------------


def _commitment(user: User, action: str, commitment: Commitment) -> bool:
    if action == VIEW:
        return selectors.commitments_visible_to(user).filter(pk=commitment.pk).exists()
    if action == "report":  # officials of the organisations that lead or support it
        return _reportable(user).filter(pk=commitment.pk).exists()
    if action in {"manage", "undo_carry_forward"}:  # the coordinators of its mechanism
        if is_administrator(user):
            return True
        return user.has_perm("memoranda.change_commitment") and selectors.commitments_managed_by(user).filter(pk=commitment.pk).exists()
    if action in {"review", "report_for"}:  # accept or return its updates, or enter the report an
        # organisation sent in a workbook: the coordinators of its mechanism
        return selectors.commitments_reviewable_by(user).filter(pk=commitment.pk).exists()
    if action in {"archive", "restore"}:  # nothing is deleted: an administrator archives and restores
        return is_administrator(user)
    raise ValueError(f"No such action on a commitment: {action!r}")


def _update(user: User, action: str, update: ProgressUpdate) -> bool:
    if action == VIEW:
        return selectors.updates_visible_to(user).filter(pk=update.pk).exists()
    if action == "edit":  # a draft or a returned update of the user's organisation
        return selectors.updates_editable_by(user).filter(pk=update.pk).exists()
    if action == "withdraw":
        # Officials of the organisation that wrote it. Whether it can still be withdrawn (it is
        # submitted, not yet reviewed) is the service's to say, so a late click is told why.
        return selectors.updates_of_own_organisations(user).filter(pk=update.pk).exists()
    if action == "review":
        # The coordinators of its mechanism; as above, whether it still awaits review is the service's.
        return _commitment(user, "review", update.commitment)
    if action == "see_internal_note":  # the organisation that wrote it, and the coordinators
        if is_administrator(user) or update.author_id == user.pk:
            return True
        if selectors.organisations_of(user).filter(pk=update.organisation_id).exists():
            return True
        return _coordinates(user, update.commitment.session.mechanism_id)
    if action in {"archive", "restore"}:
        return is_administrator(user)
    raise ValueError(f"No such action on a progress update: {action!r}")


def _evidence(user: User, action: str, evidence: Evidence) -> bool:
    if action == VIEW:  # whoever may see its update: a draft's evidence stays with its organisation
        return selectors.updates_visible_to(user).filter(pk=evidence.update_id).exists()
    if action in {"archive", "restore", "purge"}:  # purge: the file and the row go, together
        return is_administrator(user)
    raise ValueError(f"No such action on evidence: {action!r}")


def _cycle(user: User, action: str, cycle: ReportingCycle) -> bool:
    if action == VIEW:
        return selectors.cycles_visible_to(user).filter(pk=cycle.pk).exists()
    if action == "change":  # close, reopen: the coordinators of its mechanism
        return user.has_perm("tracker.change_reportingcycle") and _coordinates(user, cycle.mechanism_id)
    if action == "remind":
        return user.has_perm("tracker.remind_reportingcycle") and _coordinates(user, cycle.mechanism_id)
    if action == "report_for":  # an organisation's workbook, downloaded for it or entered from it
        return user.has_perm("tracker.review_progressupdate") and _coordinates(user, cycle.mechanism_id)
    raise ValueError(f"No such action on a reporting cycle: {action!r}")


def _mechanism(user: User, action: str, mechanism: Mechanism) -> bool:
    if action == VIEW:
        return selectors.mechanisms_visible_to(user).filter(pk=mechanism.pk).exists()
    if action == "coordinate":
        return _coordinates(user, mechanism.pk)
    raise ValueError(f"No such action on a mechanism: {action!r}")


def _session(user: User, action: str, session: PlenarySession) -> bool:
    if action == VIEW:
        return _mechanism(user, VIEW, session.mechanism)
    if action == "snapshot":  # freeze its report as at a date: the coordinators of its mechanism
        return user.has_perm("tracker.add_reportingcycle") and _coordinates(user, session.mechanism_id)
    raise ValueError(f"No such action on a session: {action!r}")


def _snapshot(user: User, action: str, snapshot: Snapshot) -> bool:
    if action == VIEW:  # whoever may see its session's report
        return _session(user, VIEW, snapshot.session)
    raise ValueError(f"No such action on a snapshot: {action!r}")


def _coordinates(user: User, mechanism_id: int) -> bool:
    return selectors.mechanisms_coordinated_by(user).filter(pk=mechanism_id).exists()


def _reportable(user: User) -> QuerySet[Commitment]:
    """The commitments the user may report progress on: their organisations', as an official."""
    if not user.has_perm("tracker.submit_progressupdate"):
        return Commitment.objects.none()
    return selectors.commitments_reportable_by(user)


RULES: dict[type[Model], Callable[[User, str, object], bool]] = {
    Commitment: _commitment,
    ProgressUpdate: _update,
    Evidence: _evidence,
    ReportingCycle: _cycle,
    Mechanism: _mechanism,
    PlenarySession: _session,
    Snapshot: _snapshot,
}

# What a role may do to a kind of object, whatever the row: the pages of no one object (the review
# queue, opening a cycle) and the navigation. Which rows is the rules' above (a coordinator reviews
# and opens cycles only for their own mechanisms).
KIND_RULES: dict[tuple[type[Model], str], Callable[[User], bool]] = {
    (ProgressUpdate, "review"): lambda user: user.has_perm("tracker.review_progressupdate"),
    (ReportingCycle, "open"): lambda user: user.has_perm("tracker.add_reportingcycle"),
    (LogEntry, VIEW): is_administrator,  # the audit log: who changed what, and when
}


def may(user: User, action: str, obj: Model | type[Model]) -> bool:
    """Whether `user` may do `action` to `obj` (an object, or a model for "any such object").
    Nobody signed out, and no deactivated account, may do anything."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if isinstance(obj, type):
        return KIND_RULES[obj._meta.concrete_model, action](user)
    rule = RULES[obj._meta.concrete_model]
    if getattr(obj, "archived_at", None) is not None:
        # Archived: seen only by those who may bring it back (administrators), who may also purge
        # archived evidence; nobody works on it meanwhile.
        return action in {VIEW, "restore", "purge"} and rule(user, action if action != VIEW else "restore", obj)
    return rule(user, action, obj)


# What a refusal says: who may do it, so the person knows whom to ask (403.html adds the names).
REFUSALS = {
    (Commitment, "report"): _("Only officials of the organisations that own this commitment may report on it."),
    (Commitment, "manage"): _("Only the coordinators of this mechanism assign its owners."),
    (Commitment, "undo_carry_forward"): _("Only the coordinators of this mechanism may undo carrying a commitment forward."),
    (Commitment, "review"): _("Only the coordinators of this mechanism review its updates."),
    (Commitment, "report_for"): _("Only the coordinators of this mechanism enter an organisation's workbook."),
    (ProgressUpdate, "edit"): _("This update cannot be changed: it has been submitted or accepted, or it is another organisation's."),
    (ProgressUpdate, "withdraw"): _("Only officials of the organisation that wrote this update may withdraw it."),
    (ProgressUpdate, "review"): _("Only the coordinators of this mechanism review its updates."),
    (ReportingCycle, "change"): _("Only the coordinators of this mechanism remind, close or reopen its reporting cycles."),
    (ReportingCycle, "remind"): _("Only the coordinators of this mechanism remind, close or reopen its reporting cycles."),
    (ReportingCycle, "report_for"): _("Only the coordinators of this mechanism download or enter an organisation's workbook."),
    (PlenarySession, "snapshot"): _("Only the coordinators of this mechanism freeze snapshots."),
}
KIND_REFUSALS = {
    (ProgressUpdate, "review"): _("The review queue is for coordinators."),
    (ReportingCycle, "open"): _("Only coordinators open reporting cycles; your account has no coordinator role."),
    (LogEntry, VIEW): _("The audit log is for administrators."),
}
REFUSED = _("Your account may not do this.")  # what 403.html says when nothing more specific is known


def _refusal(obj: Model | type[Model], action: str) -> str:
    if isinstance(obj, type):
        return str(KIND_REFUSALS.get((obj._meta.concrete_model, action), REFUSED))
    return str(REFUSALS.get((obj._meta.concrete_model, action), REFUSED))


def require(user: User, action: str, obj: Model | type[Model]) -> None:
    """403, saying who may, unless the user may do `action` to `obj`."""
    if not may(user, action, obj):
        raise PermissionDenied(_refusal(obj, action))


# The accessors: one per kind of object a URL names -------------------------------------------


def _allowed(user: User, obj: Model | None, action: str):
    """`obj` was fetched from what the user may see (None: not found, or out of sight, and nothing
    tells the two apart): 404 for None, 403 when they may not do `action` to it."""
    if obj is None or not user.is_active:
        raise Http404
    if action != VIEW:
        require(user, action, obj)
    return obj


def _pk(value: str | int) -> int:
    """A primary key named in a URL or a query, or 404: only ASCII digits ("²" is a digit to
    Python, not to the database) and few enough of them for any database's integer."""
    number = whole_number(str(value))  # an <int:…> of the URL can be as long as it likes
    if number is None:
        raise Http404
    return number


def access_commitment(user: User, ref: str, action: str = VIEW, *, for_page: bool = False) -> Commitment:
    """The commitment `ref` names. `for_page`: with everything its page shows (owners, milestones,
    accepted updates, lineage), fetched up front."""
    if for_page:
        commitment = selectors.commitment_for_page(user, ref)
    else:
        commitment = (
            selectors.commitments_visible_to(user).select_related("session__mechanism", "lead_organisation").filter(ref=ref).first()
        )
    return _allowed(user, commitment, action)


def access_update(user: User, pk: int | str, action: str = VIEW) -> ProgressUpdate:
    """The progress update `pk` names, with what its page and its forms show."""
    update = (
        selectors.updates_visible_to(user)
        .select_related("commitment__session__mechanism", "commitment__lead_organisation", "author", "reviewer", "organisation", "cycle")
        .prefetch_related("evidence")
        .filter(pk=_pk(pk))
        .first()
    )
    return _allowed(user, update, action)


def access_evidence(user: User, pk: int | str, action: str = VIEW) -> Evidence:
    """A piece of evidence, seen by whoever may see its update."""
    evidence = Evidence.objects.filter(update__in=selectors.updates_visible_to(user), pk=_pk(pk)).select_related("update").first()
    return _allowed(user, evidence, action)


def access_cycle(user: User, pk: int | str, action: str = VIEW) -> ReportingCycle:
    cycle = selectors.cycles_visible_to(user).filter(pk=_pk(pk)).first()
    return _allowed(user, cycle, action)


def access_export_job(user: User, pk) -> ExportJob:
    """An export job: its requester's alone (an administrator included: it holds what they could see)."""
    return _allowed(user, ExportJob.objects.filter(pk=pk, requested_by=user).first() if user.is_authenticated else None, VIEW)


def access_session(user: User, code: str, number: int, action: str = VIEW) -> PlenarySession:
    """The session a mechanism's code and the session's number name (with its mechanism and memorandum)."""
    return _allowed(user, selectors.session_visible_to(user, code=code, number=number), action)


def access_snapshot(user: User, session: PlenarySession, pk: int | str) -> Snapshot:
    """A snapshot of `session`'s report, named by `pk` (from a URL or a query string): 404 when it
    is not one of that session's, or the user may not see the session."""
    snapshot = (
        Snapshot.objects.filter(session=session, session__mechanism__in=selectors.mechanisms_visible_to(user), pk=_pk(pk))
        .select_related("session__mechanism")
        .first()
    )
    return _allowed(user, snapshot, VIEW)


def access_mechanism(user: User, code: str, action: str = VIEW) -> Mechanism:
    return _allowed(user, selectors.mechanisms_visible_to(user).filter(code=code).first(), action)


# What a person may do about the progress of many commitments at once (a list, "my commitments") --


@dataclass(frozen=True)
class UpdateActions:
    """What a person may do about the progress of one commitment, so that pages offer only that."""

    may_report: bool = False
    editable: ProgressUpdate | None = None  # their organisation's draft, or its update returned for changes
    awaiting: ProgressUpdate | None = None  # the update awaiting review, whoever wrote it
    may_review: bool = False

    @property
    def may_start(self) -> bool:
        """A new update may be written: nothing of theirs is in hand and nothing awaits review."""
        return self.may_report and self.editable is None and self.awaiting is None

    @property
    def review(self) -> ProgressUpdate | None:
        """The update this person should review here, if any."""
        return self.awaiting if self.may_review else None


def update_actions(user: User, commitments: Iterable[Commitment]) -> dict[int, UpdateActions]:
    """For each commitment (of those the user sees), what they may do about its progress: the rules
    "report" and "review" above, for many commitments in a fixed number of queries."""
    pks = [commitment.pk for commitment in commitments]
    if not pks or user is None or not user.is_authenticated or not user.is_active:
        return {pk: UpdateActions() for pk in pks}
    reportable = set(_reportable(user).filter(pk__in=pks).values_list("pk", flat=True))
    editable: dict[int, ProgressUpdate] = {}
    for update in selectors.updates_editable_by(user).filter(commitment_id__in=reportable).order_by("-updated_at", "-pk"):
        editable.setdefault(update.commitment_id, update)
    awaiting: dict[int, ProgressUpdate] = {}
    for update in selectors.updates_visible_to(user).filter(commitment_id__in=pks, state=UpdateState.SUBMITTED).order_by("submitted_at", "pk"):
        awaiting.setdefault(update.commitment_id, update)
    reviewable = set(selectors.commitments_reviewable_by(user).filter(pk__in=pks).values_list("pk", flat=True))
    return {
        pk: UpdateActions(may_report=pk in reportable, editable=editable.get(pk), awaiting=awaiting.get(pk), may_review=pk in reviewable)
        for pk in pks
    }
