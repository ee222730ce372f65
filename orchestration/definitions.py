"""The one Dagster entry point: merges the definitions of every stage under defs/.

Flow: ingest -> nlp (sentences, mentions, actors) -> dbt (staging -> marts) -> publish -> report.
"""

from __future__ import annotations

import dagster as dg

from orchestration.defs import automation, dbt, ingest, nlp, publish, report
from orchestration.settings import NewsledgerSettings

defs = dg.Definitions.merge(
    ingest.defs,
    nlp.defs,
    dbt.defs,
    publish.defs,
    report.defs,
    automation.defs,
    dg.Definitions(resources={"settings": NewsledgerSettings.from_env()}),
)
