"""The structured memorandum file: YAML or JSON, one schema (see fixtures/memoranda/README.md)."""
from __future__ import annotations

import datetime
import json
import re
from typing import Any

import yaml
from django.utils.translation import gettext as _

from memoranda.choices import MECHANISM_CODE, MemorandumLanguage, Status
from memoranda.parsing.model import (
    MemorandumParseError,
    ParsedArea,
    ParsedItem,
    ParsedMemorandum,
    ParsedMilestone,
    Problem,
)

TOP_KEYS = {"mechanism", "session", "memorandum", "areas"}
MECHANISM_KEYS = {"code", "name", "name_zh", "parties", "established_year", "former_names"}
SESSION_KEYS = {"number", "held_on", "venue", "venue_zh", "co_chairs"}
MEMORANDUM_KEYS = {"title", "title_zh", "signed_on", "signatories", "language", "source_description"}
AREA_KEYS = {"name", "name_zh", "items"}
ITEM_KEYS = {
    "text", "text_zh", "title", "title_zh", "lead", "supporting", "parties", "status", "due_on",
    "continues", "responsible_officer", "milestones",
}
MILESTONE_KEYS = {"title", "title_zh", "due_on"}
REF = re.compile(r"^[A-Z][A-Z0-9]{1,11}-\d+-\d+\.\d+$")


class LineDict(dict):
    """A mapping that remembers the line of each of its keys."""

    line: int | None = None
    key_lines: dict[str, int]


class LineList(list):
    line: int | None = None


class _LineLoader(yaml.SafeLoader):
    """SafeLoader that records lines, and leaves dates as text so that we validate them ourselves."""


# Dates stay text (so 2018-02-30 is reported, not a crash) and yes/no/on/off stay words (so a
# mechanism coded NO is not read as False): YAML 1.1's implicit conversions help no one here.
_LineLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in {"tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:bool"}]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> LineDict:
    mapping = LineDict()
    mapping.line = node.start_mark.line + 1
    mapping.key_lines = {}
    for key_node, value_node in node.value:
        key = str(loader.construct_object(key_node, deep=True))
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.key_lines[key] = key_node.start_mark.line + 1
    return mapping


def _construct_sequence(loader: _LineLoader, node: yaml.SequenceNode) -> LineList:
    sequence = LineList(loader.construct_object(child, deep=True) for child in node.value)
    sequence.line = node.start_mark.line + 1
    return sequence


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def _load(text: str, format: str) -> Any:
    if format == "json":
        return _load_json(text)
    try:
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506 (a SafeLoader subclass)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        raise MemorandumParseError(
            [Problem(_("Not valid YAML: %(error)s.") % {"error": error.problem or error.context}, line=mark.line + 1 if mark else None)]
        ) from None
    except (yaml.YAMLError, ValueError, RecursionError) as error:
        raise MemorandumParseError([Problem(_("Not valid YAML: %(error)s.") % {"error": error})]) from None


