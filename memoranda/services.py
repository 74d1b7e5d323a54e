"""Loading memoranda: one atomic import service; the admin screen and the command only call it.

`memorandum_plan` works out, without writing anything, what a parsed memorandum would become:
which mechanism, areas and organisations it matches, the refs it gets, what is wrong with it,
and which earlier commitments each item resembles. `memorandum_import` writes that plan in one
transaction, or nothing at all.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.core.files.base import ContentFile
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from memoranda.matching import most_similar, normalise_name, organisations_named_in
from memoranda.models import Area, Commitment, Mechanism, Memorandum, Milestone, Organisation, Party, PlenarySession
from memoranda.parsing import MemorandumParseError, ParsedItem, ParsedMemorandum, Problem
from memoranda.parsing.model import inferred_status

JOINT = re.compile(r"\b(?:both sides|both places|two sides|two places|the two cities|each other)\b|雙方|双方|兩地|两地", re.I)
MONTH_NAMES = ["", "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]


class MemorandumImportError(MemorandumParseError):
    """The memorandum parsed, but cannot be loaded as it stands (unknown owners, session exists …)."""


@dataclass
class LinkSuggestion:
    commitment: Commitment
    score: float

    @property
    def percent(self) -> int:
        return round(self.score * 100)


@dataclass
class PlannedItem:
    parsed: ParsedItem
    index: int  # position among all the memorandum's items, for the preview's choices
    area_position: int
    item_position: int
    ref: str = ""
    lead: Organisation | None = None
    supporting: list[Organisation] = field(default_factory=list)
    parties: list[Party] = field(default_factory=list)
    status: str = ""
    continues: Commitment | None = None
    suggestions: list[LinkSuggestion] = field(default_factory=list)


@dataclass
class PlannedArea:
    name: str
    name_zh: str
    position: int
    existing: Area | None
    items: list[PlannedItem]


@dataclass
class ImportPlan:
    parsed: ParsedMemorandum
    checksum: str
    mechanism: Mechanism | None = None
    areas: list[PlannedArea] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    already_loaded: Memorandum | None = None
    organisations: list[Organisation] = field(default_factory=list)

    @property
    def items(self) -> list[PlannedItem]:
        return [item for area in self.areas for item in area.items]

    @property
    def can_import(self) -> bool:
        return not self.problems and self.already_loaded is None


def find_mechanism(parsed: ParsedMemorandum) -> Mechanism | None:
    """The mechanism a source names, by code, by name in either language, or by an earlier name."""
    if parsed.mechanism_code:
        found = Mechanism.objects.filter(code=parsed.mechanism_code).first()
        if found:
            return found
    wanted = {normalise_name(name) for name in (parsed.mechanism_name, parsed.mechanism_name_zh) if name}
    for mechanism in Mechanism.objects.all():
        names = {normalise_name(n) for n in (mechanism.name, mechanism.name_zh, *mechanism.former_names.splitlines()) if n.strip()}
        names |= {normalise_name(re.sub(r"\s*\(.*\)$", "", n)) for n in mechanism.former_names.splitlines() if n.strip()}
        if wanted & names:
            return mechanism
    return None


def _parties_in_name_order(mechanism: Mechanism, parties: list[Party]) -> list[Party]:
    """Hong Kong/Beijing → Hong Kong first: the order the mechanism's own name gives its sides."""
    name = mechanism.name.lower()

    def position(party: Party) -> tuple[int, str]:
        where = name.find((party.short_name or party.name).lower())
        return (where if where >= 0 else len(name), party.code)

    return sorted(parties, key=position)


def _resolve_organisation(reference: str, organisations: list[Organisation]) -> list[Organisation]:
    wanted = normalise_name(reference)
    return [
        organisation
        for organisation in organisations
        if wanted in {normalise_name(organisation.name), normalise_name(organisation.name_zh)}
        or (organisation.abbreviation and reference.strip().lower() == organisation.abbreviation.lower())
    ]


