# Lantai — two commands: `make run` (set up, demo data, serve) and `make test` (set up, whole suite).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
export LANTAI_DATA_DIR ?= $(CURDIR)/var

.PHONY: run test setup setup-dev lint typecheck test-sqlite test-postgres messages bench clean

run: setup
	$(BIN)/lantai init
	$(BIN)/lantai demo
	$(BIN)/lantai serve

test:
	bash scripts/test.sh

setup:
	bash scripts/system-deps.sh run
	bash scripts/bootstrap.sh requirements.txt

setup-dev:
	bash scripts/bootstrap.sh requirements-dev.txt

lint: setup-dev
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts

typecheck: setup-dev
	LANTAI_DEBUG=1 $(BIN)/mypy

test-sqlite: setup-dev
	$(BIN)/pytest

test-postgres: setup-dev
	bash scripts/with-postgres.sh $(BIN)/pytest

messages: setup-dev
	$(BIN)/python scripts/i18n.py extract

bench: setup-dev
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
