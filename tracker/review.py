"""What a reviewer needs to see of an update beyond its content: its review history (each
submission, return, withdrawal and acceptance, read from django-simple-history) and what changed
since it was last returned, as a word diff.

Everything here reads; the writes are `tracker.services`' progress_update_* functions.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from datetime import datetime

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from memoranda.models import Status
from tracker.models import Evidence, ProgressUpdate, UpdateState

# The fields a resubmission is compared on, in the order the page lists them.
COMPARED_FIELDS = ("proposed_status", "proposed_progress", "narrative", "narrative_zh", "next_steps", "next_steps_zh", "not_pursued_reason")
TEXT_FIELDS = {"narrative", "narrative_zh", "next_steps", "next_steps_zh", "not_pursued_reason"}
WORDING_FIELDS = ("narrative", "narrative_zh", "next_steps", "next_steps_zh")

# A word of a Latin-script language is one token; every other character (a Chinese character,
# a punctuation mark) is one, so Chinese text is compared character by character.
TOKEN = re.compile(r"[0-9A-Za-z\u00c0-\u024f'’]+|\s+|.", re.DOTALL)


@dataclass
class FieldChange:
    name: str
    label: str
    old: str
    new: str
    diff: SafeString | None = None  # a word diff for text fields, None for a value shown old → new


@dataclass
class ReviewEvent:
    kind: str  # submitted, resubmitted, withdrawn, returned, accepted
    who: str
    when: datetime
    comment: str = ""
    corrections: list[FieldChange] = field(default_factory=list)  # wording the reviewer corrected on acceptance


@dataclass
class SinceReturn:
    """What changed in an update since a coordinator last returned it."""

    returned_at: datetime
    returned_by: str
    comment: str
    changes: list[FieldChange]
    evidence_added: list[Evidence]


def _name(user) -> str:
    return (user.get_full_name() or user.username) if user else ""


def _normalised(text: str) -> str:
    return (text or "").replace("\r\n", "\n").strip()


def _opcodes(before: list[str], after: list[str]) -> list[list]:
    """difflib's opcodes, with two changes separated only by a blank or a punctuation mark merged
    into one, so that a rewritten phrase reads as one deletion and one insertion, not a mosaic."""
    merged: list[list] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, before, after, autojunk=False).get_opcodes():
        joint = merged[-1] if merged else None
        if tag != "equal" and len(merged) >= 2 and joint[0] == "equal" and merged[-2][0] != "equal" and _is_glue(before[joint[1]:joint[2]]):
            merged.pop()
            merged[-1] = ["replace", merged[-1][1], i2, merged[-1][3], j2]
        else:
            merged.append([tag, i1, i2, j1, j2])
    return merged


def _is_glue(tokens: list[str]) -> bool:
    return len(tokens) == 1 and (tokens[0].isspace() or (len(tokens[0]) == 1 and not tokens[0].isalnum()))


def word_diff(old: str, new: str) -> SafeString:
    """`new` with what was removed from `old` in <del> and what was added in <ins>; every piece
    of text escaped, line breaks kept."""
    before, after = TOKEN.findall(_normalised(old)), TOKEN.findall(_normalised(new))
    parts = []
    for tag, i1, i2, j1, j2 in _opcodes(before, after):
        removed, added = escape("".join(before[i1:i2])), escape("".join(after[j1:j2]))
        if tag == "equal":
            parts.append(added)
            continue
        if removed:
            parts.append(f"<del>{removed}</del>")
        if added:
            parts.append(f"<ins>{added}</ins>")
    return mark_safe("".join(parts).replace("\n", "<br>"))


def _display(name: str, value) -> str:
    if name == "proposed_status":
        return str(Status(value).label) if value in Status.values else str(value or "")
    if name == "proposed_progress":
        return f"{value}%"
    return _normalised(value)


def field_changes(before, after, names=COMPARED_FIELDS) -> list[FieldChange]:
    """The compared fields that differ between two versions of an update (rows or history records)."""
    changes = []
    for name in names:
        old, new = getattr(before, name), getattr(after, name)
        if name in TEXT_FIELDS:
            if _normalised(old) == _normalised(new):
                continue
        elif old == new:
            continue
        label = capfirst(str(ProgressUpdate._meta.get_field(name).verbose_name))
        diff = word_diff(old, new) if name in TEXT_FIELDS else None
        changes.append(FieldChange(name, label, _display(name, old), _display(name, new), diff))
    return changes


def _records(update: ProgressUpdate) -> list:
    return list(update.history.select_related("history_user").order_by("history_date", "history_id"))


def review_history(update: ProgressUpdate, records: list | None = None) -> list[ReviewEvent]:
    """Each time the update was submitted, withdrawn, returned or accepted, oldest first."""
    records = _records(update) if records is None else records
    events: list[ReviewEvent] = []
    previous = None
    for record in records:
        before = previous.state if previous is not None else None
        previous_record, previous = previous, record
        if record.state == before:
            continue
        who = _name(record.history_user)
        if record.state == UpdateState.SUBMITTED:
            kind = "resubmitted" if any(e.kind == "returned" for e in events) else "submitted"
            events.append(ReviewEvent(kind, who, record.submitted_at or record.history_date))
        elif record.state == UpdateState.DRAFT and before == UpdateState.SUBMITTED:
            events.append(ReviewEvent("withdrawn", who, record.history_date))
        elif record.state in (UpdateState.RETURNED, UpdateState.ACCEPTED):
            corrections = []
            if record.state == UpdateState.ACCEPTED and previous_record is not None:
                corrections = field_changes(previous_record, record, WORDING_FIELDS)
            events.append(ReviewEvent(record.state, who, record.reviewed_at or record.history_date, record.review_comment, corrections))
    return events


def since_last_return(update: ProgressUpdate, records: list | None = None) -> SinceReturn | None:
    """The update compared with the version its reviewer last returned: None if it never was."""
    records = _records(update) if records is None else records
    returned = None
    for previous, record in zip([None, *records], records, strict=False):
        if record.state == UpdateState.RETURNED and (previous is None or previous.state != UpdateState.RETURNED):
            returned = record
    if returned is None:
        return None
    evidence = [e for e in update.evidence.all() if e.created_at > returned.history_date]
    return SinceReturn(
        returned_at=returned.reviewed_at or returned.history_date,
        returned_by=_name(returned.history_user),
        comment=returned.review_comment,
        changes=field_changes(returned, update),
        evidence_added=evidence,
    )


def review_context(update: ProgressUpdate) -> dict:
    """What the update page shows of the update's review: its history, what changed since it was
    returned, and who corrected its wording on acceptance."""
    records = _records(update)
    events = review_history(update, records)
    accepted = next((e for e in reversed(events) if e.kind == "accepted"), None)
    return {
        "review_events": events,
        "since_return": since_last_return(update, records) if update.state != UpdateState.ACCEPTED else None,
        "previous_returns": [e for e in events if e.kind == "returned"],
        "wording_corrected": accepted if accepted is not None and accepted.corrections else None,
    }


def texts_in_languages(update: ProgressUpdate) -> dict:
    """The narrative and next steps in the reader's language (falling back, marked, to the other),
    and the other language's version where it was written too."""
    narrative, narrative_fell_back = update.display_narrative
    next_steps, next_steps_fell_back = update.display_next_steps
    wants_chinese = (get_language() or "en").startswith("zh")
    if wants_chinese:
        other = {"label": _("English version"), "lang": "en", "narrative": update.narrative, "next_steps": update.next_steps}
    else:
        other = {"label": _("Chinese version"), "lang": "zh", "narrative": update.narrative_zh, "next_steps": update.next_steps_zh}
    # What the page already shows as a fallback is not repeated below it.
    if narrative_fell_back:
        other["narrative"] = ""
    if next_steps_fell_back:
        other["next_steps"] = ""
    return {
        "narrative": narrative, "narrative_fell_back": narrative_fell_back,
        "next_steps": next_steps, "next_steps_fell_back": next_steps_fell_back,
        "other": other if (other["narrative"].strip() or other["next_steps"].strip()) else None,
    }
