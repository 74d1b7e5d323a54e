"""The private calendar feed (`/calendar/<token>.ics`): a person's reporting deadlines and their
commitments' due dates and milestones, read through the row-level rule, in their language, at an
address that is its own credential (no sign-in; revoked or unknown: 404)."""
from __future__ import annotations

import datetime
import re

import icalendar
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from memoranda.models import Commitment, Milestone, Organisation
from tests.factories import CommitmentFactory, ReportingCycleFactory, UserFactory, member_of
from tracker import archive, calendar_feed
from tracker.models import CalendarFeed, Profile, Role

pytestmark = pytest.mark.django_db

DUE = datetime.date(2027, 6, 30)


@pytest.fixture
def world(fourth_plenary):
    """HKBJ's open cycle; HKBJ-4-6.5 (led by MTR) and HKBJ-4-2.3 (led by HKTDC), each with a due
    date and a milestone; another conference with a cycle and a dated commitment of its own."""
    mtr, cmab, hktdc = (Organisation.objects.get(abbreviation=abbreviation) for abbreviation in ("MTR", "CMAB", "HKTDC"))
    mine = Commitment.objects.get(ref="HKBJ-4-6.5")
    theirs = Commitment.objects.get(ref="HKBJ-4-2.3")
    Commitment.objects.filter(pk=mine.pk).update(due_on=DUE)
    Commitment.objects.filter(pk=theirs.pk).update(due_on=DUE - datetime.timedelta(days=30))
    mine.refresh_from_db()
    milestone = Milestone.objects.create(
        commitment=mine, title="Joint study report", title_zh="聯合研究報告", due_on=datetime.date(2027, 3, 1)
    )
    their_milestone = Milestone.objects.create(commitment=theirs, title="Delegation visit", due_on=datetime.date(2027, 2, 1))
    Milestone.objects.create(commitment=mine, title="Some day", due_on=None)  # no date: not in any calendar
    cycle = ReportingCycleFactory(mechanism=fourth_plenary.mechanism, title="Progress report to the 5th Plenary Session",
                                  title_zh="向第五次全體會議提交的進度報告")
    elsewhere = CommitmentFactory(due_on=DUE)
    other_cycle = ReportingCycleFactory(mechanism=elsewhere.session.mechanism)
    users = {
        "mtr": member_of(mtr, Role.OFFICIAL),
        "hktdc": member_of(hktdc, Role.OFFICIAL),
        "viewer": member_of(cmab, Role.VIEWER),
        "coordinator": member_of(cmab, Role.COORDINATOR),
        "other_conf": member_of(elsewhere.lead_organisation, Role.OFFICIAL),
    }
    return {
        "users": users, "mtr": mtr, "session": fourth_plenary, "mine": mine, "theirs": theirs, "milestone": milestone,
        "their_milestone": their_milestone, "cycle": cycle, "elsewhere": elsewhere, "other_cycle": other_cycle,
    }


def address_of(user) -> str:
    return calendar_feed.calendar_feed_renew(user=user).get_absolute_url()


def events(client, address: str) -> dict[str, icalendar.Event]:
    """The feed's events by UID (without the domain), checking it parses as iCalendar."""
    response = client.get(address)
    assert response.status_code == 200
    calendar = icalendar.Calendar.from_ical(response.content)
    return {str(event["UID"]).split("@")[0]: event for event in calendar.walk("VEVENT")}


def test_feed_is_icalendar_that_no_cache_keeps_and_needs_no_sign_in(client, world):
    response = client.get(address_of(world["users"]["mtr"]))  # `client` is signed out

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    calendar = icalendar.Calendar.from_ical(response.content)
    assert str(calendar["X-WR-CALNAME"]) == "My due dates – commitment tracker"
    assert calendar["REFRESH-INTERVAL"].dt == datetime.timedelta(hours=6)
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT6H" in response.content
    assert calendar["PRODID"] and calendar["VERSION"] == "2.0"


