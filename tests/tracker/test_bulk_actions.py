"""Bulk actions of coordinators: on the commitment list (owners, due dates, reporting cycles of many
commitments, all or nothing, one history entry per commitment changed) and in the review queue
(several updates accepted at once, each with its own version check: partial success)."""
from __future__ import annotations

import datetime

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext

from memoranda.models import Area, Commitment, Organisation, Status
from tests.factories import CommitmentFactory, MembershipFactory, ReportingCycleFactory, SessionFactory, member_of
from tracker import access, bulk, services
from tracker.models import ProgressUpdate, Role, UpdateState

pytestmark = pytest.mark.django_db

BULK = "/commitments/bulk/"
ACCEPT = "/reviews/accept/"
DUE = datetime.date(2031, 3, 31)


@pytest.fixture
def cmab(fourth_plenary) -> Organisation:
    return Organisation.objects.get(abbreviation="CMAB")


@pytest.fixture
def mtr(fourth_plenary) -> Organisation:
    return Organisation.objects.get(abbreviation="MTR")


@pytest.fixture
def coordinator(cmab):
    return member_of(cmab, Role.COORDINATOR)


@pytest.fixture
def coordinator_client(client, coordinator):
    client.force_login(coordinator)
    return client


def messages_of(response) -> str:
    return " ".join(str(message) for message in get_messages(response.wsgi_request))


def history_counts(commitments) -> dict[int, int]:
    return {commitment.pk: Commitment.history.filter(id=commitment.pk).count() for commitment in commitments}


def snapshot() -> list[tuple]:
    return list(Commitment.all_objects.order_by("pk").values_list("pk", "lead_organisation_id", "due_on", "version", "updated_at"))


@pytest.fixture
def third_session(fourth_plenary, mtr):
    """Forty commitments of an earlier (3rd) HKBJ session, led by MTR."""
    session = SessionFactory(mechanism=fourth_plenary.mechanism, number=3)
    area = Area.objects.filter(mechanism=fourth_plenary.mechanism).order_by("position").first()
    for _ in range(40):
        CommitmentFactory(session=session, area=area, lead_organisation=mtr)
    return session


# The commitment list ---------------------------------------------------------------------------


def test_coordinator_sets_due_date_of_forty_filtered_commitments_in_one_action(coordinator_client, third_session):
    forty = list(Commitment.objects.filter(session=third_session))
    others_before = list(Commitment.objects.exclude(session=third_session).values_list("pk", "due_on", "version"))
    before = history_counts(forty)
    page = coordinator_client.get("/commitments/", {"session": third_session.pk, "size": 25})
    assert page.context["bulk_form"] is not None and page.context["table"].paginator.count == 40
    assert len(page.context["table"].page.object_list) == 25  # the page shows 25; the action takes all 40

    response = coordinator_client.post(BULK, {
        "scope": "all", "filter_query": f"session={third_session.pk}&size=25", "count": "40",
        "action": "due_on", "due_on": DUE.isoformat(),
    })

    assert response.status_code == 302 and response["Location"] == f"/commitments/?session={third_session.pk}&size=25"
    assert "40 commitments changed." in messages_of(response)
    assert set(Commitment.objects.filter(session=third_session).values_list("due_on", flat=True)) == {DUE}
    after = history_counts(forty)
    assert all(after[pk] == before[pk] + 1 for pk in before), "one new history entry per commitment"
    latest = Commitment.history.filter(id=forty[0].pk).first()
    assert latest.history_user_id == response.wsgi_request.user.pk and latest.history_change_reason == "Owners and due date set"
    assert list(Commitment.objects.exclude(session=third_session).values_list("pk", "due_on", "version")) == others_before


def test_commitments_already_as_asked_get_no_history_entry(coordinator_client, fourth_plenary):
    already, other = Commitment.objects.filter(ref__in=["HKBJ-4-6.4", "HKBJ-4-6.5"]).order_by("ref")
    Commitment.objects.filter(pk=already.pk).update(due_on=DUE)
    before = history_counts([already, other])
    response = coordinator_client.post(BULK, {"scope": "selected", "commitment": [already.pk, other.pk], "action": "due_on", "due_on": DUE.isoformat()})
    assert "1 commitment changed. 1 was already so" in messages_of(response)
    assert history_counts([already, other]) == {already.pk: before[already.pk], other.pk: before[other.pk] + 1}


