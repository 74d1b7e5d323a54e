"""Loading what secretariats really have: a first session of a new mechanism, the seed into an
empty database, and a memorandum in the other language aligned onto a session already loaded."""
import datetime
from pathlib import Path

import pytest

from memoranda import services
from memoranda.models import AlignedSource, Area, Commitment, Mechanism, Party, PlenarySession
from memoranda.parsing import ParsedArea, ParsedItem, parse_memorandum
from memoranda.services import MemorandumImportError
from memoranda.sources import source_checksum

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "fixtures" / "seeds" / "hk-beijing-4th-plenary-2018.txt"
ZH_MEMORANDUM = ROOT / "fixtures" / "seeds" / "hk-beijing-4th-plenary-2018-memorandum-zh-hant.txt"
ZH_HANS_MEMORANDUM = Path(__file__).resolve().parent / "samples" / "zh-hans-4th-memorandum-aligned.txt"

SHANGHAI = (Path(__file__).resolve().parent / "samples" / "en-hksh-6th-headline-single-newlines.txt").read_text(encoding="utf-8")


def load(text: str, *, held_on=None, mechanism=None, pairs=None, number=None):
    parsed = parse_memorandum(text)
    if held_on:
        parsed.held_on = held_on
    if number:
        parsed.session_number = number
    return services.memorandum_import(parsed=parsed, checksum=source_checksum(text), source_text=text, mechanism=mechanism, pairs=pairs)


def plan_of(text: str, **extra):
    parsed = parse_memorandum(text)
    for name, value in extra.items():
        setattr(parsed, name, value)
    return services.memorandum_plan(parsed=parsed, checksum=source_checksum(text))


# --- A first session of a new mechanism ----------------------------------------------------------


@pytest.mark.django_db
def test_seed_into_an_empty_database_proposes_its_mechanism_and_parties():
    plan = plan_of(SEED.read_text(encoding="utf-8"), held_on=datetime.date(2018, 10, 24))
    assert plan.problems == []
    proposal = plan.new_mechanism
    assert (proposal.code, proposal.name, proposal.name_zh) == ("HKBJ", "Hong Kong/Beijing Co-operation Conference", "京港合作會議")
    assert [(party.name, party.name_zh, party.pk) for party in proposal.parties] == [("Hong Kong", "香港", None), ("Beijing", "北京", None)]
    assert any("new mechanism" in warning.message for warning in plan.warnings)


@pytest.mark.django_db
def test_seed_into_an_empty_database_loads_the_fixtures_eight_areas_and_eighteen_items():
    result = load(SEED.read_text(encoding="utf-8"), held_on=datetime.date(2018, 10, 24))
    assert result.created and result.commitments == 18
    mechanism = Mechanism.objects.get()
    assert mechanism.code == "HKBJ"
    assert sorted(mechanism.parties.values_list("short_name", flat=True)) == ["Beijing", "Hong Kong"]
    assert list(Area.objects.order_by("position").values_list("name", flat=True))[:2] == [
        "The Belt and Road Initiative, Economic and Trade Co-operation", "Services Industries"]
    session = PlenarySession.objects.get()
    assert (session.number, session.held_on, session.venue) == (4, datetime.date(2018, 10, 24), "Beijing")
    refs = list(Commitment.objects.values_list("ref", flat=True))
    assert len(refs) == 18 and "HKBJ-4-6.5" in refs and "HKBJ-4-8.1" in refs


@pytest.mark.django_db
def test_second_load_of_the_seed_changes_nothing():
    text = SEED.read_text(encoding="utf-8")
    load(text, held_on=datetime.date(2018, 10, 24))
    again = load(text, held_on=datetime.date(2018, 10, 24))
    assert not again.created
    assert (Mechanism.objects.count(), Party.objects.count(), Commitment.objects.count()) == (1, 2, 18)


