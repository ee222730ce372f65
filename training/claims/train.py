"""`make train` for the claim stance, speaker and cue classifiers (transforms/models/claims).

Examples are gold claims, no parse needed: the `train` split of ../shared/data/gold/train and the
dev gold (../shared/data/gold/dev/claims.jsonl); each is one Doc of
claim_features.stance_features (cue lemma, the rules' stance for that cue and content, direct or
not, the content's words and word pairs) labelled with its gold stance. Whether the pipeline uses
the classifier, the rules, or the classifier only where the rules (or only the cue lists) say
"assert" is decided by 5-fold cross-validation by story over the corpus's train stories
(accuracy of each against gold stance on the held-out folds; the dev gold's stories train every
fold but are not scored, since the rules were written on them); the shipped classifier is
trained on folds 1-4 with fold 0 as spaCy's dev set. It trains on the claims whose cue lists
say "assert" (those it may decide), not on those whose cue names its stance
(`classifier_examples`). `training.json` records the fingerprint, the CV figures and the method
chosen. The learned cue (training/claims/cue_model.py: which
verbs beyond the cue lists make claims) is cross-validated and, when it wins, shipped as
transforms/models/claims/cue. Training never reads the `test` split.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import spacy

from evaluation import corpus
from training import common
from training.claims import cue_model
from training.common import Example
from transforms.extract import (
    claim_features,
    claims,
    speaker_features,
    target_features,
    word_clusters,
)

HERE = Path(__file__).resolve().parent
EXTRACT = Path(claims.__file__).resolve().parent
# the claim rules themselves: the induced cues are chosen by what they extract
INPUT_CODE = [
    HERE / "cue_model.py",
    EXTRACT / "cue_features.py",
    word_clusters.TABLE,
    EXTRACT / "claim_features.py",
    EXTRACT / "speaker_features.py",
    EXTRACT / "target_features.py",
    EXTRACT / "parties.py",
    EXTRACT / "claims.py",
    EXTRACT / "quotes.py",
    EXTRACT / "rules" / "claim_cues.yaml",
]
LABELS = {"stance": claim_features.STANCES}
SPEAKER_LABELS = {"speaker": [speaker_features.YES, speaker_features.NO]}
FOLDS = 5
# "learned_on_assert": the classifier decides only where the rules gave the default "assert"
# (a plain "said"); a cue that names its stance ("denied", "accused", "neither confirmed nor
# denied") keeps it. "learned_on_cue_assert": the same, but a stance the content patterns gave
# a plain "said" ("we will" -> promise, "must" -> demand) is the classifier's to decide too (the
# rules' stance stays one of its features). Ties go to the first.
METHODS = ["rules", "learned_on_assert", "learned_on_cue_assert", "learned"]
# The classifier trains on the claims whose cue lists say "assert" only (`classifier_examples`):
# the ones it may decide under "learned_on_cue_assert" (and "learned_on_assert"). A cue that names
# its stance ("accused", "denied") keeps it, and its claims taught the classifier the cue rather
# than the content. 5-fold CV, learned_on_cue_assert, seeds 1337 / 2 / 3: 0.7443 / 0.7436 / 0.7451
# against 0.7436 / 0.7398 / 0.7367 trained on every claim ("learned" everywhere then falls to
# 0.639 from 0.708: it is compared but cannot win).


def _dev_gold() -> list[dict]:
    path = corpus.SHARED_DATA / "gold" / "dev" / "claims.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def fingerprint() -> str:
    # The scorer too: its pairing of extracted and gold claims (`evaluation.claims.match`) picks
    # the speaker and target rankers' training examples and the CV's choices.
    scorer = Path(corpus.__file__).resolve().parent / "claims.py"
    # and which train stories are labelled for claims (corpus.labelled_story_ids)
    files = [HERE / "train.py", *INPUT_CODE, scorer, Path(corpus.__file__).resolve()]
    dev = corpus.SHARED_DATA / "gold" / "dev" / "claims.jsonl"
    return common.fingerprint(files + ([dev] if dev.exists() else []), ["claims"])


def examples() -> list[tuple[Example, bool, str]]:
    """(example, scored in CV, the cue lists' stance of its cue) of every gold claim with a known
    stance."""
    out = []
    for recs, scored in ((corpus.records("claims", "train"), True), (_dev_gold(), False)):
        for rec in recs:
            if rec.get("stance") not in claim_features.STANCES:
                continue
            lemma = (rec.get("cue_lemma") or "").lower()
            content = rec.get("content") or ""
            rule = claims.rule_stance(lemma, content)
            feats = claim_features.stance_features(lemma, content, bool(rec["is_direct"]), rule)
            ex = Example(corpus.fold_of(rec["story_id"]), "stance", tuple(feats), rec["stance"])
            out.append((ex, scored, claims.cue_stance(lemma)))
    return out


def classifier_examples(items: list[tuple[Example, bool, str]]) -> list[Example]:
    """The stance classifier's training examples among `examples()`: the claims whose cue lists'
    stance is "assert" (METHODS' comment says why)."""
    return [ex for ex, _, cue in items if cue == "assert"]


def cross_validate(
    items: list[tuple[Example, bool, str]], work: Path, folds: int = FOLDS
) -> tuple[dict, dict[str, dict[str, Counter]]]:
    """Held-out accuracy of the classifier, of the rules and of their mixes, pooled over the
    folds 0 .. `folds` - 1 ("n": the claims scored), and each one's confusion (method -> gold
    stance -> predicted -> count)."""
    right = dict.fromkeys(METHODS, 0)
    confusion: dict[str, dict[str, Counter]] = {m: {} for m in METHODS}
    n = 0
    for fold in range(folds):
        fold_dir = work / f"cv{fold}"
        common.write(classifier_examples(items), fold_dir, LABELS, dev_fold=fold)
        model = spacy.load(common.train_one("stance", fold_dir)).get_pipe("textcat")
        held = [(ex, cue) for ex, scored, cue in items if scored and ex.fold == fold]
        scored_probs = claims.Classifiers.scores(model, [list(e.words) for e, _ in held])
        for (ex, cue), probs in zip(held, scored_probs, strict=True):
            rule = next(w[5:] for w in ex.words if w.startswith("rule_"))
            learned = max(probs, key=probs.__getitem__)
            for method in METHODS:
                got = learned if claims.learned_decides(method, rule, cue) else rule
                right[method] += got == ex.label
                confusion[method].setdefault(ex.label, Counter())[got] += 1
            n += 1
    return {k: round(v / n, 4) for k, v in right.items()} | {"n": n}, confusion


MIN_COUNTS = [0, 2, 3, 5]  # 0: no induced cue


def induce(recs: list[dict], min_count: int) -> dict:
    """Cue verbs the gold claims use at least `min_count` times that the hand list lacks, each
    with its most frequent gold stance (one-word lemmas only: phrases need their own rules)."""
    if not min_count:
        return {}
    hand = set(claims.rules().cues) - set(claims.induced_cues())
    by_lemma: dict[str, Counter] = {}
    for rec in recs:
        lemma = (rec.get("cue_lemma") or "").lower()
        if lemma and lemma.isalpha() and lemma not in hand:
            by_lemma.setdefault(lemma, Counter())[rec["stance"]] += 1
    return {
        lemma: {"stance": stances.most_common(1)[0][0], "induced": sum(stances.values())}
        for lemma, stances in sorted(by_lemma.items())
        if sum(stances.values()) >= min_count
    }


def _use_cues(cues: dict | None) -> None:
    claims.INDUCED_CUES_OVERRIDE = cues
    claims.rules.cache_clear()


def choose_cues() -> tuple[int, dict]:
    """The induction threshold with the best claim speaker F1 pooled over 5-fold CV by story
    (cues induced from the other folds' gold, the held-out fold's claims extracted with them)."""
    from evaluation.claims import score
    from transforms.extract import doc_cache

    recs = corpus.records("claims", "train")
    dev = _dev_gold()
    parsed = corpus.parsed("train", labelled_for="claims")
    results = {}
    try:
        for k in MIN_COUNTS:
            tp = n_pred = n_gold = 0
            for fold in range(FOLDS):
                _use_cues(
                    induce([r for r in recs if corpus.fold_of(r["story_id"]) != fold] + dev, k)
                )
                held = [(st, doc, ctx) for st, doc, ctx in parsed if corpus.fold_of(st.id) == fold]
                preds = {}
                for st, doc, ctx in held:
                    with doc_cache.cached(doc):
                        preds[st.id] = claims._claim_rows(doc, ctx, "rules")
                ids = [st.id for st, _, _ in held]
                got = score([r for r in recs if r["story_id"] in set(ids)], preds, ids)
                tp, n_pred, n_gold = (
                    tp + got.get("speaker", 0),
                    n_pred + got["n_pred"],
                    n_gold + got["n_gold"],
                )
            f1 = 2 * tp / (n_pred + n_gold) if tp else 0.0
            results[k] = {"speaker_tp": tp, "n_pred": n_pred, "n_gold": n_gold, "f1": round(f1, 4)}
            print(f"claims: cues induced at >= {k}: speaker F1 {f1:.4f}", flush=True)
    finally:
        _use_cues(None)
    best = max(MIN_COUNTS, key=lambda k: (results[k]["f1"], -MIN_COUNTS.index(k)))
    return best, results


def speaker_groups() -> list[tuple[int, list[tuple[tuple[str, ...], bool, bool]]]]:
    """For every claim the rules extract from the train stories that matches a gold claim (the
    evaluation's matching), its fold and its candidates: (features, is the gold speaker)."""
    from evaluation.claims import same_speaker
    from transforms.extract import doc_cache

    out = []
    for story, doc, row, gold in _matched_train_claims("rules"):
        counts = doc_cache.per_doc(doc, "speaker_counts", speaker_features.mention_counts)
        cands = []
        for cand, feats in speaker_features.pairs(doc, row, counts):
            cols = speaker_features.resolve(cand, row)
            # a candidate naming the rules' own party is not taken (same_party): the pipeline
            # keeps the rules' row, so it scores as the rules' choice
            keep = not cand.is_rule and speaker_features.same_party(cols, row)
            right = same_speaker(cols["speaker_name"], gold["source_canonical"])
            cands.append((tuple(feats), right, keep))
        out.append((corpus.fold_of(story.id), cands))
    return out


def _matched_train_claims(method: str):
    """(story, Doc, claim row, gold claim) of every claim the pipeline (`method`: "rules",
    "rules+cue") extracts from the train stories that matches a gold claim (the evaluation's
    matching), yielded inside the Doc's cache scope."""
    from evaluation.claims import match
    from transforms.extract import doc_cache

    by_story: dict[str, list[dict]] = {}
    for rec in corpus.records("claims", "train"):
        by_story.setdefault(rec["story_id"], []).append(rec)
    for story, doc, ctx in corpus.parsed("train", labelled_for="claims"):
        with doc_cache.cached(doc):
            rows = claims._claim_rows(doc, ctx, method)
            for row, gold in match(rows, by_story.get(story.id, [])):
                yield story, doc, row, gold


def _speaker_examples(groups, skip_fold: int | None = None) -> list[Example]:
    return [
        Example(fold, "speaker", feats, speaker_features.YES if yes else speaker_features.NO)
        for fold, cands in groups
        if fold != skip_fold
        for feats, yes, _ in cands
    ]


def cross_validate_speaker(groups, work: Path) -> dict:
    """Right speakers among the matched claims of the held-out folds: the rules' choice (the
    first candidate) against the ranker's best."""
    right = {"learned": 0, "rules": 0}
    for fold in range(FOLDS):
        fold_dir = work / f"spk{fold}"
        common.write(_speaker_examples(groups), fold_dir, SPEAKER_LABELS, dev_fold=fold)
        model = spacy.load(common.train_one("speaker", fold_dir)).get_pipe("textcat")
        for g_fold, cands in groups:
            if g_fold != fold:
                continue
            probs = claims.Classifiers.scores(model, [list(f) for f, _, _ in cands])
            best = max(range(len(cands)), key=lambda i: probs[i][speaker_features.YES])
            right["learned"] += cands[0 if cands[best][2] else best][1]
            right["rules"] += cands[0][1]
    n = len(groups)
    return {k: round(v / n, 4) for k, v in right.items()} | {"n": n}


TARGET_LABELS = {"target": [target_features.YES, target_features.NO]}
TARGET_ROWS = "rules+cue"
TARGET_THRESHOLDS = [0.0, 0.1, 0.2, 0.3, 0.4, 0.5]
TARGET_SEEDS = (1337, 2, 3)  # the ranker's training seeds the target method is chosen over


def target_groups() -> list[tuple[int, bool, list[tuple[tuple[str, ...], bool]]]]:
    """For every claim the rules extract from the train stories that matches a gold claim whose
    stance takes a target (accuse, condemn, demand, warn), its fold, whether the rules' target
    is right (no target right where the gold names none), and its candidates: (features, names
    the gold target: evaluation.claims.same_target)."""
    from evaluation.claims import same_target

    out = []
    for story, doc, row, gold in _matched_train_claims(TARGET_ROWS):
        if gold["stance"] not in target_features.TARGET_STANCES:
            continue
        want = gold.get("target")
        rule_right = same_target(row["target_text"], want) if want else row["target_text"] is None
        cands = target_features.candidates(doc, row)
        feats = [target_features.features(doc, row, c, i, len(cands)) for i, c in enumerate(cands)]
        out.append(
            (
                corpus.fold_of(story.id),
                rule_right,
                [
                    (tuple(f), bool(want) and same_target(c.text, want))
                    for c, f in zip(cands, feats, strict=True)
                ],
                bool(want),
                row["stance"] in target_features.TARGET_STANCES,
            )
        )
    return out


def _target_examples(groups, skip_fold: int | None = None) -> list[Example]:
    return [
        Example(fold, "target", feats, target_features.YES if yes else target_features.NO)
        for fold, _, cands, _, _ in groups
        if fold != skip_fold
        for feats, yes in cands
    ]


def cross_validate_target(groups, work: Path) -> dict:
    """Right targets among the matched claims of the held-out folds: the rules' target against
    the ranker's best candidate at each threshold (below it: the rules' target), averaged over
    the rankers trained with each of TARGET_SEEDS (`per_seed` keeps each seed's figures).

    Why several seeds: the CV holds ~120 claims, and one training seed's ranker decided the
    method by a claim or two (session 25: learned 0.431 / 0.388 / 0.379 on seeds 1337 / 2 / 3
    against the rules' 0.414), so the method is chosen on the mean."""
    methods = ["rules"] + [f"learned_{t}" for t in TARGET_THRESHOLDS]
    per_seed = {}
    for seed in TARGET_SEEDS:
        right = dict.fromkeys(methods, 0)
        n = 0
        for fold in range(FOLDS):
            fold_dir = work / f"tgt{seed}_{fold}"
            common.write(_target_examples(groups), fold_dir, TARGET_LABELS, dev_fold=fold)
            trained = common.train_one("target", fold_dir, {"system.seed": seed})
            model = spacy.load(trained).get_pipe("textcat")
            for g_fold, rule_right, cands, _, applies in groups:
                if g_fold != fold or not applies:
                    continue  # the pipeline gives a target only where its stance takes one
                n += 1
                right["rules"] += rule_right
                probs = claims.Classifiers.scores(model, [list(f) for f, _ in cands])
                best = max(
                    range(len(cands)), key=lambda i: probs[i][target_features.YES], default=None
                )
                for t in TARGET_THRESHOLDS:
                    if best is not None and probs[best][target_features.YES] >= t:
                        right[f"learned_{t}"] += cands[best][1]
                    else:
                        right[f"learned_{t}"] += rule_right
        per_seed[str(seed)] = {k: round(v / n, 4) for k, v in right.items()}
    mean = {m: round(sum(s[m] for s in per_seed.values()) / len(per_seed), 4) for m in methods}
    return mean | {"n": n, "per_seed": per_seed}


@common.trainer("claims", lambda: claims.MODELS_DIR, fingerprint)
def run(job: common.Job) -> None:
    try:
        _train(job)
    finally:
        _use_cues(None)


def _train(job: common.Job) -> None:
    work = job.work
    min_count, cue_cv = choose_cues()
    recs, dev = corpus.records("claims", "train"), _dev_gold()
    learned_cue_cv = cue_model.cross_validate(
        work,
        FOLDS,
        _use_cues,
        lambda fold: induce(
            [r for r in recs if corpus.fold_of(r["story_id"]) != fold] + dev, min_count
        ),
    )
    cue_method, cue_threshold = cue_model.choose(learned_cue_cv)
    cues = induce(recs + dev, min_count)
    _use_cues(cues)  # the stance examples read the rules' stance with these cues
    built = {}
    if cue_method == "learned":
        common.write(cue_model.examples(), work, cue_model.LABELS)
        built["cue"] = common.train_one("cue", work)
    items = examples()
    cv, confusion = cross_validate(items, work)
    groups = speaker_groups()
    speaker_cv = cross_validate_speaker(groups, work)
    targets = target_groups()
    target_cv = cross_validate_target(targets, work)
    common.write(classifier_examples(items), work, LABELS)
    common.write(_speaker_examples(groups), work, SPEAKER_LABELS)
    common.write(_target_examples(targets), work, TARGET_LABELS)
    built["stance"] = common.train_one("stance", work)
    built["speaker"] = common.train_one("speaker", work)
    target_method, target_threshold = "rules", None
    best = max(TARGET_THRESHOLDS, key=lambda t: (target_cv[f"learned_{t}"], -t))
    if target_cv[f"learned_{best}"] > target_cv["rules"]:
        target_method, target_threshold = "learned", best
        built["target"] = common.train_one("target", work)
    common.ship(built, job.target)
    method = max(METHODS, key=lambda m: (cv[m], -METHODS.index(m)))
    (job.target / "cues.json").write_text(
        json.dumps({"min_count": min_count, "cues": cues}, indent=1) + "\n", encoding="utf-8"
    )
    speaker_method = "learned" if speaker_cv["learned"] > speaker_cv["rules"] else "rules"
    job.save(
        {
            "induced_cues_min_count": min_count,
            "cv_cue_speaker_f1": cue_cv,
            "cue_method": cue_method,
            "cue_threshold": cue_threshold,
            "cv_learned_cue": learned_cue_cv,
            "stance_method": method,
            "speaker_method": speaker_method,
            "cv_speaker_accuracy": speaker_cv,
            "target_method": target_method,
            "target_threshold": target_threshold,
            "cv_target_accuracy": target_cv,
            "cv_stance_accuracy": cv,
            # gold stance -> the chosen method's held-out stance -> claims
            "cv_stance_confusion": {
                g: dict(c.most_common()) for g, c in sorted(confusion[method].items())
            },
            "data": {
                "examples": len(items),
                "scored": sum(s for _, s, _ in items),
                "trained_on": len(classifier_examples(items)),
            },
        }
    )
    claims.classifiers.cache_clear()
    print(f"claims: learned cue {cue_method} (threshold {cue_threshold}, 5-fold CV)")
    print(f"claims: stance {method} (5-fold CV accuracy {cv})")
    print(f"claims: speaker {speaker_method} (5-fold CV, matched claims {speaker_cv})")
    print(f"claims: target {target_method} at {target_threshold} (5-fold CV {target_cv})")
