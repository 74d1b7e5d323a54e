"""The sign-in policy (tracker/signin.py): per account and address a short lock, per address a
higher limit, per account across addresses a growing delay, a notice to the owner, and the client's
real address behind a trusted proxy. The audit found: behind the proxy everyone shared one address
(anyone locked anyone out), and 24 guesses spread over 6 addresses were never stopped."""
import datetime
import logging

import pytest
from axes.models import AccessFailureLog, AccessLog
from django.core import mail
from django.db.models import F

from tests.factories import UserFactory
from tracker.models import Profile

pytestmark = pytest.mark.django_db
LOGIN = "/accounts/login/"
RIGHT, WRONG = "pass-word-123", "wrong-password"


def attempt(client, username: str, password: str = WRONG, address: str = "10.0.0.1", forwarded: str | None = None):
    meta = {"REMOTE_ADDR": address}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    client.logout()
    return client.post(LOGIN, {"username": username, "password": password}, **meta)


def signed_in(response) -> bool:
    return response.status_code == 302 and response["Location"] == "/"


def refused(response) -> bool:
    return response.status_code == 429


def time_passes(minutes: float) -> None:
    """Move every recorded failure and sign-in back in time (the policy reads those records)."""
    delta = datetime.timedelta(minutes=minutes)
    AccessFailureLog.objects.update(attempt_time=F("attempt_time") - delta)
    AccessLog.objects.update(attempt_time=F("attempt_time") - delta)


@pytest.fixture
def owner():
    return UserFactory(username="official-mtr", email="olivia@example.org")


def test_five_failures_lock_the_account_from_that_address_for_a_short_while(client, owner):
    answers = [attempt(client, "official-mtr") for _ in range(5)]
    assert [refused(answer) for answer in answers] == [False] * 4 + [True]
    assert "15 minutes" in answers[-1].content.decode()
    # Locked: even the right password is refused, and the refusal is not counted as a failure.
    assert refused(attempt(client, "official-mtr", RIGHT))
    assert AccessFailureLog.objects.count() == 5
    # From another address the owner signs in.
    assert signed_in(attempt(client, "official-mtr", RIGHT, address="10.0.0.2"))


def test_the_lock_lifts_by_itself(client, owner):
    for _ in range(5):
        attempt(client, "official-mtr")
    time_passes(14)
    assert refused(attempt(client, "official-mtr", RIGHT))
    time_passes(2)
    assert signed_in(attempt(client, "official-mtr", RIGHT))


def test_a_successful_sign_in_starts_the_count_again(client, owner):
    for _ in range(4):
        attempt(client, "official-mtr")
    time_passes(1)
    assert signed_in(attempt(client, "official-mtr", RIGHT))
    for _ in range(4):
        assert not refused(attempt(client, "official-mtr"))


