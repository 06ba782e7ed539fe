# Oversight — developer commands. `make run` and `make test` need nothing but Python 3.11+.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app
TRANSLATIONS := oversight/translations

.PHONY: azurite help run test test-sqlite test-postgresql lint format i18n translations db-upgrade demo bench clean

help:
	@echo "make run     - install, migrate, load demo data, serve http://127.0.0.1:5000 (PORT=8080 HOST=0.0.0.0 to change)"
	@echo "make demo    - install, migrate and load the demo data only (no server)"
	@echo "make test    - run the test suite (SQLite; PostgreSQL too when TEST_DATABASE_URL is set)"
	@echo "make lint    - ruff and the layer contract (import-linter)"
	@echo "make i18n    - extract messages and update the catalogs"
	@echo "make bench   - benchmark at large-company scale"

$(BIN)/activate:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is required")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt $(BIN)/activate
	$(BIN)/pip install --quiet -r requirements.txt
	@touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements-dev.txt
	@touch $@

translations: $(VENV)/.installed
	$(BIN)/pybabel compile -d $(TRANSLATIONS) --statistics

db-upgrade: $(VENV)/.installed
	$(FLASK) db upgrade
	$(FLASK) checklists sync

demo: translations db-upgrade
	$(FLASK) demo seed

HOST ?= 127.0.0.1
PORT ?= 5000
run: translations demo
	@echo "Oversight is starting at http://$(HOST):$(PORT) (stop with Ctrl+C)"
	$(FLASK) run --host $(HOST) --port $(PORT)

# Azurite (Azure's storage emulator, npm) for the evidence-store tests; without node/npm those tests are skipped.
azurite:
	@if [ ! -x tools/azurite/node_modules/.bin/azurite-blob ] && command -v npm >/dev/null 2>&1; then \
		npm ci --prefix tools/azurite --no-audit --no-fund --loglevel=error; \
	fi

test: $(VENV)/.installed-dev translations azurite
	env -u TEST_DATABASE_URL $(BIN)/python -m pytest $(PYTEST_ARGS)
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "== Running the suite again on PostgreSQL ($$TEST_DATABASE_URL)"; \
		$(BIN)/python -m pytest $(PYTEST_ARGS); \
	fi

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache

format: $(VENV)/.installed-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

i18n: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg --ignore-dirs=".* .venv __pycache__ node_modules" -k _l -k lazy_gettext --no-location --sort-output -o $(TRANSLATIONS)/messages.pot .
	$(BIN)/pybabel update -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS) --no-fuzzy-matching --ignore-obsolete

# make bench N=5000 REQUESTS=100 ROUNDS=3 MIXED_SECONDS=60 MIXED_THINK=1 PDF_VENDORS=20000 ENGINES=sqlite,postgresql UNITS=10
N ?= 5000
REQUESTS ?= 100
ROUNDS ?= 3
MIXED_SECONDS ?= 60
MIXED_THINK ?= 1
PDF_VENDORS ?= 0
ENGINES ?= sqlite,postgresql
UNITS ?= 1
bench: $(VENV)/.installed-dev translations
	$(BIN)/python -m bench.run --vendors $(N) --requests $(REQUESTS) --rounds $(ROUNDS) --engines $(ENGINES) \
		--mixed-seconds $(MIXED_SECONDS) --think $(MIXED_THINK) --pdf-vendors $(PDF_VENDORS) \
		--units $(UNITS)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache test-artifacts