@pytest.mark.django_db
def test_release_of_another_mechanism_matches_the_existing_hong_kong_party(fourth_plenary):
    plan = plan_of(SHANGHAI, held_on=datetime.date(2023, 8, 28))
    assert plan.problems == []
    assert plan.new_mechanism.code == "HKSH"
    hong_kong, shanghai = plan.new_mechanism.parties
    assert hong_kong.code == "hksar" and hong_kong.pk is not None  # the HKSAR Government, as it is
    assert shanghai.pk is None and shanghai.name == "Shanghai"
    result = load(SHANGHAI, held_on=datetime.date(2023, 8, 28))
    mechanism = Mechanism.objects.get(code="HKSH")
    assert mechanism.name == "Hong Kong/Shanghai Economic and Trade Co-operation Conference"
    assert mechanism.parties.count() == 2 and Party.objects.count() == 3
    assert result.commitments == 4
    assert list(mechanism.areas.values_list("name", flat=True)) == ["Trade and investment", "Financial services", "Close liaison and exchanges"]


@pytest.mark.django_db
def test_administrator_may_change_the_proposed_code(fourth_plenary):
    parsed = parse_memorandum(SHANGHAI)
    parsed.held_on, parsed.mechanism_code = datetime.date(2023, 8, 28), "HKSHETCC"
    services.memorandum_import(parsed=parsed, checksum="x")
    assert Commitment.objects.filter(ref="HKSHETCC-6-1.1").exists()


@pytest.mark.django_db
def test_proposed_code_that_is_taken_gets_a_number(fourth_plenary):
    Mechanism.objects.create(code="HKSH", name="Another one")
    assert plan_of(SHANGHAI).new_mechanism.code == "HKSH2"


@pytest.mark.django_db
def test_bad_code_for_a_new_mechanism_is_a_problem_and_nothing_is_written(fourth_plenary):
    parsed = parse_memorandum(SHANGHAI)
    parsed.held_on, parsed.mechanism_code = datetime.date(2023, 8, 28), "hk-sh"
    with pytest.raises(MemorandumImportError) as raised:
        services.memorandum_import(parsed=parsed, checksum="x")
    assert [p.field for p in raised.value.problems] == ["mechanism.code"]
    assert Mechanism.objects.count() == 1 and Party.objects.count() == 2


@pytest.mark.django_db
def test_a_session_without_a_number_asks_for_it():
    text = SHANGHAI.replace("Sixth Plenary Session of the ", "").replace(" holds sixth plenary session", " meets")
    plan = plan_of(text, held_on=datetime.date(2023, 8, 28))
    assert [p.field for p in plan.problems] == ["session.number"]
    result = load(text, held_on=datetime.date(2023, 8, 28), number=6)
    assert result.commitments == 4 and PlenarySession.objects.get().number == 6


@pytest.mark.django_db
def test_chinese_name_of_an_existing_mechanism_in_the_other_script_is_the_same_mechanism(without_fourth_plenary):
    plan = plan_of(ZH_HANS_MEMORANDUM.read_text(encoding="utf-8"))
    assert plan.mechanism == without_fourth_plenary and plan.new_mechanism is None


# --- A memorandum in the other language, aligned -----------------------------------------------


@pytest.mark.django_db
def test_chinese_memorandum_is_aligned_with_the_fourth_plenary_item_by_item(fourth_plenary):
    plan = plan_of(ZH_MEMORANDUM.read_text(encoding="utf-8"))
    assert plan.problems == []
    assert plan.alignment is not None and plan.alignment.language == "zh"
    pairs = [(item.commitment.ref, item.parsed.text_zh[:6]) for item in plan.alignment.items]
    assert [ref for ref, _ in pairs] == list(fourth_plenary.commitments.order_by("area_position", "item_position").values_list("ref", flat=True))
    assert plan.alignment.changes == 18


@pytest.mark.django_db
def test_aligned_chinese_memorandum_fills_the_chinese_text_and_creates_nothing(fourth_plenary):
    text = ZH_MEMORANDUM.read_text(encoding="utf-8")
    before = Commitment.objects.count()
    result = load(text)
    assert result.aligned and result.commitments == 18
    assert Commitment.objects.count() == before
    mtr = Commitment.objects.get(ref="HKBJ-4-6.5")
    assert "香港鐵路有限公司" in mtr.text_zh and mtr.text.startswith("The two sides would encourage the MTR")
    assert mtr.history.first().history_change_reason == "Chinese text added from the Chinese memorandum"
    assert not Commitment.objects.filter(session=fourth_plenary, text_zh="").exists()
    assert AlignedSource.objects.get().items_filled == 18


