"""dbt models as assets; lake sources map to the Python assets of the same key (lake/<table>)."""

import hashlib
import importlib.metadata
import json
import logging
import os
import shutil
import threading
from collections.abc import Mapping, Sequence
from functools import cached_property
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    dbt_assets,
)
from packaging import version

from orchestration.defs.dbt.in_process import (
    in_process_invocation_class,
    runs_in_process,
    stays_warm,
)
from orchestration.defs.dbt.project import (
    dbt_project,
    lake_source_tables,
    read_manifest,
    seed_only_nodes,
)
from orchestration.metadata import with_dbt_table_metadata
from orchestration.prepare import dbt_executable
from orchestration.settings import NewsledgerSettings, dbt_in_process_allowed
from transforms import lake
from transforms.faults import fault_point
from transforms.locking import warehouse_lock
from transforms.warehouse import wait_until_unlocked

_IN_PROCESS_PATCH = threading.Lock()


class NewsledgerDbtCliResource(DbtCliResource):
    """DbtCliResource without the two in-process start-up steps of each `cli()` call (~6 s).

    dagster-dbt 0.29 runs `dbt --version` in a subprocess (~4 s: a full dbt import, and a lookup
    of the latest release) to tell dbt Core from Fusion, then builds a dbt adapter inside this
    process (project, profile and every macro loaded: ~2-4 s) which it only uses for
    `.fetch_row_counts()` and `.fetch_column_metadata()`. We call neither (row counts come from
    orchestration/metadata.py), and dbt Core is the installed package, so its version is read
    from the package metadata and no adapter is built (`cli()` then passes adapter=None, as it
    does for Fusion).
    """

    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(importlib.metadata.version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args: Sequence[str]) -> None:
        return None

    def cli(self, args: Sequence[str], in_process: bool | None = None, **kwargs: Any):
        """dagster-dbt's `cli()`, with dbt run in this process (in_process.py: no dbt start-up per
        build) when `in_process` (default: unless NEWSLEDGER_DBT_SUBPROCESS=1)."""
        if not (dbt_in_process_allowed() if in_process is None else in_process):
            return super().cli(args, **kwargs)
        import dagster_dbt.core.resource as resource_module

        with _IN_PROCESS_PATCH:
            original = resource_module.DbtCliInvocation
            resource_module.DbtCliInvocation = in_process_invocation_class()
            try:
                return super().cli(args, **kwargs)
            finally:
                resource_module.DbtCliInvocation = original


