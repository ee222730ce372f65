"""The lake's file layer (transforms/lake.py) on a local folder and on fsspec's memory://
filesystem, with the seed articles: round trips, parts, atomic writes, leftovers, fingerprints."""

from __future__ import annotations

import importlib.util
import io
import uuid

import duckdb
import fsspec
import polars as pl
import pytest
from upath import UPath

from tests.conftest import SEEDS
from transforms import lake
from transforms.articles import ingest_folder


@pytest.fixture(scope="module")
def ingested():
    """The ingest stage's four snapshot tables of seeds/ (real articles, sources, rejections)."""
    result = ingest_folder(SEEDS)
    assert result.articles.height >= 10
    return result


@pytest.fixture(params=["local", "file-url", "memory"])
def root(request, tmp_path):
    """A lake root: a local folder, the same as a file:// URL, or a fresh memory:// folder."""
    if request.param == "local":
        yield tmp_path / "lake"
    elif request.param == "file-url":
        yield f"file://{tmp_path}/lake"
    else:
        name = f"lake-{uuid.uuid4().hex}"
        yield f"memory://{name}/lake"
        fsspec.filesystem("memory").rm(f"/{name}", recursive=True)


def names(root, table: str) -> list[str]:
    """Every object of a table's folder, temporary ones too."""
    folder = lake.table_dir(root, table)
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_a_root_is_a_path_when_local_and_a_upath_elsewhere(tmp_path):
    assert lake.location(tmp_path) == tmp_path and lake.is_local(tmp_path)
    assert lake.location(f"file://{tmp_path}/lake") == tmp_path / "lake"
    remote = lake.location("memory://somewhere/lake")
    assert isinstance(remote, UPath) and remote.protocol == "memory"
    assert not lake.is_local("memory://somewhere/lake")


def test_duckdb_reads_a_local_lake_by_path_and_another_through_its_fsspec_filesystem(tmp_path):
    assert lake.duckdb_source(f"file://{tmp_path}/lake", False) == (str(tmp_path / "lake"), [])
    url = "memory://somewhere/lake"
    assert lake.duckdb_source(url, one_process=True) == (url, [{"fs": "memory"}])
    with pytest.raises(lake.LakeNotReadable, match="memory of one process"):
        lake.duckdb_source(url, one_process=False)
    if importlib.util.find_spec("s3fs") is None:  # not in the locked environment
        with pytest.raises(lake.LakeNotReadable, match="httpfs.*no s3:// filesystem"):
            lake.duckdb_source("s3://bucket/lake", one_process=False)
    # Unchecked (what a dbt build marker records, before the build decides its process): the
    # same answer as the check gives where it passes, and none of its errors.
    assert lake.where_duckdb_reads(url) == lake.duckdb_source(url, one_process=True)
    assert lake.where_duckdb_reads(f"file://{tmp_path}/lake") == (str(tmp_path / "lake"), [])
    assert lake.where_duckdb_reads("s3://bucket/lake") == ("s3://bucket/lake", [{"fs": "s3"}])


def test_dbt_reads_a_memory_lake_on_one_thread_because_its_readers_share_one_file_object(
    tmp_path,
):
    """fsspec's memory filesystem opens a file for reading as the one object it stores, so two
    readers move each other's position; dbt then builds on one thread (lake.dbt_threads)."""
    url = f"memory://lake-{uuid.uuid4().hex}/lake"
    path = lake.location(url) / "t.parquet"
    try:
        path.write_bytes(b"PAR1 data PAR1")
        with path.open("rb") as first, path.open("rb") as second:
            assert first is second  # what makes concurrent reads unsafe
            first.read(4)
            assert second.tell() == 4
        assert lake.dbt_threads(url) == 1
    finally:
        fsspec.filesystem("memory").rm(lake.location(url).parent.path, recursive=True)
    assert lake.dbt_threads(tmp_path) is None
    assert lake.dbt_threads(f"file://{tmp_path}/lake") is None


def test_duckdb_globs_a_memory_lake_through_the_registered_filesystem(ingested):
    """What dbt-duckdb's `filesystems` setting does (dbt_project/profiles.yml), by hand."""
    url = f"memory://lake-{uuid.uuid4().hex}/lake"
    try:
        lake.write_snapshot(url, "articles", ingested.articles)
        source, filesystems = lake.duckdb_source(url, one_process=True)
        con = duckdb.connect()
        for spec in filesystems:  # as dbt-duckdb registers them
            options = dict(spec)
            con.register_filesystem(fsspec.filesystem(options.pop("fs"), **options))
        got = con.execute(
            f"select count(*), count(distinct article_id) "
            f"from read_parquet('{source}/articles/*.parquet', union_by_name = true)"
        ).fetchone()
        assert got == (ingested.articles.height, ingested.articles["article_id"].n_unique())
    finally:
        fsspec.filesystem("memory").rm(lake.location(url).parent.path, recursive=True)


