"""Whole numbers from what people and files send: only ASCII digits, within the range asked for,
and never a Python or database error for a number too long."""
from __future__ import annotations

import pytest

from memoranda.parsing.numerals import DATABASE_INTEGER_MAX, chinese_number, english_number, whole_number


@pytest.mark.parametrize("text, expected", [
    ("0", 0), ("42", 42), (" 7", None), (str(DATABASE_INTEGER_MAX), DATABASE_INTEGER_MAX),
    (str(DATABASE_INTEGER_MAX + 1), None), ("9" * 5000, None), ("", None), ("-1", None), ("1.5", None),
    ("²", None), ("٣", None), ("１２", None), ("12a", None), ("\x00", None),
])
def test_whole_number(text, expected):
    assert whole_number(text) == expected


def test_whole_number_within_a_range():
    assert whole_number("100", 0, 100) == 100
    assert whole_number("101", 0, 100) is None
    assert whole_number("0", 1, 999) is None


def test_words_and_chinese_numerals_with_too_many_digits_are_not_numbers():
    assert english_number("9" * 5000) is None
    assert chinese_number("9" * 5000) is None
    assert english_number("eight") == 8 and chinese_number("十二") == 12 and chinese_number("１５") == 15
