# The README's commands. `make run` sets everything up and starts the service;
# `make test` runs the whole suite on SQLite and on PostgreSQL.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
export HFM_ENV ?= development
PG_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/hfm_test
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: setup browser database run test test-sqlite test-postgres lint bench styles

setup: $(BIN)/.installed node_modules/.installed styles

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# GOV.UK Frontend's Sass built with the council's font (a system sans-serif, not GDS
# Transport) by the pinned `sass` npm package; the output is not committed.
CSS_OUT := app/static/build/main.css
styles: $(CSS_OUT)

$(CSS_OUT): app/static/scss/main.scss node_modules/.installed
	mkdir -p $(dir $@)
	node_modules/.bin/sass --no-source-map --style=compressed --quiet-deps --load-path=node_modules $< $@

# Debian's chromium for the browser tests (never a downloaded browser).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

database: setup
	mkdir -p instance reports
	$(BIN)/hfm db upgrade
	$(BIN)/hfm programme load
	$(BIN)/hfm demo seed

run: database
	@echo "Starting the scheduler and the web server on http://$(HOST):$(PORT)"
	$(BIN)/hfm scheduler & scheduler_pid=$$!; \
	trap 'kill $$scheduler_pid 2>/dev/null' EXIT INT TERM; \
	$(BIN)/hfm run --host $(HOST) --port $(PORT)

test: test-sqlite test-postgres

test-sqlite: setup browser
	HFM_ENV=test $(BIN)/python -m pytest

test-postgres: setup
	scripts/ensure-postgres.sh
	HFM_ENV=test TEST_DATABASE_URL=$(PG_TEST_URL) $(BIN)/python -m pytest --ignore=tests/e2e

lint: setup
	$(BIN)/ruff check app tests config

bench: database
	$(BIN)/python bench/run.py