@pytest.mark.django_db
def test_second_load_of_the_aligned_memorandum_changes_nothing(fourth_plenary):
    text = ZH_MEMORANDUM.read_text(encoding="utf-8")
    load(text)
    versions = list(Commitment.objects.order_by("pk").values_list("version", flat=True))
    again = load(text)
    assert not again.created and not again.aligned
    assert list(Commitment.objects.order_by("pk").values_list("version", flat=True)) == versions
    # the same memorandum in the other script is another source with nothing left to fill
    other = load(ZH_HANS_MEMORANDUM.read_text(encoding="utf-8"))
    assert other.aligned and other.commitments == 0
    assert list(Commitment.objects.order_by("pk").values_list("version", flat=True)) == versions


@pytest.mark.django_db
def test_administrator_may_repair_and_leave_out_items(fourth_plenary):
    text = ZH_MEMORANDUM.read_text(encoding="utf-8")
    refs = list(fourth_plenary.commitments.order_by("area_position", "item_position").values_list("ref", flat=True))
    pairs = dict(enumerate(refs))
    pairs[0] = ""  # leave the first item out
    load(text, pairs=pairs)
    assert Commitment.objects.get(ref=refs[0]).text_zh == ""
    assert Commitment.objects.get(ref=refs[1]).text_zh


@pytest.mark.django_db
def test_two_items_paired_with_one_commitment_are_refused_and_nothing_is_written(fourth_plenary):
    refs = list(fourth_plenary.commitments.order_by("area_position", "item_position").values_list("ref", flat=True))
    pairs = dict(enumerate(refs))
    pairs[1] = refs[0]
    with pytest.raises(MemorandumImportError) as raised:
        load(ZH_MEMORANDUM.read_text(encoding="utf-8"), pairs=pairs)
    assert any(refs[0] in p.message for p in raised.value.problems)
    assert not Commitment.objects.exclude(text_zh="").exists()
    assert not AlignedSource.objects.exists()


@pytest.mark.django_db
def test_english_release_aligned_onto_a_session_loaded_from_chinese(without_fourth_plenary):
    load(ZH_MEMORANDUM.read_text(encoding="utf-8"))
    session = PlenarySession.objects.get(number=4)
    assert session.commitments.count() == 18 and not session.commitments.exclude(text="").exists()
    result = load(SEED.read_text(encoding="utf-8"), held_on=datetime.date(2018, 10, 24))
    assert result.aligned and result.commitments == 18
    assert session.commitments.filter(text__startswith="The two sides would encourage the MTR").count() == 1
    assert session.memorandum.title == "Memorandum of the Fourth Plenary Session of the Hong Kong/Beijing Co-operation Conference"


@pytest.mark.django_db
def test_counts_that_differ_are_aligned_as_sequences(fourth_plenary):
    parsed = parse_memorandum(ZH_MEMORANDUM.read_text(encoding="utf-8"))
    del parsed.areas[5].items[2]  # the Chinese text lacks one item of area 6
    plan = services.memorandum_plan(parsed=parsed, checksum="y")
    refs = [item.commitment.ref for item in plan.alignment.items]
    assert "HKBJ-4-6.3" not in refs
    assert refs[:14] == [f"HKBJ-4-{ref}" for ref in ("1.1", "2.1", "2.2", "2.3", "3.1", "3.2", "4.1", "4.2", "5.1", "5.2", "5.3", "6.1", "6.2", "6.4")]


@pytest.mark.django_db
def test_a_different_source_in_the_same_language_is_still_refused(fourth_plenary):
    parsed = parse_memorandum(SEED.read_text(encoding="utf-8"))
    parsed.areas[0].items[0].text = "Something else entirely."
    for area in parsed.areas:
        for item in area.items:
            item.text = item.text + " Changed."
    plan = services.memorandum_plan(parsed=parsed, checksum="z")
    assert [p.field for p in plan.problems] == ["session.number"]
    assert "already in the database" in plan.problems[0].message


def test_parsed_area_helpers_stay_plain():
    assert ParsedArea(name_zh="經貿").any_name == "經貿" and ParsedItem(text_zh="x").any_text == "x"
