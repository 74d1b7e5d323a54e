"""Hostile values in every part of an address that names something (a commitment's ref, a
session's mechanism code and number, an update's, a cycle's or a piece of evidence's number, a
password-reset link) never give a server error, and reading never changes the database. The
addresses are read from the URL configuration, so a new one is fuzzed as soon as it exists."""
from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, get_resolver
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.tracker.fuzzing import FUZZ, answer, encoded, hostile_text, raw_bytes, rolled_back, world

pytestmark = pytest.mark.django_db

CONVERTER = re.compile(r"<(?:(?P<kind>\w+):)?(?P<name>\w+)>")


def routes() -> list[str]:
    """The site's own addresses with a part that names something, as written in urls.py."""
    return sorted(
        str(pattern.pattern) for pattern in get_resolver().url_patterns
        if isinstance(pattern, URLPattern) and CONVERTER.search(str(pattern.pattern))
    )


ADMIN_ROUTES = [  # the admin's addresses of one object, and the loader's draft token
    "admin/memoranda/commitment/<pk>/change/", "admin/memoranda/commitment/<pk>/history/", "admin/tracker/progressupdate/<pk>/change/",
    "admin/memoranda/memorandum/load/<token>/", "admin/memoranda/memorandum/load/<token>/rows/", "admin/auth/user/<pk>/password/",
]


def plausible(aimed: dict) -> dict[str, list[str]]:
    """Values that name real objects, so that a part of the fuzzed address can be right."""
    update, cycle, session = aimed["submitted"], aimed["cycle"], aimed["session"]
    return {
        "ref": [update.commitment.ref, update.commitment.ref.lower(), "HKBJ-4-9.9"],
        "code": [session.mechanism.code, session.mechanism.code.lower()],
        "number": [str(session.number), "0", "04"],
        "pk": [str(update.pk), str(cycle.pk), str(aimed["evidence"].pk), str(aimed["draft"].pk)],
        "uidb64": ["MQ", "Mg", "MTIz"],
        "token": ["set-password", "c2p6lk-0123456789abcdef0123456789abcdef"],
    }


def segment(known: list[str]) -> st.SearchStrategy[str]:
    """One part of an address, percent-encoded: a real value, a number too big for any column,
    or anything hostile, including bytes that are not UTF-8."""
    return st.one_of(
        st.sampled_from(known or ["1"]),
        st.sampled_from(["-1", "0", "9" * 25, "9" * 400, "%00", "%2e%2e", ".", "..", "%2F"]),
        hostile_text.filter(bool).map(encoded),
        raw_bytes.map(encoded),
    )


@pytest.fixture
def aimed(fourth_plenary):
    return world(fourth_plenary)


@pytest.mark.parametrize("route", routes() + ADMIN_ROUTES)
@settings(FUZZ, max_examples=10)  # per address: some thirty of them
@given(data=st.data())
def test_any_value_in_any_address_answers_without_a_server_error(aimed, route, data):
    known = plausible(aimed)
    path = CONVERTER.sub(lambda part: data.draw(segment(known.get(part["name"], [])), label=part["name"]), route)
    user = data.draw(st.sampled_from(aimed["users"]), label="user")
    method = data.draw(st.sampled_from(["GET", "GET", "POST", "HEAD"]), label="method")
    with rolled_back():
        answer(user, method, f"/{path}")


def test_every_kind_of_named_address_is_fuzzed():
    """The routes are read from urls.py: those of commitments, sessions, updates, cycles and reports are among them."""
    found = " ".join(routes())
    for part in ("<ref:ref>", "<str:code>/<int:number>", "updates/<int:pk>", "cycles/<int:pk>", "evidence/<int:pk>", "reports/mechanisms/<str:code>"):
        assert part in found, part
