"""Trigger error analysis and a two-stage trigger model, by 5-fold cross-validation by story
over the train stories (the folds, examples and feature groups of `training.events.cv`; the
`test` split is never read).

`python -m training.events.two_stage_cv [OUT.json]` builds the trigger examples once (cached in
.two_stage_cache/ of the work tree with the out-of-fold probabilities, so the analysis can be
redone without training: `--analyse`), then for each fold trains on the other four, with the
held-out fold as spaCy's dev set, as cv.py does:
- **one-stage** (shipped): textcat NONE + 20 PLOVER types over every candidate token;
- **binary**: textcat EVENT vs NONE over every candidate token;
- **type**: textcat over the 20 types, trained on the gold triggers only;
and scores every held-out candidate with all three. Two-stage score of type t:
P(EVENT) * P(t | event); combinations with the one-stage are computed from the same
probabilities. Typed trigger P/R/F1 is counted as cv.py counts it (one example per candidate
token; a wrong type at a gold trigger is a false positive and a false negative), pooled over
the folds, at each threshold of a grid.

The analysis (one-stage, pooled out of fold): untyped trigger P/R/F1 over the thresholds, how
often a gold trigger predicted as an event gets its type right and the top type confusions,
how many gold triggers never become candidates, and where the missed ones' probability went.
"""

from __future__ import annotations

import json
import pickle
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from unittest import mock

import numpy
import spacy

from evaluation import corpus
from training import common
from training.common import Example
from training.events import convert
from transforms.extract import event_features, events, textcat

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
CACHE = ROOT / ".two_stage_cache"
FOLDS = 5
NONE = event_features.NONE
EVENT = events.EVENT
TYPES = convert.TYPE_LABELS
LABELS = [NONE, *TYPES]
CV_GRID = [0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5]  # cv.py's grid
GRID = sorted({*CV_GRID, 0.02, 0.03, 0.075, 0.125, 0.175, 0.25, 0.35, 0.6, 0.7})


# ---------------------------------------------------------------- examples


def build_examples() -> dict:
    """The trigger examples of convert.examples (fold, features, label), with how the gold
    trigger records of the train stories fared on the way (placed, sharing a token, not a
    candidate and why)."""
    stats: Counter = Counter()
    not_cand_pos: Counter = Counter()
    not_cand_words: Counter = Counter()
    original = convert.gold_triggers

    def counted(doc, story, records, counts):
        out = original(doc, story, records, counts)
        stats["records"] += len(records)
        for i, recs in out.items():
            stats["records placed"] += len(recs)
            stats["gold tokens"] += 1
            stats["records sharing a token with another"] += len(recs) - 1
            if len({r["event_type"] for r in recs}) > 1:
                stats["gold tokens with >1 type"] += 1
            tok = doc[i]
            if not event_features.is_trigger_candidate(tok):
                stats["gold tokens not a candidate"] += 1
                stats["records on a non-candidate token"] += len(recs)
                why = tok.pos_ if tok.pos_ not in event_features.TRIGGER_POS else "not alpha/short"
                not_cand_pos[why] += 1
                not_cand_words[tok.text.lower()] += 1
        return out

    with mock.patch.object(convert, "gold_triggers", counted):
        items, counts = convert.examples()
    trig = [(ex.fold, ex.words, ex.label) for ex in items if ex.kind == "trigger"]
    return {
        "items": trig,
        "counts": dict(counts),
        "stats": dict(stats),
        "not_candidate_pos": dict(not_cand_pos.most_common()),
        "not_candidate_words": dict(not_cand_words.most_common(25)),
    }


def examples(rebuild: bool = False) -> dict:
    path = CACHE / "examples.pkl"
    if path.exists() and not rebuild:
        return pickle.loads(path.read_bytes())
    data = build_examples()
    CACHE.mkdir(exist_ok=True)
    path.write_bytes(pickle.dumps(data))
    return data


# ---------------------------------------------------------------- training


