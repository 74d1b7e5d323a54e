import pytest
from django.urls import reverse

from memoranda.models import Organisation
from tests.factories import CommitmentFactory, member_of
from tracker.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator(fourth_plenary):
    return member_of(Organisation.objects.get(abbreviation="CMAB"), Role.COORDINATOR)


@pytest.fixture
def coordinator_client(client, coordinator):
    client.force_login(coordinator)
    return client


def test_pages_need_sign_in(client, fourth_plenary):
    for url in ["/", "/sessions/HKBJ/4/", "/commitments/HKBJ-4-6.5/"]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_login_page_and_healthz_are_open(client, db):
    assert client.get(reverse("login")).status_code == 200
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_home_lists_the_session_with_counts(coordinator_client):
    response = coordinator_client.get("/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Fourth Plenary Session of the Hong Kong/Beijing Co-operation Conference" in body
    assert "18 commitments" in body
    assert "Not started: 12" in body and "Ongoing arrangement: 6" in body


def test_session_page_shows_eight_areas_and_eighteen_items(coordinator_client):
    response = coordinator_client.get("/sessions/HKBJ/4/")
    assert response.status_code == 200
    assert len(response.context["areas"]) == 8
    assert response.context["commitment_count"] == 18
    assert "HKBJ-4-6.5" in response.content.decode()


def test_commitment_page_shows_the_mtr_item(coordinator_client):
    response = coordinator_client.get("/commitments/HKBJ-4-6.5/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "MTR Corporation Limited" in body
    assert "transport-oriented development" in body


def test_unknown_ref_and_session_are_404(coordinator_client):
    assert coordinator_client.get("/commitments/HKBJ-4-99.9/").status_code == 404
    assert coordinator_client.get("/sessions/HKBJ/99/").status_code == 404
    assert coordinator_client.get("/sessions/NOPE/4/").status_code == 404


def test_commitment_of_another_mechanism_is_404(coordinator_client):
    elsewhere = CommitmentFactory()
    assert coordinator_client.get(elsewhere.get_absolute_url()).status_code == 404


def test_odd_refs_never_500(coordinator_client):
    for ref in ["%00", "..", "HKBJ-4-6.5'--", "<script>", "a" * 300]:
        assert coordinator_client.get(f"/commitments/{ref}/").status_code == 404


def test_text_from_the_database_is_escaped(coordinator_client, fourth_plenary):
    commitment = fourth_plenary.commitments.get(ref="HKBJ-4-6.5")
    commitment.title = "<script>alert(1)</script>"
    commitment.save()
    body = coordinator_client.get(commitment.get_absolute_url()).content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_session_page_costs_the_same_queries_for_more_commitments(client, django_assert_max_num_queries, db):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    first = CommitmentFactory()
    organisation = first.lead_organisation
    user = member_of(organisation, Role.COORDINATOR)
    client.force_login(user)
    url = first.session.get_absolute_url()

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    few = count()
    for _ in range(20):
        CommitmentFactory(session=first.session, area=first.area, supporting_organisations=[organisation])
    assert count() == few


def test_language_can_be_switched_before_signing_in(client, db):
    response = client.post(reverse("set_language"), {"language": "zh-hant", "next": "/accounts/login/"})
    assert response.status_code == 302
    assert client.cookies["django_language"].value == "zh-hant"
    assert client.get(reverse("login"))["Content-Language"] == "zh-hant"