def test_behind_the_proxy_two_clients_do_not_lock_each_other(client, owner, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = "192.0.2.10"
    for _ in range(5):
        attempt(client, "official-mtr", address=proxy, forwarded="203.0.113.7")
    assert refused(attempt(client, "official-mtr", RIGHT, address=proxy, forwarded="203.0.113.7"))
    # The owner, behind the same proxy, is not locked out by someone else's guessing.
    assert signed_in(attempt(client, "official-mtr", RIGHT, address=proxy, forwarded="203.0.113.8"))
    assert set(AccessFailureLog.objects.values_list("ip_address", flat=True)) == {"203.0.113.7"}


def test_an_address_written_by_the_client_itself_is_not_believed(client, owner, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for number in range(5):
        # The client prepends a different address each time; the proxy appends the real one.
        attempt(client, "official-mtr", address="192.0.2.10", forwarded=f"198.51.100.{number}, 203.0.113.7")
    assert refused(attempt(client, "official-mtr", RIGHT, address="192.0.2.10", forwarded="198.51.100.99, 203.0.113.7"))
    # Garbage where the address should be: the proxy's own address is counted, nothing breaks.
    assert attempt(client, "someone", address="192.0.2.10", forwarded="not-an-address").status_code == 200
    assert AccessFailureLog.objects.filter(username="someone").get().ip_address == "192.0.2.10"


def test_without_a_trusted_proxy_count_the_header_is_ignored(client, owner):
    for number in range(5):
        attempt(client, "official-mtr", address="192.0.2.10", forwarded=f"203.0.113.{number}")
    assert set(AccessFailureLog.objects.values_list("ip_address", flat=True)) == {"192.0.2.10"}
    assert refused(attempt(client, "official-mtr", RIGHT, address="192.0.2.10", forwarded="203.0.113.50"))


def test_one_address_guessing_many_accounts_is_locked(client, owner):
    answers = [attempt(client, f"guess-{number}", address="10.9.9.9") for number in range(30)]
    assert not any(refused(answer) for answer in answers[:29]) and refused(answers[29])
    assert "network address" in answers[29].content.decode()
    # Every account from that address, even with the right password; other addresses go on.
    assert refused(attempt(client, "official-mtr", RIGHT, address="10.9.9.9"))
    assert signed_in(attempt(client, "official-mtr", RIGHT, address="10.9.9.10"))
    time_passes(16)
    assert signed_in(attempt(client, "official-mtr", RIGHT, address="10.9.9.9"))


def test_guesses_spread_over_addresses_are_slowed(client, owner):
    """The audit's case: 24 guesses from 6 addresses (4 each, under the per-address lock)."""
    answers = [attempt(client, "official-mtr", address=f"10.1.0.{number % 6}") for number in range(24)]
    assert AccessFailureLog.objects.count() == 10  # ten read, fourteen refused unread
    assert [refused(answer) for answer in answers] == [False] * 9 + [True] * 15
    assert "Try again in 1 minute." in answers[9].content.decode()
    # The owner is delayed, not locked out: after the wait, the right password works from anywhere.
    time_passes(1.1)
    assert signed_in(attempt(client, "official-mtr", RIGHT, address="10.2.0.1"))


def test_each_further_failure_doubles_the_wait(client, owner, settings):
    for number in range(10):
        attempt(client, "official-mtr", address=f"10.1.0.{number}")
    time_passes(1.1)
    answer = attempt(client, "official-mtr", address="10.1.1.1")  # read: the 11th failure
    assert refused(answer) and "2 minutes" in answer.content.decode()
    time_passes(1.1)
    assert refused(attempt(client, "official-mtr", RIGHT, address="10.1.1.2"))
    time_passes(1)
    answer = attempt(client, "official-mtr", address="10.1.1.3")  # the 12th
    assert refused(answer) and "4 minutes" in answer.content.decode()
    # The wait never grows past the maximum.
    for _ in range(6):
        time_passes(settings.SIGNIN_DELAY_MAX_MINUTES + 0.1)
        attempt(client, "official-mtr", address="10.1.1.4")
    time_passes(settings.SIGNIN_DELAY_MAX_MINUTES - 1)
    assert refused(attempt(client, "official-mtr", RIGHT, address="10.1.1.5"))
    time_passes(1.1)
    assert signed_in(attempt(client, "official-mtr", RIGHT, address="10.1.1.5"))


def test_limits_come_from_settings(client, owner, settings):
    settings.SIGNIN_PAIR_LIMIT = 2
    settings.SIGNIN_LOCK_MINUTES = 3
    attempt(client, "official-mtr")
    answer = attempt(client, "official-mtr")
    assert refused(answer) and "3 minutes" in answer.content.decode()
    # A limit of 0 turns its rule off.
    settings.SIGNIN_PAIR_LIMIT = settings.SIGNIN_ADDRESS_LIMIT = settings.SIGNIN_ACCOUNT_LIMIT = 0
    assert signed_in(attempt(client, "official-mtr", RIGHT))


def test_the_owner_is_told_once_in_their_language(client, owner, django_capture_on_commit_callbacks):
    Profile.objects.create(user=owner, language="zh-hant")
    # Mail goes out when the transaction commits (the test's own never does: run what is waiting).
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(5):
            attempt(client, "official-mtr")
    assert len(mail.outbox) == 1
    notice = mail.outbox[0]
    assert notice.to == ["olivia@example.org"]
    assert "official-mtr" in notice.body and "10.0.0.1" in notice.body
    assert notice.body.splitlines()[0] == "official-mtr："  # "Dear …," in Chinese
    assert "/accounts/password/" in notice.body
    # Locked again from another address, and then slowed: no second notice within the window.
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(5):
            attempt(client, "official-mtr", address="10.0.0.2")
        time_passes(16)
        for _ in range(3):
            attempt(client, "official-mtr", address="10.0.0.3")
    assert len(mail.outbox) == 1
    # After the owner has signed in, a new attack is news again.
    time_passes(61)
    assert signed_in(attempt(client, "official-mtr", RIGHT, address="10.0.0.4"))
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(5):
            attempt(client, "official-mtr", address="10.0.0.5")
    assert len(mail.outbox) == 2


def test_a_slowed_account_is_notified_too(client, owner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for number in range(10):
            attempt(client, "official-mtr", address=f"10.1.0.{number}")
    assert len(mail.outbox) == 1
    assert "each further attempt must wait" in mail.outbox[0].body


def test_no_notice_for_an_account_that_does_not_exist_or_an_address_lock(client, owner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as waiting:
        for _ in range(5):
            attempt(client, "no-such-person")
        for number in range(30):
            attempt(client, f"guess-{number}", address="10.9.9.9")
    assert waiting == [] and mail.outbox == []


def test_every_step_is_one_line_in_the_sign_in_log(client, owner, caplog):
    caplog.set_level(logging.INFO, logger="tracker.signin")
    assert signed_in(attempt(client, "official-mtr", RIGHT))
    client.post("/accounts/logout/")
    for _ in range(6):
        attempt(client, "official-mtr\nforged line")
    lines = [record.getMessage() for record in caplog.records if record.name == "tracker.signin"]
    assert lines[0] == "sign-in succeeded user='official-mtr' address=10.0.0.1"
    assert lines[1] == "signed out user='official-mtr' address=127.0.0.1"
    assert lines[2] == "sign-in failed user='official-mtr\\nforged line' address=10.0.0.1"
    assert [line.split(" user=")[0] for line in lines[2:]] == ["sign-in failed"] * 5 + ["sign-in locked", "sign-in refused"]
    assert all("\n" not in line for line in lines)
    assert AccessLog.objects.get().logout_time is not None


def test_a_username_longer_than_any_account_is_recorded_cut_and_locked_like_any_other(client):
    """PostgreSQL refused to record a 300-character username (the sign-in page answered 500)."""
    long_name = "x" * 300
    answers = [attempt(client, long_name) for _ in range(6)]
    assert all(answer.status_code in (200, 429) for answer in answers)
    assert refused(answers[-1])
    assert set(AccessFailureLog.objects.values_list("username", flat=True)) == {"x" * 150}
