"""What a mechanism's name says about it: its two sides and a short code for its references.

'Hong Kong/Shanghai Economic and Trade Co-operation Conference' → sides Hong Kong and Shanghai,
code HKSH; 閩港合作會議 → Fujian and Hong Kong. Pure functions; the import service matches the
sides to the parties the database already has and lets the administrator change the rest.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import zhconv


@dataclass(frozen=True)
class Place:
    name: str
    name_zh: str  # Traditional; shown in the reader's script by the pages
    abbreviation_zh: str  # the one character a mechanism's Chinese name uses for it: 京, 港, 閩 …


PLACES = [
    Place("Hong Kong", "香港", "港"), Place("Macao", "澳門", "澳"), Place("Beijing", "北京", "京"),
    Place("Shanghai", "上海", "滬"), Place("Tianjin", "天津", "津"), Place("Chongqing", "重慶", "渝"),
    Place("Guangdong", "廣東", "粵"), Place("Fujian", "福建", "閩"), Place("Sichuan", "四川", "川"),
    Place("Shenzhen", "深圳", "深"), Place("Guangzhou", "廣州", "穗"), Place("Xiamen", "廈門", "廈"),
    Place("Hubei", "湖北", "鄂"), Place("Zhejiang", "浙江", "浙"), Place("Jiangsu", "江蘇", "蘇"),
    Place("Shandong", "山東", "魯"), Place("Guangxi", "廣西", "桂"), Place("Hainan", "海南", "瓊"),
    Place("Hunan", "湖南", "湘"), Place("Jiangxi", "江西", "贛"), Place("Anhui", "安徽", "皖"),
    Place("Guizhou", "貴州", "黔"), Place("Yunnan", "雲南", "滇"), Place("Shaanxi", "陝西", "陝"),
    Place("Hebei", "河北", "冀"), Place("Liaoning", "遼寧", "遼"), Place("Jilin", "吉林", "吉"),
    Place("Heilongjiang", "黑龍江", "黑"), Place("Shanxi", "山西", "晉"), Place("Henan", "河南", "豫"),
]
BY_NAME = {place.name.lower(): place for place in PLACES}
BY_ABBREVIATION = {zhconv.convert(place.abbreviation_zh, "zh-hant"): place for place in PLACES}
# How the kind of mechanism reads in Chinese, for a name_zh when the source gives none.
KINDS_ZH = [
    ("Economic and Trade Co-operation Conference", "經貿合作會議"), ("Co-operation Joint Conference", "合作聯席會議"),
    ("Joint Conference", "聯席會議"), ("Co-operation High Level Meeting", "合作高層會晤"), ("High Level Meeting", "高層會晤"),
    ("Co-operation Conference", "合作會議"), ("Co-operation Meeting", "合作會議"), ("Co-operation Forum", "合作論壇"),
]
PINYIN_SYLLABLE = re.compile(
    r"(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?(?:iang|iong|uang|ang|eng|ing|ong|uan|ian|iao|uai|ai|ei|ao|ou|an|en|in|un|ia|ie|iu|ua|uo|ui|ue|er|a|o|e|i|u|v)(?:ng|n)?(?![aeiouv])"
)


def sides_in_name(name: str, name_zh: str = "") -> list[Place | str]:
    """The two sides a mechanism's name gives, in its order: known places, or the words as written."""
    if name:
        head = re.split(r"\s+(?:Economic|Co-?operation|Cooperation|Joint|High|Conference|Meeting|Forum)\b", name, maxsplit=1)[0]
        parts = [part.strip() for part in re.split(r"\s*[/–-]\s*(?=[A-Z])", head) if part.strip()]
        if len(parts) == 2:
            return [BY_NAME.get(part.lower(), part) for part in parts]
    if name_zh:
        traditional = zhconv.convert(name_zh, "zh-hant")
        if len(traditional) >= 2 and traditional[0] in BY_ABBREVIATION and traditional[1] in BY_ABBREVIATION:
            return [BY_ABBREVIATION[traditional[0]], BY_ABBREVIATION[traditional[1]]]
    return []


def english_name_of(name_zh: str) -> str:
    """閩港合作會議 → 'Fujian/Hong Kong Co-operation Conference', when both sides are known places."""
    sides = sides_in_name("", name_zh)
    traditional = zhconv.convert(name_zh, "zh-hant")[2:]
    kind = next((english for english, chinese in KINDS_ZH if traditional == chinese), "")
    if len(sides) == 2 and all(isinstance(side, Place) for side in sides) and kind:
        first, second = sorted(sides, key=lambda side: side.name != "Hong Kong")  # Hong Kong/Beijing: Hong Kong first
        return f"{first.name}/{second.name} {kind}"
    return ""


def chinese_name_of(name: str) -> str:
    """'Hong Kong/Beijing Co-operation Conference' → 京港合作會議: the Mainland side first, as written in Chinese."""
    sides = sides_in_name(name)
    kind = next((chinese for english, chinese in KINDS_ZH if name.endswith(english)), "")
    if len(sides) != 2 or not all(isinstance(side, Place) for side in sides) or not kind:
        return ""
    ordered = sorted(sides, key=lambda side: side.name in ("Hong Kong", "Macao"))  # 京港, 閩港: Hong Kong last
    return "".join(side.abbreviation_zh for side in ordered) + kind


def code_for(sides: list[Place | str]) -> str:
    """HK + SH for Hong Kong/Shanghai: each side's initials (of its pinyin syllables for a one-word name)."""
    def initials(side: Place | str) -> str:
        words = (side.name if isinstance(side, Place) else side).split()
        if len(words) > 1:
            return "".join(word[0] for word in words).upper()
        word = words[0].lower() if words else "x"
        syllables = PINYIN_SYLLABLE.findall(word)
        if len(syllables) >= 2 and "".join(syllables) == word:
            return (syllables[0][0] + syllables[1][0]).upper()
        return word[:2].upper()

    ordered = sorted(sides, key=lambda side: (side.name if isinstance(side, Place) else side) != "Hong Kong")
    code = re.sub(r"[^A-Z0-9]", "", "".join(initials(side) for side in ordered))
    return code[:12] if len(code) >= 2 else ""
