"""Dagster asset checks on the Python assets and on quarantined_rows, shown on each asset in the UI.

Each check measures one share or age (the functions below read the lake or the published file,
no Dagster needed) and grades it against thresholds.yaml: above `warn` it fails with severity
WARN, above `error` with severity ERROR. None blocks: a run with a bad folder still publishes
its good files, and the check says how bad the folder was; rows dbt set aside (quarantined_rows)
do not stop the publish, and their check says how many, per table and rule. They run with every
run of newsledger_job (after the asset they check); the freshness check also runs hourly on its
own (a run that never happens cannot report that it did not happen).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import dagster as dg
import duckdb
import polars as pl
import yaml

from orchestration.defs.ingest.assets import ARTICLE_SOURCES, ARTICLES, REJECTED
from orchestration.settings import NewsledgerSettings
from transforms import lake

THRESHOLDS_FILE = Path(__file__).with_name("thresholds.yaml")
PLACE_MENTIONS = dg.AssetKey(["lake", "place_mentions"])
SENTENCES = dg.AssetKey(["lake", "sentences"])
PUBLISHED = dg.AssetKey(["published", "analytics_duckdb"])
QUARANTINED_ROWS = dg.AssetKey(["quarantined_rows"])  # the dbt model (published table)
# Rejections that lose no article: a duplicate is loaded once under its first path; a side-file
# row note sets aside rows of a SOURCES.csv, not a file.
NOT_LOST = ("duplicate", "side_file_rows")


@cache
def thresholds() -> dict[str, dict[str, float]]:
    return yaml.safe_load(THRESHOLDS_FILE.read_text(encoding="utf-8"))


@dataclass
class Measure:
    value: float | None  # None: nothing to judge (no input), the check passes
    what: str  # one line for the UI
    metadata: dict[str, object] = field(default_factory=dict)


def grade(check: str, measure: Measure) -> dg.AssetCheckResult:
    """Pass, WARN or ERROR by thresholds.yaml; the value and its limits go to the UI."""
    limits = thresholds()[check]
    metadata = {
        "value": dg.MetadataValue.float(float(measure.value or 0.0)),
        "warn_above": dg.MetadataValue.float(float(limits["warn"])),
        "error_above": dg.MetadataValue.float(float(limits["error"])),
        "summary": dg.MetadataValue.text(measure.what),
        **measure.metadata,
    }
    if measure.value is not None and measure.value > limits["error"]:
        return dg.AssetCheckResult(
            passed=False, severity=dg.AssetCheckSeverity.ERROR, metadata=metadata
        )
    if measure.value is not None and measure.value > limits["warn"]:
        return dg.AssetCheckResult(
            passed=False, severity=dg.AssetCheckSeverity.WARN, metadata=metadata
        )
    return dg.AssetCheckResult(passed=True, metadata=metadata)


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _share(n: int, total: int) -> float | None:
    return n / total if total else None


def measure_rejected_share(lake_dir: Path) -> Measure:
    """Unusable files (rejected_files, NOT_LOST left out) over every file of the input."""
    rejected = lake.read_snapshot(lake_dir, "rejected_files")
    sources = lake.read_snapshot(lake_dir, "article_sources")
    rejected = rejected if rejected is not None else pl.DataFrame(schema={"source_path": pl.Utf8})
    paths = set(sources["source_path"].to_list()) if sources is not None else set()
    paths |= set(rejected["source_path"].to_list())
    lost = rejected.filter(~pl.col("reason_code").is_in(NOT_LOST)) if rejected.height else rejected
    codes = (
        dict(lost.group_by("reason_code").len().sort("reason_code").iter_rows())
        if lost.height
        else {}
    )
    share = _share(lost.height, len(paths))
    return Measure(
        share,
        f"{lost.height} of {len(paths)} input files set aside as unusable",
        {
            "n_files": dg.MetadataValue.int(len(paths)),
            "n_set_aside": dg.MetadataValue.int(lost.height),
            "by_reason_code": dg.MetadataValue.json(codes),
        },
    )


def measure_unresolved_place_share(lake_dir: Path) -> Measure:
    """Place mentions whose place is 'unresolved' over all place mentions."""
    mentions = lake.read_snapshot(lake_dir, "place_mentions")
    places = lake.read_snapshot(lake_dir, "places")
    if mentions is None or places is None or not mentions.height:
        return Measure(None, "no place mentions")
    joined = mentions.select("place_id", "mention_text").join(
        places.select("place_id", "precision"), on="place_id", how="left"
    )
    unresolved = joined.filter(
        pl.col("precision").is_null() | (pl.col("precision") == "unresolved")
    )
    top = unresolved.group_by("mention_text").len().sort(["len", "mention_text"], descending=True)
    share = _share(unresolved.height, joined.height)
    minimum = thresholds()["unresolved_place_share"].get("min_mentions", 0)
    return Measure(
        share if joined.height >= minimum else None,
        f"{unresolved.height} of {joined.height} place mentions unresolved"
        + (f" (fewer than {minimum}: not judged)" if joined.height < minimum else ""),
        {
            "n_place_mentions": dg.MetadataValue.int(joined.height),
            "n_unresolved": dg.MetadataValue.int(unresolved.height),
            "most_frequent_unresolved": dg.MetadataValue.json(dict(top.head(10).iter_rows())),
        },
    )


def measure_empty_nlp_share(lake_dir: Path) -> Measure:
    """Loaded articles without a sentence in the lake over all loaded articles."""
    articles = lake.read_snapshot(lake_dir, "articles")
    if articles is None or not articles.height:
        return Measure(None, "no articles loaded")
    ids = articles["article_id"]
    parsed = lake.latest_version_keys(lake_dir, "sentences", ids)["article_id"]
    missing = ids.filter(~ids.is_in(parsed.implode()))
    n_rows = {table: lake.row_count(lake_dir, table) for table in ("sentences", "entity_mentions")}
    return Measure(
        _share(missing.len(), ids.len()),
        f"{missing.len()} of {ids.len()} articles have no NLP output",
        {
            "articles_without_sentences": dg.MetadataValue.json(missing.head(20).to_list()),
            "lake_rows": dg.MetadataValue.json(n_rows),
        },
    )


def measure_published_age_hours(published_db: Path, now: dt.datetime | None = None) -> Measure:
    """Hours since the published file's last publish (its pipeline_runs table); no file: inf."""
    now = now or dt.datetime.now(dt.UTC)
    if not Path(published_db).exists():
        return Measure(float("inf"), f"no published file at {published_db}")
    with duckdb.connect(str(published_db), read_only=True) as con:
        last = con.execute("select max(published_at) from pipeline_runs").fetchone()[0]
    if last is None:
        return Measure(float("inf"), "the published file records no publish")
    hours = (now - last).total_seconds() / 3600
    return Measure(
        hours,
        f"published {hours:.1f} h ago ({last:%Y-%m-%d %H:%M %Z})",
        {"published_at": dg.MetadataValue.text(last.isoformat())},
    )


