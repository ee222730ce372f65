"""Prepare the dbt project before the Dagster definitions are imported.

`@dbt_assets` reads dbt_project/target/manifest.json at import time. The CLI and the tests call
`ensure_manifest()` first: it runs `dbt parse` (about 3 s) when the manifest is missing or older
than any file of the dbt project. Nothing runs dbt at import time, except under `dagster dev`,
whose processes (code server, run worker, every step process) call it through
orchestration/defs/dbt/project.py.

Many processes read the manifest while another may parse, so a parse never writes it in place:
`dbt parse` writes into a target folder of its own, whose manifest then replaces the project's
in one rename. Readers see the old manifest or the new one, never half of one. (Measured need:
dagster-dbt's own preparer parses in place on every import under `dagster dev`, and a fresh-clone
CI on two pytest workers, 2026-12-06, lost a fork server whose preload read the manifest while
`dagster dev` on the other worker was writing it.)
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from orchestration.settings import DBT_PROJECT_DIR

MANIFEST = DBT_PROJECT_DIR / "target" / "manifest.json"
WATCHED = ("dbt_project.yml", "profiles.yml", "models", "macros", "seeds", "tests")


def _newest_source_mtime() -> float:
    newest = 0.0
    for name in WATCHED:
        path = DBT_PROJECT_DIR / name
        paths = [path] if path.is_file() else path.rglob("*") if path.exists() else []
        for p in paths:
            if p.is_file():
                newest = max(newest, p.stat().st_mtime)
    return newest


def dbt_executable() -> str:
    candidate = Path(sys.executable).parent / "dbt"
    return str(candidate) if candidate.exists() else "dbt"


def ensure_manifest(force: bool = False) -> Path:
    """The project's manifest, parsed again when missing, older than the dbt code, or forced."""
    if force or not MANIFEST.exists() or MANIFEST.stat().st_mtime < _newest_source_mtime():
        _parse_atomically()
    return MANIFEST


def _parse_atomically() -> None:
    MANIFEST.parent.mkdir(parents=True, exist_ok=True)
    own = Path(tempfile.mkdtemp(prefix=".parse-", dir=MANIFEST.parent))
    try:
        partial = MANIFEST.parent / "partial_parse.msgpack"  # dbt's cache of the last parse
        if partial.exists():
            shutil.copy2(partial, own / partial.name)
        subprocess.run(
            [
                dbt_executable(),
                "parse",
                "--quiet",
                "--profiles-dir",
                str(DBT_PROJECT_DIR),
                "--target-path",
                str(own),
            ],
            cwd=DBT_PROJECT_DIR,
            check=True,
            env={**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"},
        )
        for name in ("partial_parse.msgpack", "semantic_manifest.json", "manifest.json"):
            if (own / name).exists():  # the manifest last: its presence means a whole parse
                os.replace(own / name, MANIFEST.parent / name)
    finally:
        shutil.rmtree(own, ignore_errors=True)
