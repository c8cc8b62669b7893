# Two commands on a fresh machine:
#   make run   set up (.venv, pinned packages, local Leaflet files, demo database) and start the app
#   make test  the same setup, then lint, format check and every test
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DB ?= data/lead.duckdb
PORT ?= 8501

.PHONY: setup run test lint format bench boundaries calibration clean

$(BIN)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

static/vendor/.complete: scripts/fetch_web_assets.sh
	./scripts/fetch_web_assets.sh

# The local OpenID Connect provider the single sign-on tests start (npm oidc-provider, pinned in
# tests/oidc/package-lock.json); skipped by those tests, saying why, when node is missing.
tests/oidc/node_modules/.complete: tests/oidc/package.json tests/oidc/package-lock.json
	if command -v npm >/dev/null 2>&1; then cd tests/oidc && npm ci --silent --no-audit --no-fund && touch node_modules/.complete; fi

$(DB): | $(BIN)/.installed
	$(BIN)/python -m ingest setup --db $(DB)

setup: $(BIN)/.installed static/vendor/.complete tests/oidc/node_modules/.complete

run: setup $(DB)
	$(BIN)/python -m ui.serve --server.port $(PORT)

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(BIN)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test: setup lint
	$(BIN)/python -m pytest

bench: setup
	$(BIN)/python -m bench

.PHONY: bench-quick
bench-quick: setup
	$(BIN)/python -m bench --quick

# Maintainer tools: regenerate shipped, generalised data from the official open-data files.
boundaries: $(BIN)/.installed
	$(BIN)/python -m geo.build_boundaries

calibration: $(BIN)/.installed
	$(BIN)/python -m ingest.calibrate

clean:
	rm -rf $(VENV) static/vendor build tests/oidc/node_modules $(DB)
