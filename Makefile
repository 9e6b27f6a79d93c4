# Loupe: `make run` serves the bundled samples, `make test` runs the whole suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
INDEX ?= index
HOST ?= 127.0.0.1
PORT ?= 8080

.PHONY: run install install-test test lint reindex serve clean bench-load bench-html browser bench-entities install-bench bench bench-relevance

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(VENV)/.installed $@

# The bench also needs readability-lxml (the alternative extractor it compares with). The pip
# 23.2 that venv brings fails to resolve it next to trafilatura ("lxml[html_clean]" and
# "lxml[html-clean]" are one extra it does not normalise), so this step updates pip first.
$(VENV)/.installed-bench: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check pip==25.3
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test,bench]'
	touch $(VENV)/.installed $(VENV)/.installed-test $@

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

# Ranking quality next to FTS5, tantivy and Lucene (README "Ranking"); BENCH_ARGS="--quick"
# for the tuning subset. Lucene needs Anserini's jar in bench/.work and a JDK 21+.
bench-relevance: install-bench
	$(BIN)/python bench/relevance.py --json bench/.work/relevance.json $(BENCH_ARGS)

bench-load: install
	$(BIN)/python bench/load.py

# HTML reader against the reference records (needs ../shared/corpus/): both extractors.
bench-html: $(VENV)/.installed-bench
	$(BIN)/python bench/html_pages.py

# Headless Chromium and its driver for tests/test_browser.py, from Debian's packages (needs
# root; CI runs it before `make test`). Without them the browser tests are skipped, except
# under CI=true where they fail. Nothing is ever downloaded by the tests themselves.
browser:
	@if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then \
		echo "chromium and chromedriver are installed"; \
	else \
		apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium chromium-driver; \
	fi

# Scores on the dev gold (../shared/gold) and extraction throughput with 1 and 2 processes.
bench-entities: install
	$(BIN)/python bench/entities.py

lint: install-test
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) $(INDEX)/gen-* $(INDEX)/CURRENT $(INDEX)/*.lock
