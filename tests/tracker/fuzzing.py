"""What the fuzz tests (test_fuzz_*.py) share: hostile values, a world to aim them at, and one
request answered and checked.

Every answer must be 2xx, 3xx or 4xx, never 500; and a request that was refused (an error status, a
form shown again, an error message) or that only reads (GET, HEAD) must leave the main tables as
they were. Each example runs in a savepoint that is rolled back, so every example starts from the
same database, whatever the one before it saved.
"""
from __future__ import annotations

import datetime
import hashlib
import traceback
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import quote, quote_from_bytes

from django.apps import apps
from django.contrib import messages
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.http import HttpResponse
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context

from memoranda.models import Commitment, Organisation
from tests.factories import ReportingCycleFactory, UserFactory, member_of
from tracker import services
from tracker.models import Role

# Modest, so that each fuzz file runs in well under two minutes on SQLite and on PostgreSQL; the
# examples differ from run to run (no fixed seed), so that runs together explore more.
FUZZ = settings(
    max_examples=40, deadline=None, database=None, print_blob=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)

# Hand-picked hostile values: syntax of SQL, templates, HTML and paths; what int(), dates and
# Unicode get wrong; control characters (Word's soft return \x0b among them) and NUL.
MALICIOUS = [
    "", " ", "\x00", "a\x00b", "\x0b", "line\x0bbreak", "\x01\x07\x1f", "\r\n", "\t",
    "' OR '1'='1", "'; DROP TABLE memoranda_commitment; --", '" OR ""="', "1; SELECT pg_sleep(5)", "%", "_", "\\",
    "{{ 7|add:7 }}", "{% debug %}", "{% load static %}{% static 'x' %}", "{{ request.user.password }}", "${7*7}", "%(name)s", "%s",
    "<script>alert(1)</script>", "javascript:alert(1)", "../../etc/passwd", "..%2F..%2F", "/", "//evil.example/", "https://evil.example/",
    "null", "None", "undefined", "true", "false", "[]", "{}", "NaN", "Infinity", "-Infinity", "1e309",
    "-1", "0", "00", "1", "2", "99", "100", "101", "65535", "2147483648", "9223372036854775808", "9" * 40, "-" + "9" * 40,
    "0x10", "1_000", " 7 ", "７", "٣", "²", "１２", "𝟙", "1.5", "1,5",
    "2018-10-24", "2018-02-30", "2018-13-01", "0000-00-00", "0001-01-01", "9999-12-31", "10000-01-01", "-2018-01-01",
    "2018-10-24T25:61:00", "24/10/2018", "today",
    "\u202egnp.exe", "\ufeff", "\u200b", "\ud7ff", "\uffff", "é" * 3, "繁體中文", "簡体", "HKBJ", "HKBJ-4-6.5", "hkbj-4-6.5",
    "on", "off", "accept", "return", "pdf", "csv", "xlsx", "json", "zh-hant", "zh-hans", "en", "xx",
]
# Huge values: one of each kind of character at well past every limit.
HUGE = ["a" * 20_000, "\x00" * 3_000, "9" * 5_000, "繁" * 12_000, "word " * 4_000, "\x0b" * 3_000, "{{" * 3_000]

control_text = st.text(st.characters(min_codepoint=0, max_codepoint=0x1F), min_size=1, max_size=6)
hostile_text = st.one_of(
    st.sampled_from(MALICIOUS),
    st.sampled_from(HUGE),
    st.text(max_size=40),
    control_text,
    st.lists(st.one_of(st.sampled_from(MALICIOUS), control_text, st.text(max_size=8)), min_size=2, max_size=4).map("".join),
)


def valid_dates() -> st.SearchStrategy[str]:
    return st.dates(min_value=datetime.date(1, 1, 1), max_value=datetime.date(9999, 12, 31)).map(datetime.date.isoformat)


def value(*plausible) -> st.SearchStrategy[str]:
    """A form or query value: one of the plausible ones given, or a hostile one."""
    choices = [st.sampled_from([str(item) for item in plausible])] if plausible else []
    return st.one_of(*choices, hostile_text)


# Bytes that are not UTF-8, as a browser or a script may percent-encode them.
raw_bytes = st.one_of(st.sampled_from([b"\xff", b"\xc0\xaf", b"\xed\xa0\x80", b"\x80abc", b"%", b"\xfe\xff\x00"]), st.binary(min_size=1, max_size=12))


