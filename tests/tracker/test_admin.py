"""Every model has a working admin: list (with filters and search), add form, change form."""
import pytest
from django.contrib import admin
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, fourth_plenary):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    return client


@pytest.mark.parametrize(
    "model",
    [m for m in admin.site._registry if m._meta.app_label in {"memoranda", "tracker"}],
    ids=lambda m: m._meta.label,
)
def test_admin_pages_render(admin_client, model):
    opts = model._meta
    changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    assert admin_client.get(changelist).status_code == 200
    assert admin_client.get(changelist, {"q": "Beijing"}).status_code == 200
    add = admin_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))
    frozen = model._meta.model_name == "snapshot"  # snapshots are made by the report, never by hand
    assert add.status_code == (403 if frozen else 200)
    instance = model.objects.first()
    if instance is not None:
        assert admin_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[instance.pk])).status_code == 200


def test_commitment_autocomplete_answers(admin_client):
    response = admin_client.get(
        reverse("admin:autocomplete"),
        {"term": "MTR", "app_label": "memoranda", "model_name": "commitment", "field_name": "continues"},
    )
    assert response.status_code == 200
    assert any(result["text"].startswith("HKBJ-4-6.5") for result in response.json()["results"])


def test_commitment_history_page_renders(admin_client):
    from memoranda.models import Commitment

    commitment = Commitment.objects.get(ref="HKBJ-4-6.5")
    assert admin_client.get(reverse("admin:memoranda_commitment_history", args=[commitment.pk])).status_code == 200
