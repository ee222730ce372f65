"""A whole run at a size no bench corpus reaches quickly, without its NLP (`make bench-warehouse`).

A 100,000-article `make bench` takes ~2 hours here, ~70 minutes of it the NLP step. This takes a
warehouse already built and its input folder (`make bench ARGS=--keep` leaves both) and makes a
replica N times larger: each input file N times, copy k with k+1 zero-width spaces (U+200B) at
its end, so each copy is a new article (another content hash) whose text reads the same and whose
sentences and offsets are those of the original; and the NLP step's per-article lake tables
(`DOC_TABLES`, the actor cache, the geocode cache) copied under the copies' article ids and row
ids, marked with this code's extractor and resolver versions. Then `newsledger run` on the
replica parses nothing, and does everything else a first run does at that size: ingest, the
actor step, events, pledges, the full dbt build, publishing, the report. It prints the run's
steps with their seconds and the main process's peak RSS in each, and the sampled peak RSS of
each process role (`run_benchmark.pipeline_run`), then the same for a rerun after 1% new files
(which are parsed).

A replica repeats the same texts: names, events and pledges recur N times. What grows with N is
the rows every step reads, holds and writes; clustering sees the same event N times.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

from benchmarks.corpus import build_corpus
from benchmarks.run_benchmark import pipeline_run

MARK = "\u200b"  # zero-width space: not whitespace to str.split(), so it changes the article id
# The row ids of the NLP tables (each a hash of its article's content), made unique per copy.
ROW_IDS = ("mention_id", "claim_id", "event_mention_id", "pledge_mention_id")


def copy_ids(source: Path, times: int) -> tuple[pl.DataFrame, list[tuple[str, str]]]:
    """Old article id -> the id of each copy (columns article_id, copy, new_id), and the files
    to write (name, content)."""
    from transforms.articles import article_id_for, decode_bytes, parse_article

    rows, files = [], []
    for path in sorted(source.glob("*.txt")):
        raw = decode_bytes(path.read_bytes())
        old, _ = article_id_for(parse_article(raw).text)
        for k in range(times):
            text = raw.rstrip("\n") + MARK * (k + 1) + "\n"
            new, _ = article_id_for(parse_article(text).text)
            rows.append({"article_id": old, "copy": k, "new_id": new})
            files.append((f"{path.stem}-{k:03d}.txt", text))
    return pl.DataFrame(rows).unique(["article_id", "copy"]), files


def _renamed(
    frame: pl.DataFrame, ids: pl.DataFrame, k: int, versions: dict[str, str]
) -> pl.DataFrame:
    suffix = f"-{k:03d}"
    frame = frame.join(ids.filter(pl.col("copy") == k), on="article_id", how="inner")
    frame = frame.with_columns(article_id=pl.col("new_id")).drop("new_id", "copy")
    for column in ROW_IDS:
        if column in frame.columns:
            frame = frame.with_columns(pl.col(column) + suffix)
    if "links" in frame.columns:  # the actor cache's links name their entity mentions
        frame = frame.with_columns(
            links=pl.col("links").list.eval(
                pl.element().struct.with_fields(pl.field("mention_id") + suffix)
            )
        )
    return frame.with_columns(**{c: pl.lit(v) for c, v in versions.items() if c in frame.columns})


def replicate(warehouse: Path, source: Path, target: Path, times: int) -> int:
    """Write the replica's input folder (`target`/input) and lake (`target`/warehouse/lake);
    returns the number of articles."""
    from transforms import actors, lake
    from transforms.nlp.pipeline import extractor_version
    from transforms.nlp.tables import DOC_TABLES

    ids, files = copy_ids(source, times)
    (target / "input").mkdir(parents=True)
    for name, text in files:
        (target / "input" / name).write_text(text, encoding="utf-8")
    source_lake, target_lake = warehouse / "lake", target / "warehouse" / "lake"
    shutil.copytree(source_lake / "geocode_cache", target_lake / "geocode_cache")
    versions = {
        "extractor_version": extractor_version(),
        "resolver_version": actors.resolver_version(),
    }
    for table in [*DOC_TABLES, actors.CACHE_TABLE]:
        for path in lake.table_files(source_lake, table, lake.PARTS):
            frame = pl.read_parquet(path)
            for k in range(times):
                # One part key per source part and copy, the same in every table (a part is
                # committed when its sentences file exists: transforms/nlp/run.py).
                key = f"{k:03d}{path.stem.removeprefix('part-')}"
                copy = _renamed(frame, ids, k, versions)
                lake.write_atomic(copy, lake.part_path(target_lake, table, key))
    return len(files)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, required=True, help="a built warehouse")
    parser.add_argument("--input", type=Path, required=True, help="the folder it was built from")
    parser.add_argument("--times", type=int, default=50)
    parser.add_argument("--keep", action="store_true", help="keep the replica")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="newsledger-warehouse-scale-"))
    try:
        started = time.perf_counter()
        n = replicate(args.warehouse, args.input, workdir, args.times)
        print(f"replica: {n:,} articles in {workdir} ({time.perf_counter() - started:.0f} s)")
        for label, new in (("first run", 0), ("rerun after +1% files", max(1, n // 100))):
            if new:
                build_corpus(workdir / "input", new, start_index=10**7)
            steps: list = []
            wall, stages, rss = pipeline_run(workdir / "input", workdir / "warehouse", steps)
            print(f"\n== {label}: {wall:.1f} s, peak RSS {rss:,.0f} MB")
            print("  each step's seconds and the main process's sampled peak RSS while it ran:")
            for step, seconds, main_mb in steps:
                print(f"    {step:<48} {seconds:6.0f} s  {main_mb:7,.0f} MB")
            print("  the sampled peak RSS of each process role:")
            for role, value in stages.items():
                if role.startswith("peak MB"):
                    print(f"    {role:<48} {value:8.1f} MB")
    finally:
        if args.keep:
            print(f"kept: {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
