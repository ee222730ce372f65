"""Ingest assets: read every file of the input folder (logic in transforms/articles.py)."""

from pathlib import Path

import dagster as dg

from orchestration.metadata import table_metadata
from orchestration.settings import NewsledgerSettings
from transforms import lake
from transforms.articles import ingest_folder, keep_first_detection
from transforms.faults import fault_point
from transforms.memory import release_memory

ARTICLES = dg.AssetKey(["lake", "articles"])
ARTICLE_SOURCES = dg.AssetKey(["lake", "article_sources"])
REJECTED = dg.AssetKey(["lake", "rejected_files"])
MANIFEST_TABLE = "ingest_manifest"  # private to ingest: no dbt source reads it
KINDS = {"python", "parquet"}


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            ARTICLES, description="Distinct articles of the input folder (snapshot).", kinds=KINDS
        ),
        dg.AssetSpec(
            ARTICLE_SOURCES, description="Every input path of every article.", kinds=KINDS
        ),
        dg.AssetSpec(
            REJECTED, description="Files set aside, with the reason and what to do.", kinds=KINDS
        ),
    ],
    group_name="ingest",
)
def raw_articles(context: dg.AssetExecutionContext, settings: NewsledgerSettings):
    """Parse every input file; a bad file is set aside with its reason and never stops the run.

    Files unchanged since the previous run (same path, size, mtime, ctime, inode: the ingest
    manifest) are not read again; their rows come from the previous articles snapshot.
    """
    removed = lake.remove_temp_files(settings.lake)  # left by a run killed mid-write
    if removed:
        context.log.warning(f"removed {removed} temporary files left by an interrupted run")
    manifest = lake.read_snapshot(settings.lake, MANIFEST_TABLE)
    result = ingest_folder(
        Path(settings.input_dir),
        max_bytes=settings.max_file_bytes,
        manifest=manifest,
        # the texts of the previous run, only when there is a manifest to reuse them by
        previous_articles=lake.read_snapshot(settings.lake, "articles")
        if manifest is not None
        else None,
    )
    context.log.info(f"ingest: {result.n_reused} files unchanged (not read), {result.n_read} read")
    lake.write_snapshot(settings.lake, "articles", result.articles)
    fault_point("ingest")  # test hook: the snapshot is half rewritten
    lake.write_snapshot(settings.lake, "article_sources", result.sources)
    rejected = keep_first_detection(
        result.rejected, lake.read_snapshot(settings.lake, "rejected_files")
    )
    lake.write_snapshot(settings.lake, "rejected_files", rejected)
    # Last: a run killed before this point leaves the previous manifest, whose entries still
    # describe the files they name (each is checked against the articles snapshot on use).
    lake.write_snapshot(settings.lake, MANIFEST_TABLE, result.manifest)
    for path, reason in result.rejected.select("source_path", "reason").iter_rows():
        context.log.warning(f"set aside {path}: {reason}")
    if result.ignored:
        context.log.info(f"ignored side files: {', '.join(result.ignored)}")
    yield dg.MaterializeResult(
        asset_key=ARTICLES,
        metadata=table_metadata(
            result.articles,
            input_dir=settings.input_dir,
            n_words=int(result.articles["n_words"].sum()),
        ),
    )
    yield dg.MaterializeResult(asset_key=ARTICLE_SOURCES, metadata=table_metadata(result.sources))
    yield dg.MaterializeResult(asset_key=REJECTED, metadata=table_metadata(result.rejected))
    del result, manifest, rejected
    release_memory()  # the texts of every file were read: give their memory back


defs = dg.Definitions(assets=[raw_articles])
