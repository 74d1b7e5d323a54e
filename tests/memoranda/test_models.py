import datetime

import pytest
from django.db import IntegrityError, transaction

from memoranda.models import Commitment, Status
from tests.factories import CommitmentFactory, MechanismFactory, OrganisationFactory, SessionFactory

pytestmark = pytest.mark.django_db


def update_raw(commitment: Commitment, **fields) -> None:
    """Write straight to the table, past forms and full_clean, so only the database can object."""
    with transaction.atomic():
        Commitment.objects.filter(pk=commitment.pk).update(**fields)


def test_database_rejects_unknown_status(commitment):
    with pytest.raises(IntegrityError):
        update_raw(commitment, status="abandoned")


def test_database_rejects_progress_above_100(commitment):
    with pytest.raises(IntegrityError):
        update_raw(commitment, progress=101)


def test_database_accepts_progress_bounds(commitment):
    update_raw(commitment, progress=100)
    update_raw(commitment, progress=0)
    commitment.refresh_from_db()
    assert commitment.progress == 0


def test_database_rejects_duplicate_ref(commitment):
    with pytest.raises(IntegrityError), transaction.atomic():
        CommitmentFactory(ref=commitment.ref)


def test_database_rejects_not_pursued_without_reason(commitment):
    with pytest.raises(IntegrityError):
        update_raw(commitment, status=Status.NOT_PURSUED, not_pursued_reason="")


def test_not_pursued_with_reason_is_allowed(commitment):
    update_raw(commitment, status=Status.NOT_PURSUED, not_pursued_reason="Superseded by national policy.")
    commitment.refresh_from_db()
    assert commitment.status == Status.NOT_PURSUED


def test_database_rejects_commitment_continuing_itself(commitment):
    with pytest.raises(IntegrityError):
        update_raw(commitment, continues=commitment.pk)


def test_database_rejects_second_session_with_same_number(mechanism):
    SessionFactory(mechanism=mechanism, number=4)
    with pytest.raises(IntegrityError), transaction.atomic():
        SessionFactory(mechanism=mechanism, number=4)


def test_database_rejects_lower_case_mechanism_code():
    with pytest.raises(IntegrityError), transaction.atomic():
        MechanismFactory(code="hkbj")


def test_full_clean_explains_bad_status(commitment):
    from django.core.exceptions import ValidationError

    commitment.status = "abandoned"
    with pytest.raises(ValidationError) as error:
        commitment.full_clean()
    assert "status" in error.value.message_dict


def test_overdue_is_past_due_and_not_closed():
    today = datetime.date(2026, 11, 25)
    late = CommitmentFactory(due_on=datetime.date(2026, 1, 1), status=Status.ON_TRACK)
    CommitmentFactory(due_on=datetime.date(2026, 1, 1), status=Status.COMPLETED, progress=100)
    CommitmentFactory(due_on=datetime.date(2027, 1, 1))
    CommitmentFactory(due_on=None)
    assert list(Commitment.objects.overdue(today)) == [late]
    assert late.is_overdue(today)


def test_for_session_keeps_to_that_session():
    first = CommitmentFactory()
    CommitmentFactory()
    assert list(Commitment.objects.for_session(first.session)) == [first]


def test_owned_by_counts_lead_and_supporting_once_each():
    organisation = OrganisationFactory()
    led = CommitmentFactory(lead_organisation=organisation)
    supported = CommitmentFactory(supporting_organisations=[organisation])
    both = CommitmentFactory(lead_organisation=organisation)
    both.supporting_organisations.add(organisation, OrganisationFactory())
    CommitmentFactory()
    owned = list(Commitment.objects.owned_by([organisation]).order_by("pk"))
    assert owned == [led, supported, both]


def test_every_change_of_a_commitment_is_kept_in_history(commitment):
    commitment.status = Status.ON_TRACK
    commitment.save()
    assert [h.status for h in commitment.history.order_by("history_date")] == [Status.NOT_STARTED, Status.ON_TRACK]
