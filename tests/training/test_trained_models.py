"""The trained event classifiers shipped in transforms/models/events/ match what builds them.

`training.json` records the fingerprint of the config, the conversion and feature code, the rule
files the features read, the labelled train stories and the library versions; when any of them
changes, the artefact is stale and `make train` must be run (and its result committed).
"""

from __future__ import annotations

import itertools
import json
import shutil
from pathlib import Path

import pytest

from evaluation import corpus
from training import common
from training.events import train
from transforms.extract import events

pytestmark = pytest.mark.skipif(
    not (corpus.TRAIN_DIR / "events.jsonl").exists(), reason="labelled corpus not found"
)


def _meta() -> dict:
    return json.loads((events.MODELS_DIR / "training.json").read_text(encoding="utf-8"))


def test_shipped_classifiers_are_not_stale():
    assert _meta()["fingerprint"] == train.fingerprint(), (
        "transforms/models/events was trained on another config, code or corpus: run `make train`"
    )


def test_fingerprint_follows_the_config(tmp_path, monkeypatch):
    before = train.fingerprint()
    copy = tmp_path / "textcat_bow.cfg"
    shutil.copy(common.CONFIG, copy)
    monkeypatch.setattr(common, "CONFIG", copy)
    assert train.fingerprint() == before
    copy.write_text(copy.read_text().replace("seed = 1337", "seed = 1338"))
    assert train.fingerprint() != before


def test_thresholds_come_from_the_cross_validated_grid():
    meta = _meta()
    key = ",".join(str(v) for v in meta["thresholds"].values())
    scores = meta["cv_event_scores"]
    assert key in scores
    assert scores[key]["f1"] == max(s["f1"] for s in scores.values())
    assert set(meta["thresholds"]) == set(train.GRID)


def test_classifiers_load_and_rank_a_known_trigger():
    """The type stage ranks ASSAULT first for a lexicon-backed attack verb with a state subject,
    and the detection stage finds it likelier an event than a bare function word: real models,
    not empty ones."""
    models = events.classifiers()
    assert models is not None
    attack = ["l_attack", "p_verb", "t_vbd", "d_root", "lp_attack_verb", "lex_assault",
              "lexl_assault_verb", "subjent_gpe", "subjkind_country", "root", "seen_0", "sent_0"]  # fmt: skip
    (types,) = models.scores(models.trigger_type, [attack])
    assert max(types, key=types.get) == "ASSAULT"
    detect = models.scores(models.trigger_detect, [attack, ["l_the", "p_det", "seen_0"]])
    assert detect[0]["EVENT"] > detect[1]["EVENT"]


# -- pledges (transforms/models/pledges, training/pledges) ------------------------------------------
def test_shipped_pledge_classifiers_are_not_stale():
    from training.pledges import train as pledge_train
    from transforms.extract import pledges

    meta = json.loads((pledges.MODELS_DIR / "training.json").read_text(encoding="utf-8"))
    assert meta["fingerprint"] == pledge_train.fingerprint(), (
        "transforms/models/pledges was trained on another config, code or corpus: run `make train`"
    )


def test_pledge_thresholds_are_the_best_of_the_cross_validation_grid():
    from training.pledges import train as pledge_train
    from transforms.extract import pledges

    models = pledges.classifiers()
    assert models is not None
    key = ",".join(str(v) for v in models.thresholds.values())
    scores = models.meta["cv_pledge_scores"]
    assert scores[key]["f1"] == max(s["f1"] for s in scores.values())
    assert set(models.thresholds) == set(pledge_train.GRID)
    assert len(scores) == len(list(itertools.product(*pledge_train.GRID.values())))


# -- claim stance (transforms/models/claims, training/claims) --------------------------------------
def test_shipped_stance_classifier_is_not_stale_and_won_its_cross_validation():
    from training.claims import train as claim_train
    from transforms.extract import claims

    models = claims.classifiers()
    assert models is not None
    assert models.meta["fingerprint"] == claim_train.fingerprint(), (
        "transforms/models/claims was trained on another config, code or corpus: run `make train`"
    )
    cv = models.meta["cv_stance_accuracy"]
    assert cv[models.stance_method] == max(cv[m] for m in claim_train.METHODS)
    assert cv["n"] > 1000
    spk = models.meta["cv_speaker_accuracy"]
    assert models.speaker_method == ("learned" if spk["learned"] > spk["rules"] else "rules")


