# Two commands do all set-up: `make run` and `make test`. Everything else here serves them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

# Development defaults; a deployment sets its own environment instead.
export DEBUG ?= true
export DEMO_PASSWORD ?= demo

.PHONY: help install system-deps messages migrate data run serve test test-postgres bench screenshots audit clean

help:
	@echo "make run    install, migrate, load the 4th plenary and demo data, serve on http://$(HOST):$(PORT)"
	@echo "make test   install and run the whole test suite (PostgreSQL too when DATABASE_URL is set)"
	@echo "make serve  the same data served as deployed (gunicorn, DEBUG off) on http://$(HOST):$(PORT)"

$(STAMP): requirements.txt bin/find-python
	@test -x $(PY) || { py=$$(bin/find-python) && "$$py" -m venv $(VENV); }
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

install: $(STAMP) .env

# Development settings for commands run by hand (.venv/bin/python manage.py …); never committed.
.env:
	@printf 'DEBUG=true\nSECRET_KEY=%s\n' "$$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')" > $@
	@echo "Wrote .env (DEBUG=true and a random SECRET_KEY) for development."

# Debian packages the product needs beyond Python: gettext (compiled translations), Chromium and
# the Noto CJK fonts (browser tests, Chinese in PDFs and screenshots), poppler-utils (PDF checks).
system-deps:
	@bin/system-deps

messages: install system-deps
	@$(MANAGE) compilemessages --ignore=.venv -v 0

migrate: messages
	$(MANAGE) migrate --no-input -v 0

data: migrate
	$(MANAGE) seed_plenary
	$(MANAGE) seed_demo

run: data
	$(MANAGE) collectstatic --no-input -v 0
	@echo
	@echo "Plenary commitment tracker: http://$(HOST):$(PORT)/"
	@echo "Demo sign-ins (password: $(DEMO_PASSWORD)): admin, coordinator, official-cmab, official-mtr, viewer"
	@echo
	DEV_SERVER_URL=http://$(HOST):$(PORT) $(MANAGE) runserver $(HOST):$(PORT)

# The product as deployed, on this machine: gunicorn (deploy/gunicorn.conf.py: workers and threads
# sized to the cores, deliberate timeouts), DEBUG off, whitenoise serving the compressed, hashed
# static files with far-future cache headers. Production marks cookies Secure, and a browser never
# sends a Secure cookie over plain HTTP, so on http://127.0.0.1 nobody would stay signed in: here
# cookies are not Secure and HTTP is not redirected, unless you serve behind TLS (SECURE_COOKIES=true,
# SECURE_SSL_REDIRECT=true, BEHIND_TLS_PROXY=true; deploy/ has the nginx site). Coordinators and
# administrators are asked for their second factor, as in production.
SERVE_ENV = DJANGO_ENV=production DEBUG=false SECRET_KEY="$$(sed -n 's/^SECRET_KEY=//p' .env)" \
	ALLOWED_HOSTS=$${ALLOWED_HOSTS:-$(HOST),localhost} SITE_URL=$${SITE_URL:-http://$(HOST):$(PORT)} \
	SECURE_COOKIES=$${SECURE_COOKIES:-false} SECURE_SSL_REDIRECT=$${SECURE_SSL_REDIRECT:-false} SECURE_HSTS_SECONDS=$${SECURE_HSTS_SECONDS:-0}

serve: data
	$(SERVE_ENV) $(MANAGE) collectstatic --no-input -v 0
	@echo
	@echo "Plenary commitment tracker, as deployed: http://$(HOST):$(PORT)/  (plain HTTP: cookies not Secure; see the Makefile)"
	@echo
	$(SERVE_ENV) GUNICORN_BIND=$(HOST):$(PORT) $(PY) -m gunicorn -c deploy/gunicorn.conf.py tracker.wsgi

test: messages
	$(MANAGE) makemigrations --check --dry-run -v 0
	$(PY) -m pytest $(PYTEST_ARGS)

# Known vulnerabilities in the pinned requirements, from PyPI's advisory data (pip-audit). pip-audit
# has its own environment inside .venv, so it is never installed beside the application. A known
# vulnerability always fails. A requirement PyPI cannot answer for is reported as a warning ("could
# not be audited") and fails only with AUDIT_STRICT=1: on machines whose PyPI mirror has no
# per-release data (this CI's) every requirement is unauditable and CI would never pass.
AUDIT_STRICT ?=
AUDIT_VENV := $(VENV)/audit

$(AUDIT_VENV)/.installed: requirements-audit.txt bin/find-python
	@test -x $(AUDIT_VENV)/bin/python || { py=$$(bin/find-python) && "$$py" -m venv $(AUDIT_VENV); }
	$(AUDIT_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-audit.txt
	@touch $@

audit: $(AUDIT_VENV)/.installed
	@$(AUDIT_VENV)/bin/pip-audit --requirement requirements.txt $(if $(AUDIT_STRICT),--strict) --vulnerability-service pypi --progress-spinner off --desc on \
	  || { echo >&2; \
	       echo "make audit FAILED: either a pinned requirement has a known vulnerability (listed above, with the" >&2; \
	       echo "version that fixes it), or a requirement could not be checked because PyPI's vulnerability data" >&2; \
	       echo "did not answer ('could not be audited' or a connection error above). Neither is a pass: raise the" >&2; \
	       echo "pin in requirements.txt, or run again when https://pypi.org/pypi/NAME/VERSION/json answers." >&2; \
	       exit 1; }

# Timings of every page and export at 1,000 and 100,000 commitments (BENCH_SIZES=...), and a load test.
# locust for its load test, in its own environment inside .venv (as pip-audit is).
BENCH_VENV := $(VENV)/bench

$(BENCH_VENV)/.installed: requirements-bench.txt bin/find-python
	@test -x $(BENCH_VENV)/bin/python || { py=$$(bin/find-python) && "$$py" -m venv $(BENCH_VENV); }
	$(BENCH_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-bench.txt
	@touch $@

bench: messages $(BENCH_VENV)/.installed
	$(PY) -m bench

# Refreshes the pictures the README shows, from a real browser on the demo data.
screenshots: messages
	SCREENSHOTS_DIR=docs/screenshots $(PY) -m pytest tests/e2e/test_screenshots.py $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) staticfiles test-results .pytest_cache
