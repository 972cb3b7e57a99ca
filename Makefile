# Every target creates its own virtual environment in .venv from this project's files.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench bench-engines frozen-smoke installer clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

## Install, then start the desktop app on two embedded sandbox servers (no Octopus Server needed).
demo: $(STAMP)
	$(BIN)/octodesk gui --sandbox

## Install, then run the linters and the whole test suite (headless).
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

## Performance benchmarks against sandbox servers with injected latency (not part of the test run).
bench: $(STAMP)
	$(BIN)/python -m benchmarks
	$(BIN)/python -m benchmarks.hostile_bundles

## The client and server engines side by side on the demo and large datasets (sensitive values, requests, time).
bench-engines: $(STAMP)
	$(BIN)/python -m benchmarks.engines

## Build the one-folder frozen app with PyInstaller and smoke-test it (slow).
frozen-smoke: $(STAMP)
	$(BIN)/pip install --quiet -e '.[installer]'
	$(BIN)/pytest -m slow tests/test_frozen_smoke.py -p no:cacheprovider

installer: $(STAMP)
	$(BIN)/pip install --quiet -e '.[installer]'
	$(BIN)/python installer/build.py

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache
