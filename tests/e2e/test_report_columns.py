"""The session report as a coordinator reads it in 繁體中文: the progress reported has the room,
next steps beside it, English-only narratives marked; on a phone each item is a block; the PDF and
the XLSX downloaded from the page are in Chinese too."""
import io
import subprocess

import openpyxl
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot, sign_in
from tests.e2e.test_accessibility import serious_violations
from tracker.models import ProgressUpdate, UpdateState

NARRATIVE_ZH = "已與北京企業舉行兩次金融科技交流會；正籌劃一次關於監管沙盒的聯合分享會。"


def column_widths(page) -> dict[str, float]:
    return page.evaluate("""() => Object.fromEntries([...document.querySelectorAll('.report-table')[1].querySelectorAll('thead th')]
        .map((th, index) => [['ref', 'title', 'lead', 'status', 'update'][index], th.getBoundingClientRect().width]))""")


def test_chinese_report_gives_room_to_progress_and_downloads_in_chinese(page, demo, tmp_path):
    ProgressUpdate.objects.filter(commitment__ref="HKBJ-4-2.1", state=UpdateState.ACCEPTED).update(narrative_zh=NARRATIVE_ZH)
    sign_in(page, demo, "coordinator")
    page.set_viewport_size({"width": 1366, "height": 900})
    page.get_by_role("button", name="繁體中文", exact=True).click()
    page.goto(f"{demo}/reports/sessions/HKBJ/4/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("京港合作會議第四次會議")
    widths = column_widths(page)
    assert widths["update"] == max(widths.values()) and widths["update"] > 2 * widths["status"]
    fintech = page.get_by_role("row").filter(has_text="HKBJ-4-2.1")
    expect(fintech).to_contain_text(NARRATIVE_ZH)
    expect(fintech).to_contain_text("下一步工作")  # next steps, under the progress reported
    winter = page.get_by_role("row").filter(has_text="HKBJ-4-7.1")
    expect(winter.locator(".fallback-marker")).to_have_text("英文")
    assert serious_violations(page) == []
    screenshot(page, "session-report-1366-zh-hant")

    with page.expect_download() as pdf:
        page.get_by_role("link", name="PDF", exact=True).click()
    pdf_path = tmp_path / "report.pdf"
    pdf.value.save_as(pdf_path)
    text = "".join(subprocess.run(["pdftotext", str(pdf_path), "-"], capture_output=True, text=True, check=True).stdout.split())
    assert "已匯報進度" in text and "下一步工作" in text and NARRATIVE_ZH in text
    assert "英文Demodata:HongKongyouthvolunteers" in text  # an English-only narrative, marked

    with page.expect_download() as xlsx:
        page.get_by_role("link", name="XLSX", exact=True).click()
    sheet = openpyxl.load_workbook(io.BytesIO(open(xlsx.value.path(), "rb").read())).active
    headings = [cell.value for cell in sheet[3]]
    assert headings[:3] == ["合作範疇", "編號", "合作事項"]
    rows = {row[1]: dict(zip(headings, row, strict=True)) for row in sheet.iter_rows(min_row=4, values_only=True)}
    assert rows["HKBJ-4-2.1"]["已匯報進度"] == NARRATIVE_ZH
    assert "英文" in rows["HKBJ-4-7.1"]["已匯報進度"][:6]

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.evaluate("getComputedStyle(document.querySelector('.report-table td')).display") == "block"
    assert serious_violations(page) == []
    screenshot(page, "session-report-390-zh-hant")
