"""Counts cached under the data version (tracker.aggregates): served from the cache until a write
commits, then recomputed, on every page that shows them. The suite runs with caching off
(AGGREGATE_CACHE_SECONDS=0); these tests turn it on and run the commit hooks of their writes."""
import contextlib

import pytest
from django.test.utils import CaptureQueriesContext
from django.db import connection

from memoranda.models import Status
from tests import factories
from tracker import aggregates, selectors, services
from tracker.models import DataVersion, Role


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """A context in which writes behave as if committed: their commit hooks run, and are then gone
    from the connection as after a real commit (the test's own transaction never commits)."""

    @contextlib.contextmanager
    def commit():
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            yield
        connection.run_on_commit = [entry for entry in connection.run_on_commit if entry[1] not in callbacks]

    return commit


@pytest.fixture
def caching(settings, tmp_path):
    settings.AGGREGATE_CACHE_SECONDS = 600
    settings.CACHES = {**settings.CACHES, "aggregates": {**settings.CACHES["aggregates"], "LOCATION": str(tmp_path / "aggregates")}}


@pytest.fixture
def desk(db, committed):
    """A mechanism with an open cycle, an official and a coordinator, and two commitments."""
    with committed():
        commitment = factories.CommitmentFactory(status=Status.ON_TRACK, session__number=4)
        mechanism = commitment.session.mechanism
        factories.CommitmentFactory(session=commitment.session, area=commitment.area, lead_organisation=commitment.lead_organisation, status=Status.AT_RISK, item_position=2)
        cycle = factories.ReportingCycleFactory(mechanism=mechanism)
        official = factories.official_of(commitment.lead_organisation)
        coordinator = factories.member_of(factories.OrganisationFactory(party=commitment.lead_organisation.party), Role.COORDINATOR)
    return commitment, cycle, official, coordinator


def test_a_count_is_computed_once_until_data_changes(caching, desk, committed):
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    assert aggregates.cached("test", (1,), compute) == 1
    assert aggregates.cached("test", (1,), compute) == 1  # cached
    assert aggregates.cached("test", (2,), compute) == 2  # other parts, other entry
    commitment = desk[0]
    with committed():
        commitment.title = "Changed"
        commitment.save()
    assert aggregates.cached("test", (1,), compute) == 3  # the write replaced the data version


def test_a_write_that_rolls_back_leaves_the_token_alone(caching, desk, django_capture_on_commit_callbacks):
    before = aggregates.data_version()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        commitment = desk[0]
        commitment.title = "Changed"
        commitment.save()
        commitment.save()
    # one token change per transaction, however many rows it writes, and only on commit
    assert [callback for callback in callbacks if callback is aggregates.data_changed] == [aggregates.data_changed]
    assert aggregates.data_version() == before


def test_the_dashboard_counts_follow_a_status_change(caching, desk, client, committed):
    commitment, _cycle, official, _coordinator = desk
    client.force_login(official)
    assert selectors.dashboard(official)["overall"] == {Status.ON_TRACK: 1, Status.AT_RISK: 1}
    with CaptureQueriesContext(connection) as cached_read:
        selectors.dashboard(official)
    assert len(cached_read.captured_queries) <= 4  # who the user is and the data version, not the counts
    with committed():
        commitment.status = Status.AT_RISK
        commitment.save()
    assert selectors.dashboard(official)["overall"] == {Status.AT_RISK: 2}
    page = client.get("/").content.decode()
    assert "2" in page


def test_the_review_count_follows_a_submission(caching, desk, committed):
    commitment, cycle, official, coordinator = desk
    assert selectors.review_count(coordinator) == 0
    with committed():
        services.progress_update_create(
            commitment=commitment, author=official, organisation=commitment.lead_organisation, cycle=cycle,
            proposed_status=Status.ON_TRACK, proposed_progress=40, narrative="Met twice.", submit=True,
        )
    coordinator = type(coordinator).objects.get(pk=coordinator.pk)  # a new request: nothing kept on the user
    assert selectors.review_count(coordinator) == 1
    official = type(official).objects.get(pk=official.pk)
    assert selectors.my_tasks(official)["owed"] == 1  # submitted: one of the two is reported on
    assert selectors.cycle_completeness(cycle)[0]["submitted"] == 1


def test_caching_off_computes_every_time(settings, desk):
    settings.AGGREGATE_CACHE_SECONDS = 0
    calls = []
    aggregates.cached("test", (), lambda: calls.append(1))
    aggregates.cached("test", (), lambda: calls.append(1))
    assert len(calls) == 2


def test_the_token_row_is_made_on_the_first_change(db):
    DataVersion.objects.all().delete()
    assert aggregates.data_version() == "initial"
    aggregates.data_changed()
    assert aggregates.data_version() != "initial"
    assert DataVersion.objects.count() == 1


