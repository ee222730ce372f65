"""Cross-validate the event argument classifier (actor / recipient) on gold triggers.

`python -m training.events.args_cv [OUT.json]` parses the `train` stories once, places every
gold trigger as convert.py does, and for each of the 5 folds trains the argument classifier on
the other four folds' examples (convert.py's: every party of the trigger's sentence, and the
story's country, labelled by the gold records of that trigger), then chooses the held-out
fold's arguments as the pipeline does (`events.choose_arguments`: thresholds, rules
fallback, countries) and scores them with the scoring's `same_party`: the actor is right when
one of the chosen actors is the gold actor, the recipient when one of the chosen recipients
is the gold one (where gold has one), both when the event's parties would match. Figures are
pooled over the folds. The `test` split is never read.

spaCy's trainer needs a dev set to keep its best model: here that is the training folds
themselves, so the held-out fold decides nothing but the figures.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import spacy

from evaluation import corpus
from evaluation.events import same_party
from training import common
from training.common import Example
from training.events import convert
from transforms.extract import doc_cache, event_features, events, textcat

FOLDS = 5
SHIPPED = {"actor": 0.5, "recipient": 0.1}
GRID = [(a, r) for a in (0.3, 0.4, 0.5, 0.6) for r in (0.1, 0.2, 0.3, 0.4)]


@dataclass
class Trigger:
    """One placed gold trigger: its token, the gold records it states, the candidates."""

    fold: int
    story: str
    tok: object
    etype: str
    recs: list[dict]
    candidate: bool  # a trigger candidate (convert.py trains only on those)
    pairs: list = field(default_factory=list)
    labels: list[str] = field(default_factory=list)


def gather(parsed, features_of=None, label_of=None) -> list[Trigger]:
    """Every placed gold trigger of the parsed train stories with its candidate pairs;
    `features_of(tok, etype, parties)` defaults to events.argument_features_of and
    `label_of(cand, recs, doc)` to convert's `_role` of the candidate's party."""
    features_of = features_of or events.argument_features_of
    label_of = label_of or (lambda cand, recs, doc: convert._role(cand.party, recs))
    by_story: dict[str, list[dict]] = defaultdict(list)
    for rec in corpus.records("events", "train"):
        by_story[rec["story_id"]].append(rec)
    out: list[Trigger] = []
    counts: Counter = Counter()
    for story, doc, _ctx in parsed:
        assert story.split == "train"
        with doc_cache.cached(doc):
            gold = convert.gold_triggers(doc, story, by_story.get(story.id, []), counts)
            for i, recs in sorted(gold.items()):
                tok = doc[i]
                sent = doc_cache.sent_of(tok)
                etype = recs[0]["event_type"]
                pairs = features_of(tok, etype, event_features.party_candidates(sent))
                trig = Trigger(
                    corpus.fold_of(story.id), story.id, tok, etype, recs,
                    event_features.is_trigger_candidate(tok), pairs,
                    [label_of(c, recs, doc) for c, _ in pairs],
                )  # fmt: skip
                out.append(trig)
    print(f"placed triggers {len(out)}, {dict(counts)}", flush=True)
    return out


def train(triggers: list[Trigger], fold: int, work: Path) -> Path:
    """The argument classifier trained on every fold but `fold` (dev: the same examples)."""
    items = [
        Example(0 if t.fold != fold else 1, "argument", tuple(f), label)
        for t in triggers
        if t.candidate and t.fold != fold
        for (_, f), label in zip(t.pairs, t.labels, strict=True)
    ]
    labels = {"argument": convert.ARGUMENT_LABELS}
    common.write(items, work, labels, dev_fold=1)  # nothing in fold 1: the dev file is empty
    # spaCy's dev set is then the training set itself (no fold is left to choose a checkpoint)
    shutil.copy(work / "argument_train.spacy", work / "argument_dev.spacy")
    return common.train_one("argument", work)


def _hit(parties, iso3: str | None, name: str | None) -> bool:
    return any(same_party(p.iso3, p.name, iso3, name) for p in parties[:4])


def score(triggers: list[Trigger], roles_of: dict[int, list], th: dict, choose=None) -> dict:
    """Pooled argument accuracy over the gold records of the placed triggers."""
    choose = choose or events.choose_arguments
    c: Counter = Counter()
    details = []
    for k, t in enumerate(triggers):
        doc = t.tok.doc
        with doc_cache.cached(doc):
            head = events._args_head(t.tok)
            actors, recipients = choose(t.tok, head, t.etype, t.pairs, roles_of[k], th)
        for rec in t.recs:
            has_actor = bool(rec["actor"] or rec["actor_iso3"])
            has_rec = bool(rec["recipient"] or rec["recipient_iso3"])
            a_ok = has_actor and _hit(actors, rec["actor_iso3"], rec["actor"])
            r_ok = has_rec and _hit(recipients, rec["recipient_iso3"], rec["recipient"])
            c["n"] += 1
            c["n_actor"] += has_actor
            c["n_recipient"] += has_rec
            c["actor_ok"] += a_ok
            c["recipient_ok"] += r_ok
            c["both_ok"] += a_ok and (r_ok or not has_rec)
            details.append({"k": k, "story": t.story, "fold": t.fold, "rec": rec,
                            "actors": [(p.name, p.iso3) for p in actors],
                            "recipients": [(p.name, p.iso3) for p in recipients],
                            "actor_ok": a_ok, "recipient_ok": r_ok})  # fmt: skip
    return {"counts": dict(c), "details": details}


def summary(c: dict) -> str:
    return (
        f"actor {c['actor_ok']}/{c['n_actor']} ({c['actor_ok'] / c['n_actor']:.3f})  "
        f"recipient {c['recipient_ok']}/{c['n_recipient']} "
        f"({c['recipient_ok'] / c['n_recipient']:.3f})  "
        f"both {c['both_ok']}/{c['n']} ({c['both_ok'] / c['n']:.3f})"
    )


def cross_validate(triggers: list[Trigger], choose=None, grid: bool = True) -> dict:
    """Out-of-fold role probabilities for every trigger, then the pooled figures at the shipped
    thresholds (and, with `grid`, at each of GRID)."""
    roles_of: dict[int, list] = {}
    with tempfile.TemporaryDirectory(prefix="newsledger-argcv-") as tmp:
        for fold in range(FOLDS):
            model = train(triggers, fold, Path(tmp) / f"f{fold}")
            pipe = spacy.load(model).get_pipe("textcat")
            held = [k for k, t in enumerate(triggers) if t.fold == fold]
            groups = textcat.grouped_scores(pipe, [[f for _, f in triggers[k].pairs] for k in held])
            roles_of.update(zip(held, groups, strict=True))
    out = {"shipped": score(triggers, roles_of, SHIPPED, choose), "roles_of": roles_of}
    if grid:
        out["grid"] = {
            f"{a},{r}": score(triggers, roles_of, {"actor": a, "recipient": r}, choose)["counts"]
            for a, r in GRID
        }
    return out


def main(out: Path | None = None) -> int:
    parsed = corpus.parse(
        [corpus.stories()[s] for s in corpus.story_ids("train", labelled_for="events")]
    )
    triggers = gather(parsed)
    res = cross_validate(triggers)
    print("shipped thresholds:", summary(res["shipped"]["counts"]))
    best = max(res["grid"], key=lambda k: res["grid"][k]["both_ok"])
    print(f"best of grid {best}:", summary(res["grid"][best]))
    if out is not None:
        out.write_text(json.dumps(res["shipped"]["details"], indent=0, default=str) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else None))
