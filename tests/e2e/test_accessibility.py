"""axe-core on every main page: no violation of serious or critical impact; keyboard reach."""
import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.e2e.conftest import sign_in

MAIN_PAGES = {
    "dashboard": "/",
    "list": "/commitments/",
    "detail": "/commitments/HKBJ-4-6.5/",
    "update-form": "/commitments/HKBJ-4-3.2/update/",
    "session": "/sessions/HKBJ/4/",
    "report": "/reports/sessions/HKBJ/4/",
    "my": "/my/",
    "cycle": "/cycles/",
}


def serious_violations(page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} – {[node['target'] for node in violation['nodes']][:3]}"
        for violation in results.response["violations"]
        if violation["impact"] in {"serious", "critical"}
    ]


@pytest.mark.parametrize("name", list(MAIN_PAGES))
def test_main_page_has_no_serious_accessibility_violation(page, demo, name):
    sign_in(page, demo, "official-cmab")
    page.goto(demo + MAIN_PAGES[name])
    assert serious_violations(page) == []


@pytest.mark.parametrize("language", ["zh-hant", "zh-hans"])
def test_chinese_dashboard_has_no_serious_accessibility_violation(page, demo, language):
    sign_in(page, demo, "coordinator")
    page.get_by_role("button", name={"zh-hant": "繁體中文", "zh-hans": "简体中文"}[language]).click()
    assert serious_violations(page) == []


def test_memorandum_loader_has_no_serious_accessibility_violation(page, demo):
    sign_in(page, demo, "admin")
    page.goto(f"{demo}/admin/memoranda/memorandum/load/")
    assert serious_violations(page) == []
    page.get_by_label("…or paste the text").fill(open("fixtures/seeds/hk-beijing-4th-plenary-2018.txt", encoding="utf-8").read().replace("Fourth", "Fifth"))
    page.get_by_role("button", name="Preview").click()
    assert serious_violations(page) == []


def tab_until(page, element_id: str, limit: int = 60) -> int:
    """Press Tab from the top of the page until `element_id` has the focus; how many presses it took."""
    page.locator("body").focus()
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.id") == element_id:
            return presses
    raise AssertionError(f"#{element_id} was not reached with {limit} presses of Tab")


def test_keyboard_reaches_the_filters_and_applies_them(page, demo):
    sign_in(page, demo, "viewer")
    page.goto(f"{demo}/commitments/")
    tab_until(page, "id_q")
    page.keyboard.type("Fintech")
    page.keyboard.press("Enter")
    page.wait_for_url("**/commitments/?q=Fintech*")
    assert page.locator("table.commitments tbody td.ref").all_inner_texts() == ["HKBJ-4-2.1"]


def test_keyboard_fills_and_submits_the_update_form(page, demo):
    sign_in(page, demo, "official-cmab")
    page.goto(f"{demo}/commitments/HKBJ-4-3.2/update/")
    tab_until(page, "id_narrative")
    page.keyboard.type("Two Beijing enterprises visited the Science Park.")
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("document.activeElement.id") == "id_proposed_status"
    tab_until(page, "id_narrative")
    for _ in range(12):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.name") == "submit":
            break
    page.keyboard.press("Enter")
    page.wait_for_url("**/updates/*/")
    assert "Your update was submitted" in page.inner_text("main")
