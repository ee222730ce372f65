"""NLP partitions (hash shards of article_id): each shard parses only its articles, shards run in
parallel under Dagster's multiprocess executor, and the lake ends with every article's rows once.

Also the lake bookkeeping that makes shards safe side by side: an orphan part is removed only by
a step of its own shard, a part of an older extractor version only once all its articles are
re-parsed (transforms/nlp/run.py remove_stale_parts, transforms/nlp/shards.py).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import dagster as dg
import duckdb
import polars as pl
import pytest

from tests.conftest import REPO, SEEDS
from transforms import lake
from transforms.articles import ingest_folder
from transforms.nlp import run as nlp_run
from transforms.nlp.pipeline import extractor_version, load_nlp
from transforms.nlp.run import COMMIT_TABLE, run_nlp
from transforms.nlp.shards import in_shards, remove_orphan_parts_in, shard_keys, shard_of
from transforms.nlp.tables import DOC_TABLES

PARSE_STEP = "nlp_tables.nlp_parse"


@pytest.fixture(scope="module")
def seed_articles() -> pl.DataFrame:
    return ingest_folder(SEEDS).articles


def committed_parts(lake_dir: Path) -> dict[str, set[str]]:
    """Part file name -> the article ids of its commit (sentences) file."""
    return {
        p.name: set(pl.read_parquet(p, columns=["article_id"])["article_id"].to_list())
        for p in (lake_dir / COMMIT_TABLE).glob("part-*.parquet")
    }


def test_every_seed_article_falls_in_exactly_one_shard(seed_articles):
    ids = seed_articles["article_id"].to_list()
    by_shard = {key: set(in_shards(seed_articles, [key])["article_id"]) for key in shard_keys()}
    assert sorted(a for members in by_shard.values() for a in members) == sorted(ids)
    assert all(shard_of(a) == key for key, members in by_shard.items() for a in members)
    assert sum(1 for members in by_shard.values() if members) >= 4  # spread, not one shard


def test_a_stale_part_is_removed_only_once_all_its_articles_are_reparsed(
    tmp_path, seed_articles, monkeypatch
):
    nlp = load_nlp()
    four = seed_articles.sort("article_id").head(4)
    with monkeypatch.context() as m:  # an older extractor wrote the lake: one part of 4 articles
        m.setattr(nlp_run, "extractor_version", lambda _nlp: "0-older")
        run_nlp(tmp_path, four, nlp=nlp, n_process=1)
    (old_part,) = committed_parts(tmp_path)
    current = extractor_version(nlp)

    def versions() -> dict[str, set[str]]:
        frame = lake.read_table(tmp_path, "sentences", columns=["article_id", "extractor_version"])
        return {a: set(g["extractor_version"]) for (a,), g in frame.group_by("article_id")}

    stats = run_nlp(tmp_path, four.head(2), nlp=nlp, n_process=1)  # a partial run (one shard)
    assert stats.n_parsed == 2 and stats.n_stale_parts_removed == 0
    assert (tmp_path / "entity_mentions" / old_part).exists()
    have = versions()
    for article_id in four["article_id"][2:]:  # not re-parsed: their only rows are kept
        assert have[article_id] == {"0-older"}

    stats = run_nlp(tmp_path, four.tail(2), nlp=nlp, n_process=1)
    assert stats.n_stale_parts_removed == 1
    assert not any((tmp_path / table / old_part).exists() for table in DOC_TABLES)
    assert versions() == {a: {current} for a in four["article_id"]}


def test_a_stale_part_of_articles_gone_from_the_input_goes_when_the_rest_are_reparsed(
    tmp_path, seed_articles, monkeypatch
):
    nlp = load_nlp()
    three = seed_articles.sort("article_id").head(3)
    with monkeypatch.context() as m:
        m.setattr(nlp_run, "extractor_version", lambda _nlp: "0-older")
        run_nlp(tmp_path, three, nlp=nlp, n_process=1)
    run_nlp(tmp_path, three.head(2), nlp=nlp, n_process=1, cleanup=False)
    version = extractor_version(nlp)
    assert nlp_run.remove_stale_parts(tmp_path, version) == 0  # the third is still needed
    live = set(three["article_id"][:2])  # ... unless it left the input
    assert nlp_run.remove_stale_parts(tmp_path, version, live_article_ids=live) == 1
    assert set(committed_parts(tmp_path)) and all(
        ids <= live for ids in committed_parts(tmp_path).values()
    )


def test_orphans_are_removed_only_by_a_step_of_their_own_shard(tmp_path, seed_articles):
    nlp = load_nlp()
    key_a, key_b = sorted({shard_of(a) for a in seed_articles["article_id"]})[:2]
    run_nlp(tmp_path, in_shards(seed_articles, [key_a]), nlp=nlp, n_process=1)
    run_nlp(tmp_path, in_shards(seed_articles, [key_b]), nlp=nlp, n_process=1)
    parts = committed_parts(tmp_path)
    for name in parts:  # both parts crashed before their commit file: two shards' orphans
        (tmp_path / COMMIT_TABLE / name).unlink()
    part_of = {shard_of(next(iter(ids))): name for name, ids in parts.items()}
    assert remove_orphan_parts_in(tmp_path, [key_a]) > 0
    assert not (tmp_path / "entity_mentions" / part_of[key_a]).exists()
    assert (tmp_path / "entity_mentions" / part_of[key_b]).exists()  # another shard's: kept


def multiprocess_job() -> dg.JobDefinition:
    """newsledger's assets in a job on Dagster's multiprocess executor (as launched runs are)."""
    from orchestration.definitions import defs

    executor = dg.multiprocess_executor.configured(
        {
            "max_concurrent": 2,
            # Step processes fork from a server that imported the definitions once (seconds
            # each instead of a fresh interpreter importing dagster, dbt and spaCy per step).
            "start_method": {"forkserver": {"preload_modules": ["orchestration.definitions"]}},
        }
    )
    job = dg.define_asset_job(
        "nlp_partitions_job", selection=dg.AssetSelection.all(), executor_def=executor
    )
    return dg.Definitions.merge(defs, dg.Definitions(jobs=[job])).resolve_job_def(job.name)


def range_tags(first: str, last: str) -> dict[str, str]:
    return {
        "dagster/asset_partition_range_start": first,
        "dagster/asset_partition_range_end": last,
    }


def max_overlap(instance: dg.DagsterInstance, run_id: str, prefix: str) -> int:
    """Most steps starting with prefix running at the same moment (from the run's event log)."""
    marks = []
    for record in instance.all_logs(run_id):
        event = record.dagster_event
        if event is not None and (event.step_key or "").startswith(prefix):
            if event.event_type_value == "STEP_START":
                marks.append((record.timestamp, 1))
            elif event.event_type_value in ("STEP_SUCCESS", "STEP_FAILURE"):
                marks.append((record.timestamp, -1))
    running = most = 0
    for _, delta in sorted(marks):
        running += delta
        most = max(most, running)
    return most


def failures(result: dg.ExecutionResult) -> list[str]:
    return [
        f"{e.step_key}: {e.event_specific_data.error.message}"
        for e in result.all_events
        if e.is_step_failure
    ]


@pytest.mark.slow  # the whole asset graph on seeds/, two shards in step processes: ~45 s
@pytest.mark.timeout(600)
def test_a_backfill_of_shards_on_the_multiprocess_executor_holds_every_article_once(
    tmp_path, monkeypatch, dbt_manifest, seed_articles
):
    from dagster_dbt import DbtCliResource

    from orchestration.definitions import defs
    from orchestration.defs.dbt.project import dbt_project
    from orchestration.defs.ingest.assets import ARTICLE_SOURCES, ARTICLES, REJECTED
    from orchestration.defs.nlp.assets import DOC_TABLE_KEYS
    from orchestration.settings import NewsledgerSettings

    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(REPO / ".dagster_home" / "dagster.yaml", home / "dagster.yaml")
    warehouse = tmp_path / "warehouse"
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    # The step processes build their settings resource from these (NewsledgerSettings.from_env).
    monkeypatch.setenv("NEWSLEDGER_INPUT_DIR", str(SEEDS))
    monkeypatch.setenv("NEWSLEDGER_WAREHOUSE_DIR", str(warehouse))
    resources = {
        "settings": NewsledgerSettings(input_dir=str(SEEDS), warehouse_dir=str(warehouse)),
        "dbt": DbtCliResource(project_dir=dbt_project),
    }
    keys = shard_keys()
    nlp_keys = list(DOC_TABLE_KEYS.values())
    # Step processes import the job by module path (pytest imports this file as a bare module).
    job = dg.build_reconstructable_job(
        "tests.orchestration.test_nlp_partitions", "multiprocess_job"
    )
    with dg.DagsterInstance.get() as instance:
        ingest = dg.materialize(
            list(defs.assets),
            selection=[ARTICLES, ARTICLE_SOURCES, REJECTED],
            resources=resources,
            instance=instance,
        )
        assert ingest.success
        # A backfill of two shards in one run (what a single-run backfill of a range launches),
        # on the multiprocess executor: the two shard steps run side by side.
        backfill = dg.execute_job(
            job, instance, tags=range_tags(keys[0], keys[1]), asset_selection=nlp_keys
        )
        assert backfill.success, failures(backfill)
        parse_steps = {
            e.step_key
            for e in backfill.all_events
            if e.is_step_success and e.step_key.startswith(PARSE_STEP)
        }
        assert parse_steps == {f"{PARSE_STEP}[{k.replace('-', '_')}]" for k in keys[:2]}
        assert (
            max_overlap(instance, backfill.run_id, PARSE_STEP) == 2
        )  # in parallel, never more than 2
        # The other shards, then everything downstream of the NLP tables (in-process: faster).
        rest = dg.materialize(
            list(defs.assets),
            selection=dg.AssetSelection.all()
            - dg.AssetSelection.assets(ARTICLES, ARTICLE_SOURCES, REJECTED),
            resources=resources,
            instance=instance,
            tags=range_tags(keys[2], keys[-1]),
            raise_on_error=False,
        )
        assert rest.success, failures(rest)
        materialized = instance.get_materialized_partitions(dg.AssetKey(["lake", "sentences"]))
        assert materialized == set(keys)

    lake_dir = warehouse / "lake"
    parts = committed_parts(lake_dir)
    for ids in parts.values():  # each shard step wrote parts of its own shard only
        assert len({shard_of(a) for a in ids}) == 1
    article_ids = sorted(seed_articles["article_id"])
    assert sorted(a for ids in parts.values() for a in ids) == article_ids  # each once

    # Same rows as one unpartitioned pass over all articles, each exactly once.
    reference = tmp_path / "reference_lake"
    run_nlp(reference, seed_articles, nlp=load_nlp(), n_process=1)
    for table, unique in [
        ("sentences", ["article_id", "sentence_index"]),
        ("entity_mentions", ["mention_id"]),
    ]:
        got = lake.read_table(lake_dir, table)
        assert got.select(unique).is_duplicated().sum() == 0
        want = lake.read_table(reference, table)
        assert got.sort(unique).equals(want.sort(unique)), table

    with duckdb.connect(str(warehouse / "analytics.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from dim_articles").fetchone()[0] == len(article_ids)
        n_sentences = con.execute("select count(*) from fct_sentences").fetchone()[0]
    assert n_sentences == lake.read_table(lake_dir, "sentences").height
