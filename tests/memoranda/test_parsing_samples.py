"""The corpus in samples/: pasted press releases and memoranda as they really come, each split as a
careful reader splits it (`<name>.expected.json` beside `<name>.txt`). No database.

An expected file says, for its text: the mechanism, session number, venue, the day announced or the
full date, the co-chairs, the number of areas the text announces, every area with the first words of
each of its items, how the last item ends (so closing narrative and page chrome stay out), and the
warnings the preview must show (substrings of `str(warning)`; none at all when the list is empty).
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from memoranda.parsing import MemorandumParseError, parse_memorandum

SAMPLES = Path(__file__).resolve().parent / "samples"
TEXTS = sorted(SAMPLES.glob("*.txt"))
EXPECTED_FILES = sorted(SAMPLES.glob("*.expected.json"))
KEYS = {
    "shape", "language", "mechanism_name", "mechanism_name_zh", "session_number", "venue", "venue_zh",
    "announced_month_day", "held_on", "co_chairs", "announced_area_count", "areas", "last_item_ends_with", "warnings",
}


def expected_path(text_path: Path) -> Path:
    return text_path.with_name(f"{text_path.stem}.expected.json")


def split_of(parsed, language: str) -> str:
    """The split the parser made, one line per area and per item, to read in a failure message."""
    zh = language == "zh"
    lines = [
        f"  mechanism={parsed.mechanism_name!r} / {parsed.mechanism_name_zh!r}, session={parsed.session_number!r}, "
        f"venue={parsed.venue!r} / {parsed.venue_zh!r}, announced_month_day={parsed.announced_month_day!r}, "
        f"held_on={parsed.held_on!r}",
        f"  co_chairs={parsed.co_chairs!r}, announced_area_count={parsed.announced_area_count!r}",
    ]
    for number, area in enumerate(parsed.areas, start=1):
        lines.append(f"  {number}. {(area.name_zh if zh else area.name) or area.any_name!r} (line {area.line}, {len(area.items)} items)")
        for item in area.items:
            text = (item.text_zh if zh else item.text) or item.any_text
            lines.append(f"       - line {item.line}: {text[:24] + '…' if zh else ' '.join(text.split()[:8]) + ' …'}")
    lines.append(f"  warnings={[str(warning) for warning in parsed.warnings]!r}")
    return "\n".join(lines)


def differences(parsed, expected: dict) -> list[str]:
    """Every way the parse differs from the expected split (all of them, not only the first)."""
    zh = expected["language"] == "zh"
    found: list[str] = []

    def compare(label: str, actual, wanted) -> None:
        if actual != wanted:
            found.append(f"{label}: expected {wanted!r}, got {actual!r}")

    for key in ("mechanism_name", "mechanism_name_zh", "session_number", "venue", "venue_zh", "co_chairs", "announced_area_count"):
        compare(key, getattr(parsed, key), expected[key])
    wanted_day = expected["announced_month_day"]
    compare("announced_month_day", parsed.announced_month_day, tuple(wanted_day) if wanted_day else None)
    compare("held_on", parsed.held_on.isoformat() if parsed.held_on else None, expected["held_on"])

    compare("area names", [(area.name, area.name_zh) for area in parsed.areas],
            [(area["name"], area["name_zh"]) for area in expected["areas"]])
    for area, wanted in zip(parsed.areas, expected["areas"]):
        label = wanted["name_zh"] if zh else wanted["name"]
        texts = [item.text_zh if zh else item.text for item in area.items]
        if len(texts) != len(wanted["items"]):
            found.append(f"area {label!r}: expected {len(wanted['items'])} items, got {len(texts)}")
        for number, (text, prefix) in enumerate(zip(texts, wanted["items"]), start=1):
            if not text.startswith(prefix):
                found.append(f"area {label!r} item {number}: expected to start {prefix!r}, got {text[:len(prefix) + 20]!r}")

    items = parsed.items
    last = (items[-1].text_zh if zh else items[-1].text) if items else ""
    if not last.endswith(expected["last_item_ends_with"]):
        found.append(f"last item: expected to end {expected['last_item_ends_with']!r}, got …{last[-80:]!r}")

    warnings = [str(warning) for warning in parsed.warnings]
    if expected["warnings"]:
        for wanted in expected["warnings"]:
            if not any(wanted in warning for warning in warnings):
                found.append(f"no warning contains {wanted!r}; warnings: {warnings!r}")
    elif warnings:
        found.append(f"expected no warning, got {warnings!r}")
    return found


@pytest.mark.parametrize("path", TEXTS, ids=[path.stem for path in TEXTS])
def test_sample_is_split_as_a_careful_reader_splits_it(path):
    assert expected_path(path).exists(), f"{path.name} has no {expected_path(path).name}: every sample needs its expected split"
    expected = json.loads(expected_path(path).read_text(encoding="utf-8"))
    try:
        parsed = parse_memorandum(path.read_text(encoding="utf-8"), filename=path.name)
    except MemorandumParseError as error:
        problems = "\n".join(f"  {problem} [{problem.severity}]" for problem in error.problems)
        pytest.fail(f"{path.name} ({expected['shape']}) was refused:\n{problems}", pytrace=False)
    found = differences(parsed, expected)
    assert not found, (
        f"{path.name} ({expected['shape']}) is split differently from what a careful reader expects:\n"
        + "\n".join(f"  * {difference}" for difference in found)
        + f"\nThe parser's split:\n{split_of(parsed, expected['language'])}"
    )


@pytest.mark.parametrize("path", EXPECTED_FILES, ids=[path.name.removesuffix(".expected.json") for path in EXPECTED_FILES])
def test_expected_file_is_complete_and_has_its_text(path):
    expected = json.loads(path.read_text(encoding="utf-8"))
    assert path.with_name(path.name.removesuffix(".expected.json") + ".txt").exists(), f"{path.name} has no sample text"
    assert set(expected) == KEYS, f"{path.name}: missing {sorted(KEYS - set(expected))}, unknown {sorted(set(expected) - KEYS)}"
    assert expected["language"] in ("en", "zh")
    assert expected["areas"] and all(area["items"] for area in expected["areas"]), f"{path.name}: every area needs items"
    assert expected["last_item_ends_with"], f"{path.name}: say how the last item ends"
