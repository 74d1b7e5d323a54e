"""Exports too big to write while the browser waits: asked for on the list, written by the task
worker, downloaded from the job's page.

The job keeps the list's filters as a query string and the reader's language; the worker builds
the same rows the list would export (CommitmentFilter over what the person may see, then
tracker.exports), writing progress as it goes. The file goes to the default storage, which every
app server shares (MEDIA_ROOT, or an object store through STORAGES), and is removed with its job
after EXPORT_KEEP_HOURS (`manage.py prune_exports`, also run after each job).
"""
from __future__ import annotations

import datetime
import logging
import tempfile
from collections.abc import Iterable, Iterator
from types import SimpleNamespace
from typing import Any

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.http import QueryDict
from django.tasks import task
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from tracker import exports, selectors
from tracker.models import ExportJob, ExportJobState

logger = logging.getLogger(__name__)

KINDS = ("csv", "xlsx", "json")
PROGRESS_EVERY = 2000  # rows between two writes of progress to the job
# What the list's query string may carry that is not a filter.
NOT_FILTERS = {"page", "size", "sort", "_export"}


def filters_of(query: QueryDict) -> str:
    """The filters of a list's query string, as kept on a job."""
    kept = query.copy()
    for key in NOT_FILTERS:
        kept.pop(key, None)
    return kept.urlencode()


def count_key(user: Any, query: QueryDict) -> tuple:
    """What the list's row count depends on: who asks and the filters (not the page, its size or
    its order). The list and the job it starts share the count (tracker.paging.cached_count)."""
    filters = sorted((key, tuple(values)) for key, values in query.lists() if key not in NOT_FILTERS)
    return (user.pk, tuple(filters))


def commitments_for(user: Any, query: str):
    """What the list shows `user` for these filters, in reading order; None when the filters no
    longer make sense (an area removed since, say)."""
    from tracker.filters import CommitmentFilter  # the filters import the selectors, not the reverse

    base = selectors.commitments_visible_to(user).in_reading_order()
    filterset = CommitmentFilter(QueryDict(query), queryset=base, request=SimpleNamespace(user=user, GET=QueryDict(query)))
    return filterset.qs if filterset.is_valid() else None


def start(user: Any, kind: str, query: str, language: str, rows: int) -> ExportJob:
    """A job for the task worker, queued once this transaction commits (a worker must never look
    for a job that is not there yet)."""
    job = ExportJob.objects.create(
        requested_by=user, kind=kind, query=query, language=language, rows_total=rows,
        expires_at=timezone.now() + datetime.timedelta(hours=settings.EXPORT_KEEP_HOURS),
    )
    transaction.on_commit(lambda: write_export.enqueue(str(job.pk)))
    return job


@task()
def write_export(job_id: str) -> None:
    """The task: write the job's file. Run again after a worker restart, it starts over."""
    job = ExportJob.objects.select_related("requested_by").filter(pk=job_id).first()
    if job is None or job.state == ExportJobState.DONE:
        return  # pruned meanwhile, or done by an earlier run
    ExportJob.objects.filter(pk=job.pk).update(state=ExportJobState.RUNNING, rows_done=0, error="")
    try:
        with override(job.language):
            _write(job)
    except Exception as error:
        logger.exception("export job %s failed", job.pk)
        ExportJob.objects.filter(pk=job.pk).update(state=ExportJobState.FAILED, error=type(error).__name__, finished_at=timezone.now())
        raise  # the task's result records the failure too, with its traceback, for administrators
    prune()


def _write(job: ExportJob) -> None:
    commitments = commitments_for(job.requested_by, job.query)
    if commitments is None:
        ExportJob.objects.filter(pk=job.pk).update(state=ExportJobState.FAILED, error=_("The filters of this export are no longer valid."), finished_at=timezone.now())
        return
    total = commitments.count()
    ExportJob.objects.filter(pk=job.pk).update(rows_total=total)
    filename = f"commitments-{timezone.localdate():%Y%m%d}.{job.kind}"
    rows = _counted(job, exports.commitment_rows(commitments, for_people=job.kind != "json"))
    with tempfile.TemporaryFile() as file:
        if job.kind == "xlsx":
            exports.write_xlsx(file, rows, exports.LIST_COLUMNS, exports.list_headings(), title=_("Commitments"), widths=exports.LIST_WIDTHS)
        else:
            body = exports.csv_body(rows, exports.LIST_COLUMNS, exports.list_headings()) if job.kind == "csv" else exports.json_body(rows)
            for piece in body:
                file.write(piece.encode("utf-8"))
        file.seek(0)
        job.file.save(filename, File(file), save=False)
    ExportJob.objects.filter(pk=job.pk).update(file=job.file.name, state=ExportJobState.DONE, rows_done=total, finished_at=timezone.now())


def _counted(job: ExportJob, rows: Iterable[dict]) -> Iterator[dict]:
    for number, row in enumerate(rows, start=1):
        if number % PROGRESS_EVERY == 0:
            ExportJob.objects.filter(pk=job.pk).update(rows_done=number)
        yield row


def prune(now: datetime.datetime | None = None) -> int:
    """Remove jobs past their time, with their files; how many."""
    expired = list(ExportJob.objects.filter(expires_at__lte=now or timezone.now()))
    for job in expired:
        if job.file:
            job.file.delete(save=False)
        job.delete()
    return len(expired)
