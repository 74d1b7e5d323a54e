"""`tracker.access` itself: `may` per kind of object and action, the accessors' 404 and 403, and
the template tag and navigation that ask the same rule. The world and its roles are the access
matrix's (tests/tracker/test_access_matrix.py)."""
from __future__ import annotations

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import AnonymousUser, Group
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.template import Context, Template
from django.test import RequestFactory

from tests.factories import SessionFactory, UserFactory
from tests.tracker.test_access_matrix import ROLES, World, world  # noqa: F401 (the fixture)
from tracker import access, archive
from tracker.context_processors import navigation
from tracker.models import ProgressUpdate, ReportingCycle, UpdateState
from tracker.roles import ADMINISTRATOR_GROUP

pytestmark = pytest.mark.django_db

SEEN = {"admin", "coord", "lead", "support", "unrelated", "viewer"}  # everyone with a membership in HKBJ
COORDINATORS = {"admin", "coord"}
ADMINISTRATORS = {"admin"}


def target(world: World, name: str):
    """The object `may` is asked about, by name."""
    session = world.commitment.session
    return {
        "commitment": lambda: world.commitment,
        "submitted": lambda: world.update(UpdateState.SUBMITTED),
        "returned": lambda: world.update(UpdateState.RETURNED),
        "draft": lambda: world.update(UpdateState.DRAFT),
        "evidence": lambda: world.update(UpdateState.SUBMITTED).evidence.get(),
        "draft evidence": lambda: world.update(UpdateState.DRAFT).evidence.get(),
        "cycle": lambda: world.cycle,
        "mechanism": lambda: session.mechanism,
        "session": lambda: session,
        "snapshot": lambda: world.snapshot(),
    }[name]()


# object, action, the roles that may (every other role of ROLES may not, signed-out included)
MAY = [
    ("commitment", "view", SEEN),
    ("commitment", "report", {"admin", "lead", "support"}),
    ("commitment", "manage", COORDINATORS),
    ("commitment", "undo_carry_forward", COORDINATORS),
    ("commitment", "review", COORDINATORS),
    ("commitment", "archive", ADMINISTRATORS),
    ("commitment", "restore", ADMINISTRATORS),
    ("submitted", "view", SEEN),
    ("draft", "view", {"admin", "lead"}),
    ("returned", "edit", {"admin", "lead"}),
    ("draft", "edit", {"admin", "lead"}),
    ("submitted", "edit", set()),  # submitted: nobody changes it until it is returned
    ("submitted", "withdraw", {"admin", "lead"}),
    ("submitted", "review", COORDINATORS),
    ("submitted", "see_internal_note", {"admin", "coord", "lead"}),
    ("submitted", "archive", ADMINISTRATORS),
    ("submitted", "restore", ADMINISTRATORS),
    ("evidence", "view", SEEN),
    ("draft evidence", "view", {"admin", "lead"}),
    ("evidence", "archive", ADMINISTRATORS),
    ("evidence", "restore", ADMINISTRATORS),
    ("evidence", "purge", ADMINISTRATORS),
    ("cycle", "view", SEEN),
    ("cycle", "change", COORDINATORS),
    ("cycle", "remind", COORDINATORS),
    ("mechanism", "view", SEEN),
    ("mechanism", "coordinate", COORDINATORS),
    ("session", "view", SEEN),
    ("session", "snapshot", COORDINATORS),
    ("snapshot", "view", SEEN),
]


def as_user(world: World, role: str):
    return world.users[role] or AnonymousUser()


@pytest.mark.parametrize(("name", "action", "allowed"), [pytest.param(*row, id=f"{row[0]}-{row[1]}") for row in MAY])
def test_may_answers_each_role_for_each_object_and_action(world, name, action, allowed):
    obj = target(world, name)
    answers = {role: access.may(as_user(world, role), action, obj) for role in ROLES}
    assert {role for role, answer in answers.items() if answer} == allowed


