# GridGov: the two commands of the README are `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1
VAR_DIR ?= var

.PHONY: demo test install static lint typecheck migrations-check pytest serve lock messages clean

# --- set-up -----------------------------------------------------------------------------------------------------
$(BIN)/.installed: pyproject.toml requirements/constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements/constraints.txt -e ".[dev]"
	touch $@

install: $(BIN)/.installed

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Front-end libraries from npm (package-lock.json), copied into gridgov/static_build: no CDN at run time.
static: node_modules/.installed
	npm run --silent build

$(VAR_DIR)/secret_key:
	mkdir -p $(VAR_DIR)
	$(PYTHON) -c "import secrets; print(secrets.token_urlsafe(50))" > $@
	chmod 600 $@

# --- the demo on SQLite -------------------------------------------------------------------------------------------
demo: install static $(VAR_DIR)/secret_key
	$(BIN)/gridgov migrate --noinput
	$(BIN)/gridgov collectstatic --noinput --verbosity 0
	$(BIN)/gridgov load_demo
	$(BIN)/gridgov triage train --if-missing --no-history
	$(BIN)/gridgov alerts scan
	$(BIN)/gridgov bulletin --previous --period month
	$(BIN)/gridgov serve --host $(HOST) --port $(PORT)

demo serve: export DATABASE_URL := sqlite:///$(abspath $(VAR_DIR))/gridgov.sqlite3
demo serve: export SECRET_KEY_FILE := $(abspath $(VAR_DIR))/secret_key

serve: install $(VAR_DIR)/secret_key
	$(BIN)/gridgov serve --host $(HOST) --port $(PORT)

# --- the tests ------------------------------------------------------------------------------------------------------
# Lint, types, migrations, then the whole suite on SQLite, and again on PostgreSQL when DATABASE_URL points at one.
test: install static lint typecheck migrations-check pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	SECRET_KEY=typecheck $(BIN)/mypy gridgov bench

migrations-check: install
	SECRET_KEY=check DATABASE_URL=sqlite:///:memory: $(BIN)/gridgov makemigrations --check --dry-run

pytest: install static
	@echo "== pytest on SQLite =="
	env -u DATABASE_URL $(BIN)/pytest
	@if [[ "$$DATABASE_URL" == postgres* ]]; then \
		echo "== pytest on PostgreSQL ($$DATABASE_URL) =="; \
		$(BIN)/pytest; \
	else \
		echo "DATABASE_URL is not a PostgreSQL URL: skipping the PostgreSQL run"; \
	fi

# --- maintenance ----------------------------------------------------------------------------------------------------
lock: install
	( head -n 2 requirements/constraints.txt; $(BIN)/pip freeze --exclude-editable | grep -v -i '^gridgov' ) > requirements/constraints.tmp
	mv requirements/constraints.tmp requirements/constraints.txt

messages: install
	cd gridgov && SECRET_KEY=messages ../$(BIN)/gridgov makemessages -l zh_Hans -l en --no-obsolete --ignore 'static_build/*'
	cd gridgov && SECRET_KEY=messages ../$(BIN)/gridgov makemessages -d djangojs -l zh_Hans -l en --no-obsolete --ignore 'static_build/*'
	cd gridgov && SECRET_KEY=messages ../$(BIN)/gridgov compilemessages

clean:
	rm -rf $(VENV) node_modules gridgov/static_build test-output
