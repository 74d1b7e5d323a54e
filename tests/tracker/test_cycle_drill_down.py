"""A cycle's completeness drills down to the outstanding commitments of each lead organisation, links
to the commitment list filtered the same way, and reminds just those officials about just those
commitments; the reminder log says what its numbers are."""
from __future__ import annotations

import datetime
import json

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import formats, timezone

from memoranda.models import Commitment, Organisation, Status
from tests.factories import CommitmentFactory, ReportingCycleFactory, member_of
from tracker import notifications, services
from tracker.models import Reminder, ReminderKind, Role

pytestmark = pytest.mark.django_db

# CMAB leads twelve of the 4th plenary's eighteen items; set up below: 2.1 accepted, 7.1 submitted,
# 1.1 a draft, 2.2 returned. The other eight have nothing yet.
CMAB_OUTSTANDING = {
    "HKBJ-4-1.1": "Draft", "HKBJ-4-2.2": "Returned", "HKBJ-4-3.1": "Not started", "HKBJ-4-4.1": "Not started",
    "HKBJ-4-5.1": "Not started", "HKBJ-4-5.3": "Not started", "HKBJ-4-6.1": "Not started", "HKBJ-4-6.2": "Not started",
    "HKBJ-4-6.3": "Not started", "HKBJ-4-6.4": "Not started",
}


@pytest.fixture
def organisations(fourth_plenary) -> dict[str, Organisation]:
    return {abbreviation: Organisation.objects.get(abbreviation=abbreviation) for abbreviation in ("MTR", "CMAB", "HKTDC")}


@pytest.fixture
def people(organisations) -> dict:
    return {
        "cmab": member_of(organisations["CMAB"], Role.OFFICIAL, user__username="oscar", user__first_name="Oscar", user__last_name="Lee"),
        "hktdc": member_of(organisations["HKTDC"], Role.OFFICIAL, user__username="harry"),
        "mtr": member_of(organisations["MTR"], Role.OFFICIAL, user__username="olivia"),
        "coordinator": member_of(organisations["CMAB"], Role.COORDINATOR, user__username="connie"),
        "viewer": member_of(organisations["CMAB"], Role.VIEWER, user__username="victor"),
    }


def report(cycle, author, organisation, ref: str, *, submit: bool = True):
    return services.progress_update_create(
        commitment=Commitment.objects.get(ref=ref), author=author, organisation=organisation, cycle=cycle,
        proposed_status=Status.ON_TRACK, proposed_progress=30, narrative="Reported.", submit=submit, notify=False,
    )


@pytest.fixture
def cycle(fourth_plenary, people, organisations):
    cycle = ReportingCycleFactory(mechanism=fourth_plenary.mechanism, reports_to_session_number=5)
    cmab, official, coordinator = organisations["CMAB"], people["cmab"], people["coordinator"]
    services.progress_update_accept(update=report(cycle, official, cmab, "HKBJ-4-2.1"), reviewer=coordinator, notify=False)
    report(cycle, official, cmab, "HKBJ-4-7.1")
    report(cycle, official, cmab, "HKBJ-4-1.1", submit=False)
    returned = report(cycle, official, cmab, "HKBJ-4-2.2")
    services.progress_update_return(update=returned, reviewer=coordinator, comment="Say what was agreed.", notify=False)
    return cycle


@pytest.fixture
def coordinator_client(client, people):
    client.force_login(people["coordinator"])
    return client


def drill_down(client, cycle, organisation):
    return client.get(f"/cycles/{cycle.pk}/", {"organisation": organisation.pk})


def test_each_organisation_with_something_outstanding_links_to_its_drill_down(coordinator_client, cycle, organisations):
    body = coordinator_client.get(f"/cycles/{cycle.pk}/").content.decode()
    assert f'href="?organisation={organisations["CMAB"].pk}#outstanding"' in body
    assert "10 awaiting an update" in body
    # MTR's only item has nothing yet either; an organisation with nothing outstanding has no link.
    assert f'href="?organisation={organisations["MTR"].pk}#outstanding"' in body
    report(cycle, member_of(organisations["MTR"], Role.OFFICIAL), organisations["MTR"], "HKBJ-4-6.5")
    body = coordinator_client.get(f"/cycles/{cycle.pk}/").content.decode()
    assert f'href="?organisation={organisations["MTR"].pk}#outstanding"' not in body


