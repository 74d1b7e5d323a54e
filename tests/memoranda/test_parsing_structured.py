"""The structured memorandum file: YAML and JSON of one schema. No database."""
import datetime

import pytest

from memoranda.parsing import MemorandumParseError, parse_memorandum
from memoranda.parsing.structured import parse_structured

YAML = """\
mechanism:
  code: hkbj
  name: Hong Kong/Beijing Co-operation Conference
  name_zh: 京港合作會議
  parties: [HK, BJ]
  established_year: 2004
session:
  number: 4
  held_on: 2018-10-24
  venue: Beijing
  co_chairs:
    - Mrs Carrie Lam
    - Mr Chen Jining
memorandum:
  language: zh
  signed_on: 2018-10-24
areas:
  - name: Services Industries
    name_zh: 服務業
    items:
      - Hong Kong and Beijing would enhance co-operation in Fintech.
      - text: Both sides would continue to hold the symposium.
        status: ongoing
        due_on: 2019-06-30
        continues: HKBJ-3-2.1
        lead: Hong Kong Trade Development Council
        supporting: [Invest Hong Kong]
        milestones:
          - title: Symposium held
            due_on: 2019-01-31
  - name_zh: 青年發展
    items:
      - text_zh: 雙方將推動兩地青年交流。
"""

JSON = """\
{
  "mechanism": {
    "code": "hkbj",
    "name": "Hong Kong/Beijing Co-operation Conference",
    "name_zh": "京港合作會議",
    "parties": ["HK", "BJ"],
    "established_year": 2004
  },
  "session": {
    "number": 4,
    "held_on": "2018-10-24",
    "venue": "Beijing",
    "co_chairs": ["Mrs Carrie Lam", "Mr Chen Jining"]
  },
  "memorandum": {"language": "zh", "signed_on": "2018-10-24"},
  "areas": [
    {
      "name": "Services Industries",
      "name_zh": "服務業",
      "items": [
        "Hong Kong and Beijing would enhance co-operation in Fintech.",
        {
          "text": "Both sides would continue to hold the symposium.",
          "status": "ongoing",
          "due_on": "2019-06-30",
          "continues": "HKBJ-3-2.1",
          "lead": "Hong Kong Trade Development Council",
          "supporting": ["Invest Hong Kong"],
          "milestones": [{"title": "Symposium held", "due_on": "2019-01-31"}]
        }
      ]
    },
    {"name_zh": "青年發展", "items": [{"text_zh": "雙方將推動兩地青年交流。"}]}
  ]
}
"""

HEADER = "mechanism: {code: HKBJ}\nsession: {number: 4}\n"


def problems_of(text: str, format: str = "yaml") -> list:
    with pytest.raises(MemorandumParseError) as raised:
        parse_structured(text, format=format)
    return raised.value.problems


def fields_of(problems: list) -> list[str]:
    return [problem.field for problem in problems]


def without_lines(parsed) -> dict:
    """What a memorandum says, leaving out the lines it was said on (which differ by format)."""
    return {
        "mechanism": (parsed.mechanism_code, parsed.mechanism_name, parsed.mechanism_name_zh, parsed.mechanism_parties,
                      parsed.mechanism_established_year),
        "session": (parsed.session_number, parsed.held_on, parsed.venue, parsed.co_chairs),
        "memorandum": (parsed.language, parsed.signed_on),
        "areas": [
            (area.name, area.name_zh, [
                (item.text, item.text_zh, item.status, item.due_on, item.continues, item.lead, item.supporting,
                 [(milestone.title, milestone.due_on) for milestone in item.milestones])
                for item in area.items
            ])
            for area in parsed.areas
        ],
    }


def test_yaml_file_is_read_field_by_field():
    parsed = parse_memorandum(YAML, filename="hkbj-4.yaml")
    assert parsed.source_format == "yaml"
    assert parsed.mechanism_code == "HKBJ"
    assert parsed.mechanism_parties == ["HK", "BJ"]
    assert parsed.mechanism_established_year == 2004
    assert parsed.session_number == 4
    assert parsed.held_on == datetime.date(2018, 10, 24)
    assert parsed.co_chairs == ["Mrs Carrie Lam", "Mr Chen Jining"]
    assert parsed.language == "zh"
    second = parsed.areas[0].items[1]
    assert (second.status, second.due_on, second.continues) == ("ongoing", datetime.date(2019, 6, 30), "HKBJ-3-2.1")
    assert second.supporting == ["Invest Hong Kong"]
    assert [(milestone.title, milestone.due_on, milestone.line) for milestone in second.milestones] == [
        ("Symposium held", datetime.date(2019, 1, 31), 29),
    ]
    assert (parsed.areas[0].line, second.line) == (18, 22)


def test_json_file_is_read_field_by_field():
    parsed = parse_memorandum(JSON, filename="hkbj-4.json")
    assert parsed.source_format == "json"
    assert parsed.held_on == datetime.date(2018, 10, 24)
    assert parsed.areas[1].items[0].text_zh == "雙方將推動兩地青年交流。"


