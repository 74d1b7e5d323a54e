"""Closing a reporting cycle asks for confirmation first, saying what is still outstanding; a
coordinator of the mechanism can reopen it; both are recorded in the cycle's history."""
from __future__ import annotations

import datetime

import pytest
from django.contrib.admin.models import LogEntry
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from memoranda.models import Commitment, Organisation, Status
from tests.factories import ReportingCycleFactory, member_of
from tracker import services
from tracker.models import ReportingCycle, Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(fourth_plenary) -> dict:
    cmab = Organisation.objects.get(abbreviation="CMAB")
    mtr = Organisation.objects.get(abbreviation="MTR")
    return {
        "coordinator": member_of(cmab, Role.COORDINATOR, user__username="connie", user__first_name="Connie", user__last_name="Wong"),
        "official": member_of(mtr, Role.OFFICIAL, user__username="olivia"),
        "viewer": member_of(cmab, Role.VIEWER, user__username="victor"),
    }


@pytest.fixture
def cycle(fourth_plenary, people) -> ReportingCycle:
    return ReportingCycleFactory(mechanism=fourth_plenary.mechanism, reports_to_session_number=5)


def closed(cycle: ReportingCycle) -> bool:
    return ReportingCycle.objects.get(pk=cycle.pk).closed_on is not None


def history(cycle: ReportingCycle) -> list[tuple[str, str]]:
    entries = LogEntry.objects.filter(object_id=str(cycle.pk), content_type__model="reportingcycle").order_by("pk")
    return [(entry.user.username, entry.change_message) for entry in entries]


def test_the_cycle_page_offers_closing_as_a_link_to_a_confirmation_not_a_one_click_button(client, cycle, people):
    client.force_login(people["coordinator"])
    body = client.get(cycle.get_absolute_url()).content.decode()
    assert f'href="/cycles/{cycle.pk}/close/"' in body
    assert f'action="/cycles/{cycle.pk}/close/"' not in body