def test_choosing_a_language_keeps_the_cached_counts(caching, desk, committed):
    """A profile's language is read by no count: saving it must not throw every count away."""
    from tracker.models import Profile

    before = aggregates.data_version()
    with committed():
        Profile.objects.create(user=desk[2], language="zh-hant")
    assert aggregates.data_version() == before


def test_a_session_page_is_rendered_once_and_follows_a_change(caching, desk, client, committed):
    """A session's items read the same for everyone who sees it: rendered once per data version and
    language, and rendered again after a write, in each reader's language."""
    commitment, _cycle, official, coordinator = desk
    session = commitment.session
    address = f"/sessions/{session.mechanism.code}/{session.number}/"
    client.force_login(official)
    first = client.get(address).content.decode()
    assert commitment.ref in first and "Underway – on track" in first
    items = first[first.index('<section class="area-block"'):first.index("</main>")]
    with CaptureQueriesContext(connection) as again:
        assert items in client.get(address).content.decode()
    assert not any("memoranda_commitment_supporting_organisations" in query["sql"] for query in again.captured_queries)  # not read again
    client.force_login(coordinator)  # another reader of the session: the same items
    assert commitment.ref in client.get(address).content.decode()
    with committed():
        commitment.status = Status.COMPLETED
        commitment.save()
    page = client.get(address).content.decode()
    assert "Completed" in page
    client.cookies["django_language"] = "zh-hant"
    assert "已完成" in client.get(address).content.decode()


def test_the_reports_are_rendered_once_and_follow_a_change(caching, desk, client, committed):
    commitment, _cycle, official, _coordinator = desk
    session = commitment.session
    client.force_login(official)
    report = f"/reports/sessions/{session.mechanism.code}/{session.number}/"
    across = f"/reports/mechanisms/{session.mechanism.code}/"
    page = client.get(report).content.decode()
    on_track, completed = page.count("Underway – on track"), page.count("Completed")
    assert on_track >= 1
    before = client.get(across).content.decode()
    with CaptureQueriesContext(connection) as again:
        client.get(report)
        client.get(across)
    assert not any("tracker_progressupdate" in query["sql"] for query in again.captured_queries)  # rows and bodies cached
    with committed():
        commitment.status = Status.COMPLETED
        commitment.save()
    page = client.get(report).content.decode()  # the one on-track commitment is now completed
    assert page.count("Underway – on track") < on_track and page.count("Completed") > completed
    assert client.get(across).content.decode() != before  # one more completed in its cell


def test_a_request_reads_the_token_once_and_sees_its_own_change(caching, desk, client, committed):
    """A page asks for many cached values; the data version is one query per request. A change
    the request commits is what the rest of it reads; outside requests the row is read each time."""
    commitment, _cycle, official, _coordinator = desk
    client.force_login(official)
    client.get("/my/")
    with CaptureQueriesContext(connection) as page:
        client.get("/my/")
    assert sum("tracker_dataversion" in query["sql"] for query in page.captured_queries) == 1
    with CaptureQueriesContext(connection) as outside:
        aggregates.data_version()
        aggregates.data_version()
    assert len(outside.captured_queries) == 2  # no request running: nothing remembered
    # Within a request: the token read, then a change committed, then the new token read.
    aggregates._request_started()
    try:
        before = aggregates.data_version()
        with committed():
            commitment.status = Status.COMPLETED
            commitment.save()
        assert aggregates.data_version() != before
        assert aggregates.data_version() == DataVersion.objects.get().token
    finally:
        aggregates._request_finished()


def test_the_list_filters_and_bulk_fields_are_rendered_once_and_follow_a_change(caching, desk, client, committed):
    """The list's filter and bulk choices (every session, area, organisation and cycle in reach) are
    rendered once per person, filters and data version; a new organisation appears in both."""
    commitment, _cycle, _official, coordinator = desk
    client.force_login(coordinator)
    with CaptureQueriesContext(connection) as rendering:
        first = client.get("/commitments/").content.decode()
    assert any('FROM "memoranda_area"' in query["sql"] for query in rendering.captured_queries)
    assert 'name="lead_organisation"' in first and 'name="action"' in first  # filters and bulk form
    def choices(page):  # the filters, and the bulk form's fields
        return page[page.index('<details class="card filters"'):page.index("</details>")], page[page.index('<div class="bulk-fields">'):page.index('<div class="button-row"><button type="submit" class="primary">Apply</button>')]

    with CaptureQueriesContext(connection) as again:
        assert choices(client.get("/commitments/").content.decode()) == choices(first)
    assert not any('FROM "memoranda_area"' in query["sql"] for query in again.captured_queries)  # choices not read again
    chosen = client.get(f"/commitments/?area={commitment.area.pk}").content.decode()
    assert f'<option value="{commitment.area.pk}" selected>' in chosen  # other filters: their own rendering
    with committed():
        factories.OrganisationFactory(party=commitment.lead_organisation.party, name="Newly Formed Bureau")
    assert client.get("/commitments/").content.decode().count("Newly Formed Bureau") >= 2  # lead filter and bulk lead
