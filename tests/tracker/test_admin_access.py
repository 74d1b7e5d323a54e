"""The admin under the one rule: every role × every admin address of every model of ours.

A staff account that is not an administrator reads in the admin what its pages show and changes only
what the rule lets it (a coordinator, the owners and due dates of their own mechanism's
commitments); a row it may not see is answered as if it did not exist; internal notes stay with the
organisation that wrote them and the coordinators; memberships and profiles are for administrators.
"""
from __future__ import annotations

import datetime

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from memoranda.models import Area, Commitment, Mechanism, Memorandum, Milestone, Organisation, Party, PlenarySession
from tests.factories import (
    CommitmentFactory, MechanismFactory, MemorandumFactory, ReportingCycleFactory, SessionFactory, UserFactory,
    member_of,
)
from tracker import services
from tracker.models import Evidence, Membership, Profile, ProgressUpdate, Reminder, ReportingCycle, Role, Snapshot
from tracker.roles import ADMINISTRATOR_GROUP

pytestmark = pytest.mark.django_db

NOTE_X = "Beijing side has asked for the draft programme by the end of the quarter."
NOTE_Y = "Internal to the other conference."

User = get_user_model()
OURS = [model for model in admin.site._registry if model._meta.app_label in {"memoranda", "tracker", "auth"}]
ROLES = ["superuser", "administrator", "coordinator_x", "coordinator_y", "official", "viewer"]
ADMINISTRATORS = {"superuser", "administrator"}

# What the role groups let staff accounts that are not administrators read in the admin (their
# Django permissions); which rows is the rule's business.
READ_BY_STAFF = {Party, Mechanism, Organisation, PlenarySession, Memorandum, Area, Commitment, Milestone, ReportingCycle, ProgressUpdate, Evidence}
ADDED_BY_COORDINATORS = {Milestone, ReportingCycle}
ONE_SIDED = {Membership, Profile, Group, User}  # not per conference
ADMINISTRATORS_ONLY = {Membership, Profile}
ARCHIVED_NOT_DELETED = {Commitment, ProgressUpdate, Evidence}


@pytest.fixture(autouse=True)
def no_second_factor_in_these_tests(settings):
    settings.TWO_FACTOR_REQUIRED = False


@pytest.fixture
def world(fourth_plenary):
    """Two conferences that share no party: X (HKBJ, the 4th plenary) and Y; one of every row of
    ours on each side, and a person in each role."""
    x = fourth_plenary.mechanism
    y = MechanismFactory(code="YYZ")
    session_y = SessionFactory(mechanism=y, number=1)
    commitment_y = CommitmentFactory(session=session_y)
    organisation_y = commitment_y.lead_organisation
    cmab, mtr = Organisation.objects.get(abbreviation="CMAB"), Organisation.objects.get(abbreviation="MTR")

    people = {
        "superuser": UserFactory(username="superuser", is_staff=True, is_superuser=True),
        "administrator": UserFactory(username="administrator", is_staff=True),
        "coordinator_x": member_of(cmab, Role.COORDINATOR, user=UserFactory(username="coordinator-x", is_staff=True)),
        "coordinator_y": member_of(organisation_y, Role.COORDINATOR, user=UserFactory(username="coordinator-y", is_staff=True)),
        "official": member_of(cmab, Role.OFFICIAL, user=UserFactory(username="official-cmab", is_staff=True)),
        "viewer": member_of(cmab, Role.VIEWER, user=UserFactory(username="viewer")),
    }
    people["administrator"].groups.add(Group.objects.get(name=ADMINISTRATOR_GROUP))

    rows = {}
    for side, mechanism, commitment, writer, organisation, note in [
        ("x", x, Commitment.objects.get(ref="HKBJ-4-6.5"), member_of(mtr, Role.OFFICIAL), mtr, NOTE_X),
        ("y", y, commitment_y, member_of(organisation_y, Role.OFFICIAL), organisation_y, NOTE_Y),
    ]:
        session = commitment.session
        cycle = ReportingCycleFactory(mechanism=mechanism)
        update = services.progress_update_create(
            commitment=commitment, author=writer, organisation=organisation, cycle=cycle, proposed_status="on_track",
            proposed_progress=25, narrative=f"Meetings held ({side}).", internal_note=note, submit=True, notify=False,
        )
        rows[side] = {
            Party: organisation.party, Mechanism: mechanism, Organisation: organisation, PlenarySession: session,
            Memorandum: Memorandum.objects.filter(session=session).first() or MemorandumFactory(session=session),
            Area: commitment.area, Commitment: commitment,
            Milestone: Milestone.objects.create(commitment=commitment, title=f"Milestone {side}"),
            ReportingCycle: cycle, ProgressUpdate: update,
            Evidence: Evidence.objects.create(update=update, url=f"https://example.org/{side}", description=f"Minutes {side}"),
            Reminder: Reminder.objects.create(cycle=cycle, recipient=writer, kind="due_soon"),
            Snapshot: Snapshot.objects.create(session=session, as_at=datetime.date(2019, 1, 1), rows=[]),
        }
    rows["x"].update({
        Membership: Membership.objects.get(user=people["coordinator_x"]),
        Profile: Profile.objects.get_or_create(user=people["official"], defaults={"language": "en"})[0],
        Group: Group.objects.get(name="Coordinator"),
        User: people["viewer"],
    })
    return people, rows


