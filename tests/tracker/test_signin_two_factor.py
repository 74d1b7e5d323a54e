"""Two-factor sign-in (tracker/two_factor.py) for administrators, coordinators and staff, the admin
site behind it, the administrators' reset, and the sign-in records in the admin (administrators
only, read-only)."""
import base64
import re
import time

import pytest
from axes.models import AccessFailureLog, AccessLog
from django.contrib.auth.models import Group
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import OrganisationFactory, UserFactory, member_of
from tracker.models import Role
from tracker.roles import ADMINISTRATOR_GROUP, ensure_role_groups

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def two_factor_required(settings):
    settings.TWO_FACTOR_REQUIRED = True


def code_for(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """The code the person's app shows (`steps_ahead` time steps later: a code is accepted once)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def sign_in(client, user, password: str = "pass-word-123"):
    return client.post("/accounts/login/", {"username": user.username, "password": password, "next": "/cycles/"})


@pytest.fixture
def coordinator():
    return member_of(OrganisationFactory(), Role.COORDINATOR, user=UserFactory(username="connie"))


@pytest.fixture
def enrolled(coordinator):
    device = TOTPDevice.objects.create(user=coordinator, name="authenticator", confirmed=True)
    return device


def test_a_coordinator_without_an_authenticator_sets_one_up_before_anything_else(client, coordinator):
    response = sign_in(client, coordinator)
    assert response["Location"] == "/accounts/two-factor/setup/?next=%2Fcycles%2F"
    for path in ["/", "/cycles/", "/accounts/", "/admin/"]:
        assert client.get(path)["Location"].startswith("/accounts/two-factor/setup/?next="), path
    page = client.get("/accounts/two-factor/setup/?next=/cycles/").content.decode()
    assert re.search(r'<img class="qr-code" src="data:image/svg\+xml', page)
    device = TOTPDevice.objects.get(user=coordinator, confirmed=False)
    secret = re.search(r'<code class="secret-key" id="secret-key">([A-Z2-7 ]+)</code>', page).group(1)
    assert secret.replace(" ", "") == base64.b32encode(device.bin_key).decode().rstrip("=")
    # The same key on a second visit: a reload does not invalidate what was scanned.
    assert secret in client.get("/accounts/two-factor/setup/").content.decode()

    wrong = client.post("/accounts/two-factor/setup/", {"code": "000000", "next": "/cycles/"})
    assert wrong.status_code == 200 and "That code is not right" in wrong.content.decode()
    too_soon = client.post("/accounts/two-factor/setup/", {"code": code_for(device), "next": "/cycles/"})
    assert "Too many wrong codes. Wait 1 second" in too_soon.content.decode()
    time.sleep(1.1)
    done = client.post("/accounts/two-factor/setup/", {"code": code_for(device), "next": "/cycles/"})
    assert done["Location"] == "/accounts/two-factor/backup-codes/?next=%2Fcycles%2F"
    codes_page = client.get(done["Location"]).content.decode()
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", codes_page)
    assert len(codes) == 10 and set(codes) == set(StaticToken.objects.values_list("token", flat=True))
    assert 'href="/cycles/"' in codes_page
    assert "<code>" not in client.get(done["Location"]).content.decode()  # shown once
    assert client.get("/cycles/").status_code == 200


def test_a_coordinator_with_an_authenticator_gives_a_code(client, enrolled, coordinator):
    response = sign_in(client, coordinator)
    assert response["Location"] == "/accounts/two-factor/?next=%2Fcycles%2F"
    assert client.get("/cycles/")["Location"] == "/accounts/two-factor/?next=%2Fcycles%2F"
    wrong = client.post("/accounts/two-factor/", {"code": "123456", "next": "/cycles/"})
    assert "That code is not right" in wrong.content.decode()
    time.sleep(1.1)  # a wrong code makes the next try wait a second
    right = client.post("/accounts/two-factor/", {"code": code_for(enrolled), "next": "/cycles/"})
    assert right["Location"] == "/cycles/"
    assert client.get("/cycles/").status_code == 200


@pytest.mark.parametrize("next_to", ["\xff", "home", "https://elsewhere.example/", "//elsewhere.example/"])
def test_where_to_go_next_is_a_path_of_this_site(client, coordinator, next_to):
    sign_in(client, coordinator)
    for path in ["/accounts/two-factor/", "/accounts/two-factor/setup/", "/accounts/two-factor/backup-codes/"]:
        response = client.post(path, {"code": "", "next": next_to})
        assert response.status_code in {200, 302}, path
        assert response.status_code == 200 or response["Location"].startswith("/accounts/two-factor/setup/"), path
    assert f'value="{next_to}"' not in client.get("/accounts/two-factor/setup/", {"next": next_to}).content.decode()
    # Someone with nothing to do there is sent on: to the dashboard, whatever `next` says.
    client.post("/accounts/logout/")
    sign_in(client, member_of(OrganisationFactory(), Role.OFFICIAL))
    assert client.post("/accounts/two-factor/", {"next": next_to})["Location"] == "/"


def test_wrong_codes_in_a_row_are_throttled(client, enrolled, coordinator):
    sign_in(client, coordinator)
    client.post("/accounts/two-factor/", {"code": "123456"})
    answer = client.post("/accounts/two-factor/", {"code": code_for(enrolled)})
    assert "Too many wrong codes" in answer.content.decode()
    assert client.get("/cycles/").status_code == 302


def test_a_backup_code_works_once(client, enrolled, coordinator):
    StaticToken.objects.create(device=StaticDevice.objects.create(user=coordinator, name="backup codes"), token="abcdefgh")
    sign_in(client, coordinator)
    assert client.post("/accounts/two-factor/", {"code": "ABCD EFGH", "next": "/cycles/"})["Location"] == "/cycles/"
    client.post("/accounts/logout/")
    sign_in(client, coordinator)
    assert "That code is not right" in client.post("/accounts/two-factor/", {"code": "abcdefgh"}).content.decode()


def test_a_password_alone_cannot_replace_the_authenticator(client, enrolled, coordinator):
    sign_in(client, coordinator)
    assert client.get("/accounts/two-factor/setup/")["Location"].startswith("/accounts/two-factor/?next=")
    client.post("/accounts/two-factor/setup/", {"code": "000000"})
    assert TOTPDevice.objects.filter(user=coordinator).count() == 1


def test_an_official_signs_in_with_a_password(client):
    official = member_of(OrganisationFactory(), Role.OFFICIAL)
    assert sign_in(client, official)["Location"] == "/cycles/"


def test_whoever_set_up_an_authenticator_is_asked_for_it(client):
    official = member_of(OrganisationFactory(), Role.OFFICIAL)
    TOTPDevice.objects.create(user=official, confirmed=True)
    assert sign_in(client, official)["Location"].startswith("/accounts/two-factor/")


def test_when_not_required_a_coordinator_signs_in_with_a_password(client, coordinator, settings):
    settings.TWO_FACTOR_REQUIRED = False
    assert sign_in(client, coordinator)["Location"] == "/cycles/"


@pytest.fixture
def administrator():
    return UserFactory(username="ada", is_staff=True, is_superuser=True)


def verified_client(client, user):
    device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    sign_in(client, user)
    assert client.post("/accounts/two-factor/", {"code": code_for(device)}).status_code == 302
    return client


def test_the_admin_site_needs_a_verified_session_by_itself(client, administrator, settings):
    TOTPDevice.objects.create(user=administrator, confirmed=True)
    settings.MIDDLEWARE = [name for name in settings.MIDDLEWARE if name != "tracker.middleware.TwoFactorRequired"]
    sign_in(client, administrator)
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_the_admin_opens_after_the_code(client, administrator):
    verified_client(client, administrator)
    assert client.get("/admin/").status_code == 200


def test_the_admin_sign_in_page_sends_to_the_product_s_sign_in(client, db):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/?next=/admin/"


def test_an_administrator_resets_someone_s_two_factor_sign_in(client, administrator, enrolled, coordinator):
    StaticToken.objects.create(device=StaticDevice.objects.create(user=coordinator), token="abcdefgh")
    verified_client(client, administrator)
    response = client.post("/admin/otp_totp/totpdevice/", {"action": "reset_two_factor", "_selected_action": [enrolled.pk]}, follow=True)
    assert response.status_code == 200 and "Two-factor sign-in was reset for 1 person." in response.content.decode()
    assert not TOTPDevice.objects.filter(user=coordinator).exists() and not StaticToken.objects.exists()
    client.post("/accounts/logout/")
    assert sign_in(client, coordinator)["Location"].startswith("/accounts/two-factor/setup/")


def test_no_one_reads_an_authenticator_s_secret_in_the_admin(client, administrator, enrolled):
    verified_client(client, administrator)
    page = client.get(f"/admin/otp_totp/totpdevice/{enrolled.pk}/change/").content.decode()
    assert enrolled.key not in page
    assert client.get(f"/admin/otp_totp/totpdevice/{enrolled.pk}/qrcode/").status_code == 403


SIGN_IN_RECORDS = ["/admin/axes/accesslog/", "/admin/axes/accessfailurelog/", "/admin/axes/accessattempt/"]


def records(client) -> None:
    """A failure, a lock and a sign-in to look at."""
    for _ in range(5):
        client.post("/accounts/login/", {"username": "someone", "password": "wrong"})


def test_administrators_see_the_sign_in_records_read_only(client, administrator):
    records(client)
    verified_client(client, administrator)
    for path in SIGN_IN_RECORDS:
        assert client.get(path).status_code == 200, path
    failures = client.get("/admin/axes/accessfailurelog/?locked_out__exact=1").content.decode()
    assert "someone" in failures
    assert client.get("/admin/axes/accesslog/?logout_time__isempty=1").status_code == 200
    failure = AccessFailureLog.objects.first()
    assert client.post(f"/admin/axes/accessfailurelog/{failure.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.get("/admin/axes/accesslog/add/").status_code == 403
    assert AccessFailureLog.objects.count() == 5 and AccessLog.objects.filter(username="ada").exists()


def test_members_of_the_administrator_group_see_them_too(client):
    ensure_role_groups()
    member = UserFactory(username="second-admin", is_staff=True)
    member.groups.add(Group.objects.get(name=ADMINISTRATOR_GROUP))
    verified_client(client, member)
    assert client.get("/admin/axes/accesslog/").status_code == 200
    assert "/admin/axes/" in client.get("/admin/").content.decode()


def test_a_staff_coordinator_sees_no_sign_in_records(client, coordinator):
    coordinator.is_staff = True
    coordinator.save()
    verified_client(client, coordinator)
    assert client.get("/admin/").status_code == 200
    assert "/admin/axes/" not in client.get("/admin/").content.decode()
    for path in [*SIGN_IN_RECORDS, "/admin/otp_totp/totpdevice/"]:
        assert client.get(path).status_code == 403, path


def test_the_admin_shows_the_records_in_the_reader_s_language(client, administrator):
    verified_client(client, administrator)
    client.cookies["django_language"] = "zh-hant"
    page = client.get("/admin/axes/accesslog/").content.decode()
    assert 'lang="zh-hant"' in page and "搜尋" in page and "過濾器" in page
