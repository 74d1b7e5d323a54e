"""Pictures of the main pages, for the README (`make screenshots` writes them to docs/screenshots/)."""
from tests.e2e.conftest import screenshot, sign_in


def test_screenshots_of_the_main_pages(page, browser, demo):
    sign_in(page, demo, "coordinator")
    shots = {
        "dashboard": "/",
        "commitments": "/commitments/",
        "commitment": "/commitments/HKBJ-4-2.1/",
        "session": "/sessions/HKBJ/4/",
        "report": "/reports/sessions/HKBJ/4/",
        "review": "/reviews/",
        "cycle": "/cycles/",
    }
    for name, path in shots.items():
        page.goto(demo + path)
        assert screenshot(page, name).stat().st_size > 10_000
    official = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(official, demo, "official-cmab")
    official.goto(f"{demo}/commitments/HKBJ-4-3.2/update/")
    assert screenshot(official, "update-form").stat().st_size > 10_000
    official.goto(f"{demo}/my/")
    assert screenshot(official, "my-commitments").stat().st_size > 10_000
    official.context.close()
