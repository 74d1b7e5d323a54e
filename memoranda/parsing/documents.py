"""Documents as administrators have them (a saved web page, a PDF with text, a Word file) turned into
the plain text `parse_text` reads: one paragraph per block, paragraphs separated by a blank line.
A line keeps its own line only where the document showed it so (a web page's <br>, a numbered item
after a soft return), with the indentation a page wrote with &nbsp; kept as leading spaces."""
from __future__ import annotations

import codecs
import io
import re
import zipfile
from collections import Counter
from dataclasses import dataclass

import docx
from bs4 import BeautifulSoup
from django.utils.translation import gettext as _
from pdfminer.high_level import extract_pages
from pdfminer.layout import LAParams, LTFigure, LTTextBox
from pdfminer.pdfdocument import PDFPasswordIncorrect

from memoranda.parsing.encoding import MAX_SOURCE_BYTES, decode_source
from memoranda.parsing.model import MemorandumParseError, Problem

DOCUMENT_FORMATS = ("html", "pdf", "docx")
EXTENSIONS = {".html": "html", ".htm": "html", ".xhtml": "html", ".shtml": "html", ".pdf": "pdf", ".docx": "docx"}

# Chinese, Japanese and Korean characters and their punctuation: no space is written between them.
CJK = "\u2e80-\u2fff\u3001-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff01-\uffef\U00020000-\U0003ffff"
SENTENCE_END = tuple('.!?:;"”’)」。；：！？')
# A numbered item keeps its own line even when only a soft return or a wrap put it there.
ITEM_START = re.compile(r"(?:[（(][一二三四五六七八九十\d]{1,3}[）)]|[一二三四五六七八九十]{1,3}、|\d{1,2}[.．、](?!\d))")
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u200b\ufeff]")


def _refuse(message: str) -> MemorandumParseError:
    return MemorandumParseError([Problem(message, field="file")])


def detect_document_format(filename: str, data: bytes) -> str | None:
    """'html', 'pdf' or 'docx' from the file name's extension, else from the first bytes; else None."""
    name = filename.lower()
    for extension, format_ in EXTENSIONS.items():
        if name.endswith(extension):
            return format_
    if b"%PDF-" in data[:1024]:  # readers accept a few bytes of junk before the header
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return "docx" if "word/document.xml" in _zip_names(data) else None
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<!doctype html", b"<html")) or (head.startswith((b"<?xml", b"<!--")) and b"<html" in head):
        return "html"
    return None


def document_text(data: bytes, format: str) -> str:
    """The text of the document, paragraphs separated by blank lines; `MemorandumParseError` saying
    why, in words for an administrator, when the file cannot be read."""
    if format not in DOCUMENT_FORMATS:
        raise _refuse(_("Unknown document format %(format)s; use one of %(formats)s.") % {
            "format": repr(format), "formats": ", ".join(DOCUMENT_FORMATS)})
    if len(data) > MAX_SOURCE_BYTES:
        raise _refuse(_("The file is too large (%(size)s bytes); a memorandum is at most %(limit)s MB.") % {
            "size": f"{len(data):,}", "limit": MAX_SOURCE_BYTES // 1_000_000})
    if not data.strip():
        raise _refuse(_("The file is empty."))
    paragraphs = {"html": _html_paragraphs, "pdf": _pdf_paragraphs, "docx": _docx_paragraphs}[format](data)
    text = "\n\n".join(CONTROL.sub("", paragraph.replace("\t", " ")).rstrip() for paragraph in paragraphs)
    text = re.sub(r"\n\s*\n(?:\s*\n)+", "\n\n", text).strip("\n")
    if not text.strip():
        raise _refuse(_("The document holds no text."))
    return text


def _join_wrapped(lines: list[str], *, after_hyphen: bool = False) -> str:
    """Lines of one paragraph joined as a reader reads them: with a space, with nothing between
    Chinese characters (or, in a PDF, after a hyphen or slash that ended a line: 'Co-' 'operation'),
    with a line break before a numbered item."""
    text = ""
    for line in (" ".join(line.split()) for line in lines):
        if not line:
            continue
        if not text:
            text = line
        elif ITEM_START.match(line):
            text += "\n" + line
        elif (re.search(f"[{CJK}]$", text) and re.match(f"[{CJK}]", line)) or (after_hyphen and re.search(r"\w[-/]$", text)):
            text += line
        else:
            text += " " + line
    return text


# HTML ------------------------------------------------------------------------------------------

BLOCK, BREAK = "\ue000", "\ue001"  # private-use characters marking block edges and <br> in the tree
DROP_TAGS = ["script", "style", "noscript", "template", "nav", "footer", "aside", "form", "button", "iframe",
             "svg", "canvas", "object", "select", "textarea", "input", "head"]
BLOCK_TAGS = ["p", "div", "section", "main", "article", "h1", "h2", "h3", "h4", "h5", "h6", "li", "dt", "dd", "tr",
              "table", "ul", "ol", "dl", "blockquote", "pre", "address", "figure", "figcaption", "center", "hr", "caption"]
NOISE = re.compile(r"nav|menu|breadcrumb|footer|header|skip|share|social|print", re.I)
CONTENT = re.compile(r"press-?release|content|^main|article", re.I)
META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([\w.:+-]+)""", re.I)
XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([\w.:+-]+)""")
# What browsers do with these labels (the WHATWG Encoding Standard): each means its superset.
CHARSET_SUPERSETS = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "big5": "big5hkscs",
                     "big5-hkscs": "big5hkscs", "x-x-big5": "big5hkscs", "iso-8859-1": "cp1252",
                     "latin1": "cp1252", "us-ascii": "cp1252", "ascii": "cp1252"}