def url(model, view: str, obj=None) -> str:
    name = f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}"
    return reverse(name, args=[obj.pk] if obj is not None else [])


def autocomplete_source(target) -> tuple[str, str, str] | None:
    """A field of some admin that chooses `target` rows by autocomplete."""
    for model, model_admin in admin.site._registry.items():
        for field_name in model_admin.autocomplete_fields:
            if model._meta.get_field(field_name).related_model is target:
                return model._meta.app_label, model._meta.model_name, field_name
    return None


def expected(role: str, model, view: str, side: str) -> int:
    """The answer the rule calls for."""
    if role == "viewer":  # no staff account: the admin sends them to sign in
        return 302
    if role in ADMINISTRATORS:
        if view == "add":
            return 403 if model is Snapshot else 200  # snapshots are frozen from the report
        if view == "delete":
            return 403 if model in ARCHIVED_NOT_DELETED else 200
        return 200
    may_read = model in READ_BY_STAFF
    own = {"coordinator_x": "x", "official": "x", "coordinator_y": "y"}[role]
    hidden = (model not in ONE_SIDED and side != own) or model in ADMINISTRATORS_ONLY
    if view in {"changelist", "autocomplete"}:
        return 200 if may_read else 403
    if view == "add":
        return 200 if model in ADDED_BY_COORDINATORS and role.startswith("coordinator") else 403
    if view == "delete":
        return 403
    if view == "history":  # Django looks the row up first: not found (302) before not allowed (403)
        return 302 if hidden else 200 if may_read else 403
    # change
    return 403 if not may_read else 302 if hidden else 200


VIEWS = ["changelist", "add", "change", "delete", "history", "autocomplete"]


def addresses(model, rows) -> list[tuple[str, str, str, dict]]:
    """(view, side, address, query) of every admin address of `model`: the row views for a row of
    each conference (one for what is not per conference)."""
    found = []
    for view in VIEWS:
        if view in {"changelist", "add"}:
            found.append((view, "x", url(model, view), {}))
        elif view == "autocomplete":
            if source := autocomplete_source(model):
                query = {"app_label": source[0], "model_name": source[1], "field_name": source[2], "term": ""}
                found.append((view, "x", reverse("admin:autocomplete"), query))
        else:
            found.extend((view, side, url(model, view, rows[side][model]), {}) for side in (["x"] if model in ONE_SIDED else ["x", "y"]))
    return found


@pytest.mark.parametrize("model", OURS, ids=lambda m: m._meta.label)
@pytest.mark.parametrize("role", ROLES)
def test_admin_answers_each_role_as_the_rule_says(client, world, role, model):
    people, rows = world
    client.force_login(people[role])
    wrong = []
    for view, side, address, query in addresses(model, rows):
        response = client.get(address, query)
        want = expected(role, model, view, side)
        if response.status_code != want:
            wrong.append(f"{view} ({side}): {response.status_code}, not {want}")
        elif want == 302 and role != "viewer" and response["Location"] != reverse("admin:index"):
            wrong.append(f"{view} ({side}): sent to {response['Location']}, not to the admin's index as 'not found'")
    assert wrong == []


# What each one sees and changes ----------------------------------------------------------------


def listed(client, model) -> set:
    return set(client.get(url(model, "changelist")).context["cl"].result_list)


