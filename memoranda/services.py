"""Loading memoranda: one atomic import service; the admin screen and the command only call it.

`memorandum_plan` works out, without writing anything, what a parsed memorandum would become:
which mechanism, areas and organisations it matches, the refs it gets, what is wrong with it,
and which earlier commitments each item resembles. `memorandum_import` writes that plan in one
transaction, or nothing at all.
"""
from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.core.files.base import ContentFile
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import dateformat
from django.utils.text import slugify
from django.utils.translation import gettext as _

from memoranda.alignment import align_areas
from memoranda.choices import MECHANISM_CODE, Status
from memoranda.matching import most_similar, normalise_name, organisations_named_in
from memoranda.models import (
    AlignedSource,
    Area,
    Commitment,
    Mechanism,
    Memorandum,
    Milestone,
    Organisation,
    Party,
    PlenarySession,
)
from memoranda.parsing import MemorandumParseError, ParsedArea, ParsedItem, ParsedMemorandum, Problem
from memoranda.parsing.model import inferred_status
from memoranda.places import Place, chinese_name_of, code_for, english_name_of, sides_in_name

JOINT = re.compile(r"\b(?:both sides|both places|two sides|two places|the two cities|each other)\b|雙方|双方|兩地|两地", re.I)


def _month_day(month: int, day: int) -> str:
    """A day without its year, as a press release gives it, in the language of the screen."""
    # Translators: a date format (Django's date template filter) for a day without its year: "October 24".
    return dateformat.format(datetime.date(2000, month, day), _("F j"))  # 2000: a leap year, for 29 February


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
class ProposedMechanism:
    """A mechanism the database does not have yet, as the source names it; created on confirm.
    Its parties are existing ones where the names match (the HKSAR Government), else new (saved with it)."""

    code: str
    name: str
    name_zh: str
    parties: list[Party]

    @property
    def new_parties(self) -> list[Party]:
        return [party for party in self.parties if party.pk is None]


@dataclass
class AlignedItem:
    """An item of a source in the other language, paired with a commitment already loaded."""

    parsed: ParsedItem
    index: int
    commitment: Commitment | None
    score: float

    @property
    def percent(self) -> int:
        return round(self.score * 100)


@dataclass
class Alignment:
    """Loading a source onto a session that exists: its text fills the other language of the
    session's items and areas, and nothing new is created."""

    session: PlenarySession
    language: str  # the language the source fills: "zh" or "en"
    items: list[AlignedItem]
    commitments: list[Commitment]  # the session's, in order: what an item may be paired with

    @property
    def text_field(self) -> str:
        return "text_zh" if self.language == "zh" else "text"

    @property
    def changes(self) -> int:
        return sum(1 for item in self.items if item.commitment and not getattr(item.commitment, self.text_field))


@dataclass
class ImportPlan:
    parsed: ParsedMemorandum
    checksum: str
    mechanism: Mechanism | None = None
    new_mechanism: ProposedMechanism | None = None
    alignment: Alignment | None = None
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


def find_party(reference: str, parties: list[Party]) -> Party | None:
    wanted = normalise_name(reference)
    for party in parties:
        names = {normalise_name(n) for n in (party.name, party.name_zh, party.short_name, party.short_name_zh) if n}
        if wanted in names or reference.strip().lower() == party.code.lower():
            return party
    return None


