"""Hostile query strings never give a server error, and reading a page never changes the database:
every filter of the commitment list (tracker.filters) with its sorting, paging and exports, and
the parameters of the reports, cycles, the audit log and the other pages that read any."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from memoranda.choices import Status
from memoranda.models import Area, Organisation, Party, PlenarySession
from tests.tracker.fuzzing import FUZZ, answer, query_strings, rolled_back, valid_dates, value, world

pytestmark = pytest.mark.django_db

# Most of it is plausible, so that the filters are reached with values that almost work.
COMMITMENT_LIST_SORTS = ["ref", "-ref", "title", "-title", "area", "lead_organisation", "status", "progress", "due_on", "-latest_update_at", "text", "--ref", "ref,title", "pk"]


@pytest.fixture
def aimed(fourth_plenary):
    return world(fourth_plenary)


def list_parameters(aimed: dict) -> dict:
    pks = lambda model: [row.pk for row in model.objects.all()]  # noqa: E731
    return {
        "q": value("HKBJ-4-6.5", "MTR", "鐵路", "铁路", "exchange visits"),
        "mechanism": value(aimed["mechanism"].pk, 999999),
        "session": value(*pks(PlenarySession)),
        "area": value(*pks(Area)),
        "status": value(*Status.values),
        "lead_organisation": value(*pks(Organisation)),
        "party": value(*pks(Party)),
        "due_after": st.one_of(valid_dates(), value()),
        "due_before": st.one_of(valid_dates(), value()),
        "overdue": value("on", "true", "1", "false"),
        "no_update": value("on", "true", "1", "false"),
        "outstanding_in_cycle": value(aimed["cycle"].pk, aimed["closed"].pk),
        "size": value(25, 50, 100, 200, 10**6),
        "page": value(1, 2, "last", 10**9),
        "sort": value(*COMMITMENT_LIST_SORTS),
        "_export": value("csv", "xlsx", "json", "pdf"),
    }


@FUZZ
@given(data=st.data())
def test_the_commitment_list_answers_any_filter_without_a_server_error(aimed, data):
    user = data.draw(st.sampled_from(aimed["users"]), label="user")
    query = data.draw(query_strings(list_parameters(aimed)), label="query")
    with rolled_back():
        answer(user, "GET", f"/commitments/?{query}")


REPORT_PARAMETERS = {
    "as_at": st.one_of(valid_dates(), value()),
    "snapshot": value(1, 2, 999999),
    "_export": value("csv", "xlsx", "html"),
    "a": value(1, 2),
    "b": value(1, 2),
    "organisation": value("none", 1, 2, 3),
    "page": value(1, 2),
    "sort": value("ref", "-status"),
}


def report_pages(aimed: dict) -> list[str]:
    session, cycle, snapshot = aimed["session"], aimed["cycle"], aimed["snapshot"]
    code = session.mechanism.code
    return [
        f"/reports/sessions/{code}/{session.number}/", f"/reports/sessions/{code}/{session.number}/compare/",
        f"/reports/mechanisms/{code}/", "/reports/", f"/cycles/{cycle.pk}/", f"/cycles/{aimed['closed'].pk}/", "/cycles/",
        f"/sessions/{code}/{session.number}/", "/sessions/", "/", "/my/", "/reviews/", f"/updates/{aimed['submitted'].pk}/",
        f"/commitments/{aimed['submitted'].commitment.ref}/", f"/cycles/{cycle.pk}/close/", "/audit/", "/accounts/login/",
    ]


@FUZZ
@given(data=st.data())
def test_report_and_other_pages_answer_any_query_without_a_server_error(aimed, data):
    user = data.draw(st.sampled_from(aimed["users"]), label="user")
    page = data.draw(st.sampled_from(report_pages(aimed)), label="page")
    snapshot = aimed["snapshot"].pk
    parameters = {**REPORT_PARAMETERS, "snapshot": value(snapshot, snapshot + 1, 999999), "a": value(snapshot), "b": value(snapshot)}
    query = data.draw(query_strings(parameters), label="query")
    with rolled_back():
        answer(user, "GET", f"{page}?{query}")


AUDIT_PARAMETERS = {
    "start": st.one_of(valid_dates(), value()),
    "end": st.one_of(valid_dates(), value()),
    "type": value("commitment", "progressupdate", "reportingcycle"),
    "user": value("fuzz-coordinator", "fuzz-official"),
    "page": value(1, 2),
    "_export": value("csv", "xlsx"),
}


@FUZZ
@given(query=query_strings(AUDIT_PARAMETERS))
def test_the_audit_log_answers_any_date_range_without_a_server_error(aimed, query):
    with rolled_back():
        answer(aimed["administrator"], "GET", f"/audit/?{query}")


@settings(FUZZ, max_examples=6)  # a PDF takes seconds to draw: a few, each with hostile parameters
@given(query=query_strings({"as_at": st.one_of(valid_dates(), value()), "snapshot": value(1, 999999)}))
def test_the_pdf_report_answers_any_date_without_a_server_error(aimed, query):
    session = aimed["session"]
    with rolled_back():
        answer(aimed["coordinator"], "GET", f"/reports/sessions/{session.mechanism.code}/{session.number}/?_export=pdf&{query}")


def test_a_filtered_list_still_answers_with_rows(client, aimed):
    """The fuzzed pages are reached, not turned away: a plain request gets the page."""
    client.force_login(aimed["coordinator"])
    response = client.get("/commitments/?q=HKBJ-4-6.5&status=not_started")
    assert response.status_code == 200 and len(response.context["table"].rows) == 1
