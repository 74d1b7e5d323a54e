"""Turning uploaded bytes into text: read correctly, or refused with a message, never garbled."""
from __future__ import annotations

import re

from charset_normalizer import from_bytes

from memoranda.parsing.model import MemorandumParseError, Problem

MAX_SOURCE_BYTES = 5_000_000

# Encodings a memorandum really comes in: Unicode, the Mainland's GB family and Hong Kong's Big5
# family, and Windows' Western code page for English text saved from a word processor.
CHINESE_ENCODINGS = {"gb18030", "gbk", "gb2312", "big5", "big5hkscs", "cp950"}
WESTERN_ENCODINGS = {"cp1252", "latin_1", "iso8859_1", "iso8859_15"}
BINARY_SIGNATURES = {
    b"%PDF": "a PDF document",
    b"PK\x03\x04": "a ZIP archive (for example a Word or Excel file)",
    b"\x89PNG": "a PNG image",
    b"GIF8": "a GIF image",
    b"\xff\xd8\xff": "a JPEG image",
    b"\xd0\xcf\x11\xe0": "an old Microsoft Office document",
    b"{\\rtf": "an RTF document",
}
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd]")
CJK = re.compile(r"[\u3400-\u9fff]")


def _refuse(message: str) -> MemorandumParseError:
    return MemorandumParseError([Problem(message, field="file")])


def decode_source(data: bytes) -> str:
    """The text of `data`, or `MemorandumParseError` saying why it cannot be read as text."""
    if len(data) > MAX_SOURCE_BYTES:
        raise _refuse(f"The file is too large ({len(data):,} bytes); a memorandum is at most {MAX_SOURCE_BYTES // 1_000_000} MB.")
    if not data.strip():
        raise _refuse("The file is empty.")
    for signature, kind in BINARY_SIGNATURES.items():
        if data.startswith(signature):
            raise _refuse(f"This is {kind}, not text. Save it as plain text (UTF-8) or load a structured file.")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = _decode_strictly(data, "utf-16")
    elif data.startswith(b"\xef\xbb\xbf"):
        text = _decode_strictly(data, "utf-8-sig")
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = _guess(data)
    if CONTROL_CHARACTERS.search(text):
        raise _refuse("This file holds binary data or characters that are not text; it cannot be read as a memorandum.")
    return text


def _decode_strictly(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        raise _refuse(f"The file says it is {encoding.upper()} but is not valid {encoding.upper()}.") from None


def _guess(data: bytes) -> str:
    if b"\x00" in data:
        raise _refuse("This looks like a binary file, not text.")
    best = from_bytes(data).best()
    encoding = (best.encoding if best else "").lower().replace("-", "_")
    if encoding in CHINESE_ENCODINGS:
        return _decode_strictly(data, encoding)
    if encoding in WESTERN_ENCODINGS or encoding.startswith("utf_16"):
        text = _decode_strictly(data, encoding)
        if not CJK.search(text):
            return text
    raise _refuse(
        "Could not tell how this file's characters are encoded, so it was not read (rather than read garbled). "
        "Save it as UTF-8 and load it again; GB18030 and Big5 files are read too."
    )
