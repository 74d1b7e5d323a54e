"""Plain text: an English press release in the style of the seed, or a Chinese memorandum with
numbered headings (一、二、… for areas; （一）（二）… or 1. 2. for items), Traditional or Simplified."""
from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from memoranda.parsing.model import MemorandumParseError, ParsedArea, ParsedItem, ParsedMemorandum, Problem
from memoranda.sources import normalise_source_text

MONTHS = {
    name: number
    for number, name in enumerate(
        ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"],
        start=1,
    )
}
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
ORDINAL_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50}
CHINESE_NUMERALS = {"〇": 0, "零": 0, "一": 1, "二": 2, "兩": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}

SESSION = re.compile(
    r"\b(?P<ordinal>\d{1,3}(?:st|nd|rd|th)|(?:(?:[Tt]wenty|[Tt]hirty|[Ff]orty|[Ff]ifty)[- ])?[A-Za-z]+)\s+Plenary\s+(?:Session|Meeting)\s+of\s+the\s+"
    r"(?P<mechanism>[A-Z][\w/&'’ -]{2,120}?(?:Conference|Council|Committee|Forum|Meeting|Mechanism))",
)
TITLE_VENUE = re.compile(r"\b(?:held|convened)\s+in\s+(?P<venue>[A-Z][A-Za-z'’ -]{1,60}?)\s*$")
INTRO_VENUE = re.compile(r"\bin\s+(?P<venue>[A-Z][A-Za-z'’-]+(?:\s[A-Z][A-Za-z'’-]+){0,3})\s+(?:today|on)\b")
MONTH_NAMES = "|".join(name.capitalize() for name in MONTHS)
ANNOUNCED_DAY = re.compile(rf"\btoday\s*\(\s*(?P<month>{MONTH_NAMES})\s+(?P<day>\d{{1,2}})\s*\)")
FULL_DATE = re.compile(
    rf"\b(?:(?P<day1>\d{{1,2}})\s+(?P<month1>{MONTH_NAMES})\s*,?\s+(?P<year1>\d{{4}})|(?P<month2>{MONTH_NAMES})\s+(?P<day2>\d{{1,2}})\s*,\s*(?P<year2>\d{{4}}))\b"
)
AREA_COUNT = re.compile(r"\bconsensus\s+on\s+(?:the\s+following\s+)?(?P<count>\w+)\s+(?:[\w-]+\s+){0,2}areas?\b", re.I)
CO_CHAIRED = re.compile(r"\bco-chaired\s+by\s+(?P<chairs>.+?)\.(?:\s|$)")
CONVENED_BY = re.compile(r"^(?P<chairs>.+?),?\s+(?:each\s+joined\s+by|convened|co-chaired)\b")
# The closing narrative speaks of the session itself: who signed its memorandum, who chaired and
# attended it. An item may mention another memorandum "signed in 2017" without ending the list.
CLOSING = re.compile(
    r"\bmemorandum\s+of\s+the\s+.*\bPlenary\s+Session\b.*\bsigned\b|\bPlenary\s+Session\b.*\bco-chaired\s+by\b"
    r"|\battending\s+the\s+meeting\b|\balso\s+attended\s+the\s+meeting\b|\bwitnessed\s+the\s+signing\b",
    re.I,
)
SENTENCE_END = tuple('.!?:;"”’)」。；：')

CHINESE_AREA = re.compile(r"^\s*(?P<number>[一二三四五六七八九十]{1,3})\s*[、．.]\s*(?P<text>.*)$")
CHINESE_ITEM = re.compile(r"^\s*(?:[（(](?P<cn>[一二三四五六七八九十]{1,3})[）)]|(?P<digits>\d{1,3})\s*[.．、]|[（(](?P<paren>\d{1,3})[）)])\s*(?P<text>.*)$")
CHINESE_TITLE = re.compile(r"^(?P<mechanism>.+?)第(?P<number>[〇零一二兩两三四五六七八九十百\d]+)次(?:全體|全体)?(?:會議|会议)")
CHINESE_DATE = re.compile(r"(?P<year>\d{4}|[〇零一二三四五六七八九]{4})\s*年\s*(?P<month>\d{1,2}|[一二三四五六七八九十]{1,3})\s*月\s*(?P<day>\d{1,2}|[一二三四五六七八九十]{1,3})\s*日")
CHINESE_VENUE = re.compile(r"在(?P<venue>[\u4e00-\u9fff]{2,6}?)(?:舉行|举行|召開|召开)")
# Closing lines of a Chinese memorandum: "本備忘錄一式兩份…", the signatories' "…代表：".
# Not any mention of 簽署: an item may implement an agreement already signed.
CHINESE_CLOSING = re.compile(r"^(?:本備忘錄|本备忘录|本紀要|本纪要)|一式[兩两二]份|代表[：:]\s*\S{0,12}$")
CJK = re.compile(r"[\u3400-\u9fff]")


