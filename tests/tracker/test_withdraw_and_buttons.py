"""Officials take back an update submitted by mistake; pages offer only what the person may do;
a refusal says why and whom to ask."""
from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from memoranda.models import Commitment, Organisation, Status
from tests.factories import CommitmentFactory, UserFactory, member_of
from tracker import services
from tracker.models import ProgressUpdate, Role, UpdateState

pytestmark = pytest.mark.django_db


@pytest.fixture
def mtr(fourth_plenary) -> Organisation:
    return Organisation.objects.get(abbreviation="MTR")


@pytest.fixture
def cmab(fourth_plenary) -> Organisation:
    return Organisation.objects.get(abbreviation="CMAB")


@pytest.fixture
def official(mtr):
    return member_of(mtr, Role.OFFICIAL, user__username="olivia", user__first_name="Olivia", user__last_name="Chan")


@pytest.fixture
def colleague(mtr):
    """Another official of the same organisation as the author."""
    return member_of(mtr, Role.OFFICIAL, user__username="mark")


@pytest.fixture
def cmab_official(cmab):
    """An official of an organisation that supports HKBJ-4-6.5, but did not write the update."""
    return member_of(cmab, Role.OFFICIAL, user__username="oscar")


@pytest.fixture
def coordinator(cmab):
    return member_of(cmab, Role.COORDINATOR, user__username="connie", user__first_name="Connie", user__last_name="Wong")


@pytest.fixture
def viewer(cmab):
    return member_of(cmab, Role.VIEWER, user__username="vera")


@pytest.fixture
def commitment(fourth_plenary) -> Commitment:
    return Commitment.objects.get(ref="HKBJ-4-6.5")


def write(official, mtr, commitment, *, submit=True) -> ProgressUpdate:
    return services.progress_update_create(
        commitment=commitment, author=official, organisation=mtr, proposed_status=Status.ON_TRACK, proposed_progress=30,
        narrative="Sent by mistake.", submit=submit, notify=False,
    )


def withdraw(client, user, update, version=None):
    client.force_login(user)
    return client.post(f"/updates/{update.pk}/withdraw/", {"version": update.version if version is None else version})


# Withdrawing -------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["official", "colleague"])
def test_official_of_the_authors_organisation_withdraws_a_submitted_update_to_draft(client, request, official, mtr, commitment, who):
    update = write(official, mtr, commitment)
    user = request.getfixturevalue(who)
    client.force_login(user)
    assert "Withdraw to draft" in client.get(f"/updates/{update.pk}/").content.decode()
    response = withdraw(client, user, update)
    assert response.status_code == 302 and response["Location"] == f"/updates/{update.pk}/"
    update.refresh_from_db()
    assert (update.state, update.submitted_at) == (UpdateState.DRAFT, None)
    record = update.history.order_by("-history_date", "-history_id").first()
    assert (record.state, record.history_user) == (UpdateState.DRAFT, user)
    page = client.get(f"/updates/{update.pk}/")
    body = page.content.decode()
    assert "Withdrawn to draft by" in body and "Continue editing" in body and "Withdraw to draft" not in body
    # Once withdrawn, the coordinators no longer see it in their queue.
    assert not ProgressUpdate.objects.awaiting_review().exists()


@pytest.mark.parametrize("who", ["cmab_official", "coordinator", "viewer"])
def test_others_may_not_withdraw_and_are_told_why(client, request, official, mtr, commitment, who):
    update = write(official, mtr, commitment)
    user = request.getfixturevalue(who)
    client.force_login(user)
    assert "Withdraw to draft" not in client.get(f"/updates/{update.pk}/").content.decode()
    response = withdraw(client, user, update)
    assert response.status_code == 403
    assert "Only officials of the organisation that wrote this update may withdraw it." in response.content.decode()
    update.refresh_from_db()
    assert update.state == UpdateState.SUBMITTED


def test_an_official_of_another_mechanism_does_not_even_find_the_update(client, official, mtr, commitment):
    update = write(official, mtr, commitment)
    outsider = member_of(CommitmentFactory().lead_organisation, Role.OFFICIAL)
    assert withdraw(client, outsider, update).status_code == 404


@pytest.mark.parametrize("review", ["accept", "return"])
def test_a_reviewed_update_can_no_longer_be_withdrawn(client, official, coordinator, mtr, commitment, review):
    update = write(official, mtr, commitment)
    opened_at = update.version  # the official's page was opened before the coordinator decided
    if review == "accept":
        services.progress_update_accept(update=update, reviewer=coordinator, notify=False)
    else:
        services.progress_update_return(update=update, reviewer=coordinator, comment="Dates, please.", notify=False)
    update.refresh_from_db()
    reviewed_state = update.state
    client.force_login(official)
    assert "Withdraw to draft" not in client.get(f"/updates/{update.pk}/").content.decode()
    response = client.post(f"/updates/{update.pk}/withdraw/", {"version": opened_at}, follow=True)
    assert "already been reviewed" in response.content.decode()
    update.refresh_from_db()
    assert update.state == reviewed_state
    with pytest.raises(ValidationError):
        services.progress_update_withdraw(update=update, by=official)


def test_withdrawing_a_version_changed_meanwhile_is_refused(client, official, colleague, mtr, commitment):
    update = write(official, mtr, commitment)
    stale = update.version
    # The colleague withdraws it and submits it again in between.
    services.progress_update_withdraw(update=update, by=colleague, update_version=stale)
    services.progress_update_submit(update=update, by=colleague)
    client.force_login(official)
    response = client.post(f"/updates/{update.pk}/withdraw/", {"version": stale}, follow=True)
    assert "changed by someone else" in response.content.decode()
    update.refresh_from_db()
    assert update.state == UpdateState.SUBMITTED
    assert withdraw(client, official, update, version="").status_code == 302  # a form without its version changes nothing
    update.refresh_from_db()
    assert update.state == UpdateState.SUBMITTED


