"""Summarise two_stage_cv runs from the cached out-of-fold probabilities (train split CV only):
`python -m training.events.two_stage_summary OUT.json SPEC...`, SPEC a --variant spec, with
"@N" for a --seed=N run ("@N" alone: that seed's baseline, which the seed's variants are
compared with). Wrote two_stage_cv_vectors_s29.json (session 29)."""

from __future__ import annotations

import json
import pickle
import sys

import numpy

from training.events import two_stage_cv as t


def tag(spec: str) -> str:
    spec, _, seed = spec.partition("@")
    v = "_v-" + spec.replace(":", "-").replace(",", "_").replace("+", "") if spec else ""
    return "_nested" + v + (f"_seed{seed}" if seed else "")


def stats(p: dict) -> dict:
    gold = numpy.array([t.TYPES.index(g) if g != t.NONE else -1 for g in p["gold"]])
    folds = numpy.array(p["fold"])
    scores = p["bin"][:, 1:2] * p["type"]
    pooled = {th: t.typed_counts(scores, gold, th) for th in t.GRID}
    best = max(t.GRID, key=lambda th: t.f1(*pooled[th]))
    per = [
        round(t.f1(*t.typed_counts(scores[folds == k], gold[folds == k], best)), 4)
        for k in range(t.FOLDS)
    ]
    pev = p["bin"][:, 1]
    ev = gold >= 0
    det = {
        th: t.f1(int((pev >= th)[ev].sum()), int((pev >= th)[~ev].sum()), int((pev < th)[ev].sum()))
        for th in t.GRID
    }
    dth = max(t.GRID, key=det.get)
    am = p["type"].argmax(axis=1)
    hit = ev & (pev >= 0.2)
    r = t.prf(*pooled[best])
    return {
        "f1": r["f1"], "p": r["p"], "r": r["r"], "threshold": best, "per_fold_f1": per,
        "untyped_detection_f1": round(det[dth], 4), "untyped_detection_threshold": dth,
        "type_right_gold_pev_ge_0.2": f"{int((hit & (am == gold)).sum())}/{int(hit.sum())}",
        "type_argmax_right_all_gold": f"{int((am[ev] == gold[ev]).sum())}/{int(ev.sum())}",
    }  # fmt: skip


def main(argv: list[str]) -> int:
    base = pickle.loads((t.CACHE / "probs_nested.pkl").read_bytes())
    b0 = stats(base)
    bases: dict[str, dict] = {}
    out = {}
    for spec in [None, *argv[1:]]:
        groups: dict[str, list[str]] = {"bin": [], "type": []}
        seed = ""
        if spec is None:
            name, p = "baseline (shipped groups)", base
        else:
            name = spec
            p = pickle.loads((t.CACHE / f"probs{tag(spec)}.pkl").read_bytes())
            p.pop("one", None)
            p.pop("one_last", None)
            assert p["gold"] == base["gold"]
            p = {**{k: v for k, v in base.items() if k.split("_")[0] not in p}, **p}
            variant, _, seed = spec.partition("@")
            for part in filter(None, variant.split(",")):
                k, v = part.split(":")
                groups[k] = v.split("+")
        s = stats(p)
        if seed:
            s["seed"] = int(seed)
        if seed and not spec.partition("@")[0]:
            b = bases.setdefault(seed, s)
        else:
            b = bases.get(seed, b0)
        s["folds_above_baseline"] = sum(
            a > c for a, c in zip(s["per_fold_f1"], b["per_fold_f1"], strict=True)
        )
        s["delta"] = round(s["f1"] - b["f1"], 4)
        s["groups_added"] = groups
        out[name] = s
        print(
            f"{name:28s} F1 {s['f1']:.4f} P {s['p']:.3f} R {s['r']:.3f} th {s['threshold']}"
            f" folds {s['per_fold_f1']} above {s['folds_above_baseline']} d {s['delta']:+.4f}"
        )
    with open(argv[0], "w", encoding="utf-8") as fh:
        fh.write(json.dumps(out, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
