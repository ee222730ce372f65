"""Claims: speaker, cue, content, stance, on held-out text and (in-sample) on the dev gold.

Datasets:
- `gold/train test (N st.)`: the `test` split of ../shared/data/gold/train (held out: no rule was
  written or tuned on it); the figures to quote. An error table per field follows the figures.
- `train split (in-sample for stance)`: the `train` split of the same corpus; the
  stance classifier (training/claims/) was trained on it, the rules were not tuned on it.
- `gold/train test (N st., rules)`: the speaker F1 and stance accuracy of the rules' speaker and
  stance on the test split (no speaker ranker, no learned stance) on the same claims (the rules'
  and the learned cue's), the baseline the learned speaker and stance replaced.
- `..., quotes as ``...''` (and `''...''`, `‘...’`): the same split with its double quotation
  marks re-rendered in that convention before parsing, gold re-mapped (`evaluation.quote_styles`):
  the finder's robustness to quote conventions, next to the original rows.
- `dev (in-sample, tuned)`: gold/dev/claims.jsonl, the stories the claim rules were tuned on
  (the seed article and VOA stories of seeds/, parsed from the stored seed text).

Matching follows gold/dev/README.md: a predicted claim matches a gold claim of the same story when
their contents overlap with token F1 >= 0.5, one-to-one, best pairs first. Content-overlap P/R/F1
is that matching; content exact counts matched pairs with identical content; cue counts matched
pairs with the same cue lemma; speaker counts matched pairs whose resolved names agree (same
normalized name or same last word); stance and is_direct accuracy are over matched pairs.
On the corpus splits every story of the split counts (a prediction in a story without gold
claims is a false positive); on dev, the stories holding gold claims.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from collections import Counter

from evaluation.common import REPO, SHARED_DATA, ErrorTable, Row, norm_name

SEED_FILE = REPO / "seeds" / "000_55766d7a04a2f1f7.txt"
DEV_LABEL = "dev (in-sample, tuned)"
TRAIN_LABEL = "train split (in-sample for stance)"
FIELDS = ("speaker", "cue", "content_overlap", "content_exact")
ACCURACY_FIELDS = ("stance", "is_direct")
TARGETS = {"speaker": ">= 0.85 F1", "content_overlap": ">= 0.80 F1", "stance": ">= 0.85 acc"}
PRONOUNS = frozenset(
    "he she they it we i you him her them his their its this these those who which".split()
)


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


def same_speaker(pred: str | None, gold: str | None) -> bool:
    p, g = norm_name(pred), norm_name(gold)
    if not p or not g:
        return False
    return p == g or p.split()[-1] == g.split()[-1]


def same_target(pred: str | None, gold: str | None) -> bool:
    """Whether a predicted claim target names one of the gold's targets (joined by "; "): the
    same name, one name inside the other ending on the same word ("Bennett", "Richard
    Bennett"), or the same country ("Beijing" and "China", "Iranian" and "Iran":
    `transforms.actors.country_in_phrase`)."""
    from transforms.actors import country_in_phrase

    p = norm_name(pred)
    targets = [(g.strip(), norm_name(g)) for g in (gold or "").split(";")]
    targets = [(text, name) for text, name in targets if name]
    if not p or not targets:
        return False
    pw = p.split()
    for _, g in targets:
        gw = g.split()
        if p == g or (pw[-1] == gw[-1] and (set(pw) <= set(gw) or set(gw) <= set(pw))):
            return True
    country = country_in_phrase(pred or "")
    return country is not None and any(
        (country_in_phrase(text) or (None,))[0] == country[0] for text, _ in targets
    )


def predict(story_ids: list[str]) -> dict[str, list[dict]]:
    """Dev stories: parsed from their stored seed text, as the NLP stage reads them."""
    from transforms.extract.base import ArticleContext
    from transforms.extract.claims import claim_rows
    from transforms.nlp.pipeline import load_nlp

    nlp = load_nlp()
    out = {}
    texts = [story_text(s) for s in story_ids]
    for sid, doc in zip(story_ids, nlp.pipe(texts), strict=True):
        out[sid] = claim_rows(doc, ArticleContext(sid, dt.date(2000, 1, 1), "eval"))
    return out


def predict_split(split: str, method: str = "auto") -> dict[str, list[dict]]:
    """Corpus stories of one split (parsed once, shared with the other sections); `method` as
    claim_rows ("rules": the rules' stance)."""
    from evaluation.corpus import parsed
    from transforms.extract.claims import claim_rows

    return {
        story.id: claim_rows(doc, ctx, method)
        for story, doc, ctx in parsed(split, labelled_for="claims")
    }


def match(pred: list[dict], gold: list[dict]) -> list[tuple[dict, dict]]:
    """(predicted, gold) claims paired one to one where their contents' token F1 is >= 0.5, the
    closest contents first. Between equally close pairs, those whose speakers agree go first:
    claims that share one content (joint speakers, "A and B said ...", one record each) pair with
    the gold records of their own speakers, not in list order."""
    pairs = []
    for i, p in enumerate(pred):
        for j, g in enumerate(gold):
            f = token_f1(p["content"], g["content"])
            if f >= 0.5:
                agree = same_speaker(p.get("speaker_name"), g.get("source_canonical"))
                pairs.append((f, agree, i, j))
    pairs.sort(key=lambda x: (-x[0], not x[1]))
    used_p, used_g, out = set(), set(), []
    for _, _, i, j in pairs:
        if i in used_p or j in used_g:
            continue
        used_p.add(i)
        used_g.add(j)
        out.append((pred[i], gold[j]))
    return out


def _by_story(gold_rows: list[dict]) -> dict[str, list[dict]]:
    by_story: dict[str, list[dict]] = {}
    for g in gold_rows:
        by_story.setdefault(g["story_id"], []).append(g)
    return by_story


def score(
    gold_rows: list[dict], predicted: dict[str, list[dict]], story_ids: list[str] | None = None
) -> dict:
    """Counts of the matching. story_ids: the stories scored (default: those holding gold)."""
    by_story = _by_story(gold_rows)
    scored = list(by_story) if story_ids is None else story_ids
    n_pred = sum(len(predicted.get(s, [])) for s in scored)
    n_gold = len(gold_rows)
    counts = Counter()
    for sid, golds in by_story.items():
        counts["indirect_gold"] += sum(not g["is_direct"] for g in golds)
        for p, g in match(predicted.get(sid, []), golds):
            counts["indirect_found"] += not g["is_direct"]
            counts["content_overlap"] += 1
            counts["content_exact"] += p["content"].strip() == g["content"].strip()
            counts["cue"] += p["cue_lemma"] == g["cue_lemma"]
            counts["speaker"] += same_speaker(p["speaker_name"], g["source_canonical"])
            counts["stance"] += p["stance"] == g["stance"]
            counts["is_direct"] += p["is_direct"] == g["is_direct"]
            if g.get("source_country_iso3"):  # the country fct_claims publishes for the speaker
                counts["country_n"] += 1
                counts["country_ok"] += p.get("speaker_country_iso3") == g["source_country_iso3"]
            else:  # gold gives no country (an international body, a news outlet, unclear)
                counts["country_null"] += 1
                counts["country_given"] += p.get("speaker_country_iso3") is not None
            if g.get("target"):  # whom an accusation, condemnation, demand or warning targets
                counts["target_n"] += 1
                counts["target_ok"] += same_target(p.get("target_text"), g["target"])
            else:
                counts["target_null"] += 1
                counts["target_given"] += p.get("target_text") is not None
    return {"n_pred": n_pred, "n_gold": n_gold, **counts}


def rows_of(dataset: str, s: dict) -> list[Row]:
    rows = []
    for field in FIELDS:
        tp = s.get(field, 0)
        rows.append(
            Row(
                "claims",
                dataset,
                field,
                tp=tp,
                fp=s["n_pred"] - tp,
                fn=s["n_gold"] - tp,
                target=TARGETS.get(field, ""),
            )
        )

    def share(field: str, ok: int, n: int, note: str, target: str = "") -> Row:
        value = ok / n if n else None
        return Row("claims", dataset, field, value=value, target=target, note=note, n=n)

    found, n_indirect = s.get("indirect_found", 0), s.get("indirect_gold", 0)
    note = f"{found}/{n_indirect} gold indirect claims matched (content overlap >= 0.5)"
    rows.append(share("indirect claims recall", found, n_indirect, note, ">= 0.70"))
    matched = s.get("content_overlap", 0)
    # Where the speaker F1 is lost: finding the claim (its ceiling is the content-overlap F1,
    # every found claim with its right speaker) or naming the speaker of a claim found.
    note = (
        f"n={matched}: claims found (content overlap >= 0.5) with the gold speaker; "
        "with all of them right, speaker F1 would be the content-overlap F1"
    )
    rows.append(share("speaker (matched)", s.get("speaker", 0), matched, note))
    for field in ACCURACY_FIELDS:
        ok = s.get(field, 0)
        rows.append(
            share(f"{field} (matched)", ok, matched, f"n={matched}", TARGETS.get(field, ""))
        )
    n_target = s.get("target_n", 0)
    note = (
        f"n={n_target}: matched claims whose gold names a target (accuse, condemn, "
        f"demand, warn), right when fct_claims.target_text names one of them (name, "
        f"surname or country); {s.get('target_given', 0)} of {s.get('target_null', 0)} "
        f"without a gold target were given one"
    )
    rows.append(share("target (matched)", s.get("target_ok", 0), n_target, note))
    n_country = s.get("country_n", 0)
    note = (
        f"n={n_country}: the published speaker_country_iso3 of matched claims "
        f"whose gold speaker has a country; {s.get('country_given', 0)} of "
        f"{s.get('country_null', 0)} without one in gold were given a country"
    )
    rows.append(
        share("speaker country (matched)", s.get("country_ok", 0), n_country, note, ">= 0.92")
    )
    return rows


# -- error kinds --------------------------------------------------------------------------------
def _short(text: str | None, n: int = 45) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= n else text[: n - 3] + "..."


def speaker_error(pred: dict, gold: dict) -> str | None:
    """The kind of a speaker error on a matched pair, None when the speakers agree."""
    if same_speaker(pred.get("speaker_name"), gold.get("source_canonical")):
        return None
    if not pred.get("speaker_name"):
        return "speaker missing"
    said = (pred.get("speaker_text") or "").strip().lower()
    if said in PRONOUNS:
        return "speaker wrong: pronoun"
    gold_type, pred_type = gold.get("source_type"), pred.get("speaker_type")
    if gold_type == "unnamed":
        return "speaker wrong: gold unnamed"
    if gold_type == pred_type == "person":
        return "speaker wrong: other person"
    if gold_type == pred_type:
        return f"speaker wrong: other {gold_type}"
    return f"speaker wrong: gold {gold_type} pred {pred_type}"


def content_error(pred: str, gold: str) -> str | None:
    """How a matched content differs from gold: None when identical (after stripping)."""
    p, g = pred.strip(), gold.strip()
    if p == g:
        return None
    if g in p:
        return "content longer than gold"
    if p in g:
        return "content shorter than gold"
    return "content boundaries differ"


def errors(
    gold_rows: list[dict], predicted: dict[str, list[dict]], story_ids: list[str]
) -> dict[str, tuple[Counter, dict[str, str]]]:
    """Field -> (error kind -> count, error kind -> one example), over the given stories.

    content_overlap: a gold claim no prediction matched is "missed (cue lemma X)", or "missed:
    content overlap < 0.5" when an unmatched prediction of the story shares some of its words
    (token F1 >= 0.25); a prediction matching nothing is "spurious (cue X)". The other fields are
    read on matched pairs only.
    """
    from evaluation.corpus import short_id

    out: dict[str, tuple[Counter, dict[str, str]]] = {
        f: (Counter(), {}) for f in FIELDS + ACCURACY_FIELDS
    }

    def add(field: str, kind: str, example: str) -> None:
        counts, examples = out[field]
        counts[kind] += 1
        examples.setdefault(kind, example)

    by_story = _by_story(gold_rows)
    for sid in story_ids:
        golds, preds = by_story.get(sid, []), predicted.get(sid, [])
        pairs = match(preds, golds)
        matched_p = {id(p) for p, _ in pairs}
        matched_g = {id(g) for _, g in pairs}
        unmatched = [p for p in preds if id(p) not in matched_p]
        sid_ = short_id(sid)
        for g in golds:
            if id(g) in matched_g:
                continue
            near = max((token_f1(p["content"], g["content"]) for p in unmatched), default=0.0)
            kind = (
                "missed: content overlap < 0.5"
                if near >= 0.25
                else f"missed (cue lemma {g['cue_lemma']})"
            )
            add("content_overlap", kind, f"{sid_}: {g['cue']} «{_short(g['content'])}»")
        for p in unmatched:
            kind = f"spurious (cue {p['cue_lemma']})"
            add("content_overlap", kind, f"{sid_}: {p['cue']} «{_short(p['content'])}»")
        for p, g in pairs:
            where = f"{sid_} «{_short(g['content'], 25)}»"
            kind = speaker_error(p, g)
            if kind:
                add(
                    "speaker",
                    kind,
                    f"{where}: gold {g['source_canonical']}; pred {p['speaker_name']}"
                    f" ('{p['speaker_text']}')",
                )
            if p["cue_lemma"] != g["cue_lemma"]:
                add(
                    "cue",
                    f"cue gold={g['cue_lemma']} pred={p['cue_lemma']}",
                    f"{where}: gold '{g['cue']}', pred '{p['cue']}'",
                )
            kind = content_error(p["content"], g["content"])
            if kind:
                add(
                    "content_exact",
                    kind,
                    f"{sid_}: gold «{_short(g['content'], 35)}» pred «{_short(p['content'], 35)}»",
                )
            if p["stance"] != g["stance"]:
                add(
                    "stance",
                    f"stance gold={g['stance']} pred={p['stance']}",
                    f"{where} (cue '{g['cue']}')",
                )
            if p["is_direct"] != g["is_direct"]:
                add("is_direct", f"is_direct gold={g['is_direct']} pred={p['is_direct']}", where)
    return out


def cv_rows() -> list[Row]:
    """The 5-fold cross-validation figures over the train stories that chose the shipped claim
    methods (training/claims/train.py; each fold read by parts trained on the other four): the
    claims at the learned cue's threshold (the rules' speaker), stance and target accuracy of
    the methods chosen."""
    from transforms.extract import claims

    models = claims.classifiers()
    if models is None or "cv_learned_cue" not in models.meta:
        return []
    meta, name = models.meta, "train 5-fold CV (folds held out)"
    cue = meta["cv_learned_cue"][str(meta["cue_threshold"]) if models.cue else "rules"]
    n_pred, n_gold = cue["n_pred"], cue["n_gold"]
    out = [
        Row("claims", name, field, cue[key]["tp"], n_pred - cue[key]["tp"],
            n_gold - cue[key]["tp"], target=target, note=note)
        for field, key, target, note in (
            ("speaker", "speaker", ">= 0.85 F1", "the rules' speaker; chose the cue threshold"),
            ("content_overlap", "content_overlap", ">= 0.80 F1", ""),
        )
    ]  # fmt: skip
    out.append(Row("claims", name, "indirect claims recall", value=cue["indirect_recall"],
                   target=">= 0.70"))  # fmt: skip
    stance = meta["cv_stance_accuracy"]
    out.append(Row("claims", name, "stance (gold claims)", value=stance[models.stance_method],
                   target=">= 0.85 acc", note=f"n={stance['n']}; {models.stance_method} chosen "
                   f"(rules {stance['rules']:.3f})"))  # fmt: skip
    target = meta["cv_target_accuracy"]
    key = f"learned_{meta['target_threshold']}" if models.target else "rules"
    note = f"n={target['n']}; {key} chosen (rules {target['rules']:.3f})"
    out.append(Row("claims", name, "target (matched)", value=target[key], note=note))
    return out


def report() -> list[Row | ErrorTable]:
    from evaluation import corpus

    rows: list[Row | ErrorTable] = []
    path = SHARED_DATA / "gold" / "dev" / "claims.jsonl"
    if path.exists():
        gold_rows = [json.loads(line) for line in path.open(encoding="utf-8") if line.strip()]
        stories = sorted({g["story_id"] for g in gold_rows})
        predicted = predict(stories)
        for dataset, subset in (
            (DEV_LABEL, gold_rows),
            ("seed-000 (in-sample)", [g for g in gold_rows if g["story_id"] == "seed-000"]),
        ):
            rows += rows_of(dataset, score(subset, predicted))
    tables: list[ErrorTable] = []
    for split in ("test", "train"):
        ids = corpus.story_ids(split, labelled_for="claims")
        if not ids:
            continue
        gold_rows = corpus.records("claims", split)
        predicted = predict_split(split)
        dataset = f"gold/train test ({len(ids)} st.)" if split == "test" else TRAIN_LABEL
        rows += rows_of(dataset, score(gold_rows, predicted, ids))
        if split == "test":
            base = rows_of(
                f"{dataset[:-1]}, rules)",
                score(gold_rows, predict_split(split, "rules+cue"), ids),
            )
            rows += [r for r in base if r.field == "speaker" or r.field.startswith("stance")]
            for field, (counts, examples) in errors(gold_rows, predicted, ids).items():
                tables.append(ErrorTable("claims", dataset, field, dict(counts), examples))
        rows += quote_style_rows(split)
    return rows + cv_rows() + tables


QUOTE_STYLE_FIELDS = ("speaker", "content_overlap", "indirect claims recall", "stance (matched)")


def quote_style_rows(split: str) -> list[Row]:
    """The split's figures with its double quotation marks re-rendered ``...'', ''...'' and
    ‘...’ (`evaluation.quote_styles`): speaker and content F1, indirect recall, stance."""
    from evaluation import quote_styles

    rows = []
    for style in quote_styles.STYLES:
        ids, gold_rows = quote_styles.gold_as(split, style)
        if not ids:
            continue
        dataset = quote_styles.dataset_label(split, style, len(ids))
        got = rows_of(dataset, score(gold_rows, quote_styles.predict_as(split, style), ids))
        skipped = quote_styles.skipped(split, style)
        for r in got:
            if r.field in QUOTE_STYLE_FIELDS:
                if skipped and r.field == "speaker":
                    r.note = f"{skipped} stories holding a ‘ skipped"
                rows.append(r)
    return rows
