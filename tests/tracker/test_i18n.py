"""English, Traditional and Simplified Chinese: the interface, the content, dates, and e-mail."""
import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.core import mail
from django.utils import translation

from memoranda.models import Commitment, Organisation
from tests.factories import CommitmentFactory, UserFactory, member_of
from tracker import services
from tracker.models import Profile, Role

pytestmark = pytest.mark.django_db
LOCALE = Path(__file__).resolve().parents[2] / "locale"
# Words that are not interface: references, file formats, the language switcher's own names.
ALLOWED = {"HKBJ", "PDF", "XLSX", "CSV", "JSON", "English", "MB", "Office", "YYYY", "MM", "DD", "http", "https"}


class VisibleText(HTMLParser):
    """The text a reader sees, without scripts, styles or the values inside form fields."""

    def __init__(self):
        super().__init__()
        self.parts, self.skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in {"script", "style", "textarea", "option", "svg"}:
            self.skip += 1

    def handle_endtag(self, tag):
        if tag in {"script", "style", "textarea", "option", "svg"}:
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def english_words(html: str, content: set[str]) -> set[str]:
    parser = VisibleText()
    parser.feed(html)
    words = set(re.findall(r"[A-Za-z][A-Za-z'’]{2,}", " ".join(parser.parts)))
    return {word for word in words if word not in ALLOWED and word not in content}


@pytest.mark.parametrize("language", ["zh_Hant", "zh_Hans"])
def test_catalogue_is_complete_with_nothing_fuzzy(language):
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(LOCALE / language / "LC_MESSAGES" / "django.po")],
        capture_output=True, text=True, check=True,
    )
    assert re.fullmatch(r"\d+ translated messages\.", result.stderr.strip().splitlines()[-1])


@pytest.fixture
def chinese_world(fourth_plenary):
    """Every piece of content in Chinese too, so that any English left on a page is interface."""
    for commitment in Commitment.objects.all():
        commitment.text_zh = f"雙方將推動第{commitment.item_position}項合作。"
        commitment.save()
    memorandum = fourth_plenary.memorandum
    memorandum.source_description = ""
    memorandum.signatories = "財政司司長陳茂波"
    memorandum.save()
    fourth_plenary.co_chairs = "行政長官林鄭月娥\n北京市市長陳吉寧"
    fourth_plenary.save()
    return fourth_plenary


def content_words() -> set[str]:
    """English words of what was agreed (shown beside its Chinese text, as agreed): not interface."""
    from memoranda.models import Area, Mechanism, Party

    texts = [f"{c.text} {c.title}" for c in Commitment.objects.all()]
    texts += [o.name for o in Organisation.objects.all()] + [a.name for a in Area.objects.all()]
    texts += [m.name for m in Mechanism.objects.all()] + [p.name for p in Party.objects.all()]
    return set(re.findall(r"[A-Za-z][A-Za-z'’]{2,}", " ".join(texts))) | {"coordinator"}


PAGES = [
    "/", "/commitments/", "/commitments/HKBJ-4-6.5/", "/commitments/HKBJ-4-6.5/update/", "/commitments/HKBJ-4-6.5/manage/",
    "/sessions/", "/sessions/HKBJ/4/", "/reports/", "/reports/sessions/HKBJ/4/", "/reports/mechanisms/HKBJ/",
    "/my/", "/reviews/", "/cycles/", "/cycles/new/", "/accounts/login/",
]


@pytest.mark.parametrize("language", ["zh-hant", "zh-hans"])
@pytest.mark.parametrize("path", PAGES)
def test_main_pages_have_no_english_interface_in_chinese(client, chinese_world, language, path):
    user = member_of(Organisation.objects.get(abbreviation="CMAB"), Role.COORDINATOR, user=UserFactory(first_name="陳", last_name="大文", username="coordinator-zh"))
    member_of(Organisation.objects.get(abbreviation="MTR"), Role.OFFICIAL, user=user)
    if path != "/accounts/login/":
        client.force_login(user)
    client.cookies["django_language"] = language
    response = client.get(path)
    assert response.status_code == 200
    assert response["Content-Language"] == language
    assert english_words(response.content.decode(), content_words()) == set()


