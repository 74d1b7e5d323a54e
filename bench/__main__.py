"""Benchmarks: how long the heavy pages and exports take as commitments grow.

Run with `make bench`. It builds a throwaway SQLite database (or uses BENCH_DATABASE_URL), fills
it with synthetic sessions of commitments, and times each page and export a few times. Speed is
measured here, not in the tests: the tests assert what cannot drift (query counts, correctness).
"""
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
database = Path(tempfile.mkdtemp()) / "bench.sqlite3"
os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{database}")
os.environ.setdefault("SECRET_KEY", "bench-only")
os.environ["PLAIN_STATIC_STORAGE"] = "true"
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ["DJANGO_SETTINGS_MODULE"] = "tracker.settings"

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

from memoranda.models import Area, Commitment, Organisation, PlenarySession  # noqa: E402
from tracker import services  # noqa: E402
from tracker.models import Role  # noqa: E402

SIZES = [int(n) for n in os.environ.get("BENCH_SIZES", "1000,10000").split(",")]


def grow_to(total: int) -> None:
    """Add sessions of 100 commitments each (10 areas × 10 items) until there are `total`."""
    mechanism_session = PlenarySession.objects.get(number=4)
    areas = list(Area.objects.order_by("position"))
    lead = Organisation.objects.get(abbreviation="CMAB")
    number = PlenarySession.objects.order_by("-number").first().number
    while Commitment.objects.count() < total:
        number += 1
        session = PlenarySession.objects.create(mechanism=mechanism_session.mechanism, number=number)
        Commitment.objects.bulk_create(
            Commitment(
                ref=f"HKBJ-{number}-{a}.{i}", session=session, area=areas[(a - 1) % len(areas)], area_position=a, item_position=i,
                title=f"Item {i} of area {a}", text="Both sides would continue to co-operate on this item.", lead_organisation=lead,
                status="ongoing" if i % 3 else "on_track", progress=(i * 7) % 100,
            )
            for a in range(1, 11) for i in range(1, 11)
        )


def timed(client: Client, url: str, runs: int = 3) -> float:
    durations = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(url)
        if hasattr(response, "streaming_content"):
            for _chunk in response.streaming_content:
                pass
        assert response.status_code == 200, (url, response.status_code)
        durations.append(time.perf_counter() - start)
    return statistics.median(durations)


def main() -> None:
    call_command("migrate", verbosity=0)
    call_command("seed_plenary", verbosity=0)
    user = get_user_model().objects.create_user("bench", password="bench")
    services.membership_set(user=user, organisation=Organisation.objects.get(abbreviation="CMAB"), role=Role.COORDINATOR)
    client = Client()
    client.force_login(user)
    pages = {
        "dashboard": "/",
        "list, 25 rows": "/commitments/",
        "list, filtered text": "/commitments/?q=co-operate&status=on_track",
        "CSV export, all rows": "/commitments/?_export=csv",
        "XLSX export, all rows": "/commitments/?_export=xlsx",
        "session page (100 items)": "/sessions/HKBJ/5/",
        "session report, PDF (100 items)": "/reports/sessions/HKBJ/5/?_export=pdf",
        "cross-session report": "/reports/mechanisms/HKBJ/",
    }
    print(f"{'page':36} " + " ".join(f"{n:>10,}" for n in SIZES) + "   (median seconds of 3 runs, by number of commitments)")
    results: dict[str, list[float]] = {name: [] for name in pages}
    for size in SIZES:
        grow_to(size)
        for name, url in pages.items():
            results[name].append(timed(client, url, runs=1 if "PDF" in name else 3))
    for name, durations in results.items():
        print(f"{name:36} " + " ".join(f"{d:>10.3f}" for d in durations))


if __name__ == "__main__":
    main()