def propose_mechanism(parsed: ParsedMemorandum) -> ProposedMechanism | None:
    """The mechanism a source introduces, with a code and parties the administrator may change."""
    name = parsed.mechanism_name or english_name_of(parsed.mechanism_name_zh)
    name_zh = parsed.mechanism_name_zh or chinese_name_of(name)
    if not (name or name_zh):
        return None
    existing_parties = list(Party.objects.all())
    sides: list[Place | str] = list(parsed.mechanism_parties) or sides_in_name(name, name_zh)
    parties: list[Party] = []
    for side in sides:
        place = side if isinstance(side, Place) else None
        label = place.name if place else str(side)
        party = find_party(label, existing_parties) or (place and find_party(place.name_zh, existing_parties))
        if party is None:
            code = slugify(label)[:20] or "party"
            taken = {p.code for p in existing_parties} | {p.code for p in parties}
            code = next(c for c in (code, *(f"{code[:18]}-{n}" for n in range(2, 99))) if c not in taken)
            party = Party(code=code, name=label, short_name=label,
                          name_zh=place.name_zh if place else "", short_name_zh=place.name_zh if place else "")
        parties.append(party)
    code = (parsed.mechanism_code or code_for([p if isinstance(p, Place) else str(p) for p in sides]) or "NEW").upper()
    taken_codes = set(Mechanism.objects.values_list("code", flat=True))
    if code in taken_codes and not parsed.mechanism_code:
        code = next(f"{code[:10]}{n}" for n in range(2, 99) if f"{code[:10]}{n}" not in taken_codes)
    return ProposedMechanism(code=code, name=name, name_zh=name_zh, parties=parties)


def _plan_new_mechanism(plan: ImportPlan, parsed: ParsedMemorandum) -> None:
    proposal = propose_mechanism(parsed)
    if proposal is None:
        plan.problems.append(Problem(_("The source does not name its mechanism: choose one, or name the new one."), field="mechanism"))
        return
    plan.new_mechanism = proposal
    plan.mechanism = Mechanism(code=proposal.code, name=proposal.name, name_zh=proposal.name_zh)
    if not re.fullmatch(MECHANISM_CODE, proposal.code):
        plan.problems.append(Problem(
            _("%(code)s cannot be a mechanism's code: 2 to 12 capital letters or digits, starting with a letter.") % {
                "code": repr(proposal.code)},
            field="mechanism.code"))
    elif Mechanism.objects.filter(code=proposal.code).exists():
        plan.problems.append(Problem(_("The code %(code)s is already another mechanism's.") % {"code": proposal.code}, field="mechanism.code"))
    if len(proposal.parties) != 2:
        plan.problems.append(Problem(_("Name the two parties of the new mechanism."), field="mechanism.parties"))
    # Translators: between the names of a mechanism's parties, "Hong Kong and Beijing".
    party_names = _(" and ").join(p.name or p.name_zh for p in proposal.parties) or _("(none)")
    plan.warnings.append(Problem(
        _("%(name)s is a new mechanism: it will be created as %(code)s with the parties %(parties)s.") % {
            "name": proposal.name or proposal.name_zh, "code": proposal.code, "parties": party_names},
        field="mechanism", severity="warning"))


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
            _("Unknown organisation %(name)s: add it in the admin first, or correct the name.") % {"name": repr(reference)}
            if not matches
            else _("%(name)s could be any of: %(matches)s; use the full name.") % {
                "name": repr(reference), "matches": ", ".join(o.name for o in matches)}
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
                plan.problems.append(Problem(_("Unknown party %(code)s; the mechanism's parties are: %(parties)s.") % {
                    "code": repr(code), "parties": ", ".join(by_code)}, line=parsed.line, field=f"{where}.parties"))
        item.parties = [by_code[code] for code in parsed.parties if code in by_code]
    else:
        sides = {o.party_id for o in named}
        joint = JOINT.search(f"{parsed.text} {parsed.text_zh}")
        item.parties = [p for p in parties if p.pk in sides] if len(sides) == 1 and not joint else list(parties)


