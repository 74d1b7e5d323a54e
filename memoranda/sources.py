"""Source documents as loaded: one normal form, so the same memorandum is recognised again."""
from __future__ import annotations

import hashlib


def normalise_source_text(text: str) -> str:
    """Unix line ends, no trailing spaces, no blank lines at either end."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).strip("\n")


def source_checksum(source: str | bytes) -> str:
    """SHA-256 of a source: of its normal form for text, of the bytes as they are for files."""
    data = normalise_source_text(source).encode("utf-8") if isinstance(source, str) else source
    return hashlib.sha256(data).hexdigest()