def test_yaml_and_json_of_one_schema_say_the_same():
    assert without_lines(parse_structured(YAML, format="yaml")) == without_lines(parse_structured(JSON, format="json"))


def test_item_given_as_plain_string_is_accepted_as_its_text():
    item = parse_structured(YAML).areas[0].items[0]
    assert item.text == "Hong Kong and Beijing would enhance co-operation in Fintech."
    assert item.status == ""


def test_area_with_only_a_chinese_name_is_accepted():
    area = parse_structured(YAML).areas[1]
    assert (area.name, area.name_zh) == ("", "青年發展")


def test_yaml_field_error_has_its_line_and_full_field_path():
    text = HEADER + (
        "areas:\n"
        "  - name: Trade\n"
        "    items:\n"
        "      - Both sides would trade.\n"
        "      - text: Both sides would invest.\n"
        "        due_on: 2019-13-01\n"
    )
    problems = problems_of(text)
    assert [(problem.line, problem.field) for problem in problems] == [(8, "areas[0].items[1].due_on")]
    assert "'2019-13-01' is not a real date; write it as YYYY-MM-DD." == problems[0].message


def test_json_field_error_has_its_line_and_full_field_path():
    text = (
        '{\n'
        '  "mechanism": {"code": "HKBJ"},\n'
        '  "session": {"number": 4},\n'
        '  "areas": [\n'
        '    {"name": "Trade",\n'
        '     "items": ["Both sides would trade.",\n'
        '               {"text": "Both sides would invest.", "due_on": "2019-13-01"}]}\n'
        '  ]\n'
        '}\n'
    )
    problems = problems_of(text, "json")
    assert [(problem.line, problem.field) for problem in problems] == [(7, "areas[0].items[1].due_on")]


@pytest.mark.parametrize(
    ("document", "field"),
    [
        ("mechanism: {code: HKBJ}\nsession:\n  number: 4\n  held_on: 2018-02-30\nareas: [{name: T, items: [x]}]\n", "session.held_on"),
        (HEADER + "memorandum:\n  signed_on: 2018-02-30\nareas: [{name: T, items: [x]}]\n", "memorandum.signed_on"),
        (HEADER + "areas:\n  - name: T\n    items:\n      - text: x\n        due_on: 2018-02-30\n", "areas[0].items[0].due_on"),
        (HEADER + "areas:\n  - name: T\n    items:\n      - text: x\n        milestones:\n          - {title: m, due_on: 2018-02-30}\n",
         "areas[0].items[0].milestones[0].due_on"),
    ],
)
def test_february_30th_is_refused_naming_the_field(document, field):
    problems = problems_of(document)
    assert fields_of(problems) == [field]
    assert "'2018-02-30' is not a real date" in problems[0].message
    assert problems[0].line is not None


def test_unknown_key_is_refused_at_every_level():
    text = (
        "mechanism: {code: HKBJ, colour: red}\n"
        "session: {number: 4, room: A}\n"
        "notes: nothing\n"
        "areas:\n"
        "  - name: Trade\n"
        "    owner: CMAB\n"
        "    items:\n"
        "      - text: x\n"
        "        priority: high\n"
    )
    problems = problems_of(text)
    assert sorted((problem.field, problem.line) for problem in problems) == [
        ("areas[0].items[0].priority", 9),
        ("areas[0].owner", 6),
        ("mechanism.colour", 1),
        ("notes", 3),
        ("session.room", 2),
    ]
    assert all(problem.message.startswith("unknown field; expected one of:") for problem in problems)


def test_missing_mechanism_code_and_session_number_are_refused():
    problems = problems_of("mechanism: {name: X}\nsession: {venue: Beijing}\nareas: [{name: T, items: [x]}]\n")
    assert sorted(fields_of(problems)) == ["mechanism.code", "session.number"]
    assert all(problem.message == "is required." for problem in problems)


def test_missing_areas_is_refused():
    problems = problems_of(HEADER)
    assert [problem.message for problem in problems] == ["is required and must list at least one entry."]
    assert "areas" in problems[0].field


def test_empty_areas_list_is_refused():
    problems = problems_of(HEADER + "areas: []\n")
    assert [(problem.line, problem.message) for problem in problems] == [(3, "must list at least one entry.")]


def test_area_without_items_is_refused():
    problems = problems_of(HEADER + "areas:\n  - name: Trade\n")
    assert [(problem.field, problem.message) for problem in problems] == [
        ("areas[0].items", "is required and must list at least one entry."),
    ]


def test_area_without_any_name_is_refused():
    problems = problems_of(HEADER + "areas:\n  - items: [x]\n")
    assert fields_of(problems) == ["areas[0].name"]


