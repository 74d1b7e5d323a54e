"""Realistic demo data in bulk, for load tests and demonstrations (`manage.py generate_demo_data`).

One run adds conferences (Hong Kong/Guangdong, Hong Kong/Shanghai …) with their parties,
organisations, sessions, memoranda, areas and reporting cycles; users with memberships in the
right role groups; commitments with owners, texts in English and Chinese, due dates and lineage;
progress updates in every state; and the history django-simple-history would have recorded for
all of it. Rows are written with `bulk_create`, a session's worth at a time, in one transaction:
a run that fails adds nothing.

Everything but the database's own numbering follows from the seed: the same seed on the same
database gives the same references, titles and texts. Dates are reckoned back from `today`.
A run never clashes with what is there: parties and organisations of the same name are reused,
the run's users are prefixed `gen<run>-`, and a conference whose code is taken gets a numbered one
(HKSH2). The data is consistent with the workflow's rules, not only the database's: one update at
a time awaits review on a commitment, one is in progress per organisation, a commitment's status and
progress are those of its last accepted update, and its version counts its history records.
"""
from __future__ import annotations

import contextlib
import datetime
import random
import re
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import connection, models, transaction

from memoranda.models import Area, Commitment, Mechanism, Memorandum, MemorandumLanguage, Organisation, Party, PlenarySession, Status
from tracker import aggregates, planner
from tracker import demo_vocabulary as words
from tracker.models import Membership, ProgressUpdate, ReportingCycle, Role, UpdateState
from tracker.roles import ROLE_GROUPS, ensure_role_groups

BATCH_SIZE = 2000
MAX_COMMITMENTS = 2_000_000
MAX_UPDATES_PER_COMMITMENT = 50
USERNAME_PREFIX = re.compile(r"^gen(\d+)-")
LOADED = "Loaded from the memorandum"  # a reason tracker.history translates
UTC = datetime.UTC


@dataclass
class GenerationResult:
    run: int
    mechanism_codes: list[str]
    counts: Counter = field(default_factory=Counter)
    usernames: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))  # role → usernames
    seconds: float = 0.0


def demo_data_generate(
    *,
    commitments: int,
    updates_per_commitment: int,
    seed: int,
    mechanisms: int = 8,
    sessions: int = 10,
    password: str = "demo",
    today: datetime.date | None = None,
    report: Callable[[str], None] | None = None,
) -> GenerationResult:
    """Add a generated set of demo data; see the module's docstring. Raises ValueError on bad arguments."""
    problems = []
    if not 1 <= commitments <= MAX_COMMITMENTS:
        problems.append(f"--commitments must be between 1 and {MAX_COMMITMENTS:,}, not {commitments}")
    if not 0 <= updates_per_commitment <= MAX_UPDATES_PER_COMMITMENT:
        problems.append(f"--updates-per-commitment must be between 0 and {MAX_UPDATES_PER_COMMITMENT}, not {updates_per_commitment}")
    if not 1 <= mechanisms <= len(words.CONFERENCES):
        problems.append(f"--mechanisms must be between 1 and {len(words.CONFERENCES)}, not {mechanisms}")
    if not 1 <= sessions <= 30:
        problems.append(f"--sessions must be between 1 and 30, not {sessions}")
    if not password:
        problems.append("the password cannot be empty")
    if problems:
        raise ValueError("; ".join(problems))
    if not connection.features.can_return_rows_from_bulk_insert:
        raise ValueError(f"this database ({connection.vendor}) does not return the keys of bulk inserts; use SQLite or PostgreSQL")
    generator = _Generator(
        commitments=commitments, updates=updates_per_commitment, seed=seed, mechanism_count=mechanisms,
        session_count=sessions, password=password, today=today or datetime.date.today(), report=report or (lambda line: None),
    )
    with transaction.atomic(), _timestamps_as_given():
        result = generator.run()
    # Bulk inserts send no signals: the cached counts and the planner's statistics are refreshed here.
    aggregates.data_changed()
    planner.refresh_statistics()
    return result


@contextlib.contextmanager
def _timestamps_as_given() -> Iterator[None]:
    """Let bulk_create keep the past creation and change times the generator gives (auto_now and
    auto_now_add would stamp every row with now), and put the fields back as they were after."""
    fields = [
        model._meta.get_field(name)
        for model, names in [(Commitment, ["created_at", "updated_at"]), (ProgressUpdate, ["created_at", "updated_at"]),
                             (Membership, ["created_at"]), (ReportingCycle, ["created_at"])]
        for name in names
    ]
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


