"""The plain-text parser: English press releases like the seed, and Chinese memoranda. No database."""
import datetime
from pathlib import Path

import pytest

from memoranda.parsing import MemorandumParseError, parse_memorandum
from memoranda.parsing.model import inferred_status
from memoranda.parsing.text import parse_text
from memoranda.sources import normalise_source_text

SEED = Path(__file__).resolve().parents[2] / "fixtures" / "seeds" / "hk-beijing-4th-plenary-2018.txt"
ZH_SAMPLE = Path(__file__).resolve().parent / "samples" / "zh-hant-5th.txt"
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
FLOOD_ITEM = (
    "On flood prevention experiences, the two places would continue to take forward the staff exchange "
    "training programme and the sharing of technical research findings."
)


@pytest.fixture(scope="module")
def seed():
    return parse_memorandum(SEED.read_text(encoding="utf-8"), filename=SEED.name)


@pytest.fixture(scope="module")
def sample_zh():
    return parse_memorandum(ZH_SAMPLE.read_text(encoding="utf-8"), filename=ZH_SAMPLE.name)


def problems_of(text: str) -> list:
    with pytest.raises(MemorandumParseError) as raised:
        parse_text(text)
    return raised.value.problems


# --- The seed: the 4th plenary press release -----------------------------------------------------


def test_seed_is_read_as_an_english_press_release(seed):
    assert seed.source_format == "text"
    assert seed.source_description == "English press release"


def test_seed_session_number_and_mechanism_come_from_the_title(seed):
    assert seed.session_number == 4
    assert seed.mechanism_name == "Hong Kong/Beijing Co-operation Conference"
    assert seed.title == "Memorandum of the Fourth Plenary Session of the Hong Kong/Beijing Co-operation Conference"


def test_seed_venue_is_beijing(seed):
    assert seed.venue == "Beijing"


def test_seed_day_without_year_is_kept_as_month_and_day_not_guessed(seed):
    assert seed.announced_month_day == (10, 24)
    assert seed.held_on is None


def test_seed_announces_eight_areas_and_has_them_without_warning(seed):
    assert seed.announced_area_count == 8
    assert [area.name for area in seed.areas] == AREA_HEADINGS
    assert seed.warnings == []


def test_seed_has_eighteen_items_split_across_its_areas(seed):
    assert len(seed.items) == 18
    assert [len(area.items) for area in seed.areas] == [1, 3, 2, 2, 3, 5, 1, 1]


def test_seed_items_are_the_release_paragraphs_word_for_word(seed):
    paragraphs = set(normalise_source_text(SEED.read_text(encoding="utf-8")).split("\n\n"))
    for item in seed.items:
        assert item.text == FLOOD_ITEM or item.text in paragraphs, item.text


def test_seed_areas_and_items_remember_their_lines(seed):
    assert seed.areas[0].line == 9
    assert seed.areas[0].items[0].line == 11
    assert seed.areas[5].line == 41
    assert seed.areas[-1].items[-1].line == 61


def test_page_break_paragraph_is_rejoined(seed):
    city_management = seed.areas[5]
    assert city_management.items[0].text == FLOOD_ITEM
    assert city_management.items[0].line == 43
    assert not any(item.text.startswith("forward the staff") for item in seed.items)


def test_closing_narrative_is_kept_out_of_items(seed):
    texts = " ".join(item.text for item in seed.items)
    for closing_phrase in ("Kwok-ki", "Mr Chan", "co-chaired by", "is in the annex", "also attended the meeting"):
        assert closing_phrase not in texts
    assert seed.items[-1].text.endswith("an advisory services portal to serve Hong Kong people in Beijing.")


def test_seed_co_chairs_are_the_two_leaders(seed):
    assert seed.co_chairs == ["Chief Executive, Mrs Carrie Lam", "Mayor of Beijing, Mr Chen Jining"]


def test_memorandum_signed_in_chinese_only_has_language_zh(seed):
    assert seed.language == "zh"


def test_windows_line_ends_parse_the_same_as_unix(seed):
    crlf = parse_text(SEED.read_text(encoding="utf-8").replace("\n", "\r\n"))
    assert [(area.name, [item.text for item in area.items]) for area in crlf.areas] == [
        (area.name, [item.text for item in area.items]) for area in seed.areas
    ]


# --- Other English press releases ----------------------------------------------------------------