def test_a_selection_with_a_commitment_the_coordinator_may_not_manage_changes_nothing_and_says_why(client, coordinator, fourth_plenary):
    elsewhere = CommitmentFactory()  # another conference: the coordinator also reads it, as a viewer there
    MembershipFactory(user=coordinator, organisation=elsewhere.lead_organisation, role=Role.VIEWER)
    own = Commitment.objects.get(ref="HKBJ-4-6.5")
    assert access.may(coordinator, "view", elsewhere) and not access.may(coordinator, "manage", elsewhere)
    client.force_login(coordinator)
    before, history = snapshot(), history_counts([own, elsewhere])

    response = client.post(BULK, {"scope": "selected", "commitment": [own.pk, elsewhere.pk], "action": "due_on", "due_on": DUE.isoformat()})

    assert response.status_code == 302
    said = messages_of(response)
    assert "Nothing was changed" in said and elsewhere.ref in said and "Only the coordinators of this mechanism assign its owners." in said
    assert own.ref not in said.split("could not be.")[1]  # only the refused one is named
    assert snapshot() == before and history_counts([own, elsewhere]) == history


def test_one_commitment_failing_validation_leaves_all_unchanged(client, coordinator, fourth_plenary):
    """Setting an organisation of another conference as lead: refused for the commitments of
    HKBJ (it takes no part), accepted for those of its own conference; so nothing changes."""
    elsewhere = CommitmentFactory()
    MembershipFactory(user=coordinator, organisation=elsewhere.lead_organisation, role=Role.COORDINATOR)
    theirs = Organisation.objects.create(party=elsewhere.lead_organisation.party, name="Elsewhere Bureau", abbreviation="EB")
    own = list(Commitment.objects.filter(ref__in=["HKBJ-4-6.4", "HKBJ-4-6.5"]))
    client.force_login(coordinator)
    before = snapshot()

    response = client.post(BULK, {"scope": "selected", "commitment": [c.pk for c in [*own, elsewhere]], "action": "lead", "lead_organisation": theirs.pk})

    said = messages_of(response)
    assert response.status_code == 302 and "Nothing was changed: 2 commitments could not be." in said
    assert "HKBJ-4-6.4" in said and "Elsewhere Bureau takes no part in HKBJ" in said and elsewhere.ref not in said
    assert snapshot() == before


def test_add_and_replace_supporting_organisations(coordinator_client, fourth_plenary, cmab, mtr):
    hktdc = Organisation.objects.get(abbreviation="HKTDC")
    commitment = Commitment.objects.get(ref="HKBJ-4-6.5")  # led by MTR, supported by CMAB and BJHKMAO
    supporting = set(commitment.supporting_organisations.all())
    coordinator_client.post(BULK, {"scope": "selected", "commitment": [commitment.pk], "action": "add_supporting", "supporting_organisations": [hktdc.pk, mtr.pk]})
    assert set(commitment.supporting_organisations.all()) == supporting | {hktdc}  # the lead is not also a supporter
    history = history_counts([commitment])
    coordinator_client.post(BULK, {"scope": "selected", "commitment": [commitment.pk], "action": "replace_supporting", "supporting_organisations": [hktdc.pk]})
    assert set(commitment.supporting_organisations.all()) == {hktdc}
    assert history_counts([commitment])[commitment.pk] == history[commitment.pk] + 1


def test_adding_to_a_cycle_says_which_it_covers_and_changes_nothing(coordinator_client, fourth_plenary):
    cycle = ReportingCycleFactory(mechanism=fourth_plenary.mechanism, reports_to_session_number=5, title="Report to the 5th")
    done = Commitment.objects.get(ref="HKBJ-4-6.4")
    Commitment.objects.filter(pk=done.pk).update(status=Status.COMPLETED)
    open_one = Commitment.objects.get(ref="HKBJ-4-6.5")
    before = snapshot()
    response = coordinator_client.post(BULK, {"scope": "selected", "commitment": [done.pk, open_one.pk], "action": "cycle", "cycle": cycle.pk})
    said = messages_of(response)
    assert "Report to the 5th" in said and "1 of those chosen is in it." in said and "HKBJ-4-6.4 (finished" in said
    assert snapshot() == before


