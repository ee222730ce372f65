"""Asset checks: rejected files, unresolved places, empty NLP output, the published file's
freshness, and the rows dbt set aside (thresholds in thresholds.yaml)."""

from orchestration.defs.checks.checks import defs

__all__ = ["defs"]
