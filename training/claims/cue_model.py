"""The learned claim cue (transforms/extract/cue_features.py): which of the verbs the rules made no
claim from are claim cues.

One example is a candidate of `claims.cue_candidates` on a parsed train story (a verb with a
speaker and a content that no rules claim already has); it is a cue when its content matches
(the evaluation's token F1 >= 0.5) a gold claim of the story that the rules' claims left
unmatched. Whether the pipeline uses it, and from which probability, is decided by 5-fold
cross-validation by story: for each fold the cues are induced and the classifier trained on the
other folds, then the held-out fold's claims are extracted (rules speaker and stance) with and
without the learned candidates; the threshold with the best pooled content-overlap F1 among
those that raise both the content and the speaker F1 wins, else the rules stay alone.
Never reads the `test` split.
"""

from __future__ import annotations

from pathlib import Path

import spacy

from evaluation import corpus
from evaluation.common import Row
from training import common
from training.common import Example
from transforms.extract import claims, cue_features, doc_cache

LABELS = {"cue": [cue_features.YES, cue_features.NO]}
THRESHOLDS = [0.3, 0.4, 0.5, 0.6, 0.7, 0.8]


def _gold_by_story() -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for rec in corpus.records("claims", "train"):
        out.setdefault(rec["story_id"], []).append(rec)
    return out


def examples() -> list[Example]:
    """The candidates of every train story with the cues now in use (claims.rules())."""
    from evaluation.claims import match, token_f1

    gold = _gold_by_story()
    out = []
    for story, doc, ctx in corpus.parsed("train", labelled_for="claims"):
        with doc_cache.cached(doc):
            golds = gold.get(story.id, [])
            rows = claims._claim_rows(doc, ctx, "rules")
            found = {id(g) for _, g in match(rows, golds)}
            left = [g["content"] for g in golds if id(g) not in found]
            for cand, feats in claims.cue_candidates(doc, claims.extract_claims(doc)):
                content = doc_cache.text(doc)[cand.content_start : cand.content_end]
                yes = any(token_f1(content, g) >= 0.5 for g in left)
                label = cue_features.YES if yes else cue_features.NO
                out.append(Example(corpus.fold_of(story.id), "cue", tuple(feats), label))
    return out


def _score(cue_model: tuple | None, fold: int) -> dict:
    """Pooled counts of the evaluation's claim scorer on the held-out fold's stories."""
    from evaluation.claims import score

    held = [
        (st, doc, ctx)
        for st, doc, ctx in corpus.parsed("train", labelled_for="claims")
        if corpus.fold_of(st.id) == fold
    ]
    preds = {}
    for st, doc, ctx in held:
        with doc_cache.cached(doc):
            preds[st.id] = claims._claim_rows(doc, ctx, "rules", cue_model=cue_model)
    ids = [st.id for st, _, _ in held]
    gold = [r for r in corpus.records("claims", "train") if r["story_id"] in set(ids)]
    return score(gold, preds, ids)


def figures(counts: dict) -> dict:
    """P, R, F1 of cue, speaker and content overlap, and the indirect claims' recall."""
    n_pred, n_gold = counts["n_pred"], counts["n_gold"]
    out: dict = {"n_pred": n_pred, "n_gold": n_gold}
    for field in ("cue", "speaker", "content_overlap"):
        tp = counts.get(field, 0)
        row = Row("claims", "cv", field, tp=tp, fp=n_pred - tp, fn=n_gold - tp)
        out[field] = {
            "tp": tp,
            "p": round(row.precision or 0.0, 4),
            "r": round(row.recall or 0.0, 4),
            "f1": round(row.f1 or 0.0, 4),
        }
    found, n = counts.get("indirect_found", 0), counts.get("indirect_gold", 0)
    out["indirect_recall"] = round(found / n, 4) if n else None
    return out


def cross_validate(work: Path, folds: int, use_cues, induce_for) -> dict:
    """{"rules": figures, threshold: figures} pooled over the held-out folds; `induce_for(fold)`
    gives the induced cues of the other folds, `use_cues` puts them in use."""
    from collections import Counter

    totals: dict = {"rules": Counter(), **{t: Counter() for t in THRESHOLDS}}
    try:
        for fold in range(folds):
            use_cues(induce_for(fold))
            items = examples()
            fold_dir = work / f"cue{fold}"
            common.write(items, fold_dir, LABELS, dev_fold=fold)
            model = spacy.load(common.train_one("cue", fold_dir)).get_pipe("textcat")
            totals["rules"].update(_score(None, fold))
            for t in THRESHOLDS:
                totals[t].update(_score((model, t), fold))
            print(f"claims: learned cue, fold {fold} done", flush=True)
    finally:
        use_cues(None)
    return {str(k): figures(v) for k, v in totals.items()}


def choose(cv: dict) -> tuple[str, float | None]:
    """("learned", threshold) for the threshold with the best content F1 among those that raise
    both content and speaker F1 over the rules; ("rules", None) when none does."""
    base = cv["rules"]
    ok = [
        t
        for t in THRESHOLDS
        if cv[str(t)]["content_overlap"]["f1"] > base["content_overlap"]["f1"]
        and cv[str(t)]["speaker"]["f1"] > base["speaker"]["f1"]
    ]
    if not ok:
        return "rules", None
    best = max(ok, key=lambda t: (cv[str(t)]["content_overlap"]["f1"], cv[str(t)]["speaker"]["f1"]))
    return "learned", best
