# newsmon: `make run` runs the system, `make test` passes the tests. Everything else is optional.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
ENGINE := $(VENV)/.engine-$(shell cat services/classify/engine_rs/Cargo.* services/classify/engine_rs/build.rs services/classify/engine_rs/src/*.rs | cksum | cut -d' ' -f1)

.DEFAULT_GOAL := help
.PHONY: help install run test test-unit check lint format typecheck schemas bench kafka-start kafka-stop kafka-status clean deps dashboards

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "newsmon needs Python 3.11 or newer; set PYTHON=python3.11" >&2; exit 1; }
	@command -v java >/dev/null || { echo "Java 17+ is needed for the local Kafka broker" >&2; exit 1; }
	@command -v mvn >/dev/null || { echo "Maven is needed to fetch the Kafka broker jars" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP) $(ENGINE) ## create .venv and install newsmon with its test tools

# The classification engine's hot path in Rust (services/classify/engine_rs), rebuilt when its sources
# change. Without a Rust toolchain the engine runs as Python: the same answers, about a quarter as fast.
$(ENGINE): $(STAMP)
	@if command -v cargo >/dev/null; then \
	  echo "building the classification engine (Rust, about a minute the first time)"; \
	  $(BIN)/pip install --quiet ./services/classify/engine_rs && rm -f $(VENV)/.engine-* && touch $@; \
	else \
	  echo "note: no Rust toolchain (cargo), so the classification engine runs as Python;" \
	       "install Rust (https://rustup.rs) and run make install again for the fast one" >&2; \
	fi

run: install ## run the local Kafka broker and every service; Ctrl-C stops all
	$(BIN)/newsmon run

test: install deps ## unit, integration and end-to-end tests (starts the test broker itself)
	$(BIN)/pytest

deps: ## system tools the tests use: Prometheus, promtool and Chromium (Debian packages)
	bash deploy/testtools/install.sh

test-unit: install deps ## only the tests that need no broker
	$(BIN)/pytest tests/unit

check: lint typecheck schemas dashboards ## lint, type-check and verify generated files

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install ## apply the formatter and safe lint fixes
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

typecheck: install
	$(BIN)/mypy

schemas: install ## fail if schemas/json/ is stale (regenerate: newsmon schemas export)
	$(BIN)/newsmon schemas export --check

dashboards: install ## fail if deploy/grafana/dashboards/ is stale (regenerate: newsmon dashboards generate)
	$(BIN)/newsmon dashboards generate --check

bench: install ## run the benchmarks under bench/ and write the report
	$(BIN)/python -m bench

kafka-start: ## start the development broker (127.0.0.1:9092)
	deploy/kafka/local.sh start

kafka-stop: ## stop the development broker
	deploy/kafka/local.sh stop

kafka-status:
	deploy/kafka/local.sh status

clean: ## stop local brokers and remove .venv, broker data and caches
	-NEWSMON_KAFKA_PORT=9092 deploy/kafka/local.sh stop
	-NEWSMON_KAFKA_PORT=19092 deploy/kafka/local.sh stop
	rm -rf $(VENV) services/classify/engine_rs/target .kafka .mypy_cache .ruff_cache .pytest_cache var
