# AE Lab: one-command setup, run and test.
#   make run    create .venv (first time only) and serve the app on http://localhost:$(PORT)
#   make serve  the same for a classroom: $(REPLICAS) Streamlit processes behind HAProxy (deploy/serve.py)
#   make test   create .venv, install Debian chromium and haproxy if missing (as root), then ruff + pytest
# Setup uses pip (it takes torch/torchvision from this machine's wheels), never uv/poetry, and never
# `playwright install`: browser tests drive Debian's /usr/bin/chromium.

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PORT ?= 8501
REPLICAS ?= $(shell nproc 2>/dev/null || echo 2)
HOST ?= 127.0.0.1
PYTEST_ARGS ?=
CHROMIUM ?= /usr/bin/chromium
HAPROXY ?= /usr/sbin/haproxy

.PHONY: help run serve test lint chromium haproxy venv clean-venv

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

haproxy:  ## install Debian haproxy for `make serve` and its browser test (as root), else warn loudly
	@if [ -x "$(HAPROXY)" ]; then \
		echo "haproxy: $(HAPROXY) present"; \
	elif [ "$$(id -u)" = 0 ]; then \
		echo "haproxy: $(HAPROXY) missing, installing Debian haproxy"; \
		apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends haproxy; \
	else \
		echo "############################################################################"; \
		echo "## WARNING: $(HAPROXY) not found and not root: cannot install haproxy.";     \
		echo "## \`make serve\` CANNOT RUN and its BROWSER TEST WILL BE SKIPPED. Install it with:"; \
		echo "##   sudo apt-get install -y haproxy";                                          \
		echo "############################################################################"; \
	fi

run: $(STAMP)  ## serve the app (PORT=8501)
	$(BIN)/streamlit run app.py --server.port $(PORT)

# The replicas listen on 127.0.0.1, PORT+1 ... PORT+REPLICAS; HOST=0.0.0.0 opens the proxy to the LAN.
serve: $(STAMP) haproxy  ## a classroom: REPLICAS (default: cores) Streamlit processes behind HAProxy on HOST:PORT
	$(BIN)/python deploy/serve.py --replicas $(REPLICAS) --host $(HOST) --port $(PORT) --haproxy $(HAPROXY)

lint: $(STAMP)  ## ruff check
	$(BIN)/ruff check .

test: $(STAMP) chromium haproxy  ## ruff + pytest (PYTEST_ARGS="-k home" to select)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest $(PYTEST_ARGS)

clean-venv:  ## delete .venv (the next run/test recreates it)
	rm -rf $(VENV)
