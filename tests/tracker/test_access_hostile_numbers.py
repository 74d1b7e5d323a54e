"""Numbers in a form that Python calls digits and the database does not ("²", "١"): refused or
ignored, never a 500, and nothing changes. `str.isdigit` says yes to them; `int()` and the
database's integer lookups do not."""
from __future__ import annotations

import pytest

from memoranda.models import Commitment, Organisation, Status
from tests.factories import ReportingCycleFactory, member_of
from tests.tracker.test_access_matrix import database_state
from tracker.models import Reminder, Role

pytestmark = pytest.mark.django_db
ODD_DIGITS = ["²", "١٢", "1²"]


@pytest.fixture
def coordinator_client(client, fourth_plenary):
    client.force_login(member_of(Organisation.objects.get(abbreviation="CMAB"), Role.COORDINATOR))
    return client


@pytest.mark.parametrize("version", ODD_DIGITS)
def test_undoing_a_carry_forward_with_an_odd_version_is_not_a_500(coordinator_client, version):
    commitment = Commitment.objects.get(ref="HKBJ-4-6.5")
    commitment.status = Status.CARRIED_FORWARD
    commitment.save()
    response = coordinator_client.post(f"/commitments/{commitment.ref}/carry-forward/undo/", {"version": version})
    assert response.status_code == 302


@pytest.mark.parametrize("value", ODD_DIGITS)
@pytest.mark.parametrize("field", ["organisation", "commitment"])
def test_reminding_with_an_odd_organisation_or_commitment_is_refused_not_a_500(coordinator_client, fourth_plenary, field, value):
    cycle = ReportingCycleFactory(mechanism=fourth_plenary.mechanism, reports_to_session_number=5)
    before = database_state()
    response = coordinator_client.post(f"/cycles/{cycle.pk}/remind/", {field: value, "selected_only": "1"})
    assert response.status_code == 302
    assert not Reminder.objects.exists()
    assert database_state() == before


@pytest.mark.parametrize(
    "address",
    ["/updates/{huge}/", "/evidence/{huge}/", "/cycles/{huge}/", "/sessions/HKBJ/{huge}/", "/reports/sessions/HKBJ/{huge}/",
     "/reports/sessions/HKBJ/4/compare/?a={huge}"],
)
def test_numbers_too_large_for_the_database_are_not_found(coordinator_client, address):
    assert coordinator_client.get(address.format(huge="9" * 30)).status_code == 404
