# Two promises of the README: `make demo` and `make test` work on a fresh machine with Python >= 3.11, git, make.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: demo test test-floors lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The main job on the bundled sample round: read, score, and write every report to out/demo.
demo: $(STAMP)
	$(BIN)/civcheck check evidence/sample --test-date 2026-07-15 --target 85 \
		--format terminal,json,xlsx,html,text --dispatch -o out/demo --force

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy checker
	$(BIN)/mypy tests
	$(BIN)/lint-imports

test: lint
	$(BIN)/python -m pytest

# The same tests on the lowest versions pyproject.toml allows (.ci/floors.txt), in a venv of their own.
FLOORS := .venv-floors
$(FLOORS)/.installed-stamp: pyproject.toml .ci/floors.txt
	$(PYTHON) -m venv $(FLOORS)
	$(FLOORS)/bin/python -m pip install --quiet --upgrade pip
	$(FLOORS)/bin/python -m pip install --quiet -c .ci/floors.txt -e '.[dev]'
	touch $(FLOORS)/.installed-stamp

test-floors: $(FLOORS)/.installed-stamp
	$(FLOORS)/bin/python -m pytest

# Speed targets live here, not in the unit tests (see benchmarks/README.md). The full size: ROWS=1000000.
ROWS ?= 100000
bench: $(STAMP)
	$(BIN)/python benchmarks/bench_read.py $(ROWS)
	$(BIN)/python benchmarks/bench_messy.py $(ROWS)
	$(BIN)/python benchmarks/bench_evaluate.py $(ROWS)
	$(BIN)/python benchmarks/bench_write.py --problems $$(( $(ROWS) / 5 ))

clean:
	rm -rf $(VENV) $(FLOORS) out build dist .pytest_cache .mypy_cache .ruff_cache
