"""`manage.py load_memorandum PATH --dry-run --json`: what would be loaded, and every problem, as one
JSON object, printed also when there are errors (then the command fails); nothing is ever written."""
import datetime
import io
import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from memoranda import services
from memoranda.models import AlignedSource, Area, Commitment, Mechanism, Memorandum, Party, PlenarySession
from memoranda.parsing import parse_memorandum
from memoranda.sources import source_checksum

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "fixtures" / "seeds" / "hk-beijing-4th-plenary-2018.txt"
ZH_MEMORANDUM = ROOT / "fixtures" / "seeds" / "hk-beijing-4th-plenary-2018-memorandum-zh-hant.txt"

YEARLY_MEETING = """Hong Kong/Shenzhen Co-operation Meeting 2023 held in Shenzhen

The Chief Executive, Mr John Lee, and the Mayor of Shenzhen, Mr Qin Weizhong, co-chaired the Hong Kong/Shenzhen Co-operation Meeting 2023 in Shenzhen today (August 29).

The two sides reached consensus on the following two co-operation areas:

Innovation and Technology

Both sides would take forward the development of the Hetao Shenzhen-Hong Kong Science and Technology Innovation Co-operation Zone.

The two places would encourage exchanges between their universities and research institutes.

Youth Development

The two places would continue to organise internship programmes for young people.
"""

KEYS = {"mechanism", "session", "announced_areas", "areas", "problems"}
MECHANISM_KEYS = {"code", "name", "name_zh", "exists"}
SESSION_KEYS = {"number", "held_on", "venue", "co_chairs"}
AREA_KEYS = {"name", "name_zh", "items"}
ITEM_KEYS = {"text", "text_zh"}
PROBLEM_KEYS = {"line", "field", "severity", "message"}

pytestmark = pytest.mark.django_db


def assert_shape(document: dict) -> None:
    """The documented keys, exactly, and their types, at every level."""
    assert set(document) == KEYS
    mechanism, session = document["mechanism"], document["session"]
    assert set(mechanism) == MECHANISM_KEYS
    assert mechanism["code"] is None or isinstance(mechanism["code"], str)
    assert isinstance(mechanism["name"], str) and isinstance(mechanism["name_zh"], str)
    assert isinstance(mechanism["exists"], bool)
    assert set(session) == SESSION_KEYS
    assert session["number"] is None or type(session["number"]) is int
    assert session["held_on"] is None or (isinstance(session["held_on"], str) and len(session["held_on"]) == 10)
    assert isinstance(session["venue"], str)
    assert isinstance(session["co_chairs"], list) and all(isinstance(chair, str) for chair in session["co_chairs"])
    assert document["announced_areas"] is None or type(document["announced_areas"]) is int
    assert isinstance(document["areas"], list)
    for area in document["areas"]:
        assert set(area) == AREA_KEYS
        assert isinstance(area["name"], str) and isinstance(area["name_zh"], str) and isinstance(area["items"], list)
        for item in area["items"]:
            assert set(item) == ITEM_KEYS
            assert isinstance(item["text"], str) and isinstance(item["text_zh"], str)
    assert isinstance(document["problems"], list)
    for problem in document["problems"]:
        assert set(problem) == PROBLEM_KEYS
        assert problem["line"] is None or type(problem["line"]) is int
        assert isinstance(problem["field"], str) and isinstance(problem["message"], str) and problem["message"]
        assert problem["severity"] in ("error", "warning")


def counts() -> tuple[int, ...]:
    return tuple(model.objects.count() for model in (Mechanism, Party, PlenarySession, Memorandum, Area, Commitment, AlignedSource))


def dry_run(path: Path | str, *options: str) -> tuple[dict, bool]:
    """The command's JSON, checked for shape, and whether the command failed; asserts nothing was written."""
    before = counts()
    out = io.StringIO()
    try:
        call_command("load_memorandum", str(path), "--dry-run", "--json", *options, stdout=out, stderr=io.StringIO())
        failed = False
    except CommandError:
        failed = True
    document = json.loads(out.getvalue())
    assert_shape(document)
    assert counts() == before
    return document, failed


def errors(document: dict) -> list[str]:
    return [problem["field"] for problem in document["problems"] if problem["severity"] == "error"]


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


