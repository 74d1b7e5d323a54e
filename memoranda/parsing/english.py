"""English press releases of a plenary session, in the shapes the government sites and their
copies give them: Title Case, Sentence case or ALL CAPS area headings, or no headings at all
("On cross-boundary infrastructure, both sides …"); sessions named "Fourth Plenary Session of …",
"20th Plenary of …", "High-Level Meeting cum First Plenary Session of …", "Sixth … High Level
Meeting" or "… Co-operation Meeting 2023". The year of the session is never guessed."""
from __future__ import annotations

import datetime
import re

from django.utils.translation import gettext as _

from memoranda.parsing.model import ParsedArea, ParsedItem, ParsedMemorandum, Problem
from memoranda.parsing.numerals import NUMBER_PATTERN, ORDINAL_PATTERN, english_number, english_ordinal
from memoranda.parsing.text import Line, Paragraph, ends_sentence, finish, paragraphs

MONTHS = {
    name: number
    for number, name in enumerate(
        ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"],
        start=1,
    )
}
MONTH = "|".join(name.capitalize() for name in MONTHS)

# A mechanism's name: capitalised words (and the small words between them) ending in what it is.
NAME_WORD = r"[A-Z][\w'’&./-]*"
MECHANISM = rf"{NAME_WORD}(?:\s+(?:(?:and|of|for|on|the|in)\s+)*{NAME_WORD})*?\s+(?:Conference|Council|Committee|Forum|Meeting|Mechanism)\b"
ORDINAL = rf"(?i:{ORDINAL_PATTERN})"
SESSION_PATTERNS = (
    # "Fourth Plenary Session of the …", "20th Plenary of the …", "… cum First Plenary Session of the …"
    re.compile(rf"\b(?P<ordinal>{ORDINAL})\s+(?i:Plenary)(?:\s+(?i:Session|Meeting))?\s+of\s+(?:the\s+)?(?P<mechanism>{MECHANISM})"),
    # a headline: "Hong Kong/Shanghai Economic and Trade Co-operation Conference holds sixth plenary session"
    re.compile(rf"\b(?P<mechanism>{MECHANISM})\s+(?:holds|held|convenes|convened|opens)\s+(?:its\s+)?(?P<ordinal>{ORDINAL})\s+(?i:plenary)"),
    # "the Sixth Hong Kong/Sichuan Co-operation High Level Meeting" (two places joined: checked after)
    re.compile(rf"\b(?P<ordinal>{ORDINAL})\s+(?P<mechanism>{NAME_WORD}(?:\s+{NAME_WORD})*?\s+(?:Conference|Meeting|Forum))\b"),
    # "the Hong Kong/Shenzhen Co-operation Meeting 2023": a yearly meeting, numbered by the administrator
    re.compile(rf"\b(?P<mechanism>{NAME_WORD}(?:\s+{NAME_WORD})*?\s+(?:Conference|Meeting|Forum))\s+(?P<year>(?:19|20)\d\d)\b"),
    # only the mechanism: the number comes from the administrator
    re.compile(rf"\b(?P<mechanism>{NAME_WORD}(?:\s+(?:(?:and|of)\s+)?{NAME_WORD})*?\s+(?:Conference|Meeting|Forum))\b"),
)
TWO_PLACES = re.compile(r"[A-Za-z]\s*/\s*[A-Z]|[a-z]-[A-Z]")
LEADING_ORDINAL = re.compile(rf"^(?:the\s+)?(?P<ordinal>{ORDINAL})\s+")
DATELINE = re.compile(rf"^[A-Z][\w'’ ]{{1,30}},\s+(?P<month>{MONTH})\s+(?P<day>\d{{1,2}})$")
TITLE_VENUE = re.compile(r"\b(?:held|convened|hosted)\s+in\s+(?P<venue>[A-Z][A-Za-z'’ ,-]{1,60}?)\s*$")
INTRO_VENUE = re.compile(
    rf"\bin\s+(?P<venue>[A-Z][\w'’-]+(?:,?\s+[A-Z][\w'’-]+){{0,3}}),?\s+(?:today|tonight|yesterday|this\s+(?:morning|afternoon|evening)|on\s+(?:{MONTH}))\b"
)
ANNOUNCED_DAY = re.compile(
    rf"(?:\b(?:today|tonight|yesterday|this\s+(?:morning|afternoon|evening))\s*,?\s*\(\s*(?P<month>{MONTH})\s+(?P<day>\d{{1,2}})\s*\)"
    rf"|\bon\s+(?P<month2>{MONTH})\s+(?P<day2>\d{{1,2}})\b(?!\s*,?\s*\d{{4}}))"
)
FULL_DATE = re.compile(
    rf"\b(?:(?P<day1>\d{{1,2}})\s+(?P<month1>{MONTH})\s*,?\s+(?P<year1>\d{{4}})|(?P<month2>{MONTH})\s+(?P<day2>\d{{1,2}})\s*,\s*(?P<year2>\d{{4}}))\b"
)
AREA_COUNT = re.compile(
    rf"\b(?P<count>{NUMBER_PATTERN})\s+(?:(?:key|major|main|priority|specific|new|co-operation|cooperation)\s+){{0,2}}(?:areas|fields|aspects)\b", re.I
)
ANNOUNCEMENT = re.compile(r"\bconsensus\s+on\s+the\s+following\b|\bthe\s+following\s+(?:[\w-]+\s+){0,3}(?:areas|fields|aspects)\b", re.I)
CO_CHAIRED = re.compile(r"\bco-chaired\s+by\s+(?P<chairs>.+?)\.(?:\s|$)")
CONVENED_BY = re.compile(
    r"^(?P<chairs>.+?),?\s+(?:each\s+joined\s+by|leading\s+the(?:ir)?\s+(?:respective\s+)?delegations?|jointly\s+chaired|co-chaired|convened|chaired)\b"
)
# The closing narrative speaks of the session itself: who signed its memorandum, who chaired and
# attended it. An item may mention another memorandum "signed in 2017" without ending the list.
CLOSING = re.compile(
    r"\bmemorandum\s+of\s+the\s+.*\b(?:Plenary|Meeting|Conference)\b.*\bsigned\b|\bPlenary\s+Session\b.*\bco-chaired\s+by\b"
    r"|\battending\s+the\s+(?:meeting|session|conference)\b|\balso\s+attended\s+the\s+(?:meeting|session|conference)\b"
    r"|\bwitnessed\s+the\s+signing\b|^(?:After|Before|Following)\s+the\s+(?:meeting|session|plenary)\b",
    re.I,
)
SPEECH = re.compile(r"^(?:Mr|Mrs|Ms|Miss|Dr|Professor)\s+[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)?\s+(?:said|added|noted|stressed|remarked|pointed\s+out)\b|^[\"“]")
RUN_IN = re.compile(
    r"^(?:On|Regarding|Concerning|As\s+regards|As\s+for|With\s+regard\s+to|In\s+respect\s+of|In\s+terms\s+of"
    r"|In\s+the\s+(?:area|field|aspect|sphere)s?\s+of)\s+(?P<area>[^,;:.]{3,80}?),\s"
)
NUMBERING = re.compile(r"^(?:\(?\d{1,2}[.)]|\(?[a-z][.)]|\(?[IVX]{1,4}[.)]|[A-Z][.)])\s+")
VERB = re.compile(r"\b(?:would|will|shall|should|could|can|may|must|agreed|agree|agrees|is|are|was|were|has|have|had|said|says)\b", re.I)
MINOR_WORDS = {"a", "an", "and", "as", "at", "by", "for", "from", "in", "into", "of", "on", "or", "the", "to", "with", "between", "cum", "among", "amongst"}
DANGLING = MINOR_WORDS | {"its", "their", "our", "his", "her", "which", "that", "whose"}


