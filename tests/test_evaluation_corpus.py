"""Which stories of the labelled corpus count for which record set (evaluation/corpus.py).

The press releases and some Wikinews stories of gold/train were read for aid pledges only: such
a story is no evidence that its sentences state no event or claim, so neither training (as
negatives) nor scoring (as false positives) may read them for those record sets. Read on the
real corpus, no parse."""

from __future__ import annotations

import pytest

from evaluation import corpus, uncertainty

pytestmark = pytest.mark.skipif(
    not corpus.story_ids("train"), reason="no labelled corpus (../shared/data/gold/train)"
)

RELEASES = {"state_dept", "whitehouse"}
NEWS_PASS = ("claims", "events", "dates")


def _with_records(name: str, split: str) -> set[str]:
    return {r["story_id"] for r in corpus.records(name, split)}


def test_the_releases_were_read_for_pledges_only():
    known = corpus.stories()
    train_releases = {s for s in corpus.story_ids("train") if known[s].source in RELEASES}
    assert len(train_releases) >= 10
    assert train_releases <= _with_records("aid_pledges", "train")  # every one has pledges
    for name in NEWS_PASS:
        assert not _with_records(name, "train") & train_releases  # and nothing else
        assert not set(corpus.story_ids("train", labelled_for=name)) & train_releases


def test_a_story_of_the_news_pass_is_labelled_for_all_three_sets_even_with_none_of_one():
    news = set(corpus.story_ids("train", labelled_for="events"))
    assert news == set(corpus.story_ids("train", labelled_for="claims"))
    assert news == set(corpus.story_ids("train", labelled_for="dates"))
    assert news == set().union(*(_with_records(n, "train") for n in NEWS_PASS))
    # stories with claims and dates but no event (a labelled "none") stay in the events set
    assert news - _with_records("events", "train")
    # the train stories read for pledges only: releases and a few Wikinews articles
    left_out = set(corpus.story_ids("train")) - news
    assert {corpus.stories()[s].source for s in left_out} == RELEASES | {"wikinews"}


def test_story_ids_keep_file_order_and_every_story_counts_for_pledges():
    for split in ("train", "test"):
        every = corpus.story_ids(split)
        events = corpus.story_ids(split, labelled_for="events")
        assert events == [s for s in every if s in set(events)]
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
    assert uncertainty.gold_and_predicted(counts, uncertainty.COUNTS) == (6, 9)
    ratios = [(1, 3, 2, 5), (0, 1, 0, 0)]  # (matched, predicted, core found, core)
    assert uncertainty.gold_and_predicted(ratios, uncertainty.RATIOS) == (5, 4)