def test_switcher_changes_the_script_and_remembers_it(client, fourth_plenary):
    user = member_of(Organisation.objects.get(abbreviation="CMAB"), Role.VIEWER)
    client.force_login(user)
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    page = client.get("/").content.decode()
    assert 'lang="zh-hans"' in page and "总览" in page and "京港合作会议第四次会议" in page
    client.post("/i18n/setlang/", {"language": "zh-hant", "next": "/"})
    page = client.get("/").content.decode()
    assert "總覽" in page and "京港合作會議第四次會議" in page
    assert Profile.objects.get(user=user).language == "zh-hant"


def test_signing_in_elsewhere_opens_in_the_chosen_language(client, fourth_plenary):
    user = UserFactory(username="beijing-official")
    Profile.objects.create(user=user, language="zh-hans")
    response = client.post("/accounts/login/", {"username": "beijing-official", "password": "pass-word-123"})
    assert response.status_code == 302
    assert client.cookies["django_language"].value == "zh-hans"


def test_browser_language_is_the_default(client, db):
    assert client.get("/accounts/login/", headers={"accept-language": "zh-CN,zh;q=0.9"})["Content-Language"] == "zh-hans"
    assert client.get("/accounts/login/", headers={"accept-language": "zh-HK"})["Content-Language"] == "zh-hant"


def test_dates_and_session_titles_per_language(fourth_plenary):
    from django.utils.formats import date_format

    with translation.override("en"):
        assert date_format(fourth_plenary.held_on, "DATE_FORMAT") == "24 October 2018"
        assert fourth_plenary.title == "Fourth Plenary Session of the Hong Kong/Beijing Co-operation Conference"
    with translation.override("zh-hant"):
        assert date_format(fourth_plenary.held_on, "DATE_FORMAT") == "2018年10月24日"
        assert fourth_plenary.title == "京港合作會議第四次會議"
    with translation.override("zh-hans"):
        assert fourth_plenary.title == "京港合作会议第四次会议"


def test_chinese_only_commitment_shows_with_a_marker_and_is_found_in_either_script(client, fourth_plenary):
    commitment = CommitmentFactory(
        session=fourth_plenary, area=Commitment.objects.first().area, area_position=9, item_position=1, ref="HKBJ-4-9.1",
        title="", text="", text_zh="雙方將推動港鐵與北京地鐵的人員交流。",
    )
    client.force_login(member_of(Organisation.objects.get(abbreviation="CMAB"), Role.VIEWER))
    page = client.get(commitment.get_absolute_url()).content.decode()
    assert "雙方將推動港鐵與北京地鐵的人員交流。" in page
    assert "other language" in page  # marked as shown in the other language
    for query in ["港鐵與北京", "港铁与北京"]:
        rows = client.get("/commitments/", {"q": query}).context["table"].paginated_rows
        assert [row.record.ref for row in rows] == ["HKBJ-4-9.1"]
    client.cookies["django_language"] = "zh-hans"
    assert "双方将推动港铁与北京地铁的人员交流。" in client.get(commitment.get_absolute_url()).content.decode()


def test_email_reaches_people_in_their_language(fourth_plenary, django_capture_on_commit_callbacks):
    cmab = Organisation.objects.get(abbreviation="CMAB")
    coordinator = member_of(cmab, Role.COORDINATOR, user=UserFactory(email="coordinator@example.org"))
    Profile.objects.create(user=coordinator, language="zh-hans")
    author = member_of(cmab, Role.OFFICIAL, user=UserFactory(email="author@example.org"))
    with django_capture_on_commit_callbacks(execute=True):
        services.progress_update_create(
            commitment=Commitment.objects.get(ref="HKBJ-4-2.1"), author=author, proposed_status="on_track",
            proposed_progress=20, narrative="进展顺利", submit=True,
        )
    message = next(m for m in mail.outbox if m.to == ["coordinator@example.org"])
    assert "有待您审核" in message.subject
