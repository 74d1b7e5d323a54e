"""The import service: all-or-nothing, idempotent, matching what the database already knows."""
import datetime
import io

import openpyxl
import pytest

from memoranda import services
from memoranda.models import Area, Commitment, Memorandum, PlenarySession
from memoranda.parsing import ParsedArea, ParsedItem, ParsedMemorandum, parse_memorandum
from memoranda.resources import CommitmentResource
from memoranda.sources import source_checksum

pytestmark = pytest.mark.django_db

FIFTH = """Fifth Plenary Session of the Hong Kong/Beijing Co-operation Conference held in Hong Kong

The Chief Executive and the Mayor of Beijing convened the Fifth Plenary Session of the Hong Kong/Beijing Co-operation Conference in Hong Kong today (November 20).

At the meeting, Hong Kong and Beijing reached consensus on the following two co-operation areas:

Services Industries

The Hong Kong Trade Development Council would again form a delegation of services industries to attend the China Beijing International Fair for Trade in Services.

City Management and Public Services

The two sides would encourage the MTR Corporation Limited and relevant enterprises in Beijing to deepen co-operation in transport-oriented development, railway operation and maintenance and professional training.

The memorandum of the Fifth Plenary Session was signed by both sides (Chinese only).
"""


def counts() -> tuple[int, ...]:
    return tuple(model.objects.count() for model in (PlenarySession, Memorandum, Area, Commitment))


def snapshot() -> dict[str, tuple]:
    return {
        c.ref: (
            c.area.name, c.text, c.status, c.lead_organisation.name,
            frozenset(c.supporting_organisations.values_list("name", flat=True)),
            frozenset(c.parties.values_list("code", flat=True)),
        )
        for c in Commitment.objects.select_related("area", "lead_organisation")
    }


def load_text(text: str, held_on: datetime.date | None, **kwargs) -> services.ImportResult:
    parsed = parse_memorandum(text, format="text")
    parsed.held_on = held_on or parsed.held_on
    return services.memorandum_import(parsed=parsed, checksum=source_checksum(text), source_text=text, **kwargs)


def test_seed_text_loads_to_what_the_fixture_holds(fourth_plenary, seed_text):
    from memoranda.models import Area, Memorandum, PlenarySession

    expected_areas = list(Area.objects.order_by("position").values_list("name", flat=True))
    expected = snapshot()
    Commitment.objects.all().delete(), Memorandum.objects.all().delete(), PlenarySession.objects.all().delete(), Area.objects.all().delete()

    result = load_text(seed_text, datetime.date(2018, 10, 24))

    assert result.created and result.commitments == 18 and result.areas_created == 8
    assert list(Area.objects.order_by("position").values_list("name", flat=True)) == expected_areas
    assert snapshot() == expected
    assert Commitment.objects.get(ref="HKBJ-4-6.5").lead_organisation.name == "MTR Corporation Limited"


def test_loading_the_same_source_twice_changes_nothing(without_fourth_plenary, seed_text):
    load_text(seed_text, datetime.date(2018, 10, 24))
    before = counts()
    again = load_text(seed_text, datetime.date(2018, 10, 24))
    assert again.created is False
    assert counts() == before


def test_fixture_source_is_recognised_as_already_loaded(fourth_plenary, seed_text):
    before = counts()
    result = load_text(seed_text, datetime.date(2018, 10, 24))
    assert result.created is False and result.memorandum.session == fourth_plenary
    assert counts() == before


def test_missing_date_is_asked_for_never_guessed(without_fourth_plenary, seed_text):
    with pytest.raises(services.MemorandumImportError) as error:
        load_text(seed_text, None)
    assert any("October 24" in p.message and p.field == "session.held_on" for p in error.value.problems)
    assert counts() == (0, 0, 0, 0)


def test_failure_after_rows_were_written_leaves_nothing(without_fourth_plenary):
    parsed = ParsedMemorandum(
        source_format="yaml", mechanism_code="HKBJ", session_number=9, held_on=datetime.date(2030, 1, 1),
        areas=[ParsedArea(name="Services Industries", items=[ParsedItem(text="Fine."), ParsedItem(text="Too long a title.", title="x" * 400)])],
    )
    with pytest.raises(services.MemorandumImportError, match="at most 300 characters"):
        services.memorandum_import(parsed=parsed, checksum="abc")
    assert counts() == (0, 0, 0, 0)


