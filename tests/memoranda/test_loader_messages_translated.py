"""The loader's problems read in the language of the screen that shows them. No database."""
import re

import pytest
from django.utils import translation

from memoranda.parsing import MemorandumParseError
from memoranda.parsing.text import parse_text

CUT_SHORT = (
    "Hong Kong/Shanghai Co-operation Conference holds fifth plenary session\n\n"
    "The Fifth Plenary Session of the Hong Kong/Shanghai Co-operation Conference was held in Shanghai today (October 24).\n\n"
    "Trade and Investment\n\n"
    "Both sides would promote trade between the two places.\n\n"
    "Youth Development\n"
)
NO_AREAS = (
    "the two sides met today and agreed to work together.\n\n"
    "they would continue to meet every year.\n\n"
    "more details would follow in due course."
)
CJK = re.compile(r"[\u4e00-\u9fff]")
ENGLISH_WORD = re.compile(r"[A-Za-z]{3,}")


def cut_short_warning():
    parsed = parse_text(CUT_SHORT)
    assert [area.name for area in parsed.areas] == ["Trade and Investment"]
    [warning] = parsed.warnings
    return warning


def no_areas_problem():
    with pytest.raises(MemorandumParseError) as raised:
        parse_text(NO_AREAS)
    [problem] = raised.value.problems
    return problem


@pytest.mark.parametrize(("language", "heading"), [("zh-hant", "標題"), ("zh-hans", "标题")])
def test_cut_short_heading_is_warned_of_in_chinese_on_chinese_screens(language, heading):
    with translation.override(language):
        warning = cut_short_warning()
        shown = str(warning)
    assert heading in warning.message and CJK.search(warning.message)
    # Only the heading's own name, quoted as the text gives it, stays in English.
    assert "'Youth Development'" in warning.message
    assert ENGLISH_WORD.findall(warning.message.replace("'Youth Development'", "")) == []
    assert shown.startswith("第 9 行，areas[1]：")


@pytest.mark.parametrize(("language", "area"), [("zh-hant", "合作範疇"), ("zh-hans", "合作领域")])
def test_text_without_areas_is_refused_in_chinese_on_chinese_screens(language, area):
    with translation.override(language):
        problem = no_areas_problem()
    assert area in problem.message
    assert ENGLISH_WORD.findall(problem.message) == []


def test_messages_stay_as_they_were_in_english():
    with translation.override("en"):
        warning, problem = cut_short_warning(), no_areas_problem()
        shown = str(warning)
    assert warning.message == "The heading 'Youth Development' has no items under it and is left out. Was the text cut short?"
    assert shown == f"line 9, areas[1]: {warning.message}"
    assert problem.message.startswith("No co-operation area headings were recognised. An area heading is a short line")