def memorandum_plan(
    *, parsed: ParsedMemorandum, checksum: str, mechanism: Mechanism | None = None, pairs: dict[int, str] | None = None,
) -> ImportPlan:
    """What loading `parsed` would do, and every reason it cannot. Reads only; writes nothing.
    `pairs` are the administrator's pairing of items with an existing session's (see `_plan_alignment`)."""
    plan = ImportPlan(parsed=parsed, checksum=checksum, warnings=list(parsed.warnings))
    plan.already_loaded = _already_loaded(checksum)
    if plan.already_loaded:
        return plan

    plan.mechanism = mechanism or find_mechanism(parsed)
    if plan.mechanism is None:
        _plan_new_mechanism(plan, parsed)
        if plan.mechanism is None:
            return plan
    saved = plan.mechanism.pk is not None
    parties = _parties_in_name_order(plan.mechanism, list(plan.mechanism.parties.all()) if saved else plan.new_mechanism.parties)
    plan.organisations = list(Organisation.objects.filter(party__in=[p for p in parties if p.pk]).select_related("party"))

    number = parsed.session_number
    if not number:
        plan.problems.append(Problem(_("Enter the session's number: the source does not give it."), field="session.number"))
    existing_session = PlenarySession.objects.filter(mechanism=plan.mechanism, number=number).first() if saved and number else None
    if existing_session is not None:
        _plan_alignment(plan, existing_session, pairs)
        return plan
    if not parsed.held_on:
        message = (
            _("Enter the date the session was held (the source gives %(month_day)s but not the year).") % {
                "month_day": _month_day(*parsed.announced_month_day)}
            if parsed.announced_month_day
            else _("Enter the date the session was held.")
        )
        plan.problems.append(Problem(message, field="session.held_on"))
    elif parsed.announced_month_day and (parsed.held_on.month, parsed.held_on.day) != parsed.announced_month_day:
        month, day = parsed.announced_month_day
        plan.warnings.append(Problem(
            _("The source says the session was held on %(month_day)s, not %(date)s.") % {
                # Translators: a date format (Django's date template filter): "24 October 2018".
                "month_day": _month_day(month, day), "date": dateformat.format(parsed.held_on, _("d F Y"))},
            field="session.held_on", severity="warning"))

    existing_areas = list(plan.mechanism.areas.all()) if saved else []
    by_name = {normalise_name(n): area for area in existing_areas for n in (area.name, area.name_zh) if n}
    next_position = (max((a.position for a in existing_areas), default=0)) + 1
    earlier = list(
        Commitment.objects.filter(session__mechanism=plan.mechanism, session__number__lt=number or 10_000)
        .select_related("session")
        .only("ref", "text", "text_zh", "title", "title_zh", "session__number")
    ) if saved else []
    by_ref = {commitment.ref: commitment for commitment in earlier}
    seen_names: set[str] = set()
    index = 0
    if not parsed.items:
        plan.problems.append(Problem(_("There is no item to load."), field="areas"))
    for area_position, parsed_area in enumerate(parsed.areas, start=1):
        names = {normalise_name(name) for name in (parsed_area.name, parsed_area.name_zh) if name}
        if names & seen_names:
            plan.problems.append(Problem(_("The area %(name)s appears twice.") % {"name": repr(parsed_area.any_name)},
                                         line=parsed_area.line, field=f"areas[{area_position - 1}]"))
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
                        _("%(ref)s is not a commitment of an earlier session of %(mechanism)s.") % {
                            "ref": parsed_item.continues, "mechanism": plan.mechanism.code},
                        line=parsed_item.line, field=f"{where}.continues",
                    ))
            else:
                candidates = [(c, f"{c.text} {c.text_zh}") for c in earlier]
                item.suggestions = [LinkSuggestion(c, s) for c, s in most_similar(f"{parsed_item.text} {parsed_item.text_zh}", candidates)]
            area.items.append(item)
    return plan


def _already_loaded(checksum: str) -> Memorandum | None:
    """The memorandum this very source was loaded into (or aligned with) before, if any."""
    if not checksum:
        return None
    found = Memorandum.objects.select_related("session__mechanism").filter(checksum=checksum).first()
    if found is None:
        aligned = AlignedSource.objects.select_related("memorandum__session__mechanism").filter(checksum=checksum).first()
        found = aligned.memorandum if aligned else None
    return found