@pytest.mark.parametrize("model", sorted(READ_BY_STAFF, key=lambda m: m.__name__), ids=lambda m: m.__name__)
def test_a_staff_coordinator_lists_only_their_own_conferences_rows(client, world, model):
    people, rows = world
    client.force_login(people["coordinator_y"])
    shown = listed(client, model)
    assert rows["y"][model] in shown and rows["x"][model] not in shown


def test_autocomplete_offers_only_rows_the_user_may_see(client, world):
    people, rows = world
    client.force_login(people["coordinator_y"])
    found = client.get(reverse("admin:autocomplete"), {"app_label": "memoranda", "model_name": "milestone", "field_name": "commitment", "term": ""})
    assert {result["id"] for result in found.json()["results"]} == {str(rows["y"][Commitment].pk)}
    organisations = client.get(reverse("admin:autocomplete"), {"app_label": "memoranda", "model_name": "commitment", "field_name": "lead_organisation", "term": ""})
    assert str(rows["x"][Organisation].pk) not in {result["id"] for result in organisations.json()["results"]}


def change_data(commitment: Commitment, **changes) -> dict:
    data = {
        "ref": commitment.ref, "session": commitment.session_id, "area": commitment.area_id, "area_position": commitment.area_position,
        "item_position": commitment.item_position, "title": commitment.title, "title_zh": commitment.title_zh, "text": commitment.text,
        "text_zh": commitment.text_zh, "parties": [p.pk for p in commitment.parties.all()], "continues": commitment.continues_id or "",
        "lead_organisation": commitment.lead_organisation_id or "", "supporting_organisations": [o.pk for o in commitment.supporting_organisations.all()],
        "responsible_officer": commitment.responsible_officer, "status": commitment.status, "progress": commitment.progress,
        "not_pursued_reason": commitment.not_pursued_reason, "due_on": "",
        "milestones-TOTAL_FORMS": 0, "milestones-INITIAL_FORMS": 0,
    }
    data.update(changes)
    return data


def test_a_staff_coordinator_cannot_change_another_conferences_commitment(client, world):
    people, rows = world
    commitment = rows["x"][Commitment]
    before = Commitment.objects.values().get(pk=commitment.pk)
    client.force_login(people["coordinator_y"])
    response = client.post(url(Commitment, "change", commitment), change_data(commitment, due_on="2030-01-01", text="Rewritten."))
    assert response.status_code == 302 and response["Location"] == reverse("admin:index")
    assert Commitment.objects.values().get(pk=commitment.pk) == before
    # Nor by reverting it to a version of its history.
    version = commitment.history.first()
    reverted = client.post(reverse("admin:memoranda_commitment_simple_history", args=[commitment.pk, version.history_id]), change_data(commitment, due_on="2030-01-01"))
    assert reverted.status_code == 302
    assert Commitment.objects.values().get(pk=commitment.pk) == before


