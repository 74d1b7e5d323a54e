"""Files chosen on the progress update form survive a validation error, and an update may be
written in English, in Chinese or both."""
from __future__ import annotations

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from memoranda.models import Commitment, Organisation
from tests.factories import ReportingCycleFactory, member_of
from tracker.models import ProgressUpdate, Role

pytestmark = pytest.mark.django_db

PDF_BYTES = b"%PDF-1.4\n% Minutes of the MTR - Beijing operators meeting\n%%EOF\n"


def pdf(name: str = "minutes.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


@pytest.fixture
def official(fourth_plenary):
    ReportingCycleFactory(mechanism=fourth_plenary.mechanism, reports_to_session_number=5)
    return member_of(Organisation.objects.get(abbreviation="MTR"), Role.OFFICIAL)


@pytest.fixture
def form_url():
    return "/commitments/HKBJ-4-6.5/update/"


def post(client, url, **fields):
    commitment = Commitment.objects.get(ref="HKBJ-4-6.5")
    data = {"proposed_status": "on_track", "proposed_progress": "40", "narrative": "Met twice.", "version": commitment.version, "draft": "1"}
    data.update(fields)
    return client.post(url, data)


def pending_files() -> list[str]:
    if not default_storage.exists("pending"):
        return []
    return default_storage.listdir("pending")[1]


def test_update_form_keeps_evidence_after_a_validation_error(client, official, form_url):
    client.force_login(official)
    refused = post(client, form_url, proposed_progress="150", evidence_files=pdf())
    assert refused.status_code == 400
    assert "minutes.pdf" in refused.content.decode()
    assert [kept.name for kept in refused.context["kept_files"]] == ["minutes.pdf"]
    saved = post(client, form_url)  # the official fixes the percentage and does not choose the file again
    assert saved.status_code == 302
    update = ProgressUpdate.objects.get()
    assert [evidence.description for evidence in update.evidence.all()] == ["minutes.pdf"]
    assert update.evidence.get().file.read() == PDF_BYTES
    assert pending_files() == []


def test_kept_file_can_be_removed_before_saving(client, official, form_url):
    client.force_login(official)
    refused = post(client, form_url, proposed_progress="150", evidence_files=pdf())
    kept = refused.context["kept_files"][0]
    post(client, form_url, remove_kept=kept.id)
    assert ProgressUpdate.objects.get().evidence.count() == 0
    assert pending_files() == []


def test_a_file_of_a_refused_kind_is_not_kept(client, official, form_url):
    client.force_login(official)
    refused = post(client, form_url, evidence_files=SimpleUploadedFile("tool.exe", b"MZ"))
    assert refused.status_code == 400 and refused.context["kept_files"] == []


def test_edit_form_keeps_evidence_after_a_validation_error(client, official, form_url):
    client.force_login(official)
    post(client, form_url)
    update = ProgressUpdate.objects.get()
    url = f"/updates/{update.pk}/edit/"
    data = {"proposed_status": "on_track", "proposed_progress": "40", "narrative": "", "version": update.version, "draft": "1"}
    refused = client.post(url, {**data, "evidence_files": pdf("photo.pdf")})
    assert refused.status_code == 400 and [kept.name for kept in refused.context["kept_files"]] == ["photo.pdf"]
    assert client.post(url, {**data, "narrative_zh": "已與北京地鐵會面兩次。"}).status_code == 302
    update.refresh_from_db()
    assert (update.narrative, update.narrative_zh) == ("", "已與北京地鐵會面兩次。")
    assert [evidence.description for evidence in update.evidence.all()] == ["photo.pdf"]


def test_kept_files_belong_to_their_own_form(client, official, form_url):
    client.force_login(official)
    post(client, form_url, proposed_progress="150", evidence_files=pdf())
    other = client.get("/commitments/HKBJ-4-2.3/update/")
    assert other.status_code in (200, 403) and not (other.status_code == 200 and other.context["kept_files"])


def test_update_needs_a_narrative_in_one_language_or_the_other(client, official, form_url):
    client.force_login(official)
    refused = post(client, form_url, narrative="")
    assert refused.status_code == 400 and refused.context["form"].errors["narrative"]
    assert post(client, form_url, narrative="", narrative_zh="雙方已舉行兩次會議。", next_steps_zh="年底前簽署協議。").status_code == 302
    update = ProgressUpdate.objects.get()
    assert (update.narrative_zh, update.next_steps_zh) == ("雙方已舉行兩次會議。", "年底前簽署協議。")
