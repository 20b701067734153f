# Everyday commands. Needs only GNU make and Python 3.11+; everything else goes into .venv.

PYTHON ?= python3
VENV ?= .venv
SAMPLE_MINUTES ?= tests/fixtures/minutes
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

BIN := $(VENV)/bin
PY := $(BIN)/python
# Install re-runs only when pyproject.toml is newer than this stamp.
STAMP := $(VENV)/.installed

.DEFAULT_GOAL := help

.PHONY: help run install migrate import test lint format clean css axe bench loadtest \
	score-corpus

help:
	@echo "make run      install, migrate, import the sample minutes, serve http://$(HOST):$(PORT)"
	@echo "make test     install and run the whole test suite"
	@echo "make install  create $(VENV) and install the project with its dev tools"
	@echo "make migrate  apply database migrations"
	@echo "make import   import the minutes in $(SAMPLE_MINUTES)"
	@echo "make lint     ruff check, ruff format --check and the import contracts (lint-imports)"
	@echo "make format   ruff format and ruff check --fix"
	@echo "make clean    remove $(VENV), build output and caches (keeps db.sqlite3)"
	@echo "make css      rebuild static/css/archive.css and static/js/ (needs Node.js and npm)"
	@echo "make axe      copy the pinned axe-core into tests/browser/vendor/ (needs npm)"
	@echo "make bench    generate a small synthetic archive and benchmark search on it"
	@echo "make loadtest 20 users for 60 s against gunicorn (see loadtest/README.md)"
	@echo "make score-corpus  score the reader on the real minutes in ../shared/corpus"

$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
		|| { echo "Python 3.11 or newer is needed; set PYTHON=/path/to/python3.11" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)

# The wheel holds no code (pyproject.toml sets no packages): installing it brings in the
# dependencies, and the apps run from this checkout.
$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --disable-pip-version-check ".[dev]"
	@touch $@

install: $(STAMP)

migrate: $(STAMP)
	$(PY) manage.py migrate --noinput

# Importing the same files again reports them unchanged and succeeds.
import: migrate
	$(PY) manage.py import_minutes $(SAMPLE_MINUTES)

run: import
	$(PY) manage.py runserver $(HOST):$(PORT)

test: $(STAMP)
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) build *.egg-info staticfiles .pytest_cache .ruff_cache test-results
	find . -name __pycache__ -type d -prune -exec rm -rf {} +

# The front-end build is committed, so nothing above needs Node.js. These two recreate it from
# frontend/package-lock.json; see "Design and front-end build" in the README.
css:
	cd frontend && npm ci --no-audit --no-fund && npm run build

axe:
	cd frontend && npm ci --no-audit --no-fund && npm run vendor:axe

# A synthetic archive in a database of its own (never db.sqlite3), then the search benchmark
# and the import benchmark; see docs/performance.md. BENCH_MEETINGS=50000 is a million items.
# The commands are the devtools app's, installed by the development settings only.
# A SQLite database named here is made anew; a PostgreSQL one must be empty or disposable.
BENCH_MEETINGS ?= 100
BENCH_DATABASE_URL ?= sqlite:////tmp/ssp-benchmark.sqlite3
BENCH_ARGS ?= --repeat 3
BENCH_SQLITE_FILE := $(patsubst sqlite:///%,%,$(filter sqlite:///%.sqlite3,$(BENCH_DATABASE_URL)))

bench: $(STAMP)
ifneq ($(BENCH_SQLITE_FILE),)
	rm -f -- "$(BENCH_SQLITE_FILE)" "$(BENCH_SQLITE_FILE)-wal" "$(BENCH_SQLITE_FILE)-shm"
endif
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) manage.py migrate --noinput -v 0
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) manage.py generate_archive --meetings $(BENCH_MEETINGS)
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) manage.py benchmark_search $(BENCH_ARGS)
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) manage.py benchmark_search --import 20

# Against an archive already generated in LOADTEST_DATABASE_URL; see loadtest/README.md.
LOADTEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/ssp_bench1m

loadtest: $(STAMP)
	DATABASE_URL=$(LOADTEST_DATABASE_URL) bash loadtest/run.sh

# The reader against the real minutes kept outside the repository (../shared/corpus, or
# SSP_SHARED), in a new database of its own; CI runs it on both databases.
SCORE_DATABASE ?= sqlite

score-corpus: $(STAMP)
	bash .ci/score_corpus $(SCORE_DATABASE)
