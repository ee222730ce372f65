"""The one cached DbtProject (kept in a module of its own so `dagster-dbt project
prepare-and-package --file orchestration/defs/dbt/project.py` can prepare it)."""

from __future__ import annotations

from dagster_dbt import DbtProject

from orchestration.settings import DBT_PROJECT_DIR

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
# Under `dagster dev` this runs `dbt parse` when the manifest is missing; the newsledger CLI and
# the tests run it themselves (orchestration/prepare.py) before importing the definitions.
dbt_project.prepare_if_dev()
