# newsledger: the two commands a new user needs are `make run` and `make test`.
# Both install what they need first (uv from PyPI if missing, then the locked environment).
SHELL := /bin/bash
UV_VERSION := 0.13.8
UV := $(shell command -v uv 2>/dev/null || echo $(HOME)/.local/bin/uv)
export DAGSTER_HOME ?= $(CURDIR)/.dagster_home

.PHONY: install run test dev eval bench lint clean

install:
	@command -v uv >/dev/null 2>&1 || test -x $(UV) || python3 -m pip install --quiet --user "uv==$(UV_VERSION)"
	$(UV) sync --locked --python 3.11

run: install  ## run the whole pipeline on seeds/ into warehouse/ and show what it built
	$(UV) run newsledger run $(ARGS)

test: install  ## the whole test suite (what CI runs)
	$(UV) run pytest -q $(ARGS)

dev: install  ## Dagster UI + daemon on http://127.0.0.1:3000 (schedule and sensor included)
	$(UV) run newsledger prepare
	$(UV) run dagster dev -m orchestration.definitions -h 127.0.0.1 -p 3000

lint: install
	$(UV) run ruff check . && $(UV) run ruff format --check .

clean:
	rm -rf warehouse dbt_project/target dbt_project/logs

eval: install  ## precision / recall / F1 per field against the gold labels in ../shared/data
	$(UV) run python -m evaluation $(ARGS)

bench: install  ## performance figures as ratios in one run (SIZES="2000 20000" by default)
	$(UV) run python -m benchmarks.run_benchmark --sizes $(or $(SIZES),2000 20000)
