"""Reminders: `manage.py send_reminders` e-mails officials who owe updates, never the same reminder
twice; the coordinator's button sends at most once a day."""
from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from memoranda.models import Commitment, Organisation, Status
from tests.factories import ReportingCycleFactory, member_of
from tracker import services
from tracker.models import Reminder, ReminderKind, Role

pytestmark = pytest.mark.django_db

OPENS = datetime.date(2030, 3, 1)
DUE = datetime.date(2030, 3, 20)
CYCLE_TITLE = "Progress report to the 5th Plenary Session"


def day(offset: int) -> datetime.date:
    """A day relative to the due date: -3 is three days before it, 1 the day after."""
    return DUE + datetime.timedelta(days=offset)


@pytest.fixture
def organisations(fourth_plenary) -> dict[str, Organisation]:
    return {abbreviation: Organisation.objects.get(abbreviation=abbreviation) for abbreviation in ("MTR", "CMAB", "HKTDC", "HKSTP")}


@pytest.fixture
def people(organisations) -> dict:
    """Officials of MTR (owes HKBJ-4-6.5 only), HKTDC (HKBJ-4-2.3 only), HKSTP (HKBJ-4-3.2 only) and
    CMAB (a part in all 18); a coordinator and a viewer, who owe nothing."""
    return {
        "mtr": member_of(organisations["MTR"], Role.OFFICIAL, user__username="olivia"),
        "hktdc": member_of(organisations["HKTDC"], Role.OFFICIAL, user__username="harry"),
        "hkstp": member_of(organisations["HKSTP"], Role.OFFICIAL, user__username="sally"),
        "cmab": member_of(organisations["CMAB"], Role.OFFICIAL, user__username="oscar"),
        "coordinator": member_of(organisations["CMAB"], Role.COORDINATOR, user__username="connie"),
        "viewer": member_of(organisations["CMAB"], Role.VIEWER, user__username="victor"),
    }


@pytest.fixture
def cycle(fourth_plenary, people):
    return ReportingCycleFactory(
        mechanism=fourth_plenary.mechanism, title=CYCLE_TITLE, reports_to_session_number=5, opens_on=OPENS, due_on=DUE
    )


@pytest.fixture
def send_reminders(django_capture_on_commit_callbacks):
    """Run the command as on `today`; return the mails it sent and what it printed."""

    def run(today: datetime.date) -> tuple[list, str]:
        before = len(mail.outbox)
        out = StringIO()
        with django_capture_on_commit_callbacks(execute=True):
            call_command("send_reminders", "--today", today.isoformat(), stdout=out)
        return mail.outbox[before:], out.getvalue()

    return run


def recipients(messages) -> list[str]:
    return sorted(address for message in messages for address in message.to)


def emails(people, *names) -> list[str]:
    return sorted(people[name].email for name in names)


def report(cycle, author, organisation, ref: str, *, submit: bool = True, accept_by=None):
    update = services.progress_update_create(
        commitment=Commitment.objects.get(ref=ref), author=author, organisation=organisation, cycle=cycle,
        proposed_status=Status.ON_TRACK, proposed_progress=30, narrative="Reported.", submit=submit, notify=False,
    )
    if accept_by is not None:
        services.progress_update_accept(update=update, reviewer=accept_by, notify=False)
    return update


def test_officials_owing_updates_get_one_due_soon_reminder_each(send_reminders, cycle, people):
    sent, output = send_reminders(day(-3))
    assert recipients(sent) == emails(people, "mtr", "hktdc", "hkstp", "cmab")
    assert f"{CYCLE_TITLE}: 4 reminder(s) sent." in output
    to_mtr = next(message for message in sent if message.to == [people["mtr"].email])
    assert to_mtr.subject == f"[Tracker] Reminder: progress updates for “{CYCLE_TITLE}” are due on 20 March 2030"
    assert "owes a progress update on 1 commitment" in to_mtr.body
    assert "HKBJ-4-6.5" in to_mtr.body and "HKBJ-4-2.1" not in to_mtr.body
    to_cmab = next(message for message in sent if message.to == [people["cmab"].email])
    assert "owes progress updates on 18 commitments" in to_cmab.body
    assert set(Reminder.objects.values_list("kind", flat=True)) == {ReminderKind.DUE_SOON}
    assert Reminder.objects.get(recipient=people["cmab"]).commitment_count == 18


def test_coordinators_and_viewers_get_no_reminder(send_reminders, cycle, people):
    sent, _output = send_reminders(day(-3))
    assert not {people["coordinator"].email, people["viewer"].email} & set(recipients(sent))


def test_running_again_the_same_day_sends_nothing(send_reminders, cycle, people):
    first, _output = send_reminders(day(-3))
    assert len(first) == 4
    again, output = send_reminders(day(-3))
    assert again == []
    assert f"{CYCLE_TITLE}: 0 reminder(s) sent." in output
    assert Reminder.objects.count() == 4


def test_due_soon_is_sent_once_per_cycle_not_again_the_next_days(send_reminders, cycle, people):
    assert len(send_reminders(day(-3))[0]) == 4
    assert send_reminders(day(-2))[0] == []
    assert send_reminders(day(0))[0] == []
    assert Reminder.objects.count() == 4


