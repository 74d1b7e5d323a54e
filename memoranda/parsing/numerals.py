"""Numbers as memoranda write them: 'eight', '13', 'Fourth', '20th', 'Twenty-third', 十二, 二〇一八."""
from __future__ import annotations

import re

NUMBER_WORDS = {
    word: number
    for number, word in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
        "sixteen seventeen eighteen nineteen twenty".split()
    )
}
ORDINAL_WORDS = {
    word: number
    for number, word in enumerate(
        "zeroth first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth "
        "fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth twentieth".split()
    )
}
TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50}
TENS_ORDINALS = {"twentieth": 20, "thirtieth": 30, "fortieth": 40, "fiftieth": 50}
# An ordinal as a pattern, for the regular expressions that look for "the Fourth Plenary Session".
ORDINAL_PATTERN = (
    r"(?:\d{1,3}(?:st|nd|rd|th)"
    r"|(?:(?:twenty|thirty|forty|fifty)[- ](?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth))"
    rf"|{'|'.join(sorted(list(ORDINAL_WORDS)[1:] + list(TENS_ORDINALS), key=len, reverse=True))})"
)
NUMBER_PATTERN = rf"(?:\d{{1,3}}|{'|'.join(sorted(NUMBER_WORDS, key=len, reverse=True))})"
CHINESE_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "兩": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
CHINESE_NUMBER_PATTERN = r"[〇零一二兩两三四五六七八九十百\d]+"
DATABASE_INTEGER_MAX = 2**31 - 1  # the smallest integer column any of our databases has


def whole_number(text: str, low: int = 0, high: int = DATABASE_INTEGER_MAX) -> int | None:
    """`text` as a whole number from `low` to `high`, or None. For anything a person or a file
    sends: only ASCII digits ("²" and "٣" are digits to str.isdecimal, not to the database), and
    never int() of an unbounded string (Python refuses one of more than 4,300 digits)."""
    text = str(text)
    if not re.fullmatch(r"[0-9]{1,%d}" % len(str(high)), text):
        return None
    number = int(text)
    return number if low <= number <= high else None


def english_number(word: str) -> int | None:
    """'8' → 8, 'eight' → 8, 'Thirteen' → 13."""
    word = word.lower()
    if word.isdecimal():  # any script's digits, as documents write them (１５ in Chinese)
        return int(word) if len(word) <= 9 else None
    return NUMBER_WORDS.get(word)


def english_ordinal(word: str) -> int | None:
    """'4th' → 4, 'Fourth' → 4, 'Twenty-third' → 23, 'Thirtieth' → 30."""
    word = word.lower().replace(" ", "-")
    match = re.fullmatch(r"(\d{1,3})(?:st|nd|rd|th)", word)
    if match:
        return int(match.group(1))
    if word in ORDINAL_WORDS:
        return ORDINAL_WORDS[word]
    if word in TENS_ORDINALS:
        return TENS_ORDINALS[word]
    tens, _, unit = word.partition("-")
    if tens in TENS and unit in ORDINAL_WORDS and 0 < ORDINAL_WORDS[unit] < 10:
        return TENS[tens] + ORDINAL_WORDS[unit]
    return None


def chinese_number(text: str) -> int | None:
    """一 → 1, 十 → 10, 十二 → 12, 二十一 → 21, 一百零一 → 101, 二〇一八 → 2018, and plain digits."""
    if text.isdecimal():  # any script's digits, as documents write them (１５ in Chinese)
        return int(text) if len(text) <= 9 else None
    if not text or any(char not in CHINESE_DIGITS and char not in "十百" for char in text):
        return None
    if "十" not in text and "百" not in text:
        number = 0
        for char in text:  # digit by digit, as in a year: 二〇一八
            number = number * 10 + CHINESE_DIGITS[char]
        return number
    total, pending = 0, None
    for char in text:
        if char in "十百":
            unit = 10 if char == "十" else 100
            if (pending == 0) or (total and total < unit and pending is None):
                return None  # 零十, 十百: not a number
            total += (1 if pending is None else pending) * unit
            pending = None
        elif CHINESE_DIGITS[char] == 0:
            pending = 0
        else:
            if pending not in (None, 0):
                return None  # two digits in a row: 二三十
            pending = CHINESE_DIGITS[char]
    return total + (pending or 0)
