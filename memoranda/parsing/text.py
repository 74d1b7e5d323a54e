"""Plain text as administrators paste it: an English press release or a Chinese memorandum or
report, copied from a web page, a PDF or an e-mail.

Real copies do not share one layout: paragraphs are separated by blank lines, by single newlines,
or by indentation; long lines are hard-wrapped or not; page chrome ("Go to main content",
"Ends/Wednesday, …", 【打印】) comes along. So the structure is read from several cues together
(blank lines, indentation, line length, final punctuation) rather than from one pattern per source;
`memoranda.parsing.english` and `memoranda.parsing.chinese` then find the session, the areas and
the items in the paragraphs this module gives them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from statistics import quantiles

from django.utils.translation import gettext as _

from memoranda.parsing.model import MemorandumParseError, ParsedArea, ParsedMemorandum, Problem
from memoranda.sources import normalise_source_text

CJK = re.compile(r"[\u3400-\u9fff]")
CHINESE_AREA_MARKER = re.compile(r"^\s*[一二三四五六七八九十]{1,3}\s*[、．.]")
# Sentences end with these once closing quotes and brackets are set aside.
SENTENCE_END_CHARACTERS = ".!?;:。；：！？…"
CLOSING_QUOTES = "\"'”’)）」』】"

# Lines of the page around a release, never part of it.
CHROME_LINE = re.compile(
    r"^(?:go\s+to\s+main\s+content|skip\s+to\s+(?:main\s+)?content|back\s+to\s+top|print(?:\s+this\s+page)?|"
    r"e-?mail\s+this\s+(?:page|article)|share(?:\s+this)?|(?:font|text)\s+size.*|home|press\s+releases?|photos?|"
    r"nnnn|\*+|[-=_~·•]{3,}|issued\s+at\s+hkt\s+[\d:]+|香港時間\s*\S+分|香港时间\s*\S+分|完|[-－—(（]\s*完\s*[-－—)）])$",
    re.I,
)
CHROME_TOKEN = re.compile(r"【[^】]{1,8}】|\[(?:print|close|打印|關閉|关闭)\]", re.I)
# Everything after "Ends/Wednesday, October 24, 2018" (or its Chinese "完") is the page's, not the release's.
END_OF_RELEASE = re.compile(r"^(?:ends\s*/|ends$|完$|[-－—(（]\s*完\s*[-－—)）]$)", re.I)
TITLE_SUFFIX = re.compile(r"\s*[(（](?:with\s+(?:photos?|videos?)(?:\s*(?:/|and)\s*(?:photos?|videos?))*|附(?:圖片|图片|短片|視頻|视频)(?:[/／及](?:圖片|图片|短片|視頻|视频))*)[)）]\s*$", re.I)


@dataclass
class Line:
    number: int  # 1-based, in the text as pasted
    text: str  # without its indentation
    indent: int


@dataclass
class Paragraph:
    text: str
    line: int
    indent: int = 0


def parse_text(text: str) -> ParsedMemorandum:
    """Parse pasted or uploaded plain text: English press release, Chinese memorandum or report."""
    from memoranda.parsing.chinese import parse_chinese
    from memoranda.parsing.english import parse_english

    lines = source_lines(text)
    if not lines:
        raise MemorandumParseError([Problem(_("The text is empty."))])
    body = "".join(line.text for line in lines)
    if any(CHINESE_AREA_MARKER.match(line.text) for line in lines) or len(CJK.findall(body)) > len(body) * 0.3:
        return parse_chinese(lines)
    return parse_english(lines)


def source_lines(text: str) -> list[Line]:
    """The non-blank lines of the text with their numbers and indentation; page chrome left out,
    and nothing after the release's "Ends/…" line. Blank lines are kept as empty `Line`s."""
    lines: list[Line] = []
    for number, raw in enumerate(normalise_source_text(text).split("\n"), start=1):
        raw = raw.replace("\t", "    ").replace("\u3000", "  ").replace("\xa0", " ")
        stripped = TITLE_SUFFIX.sub("", CHROME_TOKEN.sub("", raw)).strip()
        if END_OF_RELEASE.match(stripped) and any(line.text for line in lines):
            break
        if CHROME_LINE.match(stripped):
            stripped = ""
        lines.append(Line(number, " ".join(stripped.split()) if not CJK.search(stripped) else stripped, len(raw) - len(raw.lstrip())))
    while lines and not lines[-1].text:
        lines.pop()
    return lines if any(line.text for line in lines) else []


def ends_sentence(text: str) -> bool:
    """Whether a line or paragraph ends a sentence ('… in Beijing.', '… said."', '…合作。')."""
    stripped = text.rstrip(CLOSING_QUOTES + " ")
    return bool(stripped) and stripped[-1] in SENTENCE_END_CHARACTERS


def join_text(first: str, second: str) -> str:
    """Two pieces of one paragraph: a space between words, none between Chinese characters."""
    if not first or not second:
        return first or second
    if CJK.match(first[-1]) or CJK.match(second[0]) or first[-1] in "，、（「《" or second[0] in "，。、）」》":
        if first[-1].isascii() and second[0].isascii():
            return f"{first} {second}"
        return first + second
    return f"{first} {second}"