class NewsledgerTranslator(DagsterDbtTranslator):
    """Group dbt assets by layer folder (staging, intermediate, marts, reference)."""

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "seed":
            return "reference"
        fqn = dbt_resource_props.get("fqn", [])
        return fqn[1] if len(fqn) > 2 else "dbt"


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=NewsledgerTranslator(
        settings=DagsterDbtTranslatorSettings(enable_asset_checks=True)
    ),
    pool="newsledger_duckdb",
)
def newsledger_dbt_models(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, settings: NewsledgerSettings
):
    # dbt reads the warehouse location from this variable (dbt_project/profiles.yml and the
    # lake sources); setting it from the resource keeps Dagster and dbt on the same folder.
    os.environ["NEWSLEDGER_WAREHOUSE_DIR"] = settings.warehouse_dir
    # One target folder per warehouse, kept between runs, so dbt's partial parsing reuses the
    # previous parse (about 3 s per run) instead of starting over in a fresh folder each time.
    target = Path("target") / f"run-{hashlib.sha1(settings.warehouse_dir.encode()).hexdigest()[:8]}"
    (dbt_project.project_dir / target).mkdir(parents=True, exist_ok=True)
    (dbt_project.project_dir / target / WAREHOUSE_OF).write_text(
        settings.warehouse_dir, encoding="utf-8"
    )
    prune_targets_of_removed_warehouses(dbt_project.project_dir / "target")
    # The two markers live in the warehouse folder, with the databases they describe, not with
    # dbt's artifacts (kept per warehouse path): a warehouse copied in from another path, or
    # restored from a copy (`cp -r` gives its files new times), brings its own markers. Kept
    # with the artifacts, an incremental build kept views that read the other path's lake, and
    # a restored warehouse was taken for the later build its copy predates (nothing published).
    built_with = Path(settings.warehouse_dir) / BUILT_WITH
    code = dbt_code_fingerprint(dbt_project.manifest_path)
    built_from = Path(settings.warehouse_dir) / BUILT_FROM
    # The text policy is applied when publishing; a changed policy must publish again.
    # Only the lake tables dbt reads: not the ingest manifest nor the caches, which no dbt source
    # reads. (A file read again only because it was written just before the previous run,
    # transforms/articles.py RACY_WINDOW_NS, adds an entry to the ingest manifest and nothing
    # else, which must not rebuild and republish the warehouse.)
    fingerprint = lake.content_fingerprint(settings.lake, tables=lake_source_tables())
    state = f"{code}\n{fingerprint}\ntext_policy={settings.text_policy}"
    rebuild = os.environ.get("NEWSLEDGER_REBUILD") == "1"  # build and publish even so
    # Nothing dbt reads has changed since its last whole build, and that build was published:
    # a rerun with nothing new skips dbt (its outputs are optional; publish sees no change).
    unchanged = not rebuild and not context.is_subset and _up_to_date(built_from, state, settings)
    ours = isinstance(dbt, NewsledgerDbtCliResource)
    if unchanged and not (ours and stays_warm()):
        context.log.info("dbt: the lake and the dbt code are unchanged since the last build")
        return
    if not unchanged:
        built_from.unlink(missing_ok=True)
    # Where dbt reads the lake: the lake's folder or URL when it is not <warehouse>/lake, with the
    # fsspec filesystem DuckDB reads it through when it is not local (transforms/lake.py); a lake
    # DuckDB cannot read from here stops the step, with the reason. A lake outside the local
    # filesystem is read in this process (`runs_in_process`), so only ours can read it.
    local = lake.is_local(settings.lake)
    built_code = built_with_marker(code, *lake.where_duckdb_reads(settings.lake))
    args = build_args(built_with, built_code, Path(settings.private_db), context.is_subset)
    lake_bytes = lake.local_size_bytes(settings.lake) if local else None
    size = lake_bytes if "--full-refresh" in args else None
    in_process = ours and runs_in_process(args, local, size)
    memory_limit, threads = duckdb_resources(lake_bytes)
    _set_env(DUCKDB_MEMORY_ENV, memory_limit)
    source, filesystems = lake.duckdb_source(settings.lake, one_process=in_process)
    default = str(Path(settings.warehouse_dir) / "lake")
    _set_env(DBT_LAKE_ENV, None if source == default else source)
    _set_env(DBT_FILESYSTEMS_ENV, repr(filesystems) if filesystems else None)
    if threads := min(filter(None, [threads, lake.dbt_threads(settings.lake)]), default=None):
        args += ["--threads", str(threads)]
    cli_options = {"in_process": in_process} if ours else {}
    if unchanged:
        # In a process that lives on after this run (`newsledger watch`): nothing to build, so
        # parse the project with what its next build will have (the same flags, environment and
        # target folder), which that build would otherwise pay cold (in_process.stays_warm).
        parse = ["parse", *args[args.index("--threads") :]] if "--threads" in args else ["parse"]
        with warehouse_lock(settings.warehouse_dir, on_wait=context.log.warning):
            parsed = dbt.cli(
                parse, target_path=target, raise_on_error=False, in_process=True
            ).is_successful()
        context.log.info(
            "dbt: the lake and the dbt code are unchanged since the last build; "
            + ("parsed for the next build" if parsed else "dbt parse failed")
        )
        return
    context.log.info(f"dbt {' '.join(args)}: {'in this process' if in_process else 'a subprocess'}")
    # One writer per warehouse (transforms/locking.py); and wait out a dbt process orphaned by a
    # killed run that may still hold the private DuckDB file.
    with warehouse_lock(settings.warehouse_dir, on_wait=context.log.warning):
        wait_until_unlocked(settings.private_db)

        def stream():
            # first: a multi-asset yields its assets in dependency order (fct_aid_pledges reads
            # dim_countries)
            yield from unchanged_model_outputs(context, args)
            invocation = dbt.cli(args, context=context, target_path=target, **cli_options)
            for i, event in enumerate(invocation.stream()):
                yield event
                if i == 0:
                    fault_point("dbt")  # test hook: dbt is mid-build
            if invocation.is_successful():
                built_with.write_text(built_code, encoding="utf-8")
                if not context.is_subset:
                    built_from.write_text(state, encoding="utf-8")

        # Row counts and a preview on every model's materialization (orchestration/metadata.py).
        yield from with_dbt_table_metadata(stream(), settings.private_db, read_manifest()["nodes"])