def heading_tier(text: str) -> int:
    """How much a paragraph looks like an area heading: 1 for Title Case or ALL CAPS, 2 for a short
    Sentence-case line ('Trade and investment'), 0 for anything that is a sentence."""
    text = NUMBERING.sub("", text).rstrip(":").strip()
    words = text.split()
    if not words or len(words) > 15 or len(text) > 120 or ends_sentence(text) or ". " in text:
        return 0
    if not (text[0].isupper() or text[0].isdigit() or text[0] in "\"“'‘"):
        return 0
    if VERB.search(text) or words[-1].lower().strip(",") in DANGLING or text.endswith((",", "-", "—")):
        return 0
    significant = [word for word in words if word.lower() not in MINOR_WORDS]
    capitalised = [word for word in significant if word[:1].isupper() or word[:1].isdigit() or word[:1] in "\"“'‘("]
    if text.isupper() or len(capitalised) >= 0.6 * len(significant):
        return 1
    return 2 if len(words) <= 12 else 0


def is_heading(text: str) -> bool:
    return heading_tier(text) > 0


def heading_name(text: str) -> str:
    """The area's name as a heading gives it: without its numbering or colon; ALL CAPS made Title Case."""
    name = NUMBERING.sub("", text).rstrip(":").strip()
    if name.isupper() and len(name) > 4:
        name = " ".join(word if len(word) <= 3 and word in {"HK", "BRI", "GBA", "I&T", "R&D"} else _title_word(word, index)
                        for index, word in enumerate(name.split()))
    return name


