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

.PHONY: help run install migrate import test lint format clean css axe

help:
	@echo "make run      install, migrate, import the sample minutes, serve http://$(HOST):$(PORT)"
	@echo "make test     install and run the whole test suite"
	@echo "make install  create $(VENV) and install the project with its dev tools"
	@echo "make migrate  apply database migrations"
	@echo "make import   import the minutes in $(SAMPLE_MINUTES)"
	@echo "make lint     ruff check and ruff format --check"
	@echo "make format   ruff format and ruff check --fix"
	@echo "make clean    remove $(VENV), build output and caches (keeps db.sqlite3)"
	@echo "make css      rebuild static/css/archive.css and static/js/ (needs Node.js and npm)"
	@echo "make axe      copy the pinned axe-core into tests/browser/vendor/ (needs npm)"

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