def paragraphs(lines: list[Line], *, is_heading) -> list[Paragraph]:
    """Paragraphs from lines, whatever separates them.

    A blank line always ends a paragraph (a page break that cut a sentence in two is re-joined
    afterwards). Between two lines with no blank line, the cues decide: a deeper indent starts a
    paragraph (the government site indents every body paragraph); a line that ends a sentence ends
    one, unless the text is hard-wrapped with blank lines between paragraphs and the line is as long
    as the others; a heading (`is_heading`) stands alone; anything else is a hard wrap and joins.
    """
    texts = [line for line in lines if line.text]
    lengths = sorted(len(line.text) for line in texts)
    long_lines = [line for line in texts if len(line.text) >= 40]
    # Hard-wrapped text: most long lines stop mid-sentence, at about the same width.
    wrapped = len(long_lines) >= 3 and sum(not ends_sentence(line.text) for line in long_lines) > 0.4 * len(long_lines)
    width = quantiles(lengths, n=10)[8] if len(lengths) >= 2 else (lengths[0] if lengths else 0)
    blank_separated = sum(1 for line in lines if not line.text) >= 0.3 * len(texts)
    indents = [line.indent for line in texts]
    indented = 0.15 < sum(indent >= 2 for indent in indents) / max(len(indents), 1) < 0.97

    result: list[Paragraph] = []
    previous: Line | None = None
    for line in lines:
        if not line.text:
            previous = None
            continue
        headline = len(result) == 1 and previous is not None and previous.number == result[0].line
        if previous is None or headline or _breaks(previous, line, wrapped=wrapped, width=width, blank_separated=blank_separated,
                                       indented=indented, is_heading=is_heading):
            result.append(Paragraph(line.text, line.number, line.indent))
        else:
            result[-1].text = join_text(result[-1].text, line.text)
        previous = line
    return _join_page_breaks(result, is_heading)


def _breaks(previous: Line, line: Line, *, wrapped: bool, width: float, blank_separated: bool, indented: bool, is_heading) -> bool:
    """Whether `line` starts a new paragraph although no blank line separates it from `previous`."""
    if indented and line.indent > previous.indent + 1:
        return True  # a first-line indent
    if indented and line.indent + 1 < previous.indent and (ends_sentence(previous.text) or len(previous.text) < 0.7 * width):
        return True  # back to the margin after a finished paragraph: a heading or a new paragraph
    if is_heading(previous.text) and not (wrapped and len(previous.text) >= 0.75 * width) and not line.text[:1].islower():
        return True
    if is_heading(line.text) and ends_sentence(previous.text):
        return True
    if wrapped and blank_separated:
        return False  # blank lines separate its paragraphs: lines without one between are a hard wrap
    stripped = previous.text.rstrip(CLOSING_QUOTES + " ")
    return bool(stripped) and stripped[-1] in ".!?。！？"


def _join_page_breaks(found: list[Paragraph], is_heading) -> list[Paragraph]:
    """Re-join a paragraph that a page break cut in mid-sentence (or in the middle of a name)."""
    joined: list[Paragraph] = []
    for paragraph in found:
        if joined:
            previous = joined[-1]
            title = len(joined) == 1 and not paragraph.text[:1].islower()  # a long headline is no cut sentence
            cut = not ends_sentence(previous.text) and not is_heading(previous.text) and not title and (
                paragraph.text[:1].islower() or len(previous.text) > 60
            )
            if cut:
                joined[-1] = Paragraph(join_text(previous.text, paragraph.text), previous.line, previous.indent)
                continue
        joined.append(paragraph)
    return joined


def _quoted(text: str) -> str:
    return f"「{text}」" if CJK.search(text) else f"'{text}'"


def finish(parsed: ParsedMemorandum, problems: list[Problem], *, no_areas: str) -> ParsedMemorandum:
    """The checks every text ends with. A paste cut short (a last heading with nothing under it, a
    last item cut mid-sentence) is a warning that names the place, not an error that blocks the
    rest; so is a split that disagrees with the number of areas the text announces."""
    areas: list[ParsedArea] = parsed.areas
    for position, area in enumerate(areas):
        area.items = [item for item in area.items if item.any_text.strip()]
        if area.items and not area.any_name.strip():
            problems.append(Problem(_("This area heading has no name: name it, or join its items to the area before."),
                                    line=area.line, field=f"areas[{position}].name"))
        if not area.items:
            message = (
                _("The heading %(heading)s has no items under it and is left out. Was the text cut short?")
                if position == len(areas) - 1
                else _("The heading %(heading)s has no items under it and is left out.")
            )
            parsed.warnings.append(Problem(message % {"heading": _quoted(area.any_name)},
                                           line=area.line, field=f"areas[{position}]", severity="warning"))
    parsed.areas = [area for area in areas if area.items]
    if parsed.areas and not ends_sentence(parsed.areas[-1].items[-1].any_text):
        last, text = parsed.areas[-1].items[-1], parsed.areas[-1].items[-1].any_text
        tail = text[-20:] if CJK.search(text) else text[-40:]
        parsed.warnings.append(Problem(
            _("The last item ends in mid-sentence (%(ending)s): the text may have been cut short.") % {"ending": _quoted("…" + tail)},
            line=last.line,
            field=f"areas[{len(parsed.areas) - 1}].items[{len(parsed.areas[-1].items) - 1}]", severity="warning",
        ))
    if not parsed.areas:
        problems.append(Problem(no_areas))
    if problems:
        raise MemorandumParseError(problems)
    if parsed.announced_area_count is not None and parsed.announced_area_count != len(parsed.areas):
        parsed.warnings.append(Problem(
            _("The text announces %(announced)s co-operation areas but %(found)s were found: check the split in the preview.") % {
                "announced": parsed.announced_area_count, "found": len(parsed.areas)},
            field="areas", severity="warning",
        ))
    return parsed
