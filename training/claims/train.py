"""`make train` for the claim-stance classifier (transforms/models/claims/stance).

Examples are gold claims, no parse needed: the `train` split of ../shared/data/gold/train and the
dev gold (../shared/data/gold/dev/claims.jsonl); each is one Doc of
claim_features.stance_features (cue lemma, the rules' stance for that cue and content, direct or
not, the content's words) labelled with its gold stance. Whether the pipeline uses the
classifier, the rules, or the classifier only where the rules say "assert" is decided by 5-fold
cross-validation by story over the corpus's train stories (accuracy of each against gold stance
on the held-out folds; the dev gold's stories train every fold but are not scored, since the
rules were written on them); the shipped classifier is trained on folds 1-4 with fold 0 as
spaCy's dev set. `training.json` records the fingerprint, the CV figures and the method chosen.
Training never reads the `test` split.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import tempfile
from pathlib import Path

import spacy

from evaluation import corpus
from training import common
from training.common import Example
from transforms.extract import claim_features, claims

HERE = Path(__file__).resolve().parent
EXTRACT = Path(claims.__file__).resolve().parent
INPUT_CODE = [EXTRACT / "claim_features.py", EXTRACT / "rules" / "claim_cues.yaml"]
LABELS = {"stance": claim_features.STANCES}
FOLDS = 5
# "learned_on_assert": the classifier decides only where the rules gave the default "assert"
# (a plain "said"); a cue that names its stance ("denied", "accused", "neither confirmed nor
# denied") keeps it. Ties go to the first.
METHODS = ["rules", "learned_on_assert", "learned"]


def _dev_gold() -> list[dict]:
    path = corpus.SHARED_DATA / "gold" / "dev" / "claims.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def fingerprint() -> str:
    files = [HERE / "train.py", *INPUT_CODE]
    dev = corpus.SHARED_DATA / "gold" / "dev" / "claims.jsonl"
    return common.fingerprint(files + ([dev] if dev.exists() else []), ["claims"])


def examples() -> list[tuple[Example, bool]]:
    """(example, scored in CV) of every gold claim with a known stance."""
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
            out.append((ex, scored))
    return out


def cross_validate(items: list[tuple[Example, bool]], work: Path) -> dict:
    """Held-out accuracy of the classifier and of the rules, pooled over the folds."""
    right = {"learned": 0, "rules": 0, "learned_on_assert": 0}
    n = 0
    for fold in range(FOLDS):
        fold_dir = work / f"cv{fold}"
        common.write([ex for ex, _ in items], fold_dir, LABELS, dev_fold=fold)
        model = spacy.load(common.train_one("stance", fold_dir)).get_pipe("textcat")
        held = [ex for ex, scored in items if scored and ex.fold == fold]
        scored_probs = claims.Classifiers.scores(model, [list(e.words) for e in held])
        for ex, probs in zip(held, scored_probs, strict=True):
            rule = next(w[5:] for w in ex.words if w.startswith("rule_"))
            learned = max(probs, key=probs.__getitem__)
            right["learned"] += learned == ex.label
            right["rules"] += rule == ex.label
            right["learned_on_assert"] += (learned if rule == "assert" else rule) == ex.label
            n += 1
    return {k: round(v / n, 4) for k, v in right.items()} | {"n": n}


def run(force: bool = False) -> int:
    target = claims.MODELS_DIR
    meta_path = target / "training.json"
    want = fingerprint()
    if not force and common.up_to_date(meta_path, want, "claims"):
        return 0
    work = Path(tempfile.mkdtemp(prefix="newsledger-train-"))
    try:
        items = examples()
        cv = cross_validate(items, work)
        common.write([ex for ex, _ in items], work, LABELS)
        common.ship({"stance": common.train_one("stance", work)}, target)
        method = max(METHODS, key=lambda m: (cv[m], -METHODS.index(m)))
        meta = {
            "fingerprint": want,
            "stance_method": method,
            "cv_stance_accuracy": cv,
            "dev_fold": common.DEV_FOLD,
            "data": {"examples": len(items), "scored": sum(s for _, s in items)},
            "trained_on": dt.date.today().isoformat(),
            "spacy": spacy.__version__,
        }
        meta_path.write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
        claims.classifiers.cache_clear()
        print(f"claims: stance {method} (5-fold CV accuracy {cv})")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0
