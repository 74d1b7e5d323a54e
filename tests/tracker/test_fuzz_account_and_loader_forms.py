"""Hostile posts to the forms around the workflow never give a server error, and a refused one
changes nothing: choosing a language, signing in, resetting and changing a password, the
two-factor code, and the memorandum loader (its source form and its preview). See
test_fuzz_forms.py for the forms of the progress workflow."""
from __future__ import annotations

import pytest
from django.test import Client
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.factories import UserFactory
from tests.memoranda.test_admin_loader import preview_post_data
from tests.tracker.fuzzing import FUZZ, Form, answer, post_body, post_drawn, rolled_back, valid_dates, value, world

pytestmark = pytest.mark.django_db


@pytest.fixture
def aimed(fourth_plenary):
    return world(fourth_plenary)


FORMS = [
    Form("language", "official", lambda w: "/i18n/setlang/", lambda w: {
        "language": value("en", "zh-hant", "zh-hans"), "next": value("/commitments/", "https://evil.example/", "//evil.example"),
    }),
    Form("sign-in", None, lambda w: "/accounts/login/", lambda w: {
        "username": value("fuzz-official"), "password": value("pass-word-123"), "next": value("/my/", "https://evil.example/"),
    }),
    Form("password-reset", None, lambda w: "/accounts/password/reset/", lambda w: {"email": value("fuzz-official@example.org")}),
    Form("password-change", "official", lambda w: "/accounts/password/", lambda w: {
        "old_password": value("pass-word-123"), "new_password1": value("A-longer-pass-phrase-2025"),
        "new_password2": value("A-longer-pass-phrase-2025"),
    }),
    Form("two-factor", "coordinator", lambda w: "/accounts/two-factor/", lambda w: {"code": value("123456"), "next": value("/")}),
    Form("load-memorandum", "administrator", lambda w: "/admin/memoranda/memorandum/load/", lambda w: {
        "text": value("Services Industries\n\nBoth sides would continue to co-operate."),
        "format": value("auto", "text", "html", "pdf", "docx", "yaml", "json", "csv", "xlsx"),
        "held_on": st.one_of(valid_dates(), value()), "mechanism": value(w["mechanism"].pk), "remove_kept": value("1"),
    }, files="file"),]


@pytest.mark.parametrize("form", FORMS, ids=[form.name for form in FORMS])
@settings(FUZZ, max_examples=30)  # per form
@given(data=st.data())
def test_a_form_answers_any_input_without_a_server_error_and_a_refusal_changes_nothing(aimed, form, data):
    post_drawn(aimed, form, data)


# What the fuzzing found, kept as examples that run every time: an empty post (the loader's form was
# left unbound and its view read its cleaned data), a `next` that `redirect` took for a view's name,
# a user name longer than the sign-in records hold (PostgreSQL).
FOUND = [(form.name, "") for form in FORMS] + [
    ("two-factor", "code=123456&next=%27+OR+%271%27%3D%271"),
    ("two-factor", "next=%FF"),
    ("sign-in", "username=%00&password=%00&next=%00"),
    ("sign-in", "username=" + "x" * 300 + "&password=x"),
]
BY_NAME = {form.name: form for form in FORMS}


@pytest.mark.parametrize("name, body", FOUND, ids=[f"{name}-{body[:20]}" for name, body in FOUND])
def test_what_fuzzing_found_answers_without_a_server_error(aimed, name, body):
    post_body(aimed, BY_NAME[name], body)


@pytest.fixture
def preview(without_fourth_plenary, seed_text) -> tuple[Client, str, dict]:
    """An administrator's loader preview of the 4th plenary's press release, and the form as the browser would send it."""
    client = Client(raise_request_exception=False)
    client.force_login(UserFactory(username="fuzz-loader", is_staff=True, is_superuser=True))
    url = client.post("/admin/memoranda/memorandum/load/", {"text": seed_text, "format": "auto"})["Location"]
    return client, url, preview_post_data(client.get(url))


@settings(FUZZ, max_examples=15)  # each post plans and draws the whole memorandum again
@given(data=st.data())
def test_the_loader_preview_answers_any_correction_without_a_server_error(preview, data):
    """The preview's own fields (session, new mechanism, each item, the formset's counts) with
    hostile values in place of what the parser proposed."""
    client, url, proposed = preview
    names = sorted({*proposed, "session-mechanism", "session-new_code", "session-new_party_1", "items-0-supporting", "mode", "confirm"})
    changed = data.draw(st.dictionaries(st.sampled_from(names), value("1", "align", "0", "-1"), max_size=5), label="changed")
    with rolled_back():
        answer(None, "POST", url, client=client, data={**proposed, **changed})


def test_a_mechanism_number_too_long_for_int_in_the_preview_is_refused(preview):
    client, url, proposed = preview
    with rolled_back():
        answer(None, "POST", url, client=client, data={**proposed, "session-mechanism": "9" * 5000})


@pytest.mark.parametrize("key", ["9" * 25, "-" + "9" * 25, "1e400", "٣"])
def test_a_supporting_organisation_key_no_database_can_hold_is_refused(preview, key):
    """A multiple choice of organisations with a key past 64 bits: SQLite cannot bind it, so the
    field refuses it before asking (it answered 500)."""
    client, url, proposed = preview
    with rolled_back():
        response = client.post(url, {**proposed, "items-0-supporting": key})
    assert response.status_code == 400  # the preview again, with the field's error beside it
    assert "is not a valid value" in response.content.decode()