@pytest.mark.parametrize(
    ("model", "action", "allowed"),
    [
        (ProgressUpdate, "review", {"admin", "coord", "coord_other"}),  # the review queue: each coordinator their own
        (ReportingCycle, "open", {"admin", "coord", "coord_other"}),
        (LogEntry, "view", ADMINISTRATORS),  # the audit log
    ],
)
def test_may_of_a_kind_answers_for_any_such_object(world, model, action, allowed):
    answers = {role: access.may(as_user(world, role), action, model) for role in ROLES}
    assert {role for role, answer in answers.items() if answer} == allowed


def test_the_administrator_group_may_what_a_superuser_may(world):
    member = UserFactory()
    member.groups.add(Group.objects.get_or_create(name=ADMINISTRATOR_GROUP)[0])
    for action in ["view", "manage", "review", "archive", "restore"]:
        assert access.may(member, action, world.commitment), action


def test_a_deactivated_account_may_nothing(world):
    administrator = world.users["admin"]
    administrator.is_active = False
    assert not access.may(administrator, "view", world.commitment)
    assert not access.may(administrator, "review", ProgressUpdate)
    with pytest.raises(Http404):
        access.access_commitment(administrator, world.commitment.ref)


def test_an_archived_commitment_is_seen_and_restored_by_administrators_only(world):
    archive.commitment_archive(commitment=world.commitment, by=world.users["admin"])
    world.commitment.refresh_from_db()
    administrator, coordinator = world.users["admin"], world.users["coord"]
    assert access.may(administrator, "view", world.commitment)
    assert access.may(administrator, "restore", world.commitment)
    assert not access.may(administrator, "manage", world.commitment)  # nobody works on what is archived
    assert not access.may(administrator, "archive", world.commitment)
    assert not access.may(coordinator, "view", world.commitment)
    assert not access.may(coordinator, "restore", world.commitment)
    with pytest.raises(Http404):
        access.access_commitment(coordinator, world.commitment.ref)


def test_an_unknown_action_is_an_error_not_a_refusal_or_a_grant(world):
    """A typo in an action must fail loudly, never quietly allow or deny."""
    with pytest.raises(ValueError, match="No such action"):
        access.may(world.users["admin"], "mange", world.commitment)


# The accessors ------------------------------------------------------------------------------


def test_accessor_answers_404_for_what_is_out_of_sight_and_403_with_the_refusal_for_what_is_seen(world):
    ref = world.commitment.ref
    with pytest.raises(Http404):
        access.access_commitment(world.users["other_conf"], ref, "manage")
    with pytest.raises(PermissionDenied, match="Only the coordinators of this mechanism assign its owners."):
        access.access_commitment(world.users["viewer"], ref, "manage")
    assert access.access_commitment(world.users["coord"], ref, "manage") == world.commitment


@pytest.mark.parametrize(
    ("accessor", "action", "refusal"),
    [
        ("update", "edit", "This update cannot be changed: it has been submitted or accepted, or it is another organisation's."),
        ("update", "withdraw", "Only officials of the organisation that wrote this update may withdraw it."),
        ("update", "review", "Only the coordinators of this mechanism review its updates."),
        ("cycle", "change", "Only the coordinators of this mechanism remind, close or reopen its reporting cycles."),
        ("cycle", "remind", "Only the coordinators of this mechanism remind, close or reopen its reporting cycles."),
        ("session", "snapshot", "Only the coordinators of this mechanism freeze snapshots."),
        ("commitment", "report", "Only officials of the organisations that own this commitment may report on it."),
        ("commitment", "undo_carry_forward", "Only the coordinators of this mechanism may undo carrying a commitment forward."),
    ],
)
def test_each_refusal_says_who_may(world, accessor, action, refusal):
    viewer = world.users["viewer"]
    session = world.commitment.session
    call = {
        "update": lambda: access.access_update(viewer, world.update(UpdateState.SUBMITTED).pk, action),
        "cycle": lambda: access.access_cycle(viewer, world.cycle.pk, action),
        "session": lambda: access.access_session(viewer, session.mechanism.code, session.number, action),
        "commitment": lambda: access.access_commitment(viewer, world.commitment.ref, action),
    }[accessor]
    with pytest.raises(PermissionDenied) as refused:
        call()
    assert str(refused.value) == refusal


