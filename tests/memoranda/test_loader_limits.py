"""The memorandum loader's preview bounds and checks what can be typed into it (an item's text, the co-chairs,
the signatories), refused next to the field with the text kept; and a source file too large for a
memorandum is refused before it is kept in the session."""
from __future__ import annotations

import io

import pytest

from memoranda.forms import ITEM_TEXT_MAX_LENGTH, NAMES_MAX_LENGTH
from memoranda.models import Commitment
from memoranda.parsing import MAX_SOURCE_BYTES
from tests.factories import UserFactory
from tests.memoranda.test_admin_loader import LOAD, paste, preview_post_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    return client


@pytest.fixture
def preview(admin_client, without_fourth_plenary, seed_text):
    response = paste(admin_client, seed_text)
    url = response["Location"]
    return url, admin_client.get(url)


def test_an_item_text_over_the_limit_is_refused_next_to_it_and_kept(admin_client, preview):
    url, page = preview
    data = preview_post_data(page)
    too_long = "Both sides would continue to co-operate. " * (ITEM_TEXT_MAX_LENGTH // 41 + 1)
    data["items-0-text"] = too_long
    response = admin_client.post(url, {**data, "confirm": "1"})
    assert response.status_code == 400
    item = response.context["formset"].forms[0]
    assert "too long" in " ".join(item.errors["text"]) and item["text"].value() == too_long
    assert not Commitment.objects.exists()


@pytest.mark.parametrize("field", ["co_chairs", "signatories"])
def test_names_over_the_limit_are_refused(admin_client, preview, field):
    url, page = preview
    data = preview_post_data(page)
    data[f"session-{field}"] = "Mr Patrick Nip Tak-kuen\n" * (NAMES_MAX_LENGTH // 24 + 1)
    response = admin_client.post(url, {**data, "confirm": "1"})
    assert response.status_code == 400 and response.context["session_form"].errors[field]
    assert not Commitment.objects.exists()


def test_a_source_file_too_large_is_refused_and_not_kept(admin_client, fourth_plenary):
    upload = io.BytesIO(b"Services Industries\n\n" + b"x" * MAX_SOURCE_BYTES)
    upload.name = "memorandum.txt"
    response = admin_client.post(LOAD, {"format": "auto", "file": upload})
    assert "too large" in " ".join(response.context["form"].errors["file"])
    assert "memorandum_kept_upload" not in admin_client.session


def test_an_owner_that_is_not_an_organisation_is_refused_not_a_server_error(admin_client, preview):
    url, page = preview
    data = preview_post_data(page)
    response = admin_client.post(url, {**data, "items-0-lead": "align", "items-0-supporting": ["x", "9" * 40], "confirm": "1"})
    assert response.status_code == 400
    errors = response.context["formset"].forms[0].errors
    assert errors["lead"] and errors["supporting"]
    assert not Commitment.objects.exists()
