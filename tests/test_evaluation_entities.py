"""The held-out NER set (evaluation/data/ner_heldout.jsonl) and its CoNLL scorer, on the real file.

No model runs here (fast): the file is read span by span, its sentences are checked against the
VOA stories they were cut from, and the scorer is run on real gold spans. `make eval` (and the
slow tests/test_evaluation.py) run the models on it.
"""

from __future__ import annotations

import pytest

from evaluation.entities import (
    CONLL_LABELS,
    CONLL_MAP,
    DEV_FILE,
    HELDOUT_FILE,
    VOA_STORIES,
    heldout_stories,
    load_heldout,
    score_conll,
)


@pytest.fixture(scope="module")
def sentences():
    return load_heldout()


def test_every_span_of_the_held_out_file_is_read_and_matches_its_text(sentences):
    assert HELDOUT_FILE.exists()
    assert len(sentences) == 270
    assert len({s["story_id"] for s in sentences}) == 30
    n = 0
    for s in sentences:
        assert s["url"].startswith("https://www.voanews.com/") and s["story_id"] in s["url"]
        previous_end = 0
        for span in s["spans"]:
            assert span["label"] in CONLL_LABELS
            assert previous_end <= span["start"] < span["end"] <= len(s["text"])
            assert s["text"][span["start"] : span["end"]] == span["text"]
            assert span["text"] == span["text"].strip()
            previous_end = span["end"]  # in text order, never overlapping
            n += 1
    assert n == 630


def test_our_labels_map_onto_the_four_conll_types():
    assert set(CONLL_MAP.values()) == set(CONLL_LABELS)
    assert CONLL_MAP["GPE"] == CONLL_MAP["FAC"] == "LOC" and CONLL_MAP["NORP"] == "MISC"
    assert "DATE" not in CONLL_MAP and "CARDINAL" not in CONLL_MAP


@pytest.mark.skipif(not VOA_STORIES.exists(), reason=f"no VOA stories at {VOA_STORIES}")
def test_sentences_are_the_stories_text_and_a_gold_span_scores_as_a_hit(sentences):
    stories = heldout_stories(sentences)
    assert len(stories) == 30
    assert sum(len(s["ranges"]) for s in stories) == 270
    assert sum(len(s["gold"]) for s in stories) == 630
    story = next(s for s in stories if s["story_id"] == "6180015")
    start = story["text"].index("Hulusi Akar")
    akar = (start, start + len("Hulusi Akar"), "PER")
    assert akar in story["gold"]
    golds = [story["gold"]]

    counts, untyped, errors = score_conll(golds, [{akar}])
    assert counts["PER"]["tp"] == 1 and counts["PER"]["fp"] == 0
    assert sum(c["fn"] for c in counts.values()) == len(story["gold"]) - 1
    assert untyped["tp"] == 1

    # the right span with the wrong type: a miss and a false alarm typed, a hit untyped
    counts, untyped, errors = score_conll(golds, [{(akar[0], akar[1], "ORG")}])
    assert counts["PER"]["fn"] == 1 and counts["ORG"]["fp"] == 1 and counts["PER"]["tp"] == 0
    assert untyped["tp"] == 1 and errors["type: PER as ORG"] == 1

    # a span one character short is a boundary error, never a hit (CoNLL exact match)
    counts, untyped, errors = score_conll(golds, [{(akar[0], akar[1] - 1, "PER")}])
    assert counts["PER"]["tp"] == 0 and untyped["tp"] == 0 and errors["boundary: PER"] == 1

    # every gold span predicted: a perfect score
    counts, untyped, _ = score_conll([s["gold"] for s in stories], [s["gold"] for s in stories])
    assert all(c["fp"] == c["fn"] == 0 for c in counts.values())
    assert sum(c["tp"] for c in counts.values()) == untyped["tp"] == 630


def test_the_dev_split_is_read_and_shares_no_story_with_the_held_out_set(sentences):
    dev = load_heldout(DEV_FILE)
    assert len(dev) == 270 and len({s["story_id"] for s in dev}) == 30
    assert not {s["story_id"] for s in dev} & {s["story_id"] for s in sentences}
    spans = [span for s in dev for span in s["spans"]]
    assert len(spans) == 610 and {span["label"] for span in spans} == set(CONLL_LABELS)
    for s in dev:
        for span in s["spans"]:
            assert s["text"][span["start"] : span["end"]] == span["text"]
    if VOA_STORIES.exists():
        assert sum(len(s["gold"]) for s in heldout_stories(dev)) == 610