def encoded(text: str | bytes) -> str:
    """Percent-encoded for a query string, a path segment or a form body (slashes too)."""
    return quote_from_bytes(text, safe="") if isinstance(text, bytes) else quote(text, safe="")


def query_strings(fields: dict[str, st.SearchStrategy[str]]) -> st.SearchStrategy[str]:
    """A query string with some of `fields` (some repeated), an unknown key, and maybe bytes that are not UTF-8."""
    pair = st.one_of(
        *[st.tuples(st.just(name), strategy) for name, strategy in fields.items()],
        st.tuples(hostile_text, hostile_text),
        st.tuples(st.sampled_from(list(fields)), raw_bytes),
    )
    return st.lists(pair, max_size=6).map(lambda pairs: "&".join(f"{encoded(key)}={encoded(val)}" for key, val in pairs))


def form_data(fields: dict[str, st.SearchStrategy[str]]) -> st.SearchStrategy[dict]:
    """A form as a browser might post it, or not: each field present (once or repeated) or left out."""
    field = lambda strategy: st.one_of(strategy, st.lists(strategy, min_size=2, max_size=3))  # noqa: E731
    return st.fixed_dictionaries({}, optional={name: field(strategy) for name, strategy in fields.items()})


def urlencoded_body(fields: dict[str, st.SearchStrategy[str]]) -> st.SearchStrategy[str]:
    """A form body sent as application/x-www-form-urlencoded, where bytes that are not UTF-8 can go."""
    return query_strings(fields)


uploads = st.lists(
    st.tuples(
        st.one_of(st.sampled_from(["minutes.pdf", "photo.JPG", "tool.exe", "", ".pdf", "a" * 300 + ".pdf", "x." + "p" * 120,
                                   "../../escape.pdf", "nul\x00.pdf", "繁體.docx", "con.txt"]), st.text(max_size=20)),
        st.sampled_from([b"", b"%PDF-1.4\n%%EOF\n", b"MZ\x90\x00", b"\x00" * 100]),
    ),
    max_size=3,
).map(lambda files: [SimpleUploadedFile(name.replace("/", "_") or "blank", content) for name, content in files])


# The main tables: what was agreed, how it is going, and who may do what. Logs of sign-ins and
# sessions are left out: a refused sign-in is rightly recorded.
FINGERPRINTED = {
    "memoranda": None,  # every model
    "tracker": {"membership", "reportingcycle", "progressupdate", "historicalprogressupdate", "evidence", "reminder", "snapshot", "profile"},
    "auth": {"user", "group", "user_groups", "group_permissions", "user_user_permissions"},
    "admin": {"logentry"},
}