class _RowWriter:
    """INSERT of many rows of one table in `executemany` batches, for the tables whose new keys no
    one needs (history records, many-to-many rows): bulk_create's per-value work would be most of
    the run's time. Rows are dicts by attribute name; values are converted as Django would for
    the database (dates and times), the rest passed as they are."""

    def __init__(self, model: type[models.Model]) -> None:
        fields = [f for f in model._meta.concrete_fields if not (f.primary_key and isinstance(f, models.AutoField | models.BigAutoField))]
        quote = connection.ops.quote_name
        self.names = [f.attname for f in fields]
        self.sql = (
            f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
            f"VALUES ({', '.join(['%s'] * len(fields))})"
        )
        adapt = {models.DateTimeField: connection.ops.adapt_datetimefield_value, models.DateField: connection.ops.adapt_datefield_value}
        self.adapters = [(i, next(a for kind, a in adapt.items() if isinstance(f, kind)))
                         for i, f in enumerate(fields) if isinstance(f, models.DateField)]
        self.model = model

    def write(self, rows: list[dict]) -> int:
        names, adapters = self.names, self.adapters
        with connection.cursor() as cursor:
            for start in range(0, len(rows), BATCH_SIZE * 5):
                params = []
                for row in rows[start : start + BATCH_SIZE * 5]:
                    values = [row[name] for name in names]
                    for i, adapt in adapters:
                        if values[i] is not None:
                            values[i] = adapt(values[i])
                    params.append(values)
                cursor.executemany(self.sql, params)
        return len(rows)


def _at(day: datetime.date, hours: float = 10.0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(), tzinfo=UTC) + datetime.timedelta(hours=hours)


@dataclass
class _Side:
    """One party of a generated conference, with what the generator needs of it."""

    party: Party
    short_name: str
    short_name_zh: str
    simplified: bool  # writes Chinese in Simplified characters
    coordinators: list[int] = field(default_factory=list)


@dataclass
class _Mechanism:
    mechanism: Mechanism
    hk: _Side
    mainland: _Side
    simplified: bool  # its memoranda's Chinese is in Simplified characters
    areas: list[tuple[Area, tuple]] = field(default_factory=list)  # (area, its vocabulary entry)
    sessions: list[PlenarySession] = field(default_factory=list)
    closed_cycles: dict[int, ReportingCycle] = field(default_factory=dict)  # by the session they report to
    open_cycle: ReportingCycle | None = None
    hk_orgs: dict[str, Organisation] = field(default_factory=dict)  # by abbreviation in the vocabulary
    mainland_orgs: dict[str, Organisation] = field(default_factory=dict)  # by abbreviation suffix


@dataclass
class _Continued:
    """A commitment the next session carries forward, waiting for the item that continues it."""

    commitment: Commitment
    area_index: int
    topic: tuple[str, str]
    last_record: dict  # its history record's values before it was carried forward


