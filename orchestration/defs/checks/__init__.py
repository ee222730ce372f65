"""Asset checks on the Python assets: rejected files, unresolved places, empty NLP output and
the published file's freshness (thresholds in thresholds.yaml)."""

from orchestration.defs.checks.checks import defs

__all__ = ["defs"]
