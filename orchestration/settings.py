"""Where newsledger reads and writes: one resource, configured by environment variables.

NEWSLEDGER_INPUT_DIR      folder of raw article files   (default: <repo>/seeds)
NEWSLEDGER_WAREHOUSE_DIR  output folder                 (default: <repo>/warehouse)
NEWSLEDGER_MAX_FILE_BYTES size limit per input file     (default: 5 MB)
NEWSLEDGER_TEXT_POLICY    what analytics.duckdb holds of the article text: full, sentences or
                          none (default: full; transforms/text_policy.py)
NEWSLEDGER_LAKE_URL       where the lake is, when not <warehouse>/lake: a path, a file:// URL or
                          another fsspec URL (memory://, s3://...; transforms/lake.py). dbt reads
                          only a local or mounted one: `newsledger run` refuses any other.

The warehouse folder holds lake/ (Parquet from the Python stages), newsledger.duckdb (private,
written by dbt), analytics.duckdb (published, for readers) and report.html (charts of it).
"""

from __future__ import annotations

import os
from pathlib import Path

import dagster as dg

from transforms import lake
from transforms.articles import DEFAULT_MAX_BYTES
from transforms.text_policy import DEFAULT_POLICY, check_policy

REPO_ROOT = Path(__file__).resolve().parents[1]
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"


def default_input_dir() -> str:
    return str(Path(os.environ.get("NEWSLEDGER_INPUT_DIR", REPO_ROOT / "seeds")).resolve())


def default_warehouse_dir() -> str:
    return str(Path(os.environ.get("NEWSLEDGER_WAREHOUSE_DIR", REPO_ROOT / "warehouse")).resolve())


def dbt_in_process_allowed() -> bool:
    """dbt may run inside the process of its step (orchestration/defs/dbt/in_process.py);
    NEWSLEDGER_DBT_SUBPROCESS=1 says never. Here, not in the dbt package, so that the CLI can ask
    before the dbt project's manifest exists (importing the dbt assets needs it)."""
    return os.environ.get("NEWSLEDGER_DBT_SUBPROCESS") != "1"


def default_lake_url() -> str:
    """NEWSLEDGER_LAKE_URL (a local path made absolute), or "" for <warehouse>/lake."""
    url = os.environ.get("NEWSLEDGER_LAKE_URL", "")
    return str(Path(url).resolve()) if url and "://" not in url else url


def lake_location(warehouse_dir: str | Path, lake_url: str = "") -> lake.LakePath:
    """The lake root of a deployment: `lake_url` when given, else <warehouse>/lake."""
    return lake.location(lake_url or Path(warehouse_dir) / "lake")


class NewsledgerSettings(dg.ConfigurableResource):
    """Input and output locations of one deployment."""

    input_dir: str
    warehouse_dir: str
    max_file_bytes: int = DEFAULT_MAX_BYTES
    text_policy: str = DEFAULT_POLICY  # full | sentences | none (checked when publishing)
    lake_url: str = ""  # "": <warehouse>/lake

    @classmethod
    def from_env(cls) -> NewsledgerSettings:
        return cls(
            input_dir=default_input_dir(),
            warehouse_dir=default_warehouse_dir(),
            max_file_bytes=int(os.environ.get("NEWSLEDGER_MAX_FILE_BYTES", DEFAULT_MAX_BYTES)),
            text_policy=check_policy(os.environ.get("NEWSLEDGER_TEXT_POLICY", DEFAULT_POLICY)),
            lake_url=default_lake_url(),
        )

    @property
    def lake(self) -> lake.LakePath:
        """A `Path` when the lake is local (the default), else a UPath (transforms/lake.py)."""
        return lake_location(self.warehouse_dir, self.lake_url)

    @property
    def private_db(self) -> Path:
        return Path(self.warehouse_dir) / "newsledger.duckdb"

    @property
    def published_db(self) -> Path:
        return Path(self.warehouse_dir) / "analytics.duckdb"

    @property
    def report_path(self) -> Path:
        return Path(self.warehouse_dir) / "report.html"