class _Generator:
    def __init__(self, *, commitments, updates, seed, mechanism_count, session_count, password, today, report) -> None:
        self.total, self.per_commitment = commitments, updates
        self.mechanism_count, self.session_count = mechanism_count, session_count
        self.password, self.today, self.report = password, today, report
        self.now = datetime.datetime.now(UTC)
        self.rng = random.Random(seed)
        self.officials: dict[int, list[int]] = defaultdict(list)  # organisation id → official user ids
        self.org_is_hk: dict[int, bool] = {}
        self.supporting_rows = _RowWriter(Commitment.supporting_organisations.through)
        self.commitment_history_rows = _RowWriter(Commitment.history.model)
        self.party_rows = _RowWriter(Commitment.parties.through)
        self.update_history_rows = _RowWriter(ProgressUpdate.history.model)
        self.commitment_fields = [f.attname for f in Commitment._meta.concrete_fields]
        self.update_fields = [f.attname for f in ProgressUpdate._meta.concrete_fields]

    # -- the frame: parties, organisations, conferences, sessions, cycles, people --------------------

    def run(self) -> GenerationResult:
        started = time.monotonic()
        ensure_role_groups()
        self.run_number = self._next_run_number()
        self.result = GenerationResult(run=self.run_number, mechanism_codes=[])
        self.prefix = f"gen{self.run_number}-"
        hk_party = self._party(code=words.HKSAR["code"], **{k: v for k, v in words.HKSAR.items() if k != "code"})
        hk_orgs = self._hk_organisations(hk_party)
        self.mechanisms = [self._mechanism(index, conference, hk_party, hk_orgs) for index, conference in enumerate(words.CONFERENCES[: self.mechanism_count])]
        self._people(hk_party, hk_orgs)
        self._cycles()
        self.report(f"Set {self.run_number}: {', '.join(self.result.mechanism_codes)}; {self.result.counts['users']} users.")
        self._commitments()
        self.result.seconds = time.monotonic() - started
        return self.result

    def _next_run_number(self) -> int:
        names = get_user_model().objects.filter(username__regex=USERNAME_PREFIX.pattern).values_list("username", flat=True)
        return max((int(USERNAME_PREFIX.match(name).group(1)) for name in names), default=0) + 1

    def _party(self, *, code: str, **names) -> Party:
        party, created = Party.objects.get_or_create(code=code, defaults=names)
        self.result.counts["parties"] += created
        return party

    def _organisations(self, wanted: list[Organisation]) -> list[Organisation]:
        """The organisations wanted, reusing any of the same party and name; an abbreviation another
        organisation already has is left off (seed_demo, for one, finds organisations by it)."""
        existing = {
            (o.party_id, o.name): o
            for o in Organisation.objects.filter(party__in={o.party_id for o in wanted}, name__in=[o.name for o in wanted])
        }
        taken = set(Organisation.objects.exclude(abbreviation="").values_list("abbreviation", flat=True))
        new = [o for o in wanted if (o.party_id, o.name) not in existing]
        for o in new:
            if o.abbreviation in taken:
                o.abbreviation = ""
        Organisation.objects.bulk_create(new, batch_size=BATCH_SIZE)
        self.result.counts["organisations"] += len(new)
        return [existing.get((o.party_id, o.name), o) for o in wanted]

    def _hk_organisations(self, party: Party) -> dict[str, Organisation]:
        wanted = [
            Organisation(party=party, name=name, name_zh=name_zh, abbreviation=abbreviation, kind=kind, is_coordinating_office=coordinating)
            for name, name_zh, abbreviation, kind, coordinating in words.HK_ORGANISATIONS
        ]
        made = self._organisations(wanted)
        for o in made:
            self.org_is_hk[o.pk] = True
        return {entry[2]: o for entry, o in zip(words.HK_ORGANISATIONS, made)}

    def _mechanism(self, index: int, conference: words.Conference, hk_party: Party, hk_orgs: dict) -> _Mechanism:
        c = conference
        party = self._party(code=c.party_code, name=c.party_name, name_zh=c.party_name_zh, short_name=c.short_name, short_name_zh=c.short_name_zh)
        government = self._organisations([Organisation(party=party, name=c.party_name, name_zh=c.party_name_zh, kind="government")])[0]
        departments = self._organisations([
            Organisation(
                party=party, parent=government, name=f"{c.prefix} {name}",
                name_zh=c.prefix_zh + name_zh.format(d="廳" if c.is_province else "局"),
                abbreviation=c.abbreviation + suffix, kind=kind, is_coordinating_office=coordinating,
            )
            for name, name_zh, suffix, kind, coordinating in words.MAINLAND_ORGANISATIONS
        ])
        for o in [government, *departments]:
            self.org_is_hk[o.pk] = False
        code, number = self._free_code(c.code)
        simplified = index % 2 == 1
        name, name_zh = (c.name, c.name_zh) if number == 1 else (f"{c.name} (demo set {number})", f"{c.name_zh}（示範第{number}組）")
        mechanism = Mechanism.objects.create(code=code, name=name, name_zh=name_zh, established_year=None)
        mechanism.parties.set([hk_party, party])
        self.result.mechanism_codes.append(code)
        self.result.counts["mechanisms"] += 1
        m = _Mechanism(
            mechanism=mechanism,
            hk=_Side(hk_party, words.HKSAR["short_name"], words.HKSAR["short_name_zh"], simplified=False),
            mainland=_Side(party, c.short_name, c.short_name_zh, simplified=True),
            simplified=simplified,
            hk_orgs=hk_orgs,
            mainland_orgs={entry[2]: o for entry, o in zip(words.MAINLAND_ORGANISATIONS, departments)},
        )
        self._areas(m)
        self._sessions(m, c)
        mechanism.established_year = m.sessions[0].held_on.year
        mechanism.save(update_fields=["established_year"])
        return m

    def _free_code(self, base: str) -> tuple[str, int]:
        taken = set(Mechanism.objects.filter(code__startswith=base).values_list("code", flat=True))
        number = 1
        while (base if number == 1 else f"{base}{number}") in taken:
            number += 1
        return (base if number == 1 else f"{base}{number}"), number

    def _areas(self, m: _Mechanism) -> None:
        chosen = self.rng.sample(words.AREAS, k=min(8, len(words.AREAS)))
        areas = Area.objects.bulk_create(
            [Area(mechanism=m.mechanism, name=entry[0], name_zh=self._zh(entry[1], m.simplified), position=position)
             for position, entry in enumerate(chosen, start=1)]
        )
        m.areas = list(zip(areas, chosen))
        self.result.counts["areas"] += len(areas)

    def _sessions(self, m: _Mechanism, c: words.Conference) -> None:
        rng, count = self.rng, self.session_count
        last = self.today - datetime.timedelta(days=rng.randint(90, 240))
        days = [last - datetime.timedelta(days=365 * (count - n) + rng.randint(-40, 40) * (n != count)) for n in range(1, count + 1)]
        sessions = PlenarySession.objects.bulk_create([
            PlenarySession(
                mechanism=m.mechanism, number=n, held_on=day,
                venue="Hong Kong" if n % 2 else c.capital, venue_zh="香港" if n % 2 else self._zh(c.capital_zh, m.simplified),
                co_chairs=f"Chief Executive of the Hong Kong Special Administrative Region\n{c.leader}",
            )
            for n, day in enumerate(days, start=1)
        ])
        Memorandum.objects.bulk_create([
            Memorandum(
                session=s, signed_on=s.held_on, language=MemorandumLanguage.CHINESE, loaded_at=_at(s.held_on, 14),
                title=f"Memorandum of the {words.english_ordinal(s.number)} Plenary Session of the {m.mechanism.name}",
                title_zh=self._zh(f"{m.mechanism.name_zh}第{words.chinese_number(s.number)}次會議備忘錄", m.simplified),
                source_description="Generated demo data (manage.py generate_demo_data): not a real memorandum",
            )
            for s in sessions
        ])
        m.sessions = sessions
        self.result.counts["sessions"] += len(sessions)

    def _people(self, hk_party: Party, hk_orgs: dict) -> None:
        """Officials in every organisation; coordinators and a viewer in each coordinating office."""
        User = get_user_model()
        groups = {role: Group.objects.get(name=name).pk for role, name in ROLE_GROUPS.items()}
        hashed = make_password(self.password)  # one hash for every generated account: hashing is slow by design
        plan: list[tuple[Organisation, str, bool]] = []  # organisation, role, Hong Kong side
        organisations = list(hk_orgs.values())
        for m in self.mechanisms:
            organisations += [o for o in Organisation.objects.filter(party=m.mainland.party).order_by("pk") if o not in organisations]
        coordinating = {hk_orgs["CMAB"].pk} | {m.mainland_orgs["HKMAO"].pk for m in self.mechanisms}
        for o in organisations:
            roles = [Role.OFFICIAL] * (1 + (self.rng.random() < 0.5))
            if o.pk in coordinating:
                roles += [Role.COORDINATOR, Role.COORDINATOR, Role.VIEWER]
            plan += [(o, role, self.org_is_hk.get(o.pk, o.party_id == hk_party.pk)) for role in roles]
        users, seen = [], Counter()
        for o, role, is_hk in plan:
            handle = (o.abbreviation or f"org{o.pk}").lower()
            seen[(handle, role)] += 1
            username = f"{self.prefix}{handle}-{role}-{seen[(handle, role)]}"
            first, last = self._person(is_hk)
            users.append(User(
                username=username, password=hashed, first_name=first, last_name=last, email=f"{username}@example.org",
                date_joined=_at(self.today - datetime.timedelta(days=400)),
            ))
        User.objects.bulk_create(users, batch_size=BATCH_SIZE)
        memberships, in_groups = [], set()
        joined = _at(self.today - datetime.timedelta(days=400))
        coordinators_by_party: dict[int, list[int]] = defaultdict(list)
        for user, (o, role, _is_hk) in zip(users, plan):
            memberships.append(Membership(user=user, organisation=o, role=role, created_at=joined))
            in_groups.add((user.pk, groups[role]))
            self.result.usernames[role].append(user.username)
            if role == Role.OFFICIAL:
                self.officials[o.pk].append(user.pk)
            elif role == Role.COORDINATOR:
                coordinators_by_party[o.party_id].append(user.pk)
        Membership.objects.bulk_create(memberships, batch_size=BATCH_SIZE)
        User.groups.through.objects.bulk_create(
            [User.groups.through(user_id=u, group_id=g) for u, g in sorted(in_groups)], batch_size=BATCH_SIZE
        )
        for m in self.mechanisms:
            m.hk.coordinators = coordinators_by_party[m.hk.party.pk]
            m.mainland.coordinators = coordinators_by_party[m.mainland.party.pk]
        self.loader = coordinators_by_party[hk_party.pk][0]
        self.result.counts["users"] += len(users)
        self.result.counts["memberships"] += len(memberships)

    def _person(self, is_hk: bool) -> tuple[str, str]:
        if is_hk:
            return self.rng.choice(words.HK_GIVEN), self.rng.choice(words.HK_SURNAMES)
        return self.rng.choice(words.MAINLAND_GIVEN), self.rng.choice(words.MAINLAND_SURNAMES)

    def _cycles(self) -> None:
        """A closed cycle before every session after the first, and an open one for the next session."""
        cycles = []
        for m in self.mechanisms:
            for s in m.sessions[1:]:
                opens = s.held_on - datetime.timedelta(days=120)
                cycles.append(self._cycle(m, s.number, opens, s.held_on - datetime.timedelta(days=30), s.held_on - datetime.timedelta(days=5)))
            opens = self.today - datetime.timedelta(days=self.rng.randint(15, 45))
            cycles.append(self._cycle(m, len(m.sessions) + 1, opens, self.today + datetime.timedelta(days=self.rng.randint(10, 40)), None))
        ReportingCycle.objects.bulk_create(cycles)
        for cycle in cycles:
            m = next(m for m in self.mechanisms if m.mechanism.pk == cycle.mechanism_id)
            if cycle.closed_on is None:
                m.open_cycle = cycle
            else:
                m.closed_cycles[cycle.reports_to_session_number] = cycle
        self.result.counts["cycles"] += len(cycles)

    def _cycle(self, m: _Mechanism, number: int, opens, due, closed) -> ReportingCycle:
        return ReportingCycle(
            mechanism=m.mechanism, reports_to_session_number=number, opens_on=opens, due_on=due, closed_on=closed,
            title=f"Progress report to the {words.english_ordinal(number)} Plenary Session",
            title_zh=self._zh(f"向第{words.chinese_number(number)}次會議提交的進展報告", m.simplified),
            created_by_id=self.loader, created_at=_at(opens, 1),
        )

    # -- commitments and their progress, a session at a time -----------------------------------------

    def _commitments(self) -> None:
        sessions = [(m, s) for m in self.mechanisms for s in range(self.session_count)]
        share, extra = divmod(self.total, len(sessions))
        done = updates_done = 0
        for index, (m, s) in enumerate(sessions):
            if s == 0:
                waiting: list[_Continued] = []
            count = share + (index < extra)
            next_count = share + (index + 1 < extra) if s + 1 < self.session_count else 0
            waiting, made = self._session(m, m.sessions[s], count, waiting, next_count)
            done += count
            updates_done += made
            self.report(f"commitments {done:,}/{self.total:,} ({100 * done // self.total}%), updates {updates_done:,}")

    def _session(self, m: _Mechanism, session: PlenarySession, count: int, waiting: list[_Continued], next_count: int):
        """Write one session's commitments and everything of theirs; return those the next session
        will carry forward, and how many updates were written."""
        rng = self.rng
        positions: Counter = Counter()
        items = []  # (commitment, area index, topic, supporting ids, continued)
        for n in range(count):
            continued = waiting[n] if n < len(waiting) else None
            area_index = continued.area_index if continued else rng.randrange(len(m.areas))
            area, entry = m.areas[area_index]
            topic = continued.topic if continued else rng.choice(entry[2])
            positions[area.position] += 1
            commitment, supporting = self._commitment(m, session, area, entry, topic, positions[area.position], continued)
            items.append((commitment, area_index, topic, supporting, continued))
        # Which of these the next session carries forward (decided now: their status says so).
        ahead: set[int] = set()
        if next_count:
            ahead = set(sorted(i for i in range(len(items)) if rng.random() < 0.08 and items[i][4] is None)[:next_count])
        plans = [self._progress(m, session, item[0], item[2], carried=i in ahead) for i, item in enumerate(items)]
        commitments = Commitment.objects.bulk_create([item[0] for item in items], batch_size=BATCH_SIZE)
        self.result.counts["commitments"] += len(commitments)

        self.party_rows.write([
            {"commitment_id": commitment.pk, "party_id": party_id} for commitment, *_rest in items for party_id in commitment._parties
        ])
        self.supporting_rows.write([
            {"commitment_id": c.pk, "organisation_id": o} for c, _area, _topic, supporting, _continued in items for o in supporting
        ])

        updates = [update for plan in plans for update, _records in plan["updates"]]
        ProgressUpdate.objects.bulk_create(updates, batch_size=BATCH_SIZE)
        update_history = []
        for plan in plans:
            for update, records in plan["updates"]:
                base = {name: getattr(update, name) for name in self.update_fields}
                update_history += [{**base, **values} for values in records]
        self.update_history_rows.write(update_history)

        history = []
        for (commitment, *_rest), plan in zip(items, plans):
            base = {name: getattr(commitment, name) for name in self.commitment_fields}
            for values in plan["records"]:
                if "reason" in values:
                    values["history_change_reason"] = values.pop("reason").format(*[u.pk for u, _r in plan["updates"]])
                history.append({**base, **values})
        for n, continued in enumerate(waiting[:count]):  # the earlier items, now carried forward by these
            history.append({
                **continued.last_record,
                "status": Status.CARRIED_FORWARD, "version": continued.commitment.version, "history_type": "~",
                "history_date": _at(session.held_on, 12), "updated_at": _at(session.held_on, 12),
                "history_user_id": self.loader, "history_change_reason": f"Carried forward by {items[n][0].ref}",
            })
        self._write_commitment_history(history, [c.pk for c, *_rest in items] + [w.commitment.pk for w in waiting[:count]])
        self.result.counts["updates"] += len(updates)
        self.result.counts["history records"] += len(history) + len(update_history)

        carried = []
        for i in sorted(ahead):
            commitment, area_index, topic, _supporting, _continued = items[i]
            base = {name: getattr(commitment, name) for name in self.commitment_fields}
            carried.append(_Continued(commitment, area_index, topic, {**base, **plans[i]["records"][-1]}))
        return carried, len(updates)

    def _write_commitment_history(self, records: list[dict], commitment_ids: list[int]) -> None:
        """Write the commitments' history records, then copy their supporting organisations into
        each of the new records, as simple-history does on every save: in the database, one
        INSERT … SELECT, since the new records' keys are known only to it. The supporting
        organisations of a generated commitment never change, so every record has them all."""
        History = Commitment.history.model
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT MAX({connection.ops.quote_name(History._meta.pk.column)}) FROM {connection.ops.quote_name(History._meta.db_table)}")
            before = cursor.fetchone()[0] or 0
        self.commitment_history_rows.write(records)
        through = Commitment.supporting_organisations.through
        copies = apps.get_model("memoranda", "HistoricalCommitment_supporting_organisations")
        quote, column = connection.ops.quote_name, lambda model, name: quote(model._meta.get_field(name).column)
        sql = (
            f"INSERT INTO {quote(copies._meta.db_table)} "
            f"({column(copies, 'id')}, {column(copies, 'commitment')}, {column(copies, 'organisation')}, {column(copies, 'history')}) "
            f"SELECT t.{column(through, 'id')}, t.{column(through, 'commitment')}, t.{column(through, 'organisation')}, h.{column(History, 'history_id')} "
            f"FROM {quote(through._meta.db_table)} t JOIN {quote(History._meta.db_table)} h ON h.{column(History, 'id')} = t.{column(through, 'commitment')} "
            f"WHERE h.{column(History, 'history_id')} > %s AND t.{column(through, 'commitment')} IN ({{}})"
        )
        with connection.cursor() as cursor:
            for start in range(0, len(commitment_ids), 5000):
                chunk = commitment_ids[start : start + 5000]
                cursor.execute(sql.format(", ".join(["%s"] * len(chunk))), [before, *chunk])

    def _commitment(self, m: _Mechanism, session, area, entry, topic, item_position, continued):
        rng = self.rng
        hk_candidates = [m.hk_orgs[a] for a in entry[3] if a in m.hk_orgs]
        mainland_candidates = [m.mainland_orgs[a] for a in entry[4] if a in m.mainland_orgs]
        coordinating = [m.hk_orgs["CMAB"], m.mainland_orgs["HKMAO"]]
        lead = rng.choice(hk_candidates if rng.random() < 0.6 else mainland_candidates)
        pool = [o for o in dict.fromkeys(hk_candidates + mainland_candidates + coordinating) if o != lead]
        supporting = rng.sample(pool, k=min(len(pool), rng.choice([0, 1, 1, 2, 2, 3])))
        if supporting and rng.random() < 0.05:
            lead = None  # not yet assigned: a coordinator will
        hans = m.simplified
        t_en, t_zh = topic[0], self._zh(topic[1], hans)
        subject = rng.choice(words.SUBJECTS)
        modal = rng.choice(words.MODALS)
        action = rng.choice(words.ACTIONS)
        purpose = rng.choice(words.PURPOSES)
        text = f"{subject[0]} {modal[0]} {action[0].format(t=t_en)}, {purpose[0]}."
        text_zh = f"{self._zh(subject[1], hans)}{self._zh(modal[1], hans)}{self._zh(action[1], hans).format(t=t_zh)}，{self._zh(purpose[1], hans)}。"
        if rng.random() < 0.4:
            also = rng.choice(words.ALSO)
            text, text_zh = f"{text} {also[0]}", text_zh + self._zh(also[1], hans)
        title_template = words.CONTINUED_TITLE if continued else rng.choice(words.TITLES)
        title, title_zh = title_template[0].format(t=t_en), self._zh(title_template[1], hans).format(t=t_zh)
        title = title[0].upper() + title[1:]
        if continued:
            text, text_zh = words.CONTINUING[0] + text[0].lower() + text[1:], self._zh(words.CONTINUING[1], hans) + text_zh
        languages = rng.random()
        if languages < 0.12:
            text_zh = title_zh = ""
        elif languages < 0.20:
            text = title = ""
        if rng.random() < 0.1:
            title = title_zh = ""  # many items have no short title: pages show their first words
        officer = ""
        if lead is not None and rng.random() < 0.3:
            first, last = self._person(self.org_is_hk.get(lead.pk, False))
            officer = f"{rng.choice(['Mr', 'Ms'])} {last} {first}, {rng.choice(words.OFFICER_TITLES)[0]}" + (f" ({lead.abbreviation})" if lead.abbreviation else "")
        due = session.held_on + datetime.timedelta(days=rng.randint(180, 1460)) if rng.random() < 0.6 else None
        sides = {m.hk.party.pk, m.mainland.party.pk}
        if lead is not None and rng.random() < 0.1:
            sides = {lead.party_id}
        commitment = Commitment(
            ref=Commitment.make_ref(m.mechanism.code, session.number, area.position, item_position),
            session=session, area=area, area_position=area.position, item_position=item_position,
            title=title, title_zh=title_zh, text=text, text_zh=text_zh, lead_organisation=lead, responsible_officer=officer,
            due_on=due, continues=continued.commitment if continued else None,
            created_at=_at(session.held_on + datetime.timedelta(days=1)),
        )
        commitment._parties = sorted(sides)
        commitment._supporting_ids = [o.pk for o in supporting]
        return commitment, [o.pk for o in supporting]

    def _progress(self, m: _Mechanism, session, commitment: Commitment, topic, *, carried: bool) -> dict:
        """The commitment's updates (with their history), and the history of the commitment itself;
        sets the commitment's status, progress and version to where its accepted updates left it.
        Reasons naming an update are templates ('#{0}') filled in once the updates have keys."""
        rng, k = self.rng, self.per_commitment
        loaded = commitment.created_at
        records = [dict(status=Status.NOT_STARTED, progress=0, not_pursued_reason="", version=1, updated_at=loaded,
                        history_date=loaded, history_type="+", history_user_id=self.loader, history_change_reason=LOADED)]
        reporters = ([commitment.lead_organisation_id] if commitment.lead_organisation_id else []) + list(commitment._supporting_ids)
        if carried:
            slots = [m.closed_cycles[session.number + 1]] * k
        else:
            closed = [m.closed_cycles[n] for n in range(session.number + 1, len(m.sessions) + 1)]
            earlier = [closed[j * len(closed) // (k - 1)] for j in range(k - 1)] if closed and k > 1 else [m.open_cycle] * max(k - 1, 0)
            slots = earlier + [m.open_cycle] * (k > 0)
        per_cycle = Counter(cycle.pk for cycle in slots)
        seen_in_cycle: Counter = Counter()
        status, progress, reason = Status.NOT_STARTED, 0, ""
        updates = []
        for j, cycle in enumerate(slots):
            last = j == k - 1
            state = UpdateState.ACCEPTED
            if last and not carried:
                state = rng.choices([UpdateState.ACCEPTED, UpdateState.SUBMITTED, UpdateState.DRAFT, UpdateState.RETURNED], [40, 25, 20, 15])[0]
            # Where in the cycle it falls: the cycle's time shared out among its updates, in order.
            start = _at(cycle.opens_on, 1)
            end = _at(cycle.closed_on, 1) if cycle.closed_on else min(self.now, _at(self.today, 1))
            share = (end - start) / per_cycle[cycle.pk]
            start += share * seen_in_cycle[cycle.pk]
            seen_in_cycle[cycle.pk] += 1
            moment = lambda low, high: start + share * rng.uniform(low, high)  # noqa: E731
            created, submitted, reviewed = moment(0.0, 0.3), moment(0.35, 0.55), moment(0.8, 0.95)

            new_progress = min(95, progress + rng.randint(5, max(10, 100 // max(k, 1) + 10)))
            new_status = Status.ONGOING if commitment.due_on is None and rng.random() < 0.5 else (
                Status.AT_RISK if rng.random() < 0.25 else Status.ON_TRACK)
            not_pursued = ""
            roll = rng.random()
            if last and not carried and roll < 0.22:
                new_status, new_progress = Status.COMPLETED, 100
            elif last and not carried and roll < 0.25:
                new_status, new_progress = Status.NOT_PURSUED, progress
            organisation = reporters[0] if len(reporters) == 1 or rng.random() < 0.8 else rng.choice(reporters[1:])
            update = self._update(m, commitment, cycle, organisation, topic, new_status, new_progress, state, created)
            if new_status == Status.NOT_PURSUED:
                not_pursued = update.not_pursued_reason
            reviewer = rng.choice(m.hk.coordinators + m.mainland.coordinators)
            update.commitment_version = len(records)
            author = update.author_id
            if state == UpdateState.DRAFT or rng.random() < 0.5:  # saved as a draft first, submitted later
                steps = [dict(state=UpdateState.DRAFT, submitted_at=None, reviewer_id=None, review_comment="", reviewed_at=None,
                              history_date=created, history_user_id=author)]
                if state != UpdateState.DRAFT:
                    steps.append(dict(state=UpdateState.SUBMITTED, submitted_at=submitted, history_date=submitted, history_user_id=author))
            else:  # submitted at once
                steps = [dict(state=UpdateState.SUBMITTED, submitted_at=created, reviewer_id=None, review_comment="", reviewed_at=None,
                              history_date=created, history_user_id=author)]
            if state == UpdateState.ACCEPTED and rng.random() < 0.1:  # returned once, then put right
                returned_at, again = moment(0.6, 0.65), moment(0.7, 0.75)
                steps.append(dict(state=UpdateState.RETURNED, reviewer_id=reviewer, review_comment=rng.choice(words.RETURN_COMMENTS),
                                  reviewed_at=returned_at, history_date=returned_at, history_user_id=reviewer))
                steps.append(dict(state=UpdateState.SUBMITTED, submitted_at=again, history_date=again, history_user_id=author))
            if state in (UpdateState.ACCEPTED, UpdateState.RETURNED):
                comment = rng.choice(words.ACCEPT_COMMENTS if state == UpdateState.ACCEPTED else words.RETURN_COMMENTS)
                steps.append(dict(state=state, reviewer_id=reviewer, review_comment=comment, reviewed_at=reviewed,
                                  history_date=reviewed, history_user_id=reviewer))
            history, current = [], {}
            for number, step in enumerate(steps, start=1):
                current = {**current, **step, "version": number, "updated_at": step["history_date"], "history_type": "+" if number == 1 else "~"}
                history.append({**current, "history_change_reason": None})
            for name in ("state", "submitted_at", "reviewer_id", "review_comment", "reviewed_at", "version", "updated_at"):
                setattr(update, name, current[name])
            updates.append((update, history))
            if state == UpdateState.ACCEPTED:
                status, progress = new_status, new_progress
                reason = not_pursued or reason
                records.append(dict(status=status, progress=progress, not_pursued_reason=reason if status == Status.NOT_PURSUED else "",
                                    version=len(records) + 1, updated_at=reviewed, history_date=reviewed, history_type="~",
                                    history_user_id=reviewer, reason="Accepted progress update #{%d}" % j))
        commitment.status, commitment.progress = status, progress
        commitment.not_pursued_reason = reason if status == Status.NOT_PURSUED else ""
        commitment.version, commitment.updated_at = len(records), records[-1]["updated_at"]
        if carried:  # its last record is written by the session that carries it forward
            commitment.status, commitment.version = Status.CARRIED_FORWARD, len(records) + 1
            commitment.updated_at = _at(m.sessions[session.number].held_on, 12)
        return {"updates": updates, "records": records}

    def _update(self, m: _Mechanism, commitment, cycle, organisation: int, topic, status, progress, state, created) -> ProgressUpdate:
        rng = self.rng
        is_hk = self.org_is_hk.get(organisation, False)
        hans = not is_hk
        other = m.mainland if is_hk else m.hk
        t_en, t_zh = topic[0], self._zh(topic[1], hans)
        day = created.date()
        values = {
            "t": t_en, "n": rng.randint(2, 12), "n0": rng.randint(30, 400), "m": f"{day:%B %Y}", "p": other.short_name,
        }
        values_zh = {**values, "t": t_zh, "m": f"{day.year}年{day.month}月", "p": self._zh(other.short_name_zh, hans)}
        pool = words.NARRATIVE_COMPLETED if status == Status.COMPLETED else words.NARRATIVE_AT_RISK if status == Status.AT_RISK else words.NARRATIVES
        narrative = rng.choice(pool)
        steps = rng.choice(words.NEXT_STEPS) if status != Status.COMPLETED else ("", "")
        english = rng.random() < (0.9 if is_hk else 0.4)
        chinese = not english or rng.random() < (0.6 if is_hk else 1.0)
        not_pursued = ""
        if status == Status.NOT_PURSUED:
            reason = rng.choice(words.NOT_PURSUED_REASONS)
            not_pursued = reason[0].format(**values) if english else self._zh(reason[1], hans).format(**values_zh)
        return ProgressUpdate(
            commitment=commitment, cycle=cycle, author_id=rng.choice(self.officials[organisation]), organisation_id=organisation,
            proposed_status=status, proposed_progress=progress,
            narrative=narrative[0].format(**values) if english else "",
            narrative_zh=self._zh(narrative[1], hans).format(**values_zh) if chinese else "",
            next_steps=steps[0].format(**values) if english else "",
            next_steps_zh=self._zh(steps[1], hans).format(**values_zh) if chinese and steps[1] else "",
            not_pursued_reason=not_pursued,
            internal_note=rng.choice(words.INTERNAL_NOTES) if rng.random() < 0.15 else "",
            is_demo=True, created_at=created,
        )

    @staticmethod
    def _zh(text: str, simplified: bool) -> str:
        return words.zh_hans(text) if simplified else text