@pytest.mark.parametrize("role", [Role.OFFICIAL, Role.VIEWER])
def test_officials_and_viewers_cannot_post_to_the_bulk_endpoints(client, fourth_plenary, mtr, role):
    client.force_login(member_of(mtr, role))
    commitment = Commitment.objects.get(ref="HKBJ-4-6.5")
    update = submitted_update(commitment, mtr)
    before, states = snapshot(), list(ProgressUpdate.objects.values_list("pk", "state", "version"))

    assert client.post(BULK, {"scope": "selected", "commitment": [commitment.pk], "action": "due_on", "due_on": DUE.isoformat()}).status_code == 403
    assert client.post(BULK, {"scope": "all", "filter_query": "", "action": "due_on", "due_on": DUE.isoformat()}).status_code == 403
    assert client.post(ACCEPT, {"update": [update.pk], f"version-{update.pk}": update.version}).status_code == 403
    assert snapshot() == before and list(ProgressUpdate.objects.values_list("pk", "state", "version")) == states


def test_signed_out_posts_are_sent_to_sign_in_and_get_is_not_allowed(client, coordinator_client, fourth_plenary):
    coordinator_client.logout()
    assert client.post(BULK, {}).status_code == 302 and client.post(ACCEPT, {}).status_code == 302


def test_get_is_not_allowed(coordinator_client, fourth_plenary):
    assert coordinator_client.get(BULK).status_code == 405
    assert coordinator_client.get(ACCEPT).status_code == 405


@pytest.mark.parametrize("value", ["abc", "", "-1", "1.5", "²", "9" * 30, "9" * 5000, "1 ", "0x10"])
def test_hostile_commitment_ids_answer_400(coordinator_client, fourth_plenary, value):
    before = snapshot()
    response = coordinator_client.post(BULK, {"scope": "selected", "commitment": [value], "action": "due_on", "due_on": DUE.isoformat()})
    assert response.status_code == 400 and snapshot() == before


def test_ids_out_of_sight_answer_404(coordinator_client, fourth_plenary):
    elsewhere = CommitmentFactory()  # another conference, not seen
    own = Commitment.objects.get(ref="HKBJ-4-6.5")
    before = snapshot()
    for ids in ([elsewhere.pk], [own.pk, elsewhere.pk], [2_000_000_000]):
        response = coordinator_client.post(BULK, {"scope": "selected", "commitment": ids, "action": "due_on", "due_on": DUE.isoformat()})
        assert response.status_code == 404
    assert snapshot() == before


@pytest.mark.parametrize("fields", [
    {"action": "due_on", "due_on": "2031-02-30"},
    {"action": "due_on", "due_on": "99999-01-01"},
    {"action": "due_on"},
    {"action": "lead", "lead_organisation": "abc"},
    {"action": "lead", "lead_organisation": "9" * 40},
    {"action": "add_supporting", "supporting_organisations": ["x", "1"]},
    {"action": "cycle", "cycle": "-3"},
    {"action": "explode"},
    {"action": "due_on", "due_on": "2031-01-01", "scope": "everything"},
])
def test_hostile_form_values_are_refused_without_a_change(coordinator_client, fourth_plenary, fields):
    own = Commitment.objects.get(ref="HKBJ-4-6.5")
    before = snapshot()
    response = coordinator_client.post(BULK, {"scope": "selected", "commitment": [own.pk], **fields})
    assert response.status_code == 302 and snapshot() == before
    assert any(message.level_tag == "error" for message in get_messages(response.wsgi_request))


@pytest.mark.parametrize("query", ["session=abc", "due_after=yesterday", "mechanism=" + "9" * 50])
def test_a_hostile_filter_of_all_matching_answers_400(coordinator_client, fourth_plenary, query):
    before = snapshot()
    response = coordinator_client.post(BULK, {"scope": "all", "filter_query": query, "action": "due_on", "due_on": DUE.isoformat()})
    assert response.status_code == 400 and snapshot() == before


