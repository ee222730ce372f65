"""Publish stage: the marts -> warehouse/analytics.duckdb, replaced atomically."""

from orchestration.defs.publish.assets import defs

__all__ = ["defs"]
