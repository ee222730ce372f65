"""The claims pipeline as shipped (learned cue + speaker ranker), cross-validated by story on the
`train` split, and the error table of its speakers (issue 16's speaker work).

    .venv/bin/python -m training.claims.speaker_cv [--seed N] [--thresholds 0.4,0.6]
        [--train-fraction F] [variant ...]

A variant is `name` or `name:switch=value,switch=value` over the boolean switches of
rules/claim_cues.yaml (the Rules fields): "base" is the yaml as it stands. For each fold the cues
are induced (>= 3, training/claims/train.py), the learned cue trained (threshold 0.5) and the
speaker ranker trained on the other folds' stories, as `make train` does on all of them; the
held-out fold's claims are then extracted the way the pipeline does ("auto": rules + learned cue,
ranked speakers, rules' stance). Figures: speaker, content-overlap F1, indirect recall, with and
without the ranker. The first variant's error table (wrong speakers by kind, missed gold claims)
is printed too. `--seed N` trains the learned cue with another seed (its noise on content F1 is
about 0.005-0.01: compare variants over a few seeds); `--thresholds` scores the held-out claims at
more thresholds of the learned cue too (rules' speaker, no ranker: rows "t0.4" ...).
`--train-fraction F` trains each fold's learned parts (induced cues, learned cue, ranker) on a
fraction F of the other folds' stories (`kept_stories`; the held-out fold whole): a point of the
learning curve (training/claims/learning_curve.py). Never reads the `test` split.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import random
import re
import shutil
import sys
import tempfile
from collections import Counter
from pathlib import Path

import spacy

from evaluation import corpus
from evaluation.claims import same_speaker, score, token_f1
from evaluation.common import norm_name
from training import common
from training.claims import cue_model, train
from transforms.extract import claims, doc_cache

THRESHOLD = 0.5
MIN_COUNT = 3
PRONOUNS = {"he", "she", "they", "it", "we", "i", "him", "her", "them"}


class _Ranker:
    scores = staticmethod(claims.Classifiers.scores)

    def __init__(self, pipe):
        self.speaker = pipe


def _set_switches(switches: dict) -> None:
    """claims.rules() with these switches, rebuilt when the induced cues change."""
    memo: dict = {}

    def rules():
        key = id(claims.INDUCED_CUES_OVERRIDE)
        if key not in memo:
            memo.clear()
            _ORIG_RULES.cache_clear()
            memo[key] = dataclasses.replace(_ORIG_RULES(), **switches)
        return memo[key]

    rules.cache_clear = memo.clear  # type: ignore[attr-defined]
    claims.rules = rules  # type: ignore[assignment]


_ORIG_RULES = claims.rules


def kept_stories(fraction: float, fold: int, seed: str | None = None) -> set[str]:
    """The train stories fold `fold`'s learned parts may read: the first `fraction` of the other
    folds' stories shuffled by `seed` (so a smaller fraction's stories are among a larger one's),
    and the whole held-out fold (spaCy's dev set, then scored)."""
    ids = corpus.story_ids("train", labelled_for="claims")
    others = [s for s in ids if corpus.fold_of(s) != fold]
    random.Random(int(seed or 0)).shuffle(others)
    held = {s for s in ids if corpus.fold_of(s) == fold}
    return set(others[: round(fraction * len(others))]) | held


@contextlib.contextmanager
def train_stories(keep: set[str]):
    """corpus.parsed and corpus.records see only the `keep` stories of the train split (the
    examples of the cue, speaker and stance classifiers and the cue induction read them there)."""
    parsed, records = corpus.parsed, corpus.records

    def only_parsed(split, labelled_for=None):
        return tuple(p for p in parsed(split, labelled_for) if split != "train" or p[0].id in keep)

    def only_records(name, split=None):
        return [r for r in records(name, split) if split != "train" or r["story_id"] in keep]

    corpus.parsed, corpus.records = only_parsed, only_records  # type: ignore[assignment]
    try:
        yield
    finally:
        corpus.parsed, corpus.records = parsed, records


@contextlib.contextmanager
def _seed(seed: str | None, work: Path):
    """The shared training config with another seed while the learned cue trains (the config's
    own file, and so every shipped model's fingerprint, untouched)."""
    if not seed:
        yield
        return
    shipped = common.CONFIG
    cfg = work / "textcat_bow_seed.cfg"
    cfg.write_text(
        re.sub(r"(?m)^seed = \d+$", f"seed = {int(seed)}", shipped.read_text(encoding="utf-8")),
        encoding="utf-8",
    )
    common.CONFIG = cfg
    try:
        yield
    finally:
        common.CONFIG = shipped


def run_variant(
    parsed,
    switches: dict,
    work: Path,
    seed: str | None = None,
    thresholds: tuple = (),
    train_fraction: float = 1.0,
) -> tuple[dict, dict]:
    """(figures, held-out rows by story) of one variant."""
    _set_switches(switches)
    recs = corpus.records("claims", "train")
    dev = train._dev_gold()
    held_rows: dict[str, list[dict]] = {}
    rules_rows: dict[str, list[dict]] = {}
    more_rows: dict[float, dict[str, list[dict]]] = {t: {} for t in thresholds}
    try:
        for fold in range(train.FOLDS):
            fold_dir = work / f"f{fold}"
            with train_stories(kept_stories(train_fraction, fold, seed)):
                train._use_cues(
                    train.induce([r for r in corpus.records("claims", "train")
                                  if corpus.fold_of(r["story_id"]) != fold] + dev, MIN_COUNT)
                )  # fmt: skip
                # as cue_model.cross_validate and train.cross_validate_speaker: the held-out fold
                # is spaCy's dev set (picks the best epoch), never trained on
                common.write(cue_model.examples(), fold_dir, cue_model.LABELS, dev_fold=fold)
                with _seed(seed, work):
                    cue = spacy.load(common.train_one("cue", fold_dir)).get_pipe("textcat")
                groups = train.speaker_groups()  # over the parsed train stories, cached
                common.write(
                    train._speaker_examples(groups), fold_dir, train.SPEAKER_LABELS, dev_fold=fold
                )
                ranker = _Ranker(
                    spacy.load(common.train_one("speaker", fold_dir)).get_pipe("textcat")
                )
            for st, doc, ctx in parsed:
                if corpus.fold_of(st.id) != fold:
                    continue
                with doc_cache.cached(doc):
                    rows = claims._claim_rows(doc, ctx, "rules", cue_model=(cue, THRESHOLD))
                    rules_rows[st.id] = [dict(r) for r in rows]
                    claims.rerank_speakers(doc, rows, ranker)
                    held_rows[st.id] = rows
                    for t in thresholds:
                        more_rows[t][st.id] = claims._claim_rows(
                            doc, ctx, "rules", cue_model=(cue, t)
                        )
            print(f"speaker_cv: fold {fold} done", flush=True)
    finally:
        train._use_cues(None)
    ids = [st.id for st, _, _ in parsed]
    out = {}
    runs = [("ranked", held_rows), ("rules_speaker", rules_rows)]
    for name, preds in runs + [(f"t{t}", more_rows[t]) for t in thresholds]:
        fig = cue_model.figures(score(recs, preds, ids))
        out[name] = {
            "speaker": fig["speaker"],
            "content_f1": fig["content_overlap"]["f1"],
            "indirect_recall": fig["indirect_recall"],
        }
    return out, held_rows


def _kind(row: dict, gold: dict) -> str:
    """The kind of a wrong speaker."""
    text = (row["speaker_text"] or "").strip()
    low = text.lower()
    pred, want = norm_name(row["speaker_name"]) or "", norm_name(gold["source_canonical"]) or ""
    pw, ww = set(pred.split()), set(want.split())
    gtype, ptype = gold["source_type"], row["speaker_type"]
    if "speaker_ranked" in row["method"]:
        return "the ranker's pick (another entity of the window)"
    if low in PRONOUNS:
        return "pronoun -> wrong antecedent"
    if pw and ww and pw < ww:
        return "partial name (a part of the gold's name)"
    if pw and ww and ww < pw:
        return "a longer phrase than the gold's name"
    key = re.sub(r"^(the|a|an) ", "", low).replace(".", "")
    if key.isalpha() and (text.replace(".", "").replace("The ", "").isupper()):
        return "short form the gold spells out"
    head = low.split()[-1] if low.split() else ""
    if head in claims.rules().document_heads or ptype == "document":
        return "document / data where the gold names its author"
    if gtype == "person" and ptype != "person":
        return "description where the gold names the person"
    if re.match(r"(the|this|that) ", low):
        return "definite description -> not the body / person the gold names"
    if ptype in ("country", "government") and gtype not in ("country", "government"):
        return "country / government where the gold names another source"
    if gtype in ("country", "government") and ptype in ("country", "government"):
        return "another country / government"
    if ptype == "person" and gtype != "person":
        return "person where the gold names a body / unnamed source"
    if ptype == "person":
        return "another person"
    return "another phrase than the gold's source"


def error_table(parsed, held_rows: dict) -> dict:
    """Wrong speakers of matched claims by kind; missed gold claims by why (the cue candidates
    are those of the shipped cue lists, cues.json)."""
    from evaluation.claims import match as match_rows

    by_story: dict[str, list[dict]] = {}
    for rec in corpus.records("claims", "train"):
        by_story.setdefault(rec["story_id"], []).append(rec)
    wrong: Counter = Counter()
    missed: Counter = Counter()
    examples: dict[str, list[str]] = {}
    claims.rules.cache_clear()
    for st, doc, _ in parsed:
        text = doc_cache.text(doc)
        golds = by_story.get(st.id, [])
        rows = held_rows.get(st.id, [])
        pairs = match_rows(rows, golds)
        for row, gold in pairs:
            if same_speaker(row["speaker_name"], gold["source_canonical"]):
                continue
            k = _kind(row, gold)
            wrong[k] += 1
            examples.setdefault(k, []).append(
                f"{st.id}: pred {row['speaker_text']!r} -> {row['speaker_name']!r} "
                f"[{row['method']}] gold {gold['source_text']!r} -> {gold['source_canonical']!r}"
            )
        found = {id(g) for _, g in pairs}
        used = {id(r) for r, _ in pairs}
        with doc_cache.cached(doc):
            cands = [
                text[c.content_start : c.content_end]
                for c, _ in claims.cue_candidates(doc, claims.extract_claims(doc))
            ]
        for g in golds:
            if id(g) in found:
                continue
            at = text.find(g["sentence"]) if g["sentence"] else -1
            loose = [
                r for r in rows
                if id(r) not in used and at >= 0 and at <= r["cue_start"] < at + len(g["sentence"])
            ]  # fmt: skip
            direct = "direct" if g["is_direct"] else "indirect"
            if loose:
                k = "missed: an unmatched claim on the sentence (content boundary / split)"
            elif any(token_f1(c, g["content"]) >= 0.5 for c in cands):
                k = "missed: a cue candidate the learned cue turned down"
            else:
                k = f"missed: no claim, no cue candidate ({direct})"
            missed[k] += 1
            examples.setdefault(k, []).append(
                f"{st.id}: cue {g['cue_lemma']!r} gold {g['source_text']!r}: "
                f"{g['sentence'][:140]!r}"
            )
    return {"wrong": dict(wrong.most_common()), "missed": dict(missed.most_common()),
            "examples": examples}  # fmt: skip


def _parse_variant(arg: str) -> tuple[str, dict]:
    name, _, rest = arg.partition(":")
    switches = {}
    for part in filter(None, rest.split(",")):
        key, _, value = part.partition("=")
        switches[key] = value.lower() in ("1", "true", "yes", "on")
    return name, switches


def main(argv: list[str]) -> int:
    argv, seed, thresholds, fraction = list(argv), None, (), 1.0
    while argv and argv[0] in ("--seed", "--thresholds", "--train-fraction"):
        flag, value, argv = argv[0], argv[1], argv[2:]
        if flag == "--seed":
            seed = value
        elif flag == "--thresholds":
            thresholds = tuple(float(t) for t in value.split(","))
        else:
            fraction = float(value)
    variants = [_parse_variant(a) for a in argv] or [("base", {})]
    parsed = corpus.parsed("train", labelled_for="claims")
    work = Path(tempfile.mkdtemp(prefix="newsledger-spkcv-"))
    results = {}
    try:
        for name, switches in variants:
            figs, held = run_variant(parsed, switches, work, seed, thresholds, fraction)
            results[name] = figs
            print(f"speaker_cv: {name} {json.dumps(figs)}", flush=True)
            table = error_table(parsed, held)
            out = Path(tempfile.gettempdir()) / f"speaker_cv_errors_{name}.json"
            out.write_text(json.dumps(table, indent=1), encoding="utf-8")
            rows_out = Path(tempfile.gettempdir()) / f"speaker_cv_rows_{name}.json"
            rows_out.write_text(json.dumps(held, default=str), encoding="utf-8")
            print(json.dumps({k: table[k] for k in ("wrong", "missed")}, indent=1))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