# The seed into an empty database ---------------------------------------------------------------


def test_seed_without_a_date_gives_the_whole_plan_and_an_error_on_the_date():
    document, failed = dry_run(SEED)
    assert failed
    assert errors(document) == ["session.held_on"]
    assert document["mechanism"] == {
        "code": "HKBJ", "name": "Hong Kong/Beijing Co-operation Conference", "name_zh": "京港合作會議", "exists": False,
    }
    assert document["session"] == {
        "number": 4, "held_on": None, "venue": "Beijing",
        "co_chairs": ["Chief Executive, Mrs Carrie Lam", "Mayor of Beijing, Mr Chen Jining"],
    }
    assert document["announced_areas"] == 8
    assert len(document["areas"]) == 8
    assert [len(area["items"]) for area in document["areas"]] == [1, 3, 2, 2, 3, 5, 1, 1]
    assert document["areas"][1]["name"] == "Services Industries"
    assert document["areas"][5]["items"][4]["text"].startswith("The two sides would encourage the MTR")
    held_on = next(problem for problem in document["problems"] if problem["field"] == "session.held_on")
    assert "October 24" in held_on["message"]
    # the new mechanism is worth a warning, which does not make the command fail by itself
    assert any(problem["severity"] == "warning" and problem["field"] == "mechanism" for problem in document["problems"])


def test_seed_with_the_date_has_no_errors_and_the_command_succeeds():
    document, failed = dry_run(SEED, "--held-on", "2018-10-24")
    assert not failed
    assert errors(document) == []
    assert document["session"]["held_on"] == "2018-10-24" and document["session"]["number"] == 4
    assert sum(len(area["items"]) for area in document["areas"]) == 18
    assert all(problem["severity"] == "warning" for problem in document["problems"])


def test_json_is_printed_as_utf_8_text_not_escapes(tmp_path):
    out = io.StringIO()
    call_command("load_memorandum", str(SEED), "--dry-run", "--json", "--held-on", "2018-10-24", stdout=out)
    assert "京港合作會議" in out.getvalue()


def load_seed() -> None:
    text = SEED.read_text(encoding="utf-8")
    parsed = parse_memorandum(text)
    parsed.held_on = datetime.date(2018, 10, 24)
    services.memorandum_import(parsed=parsed, checksum=source_checksum(text), source_text=text)


def test_seed_already_loaded_is_a_warning_that_loading_changes_nothing():
    load_seed()
    document, failed = dry_run(SEED, "--held-on", "2018-10-24")
    assert not failed
    (problem,) = document["problems"]
    assert problem["severity"] == "warning" and "Already loaded" in problem["message"] and "HKBJ 4" in problem["message"]
    assert document["session"]["number"] == 4 and len(document["areas"]) == 8


def test_seed_already_loaded_names_its_existing_mechanism():
    load_seed()
    document, _ = dry_run(SEED, "--held-on", "2018-10-24")
    assert document["mechanism"] == {
        "code": "HKBJ", "name": "Hong Kong/Beijing Co-operation Conference", "name_zh": "京港合作會議", "exists": True,
    }


# A session that exists -----------------------------------------------------------------------------


def test_chinese_memorandum_on_the_fourth_plenary_names_the_existing_mechanism(fourth_plenary):
    document, failed = dry_run(ZH_MEMORANDUM)
    assert not failed and errors(document) == []
    assert document["mechanism"]["exists"] is True and document["mechanism"]["code"] == "HKBJ"
    assert document["mechanism"]["name_zh"] == fourth_plenary.mechanism.name_zh
    assert document["session"]["number"] == 4 and document["session"]["held_on"] == "2018-10-24"
    assert [len(area["items"]) for area in document["areas"]] == [1, 3, 2, 2, 3, 5, 1, 1]
    assert all(item["text_zh"] and not item["text"] for area in document["areas"] for item in area["items"])
    assert not fourth_plenary.commitments.exclude(text_zh="").exists()  # still not filled


# A yearly meeting: no number in the text ------------------------------------------------------