def _decode_html(data: bytes) -> str:
    """The page as text: by its byte order mark, else the charset it declares, else UTF-8, else the
    guess (or refusal) that plain text gets."""
    if data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return decode_source(data)  # which reads a byte order mark strictly
    declared = XML_ENCODING.search(data[:200]) or META_CHARSET.search(data[:4096])
    label = declared.group(1).decode("ascii", "replace").lower() if declared else ""
    label = "utf-8" if label.startswith("utf-16") else CHARSET_SUPERSETS.get(label, label)  # an ASCII page cannot be UTF-16
    for encoding in (label, "utf-8"):
        try:
            return data.decode(codecs.lookup(encoding).name)
        except (LookupError, UnicodeDecodeError):
            continue
    return decode_source(data)


def _names(tag) -> list[str]:
    return [str(tag.get("id") or ""), *tag.get("class", [])]


def _is_noise(tag) -> bool:  # never a heading, nor what holds the content
    return tag.name not in ("h1", "h2", "h3", "h4", "h5", "h6", "main", "article", "body", "html") and any(NOISE.search(name) for name in _names(tag))


def _html_line(raw: str) -> str:
    """One rendered line: whitespace collapsed, but indentation written with &nbsp; or a full-width
    space kept as spaces (a full-width space is two), as the Hong Kong government's pages indent."""
    raw = re.sub(f"(?<=[{CJK}])[ \t\r\n]*\n[ \t\r\n]*(?=[{CJK}])", "", raw)  # a source wrap in Chinese is no space
    raw = re.sub(r"[ \t\r\n\f]+", " ", raw).lstrip(" ")
    indent = re.match("[ \xa0\u3000]*", raw).group()
    rest = " ".join(raw[len(indent):].split())
    return " " * (len(indent) + indent.count("\u3000")) + rest if rest else ""


def _html_paragraphs(data: bytes) -> list[str]:
    text = _decode_html(data).replace(BLOCK, "").replace(BREAK, "")
    soup = BeautifulSoup(text, "lxml")
    title = soup.title.get_text(" ", strip=True) if soup.title else ""
    # The page's title heading, read before the banner goes: pages often put it in a <header>.
    h1s = [h1.get_text(" ", strip=True) for h1 in soup.find_all("h1") if not h1.find_parent(["nav", "footer", "aside"])]
    for tag in soup.find_all(DROP_TAGS):
        tag.extract()
    for tag in soup.find_all("header"):  # the page's banner, not an article's own header with its title
        if not tag.find_parent(["main", "article"]):
            tag.extract()
    for tag in soup.find_all(lambda t: t.has_attr("hidden") or "display:none" in str(t.get("style", "")).replace(" ", "")):
        tag.extract()
    for link in soup.find_all("a", href=re.compile("^#")):
        if re.match(r"\s*(?:skip|go|jump)\s+to\b", link.get_text(), re.I):
            link.extract()
    body = soup.body or soup
    total = len(body.get_text(strip=True))
    for tag in body.find_all(_is_noise):  # a class saying "header" on a wrapper of the whole page is no banner
        if len(tag.get_text(strip=True)) < total / 2:
            tag.extract()
    root = _content_root(soup, body)
    paragraphs = []
    if root.find("h1") is None:  # the title stands outside the content (or only in <title>)
        paragraphs.append(h1s[-1] if h1s else title)
    for pre in root.find_all("pre"):  # in <pre> every line and space is shown as written
        for string in list(pre.find_all(string=True)):
            string.replace_with(string.replace(" ", "\xa0").replace("\n", BREAK))
    for br in root.find_all("br"):
        br.replace_with(BREAK)
    for tag in root.find_all(BLOCK_TAGS):
        tag.insert_before(BLOCK)
        tag.insert_after(BLOCK)
    for cell in root.find_all(["td", "th"]):
        cell.insert_after(" ")
    for block in root.get_text().split(BLOCK):
        # One <br> keeps its line; <br><br> (an empty line) ends a paragraph.
        lines = "\n".join(_html_line(line) for line in block.split(BREAK))
        paragraphs += [paragraph.strip("\n") for paragraph in re.split(r"\n{2,}", lines) if paragraph.strip()]
    return paragraphs