TRADE = ("Trade and Investment", ["Both sides would promote trade between the two places.", "Both sides would continue to hold investment seminars."])
YOUTH = ("Youth Development", ["The two places would organise youth exchange tours."])


def release(
    *,
    ordinal: str = "Fifth",
    when: str = "today (November 20)",
    announced: str = "two",
    areas: tuple = (TRADE, YOUTH),
    language_note: str = "(Chinese only)",
) -> str:
    """A press release in the seed's shape; the areas start on line 7."""
    mechanism = "Hong Kong/Shanghai Co-operation Conference"
    body = "\n\n".join("\n\n".join([heading, *items]) for heading, items in areas)
    return "\n\n".join([
        f"{ordinal} Plenary Session of the {mechanism} held in Shanghai",
        f"The Chief Executive, Mr John Lee, and the Mayor of Shanghai, Mr Gong Zheng, convened the {ordinal} Plenary "
        f"Session of the {mechanism} in Shanghai {when}.",
        f"At the meeting, the two sides reached consensus on the following {announced} co-operation areas:",
        body,
        f"The memorandum of the {ordinal} Plenary Session of the {mechanism} signed by both sides {language_note} is in the annex.",
        f"The {ordinal} Plenary Session of the {mechanism} was co-chaired by the Chief Executive, Mr John Lee, and the "
        "Mayor of Shanghai, Mr Gong Zheng.",
    ])


def test_release_in_the_seed_shape_is_read_whole():
    parsed = parse_text(release())
    assert parsed.mechanism_name == "Hong Kong/Shanghai Co-operation Conference"
    assert parsed.venue == "Shanghai"
    assert parsed.co_chairs == ["Chief Executive, Mr John Lee", "Mayor of Shanghai, Mr Gong Zheng"]
    assert [(area.name, [item.text for item in area.items]) for area in parsed.areas] == [TRADE, YOUTH]
    assert parsed.warnings == []


@pytest.mark.parametrize(
    ("ordinal", "number"),
    [("5th", 5), ("Fifth", 5), ("21st", 21), ("Twenty-first", 21), ("Twentieth", 20), ("Thirty-second", 32), ("2nd", 2)],
)
def test_session_number_is_read_from_ordinal_in_digits_or_words(ordinal, number):
    assert parse_text(release(ordinal=ordinal)).session_number == number


@pytest.mark.parametrize("when", ["on 24 October 2019", "today (held on 24 October 2019)", "on October 24, 2019"])
def test_full_date_in_the_release_sets_held_on(when):
    parsed = parse_text(release(when=when))
    assert parsed.held_on == datetime.date(2019, 10, 24)
    assert parsed.announced_month_day is None


def test_impossible_full_date_is_a_problem_on_held_on():
    problems = problems_of(release(when="on 30 February 2019"))
    assert [(problem.field, problem.message) for problem in problems] == [
        ("session.held_on", "'30 February 2019' is not a real date."),
    ]


def test_hard_wrapped_paragraphs_are_joined_into_one_item():
    wrapped = release().replace(
        "Both sides would promote trade between the two places.",
        "Both sides would promote\ntrade between\nthe two places.",
    ).replace("The two places would organise youth exchange tours.", "The two places would organise\nyouth exchange tours.")
    parsed = parse_text(wrapped)
    assert [(area.name, [item.text for item in area.items]) for area in parsed.areas] == [TRADE, YOUTH]


def test_fewer_areas_than_announced_is_a_warning_not_an_error():
    parsed = parse_text(release(announced="three"))
    assert parsed.announced_area_count == 3
    assert len(parsed.areas) == 2
    assert len(parsed.warnings) == 1
    assert "announces 3 co-operation areas but 2 were found" in parsed.warnings[0].message


def test_announced_area_count_may_be_in_digits():
    parsed = parse_text(release(announced="2"))
    assert parsed.announced_area_count == 2
    assert parsed.warnings == []


def test_memorandum_in_english_only_has_language_en():
    assert parse_text(release(language_note="(English only)")).language == "en"


def test_text_without_recognisable_headings_is_refused_saying_so():
    problems = problems_of(
        "the two sides met today and agreed to work together.\n\n"
        "they would continue to meet every year.\n\n"
        "more details would follow in due course."
    )
    messages = [problem.message for problem in problems]
    assert any("No co-operation area headings were recognised" in message for message in messages)


def test_text_without_a_session_number_leaves_it_for_the_administrator():
    parsed = parse_text(release().replace("Fifth Plenary Session of the ", "the "))
    assert parsed.session_number is None
    assert len(parsed.items) == 3


