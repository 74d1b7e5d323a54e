import pytest
from django.utils import translation

from memoranda.formatting import chinese_numeral, english_ordinal, english_ordinal_word, session_short_title


@pytest.mark.parametrize(
    "number, expected", [(1, "1st"), (2, "2nd"), (3, "3rd"), (4, "4th"), (11, "11th"), (12, "12th"), (21, "21st"), (112, "112th")]
)
def test_english_ordinal(number, expected):
    assert english_ordinal(number) == expected


def test_english_ordinal_word_spells_out_small_numbers():
    assert english_ordinal_word(4) == "Fourth"
    assert english_ordinal_word(21) == "21st"


@pytest.mark.parametrize("number, expected", [(1, "一"), (4, "四"), (10, "十"), (15, "十五"), (20, "二十"), (21, "二十一")])
def test_chinese_numeral(number, expected):
    assert chinese_numeral(number) == expected


def test_session_short_title_in_each_script():
    with translation.override("zh-hant"):
        assert session_short_title(4) == "第四次會議"
    with translation.override("zh-hans"):
        assert session_short_title(4) == "第四次会议"
    with translation.override("en"):
        assert session_short_title(4) == "4th Plenary Session"
