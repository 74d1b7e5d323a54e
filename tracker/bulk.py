"""Bulk actions of coordinators: many commitments changed at once, many updates accepted at once.

Each goes through the one-object services (`services.commitment_assign`,
`services.progress_update_accept`), so a bulk change is recorded exactly like the same change
made one commitment at a time: one history entry per commitment changed, under the coordinator's
name. Each object is checked with `access.may` before anything is written.

- Changing commitments is all or nothing: one transaction; if any selected commitment may not be
  managed, or would fail validation, nothing is changed and every problem is reported.
- Accepting updates is one by one: each update is accepted in its own transaction with its own
  version check, so an update that changed since the page was loaded is refused as stale while
  the others are accepted.
"""
from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from memoranda.models import Commitment, Organisation, Status
from tracker import access, selectors, services
from tracker.models import ProgressUpdate, ReportingCycle
from tracker.selectors import User, is_administrator

# The most objects one bulk action takes: every row of a large filtered list is one service call,
# so a request has to stay within what a web worker does in seconds.
MAX_SELECTED = 1000


class Unchanged:
    """Leave this field as each commitment has it."""

    def __repr__(self) -> str:
        return "UNCHANGED"


UNCHANGED = Unchanged()


@dataclass
class BulkRefused(Exception):
    """Nothing was changed: `problems` says, per commitment (its ref), why. `not_permitted` counts
    the commitments refused because the user may not manage them."""

    problems: list[tuple[str, str]]
    not_permitted: int = 0

    def __str__(self) -> str:
        return "; ".join(f"{ref}: {reason}" for ref, reason in self.problems)


@dataclass
class AssignResult:
    changed: list[Commitment] = field(default_factory=list)
    unchanged: list[Commitment] = field(default_factory=list)  # already as asked: no history entry


def may_manage_any(user: User) -> bool:
    """Whether the user is someone who manages commitments at all (an administrator, or a
    coordinator with the permission and a mechanism): whom the list offers its bulk actions to.
    Whether they may manage a given commitment is `access.may(user, "manage", commitment)`."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if is_administrator(user):
        return True
    return user.has_perm("memoranda.change_commitment") and selectors.mechanisms_coordinated_by(user).exists()


def with_may_manage(user: User, commitments: QuerySet[Commitment]) -> QuerySet[Commitment]:
    """Annotate `may_manage` on each row, in the same query: which rows of the list get a
    checkbox. It mirrors the "manage" rule of `tracker.access` for a whole page at once (may()
    costs queries per row); the bulk action itself asks `access.may` of every commitment again, so
    a checkbox shown wrongly could never change anything."""
    if not may_manage_any(user):
        return commitments.annotate(may_manage=Exists(Commitment.objects.none()))
    managed = selectors.commitments_managed_by(user).filter(pk=OuterRef("pk"))
    return commitments.annotate(may_manage=Exists(managed))


def organisations_for_bulk(user: User) -> QuerySet[Organisation]:
    """The organisations a coordinator may name as owners: those of their mechanisms' parties."""
    return (
        Organisation.objects.filter(party__mechanisms__in=selectors.mechanisms_coordinated_by(user))
        .select_related("party").distinct().order_by("party__code", "name")
    )


def cycles_for_bulk(user: User) -> QuerySet[ReportingCycle]:
    """The open reporting cycles of the user's mechanisms."""
    return ReportingCycle.objects.open().filter(mechanism__in=selectors.mechanisms_coordinated_by(user)).select_related("mechanism").order_by("due_on", "pk")


def _takes_part(organisation: Organisation, commitment: Commitment) -> bool:
    party_ids = {party.pk for party in commitment.session.mechanism.parties.all()}
    return organisation.party_id in party_ids


