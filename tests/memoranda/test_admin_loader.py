"""The "Load memorandum" admin screen: upload or paste → preview (fix the split) → confirm."""
import io
import re

import pytest
import yaml
from django.urls import reverse

from memoranda.models import Commitment, Organisation, PlenarySession
from tests.factories import UserFactory, member_of
from tracker.models import Role

pytestmark = pytest.mark.django_db
LOAD = "/admin/memoranda/memorandum/load/"


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    return client


def preview_post_data(response) -> dict:
    """The preview form's fields as a browser would send them back."""
    data = {}
    session_form, formset = response.context["session_form"], response.context["formset"]
    for form in [session_form, *formset.forms]:
        for name in form.fields:
            value = form[name].value()
            if value is None or value is False:
                continue
            if isinstance(value, list):
                data[form.add_prefix(name)] = value
            elif hasattr(value, "pk"):
                data[form.add_prefix(name)] = value.pk
            else:
                data[form.add_prefix(name)] = str(value)
    for name, value in formset.management_form.initial.items():
        data[f"{formset.prefix}-{name}"] = value
    return data


def paste(client, text: str, **extra):
    return client.post(LOAD, {"text": text, "format": "auto", **extra})


def test_only_administrators_may_load(client, fourth_plenary):
    coordinator = member_of(Organisation.objects.get(abbreviation="CMAB"), Role.COORDINATOR)
    coordinator.is_staff = True
    coordinator.save()
    client.force_login(coordinator)
    assert client.get(LOAD).status_code == 403


def test_paste_preview_confirm_then_paste_again(admin_client, without_fourth_plenary, seed_text):
    response = paste(admin_client, seed_text)
    assert response.status_code == 302
    preview = admin_client.get(response["Location"])
    assert preview.status_code == 200
    plan = preview.context["plan"]
    assert (len(plan.areas), len(plan.items)) == (8, 18)
    assert "Enter the date the session was held (the source gives October 24 but not the year)" in preview.content.decode()
    assert Commitment.objects.count() == 0  # nothing written before confirm

    data = preview_post_data(preview)
    data.update({"session-held_on": "2018-10-24", "confirm": "1"})
    done = admin_client.post(response["Location"], data)
    assert done.status_code == 302 and done["Location"] == "/sessions/HKBJ/4/"
    assert Commitment.objects.filter(session__number=4).count() == 18
    assert Commitment.objects.get(ref="HKBJ-4-6.5").lead_organisation.name == "MTR Corporation Limited"

    again = admin_client.get(paste(admin_client, seed_text)["Location"])
    assert again.context["plan"].already_loaded is not None
    assert "already loaded" in again.content.decode()
    assert Commitment.objects.count() == 18


def test_confirm_without_a_date_explains_next_to_the_field(admin_client, without_fourth_plenary, seed_text):
    url = paste(admin_client, seed_text)["Location"]
    data = preview_post_data(admin_client.get(url))
    data["confirm"] = "1"
    response = admin_client.post(url, data)
    assert response.status_code == 400
    assert response.context["session_form"].errors["held_on"]
    assert Commitment.objects.count() == 0


def test_preview_fixes_the_split(admin_client, without_fourth_plenary, seed_text):
    url = paste(admin_client, seed_text)["Location"]
    data = preview_post_data(admin_client.get(url))
    data["session-held_on"] = "2018-10-24"
    data["items-2-merge_with_previous"] = "on"  # join 2.2 to 2.1
    data["items-17-remove"] = "on"  # leave out 8.1
    data["items-0-text"] = data["items-0-text"] + "\n\nA second item split off the first."
    data["items-4-area_name"] = "Services Industries"  # move 3.1 up into area 2
    response = admin_client.post(url, data)
    plan = response.context["plan"]
    assert [len(area.items) for area in plan.areas] == [2, 3, 1, 2, 3, 5, 1]
    assert plan.items[1].parsed.text == "A second item split off the first."
    response = admin_client.post(url, {**preview_post_data(response), "confirm": "1"})
    assert response.status_code == 302
    assert Commitment.objects.count() == 17
    assert "Representatives from Beijing" in Commitment.objects.get(ref="HKBJ-4-2.1").text


