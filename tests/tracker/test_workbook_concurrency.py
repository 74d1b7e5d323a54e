"""The same workbook uploaded twice at the same moment (a double click on "upload", two
colleagues with one file): each row ends with one draft, whichever upload saved it; the other
upload finds it (the same values: nothing new) or is refused, never makes a second.

Needs real concurrent transactions, so PostgreSQL (SELECT … FOR UPDATE); SQLite serialises
writers by locking the whole database and cannot show the race."""
from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from tests.tracker.test_workbook_round_trip import TWO_ROWS, cycle, download, fill, user  # noqa: F401 (cycle: a fixture)
from tracker.models import ProgressUpdate
from tracker.workbook_import import WorkbookError, apply_upload, plan_upload, read_workbook

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks (set DATABASE_URL to a PostgreSQL database)"),
]


@pytest.mark.django_db(transaction=True)
def test_same_workbook_uploaded_twice_at_once_makes_one_draft_per_row(cycle):  # noqa: F811 (the fixture)
    data = fill(download("official-cmab", cycle), TWO_ROWS)
    person = user("official-cmab")
    plans = [plan_upload(person, read_workbook(data), cycle) for _ in range(2)]  # both checked before either saves
    assert all(len(plan.to_save) == 2 for plan in plans)
    barrier = threading.Barrier(len(plans))
    outcomes: list[str] = []
    unexpected: list[BaseException] = []

    def apply(plan) -> None:
        try:
            barrier.wait(timeout=10)
            apply_upload(person, plan)
            outcomes.append("saved")
        except WorkbookError:
            outcomes.append("refused")
        except BaseException as error:  # reported below: the test must see any other failure
            unexpected.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=apply, args=(plan,)) for plan in plans]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not any(thread.is_alive() for thread in threads), "a thread is stuck (deadlock?)"
    assert unexpected == []
    assert len(outcomes) == 2 and "saved" in outcomes
    assert sorted(ProgressUpdate.objects.filter(commitment__ref__in=TWO_ROWS).values_list("commitment__ref", flat=True)) == sorted(TWO_ROWS)
