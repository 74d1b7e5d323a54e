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

.PHONY: help install system-deps messages migrate data run test test-postgres bench screenshots clean

help:
	@echo "make run    install, migrate, load the 4th plenary and demo data, serve on http://$(HOST):$(PORT)"
	@echo "make test   install and run the whole test suite (PostgreSQL too when DATABASE_URL is set)"

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

test: messages
	$(MANAGE) makemigrations --check --dry-run -v 0
	$(PY) -m pytest $(PYTEST_ARGS)

# Timings of the heavy pages and exports at 1,000 and 10,000 commitments (BENCH_SIZES=...).
bench: messages
	$(PY) -m bench

# Refreshes the pictures the README shows, from a real browser on the demo data.
screenshots: messages
	SCREENSHOTS_DIR=docs/screenshots $(PY) -m pytest tests/e2e/test_screenshots.py $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) staticfiles test-results .pytest_cache
