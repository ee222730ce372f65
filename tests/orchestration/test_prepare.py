"""The dbt manifest is parsed atomically and only when stale (orchestration/prepare.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading

from orchestration.prepare import MANIFEST, ensure_manifest
from orchestration.settings import REPO_ROOT


def test_readers_never_see_half_a_manifest_while_it_is_parsed_again(dbt_manifest):
    before = json.loads(MANIFEST.read_bytes())
    reads, failures, done = [0], [], threading.Event()

    def read_all_along():
        while not done.is_set():
            try:
                json.loads(MANIFEST.read_bytes())
                reads[0] += 1
            except (ValueError, FileNotFoundError) as error:  # half a file, or none
                failures.append(repr(error)[:120])

    reader = threading.Thread(target=read_all_along)
    reader.start()
    try:
        ensure_manifest(force=True)
        ensure_manifest(force=True)
    finally:
        done.set()
        reader.join()
    assert reads[0] > 10 and failures == []
    after = json.loads(MANIFEST.read_bytes())
    assert after["nodes"].keys() == before["nodes"].keys()
    # The parse's own target folder is gone: only dbt's files and the run folders stay.
    assert not [p.name for p in MANIFEST.parent.iterdir() if p.name.startswith(".parse-")]


def test_under_dagster_dev_a_fresh_manifest_is_not_parsed_again(dbt_manifest):
    """Each process `dagster dev` starts imports the dbt project; dagster-dbt's own preparer
    would parse in every one of them. Ours leaves a manifest newer than the dbt code alone."""
    written = MANIFEST.stat().st_mtime_ns
    env = {**os.environ, "DAGSTER_IS_DEV_CLI": "1"}
    code = "import orchestration.defs.dbt.project"
    subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, env=env, check=True)
    assert MANIFEST.stat().st_mtime_ns == written
