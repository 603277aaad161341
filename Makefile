# mltrace: `make demo` to try it, `make test` to check it.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install test test-python test-ui lint bench demo demo-postgres ui ui-fixtures serve clean browser screenshots

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)  ## create .venv with mltrace and its dev tools

ui/node_modules: ui/package-lock.json
	cd ui && npm ci --no-audit --no-fund
	touch ui/node_modules

ui: install ui/node_modules  ## build the console into mltrace/server/static when it is missing or older than ui/ (build_console.py)
	$(BIN)/python build_console.py

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check mltrace tests bench
	$(BIN)/mypy

test: browser install ui  ## the whole suite: lint, types, UI unit tests, Python tests on SQLite and PostgreSQL, browser tests
	$(BIN)/ruff check .
	$(BIN)/mypy
	cd ui && npm run format:check && npm test
	$(BIN)/pytest -n 2 --dist loadgroup

test-ui: ui
	cd ui && npm test

browser:  ## Chromium for the browser tests: installed with apt-get as root, else one line says what to install
	@$(PY) -m tests.e2e.chromium

SCREENSHOT_NOW ?= 2026-05-04T09:30:00+00:00
screenshots: browser install ui  ## rewrite docs/screenshots from the demo stored at a fixed time (SCREENSHOT_NOW)
	MLTRACE_SCREENSHOTS_DIR=docs/screenshots MLTRACE_DEMO_NOW=$(SCREENSHOT_NOW) \
	  $(BIN)/pytest tests/e2e/test_screenshots.py -k photographed -p no:tests.unchanged_checkout -q

ui-fixtures: install  ## record the server's answers over the demo data for the console's tests (ui/src/testing/api-dump.json)
	$(BIN)/python -m tests.console_api_dump

bench: install ui/node_modules  ## performance figures (not part of make test)
	$(BIN)/python -m bench
	cd ui && npm run bench:layout

DEMO_PORT ?= 8080
DEMO_PG ?= postgresql://postgres@127.0.0.1:5432/mltrace_demo
# Before anything else: is the port free (as gunicorn binds it)? If not, one line says how to pick another.
DEMO_PORT_FREE = $(PY) -c 'import socket; s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); \
  s.bind(("127.0.0.1", int("$(DEMO_PORT)")))' 2>/dev/null || \
  { echo "make $@: port $(DEMO_PORT) is taken or not a port; pick another: make $@ DEMO_PORT=8081" >&2; exit 1; }
DEMO_DB = $$($(BIN)/python -c 'import populate_db; print(populate_db.demo_db_uri())')
DEMO_HINT = printf '\nServing http://127.0.0.1:$(DEMO_PORT): press / in the console, type review and follow the top run,\nor in another terminal: $(BIN)/mltrace --server http://127.0.0.1:$(DEMO_PORT) review\nCtrl-C stops the server.\n\n'

demo:  ## seed the demo's own SQLite database ($$MLTRACE_HOME/demo.db) and serve the console on port DEMO_PORT (8080)
	@$(DEMO_PORT_FREE)
	@$(MAKE) --no-print-directory install $(if $(wildcard ui),ui)
	@db="$(DEMO_DB)" && $(BIN)/python populate_db.py --db "$$db" --reset && $(DEMO_HINT) && \
	  exec $(BIN)/mltrace serve --host 127.0.0.1 --port $(DEMO_PORT) --db "$$db"

demo-postgres:  ## the same demo on PostgreSQL ($(DEMO_PG), created if missing)
	@$(DEMO_PORT_FREE)
	@$(MAKE) --no-print-directory install $(if $(wildcard ui),ui)
	@$(BIN)/python populate_db.py --db "$(DEMO_PG)" --create-db --reset && $(DEMO_HINT) && \
	  exec $(BIN)/mltrace serve --host 127.0.0.1 --port $(DEMO_PORT) --db "$(DEMO_PG)"

clean:
	rm -rf $(VENV) build dist *.egg-info mltrace/server/static ui/node_modules
