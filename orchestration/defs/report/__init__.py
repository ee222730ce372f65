"""Report stage: warehouse/report.html, drawn from the published warehouse after each run."""

from orchestration.defs.report.assets import defs

__all__ = ["defs"]