def test_drill_down_lists_the_outstanding_commitments_with_their_state_in_the_cycle(coordinator_client, cycle, organisations):
    response = drill_down(coordinator_client, cycle, organisations["CMAB"])
    selected = response.context["selected"]
    states = {
        commitment.ref: {None: "Not started", "draft": "Draft", "returned": "Returned"}[commitment.cycle_state]
        for commitment in selected["commitments"]
    }
    assert states == CMAB_OUTSTANDING
    body = response.content.decode()
    assert 'id="outstanding"' in body
    assert "Constitutional and Mainland Affairs Bureau leads 10 commitments with no update submitted or accepted" in body
    assert "HKBJ-4-2.1" not in body.split('id="outstanding"')[1].split("</section>")[0]  # accepted
    assert "HKBJ-4-7.1" not in body.split('id="outstanding"')[1].split("</section>")[0]  # submitted


def test_drill_down_links_to_the_list_filtered_the_same_way(coordinator_client, cycle, organisations):
    cmab = organisations["CMAB"]
    list_url = drill_down(coordinator_client, cycle, cmab).context["selected"]["list_url"]
    assert list_url == f"/commitments/?outstanding_in_cycle={cycle.pk}&lead_organisation={cmab.pk}"
    listed = coordinator_client.get(list_url)
    assert listed.status_code == 200
    assert {commitment.ref for commitment in listed.context["filter"].qs} == set(CMAB_OUTSTANDING)
    exported = json.loads(b"".join(coordinator_client.get(list_url + "&_export=json").streaming_content))
    assert {row["ref"] for row in exported} == set(CMAB_OUTSTANDING)


def test_the_outstanding_filter_alone_lists_everything_the_cycle_waits_for(coordinator_client, cycle):
    listed = coordinator_client.get("/commitments/", {"outstanding_in_cycle": cycle.pk})
    refs = {commitment.ref for commitment in listed.context["filter"].qs}
    assert len(refs) == 18 - 2  # everything but the accepted and the submitted
    assert not {"HKBJ-4-2.1", "HKBJ-4-7.1"} & refs


def test_the_outstanding_filter_goes_through_the_row_level_rule(client, cycle):
    elsewhere = CommitmentFactory()
    outsider = member_of(elsewhere.lead_organisation, Role.OFFICIAL)
    client.force_login(outsider)
    listed = client.get("/commitments/", {"outstanding_in_cycle": cycle.pk})
    assert listed.status_code == 200
    assert list(listed.context["object_list"]) == []


def test_an_unknown_organisation_opens_no_drill_down(coordinator_client, cycle):
    for value in ("999999", "x", ""):
        response = coordinator_client.get(f"/cycles/{cycle.pk}/", {"organisation": value})
        assert response.status_code == 200
        assert response.context["selected"] is None


def test_commitments_with_no_lead_can_be_drilled_into_but_no_one_reminded(coordinator_client, cycle, fourth_plenary):
    first = Commitment.objects.get(ref="HKBJ-4-1.1")
    CommitmentFactory(session=fourth_plenary, area=first.area, lead_organisation=None)
    response = coordinator_client.get(f"/cycles/{cycle.pk}/", {"organisation": "none"})
    selected = response.context["selected"]
    assert {commitment.ref for commitment in selected["commitments"]} == set(
        Commitment.objects.filter(lead_organisation__isnull=True).values_list("ref", flat=True)
    )
    assert selected["list_url"] is None and not selected["may_remind"]
    assert "no lead organisation yet" in response.content.decode()


