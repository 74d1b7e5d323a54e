"""Chinese memoranda and reports, Traditional or Simplified: areas numbered 一、二、…, items
numbered （一） or 1.; or headings without numbers; or the areas enumerated in one sentence
("雙方同意在經貿、金融、創新科技五個範疇深化合作") and each paragraph opening with its area
("在經貿方面，…"). The session may be named in the first line or only in the body."""
from __future__ import annotations

import datetime
import re

import zhconv
from django.utils.translation import gettext as _

from memoranda.parsing.model import ParsedArea, ParsedItem, ParsedMemorandum, Problem
from memoranda.parsing.numerals import CHINESE_NUMBER_PATTERN, chinese_number
from memoranda.parsing.text import Line, Paragraph, ends_sentence, finish, join_text, paragraphs

CHINESE_AREA = re.compile(r"^\s*(?P<number>[一二三四五六七八九十]{1,3})\s*[、．.]\s*(?P<text>.*)$")
CHINESE_ITEM = re.compile(r"^\s*(?:[（(](?P<cn>[一二三四五六七八九十]{1,3})[）)]|(?P<digits>\d{1,3})\s*[.．、]|[（(](?P<paren>\d{1,3})[）)])\s*(?P<text>.*)$")
# Characters that abbreviate a place in a mechanism's name: 京港 (Beijing/Hong Kong), 閩港, 粵港, 滬港 …
PLACE_CHARACTERS = set("京滬沪粵粤閩闽川深港澳津渝鄂浙蘇苏魯鲁桂瓊琼湘贛赣皖黔滇陝陕冀遼辽吉黑晉晋豫甘寧宁青新藏蒙穗廈厦")
MEETING_END = re.compile(r"(?:會議|会议|會晤|会晤)$")
SESSION_AFTER_NAME = re.compile(rf"(?P<before>[\u4e00-\u9fff]{{2,20}}?)(?:高層會晤暨|高层会晤暨)?第(?P<number>{CHINESE_NUMBER_PATTERN})次(?:全體|全体)?(?:會議|会议|會晤|会晤)")
SESSION_BEFORE_NAME = re.compile(rf"第(?P<number>{CHINESE_NUMBER_PATTERN})次(?P<after>[\u4e00-\u9fff]{{2,14}}?(?:會議|会议|會晤|会晤))")
CHINESE_DATE = re.compile(
    r"(?P<year>\d{4}|[〇零一二三四五六七八九]{4})\s*年\s*(?P<month>\d{1,2}|[一二三四五六七八九十]{1,3})\s*月\s*(?P<day>\d{1,2}|[一二三四五六七八九十]{1,3})\s*日"
)
ANNOUNCED_DAY = re.compile(r"(?:今日|今天|昨日|昨天|今早|今晨)\s*[（(]\s*(?P<month>\d{1,2}|[一二三四五六七八九十]{1,3})\s*月\s*(?P<day>\d{1,3}|[一二三四五六七八九十]{1,3})\s*日\s*[）)]")
CHINESE_VENUE = re.compile(r"在(?P<venue>[\u4e00-\u9fff]{2,6}?)(?:舉行|举行|召開|召开|出席|會見|会见|與|与|共同主持)")
AREA_COUNT = re.compile(r"以下(?P<count>[一二三四五六七八九十\d]{1,3})[個个]?(?:重點|重点|主要)?(?:合作)?(?:範疇|范畴|領域|领域|方面)")
ENUMERATION = re.compile(
    r"(?:在|就)(?P<list>[^。；：在就]{2,200}?)(?:等)?(?P<count>[一二三四五六七八九十\d]{1,3})[個个]?(?:重點|重点|主要)?(?:合作)?(?:範疇|范畴|領域|领域|方面)"
)
RUN_IN = re.compile(r"^(?:(?:在|於|于)?(?P<area>[^，,。；]{1,15}?)(?:方面|領域|领域|範疇|范畴)|(?:關於|关于)(?P<area2>[^，,。；]{1,15}?))[，,：:]")
# Closing lines of a Chinese memorandum: "本備忘錄一式兩份…", the signatories' "…代表：", who attended.
# Not any mention of 簽署: an item may implement an agreement already signed.
CHINESE_CLOSING = re.compile(
    r"^(?:本備忘錄|本备忘录|本紀要|本纪要)|一式[兩两二]份|代表[：:]\s*\S{0,12}$|^(?:出席|參加|参加)(?:是次)?(?:會議|会议)|(?:還有|还有|亦有).{0,40}(?:出席|參加|参加)"
)
YEARLY_MEETING = re.compile(r"(?:19|20)\d\d\s*年\s*(?P<name>[\u4e00-\u9fff]{4,12}?(?:會議|会议|論壇|论坛))")
# "A與B在香港共同主持", "A和B共同主持會議"; or "A今日率團……，並與B共同主持會議".
CO_CHAIRS = re.compile(r"(?P<a>[^，。；、]{2,40}?)(?:與|与|和|及)(?P<b>[^，。；、]{2,30}?)(?:今日|今天)?(?:在[\u4e00-\u9fff]{1,6}?)?(?:共同主持|聯合主持|联合主持)")
JOINED_LATER = re.compile(r"^(?P<a>[^，。；]{2,30}?)(?:今日|今天|昨日|昨天)[^。]*?[，,]\s*(?:並|并)(?:與|与)(?P<b>[^，。；]{2,30}?)(?:共同主持|聯合主持|联合主持)")
LIST_SEPARATORS = re.compile(r"[、，,]")
LAST_PAIR = re.compile(r"(?:以及|及|和|與|与)")


