"""The nested two-stage trigger CV (training/events/two_stage_cv.py) counts typed triggers as the
events trainer does: the best type counts when its score reaches the threshold, a wrong type at
a gold trigger is one false positive and one false negative."""

from __future__ import annotations

import numpy

from training.events import two_stage_cv as t


def test_typed_counts_read_the_best_type_against_the_threshold():
    scores = numpy.zeros((4, len(t.TYPES)))
    scores[0, 2] = 0.9  # gold type 2, found
    scores[1, 3] = 0.6  # gold type 1, wrong type: fp and fn
    scores[2, 4] = 0.1  # gold NONE, under the threshold: nothing
    scores[3, 5] = 0.3  # gold type 5, under the threshold: missed
    gold = numpy.array([2, 1, -1, 5])
    assert t.typed_counts(scores, gold, 0.5) == (1, 1, 2)
    assert t.typed_counts(scores, gold, 0.05) == (2, 2, 1)
    assert t.prf(1, 1, 2)["f1"] == round(2 / 5, 4)