def test_viewers_see_the_drill_down_but_no_reminder_form(client, cycle, people, organisations):
    client.force_login(people["viewer"])
    response = drill_down(client, cycle, organisations["CMAB"])
    assert len(response.context["selected"]["commitments"]) == 10
    assert 'name="selected_only"' not in response.content.decode()


# Reminding just those ---------------------------------------------------------------------------------


def remind(client, cycle, django_capture_on_commit_callbacks, **data):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(f"/cycles/{cycle.pk}/remind/", data, follow=True)


def test_reminding_one_organisation_reaches_only_its_officials_about_only_what_it_leads(
    coordinator_client, cycle, people, organisations, django_capture_on_commit_callbacks
):
    cmab = organisations["CMAB"]
    response = remind(coordinator_client, cycle, django_capture_on_commit_callbacks, organisation=cmab.pk)
    assert response.redirect_chain == [(f"/cycles/{cycle.pk}/?organisation={cmab.pk}#outstanding", 302)]
    assert [message.to for message in mail.outbox] == [[people["cmab"].email]]
    body = mail.outbox[0].body
    assert {ref for ref in CMAB_OUTSTANDING if ref in body} == set(CMAB_OUTSTANDING)
    # CMAB supports HKTDC's 2.3 and HKSTP's 3.2, but this reminder is about what CMAB leads.
    for ref in ("HKBJ-4-2.3", "HKBJ-4-3.2", "HKBJ-4-2.1", "HKBJ-4-7.1"):
        assert ref not in body
    assert "(returned for changes)" in body and "(a draft not yet submitted)" in body
    assert Reminder.objects.get().commitment_count == 10
    assert "Reminder sent to 1 official of Constitutional and Mainland Affairs Bureau." in response.content.decode()


def test_reminding_about_ticked_commitments_lists_only_those(
    coordinator_client, cycle, people, organisations, django_capture_on_commit_callbacks
):
    ticked = [Commitment.objects.get(ref=ref).pk for ref in ("HKBJ-4-6.1", "HKBJ-4-6.2")]
    accepted = Commitment.objects.get(ref="HKBJ-4-2.1").pk  # no longer outstanding: never listed
    remind(coordinator_client, cycle, django_capture_on_commit_callbacks,
           organisation=organisations["CMAB"].pk, selected_only="1", commitment=[*ticked, accepted, "junk"])
    assert [message.to for message in mail.outbox] == [[people["cmab"].email]]
    body = mail.outbox[0].body
    assert "HKBJ-4-6.1" in body and "HKBJ-4-6.2" in body
    assert not {ref for ref in CMAB_OUTSTANDING if ref in body} - {"HKBJ-4-6.1", "HKBJ-4-6.2"}
    assert "HKBJ-4-2.1" not in body
    assert "owes progress updates on 2 commitments" in body


def test_nothing_ticked_sends_nothing(coordinator_client, cycle, organisations, django_capture_on_commit_callbacks):
    response = remind(coordinator_client, cycle, django_capture_on_commit_callbacks, organisation=organisations["CMAB"].pk, selected_only="1")
    assert mail.outbox == [] and not Reminder.objects.exists()
    assert "tick at least one commitment" in response.content.decode()


def test_an_organisation_leading_nothing_in_the_cycle_is_refused(coordinator_client, cycle, django_capture_on_commit_callbacks):
    stranger = CommitmentFactory().lead_organisation
    response = remind(coordinator_client, cycle, django_capture_on_commit_callbacks, organisation=stranger.pk)
    assert mail.outbox == []
    assert "leads nothing in this cycle" in response.content.decode()


def test_reminding_an_organisation_is_idempotent_per_day(
    coordinator_client, cycle, organisations, django_capture_on_commit_callbacks
):
    remind(coordinator_client, cycle, django_capture_on_commit_callbacks, organisation=organisations["CMAB"].pk)
    again = remind(coordinator_client, cycle, django_capture_on_commit_callbacks, organisation=organisations["CMAB"].pk)
    assert len(mail.outbox) == 1 and Reminder.objects.count() == 1
    assert "No reminder was sent" in again.content.decode()


