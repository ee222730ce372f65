"""The `newsledger` command line: run the whole pipeline in-process, or show what is built.

    newsledger run [--input DIR] [--warehouse DIR] [--text-policy full|sentences|none]
                   [--executor in-process|multiprocess|celery]
                                                     materialize every asset once, then summarize
    newsledger watch [--input DIR] [--warehouse DIR] [--interval SECONDS]
                                                     one process: a run whenever the input changes
    newsledger status [--warehouse DIR]              what the published warehouse holds
    newsledger prepare                               run `dbt parse` if the manifest is stale
    newsledger report [--warehouse DIR]              redraw warehouse/report.html
    newsledger query [NAME] [--sql] [--warehouse DIR] the analyst queries of docs/queries.sql
    newsledger export --format parquet|csv --out DIR [--warehouse DIR]
                                                     every published table + schema.json

--input / --warehouse default to NEWSLEDGER_INPUT_DIR / NEWSLEDGER_WAREHOUSE_DIR, then to
<repo>/seeds and <repo>/warehouse; --text-policy to NEWSLEDGER_TEXT_POLICY, then `full`. The
same variables configure `dagster dev`.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import logging
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

if TYPE_CHECKING:  # the lake module is imported where a run needs it
    from transforms.lake import LakePath


def _set_locations(args: argparse.Namespace) -> tuple[Path, Path]:
    from orchestration.settings import default_input_dir, default_warehouse_dir

    input_dir = Path(args.input or default_input_dir()).resolve()
    warehouse = Path(args.warehouse or default_warehouse_dir()).resolve()
    # Exported so that Dagster's settings resource and dbt's profile read the same folders.
    os.environ["NEWSLEDGER_INPUT_DIR"] = str(input_dir)
    os.environ["NEWSLEDGER_WAREHOUSE_DIR"] = str(warehouse)
    return input_dir, warehouse


def _instance():
    import dagster as dg

    if os.environ.get("DAGSTER_HOME"):
        return dg.DagsterInstance.get()
    return dg.DagsterInstance.ephemeral()


def _checked_locations(args: argparse.Namespace) -> tuple[Path, Path, LakePath] | int:
    """The input folder, warehouse and lake of a run, checked before anything runs; or the exit
    code of the error printed (2)."""
    input_dir, warehouse = _set_locations(args)
    from transforms.text_policy import TextPolicyError, check_policy

    if args.text_policy:
        os.environ["NEWSLEDGER_TEXT_POLICY"] = args.text_policy  # read by the settings resource
    try:
        check_policy(os.environ.get("NEWSLEDGER_TEXT_POLICY", "full"))
    except TextPolicyError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    if not input_dir.is_dir():
        print(f"error: input folder {input_dir} does not exist; pass --input DIR", file=sys.stderr)
        return 2
    # Only settings here: the dbt package needs the dbt manifest, made below (ensure_manifest).
    from orchestration.settings import dbt_in_process_allowed, default_lake_url, lake_location
    from transforms.lake import LakeNotReadable, duckdb_source

    one_process = args.executor == "in-process" and dbt_in_process_allowed()
    try:  # a lake dbt cannot read fails here, before any stage has run
        lake = lake_location(warehouse, default_lake_url())
        duckdb_source(lake, one_process)
    except (LakeNotReadable, ValueError) as err:  # ValueError: a URL fsspec does not know
        print(f"error: {err}", file=sys.stderr)
        return 2
    warehouse.mkdir(parents=True, exist_ok=True)
    return input_dir, warehouse, lake


def cmd_run(args: argparse.Namespace) -> int:
    checked = _checked_locations(args)
    if isinstance(checked, int):
        return checked
    input_dir, warehouse, lake = checked
    if args.executor != "in-process":
        return _run_launched(args, input_dir, warehouse)
    return run_once(args, input_dir, warehouse, lake)


def cmd_watch(args: argparse.Namespace) -> int:
    checked = _checked_locations(args)
    if isinstance(checked, int):
        return checked
    from orchestration.watch import watch

    return watch(args, *checked)


def run_once(
    args: argparse.Namespace, input_dir: Path, warehouse: Path, lake: LakePath, warm: bool = False
) -> int:
    """One in-process run of the job and its summary: `newsledger run`, and each run of
    `newsledger watch` (`warm`: its NLP fork server stays up for the next run)."""
    from transforms.locking import WarehouseBusy, warehouse_lock

    # One run per warehouse at a time: a second `newsledger run` waits for the first (up to
    # NEWSLEDGER_LOCK_TIMEOUT seconds), then fails cleanly instead of on DuckDB's file lock.
    try:
        with warehouse_lock(
            warehouse, on_wait=lambda msg: print(f"newsledger: {msg}", file=sys.stderr, flush=True)
        ):
            return _run_locked(args, input_dir, warehouse, lake, warm)
    except WarehouseBusy as err:
        print(f"error: {err}", file=sys.stderr)
        return 3


@functools.cache
def newsledger_job():
    """The job, from the Dagster definitions imported once per process (with the dbt manifest
    they read made first)."""
    from orchestration.prepare import ensure_manifest

    ensure_manifest()
    from orchestration.definitions import defs
    from transforms.memory import freeze_imports

    job = defs.resolve_job_def("newsledger_job")
    freeze_imports()  # the steps' release_memory then collects only the run's own objects
    return job


def _run_locked(
    args: argparse.Namespace, input_dir: Path, warehouse: Path, lake: LakePath, warm: bool
) -> int:
    print(f"newsledger: {input_dir} -> {warehouse}", flush=True)
    started = time.monotonic()
    from orchestration.nothing_new import input_unchanged

    unchanged = input_unchanged(input_dir, lake)
    if unchanged:
        print(
            "newsledger: no new or changed file in the input folder since the last run"
            + ("" if warm else " (the NLP model is not loaded)")
        )
    elif not warm:
        from transforms.nlp.run import warm_up

        warm_up()  # the NLP workers' fork server loads the model while Dagster starts
    job = newsledger_job()
    quiet = {"loggers": {"console": {"config": {"log_level": args.log_level}}}}
    log_path = warehouse / "logs" / f"run-{time.strftime('%Y%m%dT%H%M%S')}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    # dbt's own output goes to the run log, not the terminal; the summary below says what happened.
    with log_path.open("w", encoding="utf-8") as log, contextlib.redirect_stdout(log):
        instance = _instance()
        from orchestration.recovery import release_dead_runs, run_tags

        for run_id in release_dead_runs(instance):
            print(f"newsledger: freed the pool slots of killed run {run_id}", file=sys.stderr)
        result = job.execute_in_process(
            instance=instance, raise_on_error=False, run_config=quiet, tags=run_tags()
        )
    from transforms.nlp.run import cool_down

    stopping = None if warm else cool_down()  # the fork server exits while the summary is written
    try:
        return _summarize(result, instance, warehouse, log_path, started)
    finally:
        instance.dispose()  # its storage connections: `watch` makes one instance per run
        if stopping is not None:
            stopping.join()


def _run_launched(args: argparse.Namespace, input_dir: Path, warehouse: Path) -> int:
    """The job on Dagster's multiprocess or Celery executor, as a backfill of every NLP shard.

    Its steps run in other processes (Celery: on any worker of the broker in
    NEWSLEDGER_CELERY_BROKER), which take the warehouse lock around their DuckDB writes
    themselves; this process orchestrates and must not hold that lock.
    """
    import dagster as dg

    from orchestration.executors import BROKER_ENV

    if not os.environ.get("DAGSTER_HOME"):
        print(
            "error: --executor needs DAGSTER_HOME, the Dagster instance the step processes share "
            "(make sets it to .dagster_home)",
            file=sys.stderr,
        )
        return 2
    if args.executor == "celery" and not os.environ.get(BROKER_ENV):
        print(
            f"error: --executor celery needs {BROKER_ENV} (e.g. redis://127.0.0.1:6379/0) and "
            "workers listening on it: `make cluster` starts both",
            file=sys.stderr,
        )
        return 2
    os.environ["NEWSLEDGER_EXECUTOR"] = args.executor  # read where the job is defined
    print(f"newsledger: {input_dir} -> {warehouse} (executor: {args.executor})")
    started = time.monotonic()
    from orchestration.prepare import ensure_manifest

    ensure_manifest()
    from orchestration.defs.automation.automation import all_shards_tags
    from orchestration.recovery import release_dead_runs, run_tags

    job = dg.build_reconstructable_job("orchestration.definitions", "newsledger_job")
    quiet = {"loggers": {"console": {"config": {"log_level": args.log_level}}}}
    log_path = warehouse / "logs" / f"run-{time.strftime('%Y%m%dT%H%M%S')}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with dg.DagsterInstance.get() as instance:
        for run_id in release_dead_runs(instance):
            print(f"newsledger: freed the pool slots of killed run {run_id}", file=sys.stderr)
        with log_path.open("w", encoding="utf-8") as log, contextlib.redirect_stdout(log):
            result = dg.execute_job(
                job, instance, run_config=quiet, tags={**run_tags(), **all_shards_tags()}
            )
        code = _summarize(result, instance, warehouse, log_path, started)
        if args.executor == "celery":
            print_where_steps_ran(instance, result.run_id)
        return code


def where_steps_ran(instance, run_id: str) -> dict[str, str]:
    """Step key -> the Celery worker that ran it (from the run's engine events)."""
    from dagster import DagsterEventType

    where: dict[str, str] = {}
    for record in instance.all_logs(run_id, of_type=DagsterEventType.ENGINE_EVENT):
        event = record.dagster_event
        data = event.event_specific_data if event is not None else None
        worker = (getattr(data, "metadata", None) or {}).get("Celery worker")
        if worker is not None and event.step_key:
            where[event.step_key] = str(getattr(worker, "value", worker))
    return where


def print_where_steps_ran(instance, run_id: str) -> None:
    where = where_steps_ran(instance, run_id)
    durations = step_durations(instance, run_id)
    by_worker: dict[str, int] = {}
    print(f"\nwhere the steps ran (run {run_id}):")
    for step, worker in sorted(where.items(), key=lambda kv: (kv[1], kv[0])):
        by_worker[worker] = by_worker.get(worker, 0) + 1
        seconds = durations.get(step)
        took = f"{seconds:6.1f} s" if seconds is not None else "  failed"
        print(f"  {worker:<28} {step:<44} {took}")
    print("  " + ", ".join(f"{w}: {n} steps" for w, n in sorted(by_worker.items())))


def _summarize(result, instance, warehouse: Path, log_path: Path, started: float) -> int:
    elapsed = time.monotonic() - started
    if not result.success:
        for event in result.all_events:
            if event.is_step_failure:
                print(
                    f"error in step {event.step_key}: {event.event_specific_data.error.message}",
                    file=sys.stderr,
                )
        print(
            "the run failed; nothing was published (the previous analytics.duckdb, if any, is "
            "intact). Fix the error above and rerun: finished work is not repeated.",
            file=sys.stderr,
        )
        return 1
    print(f"run finished in {elapsed:.1f} s (log: {log_path})")
    durations = step_durations(instance, result.run_id)
    for step, seconds in durations.items():
        print(f"  {step:<36} {seconds:6.1f} s")
    n_parsed = parsed_this_run(result)
    if n_parsed is not None:
        print(
            f"NLP: {n_parsed} articles parsed"
            + (" (each was parsed before by this extractor version)" if n_parsed == 0 else "")
        )
    published = "published__analytics_duckdb" in durations
    if not published:
        print(
            "nothing new since the last build: dbt, publish and the report were skipped "
            "(NEWSLEDGER_REBUILD=1 builds and publishes anyway)"
        )
    print(
        f"text policy: {os.environ.get('NEWSLEDGER_TEXT_POLICY', 'full')} "
        "(what analytics.duckdb holds of the article text; --text-policy)"
    )
    print_check_results(result.get_asset_check_evaluations())
    print()
    print_summary(warehouse / "analytics.duckdb", published_now=published)
    return 0


def parsed_this_run(result) -> int | None:
    """Articles the run's NLP step parsed (its lake/sentences materialization), if it ran."""
    for event in result.get_asset_materialization_events():
        materialization = event.event_specific_data.materialization
        if materialization.asset_key.path == ["lake", "sentences"]:
            value = materialization.metadata.get("n_parsed_this_run")
            return None if value is None else int(value.value)
    return None


def print_check_results(evaluations) -> None:
    """The run's asset checks: how many passed, and each failed one with its severity and what it
    measured (thresholds of our own checks: orchestration/defs/checks/thresholds.yaml)."""
    if not evaluations:
        return
    from orchestration.defs.checks.checks import CHECKS

    ours = {spec.name for check in CHECKS for spec in check.check_specs}
    failed = [c for c in evaluations if not c.passed]
    print(f"checks: {check_counts(evaluations, ours)}")
    for check in sorted(failed, key=lambda c: (c.severity.value, c.check_name)):
        summary = check.metadata.get("summary")
        what = f": {summary.value}" if summary is not None else ""
        print(
            f"  {check.severity.value} {check.asset_key.to_user_string()} {check.check_name}{what}"
        )


def check_counts(evaluations, ours: set[str]) -> str:
    """'4 of 5 Dagster asset checks, 105 of 105 dbt tests passed': our own checks
    (orchestration/defs/checks) and the dbt data tests (which Dagster runs as asset checks too),
    each counted apart; either part is left out when the run had none of it."""
    parts = []
    for label, group in (
        ("Dagster asset checks", [c for c in evaluations if c.check_name in ours]),
        ("dbt tests", [c for c in evaluations if c.check_name not in ours]),
    ):
        if group:
            parts.append(f"{sum(c.passed for c in group)} of {len(group)} {label}")
    return ", ".join(parts) + " passed"


def step_durations(instance, run_id: str) -> dict[str, float]:
    """Seconds per step of a run, from its step start / success events."""
    from dagster import DagsterEventType

    started: dict[str, float] = {}
    durations: dict[str, float] = {}
    # Only these two types: reading every event of the run (dbt's and its checks') cost ~0.5 s.
    kinds = {DagsterEventType.STEP_START, DagsterEventType.STEP_SUCCESS}
    for record in instance.all_logs(run_id, of_type=kinds):
        event = record.dagster_event
        if event is None:
            continue
        if event.event_type_value == "STEP_START":
            started[event.step_key] = record.timestamp
        elif event.event_type_value == "STEP_SUCCESS" and event.step_key in started:
            durations[event.step_key] = record.timestamp - started[event.step_key]
    return durations


def print_summary(db: Path, top: int = 10, published_now: bool = True) -> None:
    """What the published warehouse holds; `published_now`: this run published it (a run with
    nothing new publishes nothing, and the warehouse is the previous run's)."""
    with duckdb.connect(str(db), read_only=True) as con:

        def one(sql: str) -> int:
            return con.execute(sql).fetchone()[0]

        n_articles = one("select count(*) from dim_articles")
        n_files = one("select count(*) from dim_article_sources")
        n_rejected = one("select count(*) from rejected_files")
        added = _added(con, n_articles, published_now)
        print(f"articles loaded:   {n_articles} (from {n_files} files){added}")
        _print_provenance(con)
        print(f"files set aside:   {n_rejected}")
        for code, n in con.execute(
            "select reason_code, count(*) from rejected_files group by 1 order by 2 desc, 1"
        ).fetchall():
            print(f"  {n:>5} {code}")
        rows = con.execute(
            "select source_path, reason_code, reason from rejected_files order by source_path"
        ).fetchall()
        for path, code, reason in rows[:MAX_REJECTED_SHOWN]:
            print(f"  - {path} [{code}]: {reason}")
        if len(rows) > MAX_REJECTED_SHOWN:
            print(
                f"  ... and {len(rows) - MAX_REJECTED_SHOWN} more: "
                f"duckdb -readonly {db} -c 'from rejected_files'"
            )
        _print_quarantine(con, db)
        print(f"sentences:         {one('select count(*) from fct_sentences')}")
        print(
            f"entity mentions:   {one('select count(*) from fct_entity_mentions')}"
            f" ({one('select count(*) from fct_entity_mentions where actor_id is not null')}"
            " resolved to actors)"
        )
        print(f"actors:            {one('select count(*) from dim_actors')}")
        tables = con.execute("select table_name from information_schema.tables").fetchall()
        have = {r[0] for r in tables}
        for table, label in EXTRA_COUNTS:
            if table in have:
                print(f"{label + ':':<18} {one(f'select count(*) from {table}')}")
            if table == "fct_events" and table in have:
                _print_event_codes(con)
        print(f"\ntop {top} actors by mentions:")
        rows = con.execute(
            "select canonical_name, actor_type, coalesce(country_iso3, ''), n_mentions, n_articles "
            "from dim_actors order by n_mentions desc, canonical_name limit ?",
            [top],
        ).fetchall()
        for name, kind, iso3, n_mentions, n_articles in rows:
            print(
                f"  {name:<32} {kind:<13} {iso3:<4} {n_mentions:>5} mentions"
                f" in {n_articles} articles"
            )
    print_where_to_look(db)


MAX_REJECTED_SHOWN = 20
# Tables of later stages, counted in the summary when the warehouse has them.
EXTRA_COUNTS = [
    ("fct_claims", "claims"),
    ("fct_events", "events"),
    ("fct_aid_pledges", "aid pledges"),
    ("dim_places", "places"),
]


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> set[str]:
    return {r[0] for r in con.execute(f"describe {_ident(table)}").fetchall()}


def _print_quarantine(con: duckdb.DuckDBPyConnection, db: Path) -> None:
    """Rows set aside by dbt (quarantined_rows): how many, per data test whose rule they break."""
    tables = {
        r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()
    }
    if "quarantined_rows" not in tables:
        return  # a warehouse published before the quarantine existed
    rows = con.execute(
        "select test_name, model, count(*) from quarantined_rows group by all order by 3 desc, 1"
    ).fetchall()
    print(f"rows set aside:    {sum(r[2] for r in rows)} (broke a data test; the rest published)")
    for test, model, n in rows:
        print(f"  {n:>5} {model}: {test}")
    if rows:
        print(f"  see: duckdb -readonly {db} -c 'from quarantined_rows'")


def _print_provenance(con: duckdb.DuckDBPyConnection) -> None:
    """Where the articles came from on the web (dim_articles.url, publisher, author, title)."""
    if "url" not in _columns(con, "dim_articles"):
        return  # a warehouse built before provenance
    n_url, n_pub, n_author, n_side, n_header = con.execute(
        "select count(url), count(publisher), count(author), "
        "count(*) filter (where title_source = 'side_file'), "
        "count(*) filter (where title_source = 'header') from dim_articles"
    ).fetchone()
    print(
        f"provenance:        {n_url} with a url, {n_pub} with a publisher, {n_author} with an "
        f"author; titles: {n_header} from headers, {n_side} from SOURCES.csv "
        "(dim_articles.url, publisher, author, title)"
    )


def _print_event_codes(con: duckdb.DuckDBPyConnection) -> None:
    """Events by QuadClass with their mean intensity (fct_events.quad_class, intensity)."""
    if "quad_class" not in _columns(con, "fct_events"):
        return
    rows = con.execute(
        "select quad_class, any_value(quad_class_name), count(*), round(avg(intensity), 2), "
        "any_value(codes_version) from fct_events group by 1 order by 1"
    ).fetchall()
    if not rows:
        return
    parts = ", ".join(f"{name.lower()} {n} (mean intensity {avg})" for _, name, n, avg, _ in rows)
    print(f"  by quad class:   {parts}; codes {rows[0][4]} (fct_events.cameo_root, quad_class)")


def _added(con: duckdb.DuckDBPyConnection, n_articles: int, published_now: bool = True) -> str:
    """'; +N since the previous run' from the published run history; '; first run of this
    warehouse' on the first publication; '; unchanged' when this run published nothing."""
    if not published_now:
        return "; unchanged (this run published nothing new)"
    rows = con.execute(
        "select n_articles from pipeline_runs order by published_at desc limit 2"
    ).fetchall()
    if len(rows) < 2:
        return "; first run of this warehouse"
    return f"; {n_articles - rows[1][0]:+d} since the previous run"


def print_where_to_look(db: Path) -> None:
    report = db.parent / "report.html"
    print("\nwhere to look:")
    print(f"  warehouse  {db}  (read-only for readers; `newsledger status`)")
    if report.exists():
        print(f"  report     {report}  (open in a browser; self-contained)")
    print(
        "  queries    docs/queries.sql  (`newsledger query` lists them, "
        "`newsledger query NAME` runs one)"
    )
    print(f"  SQL        duckdb -readonly {db} -c 'from mart_actor_mentions limit 10'")
    print("  BI         make bi && make bi-up  (Superset on http://127.0.0.1:8088)")


def cmd_status(args: argparse.Namespace) -> int:
    _, warehouse = _set_locations(args)
    db = warehouse / "analytics.duckdb"
    if not db.exists():
        print(
            f"no published warehouse at {db}; run `newsledger run` first "
            "(or pass --warehouse DIR where one was built)",
            file=sys.stderr,
        )
        return 1
    with duckdb.connect(str(db), read_only=True) as con:
        last = con.execute(
            "select published_at, n_articles, n_rejected from pipeline_runs "
            "order by published_at desc limit 1"
        ).fetchone()
        n_runs = con.execute("select count(*) from pipeline_runs").fetchone()[0]
        print(f"{db}\nlast run published {last[0]:%Y-%m-%d %H:%M:%S %Z} ({n_runs} runs so far)")
        print("tables:")
        for (table,) in con.execute(
            "select table_name from information_schema.tables where table_schema = 'main' "
            "order by table_name"
        ).fetchall():
            n = con.execute(f"select count(*) from {_ident(table)}").fetchone()[0]
            print(f"  {table:<28} {n:>8} rows")
    report = warehouse / "report.html"
    if report.exists():
        age = time.time() - report.stat().st_mtime
        print(f"report: {report} (written {age / 60:.0f} min ago)")
    else:
        print(f"report: none yet at {report}; `newsledger report` draws it")
    return 0


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def cmd_prepare(args: argparse.Namespace) -> int:
    from orchestration.prepare import ensure_manifest

    print(f"dbt manifest ready: {ensure_manifest(force=True)}")
    return 0


def _published_or_explain(args: argparse.Namespace) -> Path | None:
    _, warehouse = _set_locations(args)
    db = warehouse / "analytics.duckdb"
    if not db.exists():
        print(
            f"error: no published warehouse at {db}; run `newsledger run` first "
            "(or pass --warehouse DIR where one was built)",
            file=sys.stderr,
        )
        return None
    return db


def cmd_export(args: argparse.Namespace) -> int:
    from orchestration.defs.dbt.project import dbt_project
    from transforms.export import ExportError, export_warehouse

    db = _published_or_explain(args)
    if db is None:
        return 1
    try:
        result = export_warehouse(
            db, Path(args.out), args.format, manifest=Path(dbt_project.manifest_path)
        )
    except ExportError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    n_rows = sum(result.tables.values())
    print(
        f"exported {len(result.tables)} tables ({n_rows:,} rows) as {result.fmt} to "
        f"{result.out_dir}, with schema.json (columns, types, descriptions)"
    )
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from transforms.report import write_report

    db = _published_or_explain(args)
    if db is None:
        return 1
    out = db.parent / "report.html"
    report = write_report(db, out)
    for fig in report.figures:
        if fig.missing:
            state = f"skipped: no {', '.join(fig.missing)} in this warehouse"
        elif fig.error:
            state = f"FAILED: {fig.error}"
        elif fig.empty_reason:
            state = f"empty: {fig.empty_reason}"
        else:
            state = f"{fig.n_marks} marks, {len(fig.groups)} linked article groups"
        print(f"  {fig.title:<44} {state}")
    print(f"report written: {out}")
    return 1 if report.errors else 0


def cmd_query(args: argparse.Namespace) -> int:
    from transforms.queries import QUERIES_FILE, load_queries

    queries = load_queries()
    if not args.name:
        print(f"queries in {QUERIES_FILE}:")
        for q in queries.values():
            print(f"  {q.name:<36} {q.question}")
        print("run one: newsledger query NAME   (--sql prints its SQL instead)")
        return 0
    query = queries.get(args.name)
    if query is None:
        print(
            f"error: no query named {args.name!r}; `newsledger query` lists them: "
            + ", ".join(queries),
            file=sys.stderr,
        )
        return 2
    if args.sql:
        print(query.sql)
        return 0
    db = _published_or_explain(args)
    if db is None:
        return 1
    with duckdb.connect(str(db), read_only=True) as con:
        have = {
            r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()
        }
        missing = [t for t in query.needs if t not in have]
        if missing:
            print(
                f"error: {query.name} needs {', '.join(missing)}, which this warehouse does not "
                "have (built by an older version?); rerun `newsledger run`",
                file=sys.stderr,
            )
            return 1
        print(f"-- {query.question}")
        con.sql(query.sql).show(max_width=200, max_rows=args.limit)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newsledger",
        description="News articles -> entity, actor, claim, event and aid-pledge tables "
        "in a DuckDB warehouse.",
        epilog="examples:\n"
        "  newsledger run                          seeds/ -> warehouse/ (analytics.duckdb, "
        "report.html)\n"
        "  newsledger run --input DIR --warehouse OUT\n"
        "  newsledger status                       what is in the warehouse, when it last ran\n"
        "  newsledger query top_actors_this_month\n"
        "environment: NEWSLEDGER_INPUT_DIR, NEWSLEDGER_WAREHOUSE_DIR, NEWSLEDGER_TEXT_POLICY set "
        "the defaults "
        "(also for `dagster dev`).\n"
        "`newsledger COMMAND --help` describes each command.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    run = sub.add_parser("run", help="run the whole pipeline once, in-process, and summarize")
    _add_run_options(run)
    run.add_argument(
        "--executor",
        choices=["in-process", "multiprocess", "celery"],
        default="in-process",
        help="in-process (default: one process, fastest on one machine); multiprocess or celery: "
        "a backfill of every NLP shard, one step per process or per Celery task on the workers "
        "of NEWSLEDGER_CELERY_BROKER (`make cluster` starts a broker and workers)",
    )
    run.set_defaults(func=cmd_run)
    watch = sub.add_parser(
        "watch",
        help="one long-lived process: run (as `run` does) whenever the input folder has new or "
        "changed files; Ctrl-C or SIGTERM stops it",
    )
    _add_run_options(watch)
    watch.add_argument(
        "--interval",
        type=float,
        default=2.0,
        help="seconds between two looks at the input folder (default: 2)",
    )
    watch.set_defaults(func=cmd_watch, executor="in-process")
    status = sub.add_parser("status", help="what the published warehouse holds, when it last ran")
    status.add_argument("--warehouse", help="output folder (default: warehouse/)")
    status.set_defaults(func=cmd_status, input=None)
    prepare = sub.add_parser("prepare", help="parse the dbt project (writes its manifest)")
    prepare.set_defaults(func=cmd_prepare)
    report = sub.add_parser(
        "report", help="redraw report.html from the published warehouse (run does it too)"
    )
    report.add_argument("--warehouse", help="output folder (default: warehouse/)")
    report.set_defaults(func=cmd_report, input=None)
    query = sub.add_parser("query", help="list or run the analyst queries of docs/queries.sql")
    query.add_argument("name", nargs="?", help="query to run (none: list them)")
    query.add_argument("--sql", action="store_true", help="print the SQL instead of running it")
    query.add_argument("--limit", type=int, default=40, help="rows to show (default 40)")
    query.add_argument("--warehouse", help="output folder (default: warehouse/)")
    query.set_defaults(func=cmd_query, input=None)
    export = sub.add_parser(
        "export",
        help="write every published table as Parquet or CSV files plus schema.json",
    )
    export.add_argument("--format", choices=["parquet", "csv"], default="parquet")
    export.add_argument(
        "--out",
        required=True,
        help="folder to write (replaced whole if it is "
        "a previous export; refused if it holds anything else)",
    )
    export.add_argument("--warehouse", help="output folder of the run (default: warehouse/)")
    export.set_defaults(func=cmd_export, input=None)
    return parser


def _add_run_options(parser: argparse.ArgumentParser) -> None:
    """The options of `run` and `watch` alike."""
    parser.add_argument("--input", help="folder of raw article files (default: seeds/)")
    parser.add_argument("--warehouse", help="output folder (default: warehouse/)")
    parser.add_argument(
        "--text-policy",
        choices=["full", "sentences", "none"],
        help="what analytics.duckdb holds of the article text: full (default), sentences (only "
        "sentences with a claim, event or aid pledge) or none (ids and offsets only); the "
        "private lake keeps everything (default: NEWSLEDGER_TEXT_POLICY, else full)",
    )
    parser.add_argument(
        "--log-level", default="WARNING", help="Dagster console log level (default: WARNING)"
    )


class _ProgressHandler(logging.Handler):
    """newsledger.progress records on stderr: one line redrawn in place on a terminal."""

    def __init__(self, stream) -> None:
        super().__init__(logging.INFO)
        self.stream = stream
        self.tty = stream.isatty()
        self._open = False

    def emit(self, record: logging.LogRecord) -> None:
        line = self.format(record)
        done = getattr(record, "done", 0) >= getattr(record, "total", 0)
        if self.tty:
            self.stream.write("\r\033[K" + line + ("\n" if done else ""))
        else:
            self.stream.write(line + "\n")
        self.stream.flush()


def show_progress(stream=None) -> None:
    logger = logging.getLogger("newsledger.progress")
    if not any(isinstance(h, _ProgressHandler) for h in logger.handlers):
        logger.addHandler(_ProgressHandler(stream or sys.stderr))
    logger.setLevel(logging.INFO)
    logger.propagate = False


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.func in (cmd_run, cmd_watch):
        show_progress()
    try:
        return args.func(args)
    except duckdb.IOException as err:
        print(
            f"error: {err}\nthe warehouse file could not be opened: check the path and its "
            "permissions; a file written by a newer DuckDB needs a newer reader",
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":
    sys.exit(main())
