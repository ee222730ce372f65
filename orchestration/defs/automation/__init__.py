"""Automation: the whole-pipeline job, the daily schedule and the new-file sensor."""

from orchestration.defs.automation.automation import defs

__all__ = ["defs"]
