"""Pairing the items of a memorandum in one language with those already loaded in the other.

The Chinese memorandum and the English press release list the same areas and items in the same
order, so order is the main cue; it is checked by what survives translation: numbers and years,
Latin words in the Chinese text (Fintech, MTR), the organisations both texts name, and length.
Where the counts differ, the items are aligned as sequences (the best total agreement, allowing
an item on either side to be left unpaired). Pure functions over plain values; no queries.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from memoranda.matching import NamedOrganisation, organisations_named_in

NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9&-]{1,}")
CJK = re.compile(r"[\u3400-\u9fff]")
ENGLISH_CHARACTERS_PER_CHINESE = 4.5  # measured on the 4th plenary: about 5 English letters for each Chinese character
# Terms of co-operation memoranda that survive translation, as a cue like numbers and names:
# Chinese (Traditional and Simplified stems) → the English stem the release uses.
GLOSSARY = {
    "金融": "financ", "科技": "technolog", "創新": "innovat", "创新": "innovat", "文化": "cultur", "藝術": "arts", "艺术": "arts",
    "教育": "educat", "學校": "school", "学校": "school", "大學": "universit", "大学": "universit", "高校": "universit",
    "青年": "youth", "公務員": "civil serv", "公务员": "civil serv", "環境": "environment", "环境": "environment",
    "污染": "pollut", "食品": "food", "藥物": "drug", "药物": "drug", "醫療": "health", "医疗": "health", "中醫": "chinese medicine",
    "中医": "chinese medicine", "鐵路": "rail", "铁路": "rail", "防洪": "flood", "旅遊": "touris", "旅游": "touris",
    "貿易": "trade", "贸易": "trade", "投資": "invest", "投资": "invest", "法律": "legal", "會計": "accountan", "会计": "accountan",
    "體育": "sport", "体育": "sport", "交通": "transport", "航空": "aviation", "物流": "logistic", "人才": "talent",
    "義工": "volunteer", "志愿": "volunteer", "奧運": "olympic", "奥运": "olympic", "冬奧": "winter", "冬奥": "winter",
    "一帶一路": "belt and road", "一带一路": "belt and road", "服務業": "services", "服务业": "services", "城市": "urban",
    "就業": "employment", "就业": "employment", "創業": "business", "创业": "business", "諮詢": "advisory", "咨询": "advisory",
    "交流": "exchang", "研討會": "seminar", "研讨会": "seminar", "論壇": "forum", "论坛": "forum", "展覽": "exhibit", "展览": "exhibit",
    "知識產權": "intellectual property", "知识产权": "intellectual property", "海關": "customs", "海关": "customs",
    "機場": "airport", "机场": "airport", "港口": "port", "綠色": "green", "绿色": "green", "碳": "carbon", "數字": "digital",
    "数字": "digital", "數據": "data", "数据": "data", "電影": "film", "电影": "film", "博物館": "museum", "博物馆": "museum",
}
LEAVE_OUT = -0.15  # the cost of leaving an item unpaired, against the gain of a poor pair


@dataclass
class Pair:
    new: int | None  # index of the item being loaded
    existing: int | None  # index of the item already in the database
    score: float  # 0 (nothing agrees) to 1


def _anchors(text: str, organisations: Sequence[NamedOrganisation]) -> set[str]:
    anchors = {f"n:{number.replace(',', '')}" for number in NUMBER.findall(text)}
    if CJK.search(text):
        anchors |= {f"w:{word.lower()}" for word in LATIN_WORD.findall(text)}
    anchors |= {f"o:{id(organisation)}" for organisation in organisations_named_in(text, organisations)}
    lowered = text.lower()
    anchors |= {f"g:{english}" for chinese, english in GLOSSARY.items() if chinese in text or (not CJK.search(text) and english in lowered)}
    return anchors


def _weight(text: str) -> float:
    """Length in English letters: Chinese characters counted as the letters they translate to."""
    chinese = len(CJK.findall(text))
    return chinese * ENGLISH_CHARACTERS_PER_CHINESE + len(text) - chinese


def pair_score(new: str, existing: str, organisations: Sequence[NamedOrganisation] = (), position: float = 1.0) -> float:
    """How well two texts look like one item in two languages: their numbers, Latin words and
    organisations, their lengths, and how close they stand in their lists (`position`, 0–1)."""
    a, b = _anchors(new, organisations), _anchors(existing, organisations)
    only_english = {anchor for anchor in b if anchor.startswith("w:")} if not CJK.search(existing) else set()
    b -= only_english  # English words of the English text are no anchors; those the Chinese text kept are
    b |= {anchor for anchor in only_english if anchor in a}
    anchor_score = 2 * len(a & b) / (len(a) + len(b)) if a or b else 0.5
    weights = sorted((_weight(new), _weight(existing)))
    length_score = weights[0] / weights[1] if weights[1] else 0.0
    return round(0.4 * position + 0.3 * length_score + 0.3 * anchor_score, 3)


def align(new: Sequence[str], existing: Sequence[str], organisations: Sequence[NamedOrganisation] = ()) -> list[Pair]:
    """Pairs of `new` and `existing` texts in order; by position when the counts agree, else the
    sequence alignment with the best total score. Unpaired items come as pairs with one side None."""
    n, m = len(new), len(existing)

    def score(i: int, j: int) -> float:
        # When the counts differ, the alignment keeps the order itself; nearness in the lists would
        # only pull an item towards the wrong neighbour.
        return pair_score(new[i], existing[j], organisations, 1.0 if n == m else 0.5)

    if n == m:
        return [Pair(i, i, score(i, i)) for i in range(n)]
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(1, n + 1):
        best[i][0] = i * LEAVE_OUT
    for j in range(1, m + 1):
        best[0][j] = j * LEAVE_OUT
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            best[i][j] = max(best[i - 1][j - 1] + score(i - 1, j - 1), best[i - 1][j] + LEAVE_OUT, best[i][j - 1] + LEAVE_OUT)
    pairs: list[Pair] = []
    i, j = n, m
    while i or j:
        if i and j and best[i][j] == best[i - 1][j - 1] + score(i - 1, j - 1):
            pairs.append(Pair(i - 1, j - 1, score(i - 1, j - 1)))
            i, j = i - 1, j - 1
        elif i and (not j or best[i][j] == best[i - 1][j] + LEAVE_OUT):
            pairs.append(Pair(i - 1, None, 0.0))
            i -= 1
        else:
            pairs.append(Pair(None, j - 1, 0.0))
            j -= 1
    return pairs[::-1]


def align_areas(new: Sequence[Sequence[str]], existing: Sequence[Sequence[str]], organisations: Sequence[NamedOrganisation] = ()) -> list[Pair]:
    """Item pairs of two memoranda given as areas of texts. When both have as many areas, items are
    aligned area by area; otherwise as one list. Indexes count items across all areas."""
    if len(new) != len(existing):
        return align([t for area in new for t in area], [t for area in existing for t in area], organisations)
    pairs: list[Pair] = []
    new_offset = existing_offset = 0
    for new_area, existing_area in zip(new, existing, strict=True):
        for pair in align(new_area, existing_area, organisations):
            pairs.append(Pair(
                None if pair.new is None else pair.new + new_offset,
                None if pair.existing is None else pair.existing + existing_offset,
                pair.score,
            ))
        new_offset += len(new_area)
        existing_offset += len(existing_area)
    return pairs
