# The two commands of the README:  make demo   and   make test
# Both start from a machine with only Python 3.11: they create .venv and install into it.

PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
DEMO_DIR ?= data/demo
WAREHOUSE ?= $(DEMO_DIR)/monitor.duckdb
PORT ?= 8501

.PHONY: demo install build-demo test browser bench lint clean

demo: build-demo
	$(BIN)/sdmonitor dashboard --warehouse $(WAREHOUSE) --port $(PORT)

build-demo: install
	$(BIN)/sdmonitor generate --out $(DEMO_DIR)/exports --scale 1 --seed 2025
	$(BIN)/sdmonitor build --exports $(DEMO_DIR)/exports --warehouse $(WAREHOUSE)

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is nodig ($(PYTHON) niet gevonden); zet PYTHON=/pad/naar/python3.11"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

# Debian's chromium for the real-browser tests (no browser download by a test tool).
browser:
	@command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

test: install browser
	GX_ANALYTICS_ENABLED=False $(BIN)/python -m pytest

# Build and dashboard timings against the hand-written DuckDB baseline; writes docs/performance.md.
# 1 = Deventer, 170 = all gemeenten (6.8 GB of exports): on 2 cores the whole run takes about two
# hours, nearly all of it scale 170; BENCH_SCALES=1,10 measures the small scales in minutes.
BENCH_SCALES ?= 1,10,170
bench: install browser
	GX_ANALYTICS_ENABLED=False $(BIN)/python -m bench.run --scales $(BENCH_SCALES) --runs 3 --profile --profile-max-scale 10

lint: install
	$(BIN)/ruff check sdmonitor dashboard tests bench

clean:
	rm -rf $(VENV) $(DEMO_DIR)