@transaction.atomic
def commitments_bulk_assign(
    *,
    commitments: Sequence[Commitment],
    by: AbstractBaseUser,
    lead_organisation: Organisation | Unchanged = UNCHANGED,
    add_supporting: Sequence[Organisation] = (),
    replace_supporting: Sequence[Organisation] | Unchanged = UNCHANGED,
    due_on: datetime.date | None | Unchanged = UNCHANGED,
) -> AssignResult:
    """Set the lead organisation, add or replace supporting organisations, or set the due date of
    many commitments, in one transaction: all of them, or (`BulkRefused`) none.

    Each commitment is locked, checked with `access.may(by, "manage", …)`, and changed through
    `services.commitment_assign` (with its version, so that nobody's change made meanwhile is
    overwritten), which records one history entry per commitment. A commitment already as asked
    is left alone: no entry says nothing changed."""
    pks = [commitment.pk for commitment in commitments]
    if len(pks) > MAX_SELECTED:
        raise BulkRefused([("", _("At most %(max)d commitments can be changed at once.") % {"max": MAX_SELECTED})])
    locked = {
        commitment.pk: commitment
        for commitment in Commitment.objects.select_for_update(of=("self",)).filter(pk__in=pks)
        .select_related("session__mechanism", "lead_organisation").prefetch_related("supporting_organisations", "session__mechanism__parties")
    }
    # The organisations this action names; those a commitment already has are left as they are.
    named = [*([] if isinstance(lead_organisation, Unchanged) else [lead_organisation]), *add_supporting]
    named += [] if isinstance(replace_supporting, Unchanged) else list(replace_supporting)
    problems: list[tuple[str, str]] = []
    not_permitted = 0
    plans: list[tuple[Commitment, Organisation | None, list[Organisation], datetime.date | None]] = []
    for original in commitments:
        commitment = locked.get(original.pk)
        if commitment is None:
            problems.append((original.ref, _("It no longer exists (archived meanwhile?).")))
            continue
        if not access.may(by, "manage", commitment):
            not_permitted += 1
            problems.append((commitment.ref, str(access.REFUSALS[Commitment, "manage"])))
            continue
        lead = commitment.lead_organisation if isinstance(lead_organisation, Unchanged) else lead_organisation
        supporting = list(commitment.supporting_organisations.all())
        if not isinstance(replace_supporting, Unchanged):
            supporting = list(replace_supporting)
        supporting += [organisation for organisation in add_supporting if organisation not in supporting]
        supporting = [organisation for organisation in supporting if organisation != lead]
        due = commitment.due_on if isinstance(due_on, Unchanged) else due_on
        strangers = [o for o in named if not _takes_part(o, commitment)]
        if strangers:
            problems.append((commitment.ref, ngettext(
                "%(organisations)s takes no part in %(mechanism)s.", "%(organisations)s take no part in %(mechanism)s.", len(strangers)
            ) % {
                "organisations": ", ".join(o.display_name for o in strangers), "mechanism": commitment.session.mechanism.code,
            }))
            continue
        plans.append((commitment, lead, supporting, due))
    if problems:
        raise BulkRefused(problems, not_permitted)

    result = AssignResult()
    for commitment, lead, supporting, due in plans:
        before = (commitment.lead_organisation_id, {o.pk for o in commitment.supporting_organisations.all()}, commitment.due_on)
        if before == (lead.pk if lead else None, {o.pk for o in supporting}, due):
            result.unchanged.append(commitment)
            continue
        try:
            changed = services.commitment_assign(
                commitment=commitment, by=by, lead_organisation=lead, supporting_organisations=supporting,
                responsible_officer=commitment.responsible_officer, due_on=due, commitment_version=commitment.version,
            )
        except ValidationError as error:  # its own savepoint is undone; the others are undone below
            problems.append((commitment.ref, " ".join(error.messages)))
        else:
            result.changed.append(changed)
    if problems:
        raise BulkRefused(problems)
    return result


@dataclass
class CycleCoverage:
    """Which of some commitments a reporting cycle asks a report on, and why not the others."""

    cycle: ReportingCycle
    covered: list[Commitment] = field(default_factory=list)
    not_covered: list[tuple[Commitment, str]] = field(default_factory=list)


def cycle_coverage(*, cycle: ReportingCycle, commitments: Iterable[Commitment]) -> CycleCoverage:
    """A reporting cycle has no list of commitments to add to: it asks for a report on every
    commitment of its mechanism from the sessions before the one it reports to, unless finished
    (`selectors.cycle_commitments`). So "adding to a cycle" is answered with what the cycle already
    covers and, for the others, why it cannot (another mechanism, a later session, finished).
    Writes nothing."""
    commitments = list(commitments)
    in_cycle = set(selectors.cycle_commitments(cycle).filter(pk__in=[c.pk for c in commitments]).values_list("pk", flat=True))
    coverage = CycleCoverage(cycle=cycle)
    for commitment in commitments:
        if commitment.pk in in_cycle:
            coverage.covered.append(commitment)
        elif commitment.session.mechanism_id != cycle.mechanism_id:
            coverage.not_covered.append((commitment, _("of another mechanism")))
        elif commitment.session.number >= cycle.reports_to_session_number:
            coverage.not_covered.append((commitment, _("agreed at or after the session the cycle reports to")))
        else:
            coverage.not_covered.append((commitment, _("finished (%(status)s)") % {"status": Status(commitment.status).label}))
    return coverage


@dataclass
class AcceptResult:
    accepted: list[ProgressUpdate] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (what: a ref or "#id", why)


def progress_updates_bulk_accept(*, versions: dict[int, int | None], by: AbstractBaseUser) -> AcceptResult:
    """Accept several submitted updates, each as if accepted on its own page: checked with
    `access.may(by, "review", …)`, then `services.progress_update_accept` with the version the
    coordinator saw (`versions`: update id → version, None when the form did not say), in its own
    transaction. An update that cannot be accepted is refused with the reason; the others are
    accepted all the same."""
    result = AcceptResult()
    found = {
        update.pk: update
        for update in selectors.updates_visible_to(by).filter(pk__in=list(versions)[:MAX_SELECTED])
        .select_related("commitment__session__mechanism", "author", "organisation")
    }
    for pk, version in list(versions.items())[:MAX_SELECTED]:
        update = found.get(pk)
        if update is None:
            result.refused.append((f"#{pk}", _("No such update awaits your review.")))
            continue
        label = update.commitment.ref
        if not access.may(by, "review", update):
            result.refused.append((label, str(access.REFUSALS[ProgressUpdate, "review"])))
            continue
        if version is None:
            result.refused.append((label, _("The page did not say which version of the update you saw; reload it and try again.")))
            continue
        try:
            result.accepted.append(services.progress_update_accept(update=update, reviewer=by, update_version=version))
        except ValidationError as error:
            result.refused.append((label, " ".join(error.messages)))
    if len(versions) > MAX_SELECTED:
        result.refused.append(("", _("At most %(max)d updates can be accepted at once; the others were left.") % {"max": MAX_SELECTED}))
    return result
