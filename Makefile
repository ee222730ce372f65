# newsledger: the two commands a new user needs are `make run` and `make test`.
# Both install what they need first (uv from PyPI if missing, then the locked environment).
SHELL := /bin/bash
UV_VERSION := 0.13.8
UV := $(shell command -v uv 2>/dev/null || echo $(HOME)/.local/bin/uv)
export DAGSTER_HOME ?= $(CURDIR)/.dagster_home
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: install run test test-fast dev train eval bench lint clean

# --compile-bytecode: this machine sets PYTHONDONTWRITEBYTECODE, so without .pyc files every
# process (the CLI, each dbt call, each NLP worker) compiled ~1,200 modules again: ~3 s CPU each.
install:
	@command -v uv >/dev/null 2>&1 || test -x $(UV) || python3 -m pip install --quiet --user "uv==$(UV_VERSION)"
	$(UV) sync --locked --python 3.11 --compile-bytecode

run: install  ## run the whole pipeline on seeds/ into warehouse/ and show what it built
	$(UV) run newsledger run $(ARGS)

# Two pytest-xdist workers, a test file on one worker (its module fixtures built once); ARGS="-n 0"
# runs one test at a time (README, Design choices).
test: install  ## the whole test suite (what CI runs), on two workers
	$(UV) run pytest -q -n 2 --dist loadfile $(ARGS)

test-fast: install  ## the tests not marked slow (no whole-pipeline run, no full corpus): under a minute
	$(UV) run pytest -q -m "not slow" $(ARGS)

# The launcher (not `uv run dagster dev`): it stops dagster dev, its runs and their step processes
# on Ctrl-C or SIGTERM within seconds and marks the interrupted run failed (orchestration/dev.py).
dev: install  ## Dagster UI + daemon on http://127.0.0.1:3000 (schedule and sensor included)
	$(UV) run newsledger prepare
	.venv/bin/python -m orchestration.dev -h 127.0.0.1 -p $(or $(PORT),3000)

lint: install
	$(UV) run ruff check . && $(UV) run ruff format --check .

clean:
	rm -rf warehouse dbt_project/target dbt_project/logs

train: install  ## train the event classifiers on ../shared/data/gold/train (skipped when up to date; FORCE=1 retrains)
	$(UV) run python -m training

eval: install  ## precision / recall / F1 per field against the gold labels in ../shared/data
	$(UV) run python -m evaluation $(ARGS)

bench: install  ## performance figures as ratios in one run (SIZES="2000 20000" by default)
	$(UV) run python -m benchmarks.run_benchmark --sizes $(or $(SIZES),2000 20000) $(ARGS)

.PHONY: bench-actors
bench-actors: install  ## the actor step on a built warehouse's lake replicated 1, 10, 50 times (LAKE=warehouse/lake)
	$(UV) run python -m benchmarks.actor_step_scale --lake $(or $(LAKE),warehouse/lake) $(ARGS)

.PHONY: bench-warehouse
bench-warehouse: install  ## a whole run at N x a built warehouse, its NLP already done (WAREHOUSE=, INPUT=, TIMES=50)
	$(UV) run python -m benchmarks.warehouse_scale --warehouse $(or $(WAREHOUSE),warehouse) --input $(or $(INPUT),seeds) --times $(or $(TIMES),50) $(ARGS)

.PHONY: browser
browser:  ## headless Chromium for the report test (Debian's chromium package; needs root)
	@command -v chromium >/dev/null 2>&1 || ($(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium)

.PHONY: redis cluster
redis:  ## redis-server, the Celery broker of `make cluster` (Debian's package; needs root or sudo)
	@command -v redis-server >/dev/null 2>&1 || ($(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq redis-server)

cluster: install redis  ## Redis + 2 Celery workers on this machine, a backfill of every shard, then stop (WORKERS=N)
	$(UV) run newsledger prepare
	.venv/bin/python -m orchestration.cluster --workers $(or $(WORKERS),2) $(ARGS)

.PHONY: bi bi-up
bi: install  ## Superset in .bi/venv (offline after install): admin user, warehouse added read-only, dashboard imported
	UV=$(UV) bi/superset/setup.sh $(or $(WAREHOUSE_DB),$(CURDIR)/warehouse/analytics.duckdb)

bi-up:  ## start that Superset on http://127.0.0.1:8088 (user admin, password in .bi/admin_password)
	bi/superset/run.sh

.PHONY: docs
DOCS_WAREHOUSE = $(abspath $(or $(WAREHOUSE),warehouse))
docs: install  ## dbt docs of the built warehouse: generate, then serve on http://127.0.0.1:8080
	@test -f $(DOCS_WAREHOUSE)/newsledger.duckdb || { echo "no warehouse in $(DOCS_WAREHOUSE): run \`make run\` first (or pass WAREHOUSE=DIR)"; exit 1; }
	cd dbt_project && NEWSLEDGER_WAREHOUSE_DIR=$(DOCS_WAREHOUSE) $(UV) run dbt docs generate --quiet --profiles-dir . --target-path target/docs
	cd dbt_project && NEWSLEDGER_WAREHOUSE_DIR=$(DOCS_WAREHOUSE) $(UV) run dbt docs serve --profiles-dir . --target-path target/docs --host 127.0.0.1 --port $(or $(PORT),8080) --no-browser
