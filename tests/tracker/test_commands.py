import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from memoranda.models import Commitment
from tracker.models import Membership, ProgressUpdate, ReportingCycle

ROOT = Path(__file__).resolve().parents[2]
DEMO_USERS = {"admin", "coordinator", "official-cmab", "official-mtr", "viewer"}


@pytest.mark.django_db
def test_seed_plenary_loads_once_and_keeps_later_work():
    call_command("seed_plenary")
    assert Commitment.objects.count() == 18
    assert all(c.history.count() == 1 for c in Commitment.objects.all())
    Commitment.objects.filter(ref="HKBJ-4-6.5").update(progress=50)
    call_command("seed_plenary")
    assert Commitment.objects.get(ref="HKBJ-4-6.5").progress == 50


@pytest.mark.django_db
def test_seed_demo_makes_accounts_cycle_and_labelled_updates(settings):
    settings.DEBUG = True
    call_command("seed_plenary")
    call_command("seed_demo")
    call_command("seed_demo")  # a second run adds nothing
    assert DEMO_USERS <= set(get_user_model().objects.values_list("username", flat=True))
    assert get_user_model().objects.get(username="admin").is_superuser
    assert Membership.objects.get(user__username="official-mtr").organisation.abbreviation == "MTR"
    assert ReportingCycle.objects.get().title == "Progress report to the 5th Plenary Session"
    updates = ProgressUpdate.objects.all()
    assert updates.count() == 5
    assert all(update.is_demo and update.narrative.startswith("Demo data") for update in updates)
    assert get_user_model().objects.get(username="viewer").check_password("demo")


@pytest.mark.django_db
def test_seed_demo_refuses_with_debug_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("seed_demo")
    assert not get_user_model().objects.filter(username="coordinator").exists()


@pytest.mark.django_db
def test_seed_demo_runs_with_force_when_debug_off(settings):
    settings.DEBUG = False
    call_command("seed_plenary")
    call_command("seed_demo", force=True)
    assert get_user_model().objects.filter(username="coordinator").exists()


def test_startup_without_secret_key_fails_with_a_clear_message():
    env = {"PATH": "/usr/bin:/bin", "DEBUG": "false", "ENV_FILE": "/nonexistent"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


@pytest.mark.django_db
def test_models_and_migrations_agree():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)
