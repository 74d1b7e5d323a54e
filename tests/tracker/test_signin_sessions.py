"""A session ends after SESSION_IDLE_MINUTES without a request, and SESSION_MAX_HOURS after signing
in; the person lands on the sign-in page told why. (The audit: sessions lasted 14 days, idle or not.)"""
import logging
import time

import pytest
from django.conf import settings as django_settings

from tests.factories import UserFactory
from tracker.middleware import LAST_SEEN, SIGNED_IN_AT

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in_client(client):
    client.post("/accounts/login/", {"username": UserFactory(username="olivia").username, "password": "pass-word-123"})
    return client


def age_session(client, **seconds_ago) -> None:
    session = client.session
    for key, ago in seconds_ago.items():
        session[key] = int(time.time()) - ago
    session.save()


def test_sessions_no_longer_last_two_weeks():
    assert django_settings.SESSION_COOKIE_AGE <= 24 * 60 * 60
    assert django_settings.SESSION_IDLE_MINUTES <= 60


def test_a_session_in_use_goes_on(signed_in_client):
    age_session(signed_in_client, last_seen=59 * 60)
    assert signed_in_client.get("/accounts/").status_code == 200
    assert time.time() - signed_in_client.session[LAST_SEEN] < 5  # the visit counts as activity


def test_an_idle_session_ends_with_a_notice(signed_in_client, caplog):
    caplog.set_level(logging.INFO, logger="tracker.signin")
    age_session(signed_in_client, last_seen=61 * 60)
    response = signed_in_client.get("/accounts/")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/?next=/accounts/"
    page = signed_in_client.get(response["Location"]).content.decode()
    assert "You were signed out after 60 minutes without activity." in page
    assert signed_in_client.get("/accounts/").status_code == 302  # signed out for good
    assert "session ended user='olivia' reason=idle" in caplog.messages


def test_the_idle_time_comes_from_settings(signed_in_client, settings):
    settings.SESSION_IDLE_MINUTES = 30
    age_session(signed_in_client, last_seen=31 * 60)
    response = signed_in_client.get("/", follow=True)
    assert "after 30 minutes without activity" in response.content.decode()


def test_a_session_ends_after_the_maximum_age_however_busy(signed_in_client):
    age_session(signed_in_client, signed_in_at=12 * 60 * 60 + 60, last_seen=10)
    response = signed_in_client.get("/accounts/", follow=True)
    assert response.redirect_chain[-1][0] == "/accounts/login/?next=/accounts/"
    assert "a session lasts at most 12 hours" in response.content.decode()