@dataclass
class Paragraph:
    text: str
    line: int


def parse_text(text: str) -> ParsedMemorandum:
    """Parse pasted or uploaded plain text, English press release or Chinese memorandum."""
    text = normalise_source_text(text)
    if not text.strip():
        raise MemorandumParseError([Problem("The text is empty.")])
    lines = text.split("\n")
    if any(CHINESE_AREA.match(line) for line in lines) or len(CJK.findall(text)) > len(text) * 0.3:
        return parse_chinese_memorandum(text)
    return parse_press_release(text)


def _paragraphs(text: str) -> list[Paragraph]:
    """Blank-line separated paragraphs, each with the line it starts on; hard wraps joined."""
    paragraphs, current, start = [], [], 0
    for number, line in enumerate(text.split("\n"), start=1):
        if line.strip():
            if not current:
                start = number
            current.append(line.strip())
        elif current:
            paragraphs.append(Paragraph(" ".join(current), start))
            current = []
    if current:
        paragraphs.append(Paragraph(" ".join(current), start))
    return paragraphs


def _looks_like_heading(text: str) -> bool:
    """A short line without a full stop whose last word is capitalised: 'Services Industries'."""
    words = text.split()
    if not words or len(words) > 15 or len(text) > 150 or text.endswith(SENTENCE_END) or ". " in text:
        return False
    first, last = text[0], words[-1].strip("()\"'“”")
    return (first.isupper() or first.isdigit() or first in "\"“'") and bool(last) and (last[0].isupper() or last[0].isdigit())


def _join_page_breaks(paragraphs: list[Paragraph]) -> list[Paragraph]:
    """Re-join a paragraph that a page break cut in mid-sentence (or in the middle of a name)."""
    joined: list[Paragraph] = []
    for paragraph in paragraphs:
        if joined:
            previous = joined[-1]
            cut = not previous.text.endswith(SENTENCE_END) and (
                paragraph.text[:1].islower() or not _looks_like_heading(previous.text)
            )
            if cut:
                joined[-1] = Paragraph(f"{previous.text} {paragraph.text}", previous.line)
                continue
        joined.append(paragraph)
    return joined


def _english_number(word: str) -> int | None:
    word = word.lower()
    if word.isdecimal():
        return int(word)
    return NUMBER_WORDS.get(word)


def _english_ordinal(word: str) -> int | None:
    word = word.lower()
    match = re.fullmatch(r"(\d{1,3})(?:st|nd|rd|th)", word)
    if match:
        return int(match.group(1))
    if word in ORDINAL_WORDS:
        return ORDINAL_WORDS[word]
    tens, _, unit = word.replace(" ", "-").partition("-")
    if tens in ORDINAL_TENS and unit in ORDINAL_WORDS and 0 < ORDINAL_WORDS[unit] < 10:
        return ORDINAL_TENS[tens] + ORDINAL_WORDS[unit]
    if word.endswith("ieth") and word[:-4] + "y" in ORDINAL_TENS:
        return ORDINAL_TENS[word[:-4] + "y"]
    return None


def _co_chairs(chairs: str) -> list[str]:
    """'the Chief Executive, Mrs Carrie Lam, and the Mayor of Beijing, Mr Chen Jining' → two names."""
    parts = re.split(r",?\s+and\s+(?=the\s|[A-Z])", chairs)
    cleaned = [re.sub(r"^the\s+", "", part.strip(" ,"), flags=re.I) for part in parts if part.strip(" ,")]
    return [part[0].upper() + part[1:] for part in cleaned if part]


