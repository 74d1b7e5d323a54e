"""Every read a page makes, starting from what the user may see.

The row-level rule lives here, as querysets: `commitments_visible_to`, `commitments_editable_by`
and their siblings. Every view, export, report and API reads rows through them; whether one user
may do one thing to one object is asked of `tracker.access`, which is built on them.

- Administrators (superusers, or the Administrator group) see and change everything.
- Anyone with a membership sees every commitment of the mechanisms their organisation's party
  takes part in: officials, coordinators and viewers alike read across their conference.
- Officials change (report progress on) what their organisations lead or support.
- Coordinators change everything of their mechanisms. Viewers change nothing.
"""
from __future__ import annotations

import re

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Avg, Case, CharField, Count, Exists, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value, When

from memoranda.models import Commitment, Mechanism, Organisation, PlenarySession, Status, in_language
from tracker import aggregates
from tracker.models import Membership, ProgressUpdate, ReportingCycle, Role, UpdateState
from tracker.roles import ADMINISTRATOR_GROUP

User = AbstractBaseUser | AnonymousUser


def is_administrator(user: User) -> bool:
    """Asked by every rule of a page, so answered once per request (kept on the user object)."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    if not hasattr(user, "_is_administrator"):
        user._is_administrator = user.groups.filter(name=ADMINISTRATOR_GROUP).exists()
    return user._is_administrator


class _Standing:
    """Who the user is in the conference, read once per request in two small queries and kept on
    the user object (as `is_administrator` is): their organisations and those organisations'
    parties, by role, and the mechanisms each party takes part in. Every rule of a page asks; as
    literal ids, each of its queries is simpler to build and to plan than one that nests the
    memberships as subqueries (building those was a third of a commitment page's time)."""

    def __init__(self, user: User) -> None:
        self.memberships = list(Membership.objects.filter(user=user).values_list("organisation_id", "role", "organisation__party_id"))
        parties = {party for _, _, party in self.memberships if party is not None}
        self.mechanisms_of_party: dict[int, set[int]] = {}
        if parties:
            for mechanism, party in Mechanism.parties.through.objects.filter(party_id__in=parties).values_list("mechanism_id", "party_id"):
                self.mechanisms_of_party.setdefault(party, set()).add(mechanism)

    def organisation_ids(self, roles: list[str] | None) -> list[int]:
        return sorted({organisation for organisation, role, _ in self.memberships if roles is None or role in roles})

    def mechanism_ids(self, roles: list[str] | None) -> list[int]:
        parties = {party for _, role, party in self.memberships if roles is None or role in roles}
        return sorted({mechanism for party in parties for mechanism in self.mechanisms_of_party.get(party, ())})


def _standing(user: User) -> _Standing:
    if not hasattr(user, "_standing"):
        user._standing = _Standing(user)
    return user._standing


def organisation_ids_of(user: User, roles: list[str] | None = None) -> list[int]:
    """The ids of the organisations the user belongs to (optionally only in some roles), in order."""
    return _standing(user).organisation_ids(roles) if user.is_authenticated else []


def organisations_of(user: User, roles: list[str] | None = None) -> QuerySet[Organisation]:
    """The organisations the user belongs to, optionally only in some roles."""
    return Organisation.objects.filter(pk__in=organisation_ids_of(user, roles))


def mechanism_ids_visible_to(user: User, roles: list[str] | None = None) -> list[int]:
    """The ids of the mechanisms the user's organisations' parties take part in (optionally
    through memberships in some roles only), in order; administrators see them all."""
    if is_administrator(user):
        return list(Mechanism.objects.order_by("pk").values_list("pk", flat=True))
    return _standing(user).mechanism_ids(roles) if user.is_authenticated else []


def mechanisms_visible_to(user: User) -> QuerySet[Mechanism]:
    if is_administrator(user):
        return Mechanism.objects.all()
    return Mechanism.objects.filter(pk__in=mechanism_ids_visible_to(user))


def mechanisms_coordinated_by(user: User) -> QuerySet[Mechanism]:
    if is_administrator(user):
        return Mechanism.objects.all()
    return Mechanism.objects.filter(pk__in=mechanism_ids_visible_to(user, [Role.COORDINATOR]))


def commitments_visible_to(user: User) -> QuerySet[Commitment]:
    """Every commitment the user may read. The starting point of every read of commitments."""
    if is_administrator(user):
        return Commitment.objects.all()
    return Commitment.objects.filter(session__mechanism_id__in=mechanism_ids_visible_to(user))


def commitments_managed_by(user: User) -> QuerySet[Commitment]:
    """Commitments whose owners and due dates the user may set: their mechanisms', as coordinator."""
    if is_administrator(user):
        return Commitment.objects.all()
    return Commitment.objects.filter(session__mechanism_id__in=mechanism_ids_visible_to(user, [Role.COORDINATOR]))


def commitments_editable_by(user: User) -> QuerySet[Commitment]:
    """Commitments the user may change in any way: manage them, or report progress on them."""
    return commitments_managed_by(user) | commitments_reportable_by(user)


def commitments_reportable_by(user: User) -> QuerySet[Commitment]:
    """Commitments the user may report progress on: those their organisations lead or support,
    as an official."""
    if is_administrator(user):
        return Commitment.objects.all()
    return Commitment.objects.owned_by(organisation_ids_of(user, [Role.OFFICIAL]))


def _of_commitments_in(updates: QuerySet[ProgressUpdate], mechanisms: list[int] | None) -> QuerySet[ProgressUpdate]:
    """Updates of the (unarchived) commitments of `mechanisms` (None: of every mechanism), as a join
    rather than `commitment__in=<commitments>`: with 100,000 commitments the database would
    otherwise walk every commitment to find the few updates an organisation or state selects."""
    updates = updates.filter(commitment__archived_at__isnull=True)
    return updates if mechanisms is None else updates.filter(commitment__session__mechanism_id__in=mechanisms)


def updates_visible_to(user: User) -> QuerySet[ProgressUpdate]:
    """Progress updates the user may read. A draft is seen only by the officials of the
    organisation writing it; everything else by whoever may see the commitment."""
    updates = _of_commitments_in(ProgressUpdate.objects.all(), None if is_administrator(user) else mechanism_ids_visible_to(user))
    if is_administrator(user):
        return updates
    own = organisation_ids_of(user, [Role.OFFICIAL])
    return updates.filter(~Q(state=UpdateState.DRAFT) | Q(organisation_id__in=own) | Q(author=user))


def updates_editable_by(user: User) -> QuerySet[ProgressUpdate]:
    """Drafts and returned updates the user may change: their organisation's, on its commitments."""
    editable = ProgressUpdate.objects.filter(state__in=[UpdateState.DRAFT, UpdateState.RETURNED])
    if is_administrator(user):
        return editable
    # EXISTS, not IN: asked of a page's few commitments, IN made SQLite walk every commitment the
    # user owns (6,000 at 100,000) to find the updates of 25.
    reportable = commitments_reportable_by(user).filter(pk=OuterRef("commitment_id"))
    return editable.filter(Exists(reportable), organisation_id__in=organisation_ids_of(user, [Role.OFFICIAL]))


def commitments_reviewable_by(user: User) -> QuerySet[Commitment]:
    """Commitments whose progress updates the user may accept or return: their mechanisms', as coordinator."""
    if not user.has_perm("tracker.review_progressupdate"):
        return Commitment.objects.none()
    return Commitment.objects.filter(session__mechanism_id__in=mechanism_ids_visible_to(user, [Role.COORDINATOR]))


def updates_reviewable_by(user: User) -> QuerySet[ProgressUpdate]:
    """Submitted updates awaiting the user's review, oldest first."""
    if not user.has_perm("tracker.review_progressupdate"):
        return ProgressUpdate.objects.none()
    return (
        _of_commitments_in(ProgressUpdate.objects.awaiting_review(), None if is_administrator(user) else mechanism_ids_visible_to(user, [Role.COORDINATOR]))
        .select_related("commitment__session__mechanism", "commitment__lead_organisation", "author", "organisation", "cycle")
        .order_by("submitted_at", "pk")
    )


def review_count(user: User) -> int:
    """How many updates await the user's review: asked by the menu and the dashboard of the same
    request, so it is counted once per request (kept on the request's user object)."""
    if not hasattr(user, "_review_count"):
        if not user.has_perm("tracker.review_progressupdate"):
            user._review_count = 0
        else:
            user._review_count = aggregates.cached(
                "review-count", tuple(mechanism_ids_visible_to(user, [Role.COORDINATOR])), lambda: updates_reviewable_by(user).count()
            )
    return user._review_count


def cycles_visible_to(user: User) -> QuerySet[ReportingCycle]:
    return ReportingCycle.objects.filter(mechanism_id__in=mechanism_ids_visible_to(user)).select_related("mechanism")


def open_cycle_for(mechanism_id: int) -> ReportingCycle | None:
    return ReportingCycle.objects.open().filter(mechanism_id=mechanism_id).order_by("due_on").first()


def cycle_commitments(cycle: ReportingCycle) -> QuerySet[Commitment]:
    """What a cycle asks a report on: the mechanism's commitments from the sessions before the one
    it reports to, except those already finished and not reported on in this cycle."""
    # Asked per commitment (EXISTS on the (commitment, cycle) index), and only of finished ones: an
    # IN-list read every update of the cycle first, even for a page of 25 commitments.
    reported_in_cycle = Exists(ProgressUpdate.objects.filter(commitment=OuterRef("pk"), cycle=cycle))
    return Commitment.objects.filter(
        session__mechanism=cycle.mechanism, session__number__lt=cycle.reports_to_session_number
    ).filter(~Q(status__in=Status.closed()) | reported_in_cycle)


def with_cycle_state(commitments: QuerySet[Commitment], cycle: ReportingCycle | None) -> QuerySet[Commitment]:
    """Annotate `cycle_state`: the furthest state any update of the commitment reached in the cycle
    (accepted, submitted, returned, draft), or None."""
    if cycle is None:
        return commitments.annotate(cycle_state=Value(None, output_field=CharField()))
    in_cycle = ProgressUpdate.objects.filter(commitment=OuterRef("pk"), cycle=cycle)
    rank = Case(
        When(state=UpdateState.ACCEPTED, then=Value(4)),
        When(state=UpdateState.SUBMITTED, then=Value(3)),
        When(state=UpdateState.RETURNED, then=Value(2)),
        default=Value(1),
    )
    best = in_cycle.annotate(rank=rank).order_by("-rank", "-pk").values("state")[:1]
    return commitments.annotate(cycle_state=Subquery(best, output_field=CharField()))


def cycle_completeness(cycle: ReportingCycle) -> list[dict]:
    """Per lead organisation: how many commitments the cycle covers and how far their reports are
    (cached until the data changes: at 100,000 commitments it reads every update of the cycle)."""
    return aggregates.cached("cycle-completeness", (cycle.pk,), lambda: _cycle_completeness(cycle))


def _cycle_completeness(cycle: ReportingCycle) -> list[dict]:
    rows = (
        with_cycle_state(cycle_commitments(cycle), cycle)
        .values("lead_organisation", "lead_organisation__name", "lead_organisation__name_zh", "cycle_state")
        .annotate(n=Count("pk"))
    )
    by_organisation: dict = {}
    for row in rows:
        entry = by_organisation.setdefault(row["lead_organisation"], {
            "organisation_id": row["lead_organisation"],
            "name": row["lead_organisation__name"], "name_zh": row["lead_organisation__name_zh"],
            "total": 0, "accepted": 0, "submitted": 0, "in_progress": 0, "missing": 0,
        })
        entry["total"] += row["n"]
        key = {UpdateState.ACCEPTED: "accepted", UpdateState.SUBMITTED: "submitted", None: "missing"}.get(row["cycle_state"], "in_progress")
        entry[key] += row["n"]
    result = sorted(by_organisation.values(), key=lambda e: (e["accepted"] / e["total"] if e["total"] else 1, e["name"] or ""))
    for entry in result:
        entry["percent"] = round(100 * entry["accepted"] / entry["total"]) if entry["total"] else 100
        # What the cycle still waits for: nothing submitted or accepted yet (drafts and returns count).
        entry["outstanding"] = entry["in_progress"] + entry["missing"]
        entry["display_name"] = in_language(entry["name"] or "", entry["name_zh"] or "")[0]
        # How the drill-down names the row in its URL (?organisation=…); "none" for the unassigned.
        entry["key"] = str(entry["organisation_id"]) if entry["organisation_id"] is not None else "none"
    return result


# A commitment is outstanding in a cycle while no update of it has been submitted or accepted there.
OUTSTANDING_STATES = [UpdateState.DRAFT, UpdateState.RETURNED]


def cycle_outstanding(cycle: ReportingCycle) -> QuerySet[Commitment]:
    """The commitments a cycle still waits for, annotated with `cycle_state`: None (not started),
    draft or returned. The one definition behind the drill-down, the list filter and reminders."""
    # Excluding what was reported is one anti-join on the (cycle, state) index; filtering on the
    # annotation instead ran its ranking subquery for every commitment of the mechanism.
    reported = ProgressUpdate.objects.filter(cycle=cycle).exclude(state__in=OUTSTANDING_STATES).values("commitment_id")
    return with_cycle_state(cycle_commitments(cycle).exclude(pk__in=reported), cycle)


def cycle_outstanding_led_by(user: User, cycle: ReportingCycle, organisation_id: int | None) -> list[Commitment]:
    """The drill-down of one row of completeness: the outstanding commitments the user may see
    whose lead organisation is `organisation_id` (None: those with no lead yet), in reading order."""
    visible = commitments_visible_to(user).values("pk")
    outstanding = cycle_outstanding(cycle).filter(pk__in=visible)
    if organisation_id is None:
        outstanding = outstanding.filter(lead_organisation__isnull=True)
    else:
        outstanding = outstanding.filter(lead_organisation_id=organisation_id)
    return list(outstanding.select_related("session__mechanism", "lead_organisation").in_reading_order())


def cycle_lead_organisation(cycle: ReportingCycle, pk: str | int) -> Organisation | None:
    """An organisation named in a request, if it leads a commitment of the cycle (a row of its
    completeness); otherwise None."""
    if not re.fullmatch(r"[0-9]{1,12}", str(pk)):  # ASCII digits only: "²" is a digit to str.isdigit, not to the database
        return None
    return Organisation.objects.filter(pk=pk, pk__in=cycle_commitments(cycle).values("lead_organisation")).first()


def cycle_owner_organisation(cycle: ReportingCycle, pk: str | int) -> Organisation | None:
    """An organisation named in a request, if it leads or supports a commitment of the cycle; otherwise None."""
    if not re.fullmatch(r"[0-9]{1,12}", str(pk)):
        return None
    commitments = cycle_commitments(cycle)
    owns = Q(pk__in=commitments.values("lead_organisation")) | Q(pk__in=commitments.values("supporting_organisations"))
    return Organisation.objects.filter(owns, pk=pk).first()


def cycle_history(cycle: ReportingCycle, limit: int = 20) -> QuerySet:
    """Who closed and reopened the cycle, and when: the action log the cycle's services write."""
    from django.contrib.admin.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    return (
        LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(ReportingCycle), object_id=str(cycle.pk))
        .select_related("user")
        .order_by("-action_time", "-pk")[:limit]
    )


