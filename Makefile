# Civitas — `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed
ASSETS := civitas/web/static/web/build/civitas.css
LOCALES := $(wildcard civitas/locale/*/LC_MESSAGES/django.po)
TRANSLATIONS := $(LOCALES:.po=.mo)
OIDC_PROVIDER := tests/accounts/oidc_provider/node_modules/.package-lock.json
DEMO_EID := deploy/demo-eid/node_modules/.package-lock.json

.PHONY: help install demo demo-eid serve test test-sqlite test-postgres lint bench migrations clean browser

help: ## List the targets
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  \033[1m%-15s\033[0m %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11+ is needed: install python3"; exit 1; }
	$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed")'
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

node_modules/.package-lock.json: package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm is needed to build the design system: install nodejs and npm"; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error

$(ASSETS): node_modules/.package-lock.json civitas/web/assets/civitas.scss civitas/web/assets/build.mjs
	npm run --silent build

$(TRANSLATIONS) &: $(LOCALES) $(STAMP)
	$(BIN)/civitas compiletranslations

$(OIDC_PROVIDER): tests/accounts/oidc_provider/package.json tests/accounts/oidc_provider/package-lock.json
	cd tests/accounts/oidc_provider && npm ci --no-audit --no-fund --loglevel=error

# The demo's national eID: optional, so `make demo` goes on without it when npm or its registry fails.
$(DEMO_EID): deploy/demo-eid/package.json deploy/demo-eid/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
	  (cd deploy/demo-eid && npm ci --no-audit --no-fund --loglevel=error --fetch-retries=1 --fetch-timeout=60000) \
	    || echo "The demo eID could not be installed: the demo runs without eID sign-in."; \
	else echo "npm is not installed: the demo runs without eID sign-in."; fi

demo-eid: $(DEMO_EID) ## Install the demo's national eID (an OpenID provider on 127.0.0.1, for make demo)

install: $(STAMP) $(ASSETS) $(TRANSLATIONS) ## Create .venv, install Civitas with its dev extras, build assets and translations

browser: ## Install headless Chromium (Debian package) for the accessibility tests, where possible
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else echo "Chromium is needed for the accessibility tests: sudo apt-get install chromium"; fi; }

var/secret_key:
	@mkdir -p var
	@$(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(64))' > var/secret_key
	@chmod 600 var/secret_key

demo: install var/secret_key $(DEMO_EID) ## Install what is missing, migrate, load the demo country and serve it (and its eID) on http://127.0.0.1:$(PORT)
	@# one secret key for all three: personal data is encrypted with keys derived from it
	SECRET_KEY_FILE=var/secret_key $(BIN)/civitas migrate --no-input -v0
	SECRET_KEY_FILE=var/secret_key $(BIN)/civitas demo load
	SECRET_KEY_FILE=var/secret_key DEBUG=false $(BIN)/civitas demo serve --port $(PORT)

test: install browser $(OIDC_PROVIDER) $(DEMO_EID) ## Run the whole test suite (SQLite, then PostgreSQL when CIVITAS_TEST_DATABASE_URL is set)
	$(MAKE) --no-print-directory lint
	$(MAKE) --no-print-directory test-sqlite
	@if [ -n "$$CIVITAS_TEST_DATABASE_URL" ]; then $(MAKE) --no-print-directory test-postgres; \
	 else echo "CIVITAS_TEST_DATABASE_URL is not set: the PostgreSQL run is skipped"; fi

lint: install ## ruff (lint + format check), import contracts, migrations up to date
	$(BIN)/ruff check civitas tests bench
	$(BIN)/ruff format --check civitas tests bench
	$(BIN)/lint-imports
	$(BIN)/civitas makemigrations --check --dry-run

test-sqlite: install
	CIVITAS_ENV=test $(BIN)/pytest $(PYTEST_ARGS)

test-postgres: install
	CIVITAS_ENV=test DATABASE_URL="$$CIVITAS_TEST_DATABASE_URL" $(BIN)/pytest $(PYTEST_ARGS)

bench: install ## Run the benchmarks side by side with the reference systems (long)
	$(BIN)/pip install --quiet -e '.[bench]'
	$(BIN)/pip install --quiet --no-deps openfisca-country-template==8.2.0
	@for script in bench/*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

migrations: install ## Create migrations after a model change
	$(BIN)/civitas makemigrations

clean: ## Remove the virtual environment, built assets and local data
	rm -rf $(VENV) node_modules tests/accounts/oidc_provider/node_modules deploy/demo-eid/node_modules civitas/web/static/web/build var $(TRANSLATIONS)