def test_paragraph_before_any_heading_is_a_problem_with_its_line():
    text = release().replace("Trade and Investment\n", "Both sides would meet every year.\n\nTrade and Investment\n", 1)
    problems = problems_of(text)
    assert [(problem.line, problem.message) for problem in problems] == [
        (7, "This paragraph comes before any co-operation area heading."),
    ]


def test_heading_without_items_is_a_warning_naming_it_and_is_left_out():
    parsed = parse_text(release(announced="one", areas=(("Trade and Investment", []), YOUTH)))
    assert [area.name for area in parsed.areas] == ["Youth Development"]
    assert [(w.line, w.severity, w.message) for w in parsed.warnings] == [
        (7, "warning", "The heading 'Trade and Investment' has no items under it and is left out."),
    ]


def test_last_heading_without_items_is_a_warning_that_the_text_may_be_cut_short():
    parsed = parse_text(release(announced="one", areas=(TRADE, ("Youth Development", []))))
    assert [area.name for area in parsed.areas] == ["Trade and Investment"]
    assert [(w.line, w.severity) for w in parsed.warnings] == [(13, "warning")]
    assert "'Youth Development' has no items under it" in parsed.warnings[0].message
    assert "cut short" in parsed.warnings[0].message


@pytest.mark.parametrize("blank", ["", "   \n\n\t\n"])
def test_empty_text_is_refused(blank):
    assert [problem.message for problem in problems_of(blank)] == ["The text is empty."]


# --- Chinese memoranda -----------------------------------------------------------------------------


def test_chinese_sample_session_mechanism_and_venue(sample_zh):
    assert sample_zh.session_number == 5
    assert sample_zh.mechanism_name_zh == "京港合作會議"
    assert sample_zh.title_zh == "京港合作會議第五次會議備忘錄"
    assert sample_zh.venue_zh == "北京"
    assert sample_zh.language == "zh"


def test_chinese_sample_date_in_chinese_numerals_is_held_and_signed_on(sample_zh):
    assert sample_zh.held_on == datetime.date(2020, 11, 20)
    assert sample_zh.signed_on == datetime.date(2020, 11, 20)


def test_chinese_sample_has_three_areas_and_five_items(sample_zh):
    assert [area.name_zh for area in sample_zh.areas] == ["經貿合作", "創新科技", "青年發展"]
    assert [len(area.items) for area in sample_zh.areas] == [2, 1, 2]
    assert [area.line for area in sample_zh.areas] == [5, 10, 13]


def test_chinese_item_continued_on_the_next_line_is_joined(sample_zh):
    first = sample_zh.areas[0].items[0]
    assert first.text_zh == "雙方將繼續加強經貿交流，共同開拓「一帶一路」沿線市場。"
    assert first.line == 6


def test_chinese_items_numbered_with_digits_are_read(sample_zh):
    assert [item.text_zh for item in sample_zh.areas[2].items] == ["雙方將繼續推動兩地青年交流計劃。", "雙方將支持香港青年到北京實習。"]


def test_chinese_closing_signature_lines_are_kept_out(sample_zh):
    texts = "".join(item.text_zh for item in sample_zh.items)
    assert "本備忘錄" not in texts
    assert "各執一份" not in texts
    assert "政府代表" not in texts
    assert sample_zh.items[-1].text_zh == "雙方將支持香港青年到北京實習。"


SIMPLIFIED = """京港合作会议第六次会议备忘录

2022年9月15日，京港合作会议第六次会议在北京举行。双方就以下合作领域达成共识：

一、经贸合作
1. 双方将继续加强经贸交流。
2. 双方将共同举办投资推介会。

二、青年发展
（1）双方将支持香港青年到北京实习。

本备忘录一式两份，双方各执一份。
"""


def test_simplified_chinese_memorandum_is_read():
    parsed = parse_text(SIMPLIFIED)
    assert parsed.session_number == 6
    assert parsed.mechanism_name_zh == "京港合作会议"
    assert parsed.venue_zh == "北京"
    assert parsed.held_on == datetime.date(2022, 9, 15)
    assert [(area.name_zh, [item.text_zh for item in area.items]) for area in parsed.areas] == [
        ("经贸合作", ["双方将继续加强经贸交流。", "双方将共同举办投资推介会。"]),
        ("青年发展", ["双方将支持香港青年到北京实习。"]),
    ]