def _content_root(soup, body):
    """The page's main content, if it is marked and holds most of what is left of the page."""
    total = len(body.get_text(strip=True))
    marked = soup.find_all(lambda tag: any(CONTENT.search(name) for name in _names(tag)))
    for candidate in [*soup.find_all(["main", "article"]), *soup.find_all(attrs={"role": "main"}), *marked]:
        if len(candidate.get_text(strip=True)) >= total * 0.4:
            return candidate
    return body


# PDF -------------------------------------------------------------------------------------------
# pdfminer.six rather than pypdf: its layout analysis groups a page's lines into text boxes by their
# spacing, so a box is a paragraph (pypdf's text is a stream of lines with no paragraph breaks), and
# it gives every line's position, which tells running headers and footers from the body and shows
# whether a page ended in the middle of a paragraph.

PAGE_NUMBER = re.compile(r"(?:page\s*)?[-–—]?\s*\d{1,4}\s*[-–—]?(?:\s*(?:of|/)\s*\d{1,4})?|第\s*\d+\s*[頁页](?:\s*[，,]?\s*共\s*\d+\s*[頁页])?", re.I)
# A justified line's wide gaps would make pdfminer cut it (at its default char_margin of 2) and put
# a piece in another box; 4 character widths keeps such lines whole, yet not columns apart.
LAPARAMS = LAParams(char_margin=4.0, all_texts=True)


def _text_boxes(container):
    for element in container:
        if isinstance(element, LTTextBox):
            yield element
        elif isinstance(element, LTFigure):  # text drawn inside a form XObject
            yield from _text_boxes(element)


def _in_margin(box, page) -> bool:
    return box.y0 >= page.y1 - 0.15 * page.height or box.y1 <= page.y0 + 0.15 * page.height


def _running_key(box) -> str:
    return re.sub(r"\d+", "#", " ".join(box.get_text().split())).lower()


@dataclass(frozen=True)
class Line:
    text: str
    x0: float
    x1: float


def _box_lines(box) -> list[Line]:
    """The box's lines top to bottom. pdfminer cuts a justified line at a wide gap between words and
    may list the pieces out of order, so pieces side by side are put back together, left to right."""
    rows: list[list] = []
    for piece in sorted(box, key=lambda piece: -piece.y1):
        if rows and abs(rows[-1][0].y0 - piece.y0) < piece.height / 2:
            rows[-1].append(piece)
        else:
            rows.append([piece])
    lines = []
    for row in rows:
        row.sort(key=lambda piece: piece.x0)
        text = " ".join(" ".join(piece.get_text().split()) for piece in row)
        if text := re.sub(f"(?<=[{CJK}]) +(?=[{CJK}])", "", text).strip():  # justified Chinese is spaced out
            lines.append(Line(text, row[0].x0, row[-1].x1))
    return lines


def _box_paragraphs(box) -> list[list[Line]]:
    """A box's lines as paragraphs: a short line ending a sentence ends a paragraph even where a
    document puts no space between paragraphs (and pdfminer so makes them one box)."""
    groups: list[list[Line]] = [[]]
    for line in _box_lines(box):
        previous = groups[-1][-1] if groups[-1] else None
        if previous and previous.x1 < box.x1 - 0.2 * box.width and previous.text.endswith(SENTENCE_END):
            groups.append([])
        groups[-1].append(line)
    return [group for group in groups if group]