def _probs(model: Path, words: list[list[str]], labels: list[str]) -> numpy.ndarray:
    """Probabilities of each feature list, columns in the order of `labels`."""
    tc = spacy.load(model).get_pipe("textcat")
    got, probs = textcat.probabilities(tc, [w or ["x"] for w in words])
    return probs[:, [got.index(lab) for lab in labels]]


def run_fold(
    trig: list, fold: int, groups: dict, work: Path, kinds, nested: bool = False,
    overrides: dict | None = None,
) -> dict:  # fmt: skip
    """Train `kinds` of one, bin, type on every fold but `fold` (each on its feature `groups`)
    and score the fold's examples with them. spaCy's dev set (which picks model-best) is `fold`
    itself, as in cv.py, or with `nested` the next fold, left out of the training too (so the
    scored fold chooses nothing)."""
    dev_fold = (fold + 1) % FOLDS if nested else fold
    labels = {"one": LABELS, "bin": [NONE, EVENT], "type": TYPES}
    exs = []
    for f, words, lab in trig:
        if nested and f == fold:
            continue
        kept = {k: tuple(event_features.keep_groups(list(words), groups[k])) for k in kinds}
        if "one" in kinds:
            exs.append(Example(f, "one", kept["one"], lab))
        if "bin" in kinds:
            exs.append(Example(f, "bin", kept["bin"], NONE if lab == NONE else EVENT))
        if "type" in kinds and lab != NONE:
            exs.append(Example(f, "type", kept["type"], lab))
    common.write(exs, work, {k: labels[k] for k in kinds}, dev_fold=dev_fold)
    dev = [(words, lab) for f, words, lab in trig if f == fold]
    out = {"gold": [lab for _, lab in dev]}
    for kind in kinds:
        t0 = time.time()
        model = common.train_one(kind, work, overrides).parent  # out_<kind>: model-best, model-last
        words = [event_features.keep_groups(list(w), groups[kind]) for w, _ in dev]
        # model-best is chosen by its score on this held-out fold (as cv.py does); model-last
        # (after the 20 epochs) is not, and is scored too
        out[kind] = _probs(model / "model-best", words, labels[kind])
        out[f"{kind}_last"] = _probs(model / "model-last", words, labels[kind])
        print(f"  fold {fold} {kind}: {time.time() - t0:.0f} s", flush=True)
    return out


def run_cv(
    data: dict, groups: dict, kinds=("one", "bin", "type"), tag: str = "", nested: bool = False,
    overrides: dict | None = None,
) -> dict:  # fmt: skip
    folds = []
    t0 = time.time()
    with tempfile.TemporaryDirectory(prefix="newsledger-2stage-") as tmp:
        for fold in range(FOLDS):
            work = Path(tmp) / f"f{fold}"
            folds.append(run_fold(data["items"], fold, groups, work, kinds, nested, overrides))
    pooled = {
        "gold": [g for f in folds for g in f["gold"]],
        "fold": [i for i, f in enumerate(folds) for _ in f["gold"]],
        **{k: numpy.concatenate([f[k] for f in folds]) for k in folds[0] if k != "gold"},
        "seconds": time.time() - t0,
    }
    (CACHE / f"probs{tag}.pkl").write_bytes(pickle.dumps(pooled))
    return pooled


# ---------------------------------------------------------------- scoring


def typed_counts(scores: numpy.ndarray, gold: numpy.ndarray, th: float) -> tuple[int, int, int]:
    """(tp, fp, fn) of typed triggers: `scores` (n x 20 types) -> the best type if its score
    reaches `th`; `gold` the gold type's index in TYPES, -1 for NONE (cv.py's counting)."""
    best = scores.argmax(axis=1)
    pred = numpy.where(scores[numpy.arange(len(scores)), best] >= th, best, -1)
    tp = int(((pred == gold) & (gold >= 0)).sum())
    fp = int((pred >= 0).sum()) - tp
    fn = int((gold >= 0).sum()) - tp
    return tp, fp, fn


