"""Ingest stage: the input folder -> lake/articles, lake/article_sources, lake/rejected_files."""

from orchestration.defs.ingest.assets import defs

__all__ = ["defs"]
