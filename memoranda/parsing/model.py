"""What the parsers produce: a memorandum as plain data, and the problems found on the way."""
from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or worth a warning) in a source, and where it is."""

    message: str
    line: int | None = None  # 1-based line of a text, YAML or JSON source; row of a CSV/XLSX
    field: str = ""  # e.g. "areas[2].items[0].due_on"
    # An error blocks loading; a warning is shown in the preview and loading goes on.
    severity: str = "error"

    def __str__(self) -> str:
        # Translated when shown, so a problem reads in the language of the screen that shows it.
        if self.line and self.field:
            where = _("line %(number)s, %(field)s") % {"number": self.line, "field": self.field}
        else:
            where = _("line %(number)s") % {"number": self.line} if self.line else self.field
        # Translators: where a problem is (line and field), then what it is.
        return _("%(where)s: %(message)s") % {"where": where, "message": self.message} if where else self.message


class MemorandumParseError(ValueError):
    """The source cannot be loaded; `problems` says every reason found, each with its place."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(str(problem) for problem in problems))


@dataclass
class ParsedMilestone:
    title: str = ""
    title_zh: str = ""
    due_on: datetime.date | None = None
    line: int | None = None


@dataclass
class ParsedItem:
    """One consensus item. Empty owner, party and status fields are filled in by the import's rules."""

    text: str = ""
    text_zh: str = ""
    title: str = ""
    title_zh: str = ""
    lead: str = ""  # an organisation's name, Chinese name or abbreviation
    supporting: list[str] = field(default_factory=list)
    parties: list[str] = field(default_factory=list)  # party codes
    status: str = ""
    due_on: datetime.date | None = None
    continues: str = ""  # the ref of the earlier commitment this one carries forward
    responsible_officer: str = ""
    milestones: list[ParsedMilestone] = field(default_factory=list)
    line: int | None = None

    @property
    def any_text(self) -> str:
        return self.text or self.text_zh


@dataclass
class ParsedArea:
    name: str = ""
    name_zh: str = ""
    items: list[ParsedItem] = field(default_factory=list)
    line: int | None = None

    @property
    def any_name(self) -> str:
        return self.name or self.name_zh


@dataclass
class ParsedMemorandum:
    source_format: str
    mechanism_code: str = ""
    mechanism_name: str = ""
    mechanism_name_zh: str = ""
    # Only needed when the source introduces a mechanism the database does not have yet.
    mechanism_parties: list[str] = field(default_factory=list)
    mechanism_established_year: int | None = None
    mechanism_former_names: str = ""
    session_number: int | None = None
    held_on: datetime.date | None = None
    # A press release gives the day but not the year ("today (October 24)"): kept as (month, day)
    # to check the date the administrator enters, never to guess one.
    announced_month_day: tuple[int, int] | None = None
    venue: str = ""
    venue_zh: str = ""
    co_chairs: list[str] = field(default_factory=list)
    title: str = ""
    title_zh: str = ""
    signed_on: datetime.date | None = None
    signatories: list[str] = field(default_factory=list)
    language: str = ""
    source_description: str = ""
    announced_area_count: int | None = None
    areas: list[ParsedArea] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    @property
    def items(self) -> list[ParsedItem]:
        return [item for area in self.areas for item in area.items]


CONTINUING = ("continue to", "continues to", "would continue", "繼續", "继续", "持續", "持续")


def inferred_status(text: str) -> str:
    """'ongoing' for an item that carries on an existing arrangement ('would continue to …', 繼續),
    otherwise 'not_started'. Applied to items whose source gives no status."""
    lowered = text.lower()
    return "ongoing" if any(marker in lowered for marker in CONTINUING) else "not_started"
