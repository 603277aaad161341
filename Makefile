# mltrace: `make demo` to try it, `make test` to check it.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install test test-python test-ui lint bench demo demo-postgres ui serve clean

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

test: install  ## the whole suite: lint, Python tests on SQLite and PostgreSQL, UI tests
	$(BIN)/ruff check .
	$(BIN)/pytest -n 2 --dist loadgroup
	@if [ -f ui/package.json ]; then $(MAKE) test-ui; fi

test-ui: ui
	cd ui && npm test

bench: install  ## performance figures (not part of make test)
	$(BIN)/python -m bench

demo: install  ## seed the embedded database and serve the console on http://127.0.0.1:8080
	@if [ -f ui/package.json ]; then $(MAKE) ui; fi
	@if [ -f populate_db.py ]; then $(BIN)/python populate_db.py --reset; else echo "The demo pipeline does not exist yet."; fi
	@if [ -f mltrace/server/app.py ]; then $(BIN)/mltrace serve --port 8080; else echo "The server does not exist yet."; fi

clean:
	rm -rf $(VENV) build dist *.egg-info mltrace/server/static ui/node_modules
