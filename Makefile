# The README's two commands: `make run` and `make test`. Both install what is missing first.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export WAISHI_DB_PATH ?= var/waishi.db

.PHONY: run test install bench lint db demo deploy clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

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
