"""The one row-level rule: who sees and who changes which commitments."""
import pytest
from django.contrib.auth.models import AnonymousUser, Group

from tests.factories import CommitmentFactory, MechanismFactory, OrganisationFactory, UserFactory, member_of, official_of
from tracker import selectors
from tracker.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    """Two mechanisms sharing no party; in the first, two organisations of one party."""
    mechanism = MechanismFactory()
    hong_kong, beijing = mechanism.parties.all()
    own_org = OrganisationFactory(party=hong_kong)
    other_org = OrganisationFactory(party=beijing)
    own = CommitmentFactory(session__mechanism=mechanism, lead_organisation=own_org)
    supported = CommitmentFactory(session=own.session, area=own.area, lead_organisation=other_org, supporting_organisations=[own_org])
    other = CommitmentFactory(session=own.session, area=own.area, lead_organisation=other_org)
    elsewhere = CommitmentFactory()
    return {"own_org": own_org, "other_org": other_org, "own": own, "supported": supported, "other": other, "elsewhere": elsewhere}


def refs(queryset):
    return set(queryset.values_list("ref", flat=True))


def test_official_sees_their_mechanism_but_not_another(world):
    official = official_of(world["own_org"])
    assert refs(selectors.commitments_visible_to(official)) == {world[k].ref for k in ("own", "supported", "other")}


def test_official_edits_what_their_organisation_leads_or_supports(world):
    official = official_of(world["own_org"])
    assert refs(selectors.commitments_editable_by(official)) == {world["own"].ref, world["supported"].ref}


def test_coordinator_edits_everything_of_their_mechanism_only(world):
    coordinator = member_of(world["own_org"], Role.COORDINATOR)
    assert refs(selectors.commitments_editable_by(coordinator)) == {world[k].ref for k in ("own", "supported", "other")}


def test_viewer_sees_but_edits_nothing(world):
    viewer = member_of(world["own_org"], Role.VIEWER)
    assert refs(selectors.commitments_visible_to(viewer)) == {world[k].ref for k in ("own", "supported", "other")}
    assert refs(selectors.commitments_editable_by(viewer)) == set()


def test_user_without_membership_sees_nothing(world):
    assert refs(selectors.commitments_visible_to(UserFactory())) == set()
    assert refs(selectors.commitments_editable_by(UserFactory())) == set()


def test_anonymous_sees_nothing(world):
    assert refs(selectors.commitments_visible_to(AnonymousUser())) == set()


def test_superuser_and_administrator_group_see_and_edit_everything(world):
    everything = {world[k].ref for k in ("own", "supported", "other", "elsewhere")}
    superuser = UserFactory(is_superuser=True)
    administrator = UserFactory()
    administrator.groups.add(Group.objects.get_or_create(name=selectors.ADMINISTRATOR_GROUP)[0])
    for user in (superuser, administrator):
        assert refs(selectors.commitments_visible_to(user)) == everything
        assert refs(selectors.commitments_editable_by(user)) == everything


def test_with_latest_update_gives_latest_accepted_narrative(world):
    from django.utils import timezone

    from tests.factories import ProgressUpdateFactory
    from tracker.models import UpdateState

    commitment = world["own"]
    earlier = timezone.now() - timezone.timedelta(days=3)
    ProgressUpdateFactory(commitment=commitment, state=UpdateState.ACCEPTED, narrative="old", submitted_at=earlier, reviewed_at=earlier)
    ProgressUpdateFactory(commitment=commitment, state=UpdateState.ACCEPTED, narrative="new", submitted_at=timezone.now(), reviewed_at=timezone.now())
    ProgressUpdateFactory(commitment=commitment, state=UpdateState.SUBMITTED, narrative="pending", submitted_at=timezone.now())
    row = selectors.with_latest_update(selectors.commitments_visible_to(UserFactory(is_superuser=True))).get(pk=commitment.pk)
    assert row.latest_update_narrative == "new"
    other = selectors.with_latest_update(selectors.commitments_visible_to(UserFactory(is_superuser=True))).get(pk=world["other"].pk)
    assert other.latest_update_narrative is None
