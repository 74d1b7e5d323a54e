"""Links in e-mail follow the address the site is served on (the request's, else SITE_URL, which
`make run` sets from its HOST and PORT); a refused request (403) is one line in the log, without a
traceback, however the server is run."""
from __future__ import annotations

import logging
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from django.core import mail

from memoranda.models import Organisation
from tests.factories import ReportingCycleFactory, member_of
from tracker import notifications
from tracker.models import ReminderKind, Role

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def cycle_with_an_official(fourth_plenary):
    cmab = Organisation.objects.get(abbreviation="CMAB")
    member_of(cmab, Role.OFFICIAL, user__username="oscar")
    coordinator = member_of(cmab, Role.COORDINATOR, user__username="connie")
    return ReportingCycleFactory(mechanism=fourth_plenary.mechanism, reports_to_session_number=5), coordinator


@pytest.mark.django_db
def test_a_reminder_sent_from_the_page_links_to_the_address_the_page_was_served_on(
    client, settings, cycle_with_an_official, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "http://127.0.0.1:8000"
    cycle, coordinator = cycle_with_an_official
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/cycles/{cycle.pk}/remind/", HTTP_HOST="localhost:8123")
    body = mail.outbox[0].body
    assert "http://localhost:8123/commitments/HKBJ-4-" in body
    assert "http://localhost:8123/my/" in body
    assert ":8000" not in body


@pytest.mark.django_db
def test_mail_sent_without_a_request_links_to_site_url(settings, cycle_with_an_official, django_capture_on_commit_callbacks):
    settings.SITE_URL = "http://127.0.0.1:8123"
    cycle, _coordinator = cycle_with_an_official
    with django_capture_on_commit_callbacks(execute=True):
        notifications.send_cycle_reminders(cycle, kind=ReminderKind.BY_COORDINATOR)
    assert "http://127.0.0.1:8123/my/" in mail.outbox[0].body


def site_url_with(**environment: str) -> str:
    """SITE_URL as the settings module reads it from this environment (and no .env file)."""
    env = {key: value for key, value in os.environ.items() if key not in {"SITE_URL", "DEV_SERVER_URL"}}
    env.update({"DEBUG": "true", "ENV_FILE": "/nonexistent", **environment})
    result = subprocess.run(
        [sys.executable, "-c", "import tracker.settings as s; print(s.SITE_URL)"],
        cwd=ROOT, env=env, capture_output=True, text=True, check=True,
    )
    return result.stdout.strip()


def test_site_url_follows_the_development_server_unless_set():
    assert site_url_with() == "http://127.0.0.1:8000"
    assert site_url_with(DEV_SERVER_URL="http://127.0.0.1:8123") == "http://127.0.0.1:8123"
    assert site_url_with(DEV_SERVER_URL="http://127.0.0.1:8123", SITE_URL="https://tracker.example.gov.hk/") == "https://tracker.example.gov.hk"


def test_make_run_tells_the_server_the_address_it_serves():
    result = subprocess.run(
        ["make", "-n", "run", "HOST=127.0.0.2", "PORT=8123"], cwd=ROOT, capture_output=True, text=True, check=True
    )
    runserver = [line for line in result.stdout.splitlines() if "runserver" in line]
    assert runserver == ["DEV_SERVER_URL=http://127.0.0.2:8123 .venv/bin/python manage.py runserver 127.0.0.2:8123"]


# A refused request in the log --------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_refused_request_is_one_log_record_without_a_traceback(client, caplog, fourth_plenary):
    viewer = member_of(Organisation.objects.get(abbreviation="CMAB"), Role.VIEWER)
    client.force_login(viewer)
    caplog.clear()
    with caplog.at_level(logging.INFO):
        assert client.get("/cycles/new/").status_code == 403
    records = [record for record in caplog.records if record.name.startswith("django")]
    assert len(records) == 1, [record.getMessage() for record in records]
    record = records[0]
    assert record.name == "django.request" and record.levelno == logging.WARNING
    # The reason, when the refusal gives one, follows on the same line.
    assert record.getMessage().startswith("Forbidden (Permission denied): GET /cycles/new/")
    assert "\n" not in record.getMessage()
    assert record.exc_info is None and record.exc_text is None
    assert "Traceback" not in caplog.text


@pytest.mark.django_db
def test_the_reason_for_a_refusal_is_on_its_one_line(client, caplog, fourth_plenary):
    viewer = member_of(Organisation.objects.get(abbreviation="CMAB"), Role.VIEWER)
    cycle = ReportingCycleFactory(mechanism=fourth_plenary.mechanism)
    client.force_login(viewer)
    caplog.clear()
    with caplog.at_level(logging.INFO):
        assert client.post(f"/cycles/{cycle.pk}/close/").status_code == 403
    (record,) = [record for record in caplog.records if record.name.startswith("django")]
    assert record.getMessage().startswith(f"Forbidden (Permission denied): POST /cycles/{cycle.pk}/close/")
    assert "\n" not in record.getMessage()


def test_with_the_real_logging_set_up_a_refusal_prints_one_line_and_the_access_log_does_not_repeat_it():
    """As under runserver with DEBUG on (where Django's own console handler used to print every
    warning a second time): Django's refusal record, then runserver's access line for it."""
    script = textwrap.dedent(
        """
        import logging, django
        django.setup()
        from django.core.exceptions import PermissionDenied
        from django.http import HttpResponseForbidden
        from django.test import RequestFactory
        from django.utils.log import log_response

        request = RequestFactory().post("/cycles/1/close/")
        try:
            raise PermissionDenied("Only a coordinator may close this cycle.")
        except PermissionDenied as error:
            log_response("Forbidden (Permission denied): %s", request.path, response=HttpResponseForbidden(),
                         request=request, exception=error)
        logging.getLogger("django.server").warning('"%s" %s %s', "POST /cycles/1/close/ HTTP/1.1", "403", "2512",
                                                   extra={"status_code": 403, "request": None, "server_time": "now"})
        logging.getLogger("django.server").info('"%s" %s %s', "GET / HTTP/1.1", "200", "100",
                                                extra={"status_code": 200, "request": None, "server_time": "now"})
        """
    )
    env = {**os.environ, "DEBUG": "true", "ENV_FILE": "/nonexistent", "DJANGO_SETTINGS_MODULE": "tracker.settings",
           "DATABASE_URL": "sqlite://:memory:"}
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    lines = result.stderr.splitlines()
    assert lines == [
        "Forbidden (Permission denied): POST /cycles/1/close/ (Only a coordinator may close this cycle.)",
        '[now] "GET / HTTP/1.1" 200 100',
    ]