def test_yearly_meeting_without_an_ordinal_asks_for_the_number(tmp_path):
    document, failed = dry_run(write(tmp_path, "shenzhen-2023.txt", YEARLY_MEETING), "--held-on", "2023-08-29")
    assert failed
    assert document["session"]["number"] is None
    assert errors(document) == ["session.number"]
    assert document["mechanism"]["code"] == "HKSZ" and document["mechanism"]["exists"] is False
    assert [area["name"] for area in document["areas"]] == ["Innovation and Technology", "Youth Development"]
    assert document["announced_areas"] == 2


def test_number_option_gives_the_yearly_meeting_its_number(tmp_path):
    document, failed = dry_run(write(tmp_path, "shenzhen-2023.txt", YEARLY_MEETING), "--held-on", "2023-08-29", "--number", "3")
    assert not failed
    assert document["session"]["number"] == 3 and document["session"]["held_on"] == "2023-08-29"
    assert "session.number" not in [problem["field"] for problem in document["problems"]]


def test_dry_run_refuses_a_negative_session_number_as_the_load_would(tmp_path):
    path = write(tmp_path, "shenzhen-2023.txt", YEARLY_MEETING)
    before = counts()
    with pytest.raises(CommandError):
        call_command("load_memorandum", str(path), "--dry-run", "--json", "--held-on", "2023-08-29", "--number", "-1",
                     stdout=io.StringIO(), stderr=io.StringIO())
    assert counts() == before


# What cannot be loaded ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("garbage.bin", bytes(random.Random(11).randrange(256) for _ in range(3000))),
        ("notes.txt", "lorem ipsum dolor\nsit amet\n"),
        ("scan.pdf", b"%PDF-1.4 not really a PDF"),
        ("empty.txt", b""),
    ],
    ids=["random bytes", "text without areas", "damaged PDF", "empty file"],
)
def test_file_that_is_no_memorandum_still_prints_the_json_with_its_errors(tmp_path, name, content):
    document, failed = dry_run(write(tmp_path, name, content))
    assert failed
    assert errors(document)
    assert document["areas"] == [] and document["mechanism"]["exists"] is False


def test_commitment_rows_are_refused_in_the_json(tmp_path):
    document, failed = dry_run(write(tmp_path, "rows.csv", "ref,status\nHKBJ-4-1.1,ongoing\n"))
    assert failed
    assert errors(document) == ["format"]
    assert document["mechanism"]["code"] is None and document["session"]["number"] is None and document["announced_areas"] is None


def test_unknown_mechanism_option_is_an_error_in_the_json():
    document, failed = dry_run(SEED, "--held-on", "2018-10-24", "--mechanism", "NOPE")
    assert failed
    assert errors(document) == ["mechanism"]


def test_json_without_dry_run_is_refused_and_nothing_is_written():
    out = io.StringIO()
    with pytest.raises(CommandError, match="--dry-run"):
        call_command("load_memorandum", str(SEED), "--json", "--held-on", "2018-10-24", stdout=out)
    assert out.getvalue() == ""
    assert counts() == (0, 0, 0, 0, 0, 0, 0)


# As administrators run it: a real process -----------------------------------------------------


@pytest.fixture
def migrated_database(tmp_path) -> dict[str, str]:
    """The environment of a process whose database is a fresh, migrated SQLite file."""
    environment = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'dry-run.sqlite3'}"}
    subprocess.run([sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"], cwd=ROOT, env=environment,
                   check=True, capture_output=True, timeout=300)
    return environment


def test_command_process_prints_exactly_one_json_document_and_exits_by_the_errors(migrated_database, tmp_path):
    def run(*options: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "manage.py", "load_memorandum", str(SEED), "--dry-run", "--json", *options],
                              cwd=ROOT, env=migrated_database, capture_output=True, text=True, timeout=120)

    without_date = run()
    assert without_date.returncode != 0
    document = json.loads(without_date.stdout)  # exactly one document: trailing text would fail to parse
    assert_shape(document)
    assert errors(document) == ["session.held_on"]
    assert "error" in without_date.stderr

    with_date = run("--held-on", "2018-10-24")
    assert with_date.returncode == 0, with_date.stderr
    document = json.loads(with_date.stdout)
    assert_shape(document)
    assert errors(document) == [] and sum(len(area["items"]) for area in document["areas"]) == 18
    assert document["mechanism"]["exists"] is False  # the first run wrote nothing either
