"""A coordinator on a phone, in Simplified Chinese, follows up a reporting cycle: drills from its
completeness into one organisation's outstanding commitments, checks them in the list, reminds
only that organisation's officials, then closes the cycle (after confirming) and reopens it.

Elements are found by their addresses and form actions rather than their words, so the journey
holds whatever the translation of each label turns out to be."""
import re

from django.core import mail
from playwright.sync_api import expect

from memoranda.models import Organisation
from tests.e2e.conftest import screenshot, sign_in
from tests.e2e.test_accessibility import serious_violations
from tests.factories import member_of
from tracker import selectors
from tracker.models import ReportingCycle, Role

PHONE = {"width": 390, "height": 844}
REF = re.compile(r"HKBJ-4-\d+\.\d+")


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_coordinator_drills_into_a_cycle_reminds_one_organisation_then_closes_and_reopens(page, demo):
    cycle = ReportingCycle.objects.get(reports_to_session_number=5)
    cmab = Organisation.objects.get(abbreviation="CMAB")
    # An official of another organisation that owes an update: the reminder must pass them by.
    member_of(Organisation.objects.get(abbreviation="HKTDC"), Role.OFFICIAL, user__email="hktdc-official@example.org")
    expected = set(selectors.cycle_outstanding(cycle).filter(lead_organisation=cmab).values_list("ref", flat=True))
    assert expected

    page.set_viewport_size(PHONE)
    sign_in(page, demo, "coordinator")
    page.get_by_role("button", name="简体中文").click()
    page.goto(f"{demo}/cycles/{cycle.pk}/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    assert fits(page)
    screenshot(page, "cycle-page-390-zh-hans")

    # Drill into CMAB's outstanding commitments.
    page.locator(f'a[href="?organisation={cmab.pk}#outstanding"]').click()
    outstanding = page.locator("#outstanding")
    expect(outstanding).to_be_visible()
    assert set(REF.findall(outstanding.locator("tbody").inner_text())) == expected
    assert fits(page)
    assert serious_violations(page) == []
    screenshot(page, "cycle-drill-down-390-zh-hans")

    # The same rows in the commitment list, then back.
    outstanding.locator('a[href^="/commitments/?outstanding_in_cycle="]').click()
    page.wait_for_url(re.compile(rf"/commitments/\?outstanding_in_cycle={cycle.pk}&lead_organisation={cmab.pk}"))
    assert set(REF.findall(page.locator("main").inner_text())) == expected
    page.go_back()
    expect(page.locator("#outstanding")).to_be_visible()

    # Remind only CMAB, about only its outstanding commitments.
    mail.outbox.clear()
    page.locator("#outstanding form button[type=submit]").click()
    expect(page.locator(".messages .success")).to_be_visible()
    assert [message.to for message in mail.outbox] == [["official-cmab@example.org"]]
    assert set(REF.findall(mail.outbox[0].body)) == expected
    expect(page.locator(".history-list").first).to_contain_text("Oscar Lee")

    # Closing asks first.
    page.locator(f'a[href="/cycles/{cycle.pk}/close/"]').click()
    page.wait_for_url(f"{demo}/cycles/{cycle.pk}/close/")
    confirmation = page.locator(f'form[action="/cycles/{cycle.pk}/close/"]')
    expect(confirmation).to_be_visible()
    expect(confirmation.locator(".notice").first).to_contain_text(str(len(selectors.cycle_outstanding(cycle))))
    assert fits(page)
    assert serious_violations(page) == []
    screenshot(page, "cycle-close-confirmation-390-zh-hans")
    assert ReportingCycle.objects.get(pk=cycle.pk).closed_on is None

    confirmation.locator("button[type=submit]").click()
    page.wait_for_url(f"{demo}/cycles/{cycle.pk}/")
    assert ReportingCycle.objects.get(pk=cycle.pk).closed_on is not None
    screenshot(page, "cycle-closed-390-zh-hans")

    # And a coordinator can reopen it.
    page.locator(f'form[action="/cycles/{cycle.pk}/reopen/"] button[type=submit]').click()
    page.wait_for_url(f"{demo}/cycles/{cycle.pk}/")
    assert ReportingCycle.objects.get(pk=cycle.pk).closed_on is None
    expect(page.locator(f'a[href="/cycles/{cycle.pk}/close/"]')).to_be_visible()

    # The same page on a laptop.
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{demo}/cycles/{cycle.pk}/?organisation={cmab.pk}#outstanding")
    expect(page.locator("#outstanding")).to_be_visible()
    screenshot(page, "cycle-drill-down-1366-zh-hans")