def test_official_gets_their_cycle_commitment_due_date_and_milestones_and_nothing_else(client, world):
    found = events(client, address_of(world["users"]["mtr"]))

    mine, milestone, cycle = world["mine"], world["milestone"], world["cycle"]
    assert set(found) == {f"cycle-{cycle.pk}", f"commitment-{mine.pk}", f"milestone-{milestone.pk}"}
    due = found[f"commitment-{mine.pk}"]
    # All day: a DATE, ending the next day.
    assert due["DTSTART"].dt == DUE and not isinstance(due["DTSTART"].dt, datetime.datetime)
    assert due["DTEND"].dt == DUE + datetime.timedelta(days=1)
    assert str(due["SUMMARY"]) == f"HKBJ-4-6.5 due: {mine.title}"
    assert str(due["URL"]) == f"http://testserver/commitments/{mine.ref}/"
    assert "Lead organisation: MTR Corporation Limited" in str(due["DESCRIPTION"])
    assert found[f"milestone-{milestone.pk}"]["DTSTART"].dt == datetime.date(2027, 3, 1)
    assert str(found[f"milestone-{milestone.pk}"]["SUMMARY"]) == "HKBJ-4-6.5 milestone: Joint study report"
    deadline = found[f"cycle-{cycle.pk}"]
    assert deadline["DTSTART"].dt == cycle.due_on
    assert str(deadline["SUMMARY"]) == "Progress updates due: Progress report to the 5th Plenary Session"
    assert str(deadline["URL"]) == f"http://testserver/cycles/{cycle.pk}/"


def test_uids_are_stable_so_calendar_apps_update_rather_than_duplicate(client, world):
    address = address_of(world["users"]["mtr"])
    first = events(client, address)
    Commitment.objects.filter(pk=world["mine"].pk).update(due_on=DUE + datetime.timedelta(days=7))

    again = events(client, address)

    assert set(again) == set(first)
    assert again[f"commitment-{world['mine'].pk}"]["DTSTART"].dt == DUE + datetime.timedelta(days=7)


def test_official_of_another_organisation_does_not_see_yours(client, world):
    found = events(client, address_of(world["users"]["hktdc"]))

    theirs, cycle = world["theirs"], world["cycle"]
    assert set(found) == {f"cycle-{cycle.pk}", f"commitment-{theirs.pk}", f"milestone-{world['their_milestone'].pk}"}


def test_official_of_another_conference_sees_only_its_own(client, world):
    found = events(client, address_of(world["users"]["other_conf"]))

    assert set(found) == {f"cycle-{world['other_cycle'].pk}", f"commitment-{world['elsewhere'].pk}"}


@pytest.mark.parametrize("role", ["viewer", "coordinator"])
def test_viewer_and_coordinator_get_their_conferences_deadlines_not_commitments_they_do_not_own(client, world, role):
    found = events(client, address_of(world["users"][role]))

    assert set(found) == {f"cycle-{world['cycle'].pk}"}


def test_someone_of_no_organisation_gets_an_empty_calendar(client, world):
    assert events(client, address_of(UserFactory())) == {}


def test_archived_commitment_and_its_milestones_leave_the_feed(client, world):
    still = CommitmentFactory(session=world["session"], area_position=99, lead_organisation=world["mtr"], due_on=DUE)
    address = address_of(world["users"]["mtr"])
    archive.commitment_archive(commitment=world["mine"], by=UserFactory(is_superuser=True, is_staff=True))

    assert set(events(client, address)) == {f"cycle-{world['cycle'].pk}", f"commitment-{still.pk}"}


@pytest.mark.parametrize(("language", "title", "milestone"), [
    ("zh-hant", "港鐵公司在公共交通導向發", "聯合研究報告"),
    ("zh-hans", "港铁公司在公共交通导向发", "联合研究报告"),
])
def test_feed_is_in_the_persons_language_with_the_chinese_of_the_memorandum(client, world, language, title, milestone):
    user = world["users"]["mtr"]
    Profile.objects.create(user=user, language=language)

    response = client.get(address_of(user))
    found = events(client, address_of(user))

    assert response["Content-Language"] == language
    assert title in str(found[f"commitment-{world['mine'].pk}"]["SUMMARY"])
    assert milestone in str(found[f"milestone-{world['milestone'].pk}"]["SUMMARY"])
    assert "第五次全體會議" in str(found[f"cycle-{world['cycle'].pk}"]["SUMMARY"]) or "第五次全体会议" in str(
        found[f"cycle-{world['cycle'].pk}"]["SUMMARY"]
    )


def test_feed_does_not_follow_the_language_of_whoever_asks(client, world):
    found = events(client, address_of(world["users"]["mtr"]))  # English: no profile language
    client.cookies["django_language"] = "zh-hant"

    again = events(client, calendar_feed.calendar_feed_of(world["users"]["mtr"]).get_absolute_url())

    assert str(again[f"commitment-{world['mine'].pk}"]["SUMMARY"]) == str(found[f"commitment-{world['mine'].pk}"]["SUMMARY"])
    assert world["mine"].title in str(again[f"commitment-{world['mine'].pk}"]["SUMMARY"])


