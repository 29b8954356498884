# The README's commands. `make run` sets everything up and starts the service;
# `make test` runs the checks (`make lint`), then the whole suite on SQLite and on PostgreSQL.
# `make help` lists the targets.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
export HFM_ENV ?= development
PG_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/hfm_test
HOST ?= 127.0.0.1
PORT ?= 5000
# pytest-xdist workers: the suite splits over both cores; the browser tests stay on one.
TEST_WORKERS ?= 2
PYTEST_ARGS ?= -n $(TEST_WORKERS) --dist loadgroup
LINT_PATHS := app tests config bench

.PHONY: help setup browser database run test test-sqlite test-postgres lint bench styles

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

setup: $(BIN)/.installed node_modules/.installed styles ## install Python (.venv) and npm packages, build the styles

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
styles: $(CSS_OUT) ## build the council-branded CSS from Sass

$(CSS_OUT): app/static/scss/main.scss node_modules/.installed
	mkdir -p $(dir $@)
	node_modules/.bin/sass --no-source-map --style=compressed --quiet-deps --load-path=node_modules $< $@

# Debian's chromium for the browser tests (never a downloaded browser).
browser: ## install Debian's chromium for the browser tests
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

database: setup ## migrate, load the programme and seed demo data
	mkdir -p instance reports
	$(BIN)/hfm db upgrade
	$(BIN)/hfm programme load
	$(BIN)/hfm demo seed

run: database ## set everything up, then start the scheduler and the web server
	@echo "Starting the scheduler and the web server on http://$(HOST):$(PORT)"
	$(BIN)/hfm scheduler & scheduler_pid=$$!; \
	trap 'kill $$scheduler_pid 2>/dev/null' EXIT INT TERM; \
	$(BIN)/hfm run --host $(HOST) --port $(PORT)

test: lint test-sqlite test-postgres ## lint, then the whole suite on SQLite and on PostgreSQL

test-sqlite: setup browser ## the suite on SQLite, browser tests included
	HFM_ENV=test $(BIN)/python -m pytest $(PYTEST_ARGS)

test-postgres: setup ## the suite on PostgreSQL (127.0.0.1:5432)
	scripts/ensure-postgres.sh
	HFM_ENV=test TEST_DATABASE_URL=$(PG_TEST_URL) $(BIN)/python -m pytest $(PYTEST_ARGS) --ignore=tests/e2e

lint: setup ## ruff check, ruff format --check, mypy and the import layers (lint-imports)
	$(BIN)/ruff check $(LINT_PATHS)
	$(BIN)/ruff format --check $(LINT_PATHS)
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: database ## the performance benchmark (bench/README.md)
	$(BIN)/python bench/run.py
