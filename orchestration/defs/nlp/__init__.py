"""NLP stage: lake/articles -> sentences and entity mentions (spaCy), then resolved actors."""

from orchestration.defs.nlp.assets import defs

__all__ = ["defs"]