def _title_word(word: str, index: int) -> str:
    lowered = word.lower()
    if index and lowered in MINOR_WORDS:
        return lowered
    return lowered[:1].upper() + lowered[1:]  # "CO-OPERATION" → "Co-operation", as the releases write it


def _co_chairs(chairs: str) -> list[str]:
    """'the Chief Executive, Mrs Carrie Lam, and the Mayor of Beijing, Mr Chen Jining' → two names."""
    parts = re.split(r",\s+and\s+", chairs)
    if len(parts) == 1:
        parts = re.split(r"\s+and\s+(?=the\s|(?:Mr|Mrs|Ms|Dr|Professor)\s)", chairs)
    cleaned = [re.sub(r"^(?:and\s+)?the\s+", "", part.strip(" ,"), flags=re.I) for part in parts if part.strip(" ,")]
    return [part[0].upper() + part[1:] for part in cleaned if part]


def parse_english(lines: list[Line]) -> ParsedMemorandum:
    found = paragraphs(lines, is_heading=is_heading)
    parsed = ParsedMemorandum(source_format="text", language="en", source_description="English press release")
    problems: list[Problem] = []
    intro_end = min(len(found), 6)

    _read_session(parsed, found)
    _read_venue_and_date(parsed, found, problems)

    announcement = next((i for i, p in enumerate(found[1:12], start=1) if ANNOUNCEMENT.search(p.text) or (
        AREA_COUNT.search(p.text) and p.text.rstrip().endswith(":"))), None)
    count_in = found[announcement].text if announcement is not None else " ".join(p.text for p in found[:intro_end])
    count = AREA_COUNT.search(count_in)
    if count:
        parsed.announced_area_count = english_number(count.group("count"))

    start = announcement + 1 if announcement is not None else _first_body_paragraph(found)
    end = next((i for i in range(start, len(found)) if CLOSING.search(found[i].text) or (
        i > start + 1 and SPEECH.search(found[i].text) and not RUN_IN.search(found[i].text))), len(found))
    body = found[start:end]
    closing = " ".join(p.text for p in found[end:])

    intro_paragraphs = [p.text for p in found[1:max(start, 2)]]
    chairs = CO_CHAIRED.search(closing) or next(
        (match for match in (CONVENED_BY.search(text) for text in intro_paragraphs) if match), None)
    if chairs:
        parsed.co_chairs = _co_chairs(chairs.group("chairs"))
    if re.search(r"\(Chinese only\)", closing):
        parsed.language = "zh"
    elif re.search(r"\(English only\)", closing):
        parsed.language = "en"

    headings = _choose_headings(body, parsed.announced_area_count)
    if headings:
        _split_by_headings(parsed, body, headings, problems)
    else:
        _split_run_in(parsed, body, problems)
    return finish(parsed, problems, no_areas=_(
        "No co-operation area headings were recognised. An area heading is a short line without a full stop, "
        "followed by the paragraphs of its items; or each item may open with its area (\"On transport, both sides …\")."
    ))


def _read_session(parsed: ParsedMemorandum, found: list[Paragraph]) -> None:
    """The session's number and mechanism, from the headline or the first paragraphs that name them."""
    for paragraph in found:
        for pattern in SESSION_PATTERNS:
            for match in pattern.finditer(paragraph.text):
                name = re.sub(r"^the\s+", "", " ".join(match.group("mechanism").split()), flags=re.I)
                ordinal = match.groupdict().get("ordinal")
                leading = LEADING_ORDINAL.match(name)
                if leading and not ordinal:  # "Fifth Hong Kong/Macao … Meeting" found by a looser pattern
                    ordinal, name = leading.group("ordinal"), name[leading.end():]
                if "plenary" in name.lower() or (pattern is not SESSION_PATTERNS[0] and not TWO_PLACES.search(name)):
                    continue
                parsed.mechanism_name = name
                parsed.session_number = english_ordinal(ordinal) if ordinal else None
                if parsed.session_number or match.groupdict().get("year"):
                    phrase = re.sub(r"^the\s+", "", match.group(0), flags=re.I)
                    if ordinal and not phrase.lower().startswith(ordinal.lower()):  # the headline's word order
                        phrase = f"{ordinal.capitalize()} Plenary Session of the {name}"
                    parsed.title = f"Memorandum of the {phrase}"
                return


