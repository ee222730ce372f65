"""`make docs`: dbt docs generate on the built warehouse (the catalog has the marts), then serve."""

from __future__ import annotations

import json
import subprocess

import pytest

from tests.conftest import REPO, run_dbt

pytestmark = pytest.mark.slow


def test_make_docs_generates_a_catalog_of_the_built_marts_and_serves_it(seeds_warehouse, tmp_path):
    warehouse, _ = seeds_warehouse
    plan = subprocess.run(
        ["make", "-n", "docs", f"WAREHOUSE={warehouse}"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert plan.returncode == 0, plan.stderr
    assert "dbt docs generate" in plan.stdout
    assert "dbt docs serve" in plan.stdout and "--host 127.0.0.1 --port 8080" in plan.stdout
    # the generate step as the target runs it, into a temporary target folder
    out = run_dbt(
        REPO / "dbt_project", warehouse, "docs", "generate", "--quiet", target_path=tmp_path
    )
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-2000:]
    catalog = json.loads((tmp_path / "catalog.json").read_text())
    node = catalog["nodes"]["model.newsledger.dim_articles"]
    assert {"article_id", "published_date", "title"} <= set(node["columns"])
    assert (tmp_path / "index.html").exists()