def test_item_mapping_without_text_is_refused():
    problems = problems_of(HEADER + "areas:\n  - name: T\n    items:\n      - status: ongoing\n")
    assert fields_of(problems) == ["areas[0].items[0].text"]
    assert problems[0].line == 6


def test_missing_top_level_sections_are_refused():
    problems = problems_of("memorandum: {title: A memorandum}\n")
    assert {"mechanism", "session", "mechanism.code", "session.number"} <= set(fields_of(problems))


def test_invalid_yaml_syntax_is_refused_with_its_line():
    problems = problems_of("mechanism:\n  code: HKBJ\n session: [\n")
    assert len(problems) == 1
    assert problems[0].message.startswith("Not valid YAML:")
    assert problems[0].line == 3


def test_invalid_json_syntax_is_refused_with_its_line_and_column():
    problems = problems_of('{\n  "mechanism": {"code": "HKBJ"},\n  "session": \n}', "json")
    assert [(problem.line, problem.message) for problem in problems] == [(4, "Not valid JSON: Expecting value (column 1).")]


def test_json_with_trailing_comma_is_refused():
    problems = problems_of('{"mechanism": {"code": "HKBJ"},}', "json")
    assert problems[0].message.startswith("Not valid JSON:")
    assert problems[0].line == 1


@pytest.mark.parametrize("document", ["- a\n- b\n", "just a sentence\n", "42\n"])
def test_document_that_is_not_a_mapping_is_refused(document):
    problems = problems_of(document)
    assert [(problem.line, problem.message) for problem in problems] == [
        (1, "The file must be a mapping with mechanism, session, memorandum and areas."),
    ]


def test_status_not_in_choices_is_refused_listing_them():
    problems = problems_of(HEADER + "areas:\n  - name: T\n    items:\n      - text: x\n        status: done\n")
    assert [(problem.line, problem.field) for problem in problems] == [(7, "areas[0].items[0].status")]
    assert "'done' is not one of: not_started, on_track" in problems[0].message


def test_new_item_cannot_start_as_not_pursued():
    problems = problems_of(HEADER + "areas:\n  - name: T\n    items:\n      - text: x\n        status: not_pursued\n")
    assert fields_of(problems) == ["areas[0].items[0].status"]
    assert "cannot start as not pursued" in problems[0].message


@pytest.mark.parametrize("ref", ["HKBJ-3", "hkbj-3-2.1", "HKBJ-3-2", "3-2.1", "HKBJ-3-2.1 and more"])
def test_bad_continues_reference_is_refused(ref):
    problems = problems_of(HEADER + f"areas:\n  - name: T\n    items:\n      - text: x\n        continues: {ref}\n")
    assert [(problem.line, problem.field) for problem in problems] == [(7, "areas[0].items[0].continues")]
    assert "is not a commitment reference like HKBJ-3-2.1" in problems[0].message


@pytest.mark.parametrize(("number", "accepted"), [("4", True), ("0", False), ("'4'", False), ("4.5", False), ("true", False), ("40000", False)])
def test_session_number_must_be_a_whole_number_from_one(number, accepted):
    document = f"mechanism: {{code: HKBJ}}\nsession: {{number: {number}}}\nareas: [{{name: T, items: [x]}}]\n"
    if accepted:
        assert parse_structured(document).session_number == int(number)
    else:
        assert fields_of(problems_of(document)) == ["session.number"]


@pytest.mark.parametrize("code", ["H", "4HKBJ", "HK-BJ", "ABCDEFGHIJKLM"])
def test_malformed_mechanism_code_is_refused(code):
    problems = problems_of(f"mechanism: {{code: '{code}'}}\nsession: {{number: 4}}\nareas: [{{name: T, items: [x]}}]\n")
    assert "mechanism.code" in fields_of(problems)


def test_language_must_be_one_of_the_choices():
    problems = problems_of(HEADER + "memorandum: {language: fr}\nareas: [{name: T, items: [x]}]\n")
    assert fields_of(problems) == ["memorandum.language"]


def test_every_problem_is_reported_at_once():
    text = (
        "mechanism: {code: HKBJ}\n"
        "session: {number: 4, held_on: 2018-02-30}\n"
        "areas:\n"
        "  - name: T\n"
        "    items:\n"
        "      - text: x\n"
        "        status: done\n"
        "        continues: nope\n"
    )
    assert sorted(fields_of(problems_of(text))) == [
        "areas[0].items[0].continues", "areas[0].items[0].status", "session.held_on",
    ]


def test_recursive_yaml_alias_is_refused():
    problems = problems_of("a: &loop [*loop]\n")
    assert problems[0].message.startswith("Not valid YAML:")


def test_yaml_dates_are_validated_not_left_to_the_yaml_library():
    parsed = parse_structured(HEADER + "areas:\n  - name: T\n    items:\n      - {text: x, due_on: 2019-06-30}\n")
    assert parsed.items[0].due_on == datetime.date(2019, 6, 30)
