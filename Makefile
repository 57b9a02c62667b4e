# Two commands for a newcomer:  `make run` (set up + serve the API with demo data) and
# `make test` (the whole test suite). Both create .venv and install requirements on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test setup migrate serve bench bench-import bench-analytics openapi screenshots clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python requirements.txt requirements-dev.txt
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

setup: $(VENV)/.installed

migrate: setup
	$(BIN)/python manage.py migrate --noinput

run: migrate
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: setup
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# 100k generated rows through manage.py import_leads: time, peak memory, then list/search latency.
# Use PostgreSQL for real figures: DATABASE_URL=postgres://... make bench-import
bench-import: migrate
	$(BIN)/python bench/leads_import_bench.py $(BENCH_ARGS)

# The performance benchmark (docs/performance.md): PostgreSQL on 127.0.0.1 and wrk (apt-get install wrk).
bench: setup
	$(BIN)/python bench/perf.py $(BENCH_ARGS)

# Analytics latency at 200,000 leads, 1,000,000 calls and 100,000 appointments (PostgreSQL only; the
# data is generated on the first run and kept; BENCH_ARGS=--regenerate rebuilds it).
# DATABASE_URL=postgres://postgres@127.0.0.1:5432/reps_analytics_bench make bench-analytics
bench-analytics: migrate
	$(BIN)/python bench/analytics_bench.py $(BENCH_ARGS)

# Regenerate the committed OpenAPI file after an API change (a test fails while it differs from the served schema).
openapi: setup
	$(BIN)/python manage.py spectacular --validate --fail-on-warn --file docs/openapi.yaml

# PNGs of the admin pages the browser tests visit, as a gym admin and as an agent (needs Chromium:
# apt-get install chromium). SCREENSHOTS_DIR=path chooses the folder.
SCREENSHOTS_DIR ?= screenshots
screenshots: setup
	SCREENSHOTS_DIR=$(abspath $(SCREENSHOTS_DIR)) $(BIN)/python -m pytest console/tests/test_browser.py
	@echo "Screenshots in $(SCREENSHOTS_DIR)/"

clean:
	rm -rf $(VENV) db.sqlite3
