"""Phones and narrow windows: at 390 px no page scrolls sideways, in any of the three languages;
the commitment list becomes readable rows and its filters fold away behind a summary that says
how many are active; at 1366 px the list fits and its titles do not wrap into tall columns."""
import re

from playwright.sync_api import expect

from tests.e2e.conftest import sign_in
from tests.e2e.test_accessibility import serious_violations
from tracker.models import ProgressUpdate, ReportingCycle

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 768}
LANGUAGE_BUTTONS = {"en": "English", "zh-hant": "繁體中文", "zh-hans": "简体中文"}

COORDINATOR_PAGES = [
    "/", "/commitments/", "/commitments/?status=ongoing&q=Beijing", "/commitments/HKBJ-4-6.5/",
    "/commitments/HKBJ-4-6.5/manage/", "/reviews/", "/cycles/", "/cycles/{cycle}/", "/sessions/",
    "/sessions/HKBJ/4/", "/reports/", "/reports/sessions/HKBJ/4/", "/reports/mechanisms/HKBJ/",
    "/updates/{submitted}/", "/updates/{returned}/",
    "/commitments/NO-SUCH-REF/",  # the 404 page
]
OFFICIAL_PAGES = [
    "/my/", "/commitments/HKBJ-4-3.2/update/", "/commitments/HKBJ-4-3.2/", "/updates/{returned}/",
    "/commitments/HKBJ-4-3.2/manage/",  # an official may see this commitment but not manage it: the 403 page
]
SIGNED_OUT_PAGES = ["/accounts/login/"]

# What sticks out, for the failure message: elements past the window's right edge that no
# scrolling box of theirs (a table wrapper) holds in.
OVERFLOW_REPORT = """() => {
  const width = window.innerWidth;
  const heldIn = (element) => {
    let escapes = getComputedStyle(element).position === 'absolute';
    for (let box = element.parentElement; box && box !== document.body; box = box.parentElement) {
      const style = getComputedStyle(box);
      if (!escapes && style.overflowX !== 'visible') return true;
      if (escapes && style.position !== 'static') escapes = style.position === 'absolute';
    }
    return false;
  };
  const culprits = [];
  for (const element of document.querySelectorAll('body *')) {
    const box = element.getBoundingClientRect();
    if (box.right > width + 1 && box.width > 0 && !heldIn(element)) {
      culprits.push(`${element.tagName.toLowerCase()}.${[...element.classList].join('.')} right=${Math.round(box.right)}`);
    }
  }
  return {scrollWidth: document.documentElement.scrollWidth, innerWidth: width, culprits: culprits.slice(0, 6)};
}"""


def new_page(browser, base_url: str, viewport: dict, username: str | None = None, language: str = "en"):
    page = browser.new_context(viewport=viewport, locale="en-GB").new_page()
    if username:
        sign_in(page, base_url, username)
    else:
        page.goto(f"{base_url}/accounts/login/")
    if language != "en":
        page.get_by_role("button", name=LANGUAGE_BUTTONS[language], exact=True).click()
        page.wait_for_load_state()
    return page


def choose_language(page, language: str) -> None:
    page.get_by_role("button", name=LANGUAGE_BUTTONS[language], exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", language)


def sideways_scroll(page, url: str) -> str | None:
    """None when the page at `url` fits the window; otherwise what sticks out."""
    response = page.goto(url)
    assert response.status < 500, f"{url} answered {response.status}"
    report = page.evaluate(OVERFLOW_REPORT)
    if report["scrollWidth"] <= report["innerWidth"]:
        return None
    return f"{report['scrollWidth']} > {report['innerWidth']} px, {report['culprits']}"


def test_no_page_scrolls_sideways_on_a_phone_in_any_language(browser, demo):
    addresses = {
        "cycle": ReportingCycle.objects.order_by("pk").first().pk,
        "submitted": ProgressUpdate.objects.get(commitment__ref="HKBJ-4-6.5").pk,
        "returned": ProgressUpdate.objects.get(commitment__ref="HKBJ-4-5.3").pk,
    }
    problems = []
    for username, paths in [("coordinator", COORDINATOR_PAGES), ("official-cmab", OFFICIAL_PAGES), (None, SIGNED_OUT_PAGES)]:
        page = new_page(browser, demo, PHONE, username)
        for language in LANGUAGE_BUTTONS:
            choose_language(page, language)
            for path in paths:
                problem = sideways_scroll(page, demo + path.format(**addresses))
                if problem:
                    problems.append(f"{language} {username or 'signed out'} {path}: {problem}")
        page.context.close()
    assert not problems, "\n".join(problems)


def test_phone_list_shows_rows_first_with_the_filters_folded_and_counted_and_stays_accessible(browser, demo):
    page = new_page(browser, demo, PHONE, "coordinator", "zh-hans")
    page.goto(f"{demo}/commitments/?status=ongoing&mechanism=&q=")
    panel = page.locator("details.filters")
    expect(panel).not_to_have_attribute("open", "")
    expect(panel.locator("summary .count")).to_have_text(re.compile(r"^\D*1\D*$"))  # two empty fields are not filters
    expect(page.locator("#id_q")).to_be_hidden()
    # The first commitment is on the first screen, as a card: its title and its labelled lead.
    first = page.locator("table.commitments tbody tr").first
    assert first.bounding_box()["y"] + 100 < PHONE["height"]
    expect(first.locator("td.col-title")).to_contain_text("高校及科研机构的创新科技合作")
    assert first.locator("td.col-lead_organisation").evaluate("cell => getComputedStyle(cell, '::before').content") == '"牵头单位："'

    page.goto(f"{demo}/commitments/?status=ongoing&status=at_risk&q=Beijing")
    expect(panel.locator("summary .count")).to_have_text(re.compile(r"^\D*2\D*$"))  # several statuses are one filter
    assert serious_violations(page) == []
    panel.locator("summary").click()
    expect(page.locator("#id_q")).to_have_value("Beijing")
    assert serious_violations(page) == []
    page.goto(f"{demo}/commitments/")
    expect(panel.locator("summary .count")).to_have_count(0)
    page.goto(f"{demo}/")
    assert serious_violations(page) == []
    page.context.close()


def test_laptop_list_fits_with_the_filters_open_and_titles_of_at_most_three_lines(browser, demo):
    page = new_page(browser, demo, LAPTOP, "coordinator")
    for language in ["en", "zh-hans"]:
        choose_language(page, language)
        page.goto(f"{demo}/commitments/")
        expect(page.locator("details.filters")).to_have_attribute("open", "")
        wrap = page.locator(".results .table-wrap")
        assert wrap.evaluate("box => box.scrollWidth <= box.clientWidth"), f"the list scrolls sideways at 1366 px in {language}"
        lines = page.locator("table.commitments td.col-title .clamp").evaluate_all(
            "titles => titles.map(t => Math.round(t.getBoundingClientRect().height / parseFloat(getComputedStyle(t).lineHeight)))"
        )
        assert len(lines) == 18 and max(lines) <= 3, f"{language}: title heights in lines {lines}"
    # A title cut short keeps its whole text in the tooltip.
    choose_language(page, "en")
    title = page.locator("table.commitments td.col-title .clamp").first
    assert title.get_attribute("title") == "Belt and Road collaboration platforms and joint exploration of markets"
    page.context.close()