def parse_press_release(text: str) -> ParsedMemorandum:
    paragraphs = _join_page_breaks(_paragraphs(text))
    parsed = ParsedMemorandum(source_format="text", language="", source_description="English press release")
    problems: list[Problem] = []

    session = SESSION.search(text)
    if session:
        parsed.session_number = _english_ordinal(session.group("ordinal"))
        parsed.mechanism_name = " ".join(session.group("mechanism").split())
        if parsed.session_number:
            parsed.title = f"Memorandum of the {session.group('ordinal')} Plenary Session of the {parsed.mechanism_name}"
    if not parsed.session_number:
        problems.append(Problem("Could not find which plenary session this is (e.g. 'Fourth Plenary Session of the …').", line=1, field="session.number"))

    heading = paragraphs[0].text if paragraphs else ""
    venue = TITLE_VENUE.search(heading) or INTRO_VENUE.search(" ".join(p.text for p in paragraphs[:3]))
    parsed.venue = venue.group("venue").strip() if venue else ""

    announced = ANNOUNCED_DAY.search(text)
    if announced:  # "today (October 24)": the day without the year, to check the date entered
        month, day = MONTHS[announced.group("month").lower()], int(announced.group("day"))
        try:
            datetime.date(2000, month, day)  # a leap year, so that 29 February passes
            parsed.announced_month_day = (month, day)
        except ValueError:
            problems.append(Problem(f"'{announced.group(0)}' is not a real date.", field="session.held_on"))
    else:  # a release that states the year itself, where it names the session: nothing is guessed
        where = next((p.text for p in paragraphs[:3] if SESSION.search(p.text) and FULL_DATE.search(p.text)), "")
        full_date = FULL_DATE.search(where)
        if full_date:
            day, month, year = (full_date.group("day1"), full_date.group("month1"), full_date.group("year1")) if full_date.group("day1") else (
                full_date.group("day2"), full_date.group("month2"), full_date.group("year2"))
            try:
                parsed.held_on = datetime.date(int(year), MONTHS[month.lower()], int(day))
            except ValueError:
                problems.append(Problem(f"'{full_date.group(0)}' is not a real date.", field="session.held_on"))

    count = AREA_COUNT.search(text)
    if count:
        parsed.announced_area_count = _english_number(count.group("count"))

    start = next((i + 1 for i, p in enumerate(paragraphs) if AREA_COUNT.search(p.text) or "consensus on the following" in p.text.lower()), None)
    if start is None:  # no announcement: the areas start at the first heading after the introduction
        start = next((i for i, p in enumerate(paragraphs[1:], start=1) if _looks_like_heading(p.text)), len(paragraphs))
    end = next((i for i in range(start, len(paragraphs)) if CLOSING.search(paragraphs[i].text)), len(paragraphs))
    closing = " ".join(p.text for p in paragraphs[end:])

    chairs = CO_CHAIRED.search(closing) or CONVENED_BY.search(paragraphs[1].text if len(paragraphs) > 1 else "")
    if chairs:
        parsed.co_chairs = _co_chairs(chairs.group("chairs"))
    if re.search(r"\(Chinese only\)", closing):
        parsed.language = "zh"
    elif re.search(r"\(English only\)", closing):
        parsed.language = "en"

    area: ParsedArea | None = None
    for paragraph in paragraphs[start:end]:
        if _looks_like_heading(paragraph.text):
            if area is not None and not area.items:
                problems.append(Problem(f"The heading '{area.name}' has no items under it.", line=area.line))
            area = ParsedArea(name=paragraph.text, line=paragraph.line)
            parsed.areas.append(area)
        elif area is None:
            problems.append(Problem("This paragraph comes before any co-operation area heading.", line=paragraph.line))
        else:
            area.items.append(ParsedItem(text=paragraph.text, line=paragraph.line))
    if area is not None and not area.items:
        problems.append(Problem(f"The heading '{area.name}' has no items under it.", line=area.line))
    if not parsed.areas:
        problems.append(Problem(
            "No co-operation area headings were recognised. An area heading is a short line without a full stop, "
            "followed by the paragraphs of its items."
        ))
    if problems:
        raise MemorandumParseError(problems)
    if parsed.announced_area_count is not None and parsed.announced_area_count != len(parsed.areas):
        parsed.warnings.append(Problem(
            f"The release announces {parsed.announced_area_count} co-operation areas but {len(parsed.areas)} were found: "
            "check the split in the preview."
        ))
    return parsed


