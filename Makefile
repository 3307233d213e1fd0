# AE Lab: one-command setup, run and test.
#   make run    create .venv (first time only) and serve the app on http://localhost:$(PORT)
#   make serve  the same for a classroom: $(REPLICAS) Streamlit processes behind HAProxy (deploy/serve.py)
#   make test   create .venv, install Debian chromium and haproxy if missing (as root), then ruff + pytest
#   make messages  extract the app's texts and merge them into every language's .po (after changing texts)
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

# Every language's compiled catalogue (ui/i18n.py): built from its .po by the setup, never committed.
CATALOGUES := $(patsubst %.po,%.mo,$(wildcard locales/*/LC_MESSAGES/messages.po))

.PHONY: help run serve test lint chromium haproxy venv clean-venv catalogues messages

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-11s %s\n", $$1, $$2}'

# The stamp is newer than both requirements files once they are installed: a second run is a no-op.
$(STAMP): requirements.txt requirements-dev.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --disable-pip-version-check -r requirements-dev.txt
	@touch $(STAMP)

venv: $(STAMP)  ## create .venv and install requirements-dev.txt (first time only)

%.mo: %.po $(STAMP)
	$(BIN)/pybabel compile --statistics -i $< -o $@

catalogues: $(CATALOGUES)  ## compile locales/*/LC_MESSAGES/messages.po to .mo (make run and make test do it)

messages: $(STAMP)  ## extract the texts to locales/messages.pot and merge them into every .po (new: fuzzy/empty)
	$(BIN)/pybabel extract -F locales/babel.cfg --project "AE Lab" --no-wrap --sort-by-file \
		-o locales/messages.pot .
	$(BIN)/pybabel update -i locales/messages.pot -d locales --no-wrap --ignore-obsolete

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

run: $(STAMP) catalogues  ## serve the app (PORT=8501)
	$(BIN)/streamlit run app.py --server.port $(PORT)

# The replicas listen on 127.0.0.1, PORT+1 ... PORT+REPLICAS; HOST=0.0.0.0 opens the proxy to the LAN.
serve: $(STAMP) catalogues haproxy  ## a classroom: REPLICAS (default: cores) Streamlit processes behind HAProxy on HOST:PORT
	$(BIN)/python deploy/serve.py --replicas $(REPLICAS) --host $(HOST) --port $(PORT) --haproxy $(HAPROXY)

lint: $(STAMP)  ## ruff check
	$(BIN)/ruff check .

test: $(STAMP) catalogues chromium haproxy  ## ruff + pytest (PYTEST_ARGS="-k home" to select)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest $(PYTEST_ARGS)

clean-venv:  ## delete .venv (the next run/test recreates it)
	rm -rf $(VENV)