def _read_venue_and_date(parsed: ParsedMemorandum, found: list[Paragraph], problems: list[Problem]) -> None:
    headline = found[0].text if found else ""
    intro = " ".join(p.text for p in found[:3])
    venue = TITLE_VENUE.search(headline) or INTRO_VENUE.search(intro)
    parsed.venue = venue.group("venue").split(",")[0].strip() if venue else ""  # the city: "Chengdu, Sichuan" → Chengdu

    announced = ANNOUNCED_DAY.search(intro) or next(filter(None, (DATELINE.match(p.text) for p in found[1:4])), None)
    if announced:  # "today (October 24)", "on February 22": the day without the year, to check the date entered
        groups = announced.groupdict()
        month_name, day = groups["month"] or groups["month2"], int(groups["day"] or groups["day2"])
        month = MONTHS[month_name.lower()]
        try:
            datetime.date(2000, month, day)  # a leap year, so that 29 February passes
            parsed.announced_month_day = (month, day)
        except ValueError:
            problems.append(Problem(_("%(date)s is not a real date.") % {"date": f"'{announced.group(0)}'"}, field="session.held_on"))
        return
    # A release that states the year itself, where it names the session: nothing is guessed.
    where = next((p.text for p in found[:3] if any(pattern.search(p.text) for pattern in SESSION_PATTERNS) and FULL_DATE.search(p.text)), "")
    full_date = FULL_DATE.search(where)
    if full_date:
        day, month_name, year = (full_date.group("day1"), full_date.group("month1"), full_date.group("year1")) if full_date.group("day1") else (
            full_date.group("day2"), full_date.group("month2"), full_date.group("year2"))
        try:
            parsed.held_on = datetime.date(int(year), MONTHS[month_name.lower()], int(day))
        except ValueError:
            problems.append(Problem(_("%(date)s is not a real date.") % {"date": f"'{full_date.group(0)}'"}, field="session.held_on"))


def _first_body_paragraph(found: list[Paragraph]) -> int:
    """Without an announcement, the areas start at the first heading (or run-in item) after the
    introduction: the headline, the paragraph naming the session, and what people said."""
    for index, paragraph in enumerate(found[1:], start=1):
        if SPEECH.search(paragraph.text) or any(pattern.search(paragraph.text) for pattern in SESSION_PATTERNS):
            continue
        following = found[index + 1].text if index + 1 < len(found) else ""
        if (is_heading(paragraph.text) and following and not is_heading(following)) or RUN_IN.search(paragraph.text):
            return index
    return len(found)


def _choose_headings(body: list[Paragraph], announced: int | None) -> set[int]:
    """Which body paragraphs are area headings. Title Case and Sentence case lines both count;
    when the release announces how many areas it has and the Title Case ones alone match that
    number, the Sentence-case lines are taken for items instead."""
    strong = {i for i, p in enumerate(body) if heading_tier(p.text) == 1}
    weak = {i for i, p in enumerate(body) if heading_tier(p.text) == 2}
    if announced is not None and len(strong | weak) != announced and len(strong) == announced:
        return strong
    return strong | weak


def _split_by_headings(parsed: ParsedMemorandum, body: list[Paragraph], headings: set[int], problems: list[Problem]) -> None:
    area: ParsedArea | None = None
    for index, paragraph in enumerate(body):
        if index in headings:
            area = ParsedArea(name=heading_name(paragraph.text), line=paragraph.line)
            parsed.areas.append(area)
        elif area is None:
            problems.append(Problem(_("This paragraph comes before any co-operation area heading."), line=paragraph.line))
        else:
            area.items.append(ParsedItem(text=paragraph.text, line=paragraph.line))


def _split_run_in(parsed: ParsedMemorandum, body: list[Paragraph], problems: list[Problem]) -> None:
    """Items that name their own area ('On transport, both sides …'); a paragraph that does not
    belongs to the area before it."""
    by_name: dict[str, ParsedArea] = {}
    area: ParsedArea | None = None
    for paragraph in body:
        run_in = RUN_IN.search(paragraph.text)
        if run_in:
            name = run_in.group("area").strip()
            name = name[0].upper() + name[1:]
            area = by_name.get(name.lower())
            if area is None:
                area = by_name[name.lower()] = ParsedArea(name=name, line=paragraph.line)
                parsed.areas.append(area)
        if area is None:
            if parsed.areas or any(RUN_IN.search(p.text) for p in body):
                problems.append(Problem(_("This paragraph comes before any co-operation area heading."), line=paragraph.line))
            continue
        area.items.append(ParsedItem(text=paragraph.text, line=paragraph.line))
