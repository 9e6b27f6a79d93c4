# Loupe: `make run` serves the bundled samples, `make test` runs the whole suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
INDEX ?= index
HOST ?= 127.0.0.1
PORT ?= 8080

.PHONY: run install install-test test lint reindex serve clean bench-entities

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(VENV)/.installed $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

reindex: install
	$(BIN)/loupe reindex samples/ --index $(INDEX)

run: reindex
	$(BIN)/loupe serve --index $(INDEX) --host $(HOST) --port $(PORT)

serve: install
	$(BIN)/loupe serve --index $(INDEX) --host $(HOST) --port $(PORT)

test: install-test
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

# Scores on the dev gold (../shared/gold) and extraction throughput with 1 and 2 processes.
bench-entities: install
	$(BIN)/python bench/entities.py

lint: install-test
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) $(INDEX)/gen-* $(INDEX)/CURRENT $(INDEX)/*.lock