def _load_json(text: str) -> Any:
    """JSON's own reading of the values; line numbers borrowed from reading it as YAML, when it can be."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise MemorandumParseError([Problem(
            _("Not valid JSON: %(error)s (column %(column)s).") % {"error": error.msg, "column": error.colno}, line=error.lineno,
        )]) from None
    except (ValueError, RecursionError) as error:
        raise MemorandumParseError([Problem(_("Not valid JSON: %(error)s.") % {"error": str(error) or type(error).__name__})]) from None
    try:
        with_lines = yaml.load(text, Loader=_LineLoader)  # noqa: S506
    except (yaml.YAMLError, ValueError, RecursionError):
        with_lines = None  # e.g. tabs, which JSON allows and YAML does not: no line numbers then
    return _with_lines(document, with_lines)


def _with_lines(value: Any, lines: Any) -> Any:
    if isinstance(value, dict):
        mapping = LineDict((key, _with_lines(item, lines.get(key) if isinstance(lines, dict) else None)) for key, item in value.items())
        mapping.line = getattr(lines, "line", None)
        mapping.key_lines = getattr(lines, "key_lines", {})
        return mapping
    if isinstance(value, list):
        sequence = LineList(
            _with_lines(item, lines[index] if isinstance(lines, list) and index < len(lines) else None) for index, item in enumerate(value)
        )
        sequence.line = getattr(lines, "line", None)
        return sequence
    return value


class _Reader:
    """Reads typed values out of loaded mappings, collecting a Problem for each bad one."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    @staticmethod
    def join(path: str, key: str) -> str:
        return f"{path}.{key}" if path else key

    def problem(self, mapping: Any, key: str | None, path: str, message: str) -> None:
        line = getattr(mapping, "key_lines", {}).get(key) if key else None
        self.problems.append(Problem(message, line=line or getattr(mapping, "line", None), field=path))

    def mapping(self, parent: Any, key: str, path: str, allowed: set[str], required: bool = False) -> LineDict:
        value = parent.get(key) if isinstance(parent, dict) else None
        if value is None:
            if required:
                self.problem(parent, None, path, _("is required."))
            return LineDict()
        if not isinstance(value, dict):
            self.problem(parent, key, path, _("must be a mapping of fields."))
            return LineDict()
        self.check_keys(value, path, allowed)
        return value

    def check_keys(self, mapping: dict, path: str, allowed: set[str]) -> None:
        for key in mapping:
            if key not in allowed:
                self.problem(mapping, key, self.join(path, key), _("unknown field; expected one of: %(fields)s.") % {
                    "fields": ", ".join(sorted(allowed))})

    def text(self, mapping: dict, key: str, path: str, required: bool = False, max_length: int = 10_000) -> str:
        value = mapping.get(key)
        if value is None or value == "":
            if required:
                self.problem(mapping, None, f"{path}.{key}", _("is required."))
            return ""
        if isinstance(value, (dict, list)):
            self.problem(mapping, key, f"{path}.{key}", _("must be text."))
            return ""
        text = str(value).strip()
        if len(text) > max_length:
            self.problem(mapping, key, f"{path}.{key}", _("is too long (%(length)s characters; at most %(limit)s).") % {
                "length": len(text), "limit": max_length})
        return text

    def text_list(self, mapping: dict, key: str, path: str) -> list[str]:
        value = mapping.get(key)
        if value is None:
            return []
        if isinstance(value, str):
            return [line.strip() for line in value.splitlines() if line.strip()]
        if isinstance(value, list) and all(isinstance(entry, (str, int)) for entry in value):
            return [str(entry).strip() for entry in value if str(entry).strip()]
        self.problem(mapping, key, f"{path}.{key}", _("must be text or a list of text."))
        return []

    def integer(self, mapping: dict, key: str, path: str, required: bool = False, minimum: int = 1) -> int | None:
        value = mapping.get(key)
        if value is None:
            if required:
                self.problem(mapping, None, f"{path}.{key}", _("is required."))
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum or value > 32767:
            self.problem(mapping, key, f"{path}.{key}", _("must be a whole number from %(minimum)s, not %(value)s.") % {
                "minimum": minimum, "value": repr(value)})
            return None
        return value

    def date(self, mapping: dict, key: str, path: str) -> datetime.date | None:
        value = mapping.get(key)
        if value is None or value == "":
            return None
        try:
            return datetime.date.fromisoformat(str(value).strip())
        except ValueError:
            self.problem(mapping, key, f"{path}.{key}", _("%(value)s is not a real date; write it as YYYY-MM-DD.") % {"value": repr(value)})
            return None

    def choice(self, mapping: dict, key: str, path: str, choices: list[str]) -> str:
        value = self.text(mapping, key, path)
        if value and value not in choices:
            self.problem(mapping, key, f"{path}.{key}", _("%(value)s is not one of: %(choices)s.") % {
                "value": repr(value), "choices": ", ".join(choices)})
            return ""
        return value

    def sequence(self, mapping: dict, key: str, path: str, required: bool = False) -> list:
        value = mapping.get(key)
        if value is None:
            if required:
                self.problem(mapping, None, self.join(path, key), _("is required and must list at least one entry."))
            return []
        if not isinstance(value, list):
            self.problem(mapping, key, self.join(path, key), _("must be a list."))
            return []
        if required and not value:
            self.problem(mapping, key, self.join(path, key), _("must list at least one entry."))
        return value


