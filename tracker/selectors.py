"""Every read a page makes, starting from what the user may see.

The one row-level rule lives here: `commitments_visible_to` and `commitments_editable_by`. Every
view, export, report and API reads commitments through them.

- Administrators (superusers, or the Administrator group) see and change everything.
- Anyone with a membership sees every commitment of the mechanisms their organisation's party
  takes part in: officials, coordinators and viewers alike read across their conference.
- Officials change (report progress on) what their organisations lead or support.
- Coordinators change everything of their mechanisms. Viewers change nothing.
"""
from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery

from memoranda.models import Commitment, Mechanism, Organisation, PlenarySession, Status
from tracker.models import Membership, ProgressUpdate, Role, UpdateState

ADMINISTRATOR_GROUP = "Administrator"

User = AbstractBaseUser | AnonymousUser


def is_administrator(user: User) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return user.groups.filter(name=ADMINISTRATOR_GROUP).exists()


def organisations_of(user: User, roles: list[str] | None = None) -> QuerySet[Organisation]:
    """The organisations the user belongs to, optionally only in some roles."""
    if not user.is_authenticated:
        return Organisation.objects.none()
    memberships = Membership.objects.filter(user=user)
    if roles is not None:
        memberships = memberships.filter(role__in=roles)
    return Organisation.objects.filter(pk__in=memberships.values("organisation_id"))


def mechanisms_visible_to(user: User) -> QuerySet[Mechanism]:
    if is_administrator(user):
        return Mechanism.objects.all()
    parties = organisations_of(user).values("party_id")
    return Mechanism.objects.filter(pk__in=Mechanism.parties.through.objects.filter(party_id__in=parties).values("mechanism_id"))


def mechanisms_coordinated_by(user: User) -> QuerySet[Mechanism]:
    if is_administrator(user):
        return Mechanism.objects.all()
    parties = organisations_of(user, [Role.COORDINATOR]).values("party_id")
    return Mechanism.objects.filter(pk__in=Mechanism.parties.through.objects.filter(party_id__in=parties).values("mechanism_id"))


def commitments_visible_to(user: User) -> QuerySet[Commitment]:
    """Every commitment the user may read. The starting point of every read of commitments."""
    if is_administrator(user):
        return Commitment.objects.all()
    return Commitment.objects.filter(session__mechanism__in=mechanisms_visible_to(user))


def commitments_editable_by(user: User) -> QuerySet[Commitment]:
    """Commitments the user may report progress on or manage."""
    if is_administrator(user):
        return Commitment.objects.all()
    coordinated = Q(session__mechanism__in=mechanisms_coordinated_by(user))
    owned = Q(pk__in=Commitment.objects.owned_by(organisations_of(user, [Role.OFFICIAL])).values("pk"))
    return Commitment.objects.filter(coordinated | owned)


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
