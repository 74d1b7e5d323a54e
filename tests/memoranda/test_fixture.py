"""The 4th plenary as data: the bundled fixture against the source document it was made from."""
from pathlib import Path

import pytest

from memoranda.models import Area, Commitment, Mechanism, Status
from memoranda.sources import normalise_source_text, source_checksum

SEED = Path(__file__).resolve().parents[2] / "fixtures" / "seeds" / "hk-beijing-4th-plenary-2018.txt"
AREA_HEADINGS = [
    "The Belt and Road Initiative, Economic and Trade Co-operation",
    "Services Industries",
    "Innovation and Technology",
    "Cultural and Creative Industries",
    "Education and Training of Civil Servants",
    "City Management and Public Services",
    "Youth Development",
    "Facilitation Measures for Hong Kong People in the Mainland",
]


def seed_items() -> dict[str, str]:
    """ref → paragraph, read from the seed independently of how the fixture was made."""
    paragraphs = normalise_source_text(SEED.read_text(encoding="utf-8")).split("\n\n")
    items, area, item, pending = {}, 0, 0, ""
    for paragraph in paragraphs:
        paragraph = paragraph.strip()
        if paragraph in AREA_HEADINGS:
            area, item = AREA_HEADINGS.index(paragraph) + 1, 0
            continue
        if not area or paragraph.startswith("The memorandum of"):
            if paragraph.startswith("The memorandum of"):
                break
            continue
        if pending:  # a page break cut the previous paragraph in mid-sentence
            items[f"HKBJ-4-{area}.{item}"] = f"{pending} {paragraph}"
            pending = ""
            continue
        item += 1
        if not paragraph.endswith("."):
            pending = paragraph
            continue
        items[f"HKBJ-4-{area}.{item}"] = paragraph
    return items


@pytest.fixture
def loaded(fourth_plenary):
    return fourth_plenary


def test_fixture_has_eight_areas_in_order(loaded):
    assert list(Area.objects.filter(mechanism__code="HKBJ").order_by("position").values_list("name", flat=True)) == AREA_HEADINGS


def test_fixture_has_all_eighteen_items_with_seed_text(loaded):
    expected = seed_items()
    assert len(expected) == 18
    actual = dict(Commitment.objects.filter(session=loaded).values_list("ref", "text"))
    assert actual == expected


def test_page_break_paragraph_is_one_item(loaded):
    flood = Commitment.objects.get(ref="HKBJ-4-6.1")
    assert "continue to take forward the staff exchange" in flood.text
    assert Commitment.objects.filter(text__startswith="forward the staff").count() == 0


def test_mechanism_and_session_facts(loaded):
    mechanism = Mechanism.objects.get(code="HKBJ")
    assert mechanism.name == "Hong Kong/Beijing Co-operation Conference"
    assert mechanism.established_year == 2004
    assert "Beijing-Hong Kong Economic and Trade Co-operation Conference" in mechanism.former_names
    assert mechanism.parties.count() == 2
    assert str(loaded.held_on) == "2018-10-24"
    assert loaded.venue == "Beijing"
    assert "Carrie Lam" in loaded.co_chairs and "Chen Jining" in loaded.co_chairs
    memorandum = loaded.memorandum
    assert memorandum.language == "zh"
    assert "Financial Secretary" in memorandum.signatories and "Vice Mayor" in memorandum.signatories
    assert memorandum.source_text == normalise_source_text(SEED.read_text(encoding="utf-8"))
    assert memorandum.checksum == source_checksum(SEED.read_text(encoding="utf-8"))


def test_named_organisations_own_their_items(loaded):
    def owners(ref):
        commitment = Commitment.objects.get(ref=ref)
        return {commitment.lead_organisation.name} | set(commitment.supporting_organisations.values_list("name", flat=True))

    assert Commitment.objects.get(ref="HKBJ-4-6.5").lead_organisation.name == "MTR Corporation Limited"
    assert "Hong Kong Trade Development Council" in owners("HKBJ-4-2.3")
    assert {"West Kowloon Cultural District Authority", "Beijing Tianqiao Performing Arts Center"} <= owners("HKBJ-4-4.2")
    assert "Beijing-Hong Kong University Alliance" in owners("HKBJ-4-5.2")
    assert "Hong Kong Science Park" in owners("HKBJ-4-3.2")
    assert "People's Government of Beijing Municipality" in owners("HKBJ-4-8.1")
    assert owners("HKBJ-4-6.2") == {
        "Constitutional and Mainland Affairs Bureau",
        "Beijing Municipal Hong Kong and Macao Affairs Office",
    }


def test_items_that_continue_an_arrangement_are_ongoing(loaded):
    for commitment in Commitment.objects.filter(session=loaded):
        expected = Status.ONGOING if " would continue to " in commitment.text else Status.NOT_STARTED
        assert commitment.status == expected, commitment.ref
