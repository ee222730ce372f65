"""Which stories of the labelled corpus count for which record set (evaluation/corpus.py).

The press releases of gold/train carry aid pledges only: a story of theirs is no evidence that
its sentences state no event or claim, so neither training (as negatives) nor scoring (as false
positives) may read them for those record sets. Read on the real corpus, no parse."""

from __future__ import annotations

import pytest

from evaluation import corpus, uncertainty

pytestmark = pytest.mark.skipif(
    not corpus.story_ids("train"), reason="no labelled corpus (../shared/data/gold/train)"
)

RELEASES = {"state_dept", "whitehouse"}


def test_the_releases_are_labelled_for_pledges_only():
    for name in ("events", "claims", "dates"):
        assert corpus.labelled_sources(name) == {"voa", "wikinews"}, name
    assert corpus.labelled_sources("aid_pledges") == {"voa", "wikinews"} | RELEASES
    # the premise, on the train split: releases with pledge records and nothing else
    known = corpus.stories()
    train_releases = {s for s in corpus.story_ids("train") if known[s].source in RELEASES}
    assert len(train_releases) >= 10
    with_pledges = {r["story_id"] for r in corpus.records("aid_pledges", "train")}
    assert train_releases <= with_pledges  # every one was labelled for pledges
    for name in ("events", "claims", "dates"):
        assert not {r["story_id"] for r in corpus.records(name, "train")} & train_releases


def test_story_ids_leave_out_the_stories_not_labelled_for_a_record_set():
    known = corpus.stories()
    for split in ("train", "test"):
        every = corpus.story_ids(split)
        events = corpus.story_ids(split, labelled_for="events")
        assert events == [s for s in every if known[s].source not in RELEASES]  # order kept
        assert 0 < len(events) < len(every)
        assert corpus.story_ids(split, labelled_for="aid_pledges") == every


def test_parsed_filters_the_shared_parse(monkeypatch):
    known = corpus.stories()
    fake = tuple((s, None, None) for s in known.values() if s.split == "train")
    monkeypatch.setattr(corpus, "_parsed", lambda split: fake)
    assert corpus.parsed("train") == fake
    kept = corpus.parsed("train", labelled_for="claims")
    assert [item[0].id for item in kept] == corpus.story_ids("train", labelled_for="claims")


def test_every_source_of_the_corpus_has_a_style_of_its_own():
    sources = {s.source for s in corpus.stories().values()}
    styled = [src for group in uncertainty.STYLES.values() for src in group]
    assert sorted(styled) == sorted(set(styled))  # no source in two styles
    assert sources == set(styled)


def test_gold_and_predicted_read_each_layout():
    counts = [(3, 2, 1), (0, 4, 2)]  # (tp, fp, fn) per story
    assert uncertainty.gold_and_predicted(counts, uncertainty.f1_of_counts) == (6, 9)
    ratios = [(1, 3, 2, 5), (0, 1, 0, 0)]  # (matched, predicted, core found, core)
    assert uncertainty.gold_and_predicted(ratios, uncertainty.f1_of_ratios) == (5, 4)