def test_unknown_lead_is_reported_and_nothing_written(without_fourth_plenary):
    parsed = ParsedMemorandum(
        source_format="yaml", mechanism_code="HKBJ", session_number=9, held_on=datetime.date(2030, 1, 1),
        areas=[ParsedArea(name="Youth Development", items=[ParsedItem(text="Youth exchanges.", lead="Ministry of Silly Walks")])],
    )
    with pytest.raises(services.MemorandumImportError) as error:
        services.memorandum_import(parsed=parsed, checksum="abc")
    assert "Unknown organisation 'Ministry of Silly Walks'" in str(error.value)
    assert counts() == (0, 0, 0, 0)


def test_unknown_mechanism_is_proposed_as_a_new_one(without_fourth_plenary):
    parsed = ParsedMemorandum(source_format="text", mechanism_name="Hong Kong/Atlantis Conference", session_number=1,
                              held_on=datetime.date(2030, 1, 1), areas=[ParsedArea(name="A", items=[ParsedItem(text="x")])])
    plan = services.memorandum_plan(parsed=parsed, checksum="x")
    assert plan.can_import and plan.new_mechanism.code == "HKAT"
    assert [party.code for party in plan.new_mechanism.parties] == ["hksar", "atlantis"]


def test_source_that_names_no_mechanism_is_refused(without_fourth_plenary):
    parsed = ParsedMemorandum(source_format="text", session_number=1,
                              held_on=datetime.date(2030, 1, 1), areas=[ParsedArea(name="A", items=[ParsedItem(text="x")])])
    plan = services.memorandum_plan(parsed=parsed, checksum="x")
    assert not plan.can_import and [p.field for p in plan.problems] == ["mechanism"]


def test_a_session_loaded_from_another_source_is_not_overwritten(fourth_plenary, seed_text):
    changed = seed_text.replace("Top-notch", "Leading")
    before = counts()
    with pytest.raises(services.MemorandumImportError) as error:
        load_text(changed, datetime.date(2018, 10, 24))
    assert "already in the database" in str(error.value)
    assert counts() == before


def test_later_session_reuses_areas_and_suggests_links_without_applying_them(fourth_plenary):
    parsed = parse_memorandum(FIFTH, format="text")
    parsed.held_on = datetime.date(2020, 11, 20)
    plan = services.memorandum_plan(parsed=parsed, checksum=source_checksum(FIFTH))
    assert [area.existing.name for area in plan.areas] == ["Services Industries", "City Management and Public Services"]
    mtr_item = plan.items[1]
    assert mtr_item.ref == "HKBJ-5-2.1"
    assert mtr_item.suggestions[0].commitment.ref == "HKBJ-4-6.5"
    assert plan.items[0].suggestions[0].commitment.ref == "HKBJ-4-2.3"

    result = services.memorandum_import(parsed=parsed, checksum=source_checksum(FIFTH), source_text=FIFTH)
    assert result.areas_created == 0
    assert Commitment.objects.get(ref="HKBJ-5-2.1").continues is None


def test_confirmed_link_is_made(fourth_plenary):
    parsed = parse_memorandum(FIFTH, format="text")
    parsed.held_on = datetime.date(2020, 11, 20)
    services.memorandum_import(parsed=parsed, checksum=source_checksum(FIFTH), links={1: "HKBJ-4-6.5"})
    later = Commitment.objects.get(ref="HKBJ-5-2.1")
    assert later.continues.ref == "HKBJ-4-6.5"
    assert later.lead_organisation.name == "MTR Corporation Limited"
    assert list(Commitment.objects.get(ref="HKBJ-4-6.5").continued_by.all()) == [later]


def test_link_to_a_commitment_that_is_not_earlier_is_refused(fourth_plenary):
    parsed = parse_memorandum(FIFTH, format="text")
    parsed.held_on = datetime.date(2020, 11, 20)
    before = counts()
    with pytest.raises(services.MemorandumImportError):
        services.memorandum_import(parsed=parsed, checksum=source_checksum(FIFTH), links={1: "HKBJ-9-1.1"})
    assert counts() == before


def test_chinese_memorandum_finds_its_mechanism_and_areas(fourth_plenary):
    with open("tests/memoranda/samples/zh-hant-5th.txt", encoding="utf-8") as sample:
        text = sample.read()
    result = load_text(text, None)
    session = result.memorandum.session
    assert (session.mechanism.code, session.number, str(session.held_on)) == ("HKBJ", 5, "2020-11-20")
    assert session.commitments.count() == 5
    assert Commitment.objects.get(ref="HKBJ-5-2.1").area.name == "Innovation and Technology"  # 創新科技 matched
    assert Commitment.objects.get(ref="HKBJ-5-1.1").status == "ongoing"  # 繼續
    assert Commitment.objects.get(ref="HKBJ-5-1.2").lead_organisation.abbreviation == "HKTDC"


