# Loupe: `make run` serves the bundled samples, `make test` runs the whole suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
INDEX ?= index
HOST ?= 127.0.0.1
PORT ?= 8080

.PHONY: run install install-test test lint reindex serve clean bench-load bench-html browser bench-entities train-persons install-bench bench axe bench-scale bench-relevance

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

# The suite on every core (pytest-xdist, one worker per core, a file's tests on one worker,
# the slowest files first: see tests/conftest.py); `make test PYTEST_ARGS=` runs it
# serially, in one process.
XDIST_ARGS := -n auto --dist loadgroup --no-loadscope-reorder
PYTEST_ARGS ?= $(XDIST_ARGS)

test: install-test axe
	$(BIN)/ruff check .
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# axe-core, the accessibility checker tests/test_browser.py runs in each page, from npm at a
# pinned version into .cache/axe (gitignored). Without npm the check is skipped, except
# under CI=true where it fails (`make browser` installs npm with Chromium).
AXE_VERSION := 4.14.1
AXE := .cache/axe/node_modules/axe-core/axe.min.js
$(AXE):
	@if command -v npm >/dev/null; then \
		npm install --silent --no-audit --no-fund --no-save --prefix .cache/axe axe-core@$(AXE_VERSION); \
	else \
		echo "npm is missing: the accessibility check of the browser tests will not run"; \
	fi

axe: $(AXE)

# Loupe, Datasette, SQLite FTS5 and tantivy side by side (README "Performance"); add
# BENCH_ARGS="--sizes 5000" etc. About 15 min with the full corpus on 2 cores.
bench: install-bench
	$(BIN)/python bench/compare.py --serve --json bench/.work/compare.json $(BENCH_ARGS)

# Loupe at 100,000, 300,000 and 1,000,000 synthetic articles beside FTS5, Datasette and
# tantivy (README "At archive sizes"); BENCH_ARGS="--sizes 100000" for the smallest alone.
bench-scale: install-bench
	$(BIN)/python bench/scale.py --json bench/.work/scale.json $(BENCH_ARGS)

# Ranking quality next to FTS5, tantivy and Lucene (README "Ranking"); BENCH_ARGS="--quick"
# for the tuning subset. Lucene needs Anserini's jar in bench/.work and a JDK 21+.
bench-relevance: install-bench
	$(BIN)/python bench/relevance.py --json bench/.work/relevance.json $(BENCH_ARGS)

bench-load: install
	$(BIN)/python bench/load.py

# HTML reader against the reference records (needs ../shared/corpus/): both extractors.
bench-html: $(VENV)/.installed-bench
	$(BIN)/python bench/html_pages.py

# Headless Chromium and its driver for tests/test_browser.py, and npm for axe-core, from Debian's
# packages (needs root; CI runs it before `make test`), only those missing: a machine whose
# Node.js already brings npm gets no Debian npm, which its nodejs package conflicts with.
# Without them the browser tests are skipped, except under CI=true where they fail.
# Nothing is ever downloaded by the tests themselves.
browser:
	@missing=""; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	[ -x /usr/bin/chromedriver ] || missing="$$missing chromium-driver"; \
	command -v npm >/dev/null || missing="$$missing npm"; \
	if [ -z "$$missing" ]; then \
		echo "chromium, chromedriver and npm are installed"; \
	else \
		apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y $$missing; \
	fi

# Scores on the dev gold (../shared/gold) and extraction throughput with 1 and 2 processes.
bench-entities: install
	$(BIN)/python bench/entities.py

# Retrain the learned person decision, an experiment the extractor does not use
# (bench/person_decision.py, weights in bench/gold/person-model.json), on the tuning gold,
# after its leave-one-round-out cross-validation (bench/person_model.py).
train-persons: install
	$(BIN)/python bench/person_model.py --write

lint: install-test
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) $(INDEX)/gen-* $(INDEX)/CURRENT $(INDEX)/*.lock