def test_all_matching_is_refused_when_the_filter_now_matches_other_rows(coordinator_client, third_session):
    before = snapshot()
    response = coordinator_client.post(BULK, {
        "scope": "all", "filter_query": f"session={third_session.pk}", "count": "39", "action": "due_on", "due_on": DUE.isoformat(),
    })
    assert "now matches 40 commitments, not the 39" in messages_of(response) and snapshot() == before


def test_bulk_change_costs_a_fixed_number_of_queries_per_commitment(coordinator_client, third_session):
    def queries(n: int, due: datetime.date) -> int:
        ids = list(Commitment.objects.filter(session=third_session).order_by("pk").values_list("pk", flat=True)[:n])
        with CaptureQueriesContext(connection) as context:
            response = coordinator_client.post(BULK, {"scope": "selected", "commitment": ids, "action": "due_on", "due_on": due.isoformat()})
        assert response.status_code == 302 and f"{n} commitments changed." in messages_of(response)
        return len(context)

    ten, forty = queries(10, DUE), queries(40, DUE + datetime.timedelta(days=1))
    per_row = (forty - ten) / 30
    # What commitment_assign (validation, history, owners) and access.may cost for one commitment,
    # the same for every one: no query grows with the size of the selection.
    assert per_row == int(per_row) and per_row <= 40, (ten, forty)


def test_list_offers_checkboxes_only_to_those_who_may_manage(client, coordinator, fourth_plenary, mtr):
    client.force_login(coordinator)
    body = client.get("/commitments/").content.decode()
    assert body.count('name="commitment"') == 18 and 'id="bulk-form"' in body and 'name="csrfmiddlewaretoken"' in body
    for role in (Role.OFFICIAL, Role.VIEWER):
        client.force_login(member_of(mtr, role))
        body = client.get("/commitments/").content.decode()
        assert 'name="commitment"' not in body and 'id="bulk-form"' not in body


def test_checkboxes_follow_the_manage_rule_row_by_row(client, coordinator, fourth_plenary):
    elsewhere = CommitmentFactory()
    MembershipFactory(user=coordinator, organisation=elsewhere.lead_organisation, role=Role.VIEWER)
    rows = list(bulk.with_may_manage(coordinator, Commitment.objects.all()))
    assert {row.pk for row in rows if row.may_manage} == {row.pk for row in rows if access.may(coordinator, "manage", row)}
    assert elsewhere.pk not in {row.pk for row in rows if row.may_manage}
    client.force_login(coordinator)
    body = client.get("/commitments/", {"size": 50}).content.decode()
    assert f'value="{elsewhere.pk}" form="bulk-form"' not in body and body.count('name="commitment"') == 18


# The review queue ------------------------------------------------------------------------------


def submitted_update(commitment: Commitment, organisation: Organisation, author=None) -> ProgressUpdate:
    return services.progress_update_create(
        commitment=commitment, author=author or member_of(organisation, Role.OFFICIAL), organisation=organisation,
        proposed_status=Status.ON_TRACK, proposed_progress=40, narrative=f"Progress on {commitment.ref}.", submit=True, notify=False,
    )


@pytest.fixture
def five_updates(fourth_plenary, mtr) -> list[ProgressUpdate]:
    commitments = Commitment.objects.in_reading_order()[:5]
    return [submitted_update(commitment, mtr) for commitment in commitments]


def accept_form(updates) -> dict:
    data = {"update": [update.pk for update in updates]}
    data.update({f"version-{update.pk}": update.version for update in updates})
    return data


def test_bulk_accept_of_three_where_one_went_stale_accepts_two_and_reports_one(coordinator_client, five_updates):
    first, stale, third = five_updates[:3]
    form = accept_form([first, stale, third])  # the versions the queue showed
    author = stale.author
    stale = services.progress_update_withdraw(update=stale, by=author, update_version=stale.version)  # changed meanwhile …
    stale = services.progress_update_submit(update=stale, by=author)  # … and submitted again: still awaiting review

    response = coordinator_client.post(ACCEPT, form)

    assert response.status_code == 302 and response["Location"] == "/reviews/"
    states = dict(ProgressUpdate.objects.filter(pk__in=[first.pk, stale.pk, third.pk]).values_list("pk", "state"))
    assert states == {first.pk: UpdateState.ACCEPTED, stale.pk: UpdateState.SUBMITTED, third.pk: UpdateState.ACCEPTED}
    said = messages_of(response)
    assert f"Accepted 2 updates: {first.commitment.ref}, {third.commitment.ref}." in said
    assert f"Refused 1 update: {stale.commitment.ref}: This update was changed by someone else" in said
    first.commitment.refresh_from_db()
    assert (first.commitment.status, first.commitment.progress) == (Status.ON_TRACK, 40)
    stale.commitment.refresh_from_db()
    assert stale.commitment.status == Status.NOT_STARTED  # untouched


