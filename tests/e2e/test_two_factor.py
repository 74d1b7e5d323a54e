"""Two-factor sign-in and the other sign-in pages in a real browser: a coordinator sets up an
authenticator (QR code, key as text, a code computed from the device's key), signs out, and signs in
again with a code; every new page fits a phone (390 px) and a laptop (1366 px) in English and
Chinese, without serious accessibility problems. Screenshots land in test-results/screenshots/."""
import base64
import re
import time

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot
from tests.e2e.test_accessibility import serious_violations
from tests.e2e.test_narrow_screens import LANGUAGE_BUTTONS, LAPTOP, PHONE, sideways_scroll


@pytest.fixture
def two_factor_required(settings):
    settings.TWO_FACTOR_REQUIRED = True


def code_for(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """What the person's app shows (a code is accepted once: the next sign-in uses a later one)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def password_step(page, base_url: str, username: str, password: str = "demo") -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.locator("form button.primary").click()


def test_a_coordinator_sets_up_two_factor_sign_in_and_signs_in_with_a_code(page, demo, two_factor_required):
    password_step(page, demo, "coordinator")
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/setup/\?next=%2F$"))
    qr_code = page.get_by_role("img", name="QR code to scan with the authenticator app")
    expect(qr_code).to_be_visible()
    assert qr_code.evaluate("image => image.complete && image.naturalWidth > 100")  # the data: image loads under the CSP
    device = TOTPDevice.objects.get(user__username="coordinator", confirmed=False)
    shown_key = page.locator("#secret-key").inner_text().replace(" ", "")
    assert TOTP(base64.b32decode(shown_key + "=" * (-len(shown_key) % 8)), 30).token() == TOTP(device.bin_key, 30).token()
    assert serious_violations(page) == []

    page.get_by_label("Code").fill(code_for(device))
    page.get_by_role("button", name="Confirm").click()
    expect(page.locator(".backup-codes li")).to_have_count(10)
    page.get_by_role("link", name="Go on").click()
    expect(page).to_have_url(f"{demo}/")
    expect(page.locator("h1")).to_be_visible()

    page.get_by_role("button", name="Sign out").click()
    password_step(page, demo, "coordinator")
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/\?next=%2F$"))
    assert serious_violations(page) == []
    page.get_by_label("Code").fill("000000")
    page.get_by_role("button", name="Go on").click()
    expect(page.locator(".errorlist")).to_contain_text("That code is not right")
    page.wait_for_timeout(1100)  # a wrong code makes the next one wait a second
    device.refresh_from_db()
    page.get_by_label("Code").fill(code_for(device, steps_ahead=1))
    page.get_by_role("button", name="Go on").click()
    expect(page).to_have_url(f"{demo}/")
    page.goto(f"{demo}/admin/")
    # Not an administrator: the admin says so (no redirect loop between the two sign-in pages).
    expect(page).to_have_url(f"{demo}/admin/login/?next=/admin/")
    expect(page.locator("main")).to_contain_text("not authorized")


def test_sign_in_pages_fit_phones_and_laptops_in_english_and_chinese(browser, demo, two_factor_required):
    problems = []
    for viewport in [PHONE, LAPTOP]:
        for language in ["en", "zh-hant"]:
            TOTPDevice.objects.filter(user__username="coordinator").delete()
            page = browser.new_context(viewport=viewport, locale="en-GB").new_page()
            name = f"{viewport['width']}-{language}"

            def look(path: str | None, label: str) -> None:
                if path is not None:
                    problem = sideways_scroll(page, demo + path)
                else:
                    report = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
                    problem = None if report[0] <= report[1] else f"{report[0]} > {report[1]} px"
                if problem:
                    problems.append(f"{name} {label}: {problem}")
                screenshot(page, f"signin-{label}-{name}")

            page.goto(f"{demo}/accounts/login/")
            page.get_by_role("button", name=LANGUAGE_BUTTONS[language], exact=True).click()
            look("/accounts/login/", "login")
            look("/accounts/password/reset/", "reset")
            page.locator("#id_email").fill("nobody@example.org")
            page.locator("form button.primary").click()
            look(None, "reset-sent")
            for _ in range(5):
                password_step(page, demo, "viewer", "not-the-password")
            look(None, "locked")
            assert page.locator("h1").count() == 1

            password_step(page, demo, "coordinator")
            look(None, "enrol")
            device = TOTPDevice.objects.get(user__username="coordinator", confirmed=False)
            page.locator("#id_code").fill(code_for(device))
            page.locator("form button.primary").click()
            look(None, "backup-codes")
            look("/accounts/", "account")
            assert serious_violations(page) == []
            look("/accounts/password/", "password-change")
            page.locator("header form[action='/accounts/logout/'] button").click()
            password_step(page, demo, "coordinator")
            look(None, "verify")
            page.context.close()
    assert not problems, "\n".join(problems)
