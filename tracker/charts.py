"""Numbers for the inline SVG charts drawn on the server (readable without JavaScript, printable)."""
from __future__ import annotations

from dataclasses import dataclass

from memoranda.models import Status


# Written into the SVG itself (not only via CSS classes) so that PDF renderers colour it too.
STATUS_COLOURS = {
    "not_started": "#aab3bd", "on_track": "#3f9a55", "at_risk": "#e0a100", "ongoing": "#3b7dd8",
    "completed": "#155d27", "not_pursued": "#c0392b", "carried_forward": "#8256b0",
}


@dataclass(frozen=True)
class Segment:
    status: str
    label: str
    count: int
    start: float  # percent of the bar's width
    width: float  # percent of the bar's width

    @property
    def colour(self) -> str:
        return STATUS_COLOURS.get(self.status, "#aab3bd")


def status_segments(counts: dict[str, int]) -> list[Segment]:
    """One segment per status with commitments, in the taxonomy's order, widths summing to 100."""
    total = sum(counts.get(status, 0) for status in Status.values)
    segments, start = [], 0.0
    for status in Status:
        count = counts.get(status.value, 0)
        if not count:
            continue
        width = 100.0 * count / total
        segments.append(Segment(status.value, str(status.label), count, round(start, 3), round(width, 3)))
        start += width
    return segments


def counts_from_annotations(row: object) -> dict[str, int]:
    """{status: n} from an object annotated by `selectors.status_counts()`."""
    return {status: getattr(row, f"count_{status}", 0) or 0 for status in Status.values}


def describe(segments: list[Segment]) -> str:
    """The text alternative of a status chart: 'Not started: 12, Ongoing arrangement: 6'."""
    return ", ".join(f"{segment.label}: {segment.count}" for segment in segments)
