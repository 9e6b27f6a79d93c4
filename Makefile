# Loupe: `make run` serves the bundled samples, `make test` runs the whole suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
INDEX ?= index
HOST ?= 127.0.0.1
PORT ?= 8080

.PHONY: run install install-test install-bench test lint reindex serve clean bench bench-load

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(VENV)/.installed $@

$(VENV)/.installed-bench: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[bench]'
	touch $(VENV)/.installed $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

install-bench: $(VENV)/.installed-bench

reindex: install
	$(BIN)/loupe reindex samples/ --index $(INDEX)

run: reindex
	$(BIN)/loupe serve --index $(INDEX) --host $(HOST) --port $(PORT)

serve: install
	$(BIN)/loupe serve --index $(INDEX) --host $(HOST) --port $(PORT)

test: install-test
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

# Loupe, Datasette, SQLite FTS5 and tantivy side by side (README "Performance"); add
# BENCH_ARGS="--sizes 5000" etc. About 15 min with the full corpus on 2 cores.
bench: install-bench
	$(BIN)/python bench/compare.py --serve --json bench/.work/compare.json $(BENCH_ARGS)

bench-load: install
	$(BIN)/python bench/load.py

lint: install-test
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) $(INDEX)/gen-* $(INDEX)/CURRENT $(INDEX)/*.lock