def f1(tp: int, fp: int, fn: int) -> float:
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def prf(tp: int, fp: int, fn: int) -> dict:
    return {
        "tp": tp, "fp": fp, "fn": fn,
        "p": round(tp / (tp + fp), 4) if tp + fp else 0.0,
        "r": round(tp / (tp + fn), 4) if tp + fn else 0.0,
        "f1": round(f1(tp, fp, fn), 4),
    }  # fmt: skip


def variants(p: dict) -> dict[str, numpy.ndarray]:
    """Type scores (n x 20) of each way of reading the three classifiers."""
    one = p["one"][:, 1:]  # one-stage P(type), NONE dropped
    pev = p["bin"][:, 1:2]  # binary P(EVENT)
    typ = p["type"]  # P(type | event)
    two = pev * typ
    one_ev = 1.0 - p["one"][:, :1]  # one-stage P(some event)
    one_cond = one / numpy.maximum(one_ev, 1e-9)  # one-stage P(type | event)
    return {
        "one-stage (shipped)": one,
        "two-stage P(EVENT)*P(type|event)": two,
        "mean of one- and two-stage": (one + two) / 2,
        "geometric mean of one- and two-stage": numpy.sqrt(one * two),
        "P(EVENT) * one-stage P(type|event)": pev * one_cond,
        "one-stage P(event) * P(type|event)": one_ev * typ,
        "mean P(event) * mean P(type|event)": (pev + one_ev) / 2 * (typ + one_cond) / 2,
    }


def compare(p: dict) -> dict:
    gold = numpy.array([TYPES.index(g) if g != NONE else -1 for g in p["gold"]])
    folds = numpy.array(p["fold"])
    out = {}
    for name, scores in variants(p).items():
        pooled = {th: typed_counts(scores, gold, th) for th in GRID}
        best = max(GRID, key=lambda th: f1(*pooled[th]))
        best_cv = max(CV_GRID, key=lambda th: f1(*pooled[th]))
        per_fold = [
            round(f1(*typed_counts(scores[folds == k], gold[folds == k], best)), 4)
            for k in range(FOLDS)
        ]
        out[name] = {
            "best_threshold": best,
            "best": prf(*pooled[best]),
            "best_threshold_cv_grid": best_cv,
            "best_cv_grid_f1": round(f1(*pooled[best_cv]), 4),
            "per_fold_f1_at_best": per_fold,
            "pooled": {str(th): list(c) for th, c in pooled.items()},
        }
    return out


