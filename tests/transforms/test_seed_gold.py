"""The seed article's hand-written gold mentions are consistent with its text.

Scoring against this gold is in evaluation/actors.py (`make eval`), not asserted here."""

from __future__ import annotations

from tests.conftest import SEED_ARTICLE
from tests.transforms.seed_gold import SEED_GOLD, gold_spans
from transforms.articles import parse_article


def test_gold_spans_cut_their_surface_out_of_the_article():
    text = parse_article(SEED_ARTICLE.read_text(encoding="utf-8")).text
    spans = gold_spans(text)
    assert len(spans) == len(SEED_GOLD)
    for (start, end, label, _), (surface, gold_label, _) in zip(spans, SEED_GOLD, strict=True):
        assert text[start:end] == surface and label == gold_label
    starts = [s for s, _, _, _ in spans]
    assert starts == sorted(starts) and len(set(starts)) == len(starts)
    # every capitalized occurrence of these names in the text is in the gold
    for name in ("Putin", "Baerbock", "Kursk", "Choe"):
        n_text = sum(1 for i in range(len(text)) if text.startswith(name, i))
        n_gold = sum(1 for s, e, _, _ in spans if name in text[s:e])
        assert n_text == n_gold, name