class _NoMissingCheckWarnings(logging.Filter):
    """Drop Dagster's warning, one per dbt test, that a skipped dbt build emitted no check result:
    when nothing changed that is the point (the asset logs why); a failed build fails its step."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "emitted no result in step" not in record.getMessage()


logging.getLogger("dagster._core.execution.plan.active").addFilter(_NoMissingCheckWarnings())

BUILT_WITH = "newsledger_built_with.txt"
INCREMENTAL_BUILD_EXCLUDES = [
    "--exclude-resource-type",
    "unit_test",
    "--exclude-resource-type",
    "seed",
]


def unchanged_nodes_exclude() -> list[str]:
    """And in a build of the whole job (not of assets picked in the UI, which asks for them by
    name): the views, and the seeds' tests with the models that read seeds only and their tests
    (`seed_only_nodes`): see `build_args`. One argument, its selectors joined by spaces (dbt's
    union): dagster-dbt takes only the word after `--exclude` as its value."""
    return ["--exclude", " ".join(["config.materialized:view", *seed_only_nodes()])]


# dbt code and lake fingerprints of the last whole build, in the warehouse folder. The lake's is of
# its files' content, not modification times: each run rewrites the snapshot tables, with the same
# bytes when nothing changed (the lake's writers are deterministic).
BUILT_FROM = "newsledger_built_from.txt"
# What dbt reads the lake from (dbt_project/models/staging/_sources.yml, profiles.yml).
DBT_LAKE_ENV = "NEWSLEDGER_DBT_LAKE"
DBT_FILESYSTEMS_ENV = "NEWSLEDGER_DBT_FILESYSTEMS"


# The warehouse folder a target folder (target/run-<hash of its path>) serves.
WAREHOUSE_OF = "newsledger_warehouse.txt"


def prune_targets_of_removed_warehouses(target_root: Path) -> list[Path]:
    """Remove the target folders (~5 MB each: dbt's artifacts and compiled SQL) of warehouses
    that no longer exist: every test run and every warehouse built at another path left one
    behind. A folder without the record (made before it was kept) is left as it is; a warehouse
    built again at a removed path gets a new folder and is built whole, as it would be anyway
    (`build_args`: no private database)."""
    removed = []
    for folder in target_root.glob("run-*"):
        record = folder / WAREHOUSE_OF
        try:
            warehouse = Path(record.read_text(encoding="utf-8"))
        except OSError:
            continue
        if not warehouse.exists():
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


# DuckDB's memory limit in dbt (profiles.yml; NEWSLEDGER_DUCKDB_MEMORY_LIMIT, when set, wins), and
# dbt's threads (models built at once; the profile's two, unless set here).
# Measured in session 17: a full build at 20,000 articles (a 130 MB lake) fits in 500 MB (300 MB
# made it fail: profiles.yml, commit 8521ec2). Measured in session 22 on a 100,000-article
# replica of a 2,000-article warehouse (benchmarks/warehouse_scale.py), full builds, once the
# marts' most-frequent-value aggregates could spill (macros/most_frequent.sql):
#   - 1 GB fails (out of memory in int_entity_mentions with two threads; in fct_claims with one);
#   - 1,250 MB with one thread: 127 s, the dbt process at 1.66 GB;
#   - 1,250 MB with two threads: 86 s at 1.79 GB alone, but it failed inside a whole run (in
#     int_entity_mentions, whose offset check joins the mentions with the article texts, while
#     the other thread joined the sentences with them);
#   - 1,500 MB: 82 s (two threads) or 119 s (one) at 2.13 GB; 4 GB (the limit this replaced,
#     4 x the lake's size, with two threads): 67 s at 3.6 GB.
# So: up to a lake of 256 MB (about 40,000 articles) 500 MB and the profile's threads; above it
# 1,250 MB and one thread, whatever the size: DuckDB spills what does not fit to
# <warehouse>/newsledger.duckdb.tmp, so a larger build takes longer, not more memory (measured up
# to 100,000 articles; a query that cannot spill fails with DuckDB's "Out of Memory Error", and a
# machine with memory to spare sets NEWSLEDGER_DUCKDB_MEMORY_LIMIT and NEWSLEDGER_DBT_THREADS).
# One value above the threshold, because the memory limit is part of dbt's profile, and a changed
# profile costs dbt a full parse (~3 s).
DUCKDB_MEMORY_ENV = "NEWSLEDGER_DBT_MEMORY_LIMIT_DEFAULT"
DUCKDB_MEMORY_FLOOR = "500MB"
DUCKDB_MEMORY_LARGE = "1250MB"
DBT_THREADS_LARGE = 1
DUCKDB_LARGE_LAKE_BYTES = 256 * 2**20


def duckdb_resources(lake_bytes: int | None) -> tuple[str, int | None]:
    """The memory limit dbt's DuckDB gets and dbt's threads (None: the profile's) for a lake of
    this size (None: not local, unknown)."""
    if (lake_bytes or 0) > DUCKDB_LARGE_LAKE_BYTES:
        threads = None if os.environ.get("NEWSLEDGER_DBT_THREADS") else DBT_THREADS_LARGE
        return DUCKDB_MEMORY_LARGE, threads
    return DUCKDB_MEMORY_FLOOR, None


def built_with_marker(code: str, source: str, filesystems: list[dict]) -> str:
    """What a warehouse's last successful build was made with: the dbt code's fingerprint and
    where it read the lake. The staging views' SQL names the lake's location, so a warehouse
    built from another lake is built whole, and an incremental build may leave its views as they
    are (`build_args`). The location is hashed: a filesystem's options may hold credentials."""
    where = hashlib.sha1(f"{source}\n{filesystems!r}".encode()).hexdigest()
    return f"{code}\nlake={where}"


def build_args(
    built_with: Path, built_code: str, private_db: Path, subset: bool = False
) -> list[str]:
    """`dbt build` whole (`--full-refresh`) or incremental, from the marker of the last successful
    build of this warehouse (`built_with_marker`); `subset`: the run asked for some of the dbt
    assets only (what it asked for is built, views included)."""
    if (
        not built_with.exists()
        or built_with.read_text(encoding="utf-8") != built_code
        or not private_db.exists()
    ):
        # Incremental models keep the rows earlier runs built; rows built by other SQL must not
        # stay, so the first build with changed dbt code (or an unknown warehouse, or another
        # lake) is a full one. A warehouse without its private database is built whole (its
        # seeds included); and the marker goes before a full build, so that a full build that
        # fails is followed by another full one, not by an incremental build on half a warehouse.
        built_with.unlink(missing_ok=True)
        return ["build", "--full-refresh"]
    # The dbt code (seeds included) is that of the last successful build of this warehouse: its
    # unit tests (fixed rows through the SQL, no data) passed on this very code, and the seed
    # tables hold these CSV rows. Neither is run again (issue 19: 6 of ~160 nodes, among the
    # slowest of a rerun). Nor are the views (18 nodes): that build created them from this very
    # SQL on this very lake location, and a view reads its Parquet when queried, so creating it
    # again changes nothing (no data test is on a view). Nor are the models that read seeds only
    # (dim_countries, dim_event_codes) nor the data tests of those models and of the seeds (14
    # nodes): they hold and test what the seeds' CSV rows give, which that build made and tested
    # with this very code. A test that joins them with the lake's rows (a relationship of
    # fct_events to dim_event_codes...) has another parent and still runs.
    return ["build", *INCREMENTAL_BUILD_EXCLUDES, *([] if subset else unchanged_nodes_exclude())]


def unchanged_model_outputs(
    context: dg.AssetExecutionContext, args: Sequence[str]
) -> list[dg.Output]:
    """An output for each model of seeds only that this build left out (`unchanged_nodes_exclude`):
    its table is the one the last whole build made of the same seeds with the same code. Without
    it the assets downstream (the published warehouse depends on every mart, dim_countries
    included) would be skipped as if dbt had not made their inputs."""
    if "--exclude" not in args:
        return []
    excluded = set(args[args.index("--exclude") + 1].split(" "))
    translator = NewsledgerTranslator()
    outputs = []
    for unique_id, node in read_manifest()["nodes"].items():
        if node["resource_type"] != "model" or node["name"] not in excluded:
            continue
        key = translator.get_asset_key(node)
        if key in context.selected_asset_keys:
            outputs.append(
                dg.Output(
                    None,
                    output_name=key.to_python_identifier(),
                    metadata={
                        "unique_id": unique_id,  # with_dbt_table_metadata adds its row count
                        "newsledger/unchanged": "reads seeds only: as the last whole build made it",
                    },
                )
            )
    return outputs


def _set_env(name: str, value: str | None) -> None:
    if value is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = value


def _up_to_date(built_from: Path, state: str, settings: NewsledgerSettings) -> bool:
    """The last whole build read exactly this state, and its result was published after it."""
    published = Path(settings.published_db)
    return (
        built_from.exists()
        and built_from.read_text(encoding="utf-8") == state
        and published.exists()
        and published.stat().st_mtime > built_from.stat().st_mtime
    )


def dbt_code_fingerprint(manifest_path: Path) -> str:
    """One hash of every model's, seed's and project macro's code in the manifest.

    Stored beside a warehouse's dbt artifacts after each successful build: when it changes, the
    incremental models (macros/incremental_by_article.sql) are rebuilt from scratch once.
    """
    manifest = read_manifest(manifest_path)
    parts = sorted(
        f"{uid}:{node['checksum']['checksum']}:{json.dumps(node['config'], sort_keys=True)}"
        for uid, node in manifest["nodes"].items()
        if node["resource_type"] in ("model", "seed")
    )
    parts += sorted(
        f"{uid}:{hashlib.sha1(macro['macro_sql'].encode()).hexdigest()}"
        for uid, macro in manifest["macros"].items()
        if macro["package_name"] == manifest["metadata"].get("project_name", "newsledger")
    )
    return hashlib.sha1("\n".join(parts).encode()).hexdigest()


def mart_asset_keys() -> list[dg.AssetKey]:
    """Asset keys of the dbt models under models/marts (what publish copies)."""
    manifest = read_manifest()
    translator = NewsledgerTranslator()
    return [
        translator.get_asset_key(node)
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["fqn"][1:2] == ["marts"]
    ]


defs = dg.Definitions(
    assets=[newsledger_dbt_models],
    # dbt from the interpreter's own environment: the installed console script
    # (.venv/bin/newsledger, as cron or systemd start it) runs without the venv's bin on PATH
    resources={
        "dbt": NewsledgerDbtCliResource(project_dir=dbt_project, dbt_executable=dbt_executable())
    },
)