def parse_structured(text: str, *, format: str = "yaml") -> ParsedMemorandum:
    """Parse a structured memorandum file; every problem is reported with its line and field."""
    document = _load(text, format)
    if not isinstance(document, dict):
        raise MemorandumParseError([Problem(_("The file must be a mapping with mechanism, session, memorandum and areas."), line=1)])
    read = _Reader()
    read.check_keys(document, "", TOP_KEYS)
    mechanism = read.mapping(document, "mechanism", "mechanism", MECHANISM_KEYS, required=True)
    session = read.mapping(document, "session", "session", SESSION_KEYS, required=True)
    memorandum = read.mapping(document, "memorandum", "memorandum", MEMORANDUM_KEYS)
    parsed = ParsedMemorandum(
        source_format=format,
        mechanism_code=read.text(mechanism, "code", "mechanism", required=True, max_length=12).upper(),
        mechanism_name=read.text(mechanism, "name", "mechanism", max_length=255),
        mechanism_name_zh=read.text(mechanism, "name_zh", "mechanism", max_length=255),
        mechanism_parties=read.text_list(mechanism, "parties", "mechanism"),
        mechanism_established_year=read.integer(mechanism, "established_year", "mechanism", minimum=1949),
        mechanism_former_names="\n".join(read.text_list(mechanism, "former_names", "mechanism")),
        session_number=read.integer(session, "number", "session", required=True),
        held_on=read.date(session, "held_on", "session"),
        venue=read.text(session, "venue", "session", max_length=200),
        venue_zh=read.text(session, "venue_zh", "session", max_length=200),
        co_chairs=read.text_list(session, "co_chairs", "session"),
        title=read.text(memorandum, "title", "memorandum", max_length=300),
        title_zh=read.text(memorandum, "title_zh", "memorandum", max_length=300),
        signed_on=read.date(memorandum, "signed_on", "memorandum"),
        signatories=read.text_list(memorandum, "signatories", "memorandum"),
        language=read.choice(memorandum, "language", "memorandum", MemorandumLanguage.values),
        source_description=read.text(memorandum, "source_description", "memorandum", max_length=300),
    )
    if parsed.mechanism_code and not re.fullmatch(MECHANISM_CODE, parsed.mechanism_code):
        read.problem(mechanism, "code", "mechanism.code", _("must be 2 to 12 capital letters or digits, starting with a letter, e.g. HKBJ."))
    for area_index, area_data in enumerate(read.sequence(document, "areas", "", required=True)):
        parsed.areas.append(_area(read, area_data, f"areas[{area_index}]"))
    if read.problems:
        raise MemorandumParseError(read.problems)
    return parsed


def _area(read: _Reader, data: Any, path: str) -> ParsedArea:
    if not isinstance(data, dict):
        read.problems.append(Problem(_("must be a mapping with name and items."), line=getattr(data, "line", None), field=path))
        return ParsedArea()
    read.check_keys(data, path, AREA_KEYS)
    area = ParsedArea(name=read.text(data, "name", path, max_length=255), name_zh=read.text(data, "name_zh", path, max_length=255), line=data.line)
    if not area.any_name:
        read.problem(data, None, f"{path}.name", _("an area needs a name in English or Chinese (name or name_zh)."))
    for index, item_data in enumerate(read.sequence(data, "items", path, required=True)):
        area.items.append(_item(read, item_data, f"{path}.items[{index}]"))
    return area


def _item(read: _Reader, data: Any, path: str) -> ParsedItem:
    if isinstance(data, str):  # an item may be just its text
        if not data.strip():
            read.problems.append(Problem(_("an item's text is empty."), field=path))
        return ParsedItem(text=data.strip())
    if not isinstance(data, dict):
        read.problems.append(Problem(_("must be the item's text or a mapping of its fields."), field=path))
        return ParsedItem()
    read.check_keys(data, path, ITEM_KEYS)
    item = ParsedItem(
        text=read.text(data, "text", path),
        text_zh=read.text(data, "text_zh", path),
        title=read.text(data, "title", path, max_length=300),
        title_zh=read.text(data, "title_zh", path, max_length=300),
        lead=read.text(data, "lead", path, max_length=255),
        supporting=read.text_list(data, "supporting", path),
        parties=read.text_list(data, "parties", path),
        status=read.choice(data, "status", path, Status.values),
        due_on=read.date(data, "due_on", path),
        continues=read.text(data, "continues", path, max_length=40),
        responsible_officer=read.text(data, "responsible_officer", path, max_length=200),
        line=data.line,
    )
    if not item.any_text:
        read.problem(data, None, f"{path}.text", _("an item needs its text in English or Chinese (text or text_zh)."))
    if item.continues and not REF.match(item.continues):
        read.problem(data, "continues", f"{path}.continues",
                     _("%(ref)s is not a commitment reference like HKBJ-3-2.1.") % {"ref": repr(item.continues)})
    if item.status == Status.NOT_PURSUED:
        read.problem(data, "status", f"{path}.status", _("a newly agreed item cannot start as not pursued."))
    for index, milestone in enumerate(read.sequence(data, "milestones", path)):
        milestone_path = f"{path}.milestones[{index}]"
        if not isinstance(milestone, dict):
            read.problems.append(Problem(_("must be a mapping with title and due_on."), field=milestone_path))
            continue
        read.check_keys(milestone, milestone_path, MILESTONE_KEYS)
        parsed = ParsedMilestone(
            title=read.text(milestone, "title", milestone_path, max_length=300),
            title_zh=read.text(milestone, "title_zh", milestone_path, max_length=300),
            due_on=read.date(milestone, "due_on", milestone_path),
            line=milestone.line,
        )
        if not (parsed.title or parsed.title_zh):
            read.problem(milestone, None, f"{milestone_path}.title", _("a milestone needs a title."))
        item.milestones.append(parsed)
    return item
