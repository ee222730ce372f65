"""The re3d interaction evaluation (evaluation/interactions.py) reads the real relations and
matches an event to a relation by its actor and recipient mentions, directed or not by type."""

from __future__ import annotations

import pytest

from evaluation import interactions
from evaluation.common import SHARED_DATA

pytestmark = pytest.mark.skipif(not interactions.RE3D.exists(), reason=f"no re3d at {SHARED_DATA}")


@pytest.fixture(scope="module")
def loaded():
    return interactions.load()


def _row(actor: tuple[int, int] | None, recipient: tuple[int, int] | None) -> dict:
    a, r = actor or (None, None), recipient or (None, None)
    return {"actor_start_char": a[0], "actor_end_char": a[1],
            "recipient_start_char": r[0], "recipient_end_char": r[1]}  # fmt: skip


def test_every_interaction_relation_is_read_with_spans_inside_its_document(loaded):
    texts, relations = loaded
    kinds = {rel.kind for rel in relations}
    assert kinds == set(interactions.FAMILIES)
    for rel in relations:
        text = texts[rel.doc_id]
        for start, end in (rel.source, rel.target):
            assert 0 <= start < end <= len(text)
        assert 0 <= rel.begin < len(text)
        # re3d stores the mention's text beside its offsets; its quotes may be straightened
        for (start, end), stored in ((rel.source, rel.source_text), (rel.target, rel.target_text)):
            assert text[start:end].replace("“", "'").replace("”", "'") == stored


def test_a_relation_is_found_by_overlapping_mentions_and_symmetric_types_either_way(loaded):
    _texts, relations = loaded
    fight = next(r for r in relations if r.kind == "FightingAgainst")
    talk = next(r for r in relations if r.kind == "CommWith")
    for rel in (fight, talk):
        assert interactions._found_by(rel, _row(rel.source, rel.target))
        # a mention that overlaps part of the gold one counts; no recipient mention does not
        inner = (rel.source[0] + 1, rel.source[1])
        assert interactions._found_by(rel, _row(inner, rel.target))
        assert not interactions._found_by(rel, _row(rel.source, None))
    assert not interactions._found_by(fight, _row(fight.target, fight.source))
    assert interactions._found_by(talk, _row(talk.target, talk.source))


def test_every_event_type_has_the_quad_class_the_families_name():
    quad = interactions.quad_classes()
    assert set(quad.values()) == {1, 2, 3, 4}
    assert quad["ASSAULT"] in interactions.FAMILIES["FightingAgainst"]
    assert quad["CONSULT"] in interactions.FAMILIES["CommWith"]
    assert quad["DISAPPROVE"] in interactions.FAMILIES["Dislikes"]