def test_withdraw_answers_only_post(client, official, mtr, commitment):
    update = write(official, mtr, commitment)
    client.force_login(official)
    assert client.get(f"/updates/{update.pk}/withdraw/").status_code == 405


# Buttons that match what the person may do ----------------------------------------------------------


def actions_block(body: str) -> str:
    start = body.find('<div class="actions">')
    return body[start:body.index("</div>", start)] if start >= 0 else ""


def test_commitment_page_offers_report_progress_only_when_nothing_is_in_hand_or_awaiting(client, official, coordinator, mtr, commitment):
    client.force_login(official)
    buttons = actions_block(client.get("/commitments/HKBJ-4-6.5/").content.decode())
    assert 'href="/commitments/HKBJ-4-6.5/update/"' in buttons and "Report progress" in buttons

    draft = write(official, mtr, commitment, submit=False)
    buttons = actions_block(client.get("/commitments/HKBJ-4-6.5/").content.decode())
    assert "Report progress" not in buttons
    assert f'href="/updates/{draft.pk}/edit/"' in buttons and "Continue draft" in buttons

    services.progress_update_submit(update=draft, by=official)
    buttons = actions_block(client.get("/commitments/HKBJ-4-6.5/").content.decode())
    assert "Report progress" not in buttons and "Continue draft" not in buttons
    assert "An update awaits review." in buttons and f'href="/updates/{draft.pk}/"' in buttons

    services.progress_update_return(update=draft, reviewer=coordinator, comment="Dates, please.", notify=False)
    buttons = actions_block(client.get("/commitments/HKBJ-4-6.5/").content.decode())
    assert "Fix and resubmit" in buttons and "Report progress" not in buttons


def test_coordinator_sees_a_review_button_only_where_an_update_awaits_them(client, official, coordinator, viewer, mtr, commitment):
    client.force_login(coordinator)
    assert "Review the update" not in client.get("/commitments/HKBJ-4-6.5/").content.decode()
    update = write(official, mtr, commitment)
    buttons = actions_block(client.get("/commitments/HKBJ-4-6.5/").content.decode())
    assert "Review the update" in buttons and f'href="/updates/{update.pk}/"' in buttons
    assert "Report progress" not in buttons
    client.force_login(viewer)
    body = client.get("/commitments/HKBJ-4-6.5/").content.decode()
    assert "Review the update" not in body and "Report progress" not in body and "An update awaits review." not in body
    assert client.get(f"/updates/{update.pk}/").context["review_form"] is None


def test_my_page_links_each_commitment_to_what_can_be_done_next(client, official, mtr, commitment, fourth_plenary):
    def link(body: str, words: str, href: str) -> bool:
        return f'href="{href}">{words}<span class="visually-hidden"> HKBJ-4-6.5</span></a>' in body

    client.force_login(official)
    body = client.get("/my/").content.decode()
    assert link(body, "Report progress", "/commitments/HKBJ-4-6.5/update/")
    update = write(official, mtr, commitment)
    response = client.get("/my/")
    body = response.content.decode()
    assert response.context["actions"][commitment.pk].awaiting == update
    assert "Report progress" not in body
    assert link(body, "Awaiting review", f"/updates/{update.pk}/")
    services.progress_update_withdraw(update=update, by=official)
    body = client.get("/my/").content.decode()
    assert link(body, "Continue draft", f"/updates/{update.pk}/edit/") and "Report progress" not in body


# Refusals that say why and whom to ask --------------------------------------------------------------


def test_refusal_says_why_and_names_the_coordinators_of_the_officials_side(client, official, coordinator):
    client.force_login(official)
    response = client.get("/commitments/HKBJ-4-2.1/update/")  # led by CMAB; MTR has no part in it
    assert response.status_code == 403
    body = response.content.decode()
    assert "Only officials of the organisations that own this commitment may report on it." in body
    assert "Your account may not do this" not in body
    assert "Connie Wong" in body and 'href="mailto:connie@example.org"' in body


def test_a_coordinator_refused_is_sent_to_the_administrator(client, coordinator, official, mtr, commitment):
    update = write(official, mtr, commitment)
    response = withdraw(client, coordinator, update)
    body = response.content.decode()
    assert response.status_code == 403
    assert "administrator" in body and "mailto:" not in body


def test_review_queue_refusal_says_it_is_for_coordinators(client, official):
    client.force_login(official)
    response = client.get("/reviews/")
    assert response.status_code == 403
    assert "The review queue is for coordinators" in response.content.decode()


def test_people_of_no_organisation_are_not_shown_anyone(client, fourth_plenary, coordinator):
    client.force_login(UserFactory())
    response = client.get("/reviews/")
    assert response.status_code == 403
    assert "Connie" not in response.content.decode()


def test_refusal_to_open_a_cycle_says_who_may(client, official):
    client.force_login(official)
    response = client.get("/cycles/new/")
    assert response.status_code == 403
    assert "Only coordinators open reporting cycles" in response.content.decode()


def test_every_refusal_in_the_tracker_views_carries_its_reason():
    """A bare PermissionDenied would show the reader only "Your account may not do this"."""
    import re
    from pathlib import Path

    import tracker

    views = [path for path in Path(tracker.__file__).parent.glob("*views.py")]
    assert views
    for path in views:
        source = path.read_text(encoding="utf-8")
        assert not re.search(r"raise PermissionDenied\s*$", source, re.MULTILINE), path.name
        assert "permission_required(" not in source, path.name
