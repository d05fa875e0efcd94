# Café: `make run` serves the app with a demo event; `make test` runs every test.
# Both set up what they need first (Python packages, front-end assets, test browser).

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
FLASK := $(BIN)/flask --app cafe
SASS_FLAGS := --no-source-map --style=compressed --load-path=node_modules --quiet-deps \
	--silence-deprecation=import --silence-deprecation=global-builtin
ASSETS := cafe/static/build/cafe.css cafe/static/build/govuk-frontend.min.js
# Debian packages the tests use: the browser, PostgreSQL, PDF tools, QR decoding, and the
# text layout and fonts WeasyPrint draws PDFs with (usually there already).
TEST_DEBS := chromium postgresql poppler-utils zbar-tools libpango-1.0-0 libpangoft2-1.0-0 \
	fonts-dejavu-core

.PHONY: setup run test test-quick system-deps bench lint clean

setup: $(VENV)/.installed $(ASSETS)

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip 2>&1 | grep -v "is ignored" || true
	$(BIN)/pip install -q -e '.[test]' 2>&1 | grep -v "is ignored" || true
	$(BIN)/python -c "import cafe, flask_sqlalchemy, ortools, playwright"
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

cafe/static/build/cafe.css: node_modules/.installed cafe/assets/cafe.scss $(wildcard cafe/assets/_*.scss)
	mkdir -p cafe/static/build
	node_modules/.bin/sass $(SASS_FLAGS) cafe/assets/cafe.scss $@

cafe/static/build/govuk-frontend.min.js: node_modules/.installed
	mkdir -p cafe/static/build
	cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js $@

run: setup
	$(FLASK) db upgrade
	$(FLASK) demo --if-empty
	@echo "Café is at http://127.0.0.1:$(PORT)/ (stop it with Ctrl+C)"
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

# Installs the Debian packages the tests need when they are missing (needs root, as on CI).
system-deps:
	@missing=""; for p in $(TEST_DEBS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  apt-get update -qq && apt-get install -y -qq $$missing >/dev/null; \
	fi

test: system-deps setup
	$(BIN)/python -m pytest -q

# A quick loop while working: no browser, no big solver runs.
test-quick: setup
	$(BIN)/python -m pytest -q -m "not browser and not slow"

bench: setup
	$(BIN)/python bench/solver.py
	$(BIN)/python bench/import_contacts.py
	$(BIN)/python bench/send_invitations.py
	$(BIN)/python bench/rsvp_load.py
	$(BIN)/python bench/plan_page.py
	$(BIN)/python bench/replan.py
	$(BIN)/python bench/itinerary_pdf.py

lint: setup
	$(BIN)/ruff check cafe tests bench

clean:
	rm -rf $(VENV) node_modules cafe/static/build .pytest_cache
