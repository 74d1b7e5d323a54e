import pytest
from tests.e2e.conftest import screenshot, sign_in
ZH = open("fixtures/seeds/hk-beijing-4th-plenary-2018-memorandum-zh-hant.txt", encoding="utf-8").read()
SH = open("tests/memoranda/samples/en-hksh-6th-headline-single-newlines.txt", encoding="utf-8").read()

@pytest.mark.parametrize("language", ["zh-hans", "zh-hant"])
def test_shots(page, demo, language):
    page.set_viewport_size({"width": 390, "height": 900})
    sign_in(page, demo, "admin")
    page.get_by_role("button", name={"zh-hant": "繁體中文", "zh-hans": "简体中文"}[language]).click()
    page.goto(f"{demo}/admin/memoranda/memorandum/load/")
    screenshot(page, f"tmp-load-{language}")
    page.locator("#id_text").fill(SH)
    page.locator("input[type=submit]").click()
    page.wait_for_load_state()
    screenshot(page, f"tmp-newmech-{language}")
    width = page.evaluate("document.documentElement.scrollWidth")
    print("newmech width", width)
    page.goto(f"{demo}/admin/memoranda/memorandum/load/")
    page.locator("#id_text").fill(ZH)
    page.locator("input[type=submit]").click()
    page.wait_for_load_state()
    screenshot(page, f"tmp-align-{language}")
    print("align width", page.evaluate("document.documentElement.scrollWidth"))