def test_stance_features_read_cue_rule_and_content():
    from transforms.extract import claim_features, claims

    content = "the attack was a cowardly act of terror and must not go unpunished"
    feats = claim_features.stance_features(
        "say", content, False, claims.rule_stance("say", content)
    )
    assert {"cue_say", "indirect", "w_terror", "first_the", "neg"} <= set(feats)
    # word pairs of the content: "must not", "act of"
    assert {"bi_must_not", "bi_act_of", "bi_of_terror"} <= set(feats)
    assert any(f.startswith("rule_") for f in feats)


def test_stance_classifier_decides_where_its_method_says():
    """A cue that names its stance keeps it under every mixed method; a stance the content
    patterns gave a plain "said" ("we will" -> promise) is the rules' answer under
    "learned_on_assert" but the classifier's under "learned_on_cue_assert"."""
    from transforms.extract import claims

    content = "we will rebuild every school the shelling destroyed"
    rule, cue = claims.rule_stance("say", content), claims.cue_stance("say")
    assert (rule, cue) == ("promise", "assert")
    assert not claims.learned_decides("learned_on_assert", rule, cue)
    assert claims.learned_decides("learned_on_cue_assert", rule, cue)
    assert claims.cue_stance("accuse") == claims.rule_stance("accuse", content) == "accuse"
    for method in ("rules", "learned_on_assert", "learned_on_cue_assert"):
        assert not claims.learned_decides(method, "accuse", "accuse")
    assert claims.learned_decides("learned", "accuse", "accuse")
    assert claims.learned_decides("learned_on_assert", "assert", "assert")


def test_stance_classifier_trains_only_on_claims_it_may_decide():
    """A claim whose cue names its stance ("accused") keeps the cue's stance, so the classifier
    does not train on it; a plain "said" claim is its to decide and trains it."""
    from training.claims import train as claim_train
    from transforms.extract import claim_features, claims

    items = []
    for lemma, content, gold in (
        ("say", "the ferry operator had ignored three safety warnings", "accuse"),
        ("accuse", "the ferry operator ignored three safety warnings", "accuse"),
    ):
        rule = claims.rule_stance(lemma, content)
        feats = claim_features.stance_features(lemma, content, False, rule)
        ex = claim_train.Example(1, "stance", tuple(feats), gold)
        items.append((ex, True, claims.cue_stance(lemma)))
    assert claim_train.classifier_examples(items) == [items[0][0]]


def test_learned_cue_is_used_only_where_it_won_its_cross_validation():
    """The learned cue ships only when, by 5-fold CV by story on the train split, one threshold
    raises both the claim content-overlap F1 and the speaker F1 over the rules' cues alone; the
    shipped threshold is that choice."""
    from training.claims import cue_model
    from transforms.extract import claims

    models = claims.classifiers()
    cv = models.meta["cv_learned_cue"]
    assert set(cv) == {"rules", *map(str, cue_model.THRESHOLDS)}
    method, threshold = cue_model.choose(cv)
    assert (models.meta["cue_method"], models.meta["cue_threshold"]) == (method, threshold)
    if method == "learned":
        assert models.cue is not None and models.cue[1] == threshold
        for field in ("content_overlap", "speaker"):
            assert cv[str(threshold)][field]["f1"] > cv["rules"][field]["f1"]


def _parsed(words: list[str], **annotations):
    """A Doc with the given parse (heads, deps, pos, lemmas, tags): no model needed."""
    import spacy
    from spacy.tokens import Doc

    return Doc(spacy.blank("en").vocab, words=words, **annotations)


def test_cue_features_read_the_verb_its_place_and_its_speaker():
    from transforms.extract import cue_features

    doc = _parsed(
        ["Officials", "described", "the", "attack", "as", "terrorism"],
        heads=[1, 1, 3, 1, 1, 4],
        deps=["nsubj", "ROOT", "det", "dobj", "prep", "pobj"],
        pos=["NOUN", "VERB", "DET", "NOUN", "ADP", "NOUN"],
        lemmas=["official", "describe", "the", "attack", "as", "terrorism"],
    )
    feats = cue_features.cue_features(doc[1], doc[0], "unnamed", "own", "object", 4, "no", [])
    assert {"l_describe", "listed_no", "dep_root", "ck_object", "sk_unnamed", "sl_official"} <= set(
        feats
    )
    assert {"ch_nsubj", "ch_dobj", "chw_prep_as"} <= set(feats)