UNNUMBERED = """京港合作會議第五次會議備忘錄

二〇二〇年十一月二十日，京港合作會議第五次會議在北京舉行。

一、經貿合作

雙方將繼續加強經貿交流，
共同開拓市場。

香港貿易發展局將組織代表團參加交易會。

二、青年發展

雙方將推動兩地青年交流。

本備忘錄一式兩份，雙方各執一份。
"""


def test_chinese_areas_without_item_markers_take_blank_line_separated_paragraphs_as_items():
    parsed = parse_text(UNNUMBERED)
    assert [(area.name_zh, [(item.line, item.text_zh) for item in area.items]) for area in parsed.areas] == [
        ("經貿合作", [(7, "雙方將繼續加強經貿交流，共同開拓市場。"), (10, "香港貿易發展局將組織代表團參加交易會。")]),
        ("青年發展", [(14, "雙方將推動兩地青年交流。")]),
    ]


@pytest.mark.parametrize(("numeral", "number"), [("五", 5), ("十", 10), ("十二", 12), ("二十一", 21), ("5", 5), ("１５", 15)])
def test_chinese_session_number_is_read_from_numerals_or_digits(numeral, number):
    parsed = parse_text(f"粵港合作聯席會議第{numeral}次會議\n\n一、經貿合作\n（一）雙方將加強合作。\n")
    assert parsed.mechanism_name_zh == "粵港合作聯席會議"
    assert parsed.session_number == number


def test_chinese_date_in_full_width_digits_is_read():
    parsed = parse_text("京港合作會議第五次會議\n\n２０２０年１１月２０日，在北京舉行。\n\n一、經貿合作\n１．雙方將加強合作。\n")
    assert parsed.held_on == datetime.date(2020, 11, 20)
    assert parsed.items[0].text_zh == "雙方將加強合作。"


def test_chinese_continuation_keeps_a_space_between_latin_words():
    parsed = parse_text("京港合作會議第五次會議\n\n一、經貿合作\n（一）雙方將加強 Fintech\nSandbox 合作。\n")
    assert parsed.items[0].text_zh == "雙方將加強 Fintech Sandbox 合作。"


def test_chinese_impossible_date_is_a_problem_on_held_on():
    problems = problems_of("京港合作會議第五次會議\n\n2020年2月30日，在北京舉行。\n\n一、經貿合作\n（一）雙方將加強合作。\n")
    assert [(problem.field, problem.message) for problem in problems] == [("session.held_on", "「2020年2月30日」 is not a real date.")]


def test_chinese_heading_without_items_is_a_warning_naming_it():
    parsed = parse_text("京港合作會議第五次會議\n\n一、經貿合作\n\n二、青年發展\n（一）雙方將加強合作。\n")
    assert [area.name_zh for area in parsed.areas] == ["青年發展"]
    assert [(w.line, w.severity, w.message) for w in parsed.warnings] == [
        (3, "warning", "The heading 「經貿合作」 has no items under it and is left out."),
    ]


def test_chinese_memorandum_without_a_session_in_its_title_leaves_the_number_to_the_administrator():
    parsed = parse_text("備忘錄\n\n一、經貿合作\n（一）雙方將加強合作。\n")
    assert parsed.session_number is None
    assert [item.text_zh for item in parsed.items] == ["雙方將加強合作。"]


# --- Status inferred from the wording --------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("Both sides would continue to encourage universities to co-operate.", "ongoing"),
        ("The two places would Continue To implement the programme.", "ongoing"),
        ("雙方將繼續推動兩地青年交流計劃。", "ongoing"),
        ("双方将继续加强经贸交流。", "ongoing"),
        ("Both sides would enhance co-operation in Fintech.", "not_started"),
        ("雙方將支持香港青年到北京實習。", "not_started"),
    ],
)
def test_inferred_status_is_ongoing_only_for_continuing_arrangements(text, status):
    assert inferred_status(text) == status


def test_seed_items_that_would_continue_are_inferred_ongoing(seed):
    ongoing = [item.text for item in seed.items if inferred_status(item.text) == "ongoing"]
    assert len(ongoing) == 6
    assert all("continue to" in text for text in ongoing)


def test_chinese_sample_items_with_continue_are_inferred_ongoing(sample_zh):
    assert [inferred_status(item.text_zh) for item in sample_zh.items] == [
        "ongoing", "not_started", "not_started", "ongoing", "not_started",
    ]
