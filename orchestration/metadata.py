"""Asset metadata helpers: row counts and a small markdown preview shown in the Dagster UI."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

import dagster as dg
import duckdb
import polars as pl

from transforms.warehouse import _ident


def preview_md(frame: pl.DataFrame, n: int = 5, max_chars: int = 60) -> str:
    if frame.is_empty():
        return "_no rows_"
    cols = [c for c in frame.columns if c != "text"][:8]
    head = frame.select(cols).head(n)

    def cell(v: object) -> str:
        s = "" if v is None else str(v).replace("|", "\\|").replace("\n", " ")
        return s if len(s) <= max_chars else s[: max_chars - 1] + "…"

    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in head.iter_rows()]
    return "\n".join(lines)


def table_metadata(frame: pl.DataFrame, **extra: object) -> dict[str, object]:
    return {
        "dagster/row_count": dg.MetadataValue.int(frame.height),
        "preview": dg.MetadataValue.md(preview_md(frame)),
        **extra,
    }


def lake_table_metadata(lake_dir: Path, table: str, **extra: object) -> dict[str, object]:
    """`table_metadata` of a whole lake table without reading it: the row count from the Parquet
    footers, the preview from the first part (reading every part of the NLP tables held the whole
    corpus in memory: ~700 MB of the main process at 20,000 articles)."""
    from transforms import lake

    files = lake.table_files(lake_dir, table)
    if not files:
        return table_metadata(pl.DataFrame(), **extra)
    return {
        **table_metadata(lake.read_file(files[0], n_rows=5), **extra),
        "dagster/row_count": dg.MetadataValue.int(lake.row_count(lake_dir, table)),
    }


def with_dbt_table_metadata(
    events: Iterable[object], db_path: Path, nodes: Mapping[str, dict]
) -> Iterator[object]:
    """dbt's events, with `dagster/row_count` and a preview added to every model and seed built.

    dagster-dbt's own `.fetch_row_counts()` queries through dbt's adapter inside this process; with
    dbt-duckdb that leaves an in-process read-write DuckDB instance open on the private file, and
    the publish step then fails ("Can't open a connection to same database file with a different
    configuration"). And the file is locked by the dbt process while it builds. So the events are
    held until dbt has finished (a few seconds on the seeds), then each model's table or view is
    counted through a short read-only connection and its event released with the numbers.
    Tables, incremental models and seeds are counted; views are not (see below).
    """
    held = list(events)
    extra: dict[str, dict[str, object]] = {}
    wanted = {
        str(e.metadata["unique_id"].value)
        for e in held
        if isinstance(e, dg.Output) and "unique_id" in e.metadata
    }
    try:
        with duckdb.connect(str(db_path), read_only=True) as con:
            for unique_id in wanted:
                node = nodes.get(unique_id)
                if not node or node["resource_type"] not in ("model", "seed"):
                    continue
                if node["config"].get("materialized") == "view":
                    # A staging/intermediate view would be computed again (Parquet scans and
                    # window functions over the whole lake) just to be counted: seconds per
                    # run that grow with the corpus. Its table downstream carries the count.
                    continue
                schema, alias = node["schema"], node["alias"]
                try:
                    n = con.execute(
                        f"select count(*) from {_ident(schema)}.{_ident(alias)}"
                    ).fetchone()[0]
                    head = con.execute(
                        f"select * from {_ident(schema)}.{_ident(alias)} limit 5"
                    ).pl()
                except duckdb.Error:
                    continue  # a model dropped or renamed mid-run: no numbers, not a failure
                extra[unique_id] = {
                    "dagster/row_count": dg.MetadataValue.int(int(n)),
                    "preview": dg.MetadataValue.md(preview_md(head)),
                }
    except duckdb.Error:
        extra = {}  # the file is busy or missing: the events go out without row counts
    for event in held:
        if isinstance(event, dg.Output) and "unique_id" in event.metadata:
            more = extra.get(str(event.metadata["unique_id"].value))
            if more:
                event = event.with_metadata({**event.metadata, **more})
        yield event