def test_only_coordinators_may_remind_an_organisation(client, cycle, people, organisations, django_capture_on_commit_callbacks):
    for who in ("viewer", "cmab"):
        client.force_login(people[who])
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post(f"/cycles/{cycle.pk}/remind/", {"organisation": organisations["CMAB"].pk}).status_code == 403
    assert mail.outbox == []


def test_send_cycle_reminders_narrows_to_an_organisation_and_commitments(cycle, people, organisations, django_capture_on_commit_callbacks):
    awaited = notifications.officials_awaited(cycle)
    assert set(awaited) == {people["cmab"], people["hktdc"], people["mtr"]}
    narrowed = notifications.officials_awaited(cycle, organisation=organisations["HKTDC"])
    assert {user: [c.ref for c in owed] for user, owed in narrowed.items()} == {people["hktdc"]: ["HKBJ-4-2.3"]}
    only = notifications.officials_awaited(cycle, commitments=Commitment.objects.filter(ref="HKBJ-4-2.3"))
    # Without an organisation, the officials of every owner of the commitment are reminded.
    assert set(only) == {people["hktdc"], people["cmab"]}
    with django_capture_on_commit_callbacks(execute=True):
        sent = notifications.send_cycle_reminders(cycle, kind=ReminderKind.BY_COORDINATOR, organisation=organisations["HKTDC"])
    assert sent == 1 and [message.to for message in mail.outbox] == [[people["hktdc"].email]]


def test_the_reminder_log_says_who_for_which_organisation_about_how_many_and_when(
    coordinator_client, cycle, organisations, django_capture_on_commit_callbacks
):
    remind(coordinator_client, cycle, django_capture_on_commit_callbacks, organisation=organisations["CMAB"].pk)
    body = coordinator_client.get(f"/cycles/{cycle.pk}/").content.decode()
    today = formats.date_format(timezone.localdate(), "DATE_FORMAT")
    assert (
        f"Reminded Oscar Lee (Constitutional and Mainland Affairs Bureau) about 10 commitments awaiting an update, on {today}"
        in body
    )
    assert "Sent by a coordinator" in body


# Queries ------------------------------------------------------------------------------------------------


def test_the_cycle_page_with_a_drill_down_costs_the_same_queries_for_more_commitments(client, db):
    first = CommitmentFactory()
    organisation = first.lead_organisation
    coordinator = member_of(organisation, Role.COORDINATOR)
    officials = [member_of(organisation, Role.OFFICIAL) for _ in range(2)]
    cycle = ReportingCycleFactory(mechanism=first.session.mechanism, reports_to_session_number=first.session.number + 1)
    client.force_login(coordinator)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/cycles/{cycle.pk}/", {"organisation": organisation.pk})
            assert response.status_code == 200
        return len(queries), len(response.context["selected"]["commitments"])

    def grow_to(n: int) -> None:
        while Commitment.objects.filter(session=first.session).count() < n:
            CommitmentFactory(session=first.session, area=first.area, lead_organisation=organisation)
        for official in officials:  # one more reminder each day in the log: pretend it was sent
            Reminder.objects.get_or_create(
                cycle=cycle, recipient=official, kind=ReminderKind.BY_COORDINATOR,
                sent_on=timezone.localdate() - datetime.timedelta(days=n), defaults={"commitment_count": n},
            )

    grow_to(5)
    few, listed = count()
    assert listed == 5
    grow_to(50)
    many, listed = count()
    assert listed == 50
    assert many == few


def test_names_and_titles_in_the_drill_down_are_escaped(coordinator_client, cycle, organisations):
    cmab = organisations["CMAB"]
    cmab.name = "<script>alert(1)</script> Bureau"
    cmab.save()
    Commitment.objects.filter(ref="HKBJ-4-3.1").update(title="<img src=x onerror=alert(2)>")
    body = drill_down(coordinator_client, cycle, cmab).content.decode()
    assert "<script>alert(1)</script>" not in body and "&lt;script&gt;alert(1)&lt;/script&gt; Bureau" in body
    assert "<img src=x" not in body
