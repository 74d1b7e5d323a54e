"""Follow-up reports: the implementation of one session's consensus, and a mechanism across sessions.

A report is plain data (rows of dicts), computed from the database "as at" a date or read from a
frozen snapshot, so that the page, the PDF, the spreadsheets and the snapshot all show the same.
"""
from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Min, QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import Truncator
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from memoranda.choices import Status
from memoranda.formatting import session_label
from memoranda.models import Commitment, Mechanism, PlenarySession, in_language
from tracker import aggregates, charts, selectors
from tracker.models import ProgressUpdate, UpdateState


def _end_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.max))


def report_rows(commitments: QuerySet[Commitment], as_at: datetime.date | None = None) -> list[dict[str, Any]]:
    """One row per commitment with what a report shows. With `as_at` in the past, status and
    progress are as they stood at the end of that day (from the change history)."""
    commitments = selectors.with_owners(commitments).in_reading_order()
    today = timezone.localdate()
    moment = _end_of(as_at) if as_at and as_at < today else None
    past: dict[int, Any] = {}
    if moment is not None:
        records = Commitment.history.filter(id__in=commitments.values("pk"), history_date__lte=moment).latest_of_each()
        past = {record.id: record for record in records}
    accepted = ProgressUpdate.objects.filter(commitment__in=commitments.values("pk"), state=UpdateState.ACCEPTED)
    if moment is not None:
        accepted = accepted.filter(reviewed_at__lte=moment)
    latest: dict[int, ProgressUpdate] = {}
    for update in accepted.order_by("commitment_id", "reviewed_at", "pk"):
        latest[update.commitment_id] = update
    rows = []
    for commitment in commitments:
        if moment is not None and commitment.pk not in past:
            continue  # not yet agreed on that day
        state = past.get(commitment.pk, commitment)
        update = latest.get(commitment.pk)
        due_on = state.due_on
        rows.append({
            "ref": commitment.ref,
            "area_position": commitment.area_position,
            "area": commitment.area.name, "area_zh": commitment.area.name_zh,
            "title": commitment.title or "", "title_zh": commitment.title_zh or "",
            "text": commitment.text, "text_zh": commitment.text_zh,
            "lead": commitment.lead_organisation.name if commitment.lead_organisation else "",
            "lead_zh": commitment.lead_organisation.name_zh if commitment.lead_organisation else "",
            "status": state.status,
            "progress": state.progress,
            "due_on": due_on.isoformat() if due_on else "",
            "overdue": bool(due_on and state.status not in Status.closed() and due_on < (as_at or today)),
            "latest_update": update.narrative if update else "",
            "latest_update_zh": update.narrative_zh if update else "",
            "next_steps": update.next_steps if update else "",
            "next_steps_zh": update.next_steps_zh if update else "",
            "latest_update_on": timezone.localtime(update.reviewed_at).date().isoformat() if update and update.reviewed_at else "",
        })
    return rows


@dataclass(frozen=True)
class Shown:
    """A text in the reader's language or, where it exists only in the other one, in that one
    with `marker` naming it ("English" on a Chinese page), so a reader always sees a fallback."""

    text: str
    marker: str = ""
    lang: str = ""  # the language of a fallback, for the HTML `lang` attribute

    def __str__(self) -> str:
        return self.text

    @property
    def marked(self) -> str:
        """For a spreadsheet cell, where no badge can be drawn: "(English) …" on a Chinese sheet."""
        if self.marker and self.text:
            return _("(%(language)s) %(text)s") % {"language": self.marker, "text": self.text}
        return self.text


def shown(english: str | None, chinese: str | None) -> Shown:
    """The reader's language (Chinese in the reader's script), falling back to the other, marked."""
    text, fell_back = in_language(english or "", chinese or "")
    if not fell_back:
        return Shown(text)
    if (get_language() or "en").startswith("zh"):
        return Shown(text, _("English"), "en")
    return Shown(text, _("Chinese"), "zh")


def _shortened(text: str) -> str:
    return Truncator(text).words(14) if " " in text else Truncator(text).chars(40)


def shown_title(row: dict) -> Shown:
    """An item's short title in the reader's language; else the first words of its text in that
    language; only then the other language's title or text, marked."""
    title = shown(row.get("title"), row.get("title_zh"))
    if title.text and not title.marker:
        return title
    text = shown(row.get("text"), row.get("text_zh"))
    if text.text and not text.marker:
        return Shown(_shortened(text.text))
    if title.text:
        return title
    return Shown(_shortened(text.text), text.marker, text.lang)