def _source_language(parsed: ParsedMemorandum) -> str:
    """'zh' for a source whose items are all in Chinese, 'en' for all in English, else ''."""
    if parsed.items and all(item.text_zh and not item.text for item in parsed.items):
        return "zh"
    if parsed.items and all(item.text and not item.text_zh for item in parsed.items):
        return "en"
    return ""


def _plan_alignment(plan: ImportPlan, session: PlenarySession, pairs: dict[int, str] | None = None) -> None:
    """A source for a session that exists fills the other language of its items, or is refused.

    `pairs` (item index → ref, "" to leave the item out) are the administrator's corrections;
    without them, the items are paired by area and order, checked by names and numbers."""
    parsed = plan.parsed
    language = _source_language(parsed)
    commitments = list(session.commitments.select_related("area").order_by("area_position", "item_position"))
    refused = Problem(
        _("Session %(number)s of %(mechanism)s is already in the database, loaded from a different source in the same language. "
          "Correct the session number, or change the existing session in the admin.") % {
            "number": session.number, "mechanism": session.mechanism.code},
        field="session.number",
    )
    if not language or not commitments:
        plan.problems.append(refused)
        return
    if pairs is None:
        grouped: dict[int, list[Commitment]] = {}
        for commitment in commitments:
            grouped.setdefault(commitment.area_position, []).append(commitment)
        other_field = "text" if language == "zh" else "text_zh"
        organisations = list(Organisation.objects.filter(party__mechanisms=session.mechanism))
        found = align_areas(
            [[item.any_text for item in area.items] for area in parsed.areas],
            [[getattr(c, other_field) or c.text or c.text_zh for c in area] for area in grouped.values()],
            organisations,
        )
        chosen = {pair.new: (commitments[pair.existing], pair.score) for pair in found if pair.new is not None and pair.existing is not None}
    else:
        by_ref = {c.ref: c for c in commitments}
        chosen = {index: (by_ref[ref], 1.0) for index, ref in pairs.items() if ref in by_ref}
    items = [
        AlignedItem(parsed=item, index=index, commitment=chosen.get(index, (None, 0.0))[0], score=chosen.get(index, (None, 0.0))[1])
        for index, item in enumerate(parsed.items)
    ]
    plan.alignment = Alignment(session=session, language=language, items=items, commitments=commitments)
    text_field = plan.alignment.text_field
    replaced = [item for item in items if item.commitment and getattr(item.commitment, text_field)
                and normalise_name(getattr(item.commitment, text_field)) != normalise_name(item.parsed.any_text)]
    if replaced and all(getattr(item.commitment, text_field) for item in items if item.commitment):
        plan.problems.append(refused)
        plan.alignment = None
        return
    for item in replaced:
        message = (
            _("%(ref)s already has a different Chinese text; pair this item with another, or leave it out.")
            if language == "zh"
            else _("%(ref)s already has a different English text; pair this item with another, or leave it out.")
        )
        plan.problems.append(Problem(message % {"ref": item.commitment.ref}, line=item.parsed.line, field=f"items[{item.index}].pair"))
    refs = [item.commitment.ref for item in items if item.commitment]
    for ref in {ref for ref in refs if refs.count(ref) > 1}:
        plan.problems.append(Problem(_("Two items are paired with %(ref)s; pair each with its own.") % {"ref": ref}, field="items.pair"))
    for item in items:
        if item.commitment is not None and item.score < 0.5:
            plan.warnings.append(Problem(
                _("Check this pair: %(ref)s and this item agree only %(percent)s%% in names, numbers and length.") % {
                    "ref": item.commitment.ref, "percent": item.percent},
                line=item.parsed.line, field=f"items[{item.index}].pair", severity="warning"))
    unpaired = len(items) - len(refs)
    if unpaired:
        plan.warnings.append(Problem(_("%(count)s item(s) are not paired and will not be loaded.") % {"count": unpaired},
                                     field="items.pair", severity="warning"))
    if not plan.alignment.changes and not plan.problems:
        plan.warnings.append(Problem(_("Every paired item already has this text: loading changes nothing."), severity="warning"))


