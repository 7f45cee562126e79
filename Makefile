# Two commands on a fresh machine: `make demo` and `make test`. See README.md.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
DEMO_DIR := var/demo-data
DEMO_AGENTS ?= 300
DEMO_WEEKS ?= 78
PYTEST_FAST := -m "not services and not worker and not browser"

.PHONY: install demo test lint test-services test-worker test-browser serve worker bench \
	screenshots clean-demo

$(VENV)/.installed: requirements.txt
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

# htmx, Chart.js and axe-core from npm (package-lock.json), served from static/vendor.
static/vendor/.built: package.json package-lock.json scripts/build-static
	npm ci --no-audit --no-fund --loglevel=error
	scripts/build-static
	touch $@

install: $(VENV)/.installed static/vendor/.built

test: install
	$(BIN)/pytest $(PYTEST_FAST)

lint: install
	$(BIN)/ruff check .
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python manage.py spectacular --validate --fail-on-warn --file /dev/null
	LND_PRODUCTION=true SECRET_KEY="$$(head -c 48 /dev/urandom | base64)" \
		ALLOWED_HOSTS=lnd.example.com $(BIN)/python manage.py check --deploy --fail-level WARNING

# Needs DATABASE_URL (PostgreSQL) and CELERY_BROKER_URL (Redis); .ci/run sets them.
test-services: install
	$(BIN)/pytest -m services

# The embedded set-up: SQLite file and a worker on the filesystem broker.
test-worker: install
	env -u DATABASE_URL -u CELERY_BROKER_URL $(BIN)/pytest -m worker

# Debian's chromium driven by Playwright for Python (never `playwright install`).
test-browser: install
	$(BIN)/pytest -m browser

demo: install
	$(BIN)/python manage.py migrate --noinput
	test -f $(DEMO_DIR)/agents.csv || $(BIN)/python manage.py simulate $(DEMO_DIR) \
		--agents $(DEMO_AGENTS) --weeks $(DEMO_WEEKS) --seed 7
	$(BIN)/python manage.py import_data $(DEMO_DIR)
	$(BIN)/python manage.py train
	$(BIN)/python manage.py recommend --all
	$(BIN)/python manage.py score_risk || echo "No active risk model: risk scores skipped."
	$(BIN)/python manage.py report retention > /dev/null
	$(BIN)/python manage.py create_demo_users
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	scripts/serve-demo

serve: install
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	OMP_NUM_THREADS=1 $(BIN)/gunicorn lnd.wsgi --bind 127.0.0.1:8000 \
		--workers $$(( $$(nproc) * 2 + 1 )) --access-logfile -

worker: install
	OMP_NUM_THREADS=1 $(BIN)/celery -A lnd worker --loglevel INFO --concurrency $$(nproc)

# Every main page for each role, laptop and phone widths, into screenshots/ (run
# `make demo` first; it creates the data and the demo users).
screenshots: install
	$(BIN)/python scripts/screenshots.py

bench: install
	@for b in bench/bench_*.py; do $(BIN)/python $$b || exit 1; done

clean-demo:
	rm -rf $(DEMO_DIR) var/lnd.sqlite3*
