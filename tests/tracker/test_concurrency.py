"""Requests at the same moment: two coordinators accepting one update, a double click on "save
draft", two officials starting an update. The row locks let one win.

Needs real concurrent transactions, so PostgreSQL (SELECT … FOR UPDATE); SQLite serialises
writers by locking the whole database and cannot show the race."""
from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.test import Client

from memoranda.models import Commitment, Organisation, Status
from tests.factories import ReportingCycleFactory, member_of
from tracker import services
from tracker.models import ProgressUpdate, Role, UpdateState
from tracker.roles import ensure_role_groups

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks (set DATABASE_URL to a PostgreSQL database)"),
]


@pytest.mark.django_db(transaction=True)
def test_two_coordinators_accepting_one_update_at_once_apply_it_exactly_once(fourth_plenary):
    mtr = Organisation.objects.get(abbreviation="MTR")
    cmab = Organisation.objects.get(abbreviation="CMAB")
    official = member_of(mtr, Role.OFFICIAL)
    reviewers = [member_of(cmab, Role.COORDINATOR), member_of(cmab, Role.COORDINATOR)]
    commitment = Commitment.objects.get(ref="HKBJ-4-6.5")
    version_before = commitment.version
    update = services.progress_update_create(
        commitment=commitment, author=official, organisation=mtr, proposed_status=Status.ON_TRACK,
        proposed_progress=45, narrative="Training exchange agreed.", submit=True, notify=False,
    )

    barrier = threading.Barrier(len(reviewers))
    outcomes: list[str] = []
    unexpected: list[BaseException] = []

    def accept(reviewer) -> None:
        try:
            barrier.wait(timeout=10)
            services.progress_update_accept(update=update, reviewer=reviewer, notify=False)
            outcomes.append("accepted")
        except ValidationError:
            outcomes.append("refused")
        except BaseException as error:  # reported below: the test must see any other failure
            unexpected.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=accept, args=(reviewer,)) for reviewer in reviewers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert not any(thread.is_alive() for thread in threads), "a thread is stuck (deadlock?)"
    assert unexpected == []
    assert sorted(outcomes) == ["accepted", "refused"]
    commitment.refresh_from_db()
    assert commitment.version == version_before + 1
    assert (commitment.status, commitment.progress) == (Status.ON_TRACK, 45)
    update.refresh_from_db()
    assert update.state == UpdateState.ACCEPTED
    assert update.reviewer in reviewers
    reasons = list(commitment.history.filter(history_change_reason__startswith="Accepted progress update").values_list("history_change_reason", flat=True))
    assert reasons == [f"Accepted progress update #{update.pk}"]
    assert ProgressUpdate.history.filter(id=update.pk, state=UpdateState.ACCEPTED).count() == 1


def _post_at_once(clients, url: str, forms: list[dict]) -> list:
    """POST each form from its own client at the same moment, as a double (or sextuple) click does."""
    barrier = threading.Barrier(len(clients))
    responses: list = [None] * len(clients)
    unexpected: list[BaseException] = []

    def post(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            responses[index] = clients[index].post(url, forms[index])
        except BaseException as error:  # reported below: the test must see any other failure
            unexpected.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post, args=(index,)) for index in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a request is stuck (deadlock?)"
    assert unexpected == []
    return responses


@pytest.fixture
def role_groups():
    """The role groups with their permissions: a transactional test empties the tables the
    migration filled, and these tests go through views that check permissions."""
    ensure_role_groups()


def _signed_in_clients(user, count: int) -> list[Client]:
    clients = [Client(raise_request_exception=False) for _ in range(count)]
    for client in clients:
        client.force_login(user)
    return clients


@pytest.mark.django_db(transaction=True)
def test_save_draft_clicked_six_times_at_once_makes_one_draft(fourth_plenary, role_groups):
    ReportingCycleFactory(mechanism=fourth_plenary.mechanism, reports_to_session_number=5)
    official = member_of(Organisation.objects.get(abbreviation="MTR"), Role.OFFICIAL)
    commitment = Commitment.objects.get(ref="HKBJ-4-6.5")
    form = {"proposed_status": "on_track", "proposed_progress": "40", "narrative": "Met twice.", "version": commitment.version, "draft": "1"}
    responses = _post_at_once(_signed_in_clients(official, 6), "/commitments/HKBJ-4-6.5/update/", [form] * 6)
    update = ProgressUpdate.objects.get()  # exactly one
    assert (update.state, update.narrative) == (UpdateState.DRAFT, "Met twice.")
    # Every click leads to that draft: saved (the same form sent again returns it), or, for a click
    # that came after the draft was committed, the form to continue it.
    answers = [(response.status_code, response["Location"]) for response in responses]
    assert answers.count((302, f"/updates/{update.pk}/")) >= 1
    assert set(answers) <= {(302, f"/updates/{update.pk}/"), (302, f"/updates/{update.pk}/edit/")}


@pytest.mark.django_db(transaction=True)
def test_two_officials_starting_an_update_at_once_make_one_and_the_other_is_told(fourth_plenary, role_groups):
    ReportingCycleFactory(mechanism=fourth_plenary.mechanism, reports_to_session_number=5)
    mtr = Organisation.objects.get(abbreviation="MTR")
    officials = [member_of(mtr, Role.OFFICIAL), member_of(mtr, Role.OFFICIAL)]
    commitment = Commitment.objects.get(ref="HKBJ-4-6.5")
    forms = [
        {"proposed_status": "on_track", "proposed_progress": "40", "narrative": f"Written by {official.username}.",
         "version": commitment.version, "draft": "1"}
        for official in officials
    ]
    clients = [_signed_in_clients(official, 1)[0] for official in officials]
    responses = _post_at_once(clients, "/commitments/HKBJ-4-6.5/update/", forms)
    update = ProgressUpdate.objects.get()  # exactly one: the other is neither added nor written over it
    writer = next(index for index, official in enumerate(officials) if official == update.author)
    assert (responses[writer].status_code, responses[writer]["Location"]) == (302, f"/updates/{update.pk}/")
    other = responses[1 - writer]
    if other.status_code == 302:  # it came after the first was committed: sent to continue that one
        assert other["Location"] == f"/updates/{update.pk}/edit/"
    else:  # it raced the first: refused, with its text kept on the form
        assert other.status_code == 400 and "already has an update in progress" in other.content.decode()
        assert other.context["form"]["narrative"].value() == forms[1 - writer]["narrative"]
