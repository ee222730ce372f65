"""Is there anything new in the input folder since the last run? (issue 19)

`newsledger run` asks before it starts the NLP workers' fork server, which loads the spaCy model
(~2 s of one core, beside Dagster's own start-up, on a 2-core machine): a rerun with no new or
changed file has nothing to parse, so nothing loads the model. The run itself is unchanged: the
ingest asset reads the folder as always, the NLP step finds every article parsed under the
current extractor version and parses none, and the dbt asset skips dbt when the lake and the dbt
code are what its last published build read (orchestration/defs/dbt/assets.py). The answer only
decides the warm-up, so it errs on the side of "something changed": any file without an ingest
manifest entry (a new file, or one set aside, which is read again on every run), any file whose
size, times or inode differ from its entry, any file of the entry gone, any side file
(SOURCES.csv...) modified since the manifest was written.
"""

from __future__ import annotations

import os
from pathlib import Path

MANIFEST = "ingest_manifest"  # the lake table orchestration/defs/ingest/assets.py writes


def input_unchanged(input_dir: Path, lake_dir: Path) -> bool:
    """True when every input file is one the previous run's ingest manifest recorded, unchanged."""
    import polars as pl

    from transforms import lake
    from transforms.articles import list_input_files

    try:
        manifest = lake.read_snapshot(lake_dir, MANIFEST, missing_ok=False)
        written_ns = lake.modified_ns(lake.snapshot_path(lake_dir, MANIFEST))
    except (OSError, pl.exceptions.PolarsError):
        return False
    if written_ns is None:  # not a local lake: no modification time to compare side files with
        return False
    input_dir = Path(input_dir)
    if manifest.is_empty() or set(manifest["input_dir"].unique()) != {str(input_dir.resolve())}:
        return False
    entries = {
        row["source_path"]: row
        for row in manifest.select(
            "source_path", "target_path", "size", "mtime_ns", "ctime_ns", "inode", "device"
        ).iter_rows(named=True)
    }
    candidates, ignored = list_input_files(input_dir)
    if len(candidates) != len(entries):
        return False
    for path in candidates:
        entry = entries.get(path.relative_to(input_dir).as_posix())
        if entry is None or path.is_symlink():  # a symlink may point elsewhere now
            return False
        try:
            st = os.stat(entry["target_path"])
        except OSError:
            return False
        recorded = (entry["size"], entry["mtime_ns"], entry["ctime_ns"], entry["inode"])
        if (*recorded, entry["device"]) != (
            st.st_size,
            st.st_mtime_ns,
            st.st_ctime_ns,
            st.st_ino,
            st.st_dev,
        ):
            return False
    for path in ignored:
        try:
            st = path.stat()
        except OSError:
            continue
        if max(st.st_mtime_ns, st.st_ctime_ns) >= written_ns:
            return False
    return True
