# Two commands a newcomer needs: `make run` and `make test`. Everything else is a helper.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
# Local development runs with DEBUG on; production sets DEBUG=false and a SECRET_KEY (see README).
export DEBUG ?= true

# The first interpreter on PATH that is Python >= 3.12 (pyenv picks 3.12 from .python-version).
FIND_PYTHON := for p in python3 python3.13 python3.12 python; do \
	  if command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; \
	  then command -v $$p; break; fi; done

.PHONY: help run serve port-free test lint e2e bench messages demo clean

# `make run PORT=8001` serves on another port. Only on this machine: the demo logins are published.
PORT ?= 8000
HOST := 127.0.0.1

help:
	@echo "make run    - install, migrate, load factors and demo data, serve on http://127.0.0.1:8000"
	@echo "              (make run PORT=8001 serves on another port)"
	@echo "make test   - install dev tools, run ruff, the migrations check and the whole test suite"
	@echo "make lint   - ruff only"
	@echo "make e2e    - browser tests only (needs Debian's chromium)"
	@echo "make bench  - benchmarks in tests/bench (not part of make test); SCALE=10m for 10M records"
	@echo "make messages - refresh and compile the zh_Hans translation catalogue (needs gettext)"

$(PY):
	@py="$$($(FIND_PYTHON))"; \
	if [ -z "$$py" ]; then \
	  found="$$(python3 --version 2>&1 || echo 'no python3 at all')"; \
	  echo "error: Kehui Carbon needs Python >= 3.12 (Django 6.1); found: $$found." >&2; \
	  echo "       Install Python 3.12 or newer (e.g. 'pyenv install 3.12') and run make again." >&2; \
	  exit 1; \
	fi; \
	echo "Creating $(VENV) with $$py ($$($$py --version))"; \
	rm -rf $(VENV) && $$py -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade "pip>=25.1"

# Stamps make re-runs cheap: dependencies are reinstalled only when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml $(VENV)/.installed
	$(PY) -m pip install --quiet --group dev
	@touch $@

# The port is checked first, before anything is installed: a busy port stops make at once,
# not after minutes of installing and migrating.
run: port-free
	@$(MAKE) --no-print-directory serve

# With any Python 3 on PATH (the .venv may not exist yet); without one, $(PY) says what to do.
port-free:
	@py="$$($(FIND_PYTHON))"; py="$${py:-$$(command -v python3 || true)}"; \
	if [ -n "$$py" ]; then "$$py" scripts/check_port.py "$(HOST)" "$(PORT)"; fi

# The demo logins are created before the demo data (its evidence files need an uploader) and
# printed last, just before the server's own lines, where they are not scrolled away. The job
# worker (recalculations, docs/operations.md "Background jobs") runs beside the server: Ctrl-C
# stops both (the whole foreground group gets it), and the trap stops the worker whenever the
# server ends another way.
serve: $(VENV)/.installed
	@mkdir -p var staticfiles
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_factors
	$(PY) manage.py load_activity_types
	@logins="$$($(PY) manage.py create_demo_superuser --url http://$(HOST):$(PORT))" || exit 1; \
	echo "$(PY) manage.py load_demo"; $(PY) manage.py load_demo || exit 1; \
	echo; echo "$$logins"; echo; \
	$(PY) manage.py db_worker --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT; \
	$(PY) manage.py runserver "$(HOST):$(PORT)"

# One pytest worker per core, each with its own test database (pytest-django adds _gw0, _gw1…).
# PYTEST_WORKERS=0 runs in one process.
PYTEST_WORKERS ?= auto

test: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/pytest --numprocesses $(PYTEST_WORKERS)

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .

e2e: $(VENV)/.installed-dev
	$(VENV)/bin/pytest tests/e2e

$(VENV)/.installed-bench: pyproject.toml $(VENV)/.installed-dev
	$(PY) -m pip install --quiet --group bench
	@touch $@

# SCALE=10m: ten million records over 1,000 facilities (issue 22) instead of a million over 200,
# after the page benchmark at a million records over the same 1,000 facilities, which the 10M
# pages are compared with (one KEHUI_BENCH_RUN names both). Both run whatever the first gives.
ifeq ($(SCALE),10m)
bench: $(VENV)/.installed-bench
	@run=$$(date +%Y%m%dT%H%M%S); export KEHUI_BENCH_RUN=$$run KEHUI_BENCH_FACILITIES=1000; \
	KEHUI_BENCH_RECORDS=1000000 $(VENV)/bin/pytest tests/bench/test_pages_bench.py -p no:randomly -s; \
	first=$$?; \
	KEHUI_BENCH_RECORDS=10000000 KEHUI_BENCH_IMPORT_ROWS=1000000 \
	$(VENV)/bin/pytest tests/bench -p no:randomly -s; \
	second=$$?; \
	test $$first -eq 0 -a $$second -eq 0
else
bench: $(VENV)/.installed-bench
	$(VENV)/bin/pytest tests/bench -p no:randomly -s
endif

messages: $(VENV)/.installed
	$(PY) manage.py makemessages --locale zh_Hans --no-obsolete --ignore '.venv/*' --ignore 'var/*' --ignore 'tests/*' --ignore 'staticfiles/*'
	$(PY) manage.py compilemessages --locale zh_Hans --ignore '.venv/*'

clean:
	rm -rf $(VENV) var/*.sqlite3 staticfiles