def is_chinese_heading(text: str) -> bool:
    """A short line with no sentence punctuation: 經貿合作, 創新科技."""
    return 1 < len(text) <= 18 and not ends_sentence(text) and not re.search(r"[，,。；;：:]", text) and not CHINESE_ITEM.match(text)


def _mechanism_name(before: str) -> str:
    """The mechanism at the end of the words before 第N次: '行政長官出席京港合作會議' → '京港合作會議'."""
    if not MEETING_END.search(before):
        return ""
    for start in range(len(before) - 3):
        if before[start] in PLACE_CHARACTERS and before[start + 1] in PLACE_CHARACTERS:
            return before[start:]
    return re.sub(r"^.*(?:出席|主持|舉行|举行|召開|召开|在|於|于|的)", "", before)


def _read_session(parsed: ParsedMemorandum, text: str) -> str:
    """Sets the mechanism and number; returns the phrase that named them."""
    for match in SESSION_AFTER_NAME.finditer(text):
        name = _mechanism_name(match.group("before"))
        if name:
            parsed.mechanism_name_zh, parsed.session_number = name, chinese_number(match.group("number"))
            return name + match.group(0)[len(match.group("before")):]
    match = SESSION_BEFORE_NAME.search(text)
    if match:
        parsed.mechanism_name_zh, parsed.session_number = match.group("after"), chinese_number(match.group("number"))
        return match.group(0)
    for match in YEARLY_MEETING.finditer(text):  # "2023年港深合作會議": numbered by the administrator
        name = _mechanism_name(match.group("name"))
        if name:
            parsed.mechanism_name_zh = name
            return match.group(0)
    return ""


def _co_chairs(intro: str) -> list[str]:
    for sentence in re.split(r"[。；\n]", intro):
        match = JOINED_LATER.search(sentence) or next(
            (m for m in (CO_CHAIRS.search(part) for part in re.split(r"[，,]", sentence)) if m), None)
        if match:
            return [re.sub(r"^(?:[\d〇零一二三四五六七八九十]+年)?(?:[\d一二三四五六七八九十]+月)?(?:[\d一二三四五六七八九十]+日)?", "", match.group(name)).strip()
                    for name in ("a", "b")]
    return []


def parse_chinese(lines: list[Line]) -> ParsedMemorandum:
    parsed = ParsedMemorandum(source_format="text", language="zh", source_description="Chinese memorandum")
    problems: list[Problem] = []
    numbered = any(CHINESE_AREA.match(line.text) for line in lines)
    if numbered:
        preamble = _split_numbered(parsed, lines)
    else:
        preamble = _split_paragraphs(parsed, paragraphs(lines, is_heading=is_chinese_heading))
    intro = "\n".join(preamble)

    first = next((line.text for line in lines if line.text), "")
    phrase = _read_session(parsed, first) or _read_session(parsed, intro)
    if phrase:
        parsed.title_zh = first if phrase in first else phrase
    _read_date_and_venue(parsed, intro, problems)
    parsed.co_chairs = _co_chairs(intro)
    count = AREA_COUNT.search(intro) or ENUMERATION.search(intro)
    if count:
        parsed.announced_area_count = chinese_number(count.group("count"))

    return finish(parsed, problems, no_areas=_("No co-operation area headings were recognised: number them 一、二、三、… at the start of a line."))


def _read_date_and_venue(parsed: ParsedMemorandum, intro: str, problems: list[Problem]) -> None:
    date = CHINESE_DATE.search(intro)
    if date:
        year, month, day = (chinese_number(date.group(name)) for name in ("year", "month", "day"))
        try:
            parsed.held_on = parsed.signed_on = datetime.date(year or 0, month or 0, day or 0)
        except ValueError:
            problems.append(Problem(_("%(date)s is not a real date.") % {"date": f"「{date.group(0)}」"}, field="session.held_on"))
    else:
        announced = ANNOUNCED_DAY.search(intro)
        if announced:
            month, day = chinese_number(announced.group("month")), chinese_number(announced.group("day"))
            try:
                datetime.date(2000, month or 0, day or 0)
                parsed.announced_month_day = (month, day)
            except ValueError:
                problems.append(Problem(_("%(date)s is not a real date.") % {"date": f"「{announced.group(0)}」"}, field="session.held_on"))
    venue = CHINESE_VENUE.search(intro)
    parsed.venue_zh = venue.group("venue") if venue else ""