def _pdf_paragraphs(data: bytes) -> list[str]:
    try:
        pages = [(page, list(_text_boxes(page))) for page in extract_pages(io.BytesIO(data), laparams=LAPARAMS)]
    except PDFPasswordIncorrect:
        raise _refuse(_(
            "This PDF is protected by a password, so its text cannot be read. Save a copy without the password and load that."
        )) from None
    except Exception:  # a damaged file makes pdfminer raise errors of many kinds (syntax, end of file, key, type)
        pages = []
    if not pages:
        raise _refuse(_("This PDF could not be read: the file is damaged or is not really a PDF."))
    if not any(box.get_text().strip() for _page, boxes in pages for box in boxes):
        raise _refuse(_(
            "This PDF has no text layer: it is probably a scan (pictures of the pages). "
            "Paste the text of the memorandum instead, or load a PDF with text (one whose words you can select and copy)."
        ))
    # Running headers and footers repeat (page numbers aside) on most pages, in the top or bottom margin.
    counts = Counter(key for page, boxes in pages for key in {_running_key(box) for box in boxes if _in_margin(box, page)})
    running = {key for key, count in counts.items() if count >= max(2, len(pages) / 2)}
    paragraphs: list[list[Line]] = []
    last_line_full = False
    for page, boxes in pages:
        body = [box for box in boxes if not (_in_margin(box, page) and (_running_key(box) in running or PAGE_NUMBER.fullmatch(" ".join(box.get_text().split()))))]
        groups = [group for box in body for group in _box_paragraphs(box)]
        if paragraphs and groups and _cut_by_page_break(paragraphs[-1], groups[0], last_line_full):
            paragraphs[-1] = paragraphs[-1] + groups.pop(0)
        paragraphs += groups
        if body:
            left, right = min(box.x0 for box in body), max(box.x1 for box in body)
            last_line_full = bool(paragraphs) and paragraphs[-1][-1].x1 - left >= 0.7 * (right - left)
    return [_join_wrapped([line.text for line in group], after_hyphen=True) for group in paragraphs]


def _cut_by_page_break(previous: list[Line], following: list[Line], last_line_full: bool) -> bool:
    """A paragraph a page break cut: no sentence end, and it runs on in lower case, or its last line
    (of two or more: headings are short, and kept with what follows) nearly fills the width."""
    if previous[-1].text.endswith(SENTENCE_END):
        return False
    return following[0].text[:1].islower() or (last_line_full and len(previous) >= 2)


# DOCX ------------------------------------------------------------------------------------------

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
# Text in these is not the paragraph's: text boxes (drawn over the page, and written twice for old
# Word versions), and tracked moves' old places.
NOT_IN_PARAGRAPH = {W + "txbxContent", W + "moveFrom", W + "del"}


def _zip_names(data: bytes) -> list[str]:
    try:
        return zipfile.ZipFile(io.BytesIO(data)).namelist()
    except Exception:  # zipfile raises several kinds of error on a damaged archive
        return []


def _docx_paragraphs(data: bytes) -> list[str]:
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise _refuse(_("This is an old Word document (.doc) or a password-protected one. Save it as .docx, without a password, and load that."))
    names = _zip_names(data)
    if "word/document.xml" not in names:
        kind = {"xl/workbook.xml": _("an Excel workbook"), "ppt/presentation.xml": _("a PowerPoint presentation")}
        what = next((kind[name] for name in names if name in kind), _("a ZIP archive") if names else "")
        raise _refuse(_("This file is %(kind)s, not a Word document (.docx).") % {"kind": what or _("something else")})
    try:
        document = docx.Document(io.BytesIO(data))
        return [text for paragraph in _docx_paragraph_elements(document.element.body) if (text := _docx_text(paragraph))]
    except Exception:  # python-docx and lxml raise errors of many kinds on a damaged package
        raise _refuse(_("This Word document could not be read: the file is damaged or is not really a .docx.")) from None


def _docx_paragraph_elements(container):
    """The paragraphs of the body in reading order, those in table cells and content controls too."""
    for child in container.iterchildren():
        if child.tag == W + "p":
            yield child
        elif child.tag == W + "tbl":
            for row in child.iterchildren(W + "tr"):
                for cell in row.iterchildren(W + "tc"):  # a merged cell is one w:tc, so none is read twice
                    yield from _docx_paragraph_elements(cell)
        elif child.tag in (W + "sdt", W + "sdtContent", W + "customXml"):
            yield from _docx_paragraph_elements(child)


def _docx_text(paragraph) -> str:
    """A paragraph's text, tracked insertions included; a soft return (w:br, w:cr) is a hard wrap."""
    lines = [""]
    for element in paragraph.iter(W + "t", W + "tab", W + "noBreakHyphen", W + "br", W + "cr"):
        if any(ancestor.tag in NOT_IN_PARAGRAPH for ancestor in element.iterancestors()):
            continue
        if element.tag in (W + "br", W + "cr"):
            if element.get(W + "type") in (None, "textWrapping"):  # not a page or column break
                lines.append("")
        else:
            lines[-1] += {W + "t": element.text or "", W + "tab": " ", W + "noBreakHyphen": "-"}[element.tag]
    return _join_wrapped(lines)
