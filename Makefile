# Two commands matter: `make run` and `make test`. Both set up everything they need.
PYTHON ?= python3
VENV := .venv
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 1
PYTEST_ARGS ?=

.PHONY: run test install install-test frontend system-deps stop clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(VENV)/bin/pip install -q -e '.[test]'
	touch $@

frontend/node_modules/.installed: frontend/package.json frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.installed frontend/node_modules/.installed
	scripts/system-deps.sh postgis

install-test: install $(VENV)/.installed-test
	scripts/system-deps.sh postgis chromium docker-compose nginx

run: install
	@if [ "$(WORKERS)" -gt 1 ]; then scripts/system-deps.sh nginx; fi
	HOST=$(HOST) PORT=$(PORT) WORKERS=$(WORKERS) $(VENV)/bin/lernorte serve

test: install-test
	cd frontend && npm test --silent
	$(VENV)/bin/pytest $(PYTEST_ARGS)

stop:
	$(VENV)/bin/lernorte db stop

clean: stop
	rm -rf .data $(VENV) frontend/node_modules