def analyse(p: dict, data: dict) -> dict:
    gold_lab = numpy.array(p["gold"])
    is_ev = gold_lab != NONE
    gold = numpy.array([TYPES.index(g) if g != NONE else -1 for g in p["gold"]])
    one = p["one"]
    types = one[:, 1:]
    best = types.argmax(axis=1)
    best_p = types[numpy.arange(len(types)), best]
    p_none = one[:, 0]
    # (a) untyped: an event predicted at the token (the pipeline's rule: best type >= th)
    untyped = {}
    untyped_mass = {}
    for th in GRID:
        pred = best_p >= th
        untyped[str(th)] = prf(
            int((pred & is_ev).sum()), int((pred & ~is_ev).sum()), int((~pred & is_ev).sum())
        )
        pred = (1 - p_none) >= th
        untyped_mass[str(th)] = prf(
            int((pred & is_ev).sum()), int((pred & ~is_ev).sum()), int((~pred & is_ev).sum())
        )
    typed = {str(th): prf(*typed_counts(types, gold, th)) for th in GRID}
    th_best = max(GRID, key=lambda th: typed[str(th)]["f1"])
    # (b) type right among gold triggers predicted as events
    type_right = {}
    for th in GRID:
        hit = is_ev & (best_p >= th)
        type_right[str(th)] = {
            "predicted_event": int(hit.sum()),
            "type_right": int((hit & (best == gold)).sum()),
        }
    hit = is_ev & (best_p >= th_best)
    conf = Counter(
        f"{TYPES[g]} -> {TYPES[b]}"
        for g, b, h in zip(gold.tolist(), best.tolist(), hit.tolist(), strict=True)
        if h and g != b
    )
    by_gold = Counter(TYPES[g] for g, h in zip(gold.tolist(), hit.tolist(), strict=True) if h)
    right_by_gold = Counter(
        TYPES[g]
        for g, b, h in zip(gold.tolist(), best.tolist(), hit.tolist(), strict=True)
        if h and g == b
    )
    # argmax type accuracy over all gold triggers, whatever the threshold
    typ_acc = {
        "one-stage argmax type": int((best[is_ev] == gold[is_ev]).sum()),
        "type model argmax type": int((p["type"].argmax(axis=1)[is_ev] == gold[is_ev]).sum()),
        "gold triggers": int(is_ev.sum()),
    }
    gold_rank = (types[is_ev] > types[is_ev, gold[is_ev]][:, None]).sum(axis=1)
    # (d) missed gold triggers at the best typed threshold
    missed = is_ev & (best_p < th_best)
    wrong = is_ev & (best_p >= th_best) & (best != gold)
    bins = [0, 0.5, 0.8, 0.9, 0.95, 0.98, 1.0001]
    none_hist = numpy.histogram(p_none[missed], bins=bins)[0].tolist()
    edges = [e for e in (0, 0.01, 0.02, 0.05, 0.1) if e < th_best] + [th_best]
    near = {
        f"best type prob in [{lo}, {hi})": int((missed & (best_p >= lo) & (best_p < hi)).sum())
        for lo, hi in zip(edges, edges[1:], strict=False)
    }
    neg_none_hist = numpy.histogram(p_none[~is_ev], bins=bins)[0].tolist()
    return {
        "n_examples": int(len(gold)),
        "n_gold_trigger_examples": int(is_ev.sum()),
        "best_typed_threshold": th_best,
        "typed": typed,
        "untyped_best_type_ge_th": untyped,
        "untyped_1_minus_pnone_ge_th": untyped_mass,
        "type_right_among_predicted_gold": type_right,
        "top_confusions_at_best": dict(conf.most_common(15)),
        "type_right_by_gold_type_at_best": {
            t: f"{right_by_gold[t]}/{by_gold[t]}" for t, _ in by_gold.most_common()
        },
        "argmax_type_accuracy_on_all_gold_triggers": typ_acc,
        "gold_type_rank_one_stage": dict(Counter(gold_rank.tolist()).most_common(6)),
        "missed_at_best": int(missed.sum()),
        "wrong_type_at_best": int(wrong.sum()),
        "missed_p_none_hist": dict(
            zip(
                [f"[{a}, {b})" for a, b in zip(bins, bins[1:], strict=False)],
                none_hist,
                strict=True,
            )
        ),
        "negatives_p_none_hist": dict(
            zip(
                [f"[{a}, {b})" for a, b in zip(bins, bins[1:], strict=False)],
                neg_none_hist,
                strict=True,
            )
        ),
        "missed_best_type_prob": near,
        "missed_p_none_quantiles": [
            round(float(q), 3) for q in numpy.quantile(p_none[missed], [0.1, 0.25, 0.5, 0.75, 0.9])
        ],
        "missed_gold_type_prob_quantiles": [
            round(float(q), 3)
            for q in numpy.quantile(types[missed, gold[missed]], [0.1, 0.25, 0.5, 0.75, 0.9])
        ],
        "candidates": {
            "gold event records (train)": len(corpus.records("events", "train")),
            **data["stats"],
            "not_candidate_pos": data["not_candidate_pos"],
            "not_candidate_words": data["not_candidate_words"],
            "convert_counts": data["counts"],
        },
    }


