"""Inputs that once broke the parsers (found by review and by hypothesis); each now behaves."""
import json

import pytest

from memoranda.parsing import MemorandumParseError, decode_source, parse_memorandum
from memoranda.parsing.rows import COLUMNS, read_rows

EN = """Fifth Plenary Session of the Hong Kong/Shanghai Co-operation Conference held in Shanghai

The Chief Executive and the Mayor of Shanghai convened the Fifth Plenary Session of the Hong Kong/Shanghai Co-operation Conference in Shanghai today (November 20).

Trade and Investment

Both sides would hold investment seminars.

Both sides would implement the memorandum of understanding on trade signed in 2017.

Youth Development

The two places would organise youth exchange tours.
"""
MINIMAL = {"mechanism": {"code": "HKBJ"}, "session": {"number": 4}, "areas": [{"name": "T", "items": ["x"]}]}


def test_chinese_session_numbers_in_the_hundreds():
    assert parse_memorandum("京港合作會議第一百零一次會議\n一、經貿合作\n（一）雙方將加強合作。").session_number == 101


def test_nonsense_chinese_numeral_is_left_for_the_administrator_not_misread():
    assert parse_memorandum("京港合作會議第十百次會議\n一、經貿合作\n（一）雙方將加強合作。").session_number is None


@pytest.mark.parametrize("text", ['{"session": {"number": ' + "1" * 5000 + "}}", "[" * 100000 + "]" * 100000])
def test_pathological_json_is_refused(text):
    with pytest.raises(MemorandumParseError):
        parse_memorandum(text, format="json")


def test_json_indented_with_tabs_is_read():
    assert parse_memorandum(json.dumps(MINIMAL, indent="\t"), format="json").session_number == 4


def test_json_escaped_characters_beyond_the_basic_plane_survive():
    document = json.dumps({**MINIMAL, "areas": [{"name": "𠝹", "items": ["x"]}]})
    assert "\\ud841" in document
    assert parse_memorandum(document, format="json").areas[0].name == "𠝹"


def test_blank_string_item_is_refused():
    with pytest.raises(MemorandumParseError, match="empty"):
        parse_memorandum("mechanism: {code: HKBJ}\nsession: {number: 4}\nareas:\n  - name: T\n    items: ['  ']\n", format="yaml")


def test_item_mentioning_a_signed_memorandum_does_not_end_the_list():
    parsed = parse_memorandum(EN)
    assert [(area.name, len(area.items)) for area in parsed.areas] == [("Trade and Investment", 2), ("Youth Development", 1)]


def test_chinese_item_mentioning_signing_does_not_end_the_list():
    text = "京港合作會議第五次會議備忘錄\n\n一、經貿合作\n\n雙方將加強經貿交流。\n\n雙方將落實已簽署的合作協議。\n\n二、青年發展\n\n雙方將推動兩地青年交流。\n"
    assert [len(area.items) for area in parse_memorandum(text).areas] == [2, 1]


def test_a_date_quoted_in_a_speech_is_not_the_meeting_date():
    quoted = EN.replace("today (November 20).\n", 'today (November 20).\n\nMr Lee said, "Since the first plenary on 8 October 2003, we have grown closer."\n')
    parsed = parse_memorandum(quoted)
    assert (parsed.held_on, parsed.announced_month_day) == (None, (11, 20))


def test_twenty_first_without_a_hyphen():
    assert parse_memorandum(EN.replace("Fifth", "Twenty First")).session_number == 21


def test_announced_day_must_exist():
    with pytest.raises(MemorandumParseError, match="February 30"):
        parse_memorandum(EN.replace("November 20", "February 30"))


def test_co_chairs_from_the_introduction_lose_their_article():
    text = EN.replace("The Chief Executive and the Mayor of Shanghai", "The Chief Executive, Mr John Lee, and the Mayor of Shanghai, Mr Gong Zheng,")
    assert parse_memorandum(text).co_chairs == ["Chief Executive, Mr John Lee", "Mayor of Shanghai, Mr Gong Zheng"]


def test_english_saved_as_windows_1252_is_read():
    text = "He said, “Hong Kong and Beijing” – in café terms."
    assert decode_source(text.encode("cp1252")) == text


def test_short_simplified_chinese_in_gb18030_is_read():
    assert decode_source("双方将继续加强经贸交流。".encode("gb18030")) == "双方将继续加强经贸交流。"


HEADER = ",".join(COLUMNS) + "\n"
ROW = "HKBJ-4-1.1,HKBJ-4,Trade,1,1,,,Both sides would trade.,,,,hksar,,not_started,0,,{due},\n"


def test_due_date_with_extra_characters_is_refused():
    with pytest.raises(MemorandumParseError, match="2019-12-312"):
        read_rows((HEADER + ROW.format(due="2019-12-312")).encode(), "csv")


def test_ragged_csv_row_is_named():
    with pytest.raises(MemorandumParseError) as error:
        read_rows((HEADER + ROW.format(due="") + "HKBJ-4-1.2,HKBJ-4," + "x," * 25 + "\n").encode(), "csv")
    assert error.value.problems[0].line == 3


def test_unknown_row_format_is_refused():
    with pytest.raises(MemorandumParseError, match="CSV or XLSX"):
        read_rows((HEADER + ROW.format(due="")).encode(), "tsv")


def test_yaml_words_like_no_and_yes_stay_words():
    parsed = parse_memorandum("mechanism: {code: NO}\nsession: {number: 4}\nareas:\n  - name: yes\n    items: [x]\n", format="yaml")
    assert (parsed.mechanism_code, parsed.areas[0].name) == ("NO", "yes")
