"""A test hook for crash tests: NEWSLEDGER_FAULT_AT=<stage> makes the process SIGKILL itself there.

Stages: `ingest` (after the articles snapshot is written, before its sources and rejected files),
`nlp` (after a part of the first NLP table is written, before the part's commit file), `dbt`
(while `dbt build` is running, after its first model finished), `publish` (after the new
analytics file is fully built beside the old one, before the rename). The variable is unset in
normal use; tests/test_reliability_pipeline.py sets it on a subprocess to prove that a run
killed at any of these points loses and duplicates nothing once rerun.
"""

from __future__ import annotations

import os
import signal

FAULT_ENV = "NEWSLEDGER_FAULT_AT"
STAGES = ("ingest", "nlp", "dbt", "publish")


def fault_point(stage: str) -> None:
    """SIGKILL this process when NEWSLEDGER_FAULT_AT names `stage` (a no-op otherwise)."""
    if os.environ.get(FAULT_ENV) == stage:
        os.kill(os.getpid(), signal.SIGKILL)
