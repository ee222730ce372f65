"""NewsledgerDbtCliResource skips dagster-dbt's per-call start-up work (orchestration/defs/dbt)."""

from __future__ import annotations

import importlib.metadata

import dagster_dbt.core.resource
from dagster_dbt import DbtCliResource


def test_dbt_version_comes_from_the_package_not_a_subprocess(dbt_manifest, monkeypatch):
    from orchestration.defs.dbt.assets import NewsledgerDbtCliResource
    from orchestration.defs.dbt.project import dbt_project

    def no_subprocess(*args, **kwargs):
        raise AssertionError(f"ran a subprocess: {args}")

    monkeypatch.setattr(dagster_dbt.core.resource, "check_output", no_subprocess)
    resource = NewsledgerDbtCliResource(project_dir=dbt_project)
    assert str(resource._cli_version) == importlib.metadata.version("dbt-core")
    assert resource._initialize_dbt_core_adapter(["build"]) is None


def test_the_overridden_hooks_still_exist_in_dagster_dbt():
    # If an upgrade renames them, the overrides would silently stop saving the ~6 s per build.
    assert "_cli_version" in DbtCliResource.__dict__
    assert "_initialize_dbt_core_adapter" in DbtCliResource.__dict__