def measure_quarantined_share(published_db: Path) -> Measure:
    """Rows dbt set aside (quarantined_rows: they break a data test's rule) over the rows of the
    tables they were set aside from (published + set aside), with the count per table and rule."""
    if not Path(published_db).exists():
        return Measure(None, f"no published file at {published_db}")
    with duckdb.connect(str(published_db), read_only=True) as con:
        tables = {r[0] for r in con.execute("select table_name from duckdb_tables()").fetchall()}
        if "quarantined_rows" not in tables:
            return Measure(None, "the published file has no quarantined_rows table")
        rows = con.execute(
            "select model, test_name, count(*) from quarantined_rows group by all order by all"
        ).fetchall()
        per_model: dict[str, int] = {}
        for model, _, n in rows:
            per_model[model] = per_model.get(model, 0) + n
        published = {
            model: con.execute(f"select count(*) from {_ident(model)}").fetchone()[0]
            for model in per_model
            if model in tables
        }
    n_set_aside = sum(n for _, _, n in rows)
    n_rows = n_set_aside + sum(published.values())
    by_rule = {f"{model}: {test}": n for model, test, n in rows}
    detail = ", ".join(f"{n} {model} ({test})" for model, test, n in rows)
    return Measure(
        _share(n_set_aside, n_rows) if n_set_aside else 0.0,
        f"{n_set_aside} row{'' if n_set_aside == 1 else 's'} set aside as breaking a data test"
        + (f": {detail}" if rows else "")
        + " (quarantined_rows)",
        {
            "n_set_aside": dg.MetadataValue.int(n_set_aside),
            "n_rows_checked": dg.MetadataValue.int(n_rows),
            "by_table_and_rule": dg.MetadataValue.json(by_rule),
        },
    )


@dg.asset_check(
    asset=REJECTED,
    additional_deps=[ARTICLE_SOURCES],
    description="Share of input files set aside as unusable (duplicates not counted); "
    "WARN / ERROR above the limits of thresholds.yaml.",
)
def rejected_share(settings: NewsledgerSettings) -> dg.AssetCheckResult:
    return grade("rejected_share", measure_rejected_share(settings.lake))


@dg.asset_check(
    asset=PLACE_MENTIONS,
    description="Share of place mentions no gazetteer entry resolved; WARN / ERROR above the "
    "limits of thresholds.yaml.",
)
def unresolved_place_share(settings: NewsledgerSettings) -> dg.AssetCheckResult:
    return grade("unresolved_place_share", measure_unresolved_place_share(settings.lake))


@dg.asset_check(
    asset=SENTENCES,
    additional_deps=[ARTICLES],
    description="Share of loaded articles the NLP stage produced no sentence for; WARN for any, "
    "ERROR above the limit of thresholds.yaml.",
)
def nlp_output_not_empty(settings: NewsledgerSettings) -> dg.AssetCheckResult:
    return grade("empty_nlp_share", measure_empty_nlp_share(settings.lake))


@dg.asset_check(
    asset=PUBLISHED,
    description="Hours since analytics.duckdb was last published (its pipeline_runs table); "
    "WARN / ERROR above the limits of thresholds.yaml. Also runs hourly on its own.",
)
def published_freshness(settings: NewsledgerSettings) -> dg.AssetCheckResult:
    return grade("published_age_hours", measure_published_age_hours(settings.published_db))


@dg.asset_check(
    asset=QUARANTINED_ROWS,
    additional_deps=[PUBLISHED],
    description="Rows dbt set aside because they break a data test's rule (quarantined_rows: "
    "broken offsets, a span outside its sentence), per table and rule; WARN for any, ERROR above "
    "the share of thresholds.yaml. Reads the published file.",
)
def quarantined_rows_count(settings: NewsledgerSettings) -> dg.AssetCheckResult:
    return grade("quarantined_share", measure_quarantined_share(settings.published_db))


CHECKS = [
    rejected_share,
    unresolved_place_share,
    nlp_output_not_empty,
    published_freshness,
    quarantined_rows_count,
]

freshness_job = dg.define_asset_job(
    "published_freshness_job",
    selection=dg.AssetSelection.checks(published_freshness),
    description="Only the freshness check of analytics.duckdb (hourly).",
)

freshness_schedule = dg.ScheduleDefinition(
    name="published_freshness_hourly",
    job=freshness_job,
    cron_schedule="17 * * * *",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
)

defs = dg.Definitions(asset_checks=CHECKS, jobs=[freshness_job], schedules=[freshness_schedule])
