"""Reverting a commitment to a version of its history (django-simple-history's "Revert" in the
admin) brings back that version whole: its supporting organisations too."""
from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from memoranda.models import Commitment, Organisation
from memoranda.services import recorded_once
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_second_factor_in_these_tests(settings):
    settings.TWO_FACTOR_REQUIRED = False


def set_supporting(commitment: Commitment, *abbreviations: str) -> None:
    with recorded_once(commitment):
        commitment.supporting_organisations.set(Organisation.objects.filter(abbreviation__in=abbreviations))


def submitted(form) -> dict:
    """What the browser sends back for an admin form as it was shown (the Revert button)."""
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if value is None:
            value = ""
        elif isinstance(value, (list, tuple)):
            value = [str(item) for item in value]
        elif isinstance(value, (datetime.date, bool)):
            value = value.isoformat() if isinstance(value, datetime.date) else ("on" if value else "")
        data[name] = value
    return data


def test_reverting_a_commitment_brings_back_its_supporting_organisations(client, fourth_plenary):
    commitment = Commitment.objects.get(ref="HKBJ-4-6.5")
    set_supporting(commitment, "CMAB", "HKTDC")
    version = commitment.history.first()  # supported by CMAB and HKTDC
    set_supporting(commitment, "CMAB")
    commitment.refresh_from_db()
    version_before = commitment.version

    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    address = reverse("admin:memoranda_commitment_simple_history", args=[commitment.pk, version.history_id])
    shown = client.get(address)
    assert shown.status_code == 200
    response = client.post(address, submitted(shown.context["adminform"].form))

    assert response.status_code == 302
    commitment.refresh_from_db()
    assert {o.abbreviation for o in commitment.supporting_organisations.all()} == {"CMAB", "HKTDC"}
    assert commitment.version == version_before + 1  # forms opened before the revert are stale, never newer


def test_reverting_an_archived_commitment_is_refused_until_it_is_restored(client, fourth_plenary):
    from tracker import archive

    administrator = UserFactory(is_staff=True, is_superuser=True)
    commitment = Commitment.objects.get(ref="HKBJ-4-6.5")
    set_supporting(commitment, "CMAB")
    version = commitment.history.first()
    archive.commitment_archive(commitment=commitment, by=administrator)

    client.force_login(administrator)
    address = reverse("admin:memoranda_commitment_simple_history", args=[commitment.pk, version.history_id])
    shown = client.get(address)
    assert shown.status_code == 200
    assert client.post(address, submitted(shown.context["adminform"].form)).status_code == 403
    assert Commitment.all_objects.get(pk=commitment.pk).is_archived
