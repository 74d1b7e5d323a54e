"""Pure parsers: a memorandum's source (text or file) in, dataclasses and problems out.

Nothing here touches the database; `memoranda.services` turns what these return into rows.
Every parser raises only `MemorandumParseError`, whose `problems` name the line (or row) and
field of each thing wrong, so that the admin screen and the command can show them all at once.
"""
from __future__ import annotations

from django.utils.translation import gettext as _

from memoranda.parsing.model import (
    MemorandumParseError,
    ParsedArea,
    ParsedItem,
    ParsedMemorandum,
    ParsedMilestone,
    Problem,
)
from memoranda.parsing.documents import DOCUMENT_FORMATS, detect_document_format, document_text
from memoranda.parsing.encoding import MAX_SOURCE_BYTES, decode_source
from memoranda.parsing.structured import parse_structured
from memoranda.parsing.text import parse_text

MEMORANDUM_FORMATS = ("yaml", "json", "text", *DOCUMENT_FORMATS)
ROW_FORMATS = ("csv", "xlsx")
ALL_FORMATS = MEMORANDUM_FORMATS + ROW_FORMATS

__all__ = [
    "ALL_FORMATS",
    "MAX_SOURCE_BYTES",
    "MEMORANDUM_FORMATS",
    "MemorandumParseError",
    "ParsedArea",
    "ParsedItem",
    "ParsedMemorandum",
    "ParsedMilestone",
    "Problem",
    "ROW_FORMATS",
    "decode_source",
    "detect_format",
    "parse_memorandum",
    "source_text",
]

EXTENSIONS = {
    ".yaml": "yaml", ".yml": "yaml", ".json": "json", ".txt": "text", ".text": "text",
    ".csv": "csv", ".xlsx": "xlsx",
}


def detect_format(filename: str, data: bytes | str) -> str:
    """The format of a source, from its file name's extension, else from its first bytes."""
    if isinstance(data, bytes):
        document = detect_document_format(filename, data)
        if document:
            return document
    name = filename.lower()
    for extension, format_ in EXTENSIONS.items():
        if name.endswith(extension):
            return format_
    if isinstance(data, bytes):
        if data.startswith(b"PK\x03\x04"):
            return "xlsx"
        head = data[:200].lstrip(b"\xef\xbb\xbf \t\r\n")
    else:
        head = data[:200].lstrip("\ufeff \t\r\n").encode("utf-8", "replace")
    if head.startswith((b"{", b"[")):
        return "json"
    if head.startswith((b"mechanism:", b"session:", b"---", b"#")):
        return "yaml"
    return "text"


def parse_memorandum(source: bytes | str, *, format: str = "auto", filename: str = "") -> ParsedMemorandum:
    """Parse a structured file (YAML/JSON) or plain text into a memorandum to preview and load."""
    if format == "auto":
        format = detect_format(filename, source)
    if format in ROW_FORMATS:
        raise MemorandumParseError(
            [Problem(_("%(format)s files hold commitment rows, not a memorandum: load them as rows.") % {"format": format.upper()},
                     field="format")]
        )
    if format not in MEMORANDUM_FORMATS:
        raise MemorandumParseError([Problem(
            _("Unknown format %(format)s; use one of %(formats)s.") % {"format": repr(format), "formats": ", ".join(ALL_FORMATS)},
            field="format",
        )])
    text = source_text(source, format)
    if len(text.encode("utf-8")) > MAX_SOURCE_BYTES:
        raise MemorandumParseError(
            [Problem(_("The text is too long (%(length)s characters); a memorandum is at most %(limit)s MB.") % {
                "length": f"{len(text):,}", "limit": MAX_SOURCE_BYTES // 1_000_000})]
        )
    if format == "text" or format in DOCUMENT_FORMATS:
        parsed = parse_text(text)
        if format in DOCUMENT_FORMATS:
            kind = {"html": "saved web page", "pdf": "PDF", "docx": "Word document"}[format]
            parsed.source_description = f"{parsed.source_description} ({kind})"
        return parsed
    return parse_structured(text, format=format)


def source_text(source: bytes | str, format: str) -> str:
    """The text of a source as the parsers read it: a document's extracted text, or the decoded bytes."""
    if isinstance(source, str):
        return source
    if format in DOCUMENT_FORMATS:
        return document_text(source, format)
    return decode_source(source)
