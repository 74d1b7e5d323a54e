"""The load test of `make bench` (run by bench/__main__.py with locust, headless, on loopback only).

Signed-in officials and coordinators read the list, commitment pages and their desk (/my/),
as people do before a reporting deadline. Who they are comes from the environment the benchmark
sets: BENCH_USERS (comma-separated user names, password "demo"), BENCH_REFS (commitment refs to
open). `HealthCheck` alone (`locust ... HealthCheck`) measures /healthz, the ceiling of the server.
"""
from __future__ import annotations

import itertools
import os
import random
import re
import threading

from locust import HttpUser, between, task

USERS = os.environ.get("BENCH_USERS", "").split(",")
REFS = os.environ.get("BENCH_REFS", "").split(",")
LAST_PAGE = int(os.environ.get("BENCH_LAST_PAGE", "1"))
_next_user = itertools.cycle(USERS)
_lock = threading.Lock()


class Reader(HttpUser):
    """A person signed in with a password, moving between the pages of a working day."""

    wait_time = between(0.0, 0.2)

    def on_start(self) -> None:
        with _lock:
            username = next(_next_user)
        page = self.client.get("/accounts/login/", name="sign-in page").text
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        with self.client.post(
            "/accounts/login/", data={"username": username, "password": "demo", "csrfmiddlewaretoken": token},
            headers={"Referer": self.client.base_url + "/accounts/login/"}, name="sign in", catch_response=True,
        ) as response:
            if "/accounts/login/" in response.url:
                response.failure(f"{username} could not sign in")

    @task(4)
    def commitment_list(self) -> None:
        self.client.get("/commitments/", name="/commitments/")

    @task(1)
    def commitment_list_page(self) -> None:
        self.client.get(f"/commitments/?page={random.randint(1, LAST_PAGE)}", name="/commitments/?page=N")

    @task(4)
    def commitment_page(self) -> None:
        self.client.get(f"/commitments/{random.choice(REFS)}/", name="/commitments/<ref>/")

    @task(2)
    def my_commitments(self) -> None:
        self.client.get("/my/", name="/my/")


class HealthCheck(HttpUser):
    wait_time = between(0.0, 0.0)

    @task
    def healthz(self) -> None:
        self.client.get("/healthz", name="/healthz")
