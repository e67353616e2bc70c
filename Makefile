# The README's two commands: `make run` and `make test`. Both install what is missing first.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export WAISHI_DB_PATH ?= var/waishi.db

.PHONY: run test install translations translations-update vendor bench lint db demo deploy clean seal-key

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: system-deps $(STAMP) translations vendor

# Debian packages (CJK fonts for PDFs, poppler and zbar for the document tests, Chromium for the browser
# tests): installed when run as root, otherwise the apt command to run is printed.
.PHONY: system-deps
system-deps:
	bash scripts/system-deps.sh

# Browser assets from npm into webapp/static/vendor/ (git-ignored): `npm ci` from package-lock.json,
# then webapp/assets/build.mjs, which bundles the analyst's modeler (vendor/modeler/: bpmn-js modeler,
# properties panel, token simulation, lint with our rules, dmn-js, form-js editor, diff; esbuild) and
# copies the prebuilt bpmn-js viewer (vendor/bpmn-js/, copy-vendor.mjs). Runs when the assets are
# missing or older than the lock file or webapp/assets/. Without npm the pages still work (no
# diagram, text list only; no modeler).
VENDOR_STAMP := webapp/static/vendor/.installed
VENDOR_SOURCES := package.json package-lock.json $(wildcard webapp/assets/*.mjs webapp/assets/*.js \
	webapp/assets/*.css webapp/assets/.bpmnlintrc webapp/assets/bpmnlint-plugin-waishi/*.js* \
	webapp/assets/bpmnlint-plugin-waishi/rules/*.js)

vendor: $(VENDOR_STAMP)

$(VENDOR_STAMP): $(VENDOR_SOURCES)
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --no-audit --no-fund --ignore-scripts --loglevel=error && node webapp/assets/build.mjs; \
	else \
		echo "vendor: npm not found; the diagram viewer and the modeler are left out (install Node.js 20 and npm, then make vendor)" >&2; \
	fi

# Compile the web app's message catalogs (messages.po -> messages.mo; the .mo files are not in git).
translations: $(STAMP)
	$(BIN)/pybabel compile -d webapp/translations

# After adding or changing translatable strings: re-extract them and merge into both catalogs,
# then fill in every empty msgstr (tests/web/test_i18n.py fails while any is empty or stale).
translations-update: $(STAMP)
	$(BIN)/pybabel extract -F webapp/babel.cfg -k _l -k lazy_gettext --no-location --sort-output \
		--project=waishi -o webapp/translations/messages.pot webapp
	$(BIN)/pybabel update -i webapp/translations/messages.pot -d webapp/translations --no-wrap \
		--no-fuzzy-matching --ignore-obsolete
	rm webapp/translations/messages.pot

db: install
	$(BIN)/waishi db upgrade

demo: db
	$(BIN)/waishi demo

deploy: db
	$(BIN)/waishi deploy processes forms

# The key that signs the audit seals (docs/audit.md): made once, outside the database.
seal-key: install
	@test -f var/seal.key || test -n "$$WAISHI_SEAL_KEY$$WAISHI_SEAL_KEY_FILE" || $(BIN)/waishi audit keygen

# gunicorn (2 web processes) and the timer worker as its own process; Ctrl-C stops both gracefully.
run: demo deploy seal-key
	$(BIN)/waishi serve --timer-worker

test: install
	$(BIN)/pytest

bench: install
	$(BIN)/python bench/engine.py
	$(BIN)/python bench/audit.py
	$(BIN)/python bench/reports.py
	$(BIN)/python bench/http.py   # the web path; its part (b) needs PostgreSQL on 127.0.0.1 (or DATABASE_URL)

lint: install
	$(BIN)/ruff check .

clean:
	rm -rf var/waishi.db var/waishi.db-wal var/waishi.db-shm
