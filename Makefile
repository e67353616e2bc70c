# The README's two commands: `make run` and `make test`. Both install what is missing first.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export WAISHI_DB_PATH ?= var/waishi.db

.PHONY: run test install translations translations-update bench lint db demo deploy clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) translations

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

run: demo deploy
	$(BIN)/waishi run

test: install
	$(BIN)/pytest

bench: install
	$(BIN)/python bench/engine.py

lint: install
	$(BIN)/ruff check engine webapp tests bench

clean:
	rm -rf var/waishi.db var/waishi.db-wal var/waishi.db-shm
