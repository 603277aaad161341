# mltrace: `make demo` to try it, `make test` to check it.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install test test-python test-ui lint bench demo demo-postgres ui ui-fixtures serve clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)  ## create .venv with mltrace and its dev tools

ui/node_modules: ui/package-lock.json
	cd ui && npm ci --no-audit --no-fund
	touch ui/node_modules

ui: ui/node_modules  ## build the console into mltrace/server/static
	cd ui && npm run build

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check mltrace tests bench
	$(BIN)/mypy

test: install ui  ## the whole suite: lint, types, UI unit tests, Python tests on SQLite and PostgreSQL, browser tests
	$(BIN)/ruff check .
	$(BIN)/mypy
	cd ui && npm run format:check && npm test
	$(BIN)/pytest -n 2 --dist loadgroup

test-ui: ui
	cd ui && npm test

ui-fixtures: install  ## record the server's answers over the demo data for the console's tests (ui/src/testing/api-dump.json)
	$(BIN)/python -m tests.console_api_dump

bench: install ui/node_modules  ## performance figures (not part of make test)
	$(BIN)/python -m bench
	cd ui && npm run bench:layout

DEMO_PORT ?= 8080
DEMO_PG ?= postgresql://postgres@127.0.0.1:5432/mltrace_demo
EMBEDDED_DB = $$($(BIN)/python -c 'from mltrace.config import Config, default_db_uri; print(default_db_uri(Config.from_env().home))')
DEMO_HINT = printf '\nServing http://127.0.0.1:$(DEMO_PORT): press / in the console, type review and follow the top run,\nor run $(BIN)/mltrace review in another terminal. Ctrl-C stops the server.\n\n'

demo: install  ## seed the embedded SQLite database and serve the console on http://127.0.0.1:8080
	@if [ -d ui ]; then $(MAKE) --no-print-directory ui; fi
	@db="$(EMBEDDED_DB)" && $(BIN)/python populate_db.py --db "$$db" --reset && $(DEMO_HINT) && \
	  exec $(BIN)/mltrace serve --host 127.0.0.1 --port $(DEMO_PORT) --db "$$db"

demo-postgres: install  ## the same demo on PostgreSQL ($(DEMO_PG), created if missing)
	@if [ -d ui ]; then $(MAKE) --no-print-directory ui; fi
	@$(BIN)/python populate_db.py --db "$(DEMO_PG)" --create-db --reset && $(DEMO_HINT) && \
	  exec $(BIN)/mltrace serve --host 127.0.0.1 --port $(DEMO_PORT) --db "$(DEMO_PG)"

clean:
	rm -rf $(VENV) build dist *.egg-info mltrace/server/static ui/node_modules
