"""An official on a phone, in 简体中文, makes a mistake on the update form: the file stays chosen."""
from memoranda.models import Commitment
from tests.e2e.conftest import screenshot, sign_in
from tracker.models import ProgressUpdate

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_official_submits_an_update_with_a_file_after_one_validation_error(page, demo, tmp_path):
    ProgressUpdate.objects.filter(commitment__lead_organisation__abbreviation="CMAB").delete()
    evidence = tmp_path / "会议纪要.pdf"
    evidence.write_bytes(PDF)
    page.set_viewport_size({"width": 390, "height": 900})
    sign_in(page, demo, "official-cmab")
    page.get_by_role("button", name="简体中文").click()
    page.goto(f"{demo}/my/")
    ref = Commitment.objects.filter(lead_organisation__abbreviation="CMAB").order_by("pk").first().ref
    page.goto(f"{demo}/commitments/{ref}/update/")
    page.locator("#id_proposed_progress").fill("150")
    page.locator("#id_narrative_zh").fill("两地已举行两次工作会议。")
    page.locator("#id_evidence_files").set_input_files(str(evidence))
    page.locator("button[name=submit]").click()
    page.locator(".kept-files").wait_for()
    assert "会议纪要.pdf" in page.locator(".kept-files").inner_text()
    screenshot(page, "update-form-kept-file-zh-hans-390")
    page.locator("#id_proposed_progress").fill("50")
    page.locator("button[name=submit]").click()
    page.wait_for_url(f"{demo}/updates/*/")
    update = ProgressUpdate.objects.get(commitment__ref=ref)
    assert update.state == "submitted" and update.narrative_zh == "两地已举行两次工作会议。"
    assert update.evidence.get().file.read() == PDF
    assert "会议纪要.pdf" in page.content()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
