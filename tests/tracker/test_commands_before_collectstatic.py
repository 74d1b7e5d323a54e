"""With DEBUG off and the hashed static files not yet collected, management commands still run."""
import os
import subprocess
import sys

import pytest


def test_check_deploy_and_migrate_plan_run_before_collectstatic(tmp_path):
    environment = {
        **os.environ, "DEBUG": "false", "SECRET_KEY": "x" * 60, "ALLOWED_HOSTS": "tracker.example.gov.hk",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "STATIC_ROOT": str(tmp_path / "static"),
    }
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    environment.pop("PLAIN_STATIC_STORAGE", None)  # the hashed storage of a deployment, as without collectstatic
    for command in (["check"], ["migrate", "--plan"], ["showmigrations", "tracker"]):
        result = subprocess.run([sys.executable, "manage.py", *command], env=environment, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr[-2000:]


@pytest.mark.django_db
def test_favicon_redirects_to_the_static_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith("favicon.svg")
