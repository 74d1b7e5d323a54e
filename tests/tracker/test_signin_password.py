"""Everyone can change their own password, and reset a forgotten one by e-mail; the reset never
tells whether an address belongs to an account. (The audit: people could do neither.)"""
import re

import pytest
from django.core import mail

from tests.factories import UserFactory
from tracker.models import Profile

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "a-new-and-longer-passphrase-42"


@pytest.fixture
def person():
    return UserFactory(username="olivia", email="olivia@example.org", first_name="Olivia", last_name="Chan")


def test_the_account_menu_leads_to_changing_the_password(client, person):
    client.force_login(person)
    page = client.get("/").content.decode()
    assert 'href="/accounts/"' in page
    assert 'href="/accounts/password/"' in client.get("/accounts/").content.decode()


def test_a_person_changes_their_password_and_stays_signed_in(client, person):
    client.force_login(person)
    wrong = client.post("/accounts/password/", {"old_password": "not-it", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert wrong.status_code == 200 and "has-error" in wrong.content.decode()
    response = client.post("/accounts/password/", {"old_password": "pass-word-123", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == "/accounts/"
    assert "Your password was changed." in response.content.decode()
    assert client.get("/").status_code == 200  # this session goes on
    person.refresh_from_db()
    assert person.check_password(NEW_PASSWORD)


def test_a_weak_new_password_is_refused(client, person):
    client.force_login(person)
    response = client.post("/accounts/password/", {"old_password": "pass-word-123", "new_password1": "12345678", "new_password2": "12345678"})
    assert response.status_code == 200
    person.refresh_from_db()
    assert person.check_password("pass-word-123")


def test_the_login_page_offers_a_reset(client, db):
    assert 'href="/accounts/password/reset/"' in client.get("/accounts/login/").content.decode()


def reset_link(message) -> str:
    return re.search(r"https?://[^/\s]+(/accounts/password/reset/[^\s]+/)", message.body).group(1)


def test_a_forgotten_password_is_reset_by_e_mail(client, person):
    response = client.post("/accounts/password/reset/", {"email": "Olivia@Example.org"})
    assert response.status_code == 302 and response["Location"] == "/accounts/password/reset/sent/"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["olivia@example.org"] and "olivia" in message.body
    form = client.get(reset_link(message), follow=True)
    assert form.status_code == 200 and "new_password1" in form.content.decode()
    done = client.post(form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302 and done["Location"] == "/accounts/password/reset/done/"
    assert client.get(done["Location"]).status_code == 200
    assert client.post("/accounts/login/", {"username": "olivia", "password": NEW_PASSWORD}).status_code == 302
    # The link works once.
    client.logout()
    again = client.get(reset_link(message), follow=True)
    assert "This link no longer works" in again.content.decode()


def test_an_unknown_address_gets_the_same_answer_and_no_mail(client, person):
    known = client.post("/accounts/password/reset/", {"email": "olivia@example.org"}, follow=True)
    mail.outbox.clear()
    unknown = client.post("/accounts/password/reset/", {"email": "nobody@example.org"}, follow=True)
    assert mail.outbox == []
    assert unknown.redirect_chain == known.redirect_chain
    assert main_of(unknown) == main_of(known)


def main_of(response) -> str:
    return re.search(r"<main.*</main>", response.content.decode(), re.S).group(0)


def test_the_reset_e_mail_is_in_the_owner_s_language(client, person):
    Profile.objects.create(user=person, language="zh-hant")
    client.post("/accounts/password/reset/", {"email": "olivia@example.org"}, headers={"accept-language": "en"})
    assert mail.outbox[0].body.splitlines()[0] == "Olivia Chan："


def test_reset_pages_open_without_signing_in(client, db):
    for path in ["/accounts/password/reset/", "/accounts/password/reset/sent/", "/accounts/password/reset/done/"]:
        assert client.get(path).status_code == 200, path
    assert client.get("/accounts/password/").status_code == 302  # changing needs signing in