def test_accepting_five_at_once(coordinator_client, five_updates, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_client.post(ACCEPT, accept_form(five_updates))
    assert "Accepted 5 updates" in messages_of(response) and "Refused" not in messages_of(response)
    assert set(ProgressUpdate.objects.filter(pk__in=[u.pk for u in five_updates]).values_list("state", flat=True)) == {UpdateState.ACCEPTED}
    for update in five_updates:  # each recorded as if accepted on its own page
        assert Commitment.history.filter(id=update.commitment_id, history_change_reason=f"Accepted progress update #{update.pk}").count() == 1
    assert len(mailoutbox) == 5  # each author told


def test_an_update_accepted_meanwhile_or_without_its_version_is_refused_with_the_reason(client, coordinator, five_updates):
    done, unversioned, fine = five_updates[:3]
    form = accept_form([done, unversioned, fine])
    del form[f"version-{unversioned.pk}"]
    services.progress_update_accept(update=done, reviewer=coordinator, update_version=done.version, notify=False)
    client.force_login(coordinator)
    said = messages_of(client.post(ACCEPT, form))
    assert "Accepted 1 update" in said and "Refused 2 updates" in said and "did not say which version" in said
    assert ProgressUpdate.objects.get(pk=unversioned.pk).state == UpdateState.SUBMITTED


@pytest.mark.parametrize("value", ["abc", "", "²", "9" * 5000, "-4"])
def test_hostile_update_ids_answer_400(coordinator_client, five_updates, value):
    states = list(ProgressUpdate.objects.values_list("pk", "state", "version"))
    assert coordinator_client.post(ACCEPT, {"update": [five_updates[0].pk, value]}).status_code == 400
    assert list(ProgressUpdate.objects.values_list("pk", "state", "version")) == states


def test_update_ids_out_of_sight_answer_404_and_hostile_versions_are_refused(coordinator_client, five_updates):
    update = five_updates[0]
    assert coordinator_client.post(ACCEPT, {"update": [update.pk, 2_000_000_000]}).status_code == 404
    response = coordinator_client.post(ACCEPT, {"update": [update.pk], f"version-{update.pk}": "9" * 5000})
    assert response.status_code == 302 and "Refused 1 update" in messages_of(response)
    assert ProgressUpdate.objects.get(pk=update.pk).state == UpdateState.SUBMITTED


def test_queue_carries_each_updates_version_and_a_checkbox(coordinator_client, five_updates):
    body = coordinator_client.get("/reviews/").content.decode()
    for update in five_updates:
        assert f'name="version-{update.pk}" value="{update.version}"' in body and f'name="update" value="{update.pk}"' in body
    assert 'action="/reviews/accept/"' in body and 'name="csrfmiddlewaretoken"' in body


def test_bulk_accept_costs_a_fixed_number_of_queries_per_update(client, coordinator, fourth_plenary, mtr):
    updates = [submitted_update(commitment, mtr) for commitment in Commitment.objects.in_reading_order()[:12]]
    client.force_login(coordinator)

    def queries(batch) -> int:
        with CaptureQueriesContext(connection) as context:
            assert f"Accepted {len(batch)} updates" in messages_of(client.post(ACCEPT, accept_form(batch)))
        return len(context)

    two, ten = queries(updates[:2]), queries(updates[2:12])
    per_row = (ten - two) / 8
    # What progress_update_accept (both rows validated and recorded, the author told) and
    # access.may cost for one update, the same for every one.
    assert per_row == int(per_row) and per_row <= 70, (two, ten)