def test_a_staff_coordinator_sets_owners_and_due_date_of_their_own_but_not_what_was_agreed(client, world):
    people, rows = world
    commitment = rows["x"][Commitment]
    agreed_text = commitment.text
    client.force_login(people["coordinator_x"])
    y_session = rows["y"][PlenarySession]
    response = client.post(
        url(Commitment, "change", commitment),
        change_data(commitment, due_on="2030-01-01", text="Rewritten.", session=y_session.pk, ref="YYZ-1-1.1"),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    commitment.refresh_from_db()
    assert commitment.due_on == datetime.date(2030, 1, 1)
    assert (commitment.ref, commitment.session.mechanism.code) == ("HKBJ-4-6.5", "HKBJ")
    assert commitment.text == agreed_text


def test_a_staff_coordinator_cannot_give_a_commitment_an_owner_they_may_not_see(client, world):
    people, rows = world
    commitment = rows["x"][Commitment]
    client.force_login(people["coordinator_x"])
    response = client.post(url(Commitment, "change", commitment), change_data(commitment, lead_organisation=rows["y"][Organisation].pk))
    assert response.status_code == 200 and "lead_organisation" in response.context["adminform"].form.errors
    commitment.refresh_from_db()
    assert commitment.lead_organisation.abbreviation == "MTR"


def test_a_staff_official_reads_another_organisations_update_without_its_internal_note(client, world):
    people, rows = world
    update = rows["x"][ProgressUpdate]
    client.force_login(people["official"])  # of CMAB; the update is MTR's
    for address in [url(ProgressUpdate, "change", update), url(ProgressUpdate, "history", update)]:
        response = client.get(address)
        assert response.status_code == 200
        assert NOTE_X not in response.content.decode() and 'name="internal_note"' not in response.content.decode()
    version = update.history.first()
    response = client.get(reverse("admin:tracker_progressupdate_simple_history", args=[update.pk, version.history_id]))
    assert response.status_code == 200 and NOTE_X not in response.content.decode()


def test_the_internal_note_is_not_in_the_history_of_changes_either(client, world):
    people, rows = world
    update = rows["x"][ProgressUpdate]
    update.internal_note = "A second note, changed later."
    update.save()
    client.force_login(people["official"])
    body = client.get(url(ProgressUpdate, "history", update)).content.decode()
    assert "A second note" not in body and NOTE_X not in body
    client.force_login(people["coordinator_x"])  # the coordinators of its conference read it
    assert "A second note" in client.get(url(ProgressUpdate, "history", update)).content.decode()


def test_a_coordinator_of_the_conference_reads_the_internal_note(client, world):
    people, rows = world
    client.force_login(people["coordinator_x"])
    assert NOTE_X in client.get(url(ProgressUpdate, "change", rows["x"][ProgressUpdate])).content.decode()


def test_a_staff_official_cannot_accept_an_update_in_the_admin(client, world):
    """An official may edit their organisation's draft in the admin, but its state is the workflow's."""
    people, rows = world
    cmab = Organisation.objects.get(abbreviation="CMAB")
    draft = services.progress_update_create(
        commitment=Commitment.objects.get(ref="HKBJ-4-2.1"), author=people["official"], organisation=cmab,
        proposed_status="on_track", proposed_progress=10, narrative="Started.", notify=False,
    )
    client.force_login(people["official"])
    page = client.get(url(ProgressUpdate, "change", draft))
    assert page.status_code == 200 and page.context["has_change_permission"]
    data = {
        "proposed_status": "on_track", "proposed_progress": 20, "narrative": "Started well.", "narrative_zh": "", "next_steps": "",
        "next_steps_zh": "", "not_pursued_reason": "", "internal_note": "", "state": "accepted", "reviewer": people["official"].pk,
        "evidence-TOTAL_FORMS": 0, "evidence-INITIAL_FORMS": 0,
    }
    response = client.post(url(ProgressUpdate, "change", draft), data)
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.state, draft.reviewer, draft.narrative, draft.version) == ("draft", None, "Started well.", 2)


def test_reference_data_and_the_memorandum_loader_are_for_administrators(client, world):
    people, rows = world
    coordinator = people["coordinator_x"]
    # Even given the permission to add memoranda by hand, a coordinator is no administrator.
    coordinator.user_permissions.add(Permission.objects.get(codename="add_memorandum"), Permission.objects.get(codename="change_party"))
    client.force_login(coordinator)
    assert client.get(reverse("admin:memoranda_memorandum_load")).status_code == 403
    party = rows["x"][Party]
    response = client.post(url(Party, "change", party), {"code": "changed", "name": "Changed", "name_zh": "", "short_name": "", "short_name_zh": ""})
    assert response.status_code == 403
    party.refresh_from_db()
    assert party.code == "hksar"
    client.force_login(people["administrator"])
    assert client.get(reverse("admin:memoranda_memorandum_load")).status_code == 200


def test_a_staff_coordinator_opens_cycles_only_for_their_own_conference(client, world):
    people, rows = world
    client.force_login(people["coordinator_x"])
    data = {"mechanism": rows["y"][Mechanism].pk, "title": "Sneaky", "title_zh": "", "reports_to_session_number": 2, "opens_on": "2026-01-01", "due_on": "2026-02-01"}
    response = client.post(url(ReportingCycle, "add"), data)
    assert response.status_code == 200 and "mechanism" in response.context["adminform"].form.errors
    assert not ReportingCycle.objects.filter(title="Sneaky").exists()
    client.post(url(ReportingCycle, "add"), {**data, "mechanism": rows["x"][Mechanism].pk, "title": "Ours"})
    assert ReportingCycle.objects.get(title="Ours").created_by == people["coordinator_x"]