def _split_numbered(parsed: ParsedMemorandum, lines: list[Line]) -> list[str]:
    """Areas numbered 一、 at the start of a line; items numbered （一） or 1., or else paragraphs.
    Returns the lines before the first area."""
    preamble: list[str] = []
    area: ParsedArea | None = None
    item: ParsedItem | None = None
    area_has_markers = False
    for line in lines:
        text = line.text
        if not text:
            if area is not None and item is not None and not area_has_markers:
                item = None  # without item numbers, a blank line ends an item
            continue
        heading = CHINESE_AREA.match(text)
        marker = CHINESE_ITEM.match(text)
        if heading:
            area = ParsedArea(name_zh=heading.group("text").strip(" ：:"), line=line.number)
            parsed.areas.append(area)
            item, area_has_markers = None, False
        elif area is None:
            preamble.append(text)
        elif marker:
            area_has_markers = True
            item = ParsedItem(text_zh=marker.group("text").strip(), line=line.number)
            area.items.append(item)
        elif CHINESE_CLOSING.search(text) and (item is None or ends_sentence(item.text_zh)):
            break
        elif item is not None and not (not area_has_markers and ends_sentence(item.text_zh)):
            item.text_zh = join_text(item.text_zh, text)
        else:
            item = ParsedItem(text_zh=text, line=line.number)
            area.items.append(item)
    return preamble


def _split_paragraphs(parsed: ParsedMemorandum, found: list[Paragraph]) -> list[str]:
    """No numbered areas: headings without numbers, or areas named in one sentence and each
    paragraph opening with its area. Returns the paragraphs before the first area."""
    end = next((i for i, p in enumerate(found) if i and CHINESE_CLOSING.search(p.text)), len(found))
    found = found[:end]
    enumerated = next(((i, names) for i, p in enumerate(found[:8]) if len(names := _enumerated_areas(p.text)) >= 2), None)
    if enumerated:
        index, names = enumerated
        _split_run_in(parsed, found[index + 1:], names)
        return [p.text for p in found[: index + 1]]
    start = next((i for i, p in enumerate(found) if i and is_chinese_heading(p.text) and i + 1 < len(found)
                  and not is_chinese_heading(found[i + 1].text)), None)
    if start is None:
        start = next((i for i, p in enumerate(found) if i and RUN_IN.match(p.text)), len(found))
        _split_run_in(parsed, found[start:], [])
        return [p.text for p in found[:start]]
    area: ParsedArea | None = None
    for paragraph in found[start:]:
        if is_chinese_heading(paragraph.text):
            area = ParsedArea(name_zh=paragraph.text, line=paragraph.line)
            parsed.areas.append(area)
        elif area is not None:
            area.items.append(ParsedItem(text_zh=paragraph.text, line=paragraph.line))
    return [p.text for p in found[:start]]


def _enumerated_areas(text: str) -> list[str]:
    """'雙方同意在經貿、金融、創新科技、文化及青年發展五個範疇深化合作' → the five names."""
    match = ENUMERATION.search(text)
    if not match:
        return []
    count = chinese_number(match.group("count")) or 0
    names = [name.strip() for name in LIST_SEPARATORS.split(match.group("list")) if name.strip()]
    if len(names) == count - 1 and LAST_PAIR.search(names[-1]):
        names[-1:] = [name for name in LAST_PAIR.split(names[-1]) if name]
    names = [re.sub(r"^(?:以下|加強|加强|深化|推動|推动)", "", name) for name in names]
    return names if len(names) == count else []


def _split_run_in(parsed: ParsedMemorandum, found: list[Paragraph], names: list[str]) -> None:
    """Paragraphs that open with their area ('在經貿方面，…'); the others belong to the area before.
    Areas named in one sentence beforehand (`names`) come in that order."""
    simplified = [zhconv.convert(name, "zh-hans") for name in names]
    by_name: dict[str, ParsedArea] = {}
    for name, paragraph in zip(names, [*found, *[None] * len(names)]):
        by_name[name] = ParsedArea(name_zh=name, line=paragraph.line if paragraph else None)
        parsed.areas.append(by_name[name])
    area: ParsedArea | None = None
    opened = sum(1 for p in found if RUN_IN.match(p.text))
    for position, paragraph in enumerate(found):
        run_in = RUN_IN.match(paragraph.text)
        name = ""
        if run_in:
            said = (run_in.group("area") or run_in.group("area2")).strip()
            wanted = zhconv.convert(said, "zh-hans")
            known = [n for n, s in zip(names, simplified, strict=True) if s and (s in wanted or wanted in s)]
            name = known[0] if known else ("" if names else said)
        elif names and not opened and len(found) == len(names):
            name = names[position]  # one paragraph per named area, in order
        if name:
            area = by_name.get(name)
            if area is None:
                area = by_name[name] = ParsedArea(name_zh=name, line=paragraph.line)
                parsed.areas.append(area)
            elif not area.items:
                area.line = paragraph.line
        if area is not None:
            area.items.append(ParsedItem(text_zh=paragraph.text, line=paragraph.line))