def test_a_new_address_makes_the_old_one_answer_404(client, world):
    user = world["users"]["mtr"]
    old = address_of(user)
    client.force_login(user)

    response = client.post("/accounts/", {"calendar": "renew"})

    assert response.status_code == 302 and response["Location"] == "/accounts/#calendar"
    new = CalendarFeed.objects.get(user=user).get_absolute_url()
    assert new != old
    client.logout()
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200


def test_turning_the_feed_off_makes_its_address_answer_404(client, world):
    user = world["users"]["mtr"]
    address = address_of(user)
    client.force_login(user)

    client.post("/accounts/", {"calendar": "revoke"})

    assert not CalendarFeed.objects.filter(user=user).exists()
    client.logout()
    assert client.get(address).status_code == 404


def test_account_page_turns_the_feed_on_and_shows_its_address(client, world):
    user = world["users"]["mtr"]
    client.force_login(user)
    assert 'value="renew"' in client.get("/accounts/").content.decode()
    assert not CalendarFeed.objects.filter(user=user).exists()  # only the POST makes one

    client.post("/accounts/", {"calendar": "renew"})
    page = client.get("/accounts/").content.decode()

    feed = CalendarFeed.objects.get(user=user)
    assert f'value="http://testserver/calendar/{feed.token}.ics"' in page
    assert f'href="webcal://testserver/calendar/{feed.token}.ics"' in page
    assert 'value="revoke"' in page


def test_someone_elses_feed_is_not_touched_by_your_account_page(client, world):
    other = world["users"]["hktdc"]
    address = address_of(other)
    client.force_login(world["users"]["mtr"])

    client.post("/accounts/", {"calendar": "revoke"})
    client.post("/accounts/", {"calendar": "renew"})

    assert CalendarFeed.objects.get(user=other).get_absolute_url() == address


def test_unknown_malformed_and_half_right_tokens_answer_404_alike(client, world):
    feed = calendar_feed.calendar_feed_renew(user=world["users"]["mtr"])
    wrong_secret = feed.key + ("A" if feed.secret[0] != "A" else "B") + feed.secret[1:]

    def page(token: str) -> str:
        response = client.get(f"/calendar/{token}.ics")
        assert response.status_code == 404, token
        # The language switcher links back to the address, with a CSRF token of its own each time.
        body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode().replace(token, "…"))
        assert feed.secret not in body
        return body

    unknown = page("x" * 59)
    for token in ["short", wrong_secret, feed.key, feed.token + "x", feed.token.swapcase()]:
        assert page(token) == unknown, token


def test_a_deactivated_persons_feed_answers_404(client, world):
    user = world["users"]["mtr"]
    address = address_of(user)
    user.is_active = False
    user.save()

    assert client.get(address).status_code == 404


def test_feed_costs_the_same_queries_however_many_commitments(client, world):
    mtr, session = world["mtr"], world["session"]
    address = address_of(world["users"]["mtr"])

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(address).status_code == 200
        return len(queries)

    before = count()
    for day in range(12):
        commitment = CommitmentFactory(session=session, area_position=99, lead_organisation=mtr, due_on=DUE + datetime.timedelta(days=day))
        Milestone.objects.create(commitment=commitment, title=f"Step {day}", due_on=DUE - datetime.timedelta(days=day))

    assert count() == before
    assert len(events(client, address)) == 3 + 24


def test_my_page_links_to_the_feed_or_to_turning_it_on(client, world):
    user = world["users"]["mtr"]
    client.force_login(user)

    page = client.get("/my/").content.decode()
    assert 'href="/accounts/#calendar"' in page and "/calendar/" not in page
    assert not CalendarFeed.objects.filter(user=user).exists()  # showing the page makes no address

    feed = calendar_feed.calendar_feed_renew(user=user)
    page = client.get("/my/").content.decode()
    assert f'href="webcal://testserver/calendar/{feed.token}.ics"' in page
    assert f'href="http://testserver/calendar/{feed.token}.ics"' in page


def test_tokens_are_long_random_and_unique(world):
    tokens = {calendar_feed.calendar_feed_renew(user=world["users"]["mtr"]).token for _ in range(20)}

    assert len(tokens) == 20
    assert all(len(token) == CalendarFeed.KEY_LENGTH + CalendarFeed.SECRET_LENGTH for token in tokens)
    assert CalendarFeed.objects.count() == 1  # one address per person: each new one replaces the last
    assert CalendarFeed.objects.get().created_at <= timezone.now()
