import argparse
import datetime
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from memoranda import services
from memoranda.models import Mechanism
from memoranda.parsing import (
    ALL_FORMATS,
    ROW_FORMATS,
    MemorandumParseError,
    Problem,
    detect_format,
    parse_memorandum,
    source_text,
)
from memoranda.parsing.numerals import whole_number
from memoranda.sources import source_checksum


def positive_number(value: str) -> int:
    number = whole_number(value, 1, 999)
    if number is None:
        raise argparse.ArgumentTypeError(f"{value!r} is not a session number (1 to 999)")
    return number


class Command(BaseCommand):
    help = (
        "Loads a memorandum (YAML, JSON or plain text) or commitment rows (CSV, XLSX), all or nothing. "
        "Prints a summary and every problem with its line; exits non-zero on invalid input."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", help="the file to load")
        parser.add_argument("--format", default="auto", choices=("auto", *ALL_FORMATS))
        parser.add_argument("--held-on", type=datetime.date.fromisoformat, metavar="YYYY-MM-DD",
                            help="the date the session was held (a press release gives no year)")
        parser.add_argument("--number", type=positive_number, metavar="N", help="the session's number, when the source gives none (a yearly meeting)")
        parser.add_argument("--mechanism", metavar="CODE", help="the mechanism, when the source does not name it clearly")
        parser.add_argument("--link", action="append", default=[], metavar="ITEM=REF",
                            help="confirm that item number ITEM (1-based, in order) continues REF; repeatable")
        parser.add_argument("--dry-run", action="store_true", help="check and summarise; write nothing")
        parser.add_argument("--json", action="store_true",
                            help="with --dry-run: print what would be loaded as one JSON object (also when there are errors)")

    def handle(self, path: str, format: str, held_on, number, mechanism: str | None, link: list[str], dry_run: bool, **options) -> None:
        if options["json"] and not dry_run:
            raise CommandError("--json describes a dry run: add --dry-run.")
        try:
            data = Path(path).read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}") from None
        format = detect_format(path, data) if format == "auto" else format
        if options["json"]:
            return self.dry_run_json(data, format, path, held_on, number, mechanism)
        try:
            if format in ROW_FORMATS:
                self.load_rows(data, format, dry_run)
            else:
                self.load_memorandum(data, format, path, held_on, number, mechanism, link, dry_run)
        except MemorandumParseError as error:
            for problem in error.problems:
                self.stderr.write(f"{path}: {problem}")
            raise CommandError(f"{len(error.problems)} problem(s); nothing was loaded.") from None

    def plan(self, data: bytes, format: str, path: str, held_on, number, mechanism_code) -> services.ImportPlan:
        parsed = parse_memorandum(data, format=format, filename=path)
        if held_on:
            parsed.held_on = held_on
        if number:
            parsed.session_number = number
        mechanism = None
        if mechanism_code:
            mechanism = Mechanism.objects.filter(code=mechanism_code).first()
            if mechanism is None:
                raise MemorandumParseError([Problem(f"Unknown mechanism {mechanism_code}.", field="mechanism")])
        checksum = source_checksum(source_text(data, format) if format == "text" else data)
        return services.memorandum_plan(parsed=parsed, checksum=checksum, mechanism=mechanism)

    def dry_run_json(self, data: bytes, format: str, path: str, held_on, number, mechanism_code) -> None:
        """One JSON object: what would be loaded and every problem, errors and warnings alike."""
        plan, problems = None, []
        if format in ROW_FORMATS:
            problems = [Problem("CSV and XLSX files hold commitment rows, not a memorandum.", field="format")]
        else:
            try:
                plan = self.plan(data, format, path, held_on, number, mechanism_code)
            except MemorandumParseError as error:
                problems = error.problems
        parsed = plan.parsed if plan else None
        mechanism = (plan.already_loaded.session.mechanism if plan.already_loaded else plan.mechanism) if plan else None
        if plan and plan.already_loaded:
            problems = [Problem(f"Already loaded: this source is the memorandum of {plan.already_loaded.session}; loading it changes nothing.",
                                severity="warning")]
        elif plan:
            problems = [*plan.problems, *plan.warnings]
        document = {
            "mechanism": {
                "code": mechanism.code if mechanism else None,
                "name": (mechanism.name if mechanism else "") or (parsed.mechanism_name if parsed else ""),
                "name_zh": (mechanism.name_zh if mechanism else "") or (parsed.mechanism_name_zh if parsed else ""),
                "exists": bool(mechanism and mechanism.pk),
            },
            "session": {
                "number": parsed.session_number if parsed else None,
                "held_on": parsed.held_on.isoformat() if parsed and parsed.held_on else None,
                "venue": (parsed.venue or parsed.venue_zh) if parsed else "",
                "co_chairs": list(parsed.co_chairs) if parsed else [],
            },
            "announced_areas": parsed.announced_area_count if parsed else None,
            "areas": [
                {"name": area.name, "name_zh": area.name_zh, "items": [{"text": item.text, "text_zh": item.text_zh} for item in area.items]}
                for area in (parsed.areas if parsed else [])
            ],
            "problems": [
                {"line": problem.line, "field": problem.field, "severity": problem.severity, "message": problem.message}
                for problem in problems
            ],
        }
        self.stdout.write(json.dumps(document, ensure_ascii=False, indent=2))
        errors = sum(1 for problem in problems if problem.severity == "error")
        if errors:
            raise CommandError(f"{errors} error(s); nothing would be loaded.")

    def load_rows(self, data: bytes, format: str, dry_run: bool) -> None:
        result = services.commitment_rows_import(data=data, format=format, dry_run=dry_run)
        verb = "Would load" if dry_run else "Loaded"
        self.stdout.write(f"{verb}: {len(result.new)} new, {len(result.updated)} updated, {len(result.unchanged)} unchanged commitments.")
        for ref in result.new + result.updated:
            self.stdout.write(f"  {'new' if ref in result.new else 'updated'}: {ref}")

    def load_memorandum(self, data, format, path, held_on, number, mechanism_code, links, dry_run) -> None:
        plan = self.plan(data, format, path, held_on, number, mechanism_code)
        parsed, mechanism = plan.parsed, (plan.mechanism if plan.mechanism and plan.mechanism.pk else None)
        if plan.already_loaded:
            session = plan.already_loaded.session
            self.stdout.write(f"Already loaded: this source is the memorandum of {session} (loaded {plan.already_loaded.loaded_at:%Y-%m-%d}). Nothing changed.")
            return
        self.summarise(plan)
        if plan.problems:
            raise MemorandumParseError(plan.problems)
        if dry_run:
            self.stdout.write("Dry run: nothing was written.")
            return
        confirmed = {}
        for entry in links:
            number, _, ref = entry.partition("=")
            item = whole_number(number, 1)
            if item is None or not ref:
                raise CommandError(f"--link {entry!r}: write it as ITEM=REF, e.g. 3=HKBJ-3-2.1")
            confirmed[item - 1] = ref.strip()
        result = services.memorandum_import(
            parsed=parsed, checksum=plan.checksum, source_text=source_text(data, format) if format not in ("yaml", "json") else "",
            source_file=(Path(path).name, data), mechanism=mechanism, links=confirmed,
        )
        if result.aligned:
            self.stdout.write(self.style.SUCCESS(f"Aligned with {result.memorandum.session}: filled {result.commitments} commitments."))
        else:
            self.stdout.write(self.style.SUCCESS(
                f"Loaded {result.memorandum.session}: {result.commitments} commitments, {result.areas_created} new areas."
            ))

    def summarise(self, plan: services.ImportPlan) -> None:
        parsed = plan.parsed
        mechanism = plan.mechanism.code if plan.mechanism else "?"
        if plan.new_mechanism:
            parties = " and ".join(f"{p.name or p.name_zh} ({'existing' if p.pk else 'new'})" for p in plan.new_mechanism.parties)
            self.stdout.write(f"New mechanism {plan.new_mechanism.code}: {plan.new_mechanism.name} {plan.new_mechanism.name_zh}; parties {parties}")
        self.stdout.write(f"Session {parsed.session_number or '?'} of {mechanism}, held {parsed.held_on or '?'} in {parsed.venue or parsed.venue_zh or '?'}")
        if plan.alignment:
            self.stdout.write(f"This session exists: the source fills its {'Chinese' if plan.alignment.language == 'zh' else 'English'} text.")
            for item in plan.alignment.items:
                target = item.commitment.ref if item.commitment else "(left out)"
                self.stdout.write(f"  {target}  ({item.percent}%) {item.parsed.any_text[:70]}")
        for area in plan.areas:
            marker = "" if area.existing else " (new area)"
            self.stdout.write(f"  {area.items[0].area_position if area.items else '?'}. {area.name or area.name_zh}{marker}")
            for item in area.items:
                owner = item.lead.abbreviation or item.lead.name if item.lead else "no lead"
                self.stdout.write(f"     {item.ref}  [{item.status}] {owner}: {(item.parsed.text or item.parsed.text_zh)[:70]}")
                for suggestion in item.suggestions:
                    self.stdout.write(f"        may continue {suggestion.commitment.ref} ({suggestion.percent}% similar); confirm with --link {item.index + 1}={suggestion.commitment.ref}")
        self.stdout.write(f"{len(plan.areas)} areas, {len(plan.items)} items.")
        for warning in plan.warnings:
            self.stdout.write(self.style.WARNING(f"Warning: {warning}"))
