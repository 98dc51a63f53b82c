# CaseOps: two commands on a fresh machine with Python 3.11+, pip and make.
#   make run   - the main job: server on SQLite, baseline agent over HTTP, replay + scores
#   make test  - the test suite
PYTHON ?= python3
VENV   := .venv
TOOLS  := .tools
UV     := $(TOOLS)/bin/uv
STAMP  := $(VENV)/.synced
export UV_PROJECT_ENVIRONMENT := $(abspath $(VENV))

.PHONY: run test lint serve bench clean

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==0.13.9

$(STAMP): $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --quiet
	touch $(STAMP)

run: $(STAMP)
	$(VENV)/bin/caseops baseline

test: $(STAMP)
	$(VENV)/bin/pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	rm -rf build/mypy && mkdir -p build/mypy/caseops
	find . -name '*.py' -not -path './.*' -not -path './build/*' -not -path './tests/*' \
		-not -path './bench/*' -exec cp --parents {} build/mypy/caseops/ \;
	cd build/mypy && MYPYPATH=. ../../$(VENV)/bin/mypy --explicit-package-bases --config-file ../../pyproject.toml caseops
	$(VENV)/bin/lint-imports --no-cache

serve: $(STAMP)
	$(VENV)/bin/caseops serve --web

# BENCH_ARGS="--postgres postgresql+psycopg://postgres@127.0.0.1:5432/caseops_bench"
bench: $(STAMP)
	@$(VENV)/bin/python -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) $(TOOLS) build .pytest_cache .mypy_cache .ruff_cache caseops.db*
