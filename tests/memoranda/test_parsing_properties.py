"""Properties of every parser: whatever comes in, the only failure is MemorandumParseError, and what
comes out is loadable (every area has items, every item has text). No database."""
import html
import json
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from memoranda.parsing import MEMORANDUM_FORMATS, MemorandumParseError, ParsedMemorandum, parse_memorandum

# Modest, and no example database written into the working tree, so the suite stays fast and clean.
FAST = settings(max_examples=200, deadline=None, database=None)

HERE = Path(__file__).resolve().parent
SEED_LINES = (HERE.parents[1] / "fixtures" / "seeds" / "hk-beijing-4th-plenary-2018.txt").read_text(encoding="utf-8").split("\n")
ZH_LINES = (HERE / "samples" / "zh-hant-5th.txt").read_text(encoding="utf-8").split("\n")
TRICKY_LINES = [
    "", "", "today (February 30)", "held on 31 April 2019", "on October 24, 2019", "一、", "（一）", "1.", "二、青年發展",
    "二〇二〇年十三月四十日，在北京舉行。", "第〇次會議", "Zeroth Plenary Session of the X Conference",
    "consensus on the following zero areas", "co-chaired by .", "(English only)", "(Chinese only)",
]


def parse_or_refuse(source: str | bytes, format: str = "auto") -> ParsedMemorandum | None:
    """The parse, or None when refused; any exception but MemorandumParseError fails the test."""
    try:
        return parse_memorandum(source, format=format)
    except MemorandumParseError as error:
        assert error.problems, "a refusal must say why"
        return None


def assert_loadable(parsed: ParsedMemorandum | None) -> None:
    if parsed is None:
        return
    assert parsed.areas
    for area in parsed.areas:
        assert area.items, area
        for item in area.items:
            assert item.any_text.strip(), item


@FAST
@given(source=st.text(), format=st.sampled_from(["text", "yaml", "json", "auto"]))
def test_arbitrary_text_is_parsed_loadably_or_refused(source, format):
    assert_loadable(parse_or_refuse(source, format))


@FAST
@given(source=st.binary())
def test_arbitrary_bytes_are_parsed_loadably_or_refused(source):
    assert_loadable(parse_or_refuse(source))


@FAST
@given(source=st.binary(), format=st.sampled_from(["text", "yaml", "json"]))
def test_arbitrary_bytes_in_a_named_format_are_parsed_loadably_or_refused(source, format):
    assert_loadable(parse_or_refuse(source, format))


@FAST
@given(lines=st.lists(st.sampled_from(SEED_LINES + ZH_LINES + TRICKY_LINES) | st.text(max_size=30), max_size=40))
def test_text_made_of_memorandum_lines_is_parsed_loadably_or_refused(lines):
    assert_loadable(parse_or_refuse("\n".join(lines), "text"))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10, 40_000) | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(
        st.sampled_from(["mechanism", "session", "memorandum", "areas", "code", "number", "held_on", "name", "name_zh",
                         "items", "text", "text_zh", "status", "due_on", "continues", "milestones", "title"])
        | st.text(max_size=5),
        children,
        max_size=5,
    ),
    max_leaves=30,
)


@FAST
@given(value=json_values, format=st.sampled_from(["json", "yaml"]))
def test_any_json_shaped_document_only_fails_with_parse_error(value, format):
    source = json.dumps(value) if format == "json" else yaml.safe_dump(value, allow_unicode=True)
    parsed = parse_or_refuse(source, format)
    if parsed is not None:
        assert parsed.mechanism_code and parsed.session_number and parsed.areas
        assert all(area.items for area in parsed.areas)


# Every memorandum format, with text built from what memoranda, web pages and PDFs are made of ---

# Fewer examples for these: documents are slower to read than text, and the file stays under ~20 s.
MODEST = settings(max_examples=150, deadline=None, database=None)
EVERY_FORMAT = st.sampled_from(["auto", *MEMORANDUM_FORMATS])
FRAGMENTS = [
    "\n", "\n\n", "\r\n", "\r", "  ", "     ", "\t", "\u3000\u3000", "\xa0", "一、", "二、", "十一、", "（一）", "(二)", "（十）", "1.", "2、",
    "Plenary Session of the ", "Fourth Plenary Session of the Hong Kong/Beijing Co-operation Conference held in Beijing",
    "京港合作會議第四次會議備忘錄", "reached consensus on the following eight co-operation areas:", "co-chaired by ",
    "today (October 24)", "Ends/", "Ends/Wednesday, October 24, 2018", "Issued at HKT 18:50", "【打印】", "【關閉】",
    "Both sides would ", "雙方將", "。", "，", "；", "：", "「", "」", ".", ",", ";", ":", "\"", "—", "-", "/", "(", ")",
    "\x00", "\x07", "\x0b", "\x0c", "\x1b", "\x7f", "\x85", "\u2028", "\u200b", "\ufeff", "\ud7ff", "\U00020000",
    "mechanism:", "session:", "---", "{", "[", "<html>", "<p>", "<br>", "&nbsp;", "%PDF-", "PK\x03\x04",
]
memorandum_like_text = st.lists(
    st.sampled_from(FRAGMENTS)
    | st.text(alphabet=st.characters(codec="utf-8", categories=["L", "N", "P", "Z", "Cc"]), max_size=12)
    | st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x4E80), min_size=1, max_size=8),
    max_size=60,
).map("".join)