def _plan_owners(plan: ImportPlan, item: PlannedItem, parties: list[Party], where: str) -> None:
    """Owners as the source says, else as the text names them, else each side's coordinating office."""
    parsed = item.parsed
    coordinating = [o for o in plan.organisations if o.is_coordinating_office]
    coordinating = sorted(coordinating, key=lambda o: [p.pk for p in parties].index(o.party_id) if o.party_id in [p.pk for p in parties] else 99)

    def resolve(reference: str, field_name: str) -> Organisation | None:
        matches = _resolve_organisation(reference, plan.organisations)
        if len(matches) == 1:
            return matches[0]
        message = (
            f"Unknown organisation {reference!r}: add it in the admin first, or correct the name."
            if not matches
            else f"{reference!r} could be any of: {', '.join(o.name for o in matches)}; use the full name."
        )
        plan.problems.append(Problem(message, line=parsed.line, field=f"{where}.{field_name}"))
        return None

    named = organisations_named_in(f"{parsed.text} {parsed.text_zh}", plan.organisations)
    if parsed.lead:
        item.lead = resolve(parsed.lead, "lead")
    elif named:
        item.lead = named[0]
    elif coordinating:
        item.lead = coordinating[0]
    if parsed.supporting or parsed.lead:
        item.supporting = [o for o in (resolve(ref, "supporting") for ref in parsed.supporting) if o]
    else:
        item.supporting = [o for o in named[1:] + coordinating if o != item.lead]
    item.supporting = list(dict.fromkeys(o for o in item.supporting if o != item.lead))

    if parsed.parties:
        by_code = {p.code: p for p in parties}
        for code in parsed.parties:
            if code not in by_code:
                plan.problems.append(Problem(f"Unknown party {code!r}; the mechanism's parties are: {', '.join(by_code)}.", line=parsed.line, field=f"{where}.parties"))
        item.parties = [by_code[code] for code in parsed.parties if code in by_code]
    else:
        sides = {o.party_id for o in named}
        joint = JOINT.search(f"{parsed.text} {parsed.text_zh}")
        item.parties = [p for p in parties if p.pk in sides] if len(sides) == 1 and not joint else list(parties)


def memorandum_plan(*, parsed: ParsedMemorandum, checksum: str, mechanism: Mechanism | None = None) -> ImportPlan:
    """What loading `parsed` would do, and every reason it cannot. Reads only; writes nothing."""
    plan = ImportPlan(parsed=parsed, checksum=checksum, warnings=list(parsed.warnings))
    plan.already_loaded = Memorandum.objects.select_related("session__mechanism").filter(checksum=checksum).first() if checksum else None
    if plan.already_loaded:
        return plan

    plan.mechanism = mechanism or find_mechanism(parsed)
    if plan.mechanism is None:
        name = parsed.mechanism_code or parsed.mechanism_name or parsed.mechanism_name_zh or "(not named)"
        plan.problems.append(Problem(f"Unknown mechanism {name}: choose one, or add it in the admin first.", field="mechanism"))
        return plan
    parties = _parties_in_name_order(plan.mechanism, list(plan.mechanism.parties.all()))
    plan.organisations = list(Organisation.objects.filter(party__in=parties).select_related("party"))

    number = parsed.session_number
    if number and PlenarySession.objects.filter(mechanism=plan.mechanism, number=number).exists():
        plan.problems.append(Problem(
            f"Session {number} of {plan.mechanism.code} is already in the database, loaded from a different source. "
            "Correct the session number, or change the existing session in the admin.",
            field="session.number",
        ))
    if not parsed.held_on:
        hint = f" (the source gives {MONTH_NAMES[parsed.announced_month_day[0]]} {parsed.announced_month_day[1]} but not the year)" if parsed.announced_month_day else ""
        plan.problems.append(Problem(f"Enter the date the session was held{hint}.", field="session.held_on"))
    elif parsed.announced_month_day and (parsed.held_on.month, parsed.held_on.day) != parsed.announced_month_day:
        month, day = parsed.announced_month_day
        plan.warnings.append(Problem(f"The source says the session was held on {MONTH_NAMES[month]} {day}, not {parsed.held_on:%d %B %Y}.", field="session.held_on"))

    existing_areas = list(plan.mechanism.areas.all())
    by_name = {normalise_name(n): area for area in existing_areas for n in (area.name, area.name_zh) if n}
    next_position = (max((a.position for a in existing_areas), default=0)) + 1
    earlier = list(
        Commitment.objects.filter(session__mechanism=plan.mechanism, session__number__lt=number or 10_000)
        .select_related("session")
        .only("ref", "text", "text_zh", "title", "title_zh", "session__number")
    )
    by_ref = {commitment.ref: commitment for commitment in earlier}
    seen_names: set[str] = set()
    index = 0
    if not parsed.items:
        plan.problems.append(Problem("There is no item to load.", field="areas"))
    for area_position, parsed_area in enumerate(parsed.areas, start=1):
        names = {normalise_name(name) for name in (parsed_area.name, parsed_area.name_zh) if name}
        if names & seen_names:
            plan.problems.append(Problem(f"The area {parsed_area.any_name!r} appears twice.", line=parsed_area.line, field=f"areas[{area_position - 1}]"))
        seen_names |= names
        existing = by_name.get(normalise_name(parsed_area.name)) or by_name.get(normalise_name(parsed_area.name_zh))
        area = PlannedArea(
            name=parsed_area.name or (existing.name if existing else ""),
            name_zh=parsed_area.name_zh or (existing.name_zh if existing else ""),
            position=existing.position if existing else next_position,
            existing=existing,
            items=[],
        )
        if not existing:
            next_position += 1
        plan.areas.append(area)
        for item_position, parsed_item in enumerate(parsed_area.items, start=1):
            where = f"areas[{area_position - 1}].items[{item_position - 1}]"
            item = PlannedItem(parsed=parsed_item, index=index, area_position=area_position, item_position=item_position)
            index += 1
            item.ref = Commitment.make_ref(plan.mechanism.code, number or 0, area_position, item_position)
            item.status = parsed_item.status or inferred_status(parsed_item.any_text)
            _plan_owners(plan, item, parties, where)
            if parsed_item.continues:
                item.continues = by_ref.get(parsed_item.continues)
                if item.continues is None:
                    plan.problems.append(Problem(
                        f"{parsed_item.continues} is not a commitment of an earlier session of {plan.mechanism.code}.",
                        line=parsed_item.line, field=f"{where}.continues",
                    ))
            else:
                candidates = [(c, f"{c.text} {c.text_zh}") for c in earlier]
                item.suggestions = [LinkSuggestion(c, s) for c, s in most_similar(f"{parsed_item.text} {parsed_item.text_zh}", candidates)]
            area.items.append(item)
    return plan