def export_xlsx() -> bytes:
    return CommitmentResource().export(Commitment.objects.order_by("ref")).export("xlsx")


def edit_xlsx(data: bytes, ref: str, column: str, value) -> bytes:
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    sheet = workbook.active
    headers = [cell.value for cell in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        if row[0].value == ref:
            row[headers.index(column)].value = value
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_xlsx_round_trip_updates_exactly_the_edited_commitment(fourth_plenary):
    versions = dict(Commitment.objects.values_list("ref", "version"))
    edited = edit_xlsx(export_xlsx(), "HKBJ-4-6.5", "status", "at_risk")
    result = services.commitment_rows_import(data=edited, format="xlsx")
    assert result.updated == ["HKBJ-4-6.5"] and not result.new and len(result.unchanged) == 17
    assert Commitment.objects.get(ref="HKBJ-4-6.5").status == "at_risk"
    after = dict(Commitment.objects.values_list("ref", "version"))
    assert {ref for ref in after if after[ref] != versions[ref]} == {"HKBJ-4-6.5"}
    assert Commitment.objects.count() == 18


def test_rows_dry_run_writes_nothing(fourth_plenary):
    edited = edit_xlsx(export_xlsx(), "HKBJ-4-6.5", "status", "at_risk")
    result = services.commitment_rows_import(data=edited, format="xlsx", dry_run=True)
    assert result.updated == ["HKBJ-4-6.5"]
    assert Commitment.objects.get(ref="HKBJ-4-6.5").status == "not_started"


def test_rows_with_an_unknown_organisation_change_nothing(fourth_plenary):
    edited = edit_xlsx(export_xlsx(), "HKBJ-4-6.5", "status", "at_risk")
    edited = edit_xlsx(edited, "HKBJ-4-7.1", "lead_organisation", "Nobody Bureau")
    with pytest.raises(services.MemorandumImportError) as error:
        services.commitment_rows_import(data=edited, format="xlsx")
    assert any(p.line == 18 and "Nobody Bureau" in p.message for p in error.value.problems)
    assert Commitment.objects.get(ref="HKBJ-4-6.5").status == "not_started"


def test_csv_export_reimports_unchanged(fourth_plenary):
    data = CommitmentResource().export().export("csv").encode("utf-8")
    result = services.commitment_rows_import(data=data, format="csv")
    assert len(result.unchanged) == 18 and not result.updated


def test_two_areas_with_one_chinese_name_are_refused_before_writing(without_fourth_plenary):
    parsed = ParsedMemorandum(
        source_format="yaml", mechanism_code="HKBJ", session_number=9, held_on=datetime.date(2030, 1, 1),
        areas=[ParsedArea(name="Alpha", name_zh="甲區", items=[ParsedItem(text="a")]), ParsedArea(name="Beta", name_zh="甲區", items=[ParsedItem(text="b")])],
    )
    assert "appears twice" in str(services.memorandum_plan(parsed=parsed, checksum="x").problems)
    with pytest.raises(services.MemorandumImportError):
        services.memorandum_import(parsed=parsed, checksum="x")
    assert counts() == (0, 0, 0, 0)


def test_a_memorandum_without_items_is_refused(without_fourth_plenary):
    parsed = ParsedMemorandum(source_format="yaml", mechanism_code="HKBJ", session_number=9, held_on=datetime.date(2030, 1, 1))
    with pytest.raises(services.MemorandumImportError, match="no item"):
        services.memorandum_import(parsed=parsed, checksum="x")


def test_failed_load_leaves_no_source_file(without_fourth_plenary, settings):
    parsed = ParsedMemorandum(
        source_format="yaml", mechanism_code="HKBJ", session_number=9, held_on=datetime.date(2030, 1, 1),
        areas=[ParsedArea(name="Youth Development", items=[ParsedItem(text="x", title="y" * 400)])],
    )
    with pytest.raises(services.MemorandumImportError):
        services.memorandum_import(parsed=parsed, checksum="x", source_file=("memo.yaml", b"data"))
    media = settings.MEDIA_ROOT
    assert not any(media.rglob("*")) if media.exists() else True
