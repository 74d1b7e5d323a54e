"""Findings of the security audit (issue 12), each fixed with its test: control characters in a
narrative, NUL bytes in addresses, over-long evidence links, and caching of signed-in pages."""
from __future__ import annotations

import io

import openpyxl
import pytest

from memoranda.models import Commitment, Organisation
from tests.factories import ReportingCycleFactory, member_of
from tracker import services
from tracker.models import Evidence, ProgressUpdate, Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(fourth_plenary):
    ReportingCycleFactory(mechanism=fourth_plenary.mechanism, reports_to_session_number=5)
    cmab = Organisation.objects.get(abbreviation="CMAB")
    return member_of(Organisation.objects.get(abbreviation="MTR"), Role.OFFICIAL), member_of(cmab, Role.COORDINATOR)


def test_a_control_character_in_an_accepted_narrative_does_not_break_the_xlsx_exports(client, people):
    official, coordinator = people
    commitment = Commitment.objects.get(ref="HKBJ-4-6.5")
    update = services.progress_update_create(
        commitment=commitment, author=official, proposed_status="on_track", proposed_progress=30,
        narrative="First line\x0bsecond line\x01 with a bell\x07.", submit=True, notify=False,
    )
    services.progress_update_accept(update=update, reviewer=coordinator, comment="", update_version=update.version)
    client.force_login(coordinator)
    for url in ("/commitments/?_export=xlsx", "/reports/sessions/HKBJ/4/?_export=xlsx"):
        response = client.get(url)
        assert response.status_code == 200, url
        body = b"".join(response.streaming_content) if response.streaming else response.getvalue()
        texts = [cell for row in openpyxl.load_workbook(io.BytesIO(body)).active.iter_rows(values_only=True) for cell in row if isinstance(cell, str)]
        assert any("First line\nsecond line with a bell." in text for text in texts), url


@pytest.mark.parametrize("url", ["/sessions/%00/4/", "/reports/mechanisms/%00/", "/commitments/HKBJ%00/", "/commitments/?q=%00"])
def test_a_nul_byte_in_an_address_is_not_found_not_a_server_error(client, people, url):
    client.force_login(people[1])
    assert client.get(url).status_code == 404


def test_an_evidence_link_longer_than_the_database_holds_is_refused_next_to_the_field(client, people):
    official = people[0]
    client.force_login(official)
    commitment = Commitment.objects.get(ref="HKBJ-4-6.5")
    long_link = "https://www.example.gov.hk/" + "a" * 1500
    response = client.post("/commitments/HKBJ-4-6.5/update/", {
        "proposed_status": "on_track", "proposed_progress": "30", "narrative": "Met twice.", "version": commitment.version,
        "evidence_links": long_link, "draft": "1",
    })
    assert response.status_code == 400 and response.context["form"].errors["evidence_links"]
    assert not ProgressUpdate.objects.exists() and not Evidence.objects.exists()


def test_signed_in_pages_and_exports_are_not_kept_in_caches(client, people):
    client.force_login(people[1])
    for url in ("/", "/commitments/", "/commitments/?_export=csv", "/reports/sessions/HKBJ/4/?_export=xlsx"):
        assert "no-store" in client.get(url)["Cache-Control"], url

