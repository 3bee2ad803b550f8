# microbag: the two set-up commands are `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# PostgreSQL used by `make test-postgres` and the benchmarks.
PG_URL ?= postgresql://postgres@127.0.0.1:5432/test
# The suite runs on every core; a file's tests stay on one worker (module fixtures are
# built once). `make test PYTEST_PARALLEL=` runs it in one process.
PYTEST_PARALLEL ?= -n auto --dist loadfile

.PHONY: run test test-postgres lint bench install install-dev clean chromium

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed pyproject.toml
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

## make run: venv, install, migrate SQLite, load demo data if empty, queue a trends and a
## forecast run if none exists, serve on http://$(HOST):$(PORT) with a job worker in-process
run: install
	$(BIN)/microbag db upgrade
	$(BIN)/microbag demo load --if-empty
	$(BIN)/microbag trends run --queue --if-missing
	$(BIN)/microbag forecast run --horizon 8 --queue --if-missing
	$(BIN)/microbag plan mine-bundles --queue --if-missing
	$(BIN)/microbag serve --host $(HOST) --port $(PORT) --with-worker

## make chromium: Debian's Chromium for the browser tests (never a downloaded browser)
chromium:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing Debian's chromium for the browser tests"; \
		DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null; \
	else echo "no /usr/bin/chromium: browser tests will be skipped (apt-get install chromium)"; fi

## make test: dev dependencies, lint, types, import layering, the whole suite (SQLite)
test: install-dev chromium lint
	$(BIN)/python -m pytest $(PYTEST_PARALLEL) $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

## make test-postgres: the database tests again, against PostgreSQL at $(PG_URL)
test-postgres: install-dev
	MICROBAG_TEST_DATABASE_URL=$(PG_URL) $(BIN)/python -m pytest -m db $(PYTEST_PARALLEL) $(PYTEST_ARGS)

## make bench: benchmarks; figures as one JSON object on the last line
bench: install-dev
	$(BIN)/python -m bench.run --pg-url $(PG_URL)

clean:
	rm -rf $(VENV) microbag.db microbag.db-wal microbag.db-shm .pytest_cache .mypy_cache .ruff_cache .import_linter_cache