def main(argv: list[str]) -> int:
    """[OUT.json] [--analyse] [--nested] [--two-groups=all|nosparse] [--variant=NAME]: --nested
    picks each fold's model-best on the next fold (not on the scored one); --two-groups trains
    the binary and type models on other feature groups (cv.py's variants) and reuses the
    one-stage's cached probabilities (same folds, same seed); --variant=SPEC adds feature
    groups to a stage ("bin:g1+g2,type:g3", groups of transforms/extract/event_features.py)
    and retrains only the stages it changes (session 28's context groups, sw, win, lcc ...,
    live on branch ev28).
    --rebuild rebuilds the example cache first. --seed=N trains with another seed than the
    config's (the binary and type stages only, without --variant; their baseline is then the
    --seed=N run without --variant, tag _seedN)."""
    from training.events import cv

    opts = dict(a[2:].split("=", 1) if "=" in a else (a[2:], "") for a in argv if a[:2] == "--")
    args = [a for a in argv if a[:2] != "--"]
    shipped = event_features.trigger_groups()
    groups = dict.fromkeys(("one", "bin", "type"), shipped)
    tag = "_nested" if "nested" in opts else ""
    kinds = ("one", "bin", "type")
    if "two-groups" in opts:
        tag += "_" + opts["two-groups"]
        other = {"all": cv.ALL, "nosparse": cv.ALL - cv.SPARSE}[opts["two-groups"]]
        groups |= {"bin": frozenset(other), "type": frozenset(other)}
        kinds = ("bin", "type")
    if "variant" in opts:
        name = opts["variant"]
        spec = {k: set(v.split("+")) for k, v in (part.split(":") for part in name.split(","))}
        tag += "_v-" + name.replace(":", "-").replace(",", "_").replace("+", "")
        groups |= {k: frozenset(shipped | v) for k, v in spec.items()}
        kinds = tuple(k for k in ("bin", "type") if k in spec)
    overrides = None
    if "seed" in opts:
        overrides = {"system.seed": int(opts["seed"])}
        tag += f"_seed{opts['seed']}"
        if "variant" not in opts:
            kinds = ("bin", "type")
    out = Path(args[0]) if args else HERE / f"two_stage_cv_results{tag}.json"
    t0 = time.time()
    data = examples(rebuild="rebuild" in opts)
    print(f"examples: {len(data['items'])} ({time.time() - t0:.0f} s)", flush=True)
    if "analyse" in opts:
        p = pickle.loads((CACHE / f"probs{tag}.pkl").read_bytes())
    else:
        p = run_cv(data, groups, kinds, tag, "nested" in opts, overrides)
    missing = [k for k in ("one", "bin", "type") if k not in p]
    base_path = CACHE / f"probs{'_nested' if 'nested' in opts else ''}.pkl"
    if missing and not base_path.exists():
        # a --seed or --variant run before the config seed's baseline: the two stages' figure
        # alone (the one-stage comparisons read that baseline's cached probabilities)
        from training.events.two_stage_summary import stats

        result = {"cv_seconds": round(p["seconds"]), "groups": {k: sorted(v) for k, v in
                  groups.items()}, "two_stage": stats(p)}  # fmt: skip
        out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
        print(f"two stages: {result['two_stage']}")
        return 0
    if missing:
        base = pickle.loads(base_path.read_bytes())
        assert base["gold"] == p["gold"]
        p |= {k: v for k, v in base.items() if k.split("_")[0] in missing}
    last = {k: p[f"{k}_last"] for k in ("one", "bin", "type") if f"{k}_last" in p}
    result = {
        "cv_seconds": round(p["seconds"]),
        "groups": {k: sorted(v) for k, v in groups.items()},
        "compare": compare(p),
        "compare_model_last": compare(p | last) if len(last) == 3 else None,
        "analysis": analyse(p, data),
    }
    out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    for name, r in [
        *result["compare"].items(),
        *((f"{k} (model-last)", v) for k, v in (result["compare_model_last"] or {}).items()),
    ]:
        b = r["best"]
        print(
            f"{name:42s} F1 {b['f1']:.4f} (P {b['p']:.3f} R {b['r']:.3f}) at {r['best_threshold']}"
            f"; cv grid {r['best_cv_grid_f1']:.4f} at {r['best_threshold_cv_grid']};"
            f" folds {r['per_fold_f1_at_best']}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
