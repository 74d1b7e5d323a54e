"""Production settings: the documented environment passes Django's deployment check, DEBUG is
refused, and a development `.env` in the same folder never reaches a deployment."""
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# What the test runner's own environment must not lend to a deployment's.
INHERITED = ("DEBUG", "DJANGO_ENV", "SECRET_KEY", "ALLOWED_HOSTS", "SECURE_COOKIES", "PLAIN_STATIC_STORAGE",
             "DATABASE_URL", "DJANGO_SETTINGS_MODULE", "ENV_FILE", "DEV_SERVER_URL", "SITE_URL",
             "DJANGO_ALLOW_ASYNC_UNSAFE", "TWO_FACTOR_REQUIRED")


def documented_production_environment() -> dict[str, str]:
    """The block of README.md that documents a deployment's environment, placeholders filled."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- production-environment[^>]*-->\s*```sh\n(.*?)```", readme, re.S)
    assert block, "README.md lost its production-environment block"
    environment = {}
    for line in block.group(1).splitlines():
        key, _, value = line.partition("=")
        environment[key] = value
    environment["SECRET_KEY"] = secrets.token_urlsafe(50)
    environment["EMAIL_HOST_PASSWORD"] = secrets.token_urlsafe(12)
    environment["DATABASE_URL"] = environment["DATABASE_URL"].replace("<password>", "secret")
    return environment


def run(arguments: list[str], environment: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess:
    base = {key: value for key, value in os.environ.items() if key not in INHERITED}
    # No collectstatic has run: a fresh deployment checks its settings before collecting.
    base["STATIC_ROOT"] = str(tmp_path / "static")
    return subprocess.run(
        [sys.executable, *arguments], cwd=ROOT, env={**base, **environment}, capture_output=True, text=True, timeout=120
    )


def development_env_file(tmp_path: Path) -> Path:
    """What `make` writes for a development checkout."""
    env_file = tmp_path / ".env"
    env_file.write_text("DEBUG=true\nSECRET_KEY=development-key\n", encoding="utf-8")
    return env_file


def test_documented_production_environment_passes_the_deployment_check(tmp_path):
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], documented_production_environment(), tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("missing", ["EMAIL_HOST", "SITE_URL", "DJANGO_ENV"])
def test_the_deployment_check_names_what_a_deployment_forgot(tmp_path, missing):
    environment = documented_production_environment()
    del environment[missing]
    if missing == "DJANGO_ENV":
        environment["DEBUG"] = "false"
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], environment, tmp_path)
    assert result.returncode != 0
    assert missing in result.stderr + result.stdout


def test_production_refuses_to_start_with_debug_on(tmp_path):
    environment = {**documented_production_environment(), "DEBUG": "true"}
    result = run(["manage.py", "check"], environment, tmp_path)
    assert result.returncode != 0
    assert "DEBUG is on with DJANGO_ENV=production" in result.stderr


def settings_seen(environment: dict[str, str], tmp_path: Path, *, through_wsgi: bool = False) -> str:
    load = "import tracker.wsgi" if through_wsgi else "import os, django; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'tracker.settings'); django.setup()"
    code = f"{load}; from django.conf import settings as s; print(s.DEBUG, s.PRODUCTION, s.SESSION_COOKIE_SECURE, s.SECRET_KEY)"
    result = run(["-c", code], environment, tmp_path)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_production_never_reads_the_development_env_file(tmp_path):
    environment = {**documented_production_environment(), "ENV_FILE": str(development_env_file(tmp_path))}
    debug, production, secure_cookies, key = settings_seen(environment, tmp_path).split()
    assert (debug, production, secure_cookies) == ("False", "True", "True")
    assert key == environment["SECRET_KEY"]


def test_a_wsgi_server_started_in_a_development_folder_runs_as_production(tmp_path):
    """`make` wrote .env with DEBUG=true; gunicorn started there without DEBUG set must not debug."""
    environment = {
        "ENV_FILE": str(development_env_file(tmp_path)), "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "tracker.example.gov.hk", "DJANGO_SETTINGS_MODULE": "tracker.settings",
    }
    debug, production, secure_cookies, _key = settings_seen(environment, tmp_path, through_wsgi=True).split()
    assert (debug, production, secure_cookies) == ("False", "True", "True")


def test_a_development_checkout_still_reads_its_env_file(tmp_path):
    environment = {"ENV_FILE": str(development_env_file(tmp_path))}
    debug, production, _secure, key = settings_seen(environment, tmp_path).split()
    assert (debug, production, key) == ("True", "False", "development-key")


def test_an_unknown_environment_name_is_refused(tmp_path):
    result = run(["manage.py", "check"], {"DJANGO_ENV": "prod", "DEBUG": "false", "SECRET_KEY": "x" * 60}, tmp_path)
    assert result.returncode != 0 and "DJANGO_ENV must be" in result.stderr
