"""Fixtures of the transforms tests."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from transforms.nlp import pipeline


@pytest.fixture
def source_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A copy of transforms/ that extractor_version() fingerprints instead of the real folder
    (the extractors still read the real files): edit the copy to change the version."""
    copy = tmp_path / "transforms"
    shutil.copytree(pipeline.SOURCE_ROOT, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(pipeline, "SOURCE_ROOT", copy)
    pipeline.rules_fingerprint.cache_clear()
    yield copy
    pipeline.rules_fingerprint.cache_clear()  # the next caller fingerprints the real folder