def test_cue_features_read_the_content_shape_the_speaker_and_the_governing_verb():
    from transforms.extract import cue_features

    doc = _parsed(
        ["Smith", "said", "that", "prices", "will", "rise"],
        heads=[1, 1, 5, 5, 5, 1],
        deps=["nsubj", "ROOT", "mark", "nsubj", "aux", "ccomp"],
        pos=["PROPN", "VERB", "SCONJ", "NOUN", "AUX", "VERB"],
        tags=["NNP", "VBD", "IN", "NNS", "MD", "VB"],
        lemmas=["Smith", "say", "that", "price", "will", "rise"],
    )
    feats = cue_features.cue_features(
        doc[1], doc[0], "person", "own", "ccomp", 3, "hand", [], content=list(doc[3:6]),
        sentence=["sent_quote"], governor=["gov_none"],
    )  # fmt: skip
    assert {"cf_noun", "cm_that", "lcm_say_that", "crt_vb", "cmod_will", "csub_noun"} <= set(feats)
    assert {"cafter", "sn_named", "lsn_say_named", "snum_sg", "cx_sent_quote", "cx_root"} <= set(
        feats
    )
    assert {"gov_none", "ltag_say_vbd", "lsv_say_own"} <= set(feats)


# -- party country chooser (transforms/models/actors, training/actors) ----------------------------
def test_shipped_country_chooser_is_not_stale():
    from training.actors import train as actor_train
    from transforms.extract import country_chooser

    meta = json.loads((country_chooser.MODEL_DIR / "training.json").read_text(encoding="utf-8"))
    assert meta["fingerprint"] == actor_train.fingerprint(), (
        "transforms/models/actors was trained on another config, code or corpus: run `make train`"
    )


def test_country_chooser_threshold_is_the_cross_validation_best_and_beats_the_rules():
    from training.actors import train as actor_train
    from transforms.extract import country_chooser

    meta = json.loads((country_chooser.MODEL_DIR / "training.json").read_text(encoding="utf-8"))
    cv = meta["cv_accuracy"]
    best = max(actor_train.THRESHOLDS, key=lambda t: (cv[str(t)]["all"], -t))
    assert meta["threshold"] == best
    assert cv[str(best)]["all"] > cv["rules"]["all"]
    assert sum(cv["n"].values()) == meta["data"]["parties"]


def test_a_gazetteer_or_reference_change_makes_every_model_stale(tmp_path, monkeypatch):
    """Every model is trained on the parse of the train stories: the gazetteer component and the
    reference files are in every trainer's fingerprint (`common.parse_inputs`)."""
    from transforms.nlp import gazetteer

    inputs = common.parse_inputs()
    assert Path(gazetteer.__file__).resolve() in inputs
    assert any(p.name == "country_aliases.csv" for p in inputs)
    copy = tmp_path / "gazetteer.py"
    copy.write_bytes(Path(gazetteer.__file__).read_bytes())
    monkeypatch.setattr(common, "parse_inputs", lambda: [copy])
    before = common.fingerprint([], [])
    copy.write_text(copy.read_text(encoding="utf-8") + "\n# a changed rule\n", encoding="utf-8")
    assert common.fingerprint([], []) != before


def test_make_eval_prints_the_cross_validated_figures_that_chose_the_methods():
    """`make eval`'s rows `train 5-fold CV (folds held out)` read the figures of the point each
    trainer chose: the event F1 at the shipped thresholds, the claims at the learned cue's
    threshold, the chosen stance method's accuracy."""
    from evaluation import claims as claims_eval
    from evaluation import events as events_eval
    from transforms.extract import claims

    ev = {r.field: r for r in events_eval.cv_rows()}
    meta = _meta()
    chosen = meta["cv_event_scores"][",".join(str(v) for v in meta["thresholds"].values())]
    assert round(ev["type+actor+recipient"].f1, 4) == chosen["f1"]
    assert ev["mode (gold triggers)"].value == max(
        meta["cv_mode_accuracy"]["learned"], meta["cv_mode_accuracy"]["rules"]
    )
    cl = {r.field: r for r in claims_eval.cv_rows()}
    models = claims.classifiers()
    cue = models.meta["cv_learned_cue"][str(models.meta["cue_threshold"])]
    assert round(cl["speaker"].f1, 4) == cue["speaker"]["f1"]
    assert round(cl["content_overlap"].f1, 4) == cue["content_overlap"]["f1"]
    stance = models.meta["cv_stance_accuracy"]
    assert cl["stance (gold claims)"].value == max(stance[m] for m in stance if m != "n")