def _day(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


@dataclass
class ReportLine:
    """One row of the report as its reader sees it: texts in their language (fallbacks marked),
    dates as dates. Built from the stored row, so a snapshot reads the same as the live report."""

    ref: str
    status: str
    progress: int
    overdue: bool
    due_on: datetime.date | None
    area: Shown
    title: Shown
    lead: Shown
    progress_reported: Shown
    next_steps: Shown
    reported_on: datetime.date | None

    @classmethod
    def of(cls, row: dict) -> ReportLine:
        return cls(
            ref=row["ref"], status=row["status"], progress=row["progress"], overdue=row.get("overdue", False),
            due_on=_day(row.get("due_on")),
            area=shown(row.get("area"), row.get("area_zh")),
            title=shown_title(row),
            lead=shown(row.get("lead"), row.get("lead_zh")),
            progress_reported=shown(row.get("latest_update"), row.get("latest_update_zh")),
            next_steps=shown(row.get("next_steps"), row.get("next_steps_zh")),
            reported_on=_day(row.get("latest_update_on")),
        )

    @property
    def status_label(self) -> str:
        return str(Status(self.status).label) if self.status in Status.values else self.status


@dataclass
class ReportArea:
    position: int
    name: str
    name_zh: str
    rows: list[dict]
    segments: list[charts.Segment] = field(default_factory=list)

    @property
    def display_name(self) -> str:
        return in_language(self.name, self.name_zh)[0]

    @property
    def lines(self) -> list[ReportLine]:
        return [ReportLine.of(row) for row in self.rows]


@dataclass
class SessionReport:
    session: PlenarySession
    as_at: datetime.date
    rows: list[dict]
    snapshot: Any = None
    asked_for: datetime.date | None = None  # a date before tracking began, shown as its first day

    @property
    def title(self) -> str:
        return _("Implementation of the consensus reached at the %(session)s, as at %(date)s") % {
            "session": self.session.title,
            "date": _date(self.as_at),
        }

    @property
    def counts(self) -> dict[str, int]:
        return dict(Counter(row["status"] for row in self.rows))

    @property
    def segments(self) -> list[charts.Segment]:
        return charts.status_segments(self.counts)

    @property
    def summary(self) -> list[tuple[str, str, int]]:
        counts = self.counts
        return [(status.value, str(status.label), counts.get(status.value, 0)) for status in Status]

    @property
    def completed(self) -> int:
        return self.counts.get(Status.COMPLETED, 0)

    @property
    def average_progress(self) -> int:
        return round(sum(row["progress"] for row in self.rows) / len(self.rows)) if self.rows else 0

    @property
    def areas(self) -> list[ReportArea]:
        grouped: dict[int, ReportArea] = {}
        for row in self.rows:
            area = grouped.setdefault(row["area_position"], ReportArea(row["area_position"], row["area"], row["area_zh"], []))
            area.rows.append(row)
        for area in grouped.values():
            area.segments = charts.status_segments(dict(Counter(row["status"] for row in area.rows)))
        return [grouped[position] for position in sorted(grouped)]


def _date(day: datetime.date) -> str:
    return date_format(day, "DATE_FORMAT")


def tracking_began(session: PlenarySession) -> datetime.date | None:
    """The day the tracker first recorded the session's commitments: reports cannot look earlier."""
    first = Commitment.history.filter(session=session).aggregate(first=Min("history_date"))["first"]
    return timezone.localtime(first).date() if first else None


def session_report(session: PlenarySession, user, as_at: datetime.date | None = None) -> SessionReport:
    as_at = as_at or timezone.localdate()
    began, asked_for = tracking_began(session), None
    if began and as_at < began:
        asked_for, as_at = as_at, began
    # Everyone who may see the session sees all its commitments: rows cached until the data changes.
    rows = aggregates.cached("session-report-rows", (session.pk, as_at.isoformat()), lambda: report_rows(selectors.commitments_visible_to(user).for_session(session), as_at))
    return SessionReport(session=session, as_at=as_at, rows=rows, asked_for=asked_for)


# The report's columns, as on the page and in the PDF; the full texts as agreed, in both languages,
# are in the commitments export (/commitments/?_export=xlsx).
REPORT_COLUMNS = ["area", "ref", "title", "lead", "status_label", "progress", "due_on", "latest_update_on", "latest_update", "next_steps"]
# Widths in characters, about 190 in all so that a printed page (fitted to its width) stays
# legible: the texts people write get the room, short codes, dates and numbers little.
REPORT_WIDTHS = {
    "area": 16, "ref": 12, "title": 28, "lead": 17, "status_label": 13, "progress": 10, "due_on": 17,
    "latest_update_on": 17, "latest_update": 46, "next_steps": 30,
}


def report_headers() -> list[str]:
    return [
        _("Area"), _("Ref."), _("Commitment"), _("Lead"), _("Status"), _("Progress (%)"), _("Due"),
        _("Last accepted update"), _("Progress reported"), _("Next steps"),
    ]


def report_preamble(report: SessionReport) -> list[list[str]]:
    """The rows above a spreadsheet's header: the report's title, and the day it is "as at"
    (and, for a snapshot, when it was frozen)."""
    as_at = _("As at %(date)s") % {"date": _date(report.as_at)}
    if report.snapshot is not None:
        frozen = _("Snapshot frozen on %(date)s") % {"date": date_format(timezone.localtime(report.snapshot.created_at), "DATETIME_FORMAT")}
        as_at = " · ".join(part for part in (as_at, frozen, report.snapshot.label) if part)
    return [[report.title], [as_at]]


def report_export_rows(report: SessionReport) -> list[dict]:
    """The report's rows in the reader's language (fallbacks marked in the text), dates as dates,
    for XLSX and CSV."""
    exported = []
    for row in report.rows:
        line = ReportLine.of(row)
        exported.append({
            "area": line.area.marked,
            "ref": line.ref,
            "title": line.title.marked,
            "lead": line.lead.marked,
            "status_label": line.status_label,
            "progress": line.progress,
            "due_on": line.due_on,
            "latest_update_on": line.reported_on,
            "latest_update": line.progress_reported.marked,
            "next_steps": line.next_steps.marked,
        })
    return exported


@dataclass
class MechanismReport:
    mechanism: Mechanism
    sessions: list[PlenarySession]
    matrix: list[dict]  # per area: name, cells per session (total, completed, rate)
    chains: list[list[Commitment]]
    long_running: list[Commitment]

    @property
    def columns(self) -> list[tuple[PlenarySession, str]]:
        """Each session with the heading of its column: its name and date in the reader's language."""
        return [(session, session_label(session)) for session in self.sessions]

    @property
    def labelled_chains(self) -> list[list[tuple[Commitment, str]]]:
        """The chains, each link with the name and date of its session."""
        labels = {session.pk: label for session, label in self.columns}
        return [[(commitment, labels.get(commitment.session_id, "")) for commitment in chain] for chain in self.chains]


def mechanism_report(mechanism: Mechanism, user) -> MechanismReport:
    """Area × session counts and completion rates, chains of carried-forward commitments, and items
    still ongoing after a later session was held."""
    commitments = list(
        selectors.commitments_visible_to(user).filter(session__mechanism=mechanism)
        .select_related("session", "area", "continues", "lead_organisation").in_reading_order()
    )
    sessions = list(mechanism.sessions.select_related("mechanism").order_by("number"))
    cells: dict[tuple[int, int], Counter] = defaultdict(Counter)
    areas = {}
    for commitment in commitments:
        areas[commitment.area_id] = commitment.area
        cell = cells[(commitment.area_id, commitment.session_id)]
        cell["total"] += 1
        cell["completed"] += commitment.status == Status.COMPLETED
    matrix = []
    for area in sorted(areas.values(), key=lambda a: a.position):
        row_cells = []
        for session in sessions:
            cell = cells.get((area.pk, session.pk), Counter())
            total = cell["total"]
            row_cells.append({"total": total, "completed": cell["completed"], "rate": round(100 * cell["completed"] / total) if total else None})
        matrix.append({"area": area, "cells": row_cells})

    by_pk = {commitment.pk: commitment for commitment in commitments}
    continued = {commitment.continues_id for commitment in commitments if commitment.continues_id}
    chains = []
    for commitment in commitments:
        if commitment.continues_id and commitment.pk not in continued:  # the newest link of a chain
            chain, link = [commitment], commitment
            while link.continues_id and link.continues_id in by_pk and len(chain) < 50:
                link = by_pk[link.continues_id]
                chain.append(link)
            chains.append(list(reversed(chain)))
    latest_number = max((commitment.session.number for commitment in commitments), default=0)
    long_running = [c for c in commitments if c.status == Status.ONGOING and c.session.number < latest_number]
    return MechanismReport(mechanism, sessions, matrix, chains, long_running)


@dataclass
class SnapshotComparison:
    moved: list[tuple[dict, dict]]  # (before, after) where status or progress changed
    new: list[dict]
    dropped: list[dict]
    unchanged: int


def compare_rows(before: list[dict], after: list[dict]) -> SnapshotComparison:
    """What moved between two snapshots (or a snapshot and now), what is new, what was dropped."""
    old = {row["ref"]: row for row in before}
    new = {row["ref"]: row for row in after}
    moved = [
        (old[ref], new[ref]) for ref in new
        if ref in old and (old[ref]["status"], old[ref]["progress"]) != (new[ref]["status"], new[ref]["progress"])
    ]
    return SnapshotComparison(
        moved=moved,
        new=[row for ref, row in new.items() if ref not in old],
        dropped=[row for ref, row in old.items() if ref not in new],
        unchanged=sum(1 for ref in new if ref in old) - len(moved),
    )