def fingerprint() -> str:
    """A hash of every row of the main tables."""
    digest = hashlib.sha256()
    for label, names in FINGERPRINTED.items():
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            if names is None or model._meta.model_name in names:
                rows = model._base_manager.order_by("pk").values_list()
                digest.update(f"{model._meta.label}:{list(rows)!r}".encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


@contextmanager
def rolled_back():
    """The example's changes are undone when it ends, so every example starts from the same database."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def refused(response: HttpResponse) -> bool:
    """Whether the request was turned down: an error status, a form shown again (a POST answered
    with a page instead of a redirect), or an error message to show after the redirect."""
    if response.status_code >= 400 or (response.wsgi_request.method == "POST" and response.status_code < 300):
        return True
    return any(message.level >= messages.ERROR for message in get_messages(response.wsgi_request))


def _cause(response: HttpResponse) -> str:
    """The project's own lines of the traceback of a server error, and the error."""
    if not getattr(response, "exc_info", None):
        return ""
    _type, error, trace = response.exc_info
    ours = [f"  {frame.filename}:{frame.lineno} in {frame.name}: {frame.line}"
            for frame in traceback.extract_tb(trace) if "site-packages" not in frame.filename]
    return "\n".join(ours[-8:]) + "\n" + "".join(traceback.format_exception_only(error))


def answer(user, method: str, url: str, *, client: Client | None = None, **kwargs) -> HttpResponse:
    """Send one request as `user` (None: signed out), or from `client`, and check the answer: no
    server error, and the main tables unchanged unless it was a write that went through."""
    if client is None:
        client = Client(raise_request_exception=False)
        if user is not None:
            client.force_login(user)
    before = fingerprint()
    response = getattr(client, method.lower())(url, **kwargs)
    sent = kwargs.get("data")
    if currently_in_test_context():
        event(f"answered {response.status_code}")  # seen with --hypothesis-show-statistics: how far the examples got
    if response.status_code >= 500:
        raise AssertionError(f"{method} {url!r} {sent!r:.300} answered {response.status_code}\n{_cause(response)}")
    if method in ("GET", "HEAD") or refused(response):
        assert fingerprint() == before, f"{method} {url!r} {sent!r:.300} was refused ({response.status_code}) but changed the database"
    return response


def world(fourth_plenary) -> dict:
    """People and objects for the fuzz tests to aim at: an open cycle and a closed one, a draft, a
    submitted update, an accepted one with a file and a link, and a snapshot."""
    cmab = Organisation.objects.get(abbreviation="CMAB")
    mechanism = fourth_plenary.mechanism
    cycle = ReportingCycleFactory(mechanism=mechanism, reports_to_session_number=5)
    closed = ReportingCycleFactory(mechanism=mechanism, reports_to_session_number=5, title="Earlier round", closed_on=cycle.opens_on)
    official = member_of(cmab, Role.OFFICIAL, user=UserFactory(username="fuzz-official"))
    coordinator = member_of(cmab, Role.COORDINATOR, user=UserFactory(username="fuzz-coordinator"))
    viewer = member_of(Organisation.objects.get(abbreviation="MTR"), Role.VIEWER, user=UserFactory(username="fuzz-viewer"))
    administrator = UserFactory(username="fuzz-admin", is_staff=True, is_superuser=True)

    def report(ref: str, **fields):
        return services.progress_update_create(
            commitment=Commitment.objects.get(ref=ref), author=official, organisation=cmab, cycle=cycle,
            proposed_status="on_track", proposed_progress=40, narrative="Two meetings were held.", notify=False, **fields,
        )

    draft = report("HKBJ-4-1.1")
    submitted = report("HKBJ-4-2.1", submit=True)
    accepted = report("HKBJ-4-3.1", submit=True, evidence_files=[SimpleUploadedFile("minutes.pdf", b"%PDF-1.4\n%%EOF\n")],
                      evidence_links=["https://www.info.gov.hk/gia/general/201810/24/P2018102400736.htm"])
    services.progress_update_accept(update=accepted, reviewer=coordinator, notify=False)
    snapshot = services.snapshot_take(session=fourth_plenary, as_at=timezone.localdate(), by=coordinator)
    return {
        "session": fourth_plenary, "mechanism": mechanism, "cycle": cycle, "closed": closed, "official": official,
        "coordinator": coordinator, "viewer": viewer, "administrator": administrator, "draft": draft, "submitted": submitted,
        "accepted": accepted, "evidence": accepted.evidence.get(url=""), "snapshot": snapshot,
        "users": [official, coordinator, viewer, administrator, None],
    }


@dataclass
class Form:
    """One form: who posts it (a key of `world`, or None: signed out), where, and its fields (each
    a strategy of values); `files` names its file field, if it has one."""

    name: str
    user: str | None
    url: Callable[[dict], str]
    fields: Callable[[dict], dict]
    files: str = ""


def post_drawn(aimed: dict, form: Form, data) -> None:
    """Post `form` with drawn values: as a browser would (multipart, files too), or as a script
    might (urlencoded, bytes that are not UTF-8 included); checked by `answer`."""
    user = aimed[form.user] if form.user else None
    fields = form.fields(aimed)
    with rolled_back():
        if data.draw(st.booleans(), label="urlencoded, maybe not UTF-8"):
            body = data.draw(urlencoded_body(fields), label="body")
            answer(user, "POST", form.url(aimed), data=body, content_type="application/x-www-form-urlencoded")
        else:
            sent = data.draw(form_data(fields), label="form")
            if form.files:
                sent[form.files] = data.draw(uploads, label="files")
            answer(user, "POST", form.url(aimed), data=sent)


def post_body(aimed: dict, form: Form, body: str) -> None:
    """Post `form` with this urlencoded body; checked by `answer`."""
    with rolled_back():
        answer(aimed[form.user] if form.user else None, "POST", form.url(aimed), data=body, content_type="application/x-www-form-urlencoded")
