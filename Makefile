# Tradewind's two Quickstart commands, and the pieces they are made of.
#
#   make standalone   run Tradewind on its embedded default (SQLite, no broker), example DAGs
#   make test         install and start the services, then ruff and the whole test suite
#
# Both create the virtualenv .venv and install the project into it when needed.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
TRADEWIND_HOME ?= $(HOME)/tradewind
PYTEST_ARGS ?=

.PHONY: help standalone test services install lint format initial-migration

help:
	@echo "make standalone  - run Tradewind (scheduler, workers, dashboard) on SQLite with dags/"
	@echo "make test        - install/start Postgres, RabbitMQ, Redis, MariaDB; ruff; pytest"

$(BIN)/python:
	.ci/ensure-python.sh $(PYTHON)
	$(PYTHON) -m venv $(VENV)

# reinstalled only when pyproject.toml changes (an editable install picks up code changes)
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed

standalone: install
	export TRADEWIND_HOME="$(TRADEWIND_HOME)" TRADEWIND__CORE__DAGS_FOLDER="$(CURDIR)/dags"; \
	$(BIN)/tradewind db init; \
	exec $(BIN)/tradewind standalone

services:
	.ci/ensure-services.sh

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# ruff and pytest all run; the target fails if any of them failed (pytest's status wins)
test: services install
	status=0; \
	$(BIN)/ruff check . || status=1; \
	$(BIN)/ruff format --check . || status=1; \
	$(BIN)/pytest -q -p no:cacheprovider $(PYTEST_ARGS) || status=$$?; \
	exit $$status

# regenerate the single (pre-release) migration after a model change; needs the local Postgres
initial-migration: install
	$(BIN)/python .ci/regenerate-initial-migration.py
