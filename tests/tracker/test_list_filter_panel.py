"""The commitment list's folded filter panel: its summary counts the filters in use, and the panel
opens by itself when a filter could not be used, so the error is seen."""
import pytest
from bs4 import BeautifulSoup

from memoranda.models import Organisation
from tests.factories import member_of
from tracker.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def viewer_client(client, fourth_plenary):
    client.force_login(member_of(Organisation.objects.get(abbreviation="CMAB"), Role.VIEWER))
    return client


def panel(response):
    return BeautifulSoup(response.content, "html.parser").select_one("details.filters")


def test_summary_counts_each_filter_in_use_once(viewer_client):
    details = panel(viewer_client.get("/commitments/", {"status": ["ongoing", "at_risk"], "q": "Beijing", "mechanism": "", "size": 50}))
    assert details.select_one("summary .count").get_text(strip=True) == "2 active"
    assert not details.has_attr("open")


def test_summary_shows_no_count_without_filters(viewer_client):
    details = panel(viewer_client.get("/commitments/", {"q": " ", "page": 1}))
    assert details.select_one("summary .count") is None


def test_panel_is_open_when_a_filter_could_not_be_used(viewer_client):
    details = panel(viewer_client.get("/commitments/", {"due_after": "not a date"}))
    assert details.has_attr("open")
    assert details.select_one("summary .count").get_text(strip=True) == "1 active"
