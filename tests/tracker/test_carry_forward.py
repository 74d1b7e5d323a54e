"""Carrying forward: a later session's item that continues an earlier one supersedes it, so the
earlier item is marked carried forward (recorded, reversible by a coordinator) and reporting
cycles stop asking for it; the cross-session report names its sessions."""
from __future__ import annotations

import datetime

import pytest
from django.utils import translation

from memoranda import services as memoranda_services
from memoranda.models import Commitment, Organisation, Status
from memoranda.parsing import parse_memorandum
from memoranda.sources import source_checksum
from tests.factories import CommitmentFactory, ReportingCycleFactory, SessionFactory, UserFactory, member_of
from tests.tracker.test_history_entries import FIFTH
from tracker import selectors
from tracker.history import history_entries
from tracker.models import Role

pytestmark = pytest.mark.django_db
EARLIER = "HKBJ-4-6.5"
UNDO = f"/commitments/{EARLIER}/carry-forward/undo/"


@pytest.fixture
def coordinator(fourth_plenary):
    return member_of(Organisation.objects.get(abbreviation="CMAB"), Role.COORDINATOR, user__username="connie")


@pytest.fixture
def official(fourth_plenary):
    return member_of(Organisation.objects.get(abbreviation="MTR"), Role.OFFICIAL, user__username="olivia")


@pytest.fixture
def fifth_loaded(fourth_plenary) -> Commitment:
    """The 5th plenary loaded with its MTR item confirmed as continuing HKBJ-4-6.5; returns that item."""
    earlier = Commitment.objects.get(ref=EARLIER)
    earlier.status = Status.ONGOING  # as a coordinator left it: a continuing arrangement
    earlier.save()
    parsed = parse_memorandum(FIFTH, format="text")
    parsed.held_on = datetime.date(2020, 11, 20)
    memoranda_services.memorandum_import(
        parsed=parsed, checksum=source_checksum(FIFTH), source_text=FIFTH, links={1: EARLIER}, loaded_by=UserFactory(username="admin-ann")
    )
    return Commitment.objects.get(ref="HKBJ-5-2.1")


def test_confirmed_link_carries_the_earlier_item_forward_once_and_records_it(fifth_loaded):
    earlier = Commitment.objects.get(ref=EARLIER)
    assert fifth_loaded.continues == earlier
    assert earlier.status == Status.CARRIED_FORWARD
    carried = earlier.history.filter(history_change_reason="Carried forward by HKBJ-5-2.1")
    assert carried.count() == 1
    assert carried.get().history_user.username == "admin-ann"
    latest = history_entries(list(earlier.history.all()))[0]
    assert latest.reason == "Carried forward: HKBJ-5-2.1 continues it"
    assert [(c.field, c.old, c.new) for c in latest.changes] == [("status", "Ongoing arrangement", "Carried forward")]
    assert carried.get().version == earlier.version
    assert earlier.history.filter(version=earlier.version - 1).exists()  # the version was bumped


def test_a_second_item_continuing_the_same_one_changes_nothing_more(fifth_loaded):
    earlier = Commitment.objects.get(ref=EARLIER)
    version = earlier.version
    memoranda_services.commitment_carry_forward(earlier=earlier, later=fifth_loaded)
    earlier.refresh_from_db()
    assert (earlier.status, earlier.version) == (Status.CARRIED_FORWARD, version)
    assert earlier.history.filter(history_change_reason__startswith="Carried forward by").count() == 1


def test_a_finished_item_is_not_carried_forward(fourth_plenary):
    earlier = Commitment.objects.get(ref=EARLIER)
    earlier.status = Status.COMPLETED
    earlier.save()
    later = CommitmentFactory(session=SessionFactory(mechanism=earlier.session.mechanism, number=5), area=earlier.area)
    memoranda_services.commitment_carry_forward(earlier=earlier, later=later)
    earlier.refresh_from_db()
    assert earlier.status == Status.COMPLETED


def test_only_an_earlier_sessions_item_can_be_carried_forward(fourth_plenary):
    from django.core.exceptions import ValidationError

    earlier = Commitment.objects.get(ref=EARLIER)
    same_session = Commitment.objects.get(ref="HKBJ-4-6.1")
    with pytest.raises(ValidationError):
        memoranda_services.commitment_carry_forward(earlier=earlier, later=same_session)
    assert Commitment.objects.get(ref=EARLIER).status == Status.NOT_STARTED


def test_cycles_stop_asking_for_a_carried_forward_item_and_ask_again_after_undo(client, fifth_loaded, coordinator):
    cycle = ReportingCycleFactory(mechanism=fifth_loaded.session.mechanism, reports_to_session_number=6)
    asked = set(selectors.cycle_commitments(cycle).values_list("ref", flat=True))
    assert EARLIER not in asked
    assert "HKBJ-5-2.1" in asked and "HKBJ-4-6.1" in asked
    assert sum(row["total"] for row in selectors.cycle_completeness(cycle)) == len(asked)

    client.force_login(coordinator)
    client.post(UNDO, {"version": Commitment.objects.get(ref=EARLIER).version})
    assert EARLIER in set(selectors.cycle_commitments(cycle).values_list("ref", flat=True))


