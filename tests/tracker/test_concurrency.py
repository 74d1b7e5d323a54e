"""Two coordinators accepting the same update at the same moment: the row locks let one win.

Needs real concurrent transactions, so PostgreSQL (SELECT … FOR UPDATE); SQLite serialises
writers by locking the whole database and cannot show the race."""
from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from memoranda.models import Commitment, Organisation, Status
from tests.factories import member_of
from tracker import services
from tracker.models import ProgressUpdate, Role, UpdateState

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
