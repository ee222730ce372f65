"""Extract stage: pledge and event mentions (from the NLP stage) -> one row per pledge / event."""

from orchestration.defs.extract.assets import defs

__all__ = ["defs"]
