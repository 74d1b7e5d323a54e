"""Matching what a source says to what the database knows: names, organisations, similar items.

Pure functions over plain values and model instances already fetched; no queries here.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Protocol

import zhconv

STOPWORDS = set(
    "a an and are as at be both by for from in into of on or such than that the their these this those through "
    "to two was were which while with would also other each its will well including sides places side place".split()
)
GENERIC_SUFFIXES = ("authority", "limited", "ltd", "corporation", "company", "co")
WORD = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
CJK_RUN = re.compile(r"[\u3400-\u9fff]+")


def normalise_name(name: str) -> str:
    """'The Belt & Road Initiative, Economic and Trade Cooperation' → 'belt and road initiative economic and trade co-operation';
    Chinese in Simplified characters (the conversion that maps variants such as 為/爲 to one), so
    that 京港合作会议 and 京港合作會議 are one name."""
    if CJK_RUN.search(name):
        name = zhconv.convert(name, "zh-hans")
    name = name.lower().replace("&", " and ").replace("’", "'")
    name = re.sub(r"\bcooperation\b", "co-operation", name)
    name = re.sub(r"[「」『』“”\"()（）,.:;，。、：；]", " ", name)
    words = [word for word in name.split() if word != "the"]
    return " ".join(words)


class NamedOrganisation(Protocol):
    name: str
    name_zh: str
    abbreviation: str


def organisation_aliases(organisation: NamedOrganisation) -> list[str]:
    """Ways a text may name an organisation: in full, without 'Limited'/'Authority', without its city."""
    aliases = set()
    for name in (organisation.name, organisation.name_zh):
        if not name:
            continue
        normal = normalise_name(name)
        aliases.add(normal)
        words = normal.split()
        while words and words[-1] in GENERIC_SUFFIXES and len(words) > 2:
            words = words[:-1]
            aliases.add(" ".join(words))
        for city in ("hong kong", "beijing", "shanghai", "guangdong", "macao", "shenzhen"):
            if normal.startswith(city + " ") and len(normal.split()) > 3:
                aliases.add(normal[len(city) + 1 :])
    return sorted(aliases, key=len, reverse=True)


def organisations_named_in(text: str, organisations: Iterable[NamedOrganisation]) -> list:
    """The organisations a text names, in the order it first names them, each once."""
    haystack = f" {normalise_name(text)} "
    found: list[tuple[int, object]] = []
    taken: list[tuple[int, int]] = []
    candidates = [(alias, organisation) for organisation in organisations for alias in organisation_aliases(organisation)]
    for alias, organisation in sorted(candidates, key=lambda pair: len(pair[0]), reverse=True):
        needle = alias if CJK_RUN.fullmatch(alias.replace(" ", "")) else f" {alias} "
        start = haystack.find(needle)
        while start != -1 and any(begin <= start < end for begin, end in taken):
            start = haystack.find(needle, start + 1)
        if start == -1:
            continue
        taken.append((start, start + len(needle)))
        if all(existing is not organisation for _, existing in found):
            found.append((start, organisation))
    for organisation in organisations:  # abbreviations: whole words, as written (MTR, HKTDC)
        abbreviation = getattr(organisation, "abbreviation", "")
        if len(abbreviation) >= 3 and re.search(rf"\b{re.escape(abbreviation)}\b", text):
            if all(existing is not organisation for _, existing in found):
                found.append((text.find(abbreviation), organisation))
    return [organisation for _, organisation in sorted(found, key=lambda pair: pair[0])]


def _features(text: str) -> set[str]:
    """Content words of English text and character pairs of Chinese text."""
    lowered = text.lower()
    features = {word for word in WORD.findall(lowered) if word not in STOPWORDS and len(word) > 2}
    for run in CJK_RUN.findall(text):
        features.update(run[i : i + 2] for i in range(len(run) - 1))
    return features


def text_similarity(first: str, second: str) -> float:
    """Dice coefficient of the two texts' features: 0 (nothing shared) to 1 (the same)."""
    a, b = _features(first), _features(second)
    if not a or not b:
        return 0.0
    return 2 * len(a & b) / (len(a) + len(b))


def most_similar(text: str, candidates: Sequence[tuple[object, str]], *, threshold: float = 0.3, limit: int = 3) -> list[tuple[object, float]]:
    """The candidates (object, text) most like `text`, best first, above `threshold`."""
    scored = [(candidate, text_similarity(text, candidate_text)) for candidate, candidate_text in candidates]
    scored = [(candidate, score) for candidate, score in scored if score >= threshold]
    return sorted(scored, key=lambda pair: pair[1], reverse=True)[:limit]
