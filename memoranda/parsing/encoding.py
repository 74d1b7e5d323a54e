"""Turning uploaded bytes into text: read correctly, or refused with a message, never garbled."""
from __future__ import annotations

import re

from charset_normalizer import from_bytes
from django.utils.translation import gettext as _, gettext_noop

from memoranda.parsing.model import MemorandumParseError, Problem

MAX_SOURCE_BYTES = 5_000_000

# Encodings a memorandum really comes in: Unicode, the Mainland's GB18030 (a superset of GBK and
# GB2312), Hong Kong's Big5-HKSCS (a superset of Big5), and Windows' Western code page for
# English text saved from a word processor.
# Files that are not text, by their first bytes; each kind is translated where the refusal is made.
BINARY_SIGNATURES = {
    b"%PDF": gettext_noop("a PDF document"),
    b"PK\x03\x04": gettext_noop("a ZIP archive (for example a Word or Excel file)"),
    b"\x89PNG": gettext_noop("a PNG image"),
    b"GIF8": gettext_noop("a GIF image"),
    b"\xff\xd8\xff": gettext_noop("a JPEG image"),
    b"\xd0\xcf\x11\xe0": gettext_noop("an old Microsoft Office document"),
    b"{\\rtf": gettext_noop("an RTF document"),
}
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd]")
CJK = re.compile(r"[\u3400-\u9fff]")


def _refuse(message: str) -> MemorandumParseError:
    return MemorandumParseError([Problem(message, field="file")])


def decode_source(data: bytes) -> str:
    """The text of `data`, or `MemorandumParseError` saying why it cannot be read as text."""
    if len(data) > MAX_SOURCE_BYTES:
        raise _refuse(_("The file is too large (%(size)s bytes); a memorandum is at most %(limit)s MB.") % {
            "size": f"{len(data):,}", "limit": MAX_SOURCE_BYTES // 1_000_000})
    if not data.strip():
        raise _refuse(_("The file is empty."))
    for signature, kind in BINARY_SIGNATURES.items():
        if data.startswith(signature):
            raise _refuse(_("This is %(kind)s, not text. Save it as plain text (UTF-8) or load a structured file.") % {"kind": _(kind)})
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
        raise _refuse(_("This file holds binary data or characters that are not text; it cannot be read as a memorandum."))
    return text


def _decode_strictly(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        raise _refuse(_("The file says it is %(encoding)s but is not valid %(encoding)s.") % {"encoding": encoding.upper()}) from None


# Characters common in Chinese government writing, in both scripts. Text decoded with the right
# codec is mostly made of them; the same bytes read with the wrong one are mostly rare characters.
COMMON_HANZI = set(
    "的一是在不了有和人這这中大為为上個个國国我以要他時时來来用們们生到作地於于出就分對对成會会可主發发年動动同工也能下過过子說说產产種种"
    "面而方後后多定行學学法所民得經经十三之進进著着等部度家電电力裡里如水化高自二理起小物現现實实加量都兩两體体制機机當当使點点從从業业本"
    "去把性好應应開开它合還还因由其些然前外天政四日那社義义事平形相全表間间樣样與与關关各重新線线內内數数正心反你明看原又麼么利比或但質质"
    "氣气第向道命此變变條条只沒没結结解問问意建月公無无系軍军很情者最立代想已通並并提直題题黨党程展五果料象員员革位入常文總总次品式活設设"
    "及管特件長长求老頭头基資资邊边流路級级少圖图山統统接知較较將将組组見见計计別别她手角期根論论運运農农指幾几九區区強强放決决西被幹干做"
    "必戰战先回則则任取據据處处府研質质信交育協协議议港京務务區合作會議備忘錄香北京市雙双兩两地將将繼继續续加強强推支持進进科技創创文化"
    "青年發发展交流服貿贸易金融城管理公共教員员培訓训政府特別别行政區区人民辦办室局委員员聯联盟簽签署代表份備备忘録"
)
CHINESE_CANDIDATES = ("gb18030", "big5hkscs")


def _isolated_high_bytes(data: bytes) -> bool:
    """True when every byte above 127 stands between plain ASCII, as curly quotes and dashes do in
    English text saved by a Windows word processor; Chinese encodings use bytes above 127 in pairs."""
    for index, byte in enumerate(data):
        if byte > 127:
            before = data[index - 1] if index else 32
            after = data[index + 1] if index + 1 < len(data) else 32
            if before > 127 or after > 127:
                return False
    return True


def _chinese_score(text: str) -> float:
    han = CJK.findall(text)
    return sum(char in COMMON_HANZI for char in han) / len(han) if han else 0.0


def _guess(data: bytes) -> str:
    if b"\x00" in data:
        raise _refuse(_("This looks like a binary file, not text."))
    if _isolated_high_bytes(data):
        text = _decode_strictly(data, "cp1252")
        if not CONTROL_CHARACTERS.search(text):
            return text
    readings = []
    for encoding in CHINESE_CANDIDATES:
        try:
            readings.append((_chinese_score(text := data.decode(encoding)), text))
        except UnicodeDecodeError:
            continue
    if readings:
        score, text = max(readings, key=lambda reading: reading[0])
        if score >= 0.3:
            return text
    best = from_bytes(data).best()
    encoding = (best.encoding if best else "").lower().replace("-", "_")
    if encoding.startswith("utf_16"):
        return _decode_strictly(data, encoding)
    raise _refuse(_(
        "Could not tell how this file's characters are encoded, so it was not read (rather than read garbled). "
        "Save it as UTF-8 and load it again; GB18030 and Big5 files are read too."
    ))
