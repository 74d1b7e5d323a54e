"""The administrator loads real documents in a real browser: a Chinese memorandum aligned onto the
4th plenary, and a release of a mechanism the database does not have yet; on a desktop and a phone."""
import pytest
from axe_playwright_python.sync_playwright import Axe

from memoranda.models import Commitment, Mechanism
from tests.e2e.conftest import screenshot, sign_in

ZH_MEMORANDUM = "fixtures/seeds/hk-beijing-4th-plenary-2018-memorandum-zh-hant.txt"
SHANGHAI = open("tests/memoranda/samples/en-hksh-6th-headline-single-newlines.txt", encoding="utf-8").read()


def serious_violations(page) -> list[str]:
    return [violation["id"] for violation in Axe().run(page).response["violations"] if violation["impact"] in {"serious", "critical"}]


@pytest.mark.parametrize("width", [1366, 390])
def test_chinese_memorandum_is_paired_and_fills_the_chinese_pages(page, demo, width):
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, demo, "admin")
    page.goto(f"{demo}/admin/memoranda/memorandum/load/")
    page.get_by_label("…or paste the text").fill(open(ZH_MEMORANDUM, encoding="utf-8").read())
    page.get_by_role("button", name="Preview").click()
    page.get_by_role("heading", name="Item by item").wait_for()
    assert page.locator("select[name='pairs-0-pair']").input_value() == "HKBJ-4-1.1"
    assert serious_violations(page) == []
    screenshot(page, f"loader-align-{width}")
    page.get_by_role("button", name="Confirm and fill in").click()
    page.wait_for_url(f"{demo}/sessions/HKBJ/4/")
    assert Commitment.objects.exclude(text_zh="").count() == 18
    page.get_by_role("button", name="繁體中文").click()
    page.goto(f"{demo}/commitments/HKBJ-4-6.5/")
    assert "香港鐵路有限公司" in page.content()
    screenshot(page, f"commitment-zh-hant-after-alignment-{width}")


@pytest.mark.parametrize("width", [1366, 390])
def test_release_of_a_new_mechanism_loads_after_the_preview_proposes_it(page, demo, width):
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, demo, "admin")
    page.goto(f"{demo}/admin/memoranda/memorandum/load/")
    page.get_by_label("…or paste the text").fill(SHANGHAI)
    page.get_by_role("button", name="Preview").click()
    page.get_by_role("heading", name="New mechanism").wait_for()
    assert page.get_by_label("Code of the new mechanism").input_value() == "HKSH"
    assert page.get_by_label("First party").input_value() == "Government of the Hong Kong Special Administrative Region"
    assert page.locator(".select2-container").count() >= 8  # owner pickers are autocompletes
    assert serious_violations(page) == []
    screenshot(page, f"loader-new-mechanism-{width}")
    page.locator("#id_session-held_on").fill("2023-08-28")
    page.get_by_role("button", name="Confirm and load").click()
    page.wait_for_url(f"{demo}/sessions/HKSH/6/")
    assert Mechanism.objects.get(code="HKSH").sessions.get().commitments.count() == 4
    assert page.get_by_text("Trade and investment").first.is_visible()
    screenshot(page, f"session-new-mechanism-{width}")
