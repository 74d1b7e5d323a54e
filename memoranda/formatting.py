"""How sessions and numbers are written in each language (4th / Fourth / 第四次)."""
from __future__ import annotations

from typing import Protocol

from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

ENGLISH_ORDINAL_WORDS = [
    "", "First", "Second", "Third", "Fourth", "Fifth", "Sixth", "Seventh", "Eighth", "Ninth", "Tenth",
    "Eleventh", "Twelfth", "Thirteenth", "Fourteenth", "Fifteenth", "Sixteenth", "Seventeenth",
    "Eighteenth", "Nineteenth", "Twentieth",
]
CHINESE_DIGITS = "〇一二三四五六七八九"


def english_ordinal(number: int) -> str:
    """1 → 1st, 2 → 2nd, 11 → 11th, 22 → 22nd."""
    if 10 <= number % 100 <= 20:
        suffix = "th"
    else:
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def english_ordinal_word(number: int) -> str:
    """4 → Fourth; beyond twenty the numeric form (21st), as press releases write them."""
    if 0 < number < len(ENGLISH_ORDINAL_WORDS):
        return ENGLISH_ORDINAL_WORDS[number]
    return english_ordinal(number)


def chinese_numeral(number: int) -> str:
    """1..9999 in Chinese numerals as used in titles: 4 → 四, 10 → 十, 15 → 十五, 21 → 二十一."""
    if number <= 0:
        return str(number)
    if number < 10:
        return CHINESE_DIGITS[number]
    if number < 20:
        return "十" + (CHINESE_DIGITS[number % 10] if number % 10 else "")
    if number < 100:
        tens, units = divmod(number, 10)
        return CHINESE_DIGITS[tens] + "十" + (CHINESE_DIGITS[units] if units else "")
    return str(number)


def is_chinese() -> bool:
    return (get_language() or "en").startswith("zh")


class SessionLike(Protocol):
    number: int

    @property
    def mechanism(self): ...


def session_short_title(number: int) -> str:
    """'4th Plenary Session', '第四次會議' or '第四次会议', in the active language."""
    language = get_language() or "en"
    if language.startswith("zh"):
        # Written out per script rather than translated: the characters differ, the words do not.
        meeting = "会议" if language == "zh-hans" else "會議"
        return f"第{chinese_numeral(number)}次{meeting}"
    return _("%(ordinal)s Plenary Session") % {"ordinal": english_ordinal(number)}


def session_label(session) -> str:
    """'4th Plenary Session, 24 October 2018' / '第四次會議，2018年10月24日': a session named
    where its mechanism goes without saying, e.g. the column of a cross-session report."""
    name = session_short_title(session.number)
    if not session.held_on:
        return name
    return _("%(session)s, %(date)s") % {"session": name, "date": date_format(session.held_on, "DATE_FORMAT")}


def session_title(session: SessionLike) -> str:
    """'Fourth Plenary Session of the Hong Kong/Beijing Co-operation Conference' / '京港合作會議第四次會議'."""
    mechanism = session.mechanism
    if is_chinese():
        return f"{mechanism.display_name}{session_short_title(session.number)}"
    return _("%(ordinal)s Plenary Session of the %(mechanism)s") % {
        "ordinal": english_ordinal_word(session.number),
        "mechanism": mechanism.display_name,
    }
