"""The press-release claims gold (evaluation/data/re3d_claims.jsonl, evaluation/releases.py) quotes its documents exactly
and in the corpus format, so that `make eval` scores it as it scores the labelled corpus."""

from __future__ import annotations

import pytest

from evaluation import releases
from evaluation.common import RE3D, re3d_folders, re3d_texts

pytestmark = pytest.mark.skipif(not RE3D.exists(), reason=f"no re3d at {RE3D}")

STANCES = {"assert", "deny", "accuse", "condemn", "demand", "warn", "promise",
           "deny_or_unconfirmed", "other"}  # fmt: skip
SOURCE_TYPES = {"person", "organization", "government", "country", "document", "unnamed"}


@pytest.fixture(scope="module")
def labelled():
    ids, gold = releases.gold()
    folders = {f.name: re3d_texts(f) for f in re3d_folders()}
    return ids, gold, folders


def test_every_labelled_document_is_a_document_of_its_folder(labelled):
    ids, _gold, folders = labelled
    assert ids and set(ids.values()) <= set(folders)
    for doc_id, folder in ids.items():
        assert doc_id in folders[folder], (doc_id, folder)


def test_every_claim_quotes_its_document_and_follows_the_format(labelled):
    ids, gold, folders = labelled
    for g in gold:
        text = folders[ids[g["story_id"]]][g["story_id"]]
        for key in ("source_text", "cue", "sentence"):
            assert g[key] in text, (key, g[key])
        assert g["content"] in g["sentence"], g["content"]
        assert g["stance"] in STANCES and g["source_type"] in SOURCE_TYPES, g
        # direct means inside quotation marks (gold/dev/README.md)
        if g["is_direct"]:
            assert any(q in g["sentence"] for q in '"“”'), g["sentence"]
        assert bool(g["target"]) <= (g["stance"] in {"accuse", "condemn", "demand", "warn"}), g
