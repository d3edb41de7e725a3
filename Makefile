# Planwright: `make run` sets up everything and serves http://127.0.0.1:5000 (`make run PORT=5050` elsewhere);
# `make test` runs the suite. Both install the Debian packages they need (.ci/system-packages) when run as root
# or with sudo that needs no password, and otherwise print the one command to run: python3 (3.11+) with venv,
# npm (front-end assets, install time only), libpango-1.0-0, libpangoft2-1.0-0 and libharfbuzz-subset0
# (WeasyPrint); `make test` also chromium and fonts-liberation.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
USWDS_DIST := node_modules/@uswds/uswds/dist
STATIC_USWDS := app/static/uswds
export FLASK_APP := app:create_app
# Where `make run` serves: `make run PORT=5050` (or HOST=...) overrides; a HOST or PORT in the environment does not.
HOST := 127.0.0.1
PORT := 5000
# The address links in e-mails and the demo's sign-in message point to.
PUBLIC_BASE_URL ?= http://$(if $(filter 0.0.0.0,$(HOST)),127.0.0.1,$(HOST)):$(PORT)

.PHONY: run test security lint bench check-system check-system-test deps dev-deps assets db seed clean

run: check-system deps assets db seed
	PUBLIC_BASE_URL=$(PUBLIC_BASE_URL) $(BIN)/flask run --host $(HOST) --port $(PORT)

# The heavy security sweeps (marker `security`) run in `make security`, not here; CI runs both.
test: check-system-test dev-deps assets
	$(BIN)/pytest -m "not security"

# The security evidence in one summary (also saved to tests/security/results/latest.json): route x role x
# organization matrix, form and API-body fuzzing (Hypothesis profile `ci`: 200 examples per form class), CSRF,
# headers, tenant isolation and bandit. pip-audit asks its advisory service over the network, so it runs only
# with PIP_AUDIT=1 (`make security PIP_AUDIT=1`); otherwise the summary says it was skipped.
SECURITY_TESTS := tests/security tests/core/test_csrf.py tests/core/test_headers.py tests/core/test_isolation.py
# Plus the tests that hold each trust boundary (office <-> office, office <-> server secrets, agency <-> parent),
# listed in tests/security/test_trust_boundaries.py; the summary's "trust_boundaries" section reports each one.
TRUST_BOUNDARY_TESTS = $(shell $(BIN)/python tests/security/test_trust_boundaries.py)
HYPOTHESIS_PROFILE ?= ci
PIP_AUDIT ?= 0
security: check-system dev-deps assets
	HYPOTHESIS_PROFILE=$(HYPOTHESIS_PROFILE) PIP_AUDIT=$(PIP_AUDIT) $(BIN)/pytest -p no:cacheprovider $(SECURITY_TESTS) $(TRUST_BOUNDARY_TESTS)

lint: dev-deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy app

bench: dev-deps
	$(BIN)/python -m bench

check-system:
	@PYTHON=$(PYTHON) .ci/system-packages run

check-system-test:
	@PYTHON=$(PYTHON) .ci/system-packages test

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.deps: requirements.txt | $(BIN)/activate
	$(BIN)/pip install --quiet -r requirements.txt
	@touch $@

$(VENV)/.dev-deps: requirements.txt requirements-dev.txt | $(BIN)/activate
	$(BIN)/pip install --quiet -r requirements-dev.txt
	@touch $@ $(VENV)/.deps

deps: $(VENV)/.deps
dev-deps: $(VENV)/.dev-deps

$(STATIC_USWDS)/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts
	rm -rf $(STATIC_USWDS)
	mkdir -p $(STATIC_USWDS)
	cp -r $(USWDS_DIST)/css $(USWDS_DIST)/js $(USWDS_DIST)/fonts $(USWDS_DIST)/img $(STATIC_USWDS)/
	@touch $@

assets: $(STATIC_USWDS)/.installed

db: deps
	@mkdir -p instance
	$(BIN)/flask db upgrade

seed: db
	PUBLIC_BASE_URL=$(PUBLIC_BASE_URL) $(BIN)/flask seed demo

clean:
	rm -rf $(VENV) node_modules $(STATIC_USWDS) .pytest_cache .mypy_cache .ruff_cache