@pytest.mark.parametrize(
    "upload, message",
    [
        (b"", "Upload a file or paste the text"),
        (b"%PDF-1.7 binary", "This PDF could not be read"),
        (b"\x00\x01\x02\x03" * 100, "binary"),
        (b"Just a sentence. And another one.", "No co-operation area headings"),
        (b"mechanism: {code: HKBJ}\nsession: {number: 5}\nareas:\n  - name: A\n    items:\n      - text: x\n        due_on: 2018-02-30\n", "2018-02-30"),
    ],
)
def test_bad_uploads_are_refused_with_a_message(admin_client, fourth_plenary, upload, message):
    before = Commitment.objects.count()
    files = {"file": io.BytesIO(upload)} if upload else {}
    if upload:
        files["file"].name = "memorandum.yaml" if upload.startswith(b"mechanism") else "memorandum.txt"
    response = admin_client.post(LOAD, {"format": "auto", **files})
    assert response.status_code in (200, 400)
    assert message in response.content.decode()
    assert Commitment.objects.count() == before


def test_twenty_megabyte_paste_is_refused(admin_client, fourth_plenary):
    response = paste(admin_client, "Services Industries\n\n" + "x" * 20_000_000)
    assert response.status_code == 400
    assert "too" in response.content.decode().lower()
    assert PlenarySession.objects.count() == 1


def test_gb18030_upload_is_read(admin_client, fourth_plenary):
    text = open("tests/memoranda/samples/zh-hant-5th.txt", encoding="utf-8").read()
    upload = io.BytesIO(text.replace("繁", "繁").encode("gb18030"))
    upload.name = "memorandum.txt"
    response = admin_client.post(LOAD, {"format": "auto", "file": upload})
    preview = admin_client.get(response["Location"])
    assert [area.name_zh for area in preview.context["plan"].areas] == ["經貿合作", "創新科技", "青年發展"]


def test_structured_file_with_many_items_shows_progress(admin_client, without_fourth_plenary):
    document = {
        "mechanism": {"code": "HKBJ"},
        "session": {"number": 6, "held_on": "2024-06-01"},
        "areas": [{"name": "Youth Development", "items": [f"Item number {n} would be done." for n in range(120)]}],
    }
    upload = io.BytesIO(yaml.safe_dump(document).encode())
    upload.name = "sixth.yaml"
    url = admin_client.post(LOAD, {"format": "auto", "file": upload})["Location"]
    data = {**preview_post_data(admin_client.get(url)), "confirm": "1"}
    response = admin_client.post(url, data)
    body = b"".join(response.streaming_content).decode()
    assert "120 / 120" in body and "Loaded 120 commitments" in body
    assert Commitment.objects.filter(session__number=6).count() == 120


def test_rows_upload_previews_then_updates(admin_client, fourth_plenary):
    from memoranda.resources import CommitmentResource

    dataset = CommitmentResource().export(Commitment.objects.order_by("ref"))
    csv = dataset.export("csv").replace("HKBJ-4-6.5,HKBJ-4,City Management and Public Services", "HKBJ-4-6.5,HKBJ-4,City Management and Public Services")
    rows = [line for line in csv.splitlines()]
    index = next(i for i, line in enumerate(rows) if line.startswith("HKBJ-4-6.5"))
    rows[index] = re.sub(r",not_started,0,", ",on_track,20,", rows[index])
    upload = io.BytesIO("\n".join(rows).encode("utf-8"))
    upload.name = "commitments.csv"
    response = admin_client.post(LOAD, {"format": "auto", "file": upload})
    assert response.status_code == 200
    assert response.context["result"].updated == ["HKBJ-4-6.5"]
    assert Commitment.objects.get(ref="HKBJ-4-6.5").status == "not_started"
    confirm = admin_client.post(reverse("admin:memoranda_memorandum_rows_confirm", args=[response.context["token"]]))
    assert confirm.status_code == 302
    assert (Commitment.objects.get(ref="HKBJ-4-6.5").status, Commitment.objects.get(ref="HKBJ-4-6.5").progress) == ("on_track", 20)


