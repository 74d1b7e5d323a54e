import pytest
from django.core.management import CommandError, call_command

from memoranda.models import Commitment

pytestmark = pytest.mark.django_db
SEED = "fixtures/seeds/hk-beijing-4th-plenary-2018.txt"


def test_text_needs_a_date_and_says_so(without_fourth_plenary, capsys):
    with pytest.raises(CommandError, match="nothing was loaded"):
        call_command("load_memorandum", SEED)
    assert "October 24 but not the year" in capsys.readouterr().err
    assert Commitment.objects.count() == 0


def test_dry_run_summarises_and_writes_nothing(without_fourth_plenary, capsys):
    call_command("load_memorandum", SEED, "--held-on", "2018-10-24", "--dry-run")
    out = capsys.readouterr().out
    assert "8 areas, 18 items." in out and "HKBJ-4-6.5" in out and "Dry run" in out
    assert Commitment.objects.count() == 0


def test_load_then_load_again(without_fourth_plenary, capsys):
    call_command("load_memorandum", SEED, "--held-on", "2018-10-24")
    assert "Loaded HKBJ 4: 18 commitments" in capsys.readouterr().out
    call_command("load_memorandum", SEED, "--held-on", "2018-10-24")
    assert "Already loaded" in capsys.readouterr().out
    assert Commitment.objects.count() == 18


def test_structured_example_loads_like_the_fixture(fourth_plenary):
    expected = {c.ref: (c.title, c.lead_organisation_id, c.status, c.due_on) for c in Commitment.objects.all()}
    from memoranda.models import Area, Memorandum, PlenarySession

    Commitment.objects.all().delete(), Memorandum.objects.all().delete(), PlenarySession.objects.all().delete(), Area.objects.all().delete()
    call_command("load_memorandum", "fixtures/memoranda/hk-beijing-4th-plenary.yaml")
    assert {c.ref: (c.title, c.lead_organisation_id, c.status, c.due_on) for c in Commitment.objects.all()} == expected


def test_invalid_file_exits_non_zero_with_each_problem(tmp_path, fourth_plenary, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("mechanism: {code: HKBJ}\nsession: {number: 7}\nareas:\n  - name: X\n    items:\n      - text: a\n        due_on: 2018-02-30\n        colour: red\n")
    with pytest.raises(CommandError):
        call_command("load_memorandum", str(bad))
    err = capsys.readouterr().err
    assert "line 7, areas[0].items[0].due_on" in err and "line 8, areas[0].items[0].colour" in err


def test_missing_file_is_a_clear_error(db):
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("load_memorandum", "/nonexistent/file.yaml")
