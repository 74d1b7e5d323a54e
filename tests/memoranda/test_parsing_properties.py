"""Properties of every parser: whatever comes in, the only failure is MemorandumParseError, and what
comes out is loadable (every area has items, every item has text). No database."""
import json
from pathlib import Path

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from memoranda.parsing import MemorandumParseError, ParsedMemorandum, parse_memorandum

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