def test_snapshots_round_trip_with_their_schema_file(root, ingested):
    assert lake.read_snapshot(root, "articles") is None  # nothing yet: None, not an error
    with pytest.raises(OSError):
        lake.read_snapshot(root, "articles", missing_ok=False)
    tables = {
        "articles": ingested.articles,
        "article_sources": ingested.sources,
        "rejected_files": ingested.rejected,
        "ingest_manifest": ingested.manifest,
    }
    for table, frame in tables.items():
        lake.write_snapshot(root, table, frame)
    for table, frame in tables.items():
        assert lake.read_snapshot(root, table).equals(frame), table
        assert names(root, table) == ["_empty.parquet", "current.parquet"]
        empty = lake.read_file(lake.table_dir(root, table) / "_empty.parquet")
        assert empty.height == 0 and empty.schema == frame.schema
        assert lake.read_table(root, table).equals(frame)  # the glob dbt reads: schema file + rows
        assert lake.row_count(root, table) == frame.height
    ids = lake.read_snapshot(root, "articles", ["article_id"])
    assert ids.columns == ["article_id"] and ids.height == ingested.articles.height
    texts = lake.scan_snapshot(root, "articles").select("article_id", "text").collect()
    assert texts.equals(ingested.articles.select("article_id", "text"))


