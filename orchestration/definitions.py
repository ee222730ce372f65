"""The one Dagster entry point: merges the definitions of every stage under defs/.

Flow: ingest -> nlp (sentences, mentions, claims, actors, places) -> extract (pledge and event
clusters) -> dbt (staging -> marts) -> publish (analytics.duckdb) -> report (report.html);
checks: asset checks on the Python assets (rejected files, places, NLP output, freshness) and on
the rows dbt set aside (quarantined_rows).
"""

from __future__ import annotations

import dagster as dg

from orchestration.defs import automation, checks, dbt, extract, ingest, nlp, publish, report
from orchestration.settings import NewsledgerSettings

defs = dg.Definitions.merge(
    ingest.defs,
    nlp.defs,
    extract.defs,
    dbt.defs,
    publish.defs,
    report.defs,
    automation.defs,
    checks.defs,
    dg.Definitions(resources={"settings": NewsledgerSettings.from_env()}),
)


def newsledger_job() -> dg.JobDefinition:
    """The job, resolved: what a run on another process or machine (executor step processes,
    Celery workers) rebuilds by module path (`dg.build_reconstructable_job`)."""
    return defs.resolve_job_def("newsledger_job")
