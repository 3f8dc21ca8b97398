# Two commands on a fresh machine: `make demo` and `make test` (see README).
# Every step installs what it needs; nothing has to be set up by hand first.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: install browser demo test unit lint infra bench docs screenshots clean help

help:
	@echo "make demo   - install, generate/load/build the portfolio on embedded DuckDB, serve the dashboard"
	@echo "make test   - install (incl. dev tools), lint, run every test"
	@echo "make infra  - offline infrastructure checks only (terraform fmt, checkov, HCL and grant tests)"
	@echo "make bench  - print measured performance figures (full scale; minutes)"
	@echo "make docs   - regenerate docs/data_dictionary.md, docs/erd.md, the lineage example"
	@echo "make screenshots - the user guides' screenshots from the demo data (after make demo)"
	@echo "make clean  - remove the virtualenv and ./data"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# constraints.txt pins the whole resolved tree so CI installs what was tested.
$(STAMP): $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $@

install: $(STAMP)

# The browser tests drive Debian's Chromium through Playwright (never a downloaded browser).
CHROMIUM ?= /usr/bin/chromium
SUDO     := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1

$(CHROMIUM):
	$(SUDO) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends chromium

browser: $(CHROMIUM)

# The main job, then the dashboard on it (Ctrl-C stops the server; SERVE=0 skips it;
# DEMO_ARGS="--as-of 2026-12-02" reproduces docs/demo.md's numbers).
SERVE ?= 1
DEMO_ARGS ?=
demo: install
	$(BIN)/c360 demo $(DEMO_ARGS)
	@if [ "$(SERVE)" != 0 ]; then $(BIN)/c360 serve; fi

lint: install
	$(BIN)/ruff check c360 ingestion dashboard churn assistant tests bench
	$(BIN)/sqlmesh format --check
	$(BIN)/lint-imports
	@if command -v terraform >/dev/null; then terraform fmt -check -recursive infra/terraform; \
	else echo "terraform not installed: terraform fmt -check skipped"; fi

# Also part of `make test`: checkov runs once inside tests/test_infra_terraform.py.
infra: install
	$(BIN)/pytest tests/test_infra_terraform.py tests/test_snowflake_grants.py

test: lint browser
	$(BIN)/pytest

bench: install
	$(BIN)/python bench/generate.py
	$(BIN)/python bench/ingest.py
	$(BIN)/python bench/build.py
	$(BIN)/python bench/freshness.py

# Generated documentation (tests/test_docs.py fails when the committed files are stale).
docs: install
	$(BIN)/c360 docs

# The user guides' screenshots, taken by the browser tests on the demo data in $(DATA)
# (run `make demo SERVE=0` first); written to docs/guides/img/.
DATA ?= data
screenshots: install browser
	C360_SCREENSHOT_DIR=docs/guides/img C360_SCREENSHOT_DATA_DIR=$(DATA) \
		$(BIN)/pytest tests/test_dashboard_browser.py -k user_guide -p no:cacheprovider

clean:
	rm -rf $(VENV) data