@dataclass
class ImportResult:
    memorandum: Memorandum
    created: bool
    commitments: int = 0  # created, or (for an aligned source) filled
    areas_created: int = 0
    aligned: bool = False


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
    pairs: dict[int, str] | None = None,
    loaded_by: AbstractBaseUser | None = None,
) -> Iterator[tuple[int, int]]:
    """`memorandum_import`, yielding (items done, items in all) as it goes, so large loads show progress.

    Links to earlier commitments are only made where the caller confirms them (`links`: item
    index → ref): similar text is a suggestion, never applied blindly. A source for a session
    that exists is aligned with it instead (`pairs`: item index → ref, or the plan's own pairing).
    """
    with transaction.atomic():
        plan = memorandum_plan(parsed=parsed, checksum=checksum, mechanism=mechanism, pairs=pairs)
        if plan.already_loaded:
            return ImportResult(memorandum=plan.already_loaded, created=False)
        saved = plan.mechanism is not None and plan.mechanism.pk is not None
        earlier = {c.ref: c for c in Commitment.objects.filter(session__mechanism=plan.mechanism, session__number__lt=parsed.session_number or 0)} if saved else {}
        for index, ref in (links or {}).items():
            if ref and ref not in earlier:
                plan.problems.append(Problem(_("%(ref)s is not a commitment of an earlier session to link to.") % {"ref": ref},
                                             field=f"items[{index}].continues"))
        if plan.problems:
            raise MemorandumImportError(plan.problems)

        try:
            if plan.alignment:
                return _write_alignment(plan, source_text, source_file, loaded_by)
            result = yield from _write_plan(plan, parsed, checksum, source_text, source_file, links, earlier, loaded_by)
        except (ValidationError, IntegrityError) as error:
            # A rule only the database or the models know (e.g. a double submission): all is undone.
            messages = error.messages if isinstance(error, ValidationError) else [str(error)]
            raise MemorandumImportError([Problem(message) for message in messages]) from None
        return result


def _write_new_mechanism(proposal: ProposedMechanism, mechanism: Mechanism) -> None:
    for party in proposal.new_parties:
        party.full_clean()
        party.save()
    mechanism.full_clean()
    mechanism.save()
    mechanism.parties.set(proposal.parties)


def _write_alignment(plan: ImportPlan, source_text: str, source_file: tuple[str, bytes] | None, loaded_by) -> ImportResult:
    """Fill the other language of a session's items, areas and memorandum, where it is empty;
    record the source so that loading it again is recognised. Creates no commitment."""
    alignment, parsed = plan.alignment, plan.parsed
    session, chinese = alignment.session, alignment.language == "zh"
    reason = "Chinese text added from the Chinese memorandum" if chinese else "English text added from the English source"
    filled = 0
    for item in alignment.items:
        commitment = item.commitment
        if commitment is None or getattr(commitment, alignment.text_field):
            continue
        setattr(commitment, alignment.text_field, item.parsed.any_text)
        commitment.version += 1
        commitment._history_user = loaded_by
        commitment._change_reason = reason
        commitment.save(update_fields=[alignment.text_field, "version", "updated_at"])
        filled += 1
    area_field = "name_zh" if chinese else "name"
    paired_with = {id(item.parsed): item.commitment for item in alignment.items if item.commitment}
    for parsed_area in parsed.areas:
        areas = [paired_with[id(item)].area for item in parsed_area.items if id(item) in paired_with]
        name = parsed_area.name_zh if chinese else parsed_area.name
        if areas and name and not getattr(areas[0], area_field) and all(area.pk == areas[0].pk for area in areas):
            setattr(areas[0], area_field, name)
            areas[0].full_clean()
            areas[0].save(update_fields=[area_field])
    memorandum = session.memorandum
    for target, field_name, value in (
        (memorandum, "title_zh" if chinese else "title", parsed.title_zh if chinese else parsed.title),
        (session, "venue_zh" if chinese else "venue", parsed.venue_zh if chinese else parsed.venue),
    ):
        if value and not getattr(target, field_name):
            setattr(target, field_name, value)
            target.save(update_fields=[field_name])
    source = AlignedSource(
        memorandum=memorandum, language=alignment.language, source_description=parsed.source_description,
        source_text=source_text, checksum=plan.checksum, items_filled=filled,
    )
    source.full_clean(exclude=["source_file"])
    source.save()
    if source_file:  # kept last: files are not undone by a rollback
        source.source_file.save(source_file[0], ContentFile(source_file[1]), save=True)
    return ImportResult(memorandum=memorandum, created=False, commitments=filled, aligned=True)


