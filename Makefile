# The AI choices portal. `make demo` runs it with demo data; `make test` runs every test.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PG_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
DEMO_ENV := PORTAL_ENV=development DATABASE_URL=$${DATABASE_URL:-sqlite:///instance/portal.sqlite3}

.PHONY: demo test test-postgres test-all install assets translations check-translations \
        system-packages db lint-imports clean benchmark hazard-log

## Set-up -----------------------------------------------------------------------------------
$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/pip install --quiet -c constraints.txt -e '.[test]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.installed node_modules/.installed

assets: node_modules/.installed
	npm run --silent build

## Translations: extract, update, compile (`make translations`) -------------------------------
translations: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output \
	  --omit-header -o translations/messages.pot .
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching \
	  --ignore-obsolete
	sed -i '/^"POT-Creation-Date:/d; /^"PO-Revision-Date:/d' translations/*/LC_MESSAGES/messages.po
	$(BIN)/pybabel compile --statistics -d translations

check-translations: translations
	$(BIN)/python scripts/check_translations.py

## The demo -----------------------------------------------------------------------------------
db: $(VENV)/.installed
	$(DEMO_ENV) $(BIN)/flask --app wsgi portal db-upgrade

demo: install assets translations db
	$(DEMO_ENV) $(BIN)/flask --app wsgi portal load-demo
	@echo "The portal is at http://127.0.0.1:5000 (press Ctrl+C to stop it and the NHS login stand-in)."
	$(DEMO_ENV) bash scripts/run-demo.sh $(BIN)/flask --app wsgi run --host 127.0.0.1 --port 5000

## Tests --------------------------------------------------------------------------------------
system-packages:
	@bash scripts/ensure-system-packages.sh

lint-imports: $(VENV)/.installed
	$(BIN)/lint-imports --no-cache

# The whole suite on SQLite (browser tests included).
test: install system-packages assets check-translations lint-imports
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Every test that touches the database, on PostgreSQL (browser tests run once, on SQLite).
test-postgres: install assets translations
	TEST_DATABASE_URL=$(PG_TEST_URL) $(BIN)/python -m pytest -m "not browser" $(PYTEST_ARGS)

test-all: test test-postgres

benchmark: install
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) node_modules static/dist static/vendor static/images .pytest_cache

hazard-log: $(VENV)/.installed
	$(BIN)/python scripts/hazard_log.py