def _chinese_number(text: str) -> int | None:
    """一 → 1, 十 → 10, 十二 → 12, 二十一 → 21, 一百零一 → 101, 二〇一八 → 2018, and plain digits."""
    if text.isdecimal():
        return int(text)
    if not text or any(char not in CHINESE_NUMERALS and char not in "十百" for char in text):
        return None
    if "十" not in text and "百" not in text:
        number = 0
        for char in text:  # digit by digit, as in a year: 二〇一八
            number = number * 10 + CHINESE_NUMERALS[char]
        return number
    total, pending = 0, None
    for char in text:
        if char in "十百":
            unit = 10 if char == "十" else 100
            if (pending == 0) or (total and total < unit and pending is None):
                return None  # 零十, 十百: not a number
            total += (1 if pending is None else pending) * unit
            pending = None
        elif CHINESE_NUMERALS[char] == 0:
            pending = 0
        else:
            if pending not in (None, 0):
                return None  # two digits in a row: 二三十
            pending = CHINESE_NUMERALS[char]
    return total + (pending or 0)


def _join_chinese(previous: str, addition: str) -> str:
    if previous and addition and previous[-1].isascii() and addition[0].isascii():
        return f"{previous} {addition}"
    return previous + addition


def parse_chinese_memorandum(text: str) -> ParsedMemorandum:
    parsed = ParsedMemorandum(source_format="text", language="zh", source_description="Chinese memorandum")
    problems: list[Problem] = []
    lines = text.split("\n")
    first = next((line.strip() for line in lines if line.strip()), "")
    title = CHINESE_TITLE.search(first)
    if title:
        parsed.mechanism_name_zh = title.group("mechanism").strip()
        parsed.session_number = _chinese_number(title.group("number"))
        parsed.title_zh = first
    if not parsed.session_number:
        problems.append(Problem("Could not find which plenary session this is (e.g. 京港合作會議第五次會議備忘錄).", line=1, field="session.number"))

    preamble = []
    area: ParsedArea | None = None
    item: ParsedItem | None = None
    area_has_markers = False
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line:
            if area is not None and item is not None and not area_has_markers:
                item = None  # without item numbers, a blank line ends an item
            continue
        heading = CHINESE_AREA.match(line)
        marker = CHINESE_ITEM.match(line)
        if heading:
            area = ParsedArea(name_zh=heading.group("text").strip(" ：:"), line=number)
            parsed.areas.append(area)
            item, area_has_markers = None, False
        elif area is None:
            preamble.append(line)
        elif marker:
            area_has_markers = True
            item = ParsedItem(text_zh=marker.group("text").strip(), line=number)
            area.items.append(item)
        elif CHINESE_CLOSING.search(line) and (item is None or item.text_zh.endswith(("。", "；"))):
            break
        elif item is not None:
            item.text_zh = _join_chinese(item.text_zh, line)
        else:
            item = ParsedItem(text_zh=line, line=number)
            area.items.append(item)

    intro = "".join(preamble)
    date = CHINESE_DATE.search(intro)
    if date:
        year, month, day = (_chinese_number(date.group(name)) for name in ("year", "month", "day"))
        try:
            parsed.held_on = parsed.signed_on = datetime.date(year or 0, month or 0, day or 0)
        except ValueError:
            problems.append(Problem(f"「{date.group(0)}」 is not a real date.", field="session.held_on"))
    venue = CHINESE_VENUE.search(intro)
    parsed.venue_zh = venue.group("venue") if venue else ""

    for area in parsed.areas:
        area.items = [item for item in area.items if item.text_zh]
        if not area.items:
            problems.append(Problem(f"The heading 「{area.name_zh}」 has no items under it.", line=area.line))
    if not parsed.areas:
        problems.append(Problem("No co-operation area headings were recognised: number them 一、二、三、… at the start of a line."))
    if problems:
        raise MemorandumParseError(problems)
    return parsed