def test_confirmation_says_how_much_is_outstanding_and_closes_nothing(client, cycle, people):
    services.progress_update_create(
        commitment=Commitment.objects.get(ref="HKBJ-4-6.5"), author=people["official"],
        organisation=Organisation.objects.get(abbreviation="MTR"), cycle=cycle,
        proposed_status=Status.ON_TRACK, proposed_progress=10, narrative="Reported.", submit=True, notify=False,
    )
    client.force_login(people["coordinator"])
    response = client.get(f"/cycles/{cycle.pk}/close/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Close this cycle?" in body
    assert "17 commitments are still outstanding" in body
    assert "1 submitted update still awaits review." in body
    assert f'<form method="post" action="/cycles/{cycle.pk}/close/"' in body
    assert "csrfmiddlewaretoken" in body
    assert not closed(cycle)


def test_confirmation_warns_when_the_cycle_opened_today(client, fourth_plenary, people):
    cycle = ReportingCycleFactory(mechanism=fourth_plenary.mechanism, opens_on=timezone.localdate())
    client.force_login(people["coordinator"])
    assert "This cycle opened today." in client.get(f"/cycles/{cycle.pk}/close/").content.decode()


def test_confirming_closes_the_cycle_and_records_who_did(client, cycle, people):
    client.force_login(people["coordinator"])
    response = client.post(f"/cycles/{cycle.pk}/close/", follow=True)
    assert response.redirect_chain == [(cycle.get_absolute_url(), 302)]
    assert closed(cycle)
    assert history(cycle) == [("connie", "Closed the cycle")]
    body = response.content.decode()
    assert "Closed the cycle" in body and "Connie Wong" in body
    assert f'action="/cycles/{cycle.pk}/reopen/"' in body


def test_closing_twice_changes_and_records_nothing_more(cycle, people):
    services.cycle_close(cycle=cycle, by=people["coordinator"])
    first = ReportingCycle.objects.get(pk=cycle.pk).closed_on
    services.cycle_close(cycle=cycle, by=people["coordinator"])
    assert ReportingCycle.objects.get(pk=cycle.pk).closed_on == first
    assert len(history(cycle)) == 1


def test_the_confirmation_of_a_closed_cycle_sends_back_to_its_page(client, cycle, people):
    services.cycle_close(cycle=cycle, by=people["coordinator"])
    client.force_login(people["coordinator"])
    response = client.get(f"/cycles/{cycle.pk}/close/", follow=True)
    assert response.redirect_chain == [(cycle.get_absolute_url(), 302)]
    assert "This cycle is already closed." in response.content.decode()


def test_a_coordinator_reopens_a_closed_cycle_and_it_is_recorded(client, cycle, people):
    services.cycle_close(cycle=cycle, by=people["coordinator"])
    client.force_login(people["coordinator"])
    response = client.post(f"/cycles/{cycle.pk}/reopen/", follow=True)
    assert response.redirect_chain == [(cycle.get_absolute_url(), 302)]
    assert not closed(cycle)
    assert ReportingCycle.objects.open().filter(pk=cycle.pk).exists()
    assert history(cycle) == [("connie", "Closed the cycle"), ("connie", "Reopened the cycle")]
    body = response.content.decode()
    assert "Reopened the cycle" in body
    assert f'href="/cycles/{cycle.pk}/close/"' in body  # and it can be closed again


def test_a_reopened_cycle_sends_reminders_again(client, django_capture_on_commit_callbacks, cycle, people):
    from django.core import mail

    member_of(Organisation.objects.get(abbreviation="CMAB"), Role.OFFICIAL, user__username="oscar")
    services.cycle_close(cycle=cycle, by=people["coordinator"])
    services.cycle_reopen(cycle=cycle, by=people["coordinator"])
    client.force_login(people["coordinator"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/cycles/{cycle.pk}/remind/")
    assert mail.outbox


@pytest.mark.parametrize("who", ["official", "viewer"])
def test_others_may_neither_see_the_confirmation_nor_close_nor_reopen(client, cycle, people, who):
    client.force_login(people[who])
    assert client.get(f"/cycles/{cycle.pk}/close/").status_code == 403
    assert client.post(f"/cycles/{cycle.pk}/close/").status_code == 403
    assert not closed(cycle)
    services.cycle_close(cycle=cycle, by=people["coordinator"])
    assert client.post(f"/cycles/{cycle.pk}/reopen/").status_code == 403
    assert closed(cycle)
    body = client.get(cycle.get_absolute_url()).content.decode()
    assert "/reopen/" not in body and "/close/" not in body


def test_a_coordinator_of_another_mechanism_cannot_reach_the_cycle(client, cycle, people):
    from tests.factories import CommitmentFactory

    elsewhere = CommitmentFactory()
    stranger = member_of(elsewhere.lead_organisation, Role.COORDINATOR)
    services.cycle_close(cycle=cycle, by=people["coordinator"])
    client.force_login(stranger)
    assert client.post(f"/cycles/{cycle.pk}/reopen/").status_code == 404
    assert client.get(f"/cycles/{cycle.pk}/close/").status_code == 404
    assert closed(cycle)


def test_the_service_refuses_to_reopen_for_anyone_but_a_coordinator_of_the_mechanism(cycle, people):
    services.cycle_close(cycle=cycle, by=people["coordinator"])
    for who in ("official", "viewer"):
        with pytest.raises(PermissionDenied):
            services.cycle_reopen(cycle=cycle, by=people[who])
    assert closed(cycle)
    assert history(cycle) == [("connie", "Closed the cycle")]


def test_reopen_answers_only_to_post(client, cycle, people):
    services.cycle_close(cycle=cycle, by=people["coordinator"])
    client.force_login(people["coordinator"])
    assert client.get(f"/cycles/{cycle.pk}/reopen/").status_code == 405
    assert closed(cycle)


def test_a_cycle_not_yet_open_can_be_closed_after_confirmation(client, fourth_plenary, people):
    later = timezone.localdate() + datetime.timedelta(days=10)
    cycle = ReportingCycleFactory(mechanism=fourth_plenary.mechanism, opens_on=later, due_on=later + datetime.timedelta(days=5))
    client.force_login(people["coordinator"])
    assert "has not come yet" in client.get(f"/cycles/{cycle.pk}/close/").content.decode()
    assert client.post(f"/cycles/{cycle.pk}/close/").status_code == 302
    assert closed(cycle)