@dataclass
class ImportResult:
    memorandum: Memorandum
    created: bool
    commitments: int = 0
    areas_created: int = 0


def memorandum_import(**arguments) -> ImportResult:
    """Load a memorandum all-or-nothing; takes the arguments of `memorandum_import_steps`.
    Loading the same source again changes nothing and says so."""
    steps = memorandum_import_steps(**arguments)
    while True:
        try:
            next(steps)
        except StopIteration as finished:
            return finished.value


def memorandum_import_steps(
    *,
    parsed: ParsedMemorandum,
    checksum: str,
    source_text: str = "",
    source_file: tuple[str, bytes] | None = None,
    mechanism: Mechanism | None = None,
    links: dict[int, str] | None = None,
    loaded_by: AbstractBaseUser | None = None,
) -> Iterator[tuple[int, int]]:
    """`memorandum_import`, yielding (items done, items in all) as it goes, so large loads show progress.

    Links to earlier commitments are only made where the caller confirms them (`links`: item
    index → ref): similar text is a suggestion, never applied blindly.
    """
    with transaction.atomic():
        plan = memorandum_plan(parsed=parsed, checksum=checksum, mechanism=mechanism)
        if plan.already_loaded:
            return ImportResult(memorandum=plan.already_loaded, created=False)
        earlier = {c.ref: c for c in Commitment.objects.filter(session__mechanism=plan.mechanism, session__number__lt=parsed.session_number or 0)}
        for index, ref in (links or {}).items():
            if ref and ref not in earlier:
                plan.problems.append(Problem(f"{ref} is not a commitment of an earlier session to link to.", field=f"items[{index}].continues"))
        if plan.problems:
            raise MemorandumImportError(plan.problems)

        try:
            result = yield from _write_plan(plan, parsed, checksum, source_text, source_file, links, earlier, loaded_by)
        except (ValidationError, IntegrityError) as error:
            # A rule only the database or the models know (e.g. a double submission): all is undone.
            messages = error.messages if isinstance(error, ValidationError) else [str(error)]
            raise MemorandumImportError([Problem(message) for message in messages]) from None
        return result


