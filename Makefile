# The two commands of the README: `make demo` and `make test`. Both install what they need.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo test lint unit integration e2e up down clean bench

$(STAMP): pyproject.toml
	@# docker-compose (Debian's package) validates the compose file offline, with no engine.
	command -v docker-compose >/dev/null || (apt-get update -qq && apt-get install -y -qq docker-compose >/dev/null)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[localstack,dev]'
	touch $(STAMP)

install: $(STAMP)

## Import examples/customers.csv on a private local stack, print the result, stop everything.
demo: $(STAMP)
	$(BIN)/python -m stack demo

## Lint, type-check, then every test tier in one run against the real servers.
test: lint
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .

unit: $(STAMP)
	$(BIN)/pytest tests/unit

integration: $(STAMP)
	$(BIN)/pytest tests/integration

e2e: $(STAMP)
	$(BIN)/pytest tests/e2e

## Run the whole product locally and leave it up (API on http://127.0.0.1:8000).
up: $(STAMP)
	$(BIN)/python -m stack up

down: $(STAMP)
	$(BIN)/python -m stack down

clean: down
	rm -rf .stack

## Import a generated 1 M-row file (ROWS=… to choose) through the whole product and measure it.
bench: $(STAMP)
	$(BIN)/python -m bench $(BENCH_ARGS)