def test_kind_refusals_say_what_the_page_is_for(world):
    with pytest.raises(PermissionDenied, match="The review queue is for coordinators."):
        access.require(world.users["lead"], "review", ProgressUpdate)
    with pytest.raises(PermissionDenied, match="Only coordinators open reporting cycles"):
        access.require(world.users["viewer"], "open", ReportingCycle)


def test_snapshot_is_found_only_under_its_own_session(world):
    snapshot = world.snapshot()
    session = world.commitment.session
    viewer = world.users["viewer"]
    assert access.access_snapshot(viewer, session, str(snapshot.pk)) == snapshot
    other_session = SessionFactory(mechanism=session.mechanism, number=9)
    with pytest.raises(Http404):
        access.access_snapshot(viewer, other_session, snapshot.pk)
    with pytest.raises(Http404):
        access.access_snapshot(world.users["other_conf"], session, snapshot.pk)


@pytest.mark.parametrize("pk", ["", "²", "1²", "-1", "1e3", " 1", "9" * 40, "\x00"])
def test_accessors_answer_404_to_numbers_no_database_would_take(world, pk):
    coordinator = world.users["coord"]
    for accessor in (access.access_update, access.access_evidence, access.access_cycle):
        with pytest.raises(Http404):
            accessor(coordinator, pk)
    with pytest.raises(Http404):
        access.access_snapshot(coordinator, world.commitment.session, pk)


def test_access_update_fetches_what_its_page_shows_up_front(world, django_assert_num_queries):
    update = access.access_update(world.users["coord"], world.update(UpdateState.SUBMITTED).pk)
    with django_assert_num_queries(0):
        assert (update.commitment.session.mechanism.code, update.author.pk, update.organisation.abbreviation) == ("HKBJ", world.author.pk, "MTR")
        assert len(update.evidence.all()) == 1


# Templates and navigation ask the same rule ----------------------------------------------------


@pytest.mark.parametrize(("role", "expected"), [("coord", "yes"), ("viewer", "no"), ("signed_out", "no")])
def test_template_tag_asks_may(world, role, expected):
    request = RequestFactory().get("/")
    request.user = as_user(world, role)
    template = Template('{% load access %}{% may "manage" commitment as may_manage %}{{ may_manage|yesno:"yes,no" }}')
    assert template.render(Context({"request": request, "commitment": world.commitment})) == expected


def test_template_tag_grants_nothing_for_a_missing_object(world):
    request = RequestFactory().get("/")
    request.user = world.users["admin"]
    template = Template('{% load access %}{% may "manage" nothing as may_manage %}{{ may_manage|yesno:"yes,no" }}')
    assert template.render(Context({"request": request})) == "no"


def test_snapshot_button_is_offered_only_to_those_who_may_freeze_one(client, world):
    session = world.commitment.session
    address = f"/reports/sessions/{session.mechanism.code}/{session.number}/"
    for role, offered in [("coord", True), ("viewer", False), ("lead", False)]:
        client.force_login(world.users[role])
        body = client.get(address).content.decode()
        assert (f"{address}snapshots/" in body) is offered, role


@pytest.mark.parametrize(
    ("role", "reviewer", "administrator"),
    [("admin", True, True), ("coord", True, False), ("coord_other", True, False), ("lead", False, False), ("viewer", False, False)],
)
def test_navigation_asks_the_same_rule(world, role, reviewer, administrator):
    request = RequestFactory().get("/")
    request.user = world.users[role]
    nav = navigation(request)["nav"]
    assert nav["is_reviewer"] is reviewer
    assert nav["audit_log"] is administrator
    assert nav["administration"] is administrator  # the demo administrator is staff; nobody else here is

