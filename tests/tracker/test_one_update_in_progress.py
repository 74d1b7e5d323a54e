"""An organisation has one update in progress per commitment: the same form sent twice (a double
click) saves it once, and a second, different update is refused rather than added beside the first.
(The same at the same moment, on PostgreSQL: tests/tracker/test_concurrency.py.)"""
from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from memoranda.models import Commitment, Organisation
from tests.factories import member_of
from tracker import services
from tracker.models import ProgressUpdate, Role, UpdateState

pytestmark = pytest.mark.django_db


@pytest.fixture
def mtr(fourth_plenary):
    return Organisation.objects.get(abbreviation="MTR")


@pytest.fixture
def official(mtr):
    return member_of(mtr, Role.OFFICIAL)


def start(official, organisation, **fields):
    arguments = {"proposed_status": "on_track", "proposed_progress": 40, "narrative": "Met twice.", "notify": False, **fields}
    return services.progress_update_create(
        commitment=Commitment.objects.get(ref="HKBJ-4-6.5"), author=official, organisation=organisation, **arguments
    )


def test_the_same_draft_sent_twice_is_saved_once(official, mtr):
    first = start(official, mtr, evidence_links=["https://www.mtr.com.hk/en/corporate/press.html"])
    again = start(official, mtr, evidence_links=["https://www.mtr.com.hk/en/corporate/press.html"])
    assert again == first and ProgressUpdate.objects.count() == 1 and first.evidence.count() == 1


def test_the_same_submission_sent_twice_is_submitted_once(official, mtr):
    first = start(official, mtr, submit=True)
    assert start(official, mtr, submit=True) == first
    assert ProgressUpdate.objects.get().state == UpdateState.SUBMITTED


def test_a_different_second_update_is_refused_while_one_is_in_progress(official, mtr):
    start(official, mtr)
    with pytest.raises(ValidationError) as refusal:
        start(official, mtr, narrative="Met three times.")
    assert refusal.value.code == "update_in_progress"
    with pytest.raises(ValidationError):  # nor by a colleague
        start(member_of(mtr, Role.OFFICIAL), mtr)
    assert ProgressUpdate.objects.get().narrative == "Met twice."


def test_a_returned_update_is_the_one_in_progress(official, mtr, fourth_plenary):
    coordinator = member_of(Organisation.objects.get(abbreviation="CMAB"), Role.COORDINATOR)
    update = start(official, mtr, submit=True)
    services.progress_update_return(update=update, reviewer=coordinator, comment="Give the dates.", notify=False)
    with pytest.raises(ValidationError):
        start(official, mtr, narrative="Met on 3 and 9 May.")
    assert ProgressUpdate.objects.count() == 1


def test_each_owning_organisation_has_its_own_update_in_progress(official, mtr):
    cmab = Organisation.objects.get(abbreviation="CMAB")  # supports HKBJ-4-6.5
    start(official, mtr)
    start(member_of(cmab, Role.OFFICIAL), cmab, narrative="The bureau co-ordinated the visits.")
    assert ProgressUpdate.objects.count() == 2


def test_a_new_update_may_follow_an_accepted_one(official, mtr):
    coordinator = member_of(Organisation.objects.get(abbreviation="CMAB"), Role.COORDINATOR)
    services.progress_update_accept(update=start(official, mtr, submit=True), reviewer=coordinator, notify=False)
    start(official, mtr, proposed_progress=60)
    assert ProgressUpdate.objects.count() == 2
