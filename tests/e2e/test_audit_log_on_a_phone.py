"""The audit log on a phone: at 390 px the page does not scroll sideways; each entry reads as a
block of labelled lines."""
from django.conf import settings as django_settings
from django.contrib.auth.models import Group
from django.test import Client

from memoranda.models import Status
from tests.e2e.test_narrow_screens import PHONE, sideways_scroll
from tests.factories import CommitmentFactory, UserFactory
from tracker import services
from tracker.roles import ADMINISTRATOR_GROUP


def test_the_audit_log_fits_a_phone(browser, live_server, settings):
    settings.TWO_FACTOR_REQUIRED = False  # signing in is not what this test is about
    administrator = UserFactory(username="amy", first_name="美玲", last_name="陳")
    administrator.groups.add(Group.objects.get_or_create(name=ADMINISTRATOR_GROUP)[0])
    commitment = CommitmentFactory(title="A rather long title of a commitment about cross-boundary railway co-operation")
    update = services.progress_update_create(
        commitment=commitment, author=UserFactory(username="olivia"), proposed_status=Status.ON_TRACK, proposed_progress=40,
        narrative="Two exchange visits were held.", narrative_zh="兩次交流團已舉行，雙方同意深化合作。", submit=True, notify=False,
    )
    services.progress_update_accept(update=update, reviewer=administrator, notify=False)
    client = Client()
    client.force_login(administrator)

    context = browser.new_context(viewport=PHONE, locale="en-GB")
    context.add_cookies([{"name": django_settings.SESSION_COOKIE_NAME, "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value, "url": live_server.url}])
    page = context.new_page()
    assert sideways_scroll(page, f"{live_server.url}/audit/") is None
    assert page.get_by_role("heading", name="Audit log").is_visible()
    assert page.get_by_text("Progress (%): 0 → 40").is_visible()
    context.close()
