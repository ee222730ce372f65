"""Whether this process lives on after its run and runs again (`newsledger watch`).

A process that runs once (`newsledger run`, a Dagster run worker) starts what its run needs and
stops it at the end. A long-lived one keeps, between runs, what the next run would otherwise
start anew: the NLP workers (`transforms.nlp.run`), dbt's parsed project
(`orchestration.defs.dbt.in_process.stays_warm`). One flag for both, set once by the process
that knows it lives on; the layers below only read it.
"""

from __future__ import annotations

_long_lived = False


def mark_long_lived() -> None:
    """Say that this process lives on after its run and runs again."""
    global _long_lived
    _long_lived = True


def is_long_lived() -> bool:
    return _long_lived
