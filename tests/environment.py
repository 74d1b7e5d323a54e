"""Test-wide environment, set before pytest-django starts Django (loaded with `-p tests.environment`,
because pytest-django configures Django before any conftest.py is read)."""
import os

# Tests never run with a production key, and never need collectstatic.
os.environ.setdefault("SECRET_KEY", "tests-only-not-secret")
os.environ["PLAIN_STATIC_STORAGE"] = "true"
# Django's live server with Playwright's synchronous API runs ORM calls from an event loop thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
# The live server speaks plain HTTP: cookies must not be marked Secure in tests.
os.environ.setdefault("SECURE_COOKIES", "false")
os.environ.setdefault("ALLOWED_HOSTS", "localhost,127.0.0.1,testserver")
# Most tests sign in as coordinators and administrators with a password alone; the two-factor
# tests (tests/tracker/test_signin_two_factor.py, tests/e2e/test_two_factor.py) turn it on.
os.environ.setdefault("TWO_FACTOR_REQUIRED", "false")
# Test transactions never commit, so the data version would never change: counts are not cached
# (tests/tracker/test_aggregates.py turns caching on and commits its writes).
os.environ.setdefault("AGGREGATE_CACHE_SECONDS", "0")
