"""An official's commitments as a workbook to fill in offline (`/my/workbook/`); the upload back is
`tracker.workbook_import`.

Government offices pass spreadsheets around by e-mail; this one is made to survive that. One row
per commitment the person may report on in the open cycle: what was agreed and where it stands
(locked), then the columns to fill (unlocked): proposed status (a drop-down of the statuses in the
person's language), proposed %, what was done and what comes next in English and/or Chinese, the
reason when not pursued, evidence links. Two hidden columns say which version of the commitment,
and of the organisation's draft, the row was written against, so that an upload never overwrites
what changed meanwhile. Columns are found back by their headings, in any language of the site,
never by position, so a copy with columns hidden, dropped or moved (the sheet is protected without
a password, so anyone may unprotect it) or saved as CSV still reads.

A commitment on which the organisation already has a draft (or a returned update) comes pre-filled
with it: the workbook continues that draft, as the web form does.
"""
from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from memoranda.models import Commitment, Organisation, Status
from tracker import selectors
from tracker.exports import FORMULA_STARTS, HEADER_COLOUR, _height, xlsx_text
from tracker.models import ProgressUpdate, ReportingCycle, Role, UpdateState


@dataclass(frozen=True)
class Column:
    key: str
    heading: Promise
    width: float
    fill: bool = False  # the person fills it in: unlocked
    hidden: bool = False


def _field(name: str) -> Promise:
    """A progress update field's own label, so one translation serves the form and the workbook."""
    return ProgressUpdate._meta.get_field(name).verbose_name


COLUMNS = [
    Column("ref", gettext_lazy("Ref."), 14),
    Column("title", gettext_lazy("Title"), 28),
    Column("text", gettext_lazy("Text as agreed"), 60),
    Column("status", gettext_lazy("Current status"), 18),
    Column("progress", gettext_lazy("Current progress (%)"), 11),
    Column("in_cycle", gettext_lazy("Your update in this cycle"), 22),
    Column("proposed_status", gettext_lazy("Proposed status"), 24, fill=True),
    Column("proposed_progress", gettext_lazy("Proposed progress (%)"), 12, fill=True),
    Column("narrative", _field("narrative"), 48, fill=True),
    Column("narrative_zh", _field("narrative_zh"), 40, fill=True),
    Column("next_steps", _field("next_steps"), 36, fill=True),
    Column("next_steps_zh", _field("next_steps_zh"), 32, fill=True),
    Column("not_pursued_reason", _field("not_pursued_reason"), 28, fill=True),
    Column("evidence_links", gettext_lazy("Evidence links"), 40, fill=True),
    # Hidden: which version of the commitment (and of the organisation's draft) the row was
    # written against. The upload refuses a row whose commitment changed since.
    Column("version", gettext_lazy("Version (do not change)"), 10, hidden=True),
    Column("draft", gettext_lazy("Draft (do not change)"), 10, hidden=True),
]
FILL_KEYS = [column.key for column in COLUMNS if column.fill]
TEXT_FILL_KEYS = ["narrative", "narrative_zh", "next_steps", "next_steps_zh", "not_pursued_reason"]

FILL_HEADER = PatternFill("solid", fgColor="1E7B4F")  # the columns to fill stand out from what is agreed
FILL_CELL = PatternFill("solid", fgColor="FFF8DC")
WRAPPED = Alignment(vertical="top", wrap_text=True)
HEADER_FONT, HEADER_FILL = Font(name="Calibri", bold=True, color="FFFFFF"), PatternFill("solid", fgColor=HEADER_COLOUR)
INSTRUCTIONS_WIDTH = 90
MAX_ROW_HEIGHT = 150  # points: a long text as agreed scrolls rather than making a row a page tall


def heading(column: Column) -> str:
    return capfirst(str(column.heading))


def sheet_titles() -> tuple[str, str]:
    """The two sheets' names in the active language (31 characters at most, a spreadsheet's limit)."""
    return _("Progress")[:31], _("Instructions")[:31]


def workbook_commitments(user, cycle: ReportingCycle, organisation: Organisation | None = None) -> QuerySet[Commitment]:
    """What the workbook lists: what the cycle asks a report on that the user may report on (and,
    given `organisation`, that it leads or supports: for its officials, or for a coordinator of the
    mechanism who sends it the workbook or enters the one it sent back), in reading order."""
    if organisation is None:
        commitments = selectors.commitments_reportable_by(user) & selectors.cycle_commitments(cycle)
    else:
        mine = selectors.commitments_reportable_by(user) | selectors.commitments_reviewable_by(user)
        commitments = (mine & selectors.cycle_commitments(cycle)).owned_by([organisation]).distinct()
    return selectors.with_owners(commitments).in_reading_order()


