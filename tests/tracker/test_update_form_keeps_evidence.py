"""Files chosen on the progress update form survive a validation error, no file is left on disk for
an update that was not saved, and an update may be written in English, in Chinese or both."""
from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import SuspiciousFileOperation, ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from memoranda.models import Commitment, Organisation
from tests.factories import ReportingCycleFactory, member_of
from tracker import services
from tracker.models import Evidence, ProgressUpdate, Role

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


# Nothing written for an update that was not saved: storage takes no part in the transaction, so
# files written before a failure are deleted again (tracker.services._evidence_files_removed_on_failure).

def files_on_disk(settings) -> list[str]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file()) if root.exists() else []


@pytest.fixture
def mtr(official):
    return Organisation.objects.get(abbreviation="MTR")


def test_a_save_refused_after_its_files_were_stored_leaves_no_file_on_disk(official, mtr, settings):
    commitment = Commitment.objects.get(ref="HKBJ-4-6.5")
    with pytest.raises(ValidationError):  # the link is refused after the file was written
        services.progress_update_create(
            commitment=commitment, author=official, organisation=mtr, proposed_status="on_track", proposed_progress=40,
            narrative="Met twice.", evidence_files=[pdf()], evidence_links=["https://www.example.gov.hk/" + "a" * 1500],
        )
    assert files_on_disk(settings) == []
    assert not ProgressUpdate.objects.exists() and not Evidence.objects.exists()


def test_an_edit_that_fails_while_storing_its_files_leaves_none_on_disk(official, mtr, settings):
    commitment = Commitment.objects.get(ref="HKBJ-4-6.5")
    update = services.progress_update_create(
        commitment=commitment, author=official, organisation=mtr, proposed_status="on_track", proposed_progress=40, narrative="Met twice.",
    )
    # The first file is stored; no name can be found for the second (its extension alone is too long).
    unstorable = SimpleUploadedFile("x." + "p" * 120, b"data")
    with pytest.raises(SuspiciousFileOperation):
        services.progress_update_edit(
            update=update, by=official, proposed_status="on_track", proposed_progress=50, narrative="Met three times.",
            update_version=update.version, evidence_files=[pdf(), unstorable],
        )
    assert files_on_disk(settings) == []
    update.refresh_from_db()
    assert update.narrative == "Met twice." and not update.evidence.exists()


def test_a_stale_save_with_evidence_stores_no_evidence_and_keeps_the_file_for_the_form(client, official, form_url, settings):
    client.force_login(official)
    commitment = Commitment.objects.get(ref="HKBJ-4-6.5")
    opened_at = commitment.version
    Commitment.objects.filter(pk=commitment.pk).update(version=opened_at + 1)  # someone saved it meanwhile
    stale = post(client, form_url, version=opened_at, evidence_files=pdf())
    assert stale.status_code in (400, 409) and "changed by someone else" in stale.content.decode()
    assert not ProgressUpdate.objects.exists() and not Evidence.objects.exists()
    # Only the copy kept for the form (listed on it, removed when saved or after a day) is on disk.
    assert [kept.name for kept in stale.context["kept_files"]] == ["minutes.pdf"]
    assert [name.split("/")[0] for name in files_on_disk(settings)] == ["pending"]


def test_a_saved_update_keeps_its_files(official, mtr, settings):
    update = services.progress_update_create(
        commitment=Commitment.objects.get(ref="HKBJ-4-6.5"), author=official, organisation=mtr, proposed_status="on_track",
        proposed_progress=40, narrative="Met twice.", evidence_files=[pdf()],
    )
    assert files_on_disk(settings) == [update.evidence.get().file.name]


def test_a_file_with_a_very_long_name_is_kept_and_attached(client, official, form_url):
    client.force_login(official)
    name = "Minutes of the meeting of the MTR and the Beijing operators " * 5 + ".pdf"  # Django keeps 255 characters of it
    refused = post(client, form_url, proposed_progress="150", evidence_files=pdf(name))
    assert refused.status_code == 400
    [kept] = refused.context["kept_files"]
    assert len(kept.name) == 255 and kept.name.startswith("Minutes of the meeting") and kept.name.endswith(".pdf")
    assert post(client, form_url).status_code == 302
    evidence = ProgressUpdate.objects.get().evidence.get()
    assert evidence.description == kept.name and evidence.file.read() == PDF_BYTES
