# The two commands of the README: `make serve` and `make test`.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
NPM ?= npm
# bpmn-js viewer and the modeler bundle, built from npm packages (generated, gitignored)
ASSETS := api/static/vendor/.built

.PHONY: install serve test lint bench

install: $(VENV)/.installed $(ASSETS)

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

$(ASSETS): package.json package-lock.json $(wildcard api/static/src/*)
	$(NPM) ci --no-audit --no-fund
	$(NPM) run build

serve: install  ## SQLite store in the user data dir, every process deployed, demo users seeded
	$(BIN)/alur serve --host $${ALUR_HOST:-127.0.0.1} --port $${ALUR_PORT:-8000}

test: install  ## the whole suite, browser tests included (PostgreSQL ones need ALUR_TEST_POSTGRES_URL)
	$(BIN)/pytest -n $${ALUR_TEST_WORKERS:-auto}

lint: install  ## ruff, the layer contracts, and mypy over the four packages
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy alur api projections orchestrator

bench: install
	$(BIN)/python -m benchmarks.run