def test_expired_preview_is_refused_not_500(admin_client, fourth_plenary):
    assert admin_client.get("/admin/memoranda/memorandum/load/nonsense/").status_code == 403


def test_later_session_with_a_chosen_link(admin_client, fourth_plenary):
    text = open("tests/memoranda/samples/en-5th.txt", encoding="utf-8").read()
    url = paste(admin_client, text, held_on="2020-11-20")["Location"]
    preview = admin_client.get(url)
    plan = preview.context["plan"]
    assert plan.items[2].suggestions[0].commitment.ref == "HKBJ-4-6.5"
    assert "% alike" in preview.content.decode()
    data = {**preview_post_data(preview), "items-2-continues": "HKBJ-4-6.5", "confirm": "1"}
    assert admin_client.post(url, data).status_code == 302
    assert Commitment.objects.get(ref="HKBJ-5-2.1").continues.ref == "HKBJ-4-6.5"
    assert Commitment.objects.get(ref="HKBJ-5-1.1").continues is None  # suggested, not chosen: no link
    again = admin_client.get(paste(admin_client, text)["Location"])
    assert again.context["plan"].already_loaded.session.number == 5
    assert Commitment.objects.filter(session__number=5).count() == 4


def test_invalid_link_choice_is_explained_not_500(admin_client, fourth_plenary):
    text = open("tests/memoranda/samples/en-5th.txt", encoding="utf-8").read()
    url = paste(admin_client, text, held_on="2020-11-20")["Location"]
    data = {**preview_post_data(admin_client.get(url)), "items-0-continues": "HKBJ-9-9.9", "confirm": "1"}
    response = admin_client.post(url, data)
    assert response.status_code == 400
    assert response.context["formset"].forms[0].errors["continues"]
    assert Commitment.objects.filter(session__number=5).count() == 0


def test_tampered_mechanism_in_the_preview_is_refused_not_500(admin_client, without_fourth_plenary, seed_text):
    url = paste(admin_client, seed_text)["Location"]
    data = {**preview_post_data(admin_client.get(url)), "session-mechanism": "abc", "confirm": "1"}
    assert admin_client.post(url, data).status_code == 400
    assert Commitment.objects.count() == 0


def test_a_rows_preview_token_does_not_open_a_memorandum_preview(admin_client, fourth_plenary):
    from memoranda.resources import CommitmentResource

    upload = io.BytesIO(CommitmentResource().export().export("csv").encode())
    upload.name = "rows.csv"
    token = admin_client.post(LOAD, {"format": "auto", "file": upload}).context["token"]
    assert admin_client.get(f"/admin/memoranda/memorandum/load/{token}/").status_code == 403


# --- Real documents: a new mechanism, a memorandum in the other language --------------------------

ZH_MEMORANDUM = "fixtures/seeds/hk-beijing-4th-plenary-2018-memorandum-zh-hant.txt"


def pairs_post_data(response) -> dict:
    data = {"mode": "align"}
    session_form, formset = response.context["session_form"], response.context["formset"]
    for name in session_form.fields:
        value = session_form[name].value()
        if value not in (None, False, ""):
            data[session_form.add_prefix(name)] = value.pk if hasattr(value, "pk") else str(value)
    for form in formset.forms:
        data[form.add_prefix("pair")] = form["pair"].value() or ""
    for name, value in formset.management_form.initial.items():
        data[f"{formset.prefix}-{name}"] = value
    return data


def test_seed_into_an_empty_database_through_the_screen_creates_the_mechanism(admin_client, db, seed_text):
    url = paste(admin_client, seed_text)["Location"]
    preview = admin_client.get(url)
    page = preview.content.decode()
    assert "New mechanism" in page and 'value="HKBJ"' in page
    assert preview.context["session_form"]["language"].value() == "zh"  # the release says "(Chinese only)"
    data = preview_post_data(preview)
    assert "session-mechanism" not in data and data["session-new_party_1"] == "Hong Kong"
    data.update({"session-held_on": "2018-10-24", "session-new_code": "HKBJ", "confirm": "1"})
    done = admin_client.post(url, data)
    assert done.status_code == 302 and done["Location"] == "/sessions/HKBJ/4/"
    assert Commitment.objects.count() == 18


