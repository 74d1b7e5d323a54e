"""What a coordinator sees of a commitment's history and of carrying it forward, on a phone in
Chinese, and the cross-session report on a laptop."""
import datetime

import pytest

from tests.e2e.conftest import screenshot, sign_in
from tests.e2e.test_accessibility import serious_violations
from tests.tracker.test_history_entries import FIFTH

pytestmark = pytest.mark.django_db(transaction=True)


def load_fifth_continuing(ref: str) -> None:
    from memoranda.parsing import parse_memorandum
    from memoranda.services import memorandum_import
    from memoranda.sources import source_checksum

    parsed = parse_memorandum(FIFTH, format="text")
    parsed.held_on = datetime.date(2020, 11, 20)
    memorandum_import(parsed=parsed, checksum=source_checksum(FIFTH), source_text=FIFTH, links={1: ref})


def test_coordinator_reads_the_history_in_chinese_and_undoes_carrying_forward(page, demo):
    page.set_viewport_size({"width": 390, "height": 900})
    sign_in(page, demo, "coordinator")
    page.get_by_role("button", name="繁體中文").click()

    page.goto(f"{demo}/commitments/HKBJ-4-6.5/manage/")
    page.get_by_label("香港貿易發展局").check()
    page.locator("#id_due_on").fill("2025-12-31")
    page.locator("form.card button[type=submit]").click()
    page.wait_for_url(f"{demo}/commitments/HKBJ-4-6.5/")

    history = page.locator("#change-history").locator("xpath=..")
    latest = history.locator(".history-list > li").first
    assert "已設定負責單位及限期" in latest.inner_text()
    assert "香港貿易發展局" in latest.locator("ins").inner_text()
    assert "2025年12月31日" in latest.inner_text()
    assert history.locator(".history-list > li", has_text="已設定負責單位及限期").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    history.scroll_into_view_if_needed()
    screenshot(page, "commitment-history-390-zh-hant")

    load_fifth_continuing("HKBJ-4-6.5")
    page.reload()
    undo = page.locator("form[action$='/carry-forward/undo/'] button")
    assert undo.count() == 1
    assert page.locator("#carried-forward").count() == 1
    assert serious_violations(page) == []
    screenshot(page, "commitment-carried-forward-390-zh-hant")
    undo.click()
    page.wait_for_load_state()
    assert page.locator("form[action$='/carry-forward/undo/']").count() == 0
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_cross_session_report_names_sessions_with_dates(page, demo):
    load_fifth_continuing("HKBJ-4-6.5")
    page.set_viewport_size({"width": 1366, "height": 900})
    sign_in(page, demo, "coordinator")
    page.goto(f"{demo}/reports/mechanisms/HKBJ/")
    headers = page.locator("table.matrix thead th").all_inner_texts()
    assert headers[1:] == ["4th Plenary Session, 24 October 2018", "5th Plenary Session, 20 November 2020"]
    assert serious_violations(page) == []
    screenshot(page, "mechanism-report-1366-en")
    page.get_by_role("button", name="繁體中文").click()
    page.wait_for_load_state()
    headers = page.locator("table.matrix thead th").all_inner_texts()
    assert headers[1].startswith("第四次會議") and "2018年10月24日" in headers[1]
    screenshot(page, "mechanism-report-1366-zh-hant")