def assert_well_formed(parsed: ParsedMemorandum | None) -> None:
    """What a parse that returns promises: areas with items, items with text, warnings that are warnings."""
    if parsed is None:
        return
    for area in parsed.areas:
        assert area.items, area
        for item in area.items:
            assert (item.text or item.text_zh).strip(), item
    for problem in parsed.warnings:
        assert problem.severity == "warning", problem


@MODEST
@given(source=memorandum_like_text, format=EVERY_FORMAT)
def test_memorandum_like_text_in_every_format_is_parsed_well_formed_or_refused(source, format):
    assert_well_formed(parse_or_refuse(source, format))


@MODEST
@given(source=memorandum_like_text, format=EVERY_FORMAT, encoding=st.sampled_from(["utf-8", "utf-16", "gb18030", "big5hkscs"]))
def test_memorandum_like_text_as_bytes_in_every_format_is_parsed_well_formed_or_refused(source, format, encoding):
    try:
        data = source.encode(encoding)
    except UnicodeEncodeError:
        data = source.encode("utf-8", "surrogatepass")
    assert_well_formed(parse_or_refuse(data, format))


@MODEST
@given(source=st.binary(max_size=3000), format=EVERY_FORMAT,
       prefix=st.sampled_from([b"", b"%PDF-1.4\n", b"PK\x03\x04", b"<!DOCTYPE html><html><body>", b"\xef\xbb\xbf", b"mechanism:"]))
def test_arbitrary_bytes_in_every_format_are_parsed_well_formed_or_refused(source, format, prefix):
    assert_well_formed(parse_or_refuse(prefix + source, format))


@MODEST
@given(lines=st.lists(memorandum_like_text, max_size=30), escape=st.booleans(), tag=st.sampled_from(["p", "div", "h3", "li", "pre"]))
def test_web_page_of_memorandum_like_text_is_parsed_well_formed_or_refused(lines, escape, tag):
    blocks = "".join(f"<{tag}>{html.escape(line) if escape else line}</{tag}>" for line in lines)
    page = f"<!DOCTYPE html><html><head><title>Press release</title></head><body><nav>Home</nav>{blocks}<footer>Ends</footer></body></html>"
    assert_well_formed(parse_or_refuse(page.encode("utf-8", "surrogatepass"), "html"))
    assert_well_formed(parse_or_refuse(page.encode("utf-8", "surrogatepass"), "auto"))


# A memorandum's skeleton (title, introduction, headed areas of items) with noise in every part, so
# that many examples are parsed, not refused, and what is returned is checked.

noise = memorandum_like_text.map(lambda text: text[:40])
heading = st.sampled_from([
    "Services Industries", "Youth Development", "Innovation and Technology", "一、經貿合作", "二、青年發展", "Ends/", "【打印】",
]) | st.builds(lambda marker, name: marker + name, st.sampled_from(["", "一、", "十二、", "1. ", "   "]), noise)
item = st.builds(
    lambda marker, opening, middle, end: f"{marker}{opening}{middle}{end}",
    st.sampled_from(["", "（一）", "（二）", "(1) ", "1. ", "     ", "\u3000\u3000"]),
    st.sampled_from(["Both sides would ", "The two places would continue to ", "雙方將", "兩地將繼續", ""]),
    noise,
    st.sampled_from([".", "。", "", ";", "\x0b."]),
)
area = st.builds(lambda name, items, joiner: joiner.join([name, *items]), heading, st.lists(item, max_size=4),
                 st.sampled_from(["\n\n", "\n", "\r\n\r\n", "\n \n"]))
memorandum_skeleton = st.builds(
    lambda title, intro, areas, tail, joiner: joiner.join([title, intro, *areas, tail]),
    st.sampled_from([
        "Fourth Plenary Session of the Hong Kong/Beijing Co-operation Conference held in Beijing",
        "Hong Kong/Shenzhen Co-operation Meeting 2023 held in Shenzhen", "京港合作會議第四次會議備忘錄", "Plenary Session of the ",
    ]) | noise,
    st.sampled_from([
        "At the meeting, Hong Kong and Beijing reached consensus on the following eight co-operation areas:",
        "The two sides reached consensus on the following two co-operation areas:",
        "二〇一八年十月二十四日，京港合作會議第四次會議在北京舉行。雙方就以下八個合作範疇達成共識：",
        "today (October 24)",
    ]) | noise,
    st.lists(area, max_size=6),
    st.sampled_from(["", "Ends/Wednesday, October 24, 2018", "【打印】  【關閉】", "本備忘錄於二〇一八年十月二十四日在北京簽署。"]),
    st.sampled_from(["\n\n", "\n"]),
)


@MODEST
@given(source=memorandum_skeleton, format=st.sampled_from(["text", "auto", "html", "pdf", "docx"]))
def test_noisy_memorandum_is_parsed_well_formed_or_refused(source, format):
    assert_well_formed(parse_or_refuse(source, format))


@MODEST
@given(source=memorandum_skeleton, tag=st.sampled_from(["p", "div"]))
def test_noisy_memorandum_as_a_web_page_is_parsed_well_formed_or_refused(source, tag):
    blocks = "".join(f"<{tag}>{html.escape(paragraph)}</{tag}>" for paragraph in source.split("\n\n"))
    page = f"<html><body><main>{blocks}</main></body></html>".encode("utf-8", "surrogatepass")
    assert_well_formed(parse_or_refuse(page, "html"))


@pytest.mark.parametrize("source", ["一、\n（一）", "京港合作會議第四次會議備忘錄\n一、經貿合作\n（一）\n"])
def test_numbered_item_marker_with_no_text_is_no_item(source):
    """Found by the properties above: a bare （一） once became an item with no text in either language."""
    assert_well_formed(parse_or_refuse(source, "text"))
