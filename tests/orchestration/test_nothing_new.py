"""`newsledger run` tells a rerun with nothing new from the ingest manifest (orchestration/nothing_new.py).

The answer decides whether the NLP workers' fork server loads the spaCy model before the run, so
it must never say "unchanged" when a file was added, changed, replaced, removed or renamed.
"""

from __future__ import annotations

import os
import shutil

import pytest

from orchestration.nothing_new import input_unchanged
from tests.conftest import SEEDS
from transforms import articles, lake
from transforms.articles import ingest_folder


@pytest.fixture
def ingested(tmp_path, monkeypatch):
    """Three seed articles and SOURCES.csv, ingested once as the ingest asset does (manifest)."""
    # files copied just now are "racy" for two seconds and left out of the manifest on purpose
    monkeypatch.setattr(articles, "RACY_WINDOW_NS", 0)
    folder = tmp_path / "input"
    folder.mkdir()
    for name in ("voa_6181504.txt", "voa_8007271.txt", "voa_8010842.txt", "SOURCES.csv"):
        shutil.copy(SEEDS / name, folder / name)
    lake_dir = tmp_path / "lake"

    def ingest() -> None:
        manifest = lake.read_snapshot(lake_dir, "ingest_manifest")
        result = ingest_folder(folder, manifest=manifest)
        lake.write_snapshot(lake_dir, "articles", result.articles)
        lake.write_snapshot(lake_dir, "ingest_manifest", result.manifest)

    ingest()
    return folder, lake_dir, ingest


def test_an_untouched_folder_is_unchanged_and_any_edit_is_not(ingested, tmp_path):
    folder, lake_dir, ingest = ingested
    assert input_unchanged(folder, lake_dir)
    assert not input_unchanged(folder, tmp_path / "no_lake")  # no manifest yet: a first run
    other = tmp_path / "other"
    shutil.copytree(folder, other)
    assert not input_unchanged(other, lake_dir)  # the manifest is of another folder

    (folder / "new.txt").write_text(" date 2024-11-05 Germany pledged more aid to Ukraine.\n")
    assert not input_unchanged(folder, lake_dir)  # added
    ingest()
    assert input_unchanged(folder, lake_dir)  # ...and read by a run

    (folder / "new.txt").rename(folder / "renamed.txt")
    assert not input_unchanged(folder, lake_dir)  # renamed
    ingest()
    (folder / "renamed.txt").unlink()
    assert not input_unchanged(folder, lake_dir)  # removed
    ingest()
    assert input_unchanged(folder, lake_dir)

    path = folder / "voa_8007271.txt"
    stat = path.stat()
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("the", "teh", 1), encoding="utf-8")  # same size
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # and same mtime
    assert not input_unchanged(folder, lake_dir)  # its ctime gives it away
    ingest()
    assert input_unchanged(folder, lake_dir)

    (folder / "SOURCES.csv").write_text(
        (folder / "SOURCES.csv").read_text(encoding="utf-8") + "\n", encoding="utf-8"
    )
    assert not input_unchanged(folder, lake_dir)  # a side file edited after the run


def test_a_file_set_aside_counts_as_new(ingested):
    """A rejected file has no manifest entry (it is read again each run): never "unchanged"."""
    folder, lake_dir, ingest = ingested
    (folder / "broken.txt").write_bytes(b"caf\xe9 latin-1 without a date header")
    ingest()
    assert not input_unchanged(folder, lake_dir)
