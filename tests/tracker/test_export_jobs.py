"""Exports too big to write while the browser waits run as background jobs (tracker.export_jobs):
the list asks first, the job is written by the task worker with its progress, downloaded by the
person who asked and no one else, and pruned after EXPORT_KEEP_HOURS."""
import csv
import datetime
import io
import json

import openpyxl
import pytest
from django.core.management import call_command
from django.utils import timezone

from memoranda.models import Commitment, Organisation
from tests.factories import member_of
from tracker.models import ExportJob, ExportJobState, Role

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def coordinator(client, fourth_plenary, settings):
    settings.EXPORT_IN_REQUEST_ROWS = 5  # the 4th plenary's 18 commitments make a "big" export
    client.force_login(member_of(Organisation.objects.get(abbreviation="CMAB"), Role.COORDINATOR))
    return client


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.getvalue()


def start(client, kind: str, query: str = ""):
    response = client.post("/exports/new/", {"kind": kind, "query": query})
    assert response.status_code == 302
    return ExportJob.objects.get(), response["Location"]


@pytest.mark.django_db
def test_an_export_within_the_limit_downloads_at_once(coordinator, settings):
    settings.EXPORT_IN_REQUEST_ROWS = 100
    response = coordinator.get("/commitments/", {"_export": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert not ExportJob.objects.exists()


@pytest.mark.django_db
def test_a_big_export_is_asked_for_first_and_asking_changes_nothing(coordinator):
    response = coordinator.get("/commitments/", {"_export": "xlsx", "status": "not_started", "page": "2", "sort": "due_on"})
    page = response.content.decode()
    assert response.status_code == 200 and 'action="/exports/new/"' in page and 'name="csrfmiddlewaretoken"' in page
    assert 'name="query" value="status=not_started"' in page  # the filters, not the page or the order
    assert not ExportJob.objects.exists()  # a GET never starts work


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["xlsx", "csv", "json"])
def test_a_job_writes_the_same_rows_as_the_list_and_only_its_requester_downloads_it(coordinator, client, kind, django_capture_on_commit_callbacks, settings):
    with django_capture_on_commit_callbacks(execute=True):  # the in-process backend runs it on commit
        job, location = start(coordinator, kind, "status=not_started")
    expected = Commitment.objects.filter(status="not_started").count()
    assert expected > 5
    job.refresh_from_db()
    assert (job.state, job.rows_total, job.rows_done, job.percent) == (ExportJobState.DONE, expected, expected, 100)
    assert location == job.get_absolute_url() and str(job.pk) in location
    assert "Ready to download" in coordinator.get(location).content.decode()

    data = body(coordinator.get(f"{location}download/"))
    if kind == "xlsx":
        rows = list(openpyxl.load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))[1:]
    elif kind == "csv":
        rows = list(csv.DictReader(io.StringIO(data.decode("utf-8").lstrip("\ufeff"))))
    else:
        rows = json.loads(data)
        assert {row["status"] for row in rows} == {"not_started"}
    assert len(rows) == expected
    settings.EXPORT_IN_REQUEST_ROWS = 1000  # the same export, written while waiting, is the same file
    if kind == "csv":
        assert data == body(coordinator.get("/commitments/", {"_export": "csv", "status": "not_started"}))

    someone_else = client.__class__()
    someone_else.force_login(member_of(Organisation.objects.get(abbreviation="CMAB"), Role.COORDINATOR))
    assert someone_else.get(location).status_code == 404
    assert someone_else.get(f"{location}download/").status_code == 404
    assert "No exports yet" in someone_else.get("/exports/").content.decode()


@pytest.mark.django_db
def test_anonymous_people_see_no_job(coordinator, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job, location = start(coordinator, "csv")
    client.logout()
    response = client.get(f"{location}download/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.django_db
@pytest.mark.parametrize("posted", [
    {"kind": "exe", "query": ""},
    {"kind": "xlsx", "query": "area=99999999999999999999999"},
    {"kind": "csv", "query": "due_after=not-a-date"},
    {"query": ""},
])
def test_a_bad_format_or_filters_start_nothing_and_say_why(coordinator, posted):
    response = coordinator.post("/exports/new/", posted, follow=True)
    assert response.status_code == 200 and "could not be started" in response.content.decode()
    assert not ExportJob.objects.exists()


@pytest.mark.django_db
def test_an_unknown_job_is_not_found(coordinator):
    assert coordinator.get("/exports/00000000-0000-0000-0000-000000000000/").status_code == 404
    assert coordinator.get("/exports/not-a-uuid/").status_code == 404


@pytest.mark.django_db
def test_jobs_past_their_time_are_pruned_with_their_files(coordinator, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job, location = start(coordinator, "csv")
    job.refresh_from_db()
    storage, name = job.file.storage, job.file.name
    assert storage.exists(name)
    ExportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    out = io.StringIO()
    call_command("prune_exports", stdout=out)
    assert "Removed 1" in out.getvalue()
    assert not ExportJob.objects.exists() and not storage.exists(name)
    assert coordinator.get(location).status_code == 404


@pytest.mark.django_db
def test_a_file_removed_from_storage_is_not_found_rather_than_an_error(coordinator, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job, location = start(coordinator, "csv")
    job.refresh_from_db()
    job.file.storage.delete(job.file.name)
    assert coordinator.get(f"{location}download/").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_the_database_queue_waits_for_its_worker(coordinator, settings):
    """Through django-tasks-db, as deployed: the request only queues the job; `db_worker` writes it."""
    settings.TASKS = DATABASE_TASKS
    job, location = start(coordinator, "xlsx", "status=not_started")
    job.refresh_from_db()
    assert job.state == ExportJobState.QUEUED and job.percent == 0
    page = coordinator.get(location).content.decode()
    assert "Waiting to start" in page and 'http-equiv="refresh"' in page  # the page follows the job
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0")
    job.refresh_from_db()
    assert job.state == ExportJobState.DONE and job.rows_done == Commitment.objects.filter(status="not_started").count()
    assert 'http-equiv="refresh"' not in coordinator.get(location).content.decode()
    assert openpyxl.load_workbook(io.BytesIO(body(coordinator.get(f"{location}download/")))).active.max_row == job.rows_done + 1
