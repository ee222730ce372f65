"""The resampled intervals of `make eval` (evaluation/uncertainty.py), on train stories: the
per-story counts add up to the sections' own figures, and the interval holds the figure."""

from __future__ import annotations

import numpy
import pytest

from evaluation import corpus, events, uncertainty

pytestmark = [
    pytest.mark.slow,  # parses 12 train stories (~15 s)
    pytest.mark.skipif(
        not corpus.story_ids("train"), reason="no labelled corpus (../shared/data/gold/train)"
    ),
]


@pytest.fixture(scope="module")
def parsed():
    ids = corpus.story_ids("train")[:12]
    return corpus.parse([corpus.stories()[s] for s in ids])


def test_event_counts_per_story_add_up_to_the_section_score(parsed):
    per_story = uncertainty.event_counts(parsed)
    whole = events.score_stories([story.id for story, _, _ in parsed], parsed)
    assert len(per_story) == len(parsed)
    assert tuple(numpy.sum(per_story, axis=0)) == (whole.tp, whole.fp, whole.fn)
    f1, low, high = uncertainty.interval(per_story, uncertainty.f1_of_counts)
    assert f1 == pytest.approx(2 * whole.tp / (2 * whole.tp + whole.fp + whole.fn))
    assert low <= f1 <= high
    # seeded: the same interval every time
    assert uncertainty.interval(per_story, uncertainty.f1_of_counts) == (f1, low, high)


def test_interval_narrows_with_more_stories_of_the_same_kind():
    stories = [(3, 2, 1), (0, 4, 2), (5, 1, 0), (1, 1, 3), (2, 3, 2)]
    _, low_few, high_few = uncertainty.interval(stories, uncertainty.f1_of_counts)
    _, low_many, high_many = uncertainty.interval(stories * 20, uncertainty.f1_of_counts)
    assert high_many - low_many < (high_few - low_few) / 2


def test_pledge_ratio_f1_is_the_sections_rule():
    # precision over every prediction, recall over core records (evaluation/pledges.py)
    sums = numpy.array([[8.0, 19.0, 7.0, 26.0]])
    p, r = 8 / 19, 7 / 26
    assert uncertainty.f1_of_ratios(sums)[0] == pytest.approx(2 * p * r / (p + r))
    assert uncertainty.f1_of_ratios(numpy.zeros((1, 4)))[0] == 0.0
