"""The one cached DbtProject (kept in a module of its own so `dagster-dbt project
prepare-and-package --file orchestration/defs/dbt/project.py` can prepare it)."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from dagster_dbt import DbtProject

from orchestration.prepare import ensure_manifest
from orchestration.settings import DBT_PROJECT_DIR

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
# The newsledger CLI and the tests call ensure_manifest before importing the definitions. Under
# `dagster dev`, every process importing them (code server, run worker, each step process) gets
# here: dagster-dbt's `prepare_if_dev` would run `dbt parse` in each, writing the manifest in
# place while the others read it; ensure_manifest parses only a stale manifest, atomically.
if dbt_project.preparer.using_dagster_dev():
    ensure_manifest()


def read_manifest(path: str | os.PathLike | None = None) -> dict:
    """dbt's manifest.json (default: the project's), parsed once per content (the caller must not
    change it). A run reads it three times (the dbt code fingerprint, the lake tables dbt reads,
    each model's materialization), `newsledger watch` every run: 1.3 MB of JSON, ~0.1 s a parse
    against ~3 ms to read and hash."""
    data = Path(dbt_project.manifest_path if path is None else path).read_bytes()
    key = hashlib.sha1(data).hexdigest()
    if key not in _PARSED_MANIFESTS:
        _PARSED_MANIFESTS.clear()  # one at a time: a new parse replaces the old one
        _PARSED_MANIFESTS[key] = json.loads(data)
    return _PARSED_MANIFESTS[key]


_PARSED_MANIFESTS: dict[str, dict] = {}


def lake_source_tables() -> list[str]:
    """The lake tables dbt reads: the `lake` source's tables (models/staging/_sources.yml).

    The lake also holds tables no dbt model reads (the ingest manifest, the event clusterer's
    input, the actor, geocode and place caches); a change to those alone must not rebuild the
    warehouse (the dbt asset's fingerprint covers only these)."""
    return sorted(
        source["name"]
        for source in read_manifest()["sources"].values()
        if source["source_name"] == "lake"
    )


def seed_only_nodes() -> list[str]:
    """The seeds and the models that read nothing but seeds (dim_countries from the countries
    seed...), by name: what they hold follows from the dbt code alone (the seeds' CSV files are
    part of it), not from the lake. A build with unchanged dbt code need not make them again nor
    run their tests again (orchestration/defs/dbt/assets.py, `build_args`)."""
    nodes = read_manifest()["nodes"]
    seed_only = {uid for uid, node in nodes.items() if node["resource_type"] == "seed"}
    grown = True
    while grown:  # a model of seed-only models is seed-only too
        grown = False
        for uid, node in nodes.items():
            parents = node.get("depends_on", {}).get("nodes", [])
            if (
                node["resource_type"] == "model"
                and uid not in seed_only
                and parents
                and set(parents) <= seed_only
            ):
                seed_only.add(uid)
                grown = True
    return sorted(nodes[uid]["name"] for uid in seed_only)
