"""Reading uploaded bytes as text, and choosing a format: read correctly or refused, never garbled."""
import random
import time
from pathlib import Path

import pytest

from memoranda.parsing import MAX_SOURCE_BYTES, MemorandumParseError, decode_source, detect_format, parse_memorandum

SEED = Path(__file__).resolve().parents[2] / "fixtures" / "seeds" / "hk-beijing-4th-plenary-2018.txt"

# '〇' is not in Big5, so this text writes its date in digits.
TRADITIONAL = """京港合作會議第五次會議備忘錄

2020年11月20日，京港合作會議第五次會議在北京舉行。雙方就以下合作領域達成共識：

一、經貿合作
（一）雙方將繼續加強經貿交流，共同開拓「一帶一路」沿線市場。
（二）香港貿易發展局將組織代表團參加中國國際服務貿易交易會。
"""
SIMPLIFIED = """京港合作会议第六次会议备忘录

二〇二二年九月十五日，京港合作会议第六次会议在北京举行。双方就以下合作领域达成共识：

一、经贸合作
1. 双方将继续加强经贸交流，共同开拓“一带一路”沿线市场。
2. 香港贸易发展局将组织代表团参加中国国际服务贸易交易会。
"""


def refusal(data: bytes) -> str:
    with pytest.raises(MemorandumParseError) as raised:
        decode_source(data)
    (problem,) = raised.value.problems
    assert problem.field == "file"
    return problem.message


def test_utf8_is_decoded_exactly():
    text = SEED.read_text(encoding="utf-8")
    assert decode_source(text.encode("utf-8")) == text


def test_utf8_byte_order_mark_is_dropped():
    assert decode_source(TRADITIONAL.encode("utf-8-sig")) == TRADITIONAL


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_with_byte_order_mark_is_decoded_exactly(encoding):
    data = TRADITIONAL.encode(encoding)
    if encoding != "utf-16":  # the plain codec writes its own mark; the explicit ones need one added
        data = "\ufeff".encode(encoding) + data
    assert decode_source(data) == TRADITIONAL


def test_gb18030_simplified_chinese_is_decoded_exactly():
    assert decode_source(SIMPLIFIED.encode("gb18030")) == SIMPLIFIED


def test_gb18030_traditional_chinese_is_decoded_exactly():
    assert decode_source(TRADITIONAL.encode("gb18030")) == TRADITIONAL


def test_big5_traditional_chinese_is_decoded_exactly():
    assert decode_source(TRADITIONAL.encode("big5")) == TRADITIONAL


def test_big5_memorandum_parses_end_to_end():
    parsed = parse_memorandum(TRADITIONAL.encode("big5"), filename="hkbj-5.txt")
    assert parsed.session_number == 5
    assert parsed.venue_zh == "北京"
    assert [item.text_zh for item in parsed.items] == [
        "雙方將繼續加強經貿交流，共同開拓「一帶一路」沿線市場。",
        "香港貿易發展局將組織代表團參加中國國際服務貿易交易會。",
    ]


@pytest.mark.parametrize("data", [b"", b"   ", b" \n\t\r\n "])
def test_empty_or_whitespace_file_is_refused(data):
    assert refusal(data) == "The file is empty."


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "a PDF document"),
        (b"PK\x03\x04\x14\x00\x06\x00\x08\x00", "a ZIP archive"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "a PNG image"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "a JPEG image"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Microsoft Office document"),
    ],
)
def test_binary_file_signature_is_refused_naming_its_kind(data, kind):
    message = refusal(data)
    assert message.startswith(f"This is {kind}")
    assert "not text" in message


@pytest.mark.parametrize("seed", range(5))
def test_random_binary_is_refused(seed):
    data = random.Random(seed).randbytes(4_000)
    assert refusal(data)


def test_utf8_text_with_control_characters_is_refused():
    assert "not text" in refusal(b"Fourth Plenary Session\x00\x01\x02 of the Conference")


def test_truncated_utf16_is_refused_not_garbled():
    assert refusal("\ufeff京港".encode("utf-16-le") + b"\x41") == "The file says it is UTF-16 but is not valid UTF-16."


def test_bytes_over_the_limit_are_refused_quickly():
    started = time.perf_counter()
    with pytest.raises(MemorandumParseError) as raised:
        parse_memorandum(b"a" * (MAX_SOURCE_BYTES + 1), format="text")
    assert time.perf_counter() - started < 1
    assert "too large" in str(raised.value)
    assert "at most 5 MB" in str(raised.value)


def test_twenty_megabyte_paste_is_refused_quickly():
    started = time.perf_counter()
    with pytest.raises(MemorandumParseError) as raised:
        parse_memorandum("Both sides would co-operate. " * 700_000)
    assert time.perf_counter() - started < 2
    assert "too long" in str(raised.value)
    assert "at most 5 MB" in str(raised.value)


def test_paste_just_under_the_limit_is_parsed_not_refused_for_size():
    text = SEED.read_text(encoding="utf-8")
    assert len(text.encode("utf-8")) < MAX_SOURCE_BYTES
    assert parse_memorandum(text).session_number == 4


@pytest.mark.parametrize(
    ("filename", "expected"),
    [
        ("hkbj-4.yaml", "yaml"), ("hkbj-4.yml", "yaml"), ("HKBJ-4.YAML", "yaml"), ("hkbj-4.json", "json"),
        ("release.txt", "text"), ("release.text", "text"), ("rows.csv", "csv"), ("rows.xlsx", "xlsx"),
    ],
)
def test_format_is_detected_from_the_extension(filename, expected):
    assert detect_format(filename, b"anything") == expected


def test_extension_wins_over_content():
    assert detect_format("release.txt", b'{"mechanism": {}}') == "text"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b'{"mechanism": {"code": "HKBJ"}}', "json"),
        (b'\xef\xbb\xbf\n  [1, 2]', "json"),
        ('\ufeff{"session": {}}', "json"),
        (b"mechanism:\n  code: HKBJ\n", "yaml"),
        ("session:\n  number: 4\n", "yaml"),
        (b"---\nmechanism: {}\n", "yaml"),
        (b"# the 4th plenary\nmechanism: {}\n", "yaml"),
        (b"PK\x03\x04\x14\x00", "xlsx"),
        ("Fourth Plenary Session of the Hong Kong/Beijing Co-operation Conference", "text"),
        ("京港合作會議第五次會議備忘錄", "text"),
    ],
)
def test_format_is_detected_from_the_content_without_an_extension(data, expected):
    assert detect_format("", data) == expected


def test_row_formats_are_refused_as_memoranda():
    with pytest.raises(MemorandumParseError) as raised:
        parse_memorandum(b"ref,session\n", filename="rows.csv")
    assert "hold commitment rows, not a memorandum" in str(raised.value)
    assert raised.value.problems[0].field == "format"


def test_unknown_format_is_refused():
    with pytest.raises(MemorandumParseError) as raised:
        parse_memorandum("text", format="odt")
    assert "Unknown format 'odt'" in str(raised.value)
