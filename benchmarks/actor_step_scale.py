"""The actor step's lake side at sizes no bench corpus reaches quickly (`make bench-actors`).

`make bench` times the actor step inside a whole run; a 100,000-article run takes ~2 hours here.
This takes the lake of a warehouse already built (`make bench ARGS=--keep` leaves one, or any
`newsledger run`) and replicates its entity mentions and its actor cache N times under new
article ids, then times, in a fresh process per size, what the actor step does on a first run
of that lake:
- `places`: every article placed (`actor_lake.lake_places`; the place cache starts empty, the
  geocode cache as the warehouse left it, as after a full run's NLP step);
- `actors`: the cross-article step over every article's cached resolution
  (`actor_lake.lake_actors`; the NLP workers cache each article's resolution as they parse; the
  warehouse's cache rows are taken as they are, under this code's resolver version).

It prints seconds and peak RSS per size, and the ratios of each to the smallest size. A replica
repeats the same names, so the geocoder's work per name is done once; what grows with N is the
per-article work and what is read, held and written.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import polars as pl

REPO = Path(__file__).resolve().parents[1]
TABLES = ("entity_mentions", "actor_cache")


def replicate(source: Path, target: Path, times: int) -> None:
    """`target`: the lake tables the actor step reads, `times` copies of `source`'s under article
    ids suffixed -000, -001, ..., one part per source part and copy."""
    from transforms import actors, lake

    shutil.copytree(source / "geocode_cache", target / "geocode_cache")
    for table in TABLES:
        for i, path in enumerate(lake.table_files(source, table, lake.PARTS)):
            frame = pl.read_parquet(path)
            if table == actors.CACHE_TABLE:
                # Under this code's resolver version, whichever the warehouse was built with:
                # the step's cost is that of the rows, not of their version.
                frame = frame.with_columns(resolver_version=pl.lit(actors.resolver_version()))
            for k in range(times):
                copy = frame.with_columns(article_id=pl.col("article_id") + f"-{k:03d}")
                if "mention_id" in copy.columns:
                    copy = copy.with_columns(mention_id=pl.col("mention_id") + f"-{k:03d}")
                lake.write_atomic(copy, lake.part_path(target, table, f"{k:03d}{i:05d}"))


def measure(lake_dir: Path, step: str) -> dict:
    """Seconds and peak RSS of one step on `lake_dir`, in a fresh process."""
    code = f"""
import json, resource, time
from pathlib import Path
from transforms import actor_lake, lake
lake_dir = Path({str(lake_dir)!r})
keys = lake.latest_version_keys(lake_dir, "entity_mentions", lake.read_table(
    lake_dir, "entity_mentions", ["article_id"])["article_id"].unique())
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
started = time.perf_counter()
frames, stats = actor_lake.lake_{step}(lake_dir, keys)
seconds = time.perf_counter() - started
print(json.dumps({{"articles": keys.height, "seconds": seconds, "rows": [f.height for f in frames],
    "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "before_mb": before}}))
"""
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO
    )
    return json.loads(out.stdout.splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lake", type=Path, required=True, help="a built warehouse's lake folder")
    parser.add_argument("--times", type=int, nargs="+", default=[1, 10, 50])
    args = parser.parse_args()
    results: dict[str, list[dict]] = {"places": [], "actors": []}
    for times in args.times:
        with tempfile.TemporaryDirectory(prefix="newsledger-actor-step-") as tmp:
            lake_dir = Path(tmp) / "lake"
            replicate(args.lake, lake_dir, times)
            for step in results:
                results[step].append(measure(lake_dir, step))
    for step, rows in results.items():
        print(f"{step}:")
        base = rows[0]
        for r in rows:
            times = r["seconds"] / base["seconds"]
            more = r["articles"] / base["articles"]
            print(
                f"  {r['articles']:>8,} articles  {r['seconds']:7.1f} s  "
                f"(x{times:5.1f} for x{more:.0f} articles)  peak RSS {r['peak_mb']:6,.0f} MB "
                f"({r['peak_mb'] - r['before_mb']:+,.0f} MB in the step)"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