def _write_plan(plan, parsed, checksum, source_text, source_file, links, earlier, loaded_by) -> Iterator[tuple[int, int]]:
    """The rows of a checked plan, inside the caller's transaction, yielding progress."""
    if plan.new_mechanism:
        _write_new_mechanism(plan.new_mechanism, plan.mechanism)
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
    commitment._change_reason = "Loaded from the memorandum"  # stored in English, shown translated (tracker.history)
    with recorded_once(commitment):
        commitment.save()
        commitment.parties.set(item.parties)
        commitment.supporting_organisations.set(item.supporting)
    for position, milestone in enumerate(parsed.milestones, start=1):
        Milestone.objects.create(commitment=commitment, position=position, title=milestone.title, title_zh=milestone.title_zh, due_on=milestone.due_on)
    if continues is not None:
        commitment_carry_forward(earlier=continues, later=commitment, by=loaded_by)
    return commitment


@contextmanager
def recorded_once(commitment: Commitment) -> Iterator[Commitment]:
    """Record what the block changes in `commitment`, its supporting organisations included, as
    one history entry.

    django-simple-history records on every save and again on every change of a tracked
    many-to-many field, so saving a commitment and then setting its owners wrote two entries with
    one reason, the second seemingly empty. Inside the block nothing is recorded; on leaving it,
    one save records the row as it ends up, with its supporting organisations."""
    commitment.skip_history_when_saving = True
    try:
        yield commitment
    finally:
        del commitment.skip_history_when_saving
    commitment.save(update_fields=["updated_at"])


def carried_forward_reason(later: Commitment) -> str:
    """The reason recorded in the history of a commitment `later` carries forward. Stored in
    English, as a key that `tracker.history` translates for the reader."""
    return f"Carried forward by {later.ref}"


@transaction.atomic
def commitment_carry_forward(*, earlier: Commitment, later: Commitment, by: AbstractBaseUser | None = None) -> Commitment:
    """`later` continues `earlier`: the earlier item is carried forward, so that it is no longer
    reported on separately. What was agreed at the later session, not progress: recorded in the
    earlier item's history, naming the later one. An item already closed (completed, not
    pursued, carried forward) is left as it is; undone by `tracker.services.commitment_carry_forward_undo`."""
    if later.session.mechanism_id != earlier.session.mechanism_id or later.session.number <= earlier.session.number:
        raise ValidationError(
            _("%(later)s can only carry forward a commitment of an earlier session of its mechanism, not %(earlier)s.")
            % {"later": later.ref, "earlier": earlier.ref},
            code="not_earlier",
        )
    earlier = Commitment.objects.select_for_update().get(pk=earlier.pk)
    if earlier.is_closed:
        return earlier
    earlier.status = Status.CARRIED_FORWARD
    earlier.version += 1
    earlier._history_user = by
    earlier._change_reason = carried_forward_reason(later)
    earlier.full_clean(validate_constraints=False)
    earlier.save(update_fields=["status", "version", "updated_at"])
    return earlier



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
