"""Holes the review of the workflow found, each closed and kept closed."""
import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from memoranda.models import Commitment, Organisation
from tests.factories import CommitmentFactory, ReportingCycleFactory, UserFactory, member_of
from tracker import services
from tracker.models import Reminder, ReminderKind, Role

pytestmark = pytest.mark.django_db


def test_coordinator_elsewhere_cannot_reassign_owners_of_their_own_organisations_commitment(client, fourth_plenary):
    official = member_of(Organisation.objects.get(abbreviation="MTR"), Role.OFFICIAL)
    member_of(CommitmentFactory().lead_organisation, Role.COORDINATOR, user=official)
    client.force_login(official)
    assert client.get("/commitments/HKBJ-4-6.5/manage/").status_code == 403
    response = client.post("/commitments/HKBJ-4-6.5/manage/", {"lead_organisation": Organisation.objects.get(abbreviation="HKTDC").pk, "version": 1})
    assert response.status_code == 403
    assert Commitment.objects.get(ref="HKBJ-4-6.5").lead_organisation.abbreviation == "MTR"
    assert "Owners and due date" not in client.get("/commitments/HKBJ-4-6.5/").content.decode()


def test_no_reminders_for_a_closed_cycle(client, fourth_plenary):
    coordinator = member_of(Organisation.objects.get(abbreviation="CMAB"), Role.COORDINATOR)
    member_of(Organisation.objects.get(abbreviation="MTR"), Role.OFFICIAL, user=UserFactory(email="mtr@example.org"))
    cycle = ReportingCycleFactory(mechanism=fourth_plenary.mechanism, closed_on=timezone.localdate())
    client.force_login(coordinator)
    response = client.post(f"/cycles/{cycle.pk}/remind/", follow=True)
    assert "this cycle is not open" in response.content.decode()
    assert not Reminder.objects.exists() and not mail.outbox


def test_only_one_update_awaits_review_per_commitment(fourth_plenary):
    commitment = Commitment.objects.get(ref="HKBJ-4-6.5")
    mtr = member_of(Organisation.objects.get(abbreviation="MTR"), Role.OFFICIAL)
    cmab = member_of(Organisation.objects.get(abbreviation="CMAB"), Role.OFFICIAL)
    arguments = {"commitment": commitment, "proposed_status": "on_track", "proposed_progress": 20, "narrative": "x", "notify": False}
    cmab_draft = services.progress_update_create(author=cmab, **arguments)
    services.progress_update_create(author=mtr, submit=True, **arguments)
    with pytest.raises(ValidationError, match="awaits review"):
        services.progress_update_edit(update=cmab_draft, by=cmab, proposed_status="at_risk", proposed_progress=10, narrative="y", submit=True)
    with pytest.raises(ValidationError, match="awaits review"):
        services.progress_update_submit(update=cmab_draft, by=cmab)
    # A second update of the same organisation is refused before anything else (one draft each).
    with pytest.raises(ValidationError, match="awaits review|already has an update in progress"):
        services.progress_update_create(author=cmab, submit=True, **arguments)
    assert commitment.updates.filter(state="submitted").count() == 1


def test_inactive_officials_are_neither_mailed_nor_counted_as_reminded(fourth_plenary, django_capture_on_commit_callbacks):
    from tracker.notifications import send_cycle_reminders

    member_of(Organisation.objects.get(abbreviation="MTR"), Role.OFFICIAL, user=UserFactory(email="gone@example.org", is_active=False))
    cycle = ReportingCycleFactory(mechanism=fourth_plenary.mechanism, opens_on=timezone.localdate() - datetime.timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert send_cycle_reminders(cycle, kind=ReminderKind.BY_COORDINATOR) == 0
    assert not Reminder.objects.exists() and not mail.outbox


def test_manage_form_answers_404_for_what_the_user_cannot_see(client, fourth_plenary):
    client.force_login(member_of(CommitmentFactory().lead_organisation, Role.VIEWER))
    assert client.get("/commitments/HKBJ-4-6.5/manage/").status_code == 404
    assert client.get("/commitments/NOPE-1-1.1/manage/").status_code == 404
