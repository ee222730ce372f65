"""Claims against the dev gold (gold/dev/claims.jsonl): speaker, cue, content, stance.

Each gold story is parsed with the same pipeline as the NLP stage: the seed article's stored text
(after the date header) and seeds/voa_<id>.txt for VOA stories. Matching follows
gold/dev/README.md: a predicted claim matches a gold claim of the same story when their contents
overlap with token F1 >= 0.5, one-to-one, best pairs first. Content-overlap P/R/F1 is that
matching; content exact counts matched pairs with identical content; cue counts matched pairs
with the same cue lemma; speaker counts matched pairs whose resolved names agree (same
normalized name or same last word); stance accuracy is over matched pairs.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from collections import Counter

from evaluation.common import REPO, SHARED_DATA, Row

SEED_FILE = REPO / "seeds" / "000_55766d7a04a2f1f7.txt"


def story_text(story_id: str) -> str:
    from transforms.articles import parse_article

    path = SEED_FILE if story_id == "seed-000" else REPO / "seeds" / f"voa_{story_id}.txt"
    return parse_article(path.read_text(encoding="utf-8")).text


def tokens(text: str) -> list[str]:
    text = unicodedata.normalize("NFKC", text).replace("’", "'").lower()
    return re.findall(r"\w+", text)


def token_f1(a: str, b: str) -> float:
    ta, tb = Counter(tokens(a)), Counter(tokens(b))
    common = sum((ta & tb).values())
    if not common:
        return 0.0
    p, r = common / sum(ta.values()), common / sum(tb.values())
    return 2 * p * r / (p + r)


def norm_name(name: str | None) -> str:
    if not name:
        return ""
    name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    name = re.sub(r"\(.*?\)", " ", name)
    name = re.sub(r"\b(the|a|an)\b", " ", name)
    name = re.sub(r"(?<=\b[a-z])\.", "", name)
    return " ".join(re.findall(r"[a-z0-9&]+", name))


def same_speaker(pred: str | None, gold: str | None) -> bool:
    p, g = norm_name(pred), norm_name(gold)
    if not p or not g:
        return False
    return p == g or p.split()[-1] == g.split()[-1]


def predict(story_ids: list[str]) -> dict[str, list[dict]]:
    from transforms.extract.base import ArticleContext
    from transforms.extract.claims import claim_rows
    from transforms.nlp.pipeline import load_nlp

    nlp = load_nlp()
    out = {}
    texts = [story_text(s) for s in story_ids]
    for sid, doc in zip(story_ids, nlp.pipe(texts), strict=True):
        out[sid] = claim_rows(doc, ArticleContext(sid, dt.date(2000, 1, 1), "eval"))
    return out


def match(pred: list[dict], gold: list[dict]) -> list[tuple[dict, dict]]:
    pairs = []
    for i, p in enumerate(pred):
        for j, g in enumerate(gold):
            f = token_f1(p["content"], g["content"])
            if f >= 0.5:
                pairs.append((f, i, j))
    pairs.sort(key=lambda x: -x[0])
    used_p, used_g, out = set(), set(), []
    for _, i, j in pairs:
        if i in used_p or j in used_g:
            continue
        used_p.add(i)
        used_g.add(j)
        out.append((pred[i], gold[j]))
    return out


def score(gold_rows: list[dict], predicted: dict[str, list[dict]]) -> dict:
    by_story: dict[str, list[dict]] = {}
    for g in gold_rows:
        by_story.setdefault(g["story_id"], []).append(g)
    n_pred = sum(len(predicted.get(s, [])) for s in by_story)
    n_gold = len(gold_rows)
    counts = Counter()
    for sid, golds in by_story.items():
        for p, g in match(predicted.get(sid, []), golds):
            counts["content_overlap"] += 1
            counts["content_exact"] += p["content"].strip() == g["content"].strip()
            counts["cue"] += p["cue_lemma"] == g["cue_lemma"]
            counts["speaker"] += same_speaker(p["speaker_name"], g["source_canonical"])
            counts["stance"] += p["stance"] == g["stance"]
            counts["is_direct"] += p["is_direct"] == g["is_direct"]
    return {"n_pred": n_pred, "n_gold": n_gold, **counts}


def report() -> list[Row]:
    path = SHARED_DATA / "gold" / "dev" / "claims.jsonl"
    if not path.exists():
        return []
    gold_rows = [json.loads(line) for line in path.open(encoding="utf-8") if line.strip()]
    stories = sorted({g["story_id"] for g in gold_rows})
    predicted = predict(stories)
    rows = []
    for dataset, subset in (
        ("dev (8 stories)", gold_rows),
        ("seed-000", [g for g in gold_rows if g["story_id"] == "seed-000"]),
    ):
        s = score(subset, predicted)
        targets = {"speaker": ">= 0.85 F1", "content_overlap": ">= 0.80 F1"}
        for field in ("speaker", "cue", "content_overlap", "content_exact"):
            tp = s.get(field, 0)
            rows.append(
                Row(
                    "claims",
                    dataset,
                    field,
                    tp=tp,
                    fp=s["n_pred"] - tp,
                    fn=s["n_gold"] - tp,
                    target=targets.get(field, ""),
                )
            )
        matched = s.get("content_overlap", 0)
        for field, target in (("stance", ">= 0.85 acc"), ("is_direct", "")):
            rows.append(
                Row(
                    "claims",
                    dataset,
                    f"{field} (matched)",
                    value=s.get(field, 0) / matched if matched else None,
                    target=target,
                    note=f"n={matched}",
                )
            )
    return rows