def test_new_mechanism_code_is_checked_next_to_the_field(admin_client, db, seed_text):
    url = paste(admin_client, seed_text)["Location"]
    data = preview_post_data(admin_client.get(url))
    data.update({"session-held_on": "2018-10-24", "session-new_code": "hk bj", "confirm": "1"})
    response = admin_client.post(url, data)
    assert response.status_code == 400 and response.context["session_form"].errors["new_code"]
    assert Commitment.objects.count() == 0


def test_chinese_memorandum_is_paired_then_fills_the_chinese_text(admin_client, fourth_plenary):
    with open(ZH_MEMORANDUM, encoding="utf-8") as source:
        url = paste(admin_client, source.read())["Location"]
    preview = admin_client.get(url)
    assert preview.templates[0].name == "admin/memoranda/memorandum/align.html"
    assert [form["pair"].value() for form in preview.context["formset"].forms][:2] == ["HKBJ-4-1.1", "HKBJ-4-2.1"]
    data = pairs_post_data(preview)
    data["pairs-0-pair"] = ""  # leave the first item out
    data["confirm"] = "1"
    done = admin_client.post(url, data)
    assert done.status_code == 302 and done["Location"] == "/sessions/HKBJ/4/"
    assert Commitment.objects.get(ref="HKBJ-4-1.1").text_zh == ""
    assert "香港鐵路有限公司" in Commitment.objects.get(ref="HKBJ-4-6.5").text_zh
    assert Commitment.objects.count() == 18


def test_pairing_two_items_with_one_commitment_is_explained_and_writes_nothing(admin_client, fourth_plenary):
    with open(ZH_MEMORANDUM, encoding="utf-8") as source:
        url = paste(admin_client, source.read())["Location"]
    data = pairs_post_data(admin_client.get(url))
    data.update({"pairs-1-pair": "HKBJ-4-1.1", "confirm": "1"})
    response = admin_client.post(url, data)
    assert response.status_code == 400
    assert "HKBJ-4-1.1" in str(response.context["formset"].non_form_errors())
    assert not Commitment.objects.exclude(text_zh="").exists()


def test_english_release_paired_onto_a_session_loaded_from_chinese_needs_no_date(admin_client, without_fourth_plenary, seed_text):
    """The release gives no year, but the session exists: its own date stands, and only which session matters."""
    with open(ZH_MEMORANDUM, encoding="utf-8") as source:
        url = paste(admin_client, source.read())["Location"]
    data = preview_post_data(admin_client.get(url))
    admin_client.post(url, {**data, "confirm": "1"})
    assert Commitment.objects.filter(text="").count() == 18
    url = paste(admin_client, seed_text)["Location"]
    preview = admin_client.get(url)
    page = preview.content.decode()
    assert 'type="hidden" name="session-held_on" value="2018-10-24"' in page
    done = admin_client.post(url, {**pairs_post_data(preview), "confirm": "1"})
    assert done.status_code == 302
    assert not Commitment.objects.filter(text="").exists()


def test_a_chosen_file_is_kept_when_the_form_comes_back_with_an_error(admin_client, without_fourth_plenary, seed_text):
    upload = io.BytesIO(seed_text.encode("utf-8"))
    upload.name = "release.txt"
    refused = admin_client.post(LOAD, {"file": upload, "format": "auto", "held_on": "24 October"})
    assert refused.context["form"].errors["held_on"]
    assert "release.txt" in refused.content.decode()
    again = admin_client.post(LOAD, {"format": "auto", "held_on": "2018-10-24"})  # the file is not chosen again
    assert again.status_code == 302
    assert admin_client.get(again["Location"]).context["plan"].parsed.held_on.isoformat() == "2018-10-24"
