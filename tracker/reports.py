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
from django.utils.translation import gettext as _

from memoranda.choices import Status
from memoranda.models import Commitment, Mechanism, PlenarySession, in_language
from tracker import charts, selectors
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
            "latest_update_on": timezone.localtime(update.reviewed_at).date().isoformat() if update and update.reviewed_at else "",
        })
    return rows


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
    rows = report_rows(selectors.commitments_visible_to(user).for_session(session), as_at)
    return SessionReport(session=session, as_at=as_at, rows=rows, asked_for=asked_for)


REPORT_COLUMNS = ["area", "ref", "title", "lead", "status_label", "progress", "due_on", "latest_update_on", "latest_update"]


def report_headers() -> list[str]:
    return [_("Area"), _("Ref."), _("Commitment"), _("Lead"), _("Status"), _("Progress (%)"), _("Due"), _("Last accepted update"), _("Progress reported")]


def report_export_rows(report: SessionReport) -> list[dict]:
    """The report's rows in the reader's language, dates as dates, for XLSX and CSV."""
    exported = []
    for row in report.rows:
        exported.append({
            "area": in_language(row["area"], row["area_zh"])[0],
            "ref": row["ref"],
            "title": in_language(row["title"], row["title_zh"])[0] or in_language(row["text"], row["text_zh"])[0],
            "lead": in_language(row["lead"], row["lead_zh"])[0],
            "status_label": str(Status(row["status"]).label),
            "progress": row["progress"],
            "due_on": datetime.date.fromisoformat(row["due_on"]) if row["due_on"] else None,
            "latest_update_on": datetime.date.fromisoformat(row["latest_update_on"]) if row["latest_update_on"] else None,
            "latest_update": row["latest_update"],
        })
    return exported


@dataclass
class MechanismReport:
    mechanism: Mechanism
    sessions: list[PlenarySession]
    matrix: list[dict]  # per area: name, cells per session (total, completed, rate)
    chains: list[list[Commitment]]
    long_running: list[Commitment]


def mechanism_report(mechanism: Mechanism, user) -> MechanismReport:
    """Area × session counts and completion rates, chains of carried-forward commitments, and items
    still ongoing after a later session was held."""
    commitments = list(
        selectors.commitments_visible_to(user).filter(session__mechanism=mechanism)
        .select_related("session", "area", "continues", "lead_organisation").in_reading_order()
    )
    sessions = list(mechanism.sessions.order_by("number"))
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
