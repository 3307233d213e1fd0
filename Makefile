# AE Lab: one-command setup, run and test.
#   make run    create .venv (first time only) and serve the app on http://localhost:$(PORT)
#   make test   create .venv, install Debian chromium if missing (as root), then ruff + pytest
# Setup uses pip (it takes torch/torchvision from this machine's wheels), never uv/poetry, and never
# `playwright install`: browser tests drive Debian's /usr/bin/chromium.

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PORT ?= 8501
PYTEST_ARGS ?=
CHROMIUM ?= /usr/bin/chromium

.PHONY: help run test lint chromium venv clean-venv

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-11s %s\n", $$1, $$2}'

# The stamp is newer than both requirements files once they are installed: a second run is a no-op.
$(STAMP): requirements.txt requirements-dev.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --disable-pip-version-check -r requirements-dev.txt
	@touch $(STAMP)

venv: $(STAMP)  ## create .venv and install requirements-dev.txt (first time only)

chromium:  ## install Debian chromium for the browser tests (as root), else warn loudly
	@if [ -x "$(CHROMIUM)" ]; then \
		echo "chromium: $(CHROMIUM) present"; \
	elif [ "$$(id -u)" = 0 ]; then \
		echo "chromium: $(CHROMIUM) missing, installing Debian chromium"; \
		apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium fonts-liberation; \
	else \
		echo "############################################################################"; \
		echo "## WARNING: $(CHROMIUM) not found and not root: cannot install chromium.";  \
		echo "## The BROWSER TESTS WILL BE SKIPPED. Install it with:";                      \
		echo "##   sudo apt-get install -y --no-install-recommends chromium fonts-liberation"; \
		echo "############################################################################"; \
	fi

run: $(STAMP)  ## serve the app (PORT=8501)
	$(BIN)/streamlit run app.py --server.port $(PORT)

lint: $(STAMP)  ## ruff check
	$(BIN)/ruff check .

test: $(STAMP) chromium  ## ruff + pytest (PYTEST_ARGS="-k home" to select)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest $(PYTEST_ARGS)

clean-venv:  ## delete .venv (the next run/test recreates it)
	rm -rf $(VENV)
