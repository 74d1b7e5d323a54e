import pytest
from django.core.exceptions import ValidationError

from memoranda.models import Status
from tests.factories import CommitmentFactory, UserFactory
from tracker import services
from tracker.models import UpdateState

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(commitment):
    return services.progress_update_create(
        commitment=commitment, author=UserFactory(), proposed_status=Status.ON_TRACK, proposed_progress=40,
        narrative="Two meetings held.", submit=True,
    )


def test_accepting_moves_the_commitment(submitted):
    services.progress_update_accept(update=submitted, reviewer=UserFactory())
    submitted.commitment.refresh_from_db()
    submitted.refresh_from_db()
    assert (submitted.commitment.status, submitted.commitment.progress) == (Status.ON_TRACK, 40)
    assert submitted.state == UpdateState.ACCEPTED
    assert submitted.commitment.history.first().history_change_reason.startswith("Accepted progress update")


def test_completed_means_full_progress(commitment):
    update = services.progress_update_create(
        commitment=commitment, author=UserFactory(), proposed_status=Status.COMPLETED, proposed_progress=80,
        narrative="Done.", submit=True,
    )
    services.progress_update_accept(update=update, reviewer=UserFactory())
    commitment.refresh_from_db()
    assert commitment.progress == 100


def test_an_update_cannot_be_accepted_twice(submitted):
    services.progress_update_accept(update=submitted, reviewer=UserFactory())
    with pytest.raises(ValidationError):
        services.progress_update_accept(update=submitted, reviewer=UserFactory())


def test_returning_needs_a_comment_and_changes_nothing_without_one(submitted):
    with pytest.raises(ValidationError):
        services.progress_update_return(update=submitted, reviewer=UserFactory(), comment="  ")
    submitted.refresh_from_db()
    assert submitted.state == UpdateState.SUBMITTED


def test_returned_update_can_be_resubmitted(submitted):
    services.progress_update_return(update=submitted, reviewer=UserFactory(), comment="Add figures.")
    resubmitted = services.progress_update_submit(update=submitted, by=submitted.author)
    assert resubmitted.state == UpdateState.SUBMITTED


def test_stale_commitment_version_is_refused(commitment):
    with pytest.raises(services.StaleEdit):
        services.progress_update_create(
            commitment=commitment, author=UserFactory(), proposed_status=Status.ON_TRACK, proposed_progress=10,
            narrative="x", commitment_version=commitment.version - 1 if commitment.version > 1 else 99,
        )
    assert not commitment.updates.exists()


def test_not_pursued_needs_a_reason(commitment):
    with pytest.raises(ValidationError):
        services.progress_update_create(
            commitment=commitment, author=UserFactory(), proposed_status=Status.NOT_PURSUED, proposed_progress=0,
            narrative="Dropped.",
        )


def test_invalid_progress_is_refused_and_nothing_saved():
    commitment = CommitmentFactory()
    with pytest.raises(ValidationError):
        services.progress_update_create(
            commitment=commitment, author=UserFactory(), proposed_status=Status.ON_TRACK, proposed_progress=101,
            narrative="Too much.",
        )
    assert not commitment.updates.exists()