def reporting_organisation(commitment: Commitment, official_of: set[int]) -> int | None:
    """The organisation the user reports for on a commitment, as the web form picks it: the first
    (by id) of theirs that leads or supports it. Needs `supporting_organisations` prefetched."""
    owners = {commitment.lead_organisation_id, *(o.pk for o in commitment.supporting_organisations.all())}
    return min(owners & official_of, default=None)


def _drafts(user, commitments: list[Commitment], organisation_of: dict[int, int | None]) -> dict[int, ProgressUpdate]:
    """Per commitment, the draft or returned update of the user's organisation on it: what the row
    continues, as the web form continues it."""
    drafts: dict[int, ProgressUpdate] = {}
    editable = selectors.updates_editable_by(user).filter(commitment__in=[c.pk for c in commitments]).prefetch_related("evidence")
    for update in editable.order_by("-updated_at", "-pk"):
        if update.organisation_id == organisation_of.get(update.commitment_id) and update.commitment_id not in drafts:
            drafts[update.commitment_id] = update
    return drafts


def _in_cycle(user, commitments: list[Commitment], cycle: ReportingCycle, organisation_of: dict[int, int | None]) -> dict[int, str]:
    """Per commitment, where the organisation's latest update in this cycle stands, as a label."""
    states: dict[int, str] = {}
    updates = selectors.updates_visible_to(user).filter(cycle=cycle, commitment__in=[c.pk for c in commitments])
    for update in updates.order_by("-updated_at", "-pk"):
        if update.organisation_id != organisation_of.get(update.commitment_id) or update.commitment_id in states:
            continue
        label = str(update.get_state_display())
        if update.state == UpdateState.RETURNED and update.review_comment:
            label = _("%(state)s: %(comment)s") % {"state": label, "comment": update.review_comment}
        states[update.commitment_id] = label
    return states


def _row(commitment: Commitment, draft: ProgressUpdate | None, in_cycle: str) -> dict:
    row = {
        "ref": commitment.ref,
        "title": commitment.display_title,
        "text": commitment.display_text,
        "status": str(commitment.get_status_display()),
        "progress": commitment.progress,
        "in_cycle": in_cycle,
        "version": commitment.version,
        "draft": "",
    }
    if draft is not None:
        row.update({
            "proposed_status": str(draft.get_proposed_status_display()),
            "proposed_progress": draft.proposed_progress,
            **{key: getattr(draft, key) for key in TEXT_FILL_KEYS},
            "evidence_links": "\n".join(e.url for e in draft.evidence.all() if e.url),
            "draft": f"{draft.pk}v{draft.version}",  # letters, so that no spreadsheet takes it for a time or a date
        })
    return row


def build_workbook(
    user, commitments: Iterable[Commitment], cycle: ReportingCycle, language: str, *, organisation: Organisation | None = None
) -> bytes:
    """The XLSX of `commitments` (see `workbook_commitments`) for `user` to fill in for `cycle`,
    headings, statuses and instructions in `language`. With `organisation`, rows continue that
    organisation's drafts; otherwise those of the user's organisation that owns each commitment."""
    commitments = list(commitments)
    if organisation is not None:
        organisation_of = {c.pk: organisation.pk for c in commitments}
    else:
        official_of = set(selectors.organisations_of(user, [Role.OFFICIAL]).values_list("pk", flat=True))
        organisation_of = {c.pk: reporting_organisation(c, official_of) for c in commitments}
    drafts = _drafts(user, commitments, organisation_of)
    with override(language):
        in_cycle = _in_cycle(user, commitments, cycle, organisation_of)
        workbook = Workbook()
        sheet = workbook.active
        progress_title, instructions_title = sheet_titles()
        sheet.title = progress_title
        instructions = workbook.create_sheet(instructions_title)
        statuses = _write_instructions(instructions, cycle)
        _write_progress(sheet, [_row(c, drafts.get(c.pk), in_cycle.get(c.pk, "")) for c in commitments], statuses)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _put(sheet, row: int, column: int, value):
    """A cell whose text stays text: never a formula, whatever it starts with."""
    if isinstance(value, str):
        value = xlsx_text(value)
    cell = sheet.cell(row=row, column=column, value=value if value != "" else None)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        cell.data_type = "s"
    return cell