def test_coordinator_undoes_carrying_forward_and_it_is_recorded(client, fifth_loaded, coordinator):
    client.force_login(coordinator)
    page = client.get(f"/commitments/{EARLIER}/").content.decode()
    assert "Undo carrying forward" in page
    assert 'href="/commitments/HKBJ-5-2.1/"' in page

    earlier = Commitment.objects.get(ref=EARLIER)
    response = client.post(UNDO, {"version": earlier.version})
    assert response.status_code == 302 and response["Location"] == f"/commitments/{EARLIER}/"
    undone = Commitment.objects.get(ref=EARLIER)
    assert undone.status == Status.ONGOING  # the status it had before
    assert undone.version == earlier.version + 1
    assert undone.continued_by.get() == fifth_loaded  # the link stays
    latest = undone.history.first()
    assert (latest.history_change_reason, latest.history_user) == ("Carrying forward undone", coordinator)
    assert "is no longer carried forward" in client.get(response["Location"]).content.decode()


def test_a_stale_undo_is_refused(client, fifth_loaded, coordinator):
    client.force_login(coordinator)
    earlier = Commitment.objects.get(ref=EARLIER)
    response = client.post(UNDO, {"version": earlier.version - 1}, follow=True)
    assert Commitment.objects.get(ref=EARLIER).status == Status.CARRIED_FORWARD
    assert "changed by someone else" in response.content.decode()


def test_undo_is_refused_to_officials_and_to_other_mechanisms_coordinators(client, fifth_loaded, official):
    client.force_login(official)
    assert "Undo carrying forward" not in client.get(f"/commitments/{EARLIER}/").content.decode()
    assert client.post(UNDO, {"version": Commitment.objects.get(ref=EARLIER).version}).status_code == 403

    outsider = member_of(CommitmentFactory().lead_organisation, Role.COORDINATOR)
    client.force_login(outsider)
    assert client.post(UNDO, {"version": Commitment.objects.get(ref=EARLIER).version}).status_code == 404
    assert client.get(UNDO).status_code in (404, 405)
    assert Commitment.objects.get(ref=EARLIER).status == Status.CARRIED_FORWARD


def test_undo_only_by_post(client, fifth_loaded, coordinator):
    client.force_login(coordinator)
    assert client.get(UNDO).status_code == 405
    assert Commitment.objects.get(ref=EARLIER).status == Status.CARRIED_FORWARD


def test_linking_in_the_admin_carries_the_earlier_item_forward(admin_client, fourth_plenary):
    earlier = Commitment.objects.get(ref=EARLIER)
    later = CommitmentFactory(
        session=SessionFactory(mechanism=earlier.session.mechanism, number=5, held_on=datetime.date(2020, 11, 20)),
        area=earlier.area, lead_organisation=earlier.lead_organisation,
    )
    url = f"/admin/memoranda/commitment/{later.pk}/change/"
    form = admin_client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and name not in ("parties", "supporting_organisations")}
    data.update({
        "session": later.session_id, "area": later.area_id, "lead_organisation": later.lead_organisation_id,
        "parties": [p.pk for p in later.parties.all()],
        "supporting_organisations": [Organisation.objects.get(abbreviation="HKTDC").pk],
        "continues": earlier.pk, "due_on": "",
        "milestones-TOTAL_FORMS": 0, "milestones-INITIAL_FORMS": 0, "milestones-MIN_NUM_FORMS": 0, "milestones-MAX_NUM_FORMS": 1000,
    })
    records_before = later.history.count()
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    earlier.refresh_from_db()
    assert earlier.status == Status.CARRIED_FORWARD
    assert earlier.history.first().history_change_reason == f"Carried forward by {later.ref}"
    assert later.history.count() == records_before + 1  # one entry, naming the organisation added
    latest = history_entries(list(later.history.all()))[0]
    assert {c.field: c.added for c in latest.changes}["supporting organisations"] == ["Hong Kong Trade Development Council"]


def test_admin_refuses_a_link_to_a_later_session(admin_client, fourth_plenary):
    earlier = Commitment.objects.get(ref=EARLIER)
    later = CommitmentFactory(session=SessionFactory(mechanism=earlier.session.mechanism, number=5), area=earlier.area)
    url = f"/admin/memoranda/commitment/{earlier.pk}/change/"
    form = admin_client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and name not in ("parties", "supporting_organisations")}
    data.update({
        "parties": [p.pk for p in earlier.parties.all()], "supporting_organisations": [o.pk for o in earlier.supporting_organisations.all()],
        "continues": later.pk, "due_on": "",
        "milestones-TOTAL_FORMS": 0, "milestones-INITIAL_FORMS": 0, "milestones-MIN_NUM_FORMS": 0, "milestones-MAX_NUM_FORMS": 1000,
    })
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "continues" in response.context["adminform"].form.errors
    assert Commitment.objects.get(pk=later.pk).status == Status.NOT_STARTED


def test_cross_session_report_names_its_sessions_with_dates(client, fifth_loaded, coordinator):
    client.force_login(coordinator)
    response = client.get("/reports/mechanisms/HKBJ/")
    headings = [label for _session, label in response.context["report"].columns]
    assert headings == ["4th Plenary Session, 24 October 2018", "5th Plenary Session, 20 November 2020"]
    body = response.content.decode()
    assert "4th Plenary Session, 24 October 2018</a></th>" in body

    client.cookies["django_language"] = "zh-hant"
    body = client.get("/reports/mechanisms/HKBJ/").content.decode()
    assert "第四次會議" in body and "2018年10月24日" in body
    assert "第五次會議" in body and "2020年11月20日" in body
    with translation.override("zh-hans"):
        from memoranda.formatting import session_label

        assert session_label(fifth_loaded.session).startswith("第五次会议")