def _parts(articles: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """NLP-style parts of the seed articles: two versions of the first articles' rows."""
    rows = articles.select("article_id", "title").with_columns(
        extractor_version=pl.lit("v1"), n=pl.col("title").str.len_chars().cast(pl.Int64)
    )
    first = rows.head(6)
    return {
        "a-v1": first.head(3),
        "b-v1": first.tail(3),
        "c-v2": first.head(2).with_columns(extractor_version=pl.lit("v2"), n=pl.lit(-1, pl.Int64)),
        "d-v1": rows.slice(6),
    }


def test_parts_are_read_in_name_order_with_the_latest_version_of_each_article(root, ingested):
    parts = _parts(ingested.articles)
    schema = dict(next(iter(parts.values())).schema)
    lake.ensure_schema_file(root, "sentences", schema)
    for key, frame in parts.items():
        lake.write_atomic(frame, lake.part_path(root, "sentences", key))
    assert names(root, "sentences") == [
        "_empty.parquet",
        *(f"part-{k}.parquet" for k in parts),
    ]
    assert [p.name for p in lake.table_files(root, "sentences", lake.PARTS)] == [
        f"part-{k}.parquet" for k in parts
    ]
    assert lake.read_table(root, "sentences").equals(pl.concat(parts.values()))
    assert lake.row_count(root, "sentences") == sum(f.height for f in parts.values())

    ids = ingested.articles["article_id"]
    keys = lake.latest_version_keys(root, "sentences", ids)
    assert keys.height == ids.n_unique()
    two = set(parts["c-v2"]["article_id"])
    assert dict(keys.filter(pl.col("article_id").is_in(two)).iter_rows()) == dict.fromkeys(
        two, "v2"
    )
    assert set(keys.filter(~pl.col("article_id").is_in(two))["extractor_version"]) == {"v1"}
    batches = list(lake.batches_of_rows(root, "sentences", keys, ["article_id", "n"], size=4))
    assert [b.height for b, _ in batches] == [4] * (keys.height // 4) + (
        [keys.height % 4] if keys.height % 4 else []
    )
    in_batches = pl.concat([b for b, _ in batches])
    assert in_batches.sort("article_id").equals(keys.sort("article_id"))  # each key once
    rows = pl.concat([r for _, r in batches])
    assert rows.height == ids.n_unique()
    assert set(rows.filter(pl.col("article_id").is_in(two))["n"]) == {-1}
    for batch, batch_rows in batches:  # a batch's rows are those of its own articles
        assert set(batch_rows["article_id"]) == set(batch["article_id"])

    lake.remove(lake.part_path(root, "sentences", "c-v2"))
    lake.remove(lake.part_path(root, "sentences", "no-such-part"))  # missing: no error
    assert set(lake.latest_version_keys(root, "sentences", ids)["extractor_version"]) == {"v1"}


def test_batches_of_rows_read_each_file_with_the_batches_of_its_articles_only(
    tmp_path, ingested, monkeypatch
):
    """One article per batch: the table is read once for the keys, then each batch reads the one
    file that holds its article (reading the whole table per batch made placing slower than
    linear in the lake's size). An article with no rows comes last, with none."""
    root = tmp_path / "lake"
    parts = _parts(ingested.articles)
    for key, frame in parts.items():
        lake.write_atomic(frame, lake.part_path(root, "sentences", key))
    keys = lake.latest_version_keys(root, "sentences", ingested.articles["article_id"])
    missing = pl.DataFrame({"article_id": ["no-such-article"], "extractor_version": ["v1"]})
    read = []
    scan_file = lake.scan_file
    monkeypatch.setattr(lake, "scan_file", lambda path: read.append(path.name) or scan_file(path))
    batches = list(
        lake.batches_of_rows(root, "sentences", pl.concat([missing, keys]), ["n"], size=1)
    )
    n_files = len(parts)
    assert len(read) == n_files + keys.height  # the key pass, then one file per batch
    assert [b["article_id"].item() for b, _ in batches][-1] == "no-such-article"
    assert batches[-1][1].height == 0
    assert all(rows.height == 1 for _, rows in batches[:-1])
    # the batches follow the files' order (c-v2 holds the current rows of the first two)
    assert read[n_files:] == sorted(read[n_files:])
    assert set(read[n_files:]) == {f"part-{k}.parquet" for k in parts}


def test_frames_written_one_after_another_read_back_as_their_concatenation(root, ingested):
    """An iterator of frames (a compaction of cache parts) is one file with each frame's rows in
    turn, in their first frame's schema; with no frame there is nothing to write, and the old
    file stays."""
    frames = _parts(ingested.articles)
    path = lake.part_path(root, "sentences", "compacted")
    lake.write_atomic(iter(frames.values()), path)
    assert lake.read_file(path).equals(pl.concat(frames.values()))
    with pytest.raises(ValueError, match="no frame"):
        lake.write_atomic(iter([]), path)
    assert lake.read_file(path).equals(pl.concat(frames.values()))


def test_a_write_that_fails_midway_leaves_the_old_file_whole(root, ingested):
    lake.write_snapshot(root, "articles", ingested.articles)
    before = names(root, "articles")
    # A lazy frame whose last row fails to convert: the write starts, then raises partway.
    rows = pl.concat([ingested.articles.select("article_id")] * 500).lazy()
    bad = pl.LazyFrame({"article_id": ["x"]}).select(pl.col("article_id").cast(pl.Int64))
    failing = pl.concat([rows, bad.select(pl.col("article_id").cast(pl.String))])
    with pytest.raises(pl.exceptions.PolarsError):
        lake.write_atomic(failing, lake.snapshot_path(root, "articles"))
    assert lake.read_snapshot(root, "articles").equals(ingested.articles)
    assert names(root, "articles") == before  # no temporary file left, no other object
    # And a frame Parquet cannot hold (an object column): refused before any file is made.
    with pytest.raises(TypeError, match="object columns"):
        lake.write_atomic(
            pl.DataFrame({"x": [object()]}, schema={"x": pl.Object}),
            lake.snapshot_path(root, "articles"),
        )
    assert lake.read_snapshot(root, "articles").equals(ingested.articles)
    assert names(root, "articles") == before


def test_leftover_temporary_files_are_never_read_and_are_removed(root, ingested):
    lake.write_snapshot(root, "articles", ingested.articles)
    lake.write_atomic(ingested.sources, lake.part_path(root, "sentences", "k1"))
    ingested.articles.head(2).write_parquet(buffer := io.BytesIO())
    folder = lake.location(root)
    leftovers = [
        folder / "articles" / f"{lake.TEMP_PREFIX}abc{lake.TEMP_SUFFIX}",
        folder / "sentences" / f"{lake.TEMP_PREFIX}def{lake.TEMP_SUFFIX}",
        folder / "sentences" / f"{lake.TEMP_PREFIX}old.parquet",  # the former temporary name
    ]
    for path in leftovers:
        path.write_bytes(buffer.getvalue())
    assert lake.read_table(root, "articles").equals(ingested.articles)  # leftovers not read
    assert lake.read_table(root, "sentences").equals(ingested.sources)
    assert lake.remove_temp_files(root) == 3
    assert not any(p.exists() for p in leftovers)
    assert names(root, "sentences") == ["part-k1.parquet"]
    assert lake.remove_temp_files(root) == 0


def test_the_content_fingerprint_is_of_bytes_and_paths_only(root, ingested, tmp_path):
    lake.write_snapshot(root, "articles", ingested.articles)
    lake.write_atomic(ingested.sources, lake.part_path(root, "sentences", "k1"))
    first = lake.content_fingerprint(root)
    # The same tables on a local folder: the same fingerprint (the writer is deterministic).
    other = tmp_path / "other"
    lake.write_snapshot(other, "articles", ingested.articles)
    lake.write_atomic(ingested.sources, lake.part_path(other, "sentences", "k1"))
    assert lake.content_fingerprint(other) == first
    for path in (
        lake.location(root) / "sentences" / f"{lake.TEMP_PREFIX}x{lake.TEMP_SUFFIX}",
        lake.location(root) / ".shard-locks" / "x.parquet",
    ):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"not parquet")
    assert lake.content_fingerprint(root) == first  # temporary files and dot folders: left out
    # only the tables named (the dbt asset names those dbt reads: not the ingest manifest)
    read = ("articles", "sentences")
    lake.write_snapshot(root, "ingest_manifest", ingested.sources)
    assert lake.content_fingerprint(root) != first
    assert lake.content_fingerprint(root, tables=read) == first
    lake.write_snapshot(root, "articles", ingested.articles.head(3))
    assert lake.content_fingerprint(root, tables=read) != first