def officials_with_email(organisation_id: int) -> QuerySet:
    """The active officials of an organisation who can be e-mailed: whom a reminder to it reaches."""
    return (
        get_user_model().objects.filter(
            memberships__organisation_id=organisation_id, memberships__role=Role.OFFICIAL, is_active=True
        )
        .exclude(email="")
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def cycle_reminder_log(cycle: ReportingCycle, limit: int = 20) -> list:
    """The latest reminders of a cycle, each with `organisations`: the recipient's organisations as
    an official (what the reminder was about), fetched up front."""
    officials = Membership.objects.filter(role=Role.OFFICIAL).select_related("organisation").order_by("organisation__name")
    reminders = list(
        cycle.reminders.select_related("recipient").prefetch_related(
            Prefetch("recipient__memberships", queryset=officials, to_attr="official_memberships")
        )[:limit]
    )
    for reminder in reminders:
        reminder.organisations = [membership.organisation for membership in reminder.recipient.official_memberships]
        reminder.organisation_names = ", ".join(organisation.display_name for organisation in reminder.organisations)
    return reminders


def with_latest_update(commitments: QuerySet[Commitment]) -> QuerySet[Commitment]:
    """Annotate each commitment with its latest accepted update (id, narrative, when)."""
    latest = ProgressUpdate.objects.filter(commitment=OuterRef("pk"), state=UpdateState.ACCEPTED).order_by(
        "-reviewed_at", "-pk"
    )
    return commitments.annotate(
        latest_update_id=Subquery(latest.values("pk")[:1], output_field=IntegerField()),
        latest_update_narrative=Subquery(latest.values("narrative")[:1]),
        latest_update_at=Subquery(latest.values("reviewed_at")[:1]),
    )


def with_owners(commitments: QuerySet[Commitment]) -> QuerySet[Commitment]:
    """Everything a row of commitments shows, fetched up front rather than per row."""
    return commitments.select_related(
        "session__mechanism", "area", "lead_organisation__party"
    ).prefetch_related("supporting_organisations", "parties")


def status_counts() -> dict[str, Count]:
    """Aggregations counting commitments by status, for `.annotate(**status_counts())`."""
    counts = {f"count_{value}": Count("commitments", filter=Q(commitments__status=value)) for value in Status.values}
    counts["count_total"] = Count("commitments")
    return counts


def sessions_for_home(user: User) -> QuerySet[PlenarySession]:
    """Sessions the user may see, each with its number of commitments by status."""
    return (
        PlenarySession.objects.filter(mechanism__in=mechanisms_visible_to(user))
        .select_related("mechanism", "memorandum")
        .annotate(**status_counts())
        .order_by("mechanism__code", "-number")
    )


def session_visible_to(user: User, *, code: str, number: int) -> PlenarySession | None:
    return (
        PlenarySession.objects.filter(mechanism__in=mechanisms_visible_to(user), mechanism__code=code, number=number)
        .select_related("mechanism", "memorandum")
        .first()
    )


def session_commitments(user: User, session: PlenarySession) -> QuerySet[Commitment]:
    return with_latest_update(with_owners(commitments_visible_to(user).for_session(session))).in_reading_order()


def commitment_for_page(user: User, ref: str) -> Commitment | None:
    """One commitment by its ref, if the user may see it, with what its page shows."""
    accepted = ProgressUpdate.objects.accepted().select_related("author", "reviewer").order_by("-reviewed_at", "-pk")
    return (
        with_owners(commitments_visible_to(user))
        .select_related("continues__session__mechanism")
        .prefetch_related(
            "milestones",
            Prefetch("updates", queryset=accepted, to_attr="accepted_updates"),
            Prefetch("continued_by", queryset=Commitment.objects.select_related("session__mechanism")),
        )
        .filter(ref=ref)
        .first()
    )


def dashboard(user: User) -> dict:
    """Everything the dashboard shows, in a fixed number of queries, cached until the data changes
    (it counts every commitment the user may see)."""
    return aggregates.cached("dashboard", tuple(mechanism_ids_visible_to(user)), lambda: _dashboard(user))


def _dashboard(user: User) -> dict:
    visible = commitments_visible_to(user)
    overall = dict(visible.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    by_area: dict[int, dict] = {}
    for row in visible.values("area", "area__name", "area__name_zh", "area__position", "area__mechanism__code", "status").annotate(n=Count("pk")):
        entry = by_area.setdefault(row["area"], {
            "name": row["area__name"], "name_zh": row["area__name_zh"], "position": row["area__position"],
            "mechanism": row["area__mechanism__code"], "counts": {},
        })
        entry["counts"][row["status"]] = row["n"]
    sessions = sessions_for_home(user).annotate(average_progress=Avg("commitments__progress"))
    cycles = []
    for cycle in cycles_visible_to(user).open():
        rows = cycle_completeness(cycle)
        total, accepted = sum(r["total"] for r in rows), sum(r["accepted"] for r in rows)
        cycles.append({"cycle": cycle, "total": total, "accepted": accepted, "percent": round(100 * accepted / total) if total else 100})
    listed = with_owners(visible).order_by("due_on", "ref")
    return {
        "overall": overall,
        "total": sum(overall.values()),
        "areas": sorted(by_area.values(), key=lambda e: (e["mechanism"], e["position"])),
        "sessions": list(sessions),
        "cycles": cycles,
        "overdue": list(listed.overdue()[:10]),
        "overdue_count": visible.overdue().count(),
        "at_risk": list(listed.filter(status=Status.AT_RISK)[:10]),
        "at_risk_count": visible.filter(status=Status.AT_RISK).count(),
    }


def my_tasks(user: User) -> dict:
    """What waits for this user: updates to write or fix, updates to review."""
    scope = (tuple(mechanism_ids_visible_to(user)), tuple(organisation_ids_of(user, [Role.OFFICIAL])))
    return {**aggregates.cached("my-tasks", scope, lambda: _my_tasks(user)), "to_review": review_count(user)}


def _my_tasks(user: User) -> dict:
    official_of = organisation_ids_of(user, [Role.OFFICIAL])
    mine = ProgressUpdate.objects.filter(organisation_id__in=official_of)
    owed = 0
    for cycle in cycles_visible_to(user).open():
        done = ProgressUpdate.objects.filter(cycle=cycle, state__in=[UpdateState.SUBMITTED, UpdateState.ACCEPTED]).values("commitment_id")
        owed += cycle_commitments(cycle).owned_by(official_of).exclude(pk__in=done).count()
    return {
        "owed": owed,
        "returned": mine.filter(state=UpdateState.RETURNED).count(),
        "drafts": mine.filter(state=UpdateState.DRAFT).count(),
    }


def commitment_lineage(user: User, commitment: Commitment, limit: int = 20) -> list[Commitment]:
    """The chain a commitment belongs to across sessions: what it continues, and what continues it,
    oldest first (only the links the user may see)."""
    visible = commitments_visible_to(user).select_related("session__mechanism")
    chain = [commitment]
    link = commitment
    while link.continues_id and len(chain) < limit:
        link = visible.filter(pk=link.continues_id).first()
        if link is None:
            break
        chain.insert(0, link)
    link = commitment
    while len(chain) < limit:
        link = visible.filter(continues=link).order_by("session__number", "pk").first()
        if link is None:
            break
        chain.append(link)
    return chain


def updates_of_own_organisations(user: User) -> QuerySet[ProgressUpdate]:
    """Updates written for the user's organisations, on commitments the user may report on: the
    ones they answer for (withdraw, continue), in whatever state."""
    if is_administrator(user):
        return ProgressUpdate.objects.all()
    if not user.has_perm("tracker.submit_progressupdate"):
        return ProgressUpdate.objects.none()
    return ProgressUpdate.objects.filter(
        commitment__in=commitments_reportable_by(user), organisation_id__in=organisation_ids_of(user, [Role.OFFICIAL])
    )


def updates_withdrawable_by(user: User) -> QuerySet[ProgressUpdate]:
    """Submitted updates the user may take back to draft before review: their organisation's."""
    return updates_of_own_organisations(user).filter(state=UpdateState.SUBMITTED)


def withdrawn_from_review(user: User, pk: int) -> bool:
    """Whether `pk` is an update the user could have reviewed that its author took back to draft:
    a reviewer who opened it before then is told so rather than answered 'not found'."""
    drafts = ProgressUpdate.objects.filter(pk=pk, state=UpdateState.DRAFT, commitment__in=commitments_reviewable_by(user))
    return ProgressUpdate.history.model.objects.filter(id__in=drafts.values("pk"), state=UpdateState.SUBMITTED).exists()


def next_in_queue(user: User, after: ProgressUpdate | None = None) -> ProgressUpdate | None:
    """The update the reviewer should look at next: the oldest awaiting them, other than `after`."""
    queue = updates_reviewable_by(user)
    if after is not None:
        queue = queue.exclude(pk=after.pk)
    return queue.first()


def coordinators_to_ask(user: User, limit: int = 5) -> list:
    """Whom an official asks when refused: the coordinators of their own side (the secretariat of
    the party their organisations belong to). Empty for coordinators themselves, and for people of
    no organisation: they ask the administrator."""
    if not user.is_authenticated or organisation_ids_of(user, [Role.COORDINATOR]):
        return []
    parties = organisations_of(user).values("party_id")
    coordinator_ids = Membership.objects.filter(role=Role.COORDINATOR, organisation__party_id__in=parties).values("user_id")
    return list(
        get_user_model().objects.filter(pk__in=coordinator_ids, is_active=True).exclude(pk=user.pk).order_by("last_name", "username")[:limit]
    )


def with_previous_returns(updates: QuerySet[ProgressUpdate]) -> QuerySet[ProgressUpdate]:
    """Annotate `was_returned`: whether a coordinator returned the update before (it is a resubmission)."""
    returned = ProgressUpdate.history.model.objects.filter(id=OuterRef("pk"), state=UpdateState.RETURNED)
    return updates.annotate(was_returned=Exists(returned))