def _write_progress(sheet, rows: list[dict], statuses: str) -> None:
    widths = [column.width for column in COLUMNS]
    for number, column in enumerate(COLUMNS, start=1):
        cell = _put(sheet, 1, number, heading(column))
        cell.font, cell.alignment = HEADER_FONT, WRAPPED
        cell.fill = FILL_HEADER if column.fill else HEADER_FILL
        dimension = sheet.column_dimensions[get_column_letter(number)]
        dimension.width, dimension.hidden = column.width, column.hidden
    sheet.row_dimensions[1].height = _height([heading(column) for column in COLUMNS], widths)
    unlocked = Protection(locked=False)
    for index, row in enumerate(rows, start=2):
        for number, column in enumerate(COLUMNS, start=1):
            cell = _put(sheet, index, number, row.get(column.key, ""))
            cell.alignment = WRAPPED
            if column.fill:
                cell.protection, cell.fill = unlocked, FILL_CELL
        sheet.row_dimensions[index].height = min(MAX_ROW_HEIGHT, _height([row.get(column.key) for column in COLUMNS], widths))
    last = max(len(rows) + 1, 2)
    letter = {column.key: get_column_letter(number) for number, column in enumerate(COLUMNS, start=1)}
    status_list = DataValidation(
        type="list", formula1=statuses, allow_blank=True, showDropDown=False,  # showDropDown=False shows the arrow
        errorTitle=_("Not a status"), error=_("Choose a status from the list."),
        promptTitle=_("Proposed status"), prompt=_("Choose from the list; leave empty to keep the current status."),
    )
    percent = DataValidation(
        type="whole", operator="between", formula1="0", formula2="100", allow_blank=True,
        errorTitle=_("Not a percentage"), error=_("Progress is a percentage from 0 to 100."),
        promptTitle=_("Proposed progress (%)"), prompt=_("A whole number from 0 to 100, e.g. 50."),
    )
    for validation, key in ((status_list, "proposed_status"), (percent, "proposed_progress")):
        validation.showErrorMessage = validation.showInputMessage = True
        validation.add(f"{letter[key]}2:{letter[key]}{last}")
        sheet.add_data_validation(validation)
    sheet.freeze_panes = "B2"  # the header row and the ref stay in view
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{last}"
    # Locked cells are what was agreed; no password, so anyone may unprotect to read or print
    # differently. Resizing, hiding columns and filtering stay allowed on the protected sheet.
    sheet.protection.sheet = True
    sheet.protection.formatColumns = sheet.protection.formatRows = sheet.protection.autoFilter = False
    sheet.print_title_rows = "1:1"
    sheet.page_setup.orientation = "landscape"


def _write_instructions(sheet, cycle: ReportingCycle) -> str:
    """The instructions sheet, in the active language; returns where the statuses of the drop-down
    are listed on it (a list longer than 255 characters cannot be written in the validation itself)."""
    title = cycle.display_title
    lines = [
        _("Updates are due on %(date)s.") % {"date": date_format(cycle.due_on)},
        "",
        _("How to fill in this workbook"),
        _("1. On the sheet “%(sheet)s”, fill in the columns with green headings for the commitments you report on; leave the others empty.")
        % {"sheet": sheet_titles()[0]},
        _("2. Say what progress was made in English, in Chinese, or both; the next steps likewise."),
        _("3. Proposed status: choose from the list. Left empty, the current status is kept."),
        _("4. Proposed progress: a whole number from 0 to 100 (50 means 50 %). A completed commitment is at 100."),
        _("5. A commitment not being pursued needs the reason."),
        _("6. Evidence links: web addresses (http:// or https://), one per line in the cell."),
        _("7. Upload the workbook on the site, from your commitments page. Every filled row becomes a draft "
          "update of your organisation, which you can check and submit; nothing is saved if a row has an error."),
        "",
        _("Good to know"),
        _("Type values, not formulas: formulas are not read."),
        _("Do not merge cells, and keep the headings as they are. You may hide, resize and filter columns."),
        _("The hidden columns say which version of each commitment you wrote against. If a commitment "
          "changes after you download this workbook, its row is refused: download the workbook again."),
        _("Uploading the same workbook again creates nothing new: your draft is updated."),
        _("A commitment that already has a draft of your organisation comes pre-filled with it."),
        "",
        _("Statuses"),
    ]
    sheet.column_dimensions["A"].width = INSTRUCTIONS_WIDTH
    sheet.page_setup.orientation = "landscape"
    _put(sheet, 1, 1, title).font = Font(bold=True, size=14)
    row = 2
    for line in lines:
        cell = _put(sheet, row, 1, line)
        cell.alignment = WRAPPED
        sheet.row_dimensions[row].height = _height([line], [INSTRUCTIONS_WIDTH])
        if line in (_("How to fill in this workbook"), _("Good to know"), _("Statuses")):
            cell.font = Font(bold=True)
        row += 1
    first = row
    for status in Status:
        _put(sheet, row, 1, str(status.label))
        row += 1
    sheet.protection.sheet = True  # the drop-down reads its statuses from here
    sheet.protection.formatColumns = sheet.protection.formatRows = False
    return f"{_quoted(sheet.title)}!$A${first}:$A${row - 1}"


def _quoted(title: str) -> str:
    return "'" + title.replace("'", "''") + "'"