def test_nothing_is_sent_more_than_a_week_before_the_due_date(send_reminders, cycle, people):
    sent, output = send_reminders(day(-8))
    assert sent == []
    assert "No open cycle is due soon or overdue; nothing sent." in output
    assert len(send_reminders(day(-7))[0]) == 4


def test_overdue_reminder_goes_out_once_then_again_a_week_later(send_reminders, cycle, people):
    assert len(send_reminders(day(-3))[0]) == 4

    overdue, _output = send_reminders(day(1))
    assert recipients(overdue) == emails(people, "mtr", "hktdc", "hkstp", "cmab")
    assert all(message.subject == f"[Tracker] Overdue: progress updates for “{CYCLE_TITLE}”" for message in overdue)

    for offset in range(1, 8):  # the same day again, then the six days after it
        assert send_reminders(day(offset))[0] == [], f"a second overdue reminder on day {offset}"

    week_later, _output = send_reminders(day(8))
    assert recipients(week_later) == emails(people, "mtr", "hktdc", "hkstp", "cmab")
    assert list(Reminder.objects.filter(kind=ReminderKind.OVERDUE, recipient=people["mtr"]).values_list("sent_on", flat=True)) == [
        day(8), day(1)
    ]


def test_officials_whose_commitments_all_have_submitted_or_accepted_updates_get_nothing(
    send_reminders, cycle, people, organisations
):
    report(cycle, people["mtr"], organisations["MTR"], "HKBJ-4-6.5")  # submitted
    report(cycle, people["hktdc"], organisations["HKTDC"], "HKBJ-4-2.3", accept_by=people["coordinator"])  # accepted
    report(cycle, people["hkstp"], organisations["HKSTP"], "HKBJ-4-3.2", submit=False)  # a draft is not a report

    sent, _output = send_reminders(day(-3))
    assert recipients(sent) == emails(people, "hkstp", "cmab")
    to_cmab = next(message for message in sent if message.to == [people["cmab"].email])
    assert "owes progress updates on 16 commitments" in to_cmab.body
    assert "HKBJ-4-6.5" not in to_cmab.body and "HKBJ-4-2.3" not in to_cmab.body


def test_updates_in_another_cycle_do_not_count(send_reminders, cycle, people, organisations, fourth_plenary):
    earlier_cycle = ReportingCycleFactory(
        mechanism=fourth_plenary.mechanism, title="Earlier report", reports_to_session_number=5,
        opens_on=datetime.date(2029, 1, 1), due_on=datetime.date(2029, 2, 1), closed_on=datetime.date(2029, 2, 2),
    )
    report(earlier_cycle, people["mtr"], organisations["MTR"], "HKBJ-4-6.5")
    sent, _output = send_reminders(day(-3))
    assert people["mtr"].email in recipients(sent)


def test_closed_cycle_sends_no_reminders(send_reminders, cycle, people):
    cycle.closed_on = day(-5)
    cycle.save()
    assert send_reminders(day(-3))[0] == []
    assert send_reminders(day(1))[0] == []
    assert not Reminder.objects.exists()


# The coordinator's button -------------------------------------------------------------------------


@pytest.fixture
def open_cycle(fourth_plenary, people):
    """A cycle open today (the button uses the real date)."""
    return ReportingCycleFactory(mechanism=fourth_plenary.mechanism, title=CYCLE_TITLE, reports_to_session_number=5)


def test_coordinator_button_reminds_each_official_once_a_day(client, django_capture_on_commit_callbacks, monkeypatch, open_cycle, people):
    client.force_login(people["coordinator"])

    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(f"/cycles/{open_cycle.pk}/remind/", follow=True)
    assert first.redirect_chain == [(f"/cycles/{open_cycle.pk}/", 302)]
    assert recipients(mail.outbox) == emails(people, "mtr", "hktdc", "hkstp", "cmab")
    assert [str(message) for message in first.context["messages"]] == ["Reminders sent to 4 officials."]
    assert set(Reminder.objects.values_list("kind", flat=True)) == {ReminderKind.BY_COORDINATOR}

    with django_capture_on_commit_callbacks(execute=True):
        second = client.post(f"/cycles/{open_cycle.pk}/remind/", follow=True)
    assert len(mail.outbox) == 4
    assert "No reminder was sent" in str(list(second.context["messages"])[0])
    assert Reminder.objects.count() == 4

    today = timezone.localdate()
    monkeypatch.setattr(timezone, "localdate", lambda value=None, tz=None: today + datetime.timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/cycles/{open_cycle.pk}/remind/")
    assert len(mail.outbox) == 8
    assert set(Reminder.objects.values_list("sent_on", flat=True)) == {today, today + datetime.timedelta(days=1)}


def test_reminders_sent_are_listed_on_the_cycle_page(client, django_capture_on_commit_callbacks, open_cycle, people):
    client.force_login(people["coordinator"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/cycles/{open_cycle.pk}/remind/")
    page = client.get(f"/cycles/{open_cycle.pk}/")
    assert {reminder.recipient for reminder in page.context["reminders"]} == {people[name] for name in ("mtr", "hktdc", "hkstp", "cmab")}
    assert "Sent by a coordinator" in page.content.decode()