def _write_plan(plan, parsed, checksum, source_text, source_file, links, earlier, loaded_by) -> Iterator[tuple[int, int]]:
    """The rows of a checked plan, inside the caller's transaction, yielding progress."""
    session = PlenarySession(
        mechanism=plan.mechanism, number=parsed.session_number, held_on=parsed.held_on,
        venue=parsed.venue, venue_zh=parsed.venue_zh, co_chairs="\n".join(parsed.co_chairs),
    )
    session.full_clean()
    session.save()
    memorandum = Memorandum(
        session=session, title=parsed.title, title_zh=parsed.title_zh, signed_on=parsed.signed_on or parsed.held_on,
        signatories="\n".join(parsed.signatories), language=parsed.language or ("zh" if parsed.title_zh and not parsed.title else "en"),
        source_description=parsed.source_description, source_text=source_text, checksum=checksum,
    )
    memorandum.full_clean()
    memorandum.save()

    areas_created, total, done = 0, len(plan.items), 0
    for planned_area in plan.areas:
        area = planned_area.existing
        if area is None:
            area = Area(mechanism=plan.mechanism, name=planned_area.name, name_zh=planned_area.name_zh, position=planned_area.position)
            area.full_clean()
            area.save()
            areas_created += 1
        for item in planned_area.items:
            _create_commitment(item, session=session, area=area, continues=item.continues or earlier.get((links or {}).get(item.index, "")), loaded_by=loaded_by)
            done += 1
            yield done, total
    if source_file:  # kept last: files are not undone by a rollback, so nothing fails after this
        memorandum.source_file.save(source_file[0], ContentFile(source_file[1]), save=True)
    return ImportResult(memorandum=memorandum, created=True, commitments=total, areas_created=areas_created)


def _create_commitment(item: PlannedItem, *, session: PlenarySession, area: Area, continues: Commitment | None, loaded_by) -> Commitment:
    parsed = item.parsed
    commitment = Commitment(
        ref=item.ref, session=session, area=area, area_position=item.area_position, item_position=item.item_position,
        title=parsed.title, title_zh=parsed.title_zh, text=parsed.text, text_zh=parsed.text_zh,
        lead_organisation=item.lead, responsible_officer=parsed.responsible_officer, status=item.status,
        progress=0, due_on=parsed.due_on, continues=continues,
    )
    commitment.full_clean(validate_constraints=False)  # constraints are checked by the database itself
    commitment._history_user = loaded_by
    commitment._change_reason = "Loaded from the memorandum"
    commitment.save()
    commitment.parties.set(item.parties)
    commitment.supporting_organisations.set(item.supporting)
    for position, milestone in enumerate(parsed.milestones, start=1):
        Milestone.objects.create(commitment=commitment, position=position, title=milestone.title, title_zh=milestone.title_zh, due_on=milestone.due_on)
    return commitment



@dataclass
class RowsResult:
    new: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    dry_run: bool = False


def commitment_rows_import(*, data: bytes, format: str, dry_run: bool = False, user: AbstractBaseUser | None = None) -> RowsResult:
    """Import commitment rows (CSV/XLSX) matched by ref: all rows or none, every problem by row."""
    from memoranda.parsing.rows import read_rows
    from memoranda.resources import CommitmentResource

    dataset = read_rows(data, format)
    rows = dataset.dict  # tablib rebuilds this list on every access: read it once
    with transaction.atomic():
        result = CommitmentResource(user=user).import_data(
            dataset, dry_run=dry_run, raise_errors=False, use_transactions=True, rollback_on_validation_errors=True
        )
        problems = [
            Problem(str(error.error), line=number + 1, field=str(rows[number - 1].get("ref", "")))
            for number, errors in result.row_errors()
            for error in errors
        ]
        for invalid in result.invalid_rows:
            for field_name, messages in invalid.error_dict.items():
                problems.extend(Problem(" ".join(map(str, [message])), line=invalid.number + 1, field=field_name) for message in messages)
        if problems:
            transaction.set_rollback(True)
            raise MemorandumImportError(problems)
        outcome = RowsResult(dry_run=dry_run)
        for row, source in zip(result.rows, rows, strict=False):
            {"new": outcome.new, "update": outcome.updated}.get(row.import_type, outcome.unchanged).append(str(source["ref"]))
        return outcome
