# Two commands for a fresh machine with Python 3.11 and pip:
#   make demo   plan the shipped demo district into out/demo
#   make test   lint, type-check and run the test suite
# Both set up what they need: uv (pinned) in .tools/, the locked environment in .venv/.

PYTHON ?= python3
UV_VERSION := 0.13.8
UV := .tools/bin/uv
RUN := $(UV) run --frozen --no-progress

.PHONY: demo test check lint types setup plan clean

.tools/bin/uv:
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

.venv/.synced: $(UV) uv.lock pyproject.toml
	$(UV) sync --frozen --no-progress --all-groups --compile-bytecode
	touch $@

setup: .venv/.synced

demo: setup
	$(RUN) planner demo --out out/demo

# make plan SCENARIO=my.yaml OUT=out/my
plan: setup
	$(RUN) planner plan $(SCENARIO) --out $(or $(OUT),out/plan)

lint: setup
	$(RUN) ruff check planner tests benchmarks geodata
	$(RUN) ruff format --check planner tests benchmarks geodata

types: setup
	$(RUN) mypy

test: setup lint types
	$(RUN) pytest -q -n 2 --dist loadfile

clean:
	rm -rf .venv .tools out
