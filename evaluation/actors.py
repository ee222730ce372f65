"""Actor resolution against gold: PLOVER actors' countries and the seed article's mentions.

PLOVER (../shared/data/plover-gsr): every source/target actor with a country code (CAMEO
codes JAP, ITL, VTN read as JPN, ITA, VNM; IGO/NGO/IMG/ISM codes are not countries and are
left out). Each record's sentence goes through our whole pipeline (spaCy + gazetteer + actor
resolver); the actor text is located in the sentence and the resolved actors of the mentions
overlapping it give the country (the leftmost one with a country). When no mention overlaps
(the actor text is a common noun phrase such as "Serbian authorities") the same resolver's
phrase rules (`transforms.actors.resolve_phrase`) read the actor text. Accuracy = share of
gold actors whose resolved country equals the gold code (no answer counts as wrong).

Seed article: gold mentions written by hand in tests/transforms/seed_gold.py; mention P/R/F1
(exact span and label) and the share of gold actor mentions linked to the right actor.
"""

from __future__ import annotations

import datetime as dt
import json
import re

import polars as pl

from evaluation.common import REPO, SHARED_DATA, Row

CAMEO_TO_ISO3 = {"JAP": "JPN", "ITL": "ITA", "VTN": "VNM"}
NOT_COUNTRIES = {"IGO", "NGO", "IMG", "ISM"}


def plover_actors() -> list[tuple[str, str, str]]:
    """(sentence, actor text, gold ISO3) for every country-coded PLOVER actor."""
    records = json.loads((SHARED_DATA / "plover-gsr" / "PLOVER_GSR_CAMEO.json").read_text())
    out = []
    for rec in records:
        text = rec.get("text")
        if not text:
            continue
        for role in ("source", "target"):
            actors = rec.get(role)
            if not isinstance(actors, list):
                continue
            for a in actors:
                code = (a.get("code") or "").strip()
                if not code or code in NOT_COUNTRIES:
                    continue
                out.append((text, a["actorText"].strip(), CAMEO_TO_ISO3.get(code, code)))
    return out


def _mentions(nlp, texts: list[str]) -> pl.DataFrame:
    from transforms.nlp.tables import ArticleContext, mention_rows

    rows = []
    for i, doc in enumerate(nlp.pipe(texts, batch_size=32)):
        rows.extend(mention_rows(doc, ArticleContext(f"s{i}", dt.date(2000, 1, 1), "eval")))
    return pl.DataFrame(rows)


def resolve_in_context(nlp, items: list[tuple[str, str, str]]) -> list[tuple[str | None, str]]:
    """(predicted ISO3, how) per PLOVER actor, through the whole pipeline."""
    from transforms.actors import resolve_mentions, span_country

    sentences = sorted({s for s, _, _ in items})
    index = {s: f"s{i}" for i, s in enumerate(sentences)}
    mentions = _mentions(nlp, sentences)
    actors, links, _ = resolve_mentions(mentions, {index[s]: s for s in sentences})
    country = dict(actors.select("actor_id", "country_iso3").iter_rows())
    linked = mentions.join(links, on="mention_id").select(
        "article_id", "start_char", "end_char", "actor_id"
    )
    by_article: dict[str, list[tuple[int, int, str]]] = {}
    for a, s, e, actor_id in linked.sort("start_char").iter_rows():
        by_article.setdefault(a, []).append((s, e, actor_id))
    out = []
    for sentence, actor_text, _ in items:
        probe = re.split(r"\s*\.\.\.\s*", actor_text)[0]
        start = sentence.find(probe)
        overlapping = []
        if start >= 0:
            end = start + len(probe)
            overlapping = [
                (actor_id, country.get(actor_id))
                for s, e, actor_id in by_article.get(index[sentence], [])
                if s < end and start < e and not re.search(r"(?i)\b(pro|anti)-$", sentence[:s])
            ]
        out.append(span_country(actor_text, sentence, overlapping))
    return out


def seed_rows(nlp) -> list[Row]:
    import importlib.util

    from transforms.actors import resolve_mentions
    from transforms.articles import parse_article
    from transforms.nlp.tables import ArticleContext, mention_rows

    spec = importlib.util.spec_from_file_location(
        "seed_gold", REPO / "tests" / "transforms" / "seed_gold.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    text = parse_article((REPO / "seeds" / "000_55766d7a04a2f1f7.txt").read_text()).text
    gold = module.gold_spans(text)
    doc = nlp(text)
    mentions = pl.DataFrame(mention_rows(doc, ArticleContext("seed", dt.date(2024, 11, 4), "e")))
    names = {"PERSON", "ORG", "GPE", "LOC", "NORP"}
    from evaluation.entities import _norm

    # Same span convention as re3d: a leading "the" and a trailing "'s" are not scored.
    pred = {
        _norm(text, s, e, lab)
        for s, e, lab in mentions.select("start_char", "end_char", "entity_label").iter_rows()
        if lab in names
    }
    gold_set = {(s, e, lab) for s, e, lab, _ in gold}
    from transforms.nlp.pipeline import load_bare_nlp

    bare = {
        _norm(text, ent.start_char, ent.end_char, ent.label_)
        for ent in load_bare_nlp()(text).ents
        if ent.label_ in names
    }
    rows = [
        Row(
            "actors",
            "seed article",
            "mentions, bare sm",
            len(gold_set & bare),
            len(bare - gold_set),
            len(gold_set - bare),
        ),
        Row(
            "actors",
            "seed article",
            "mentions (span+label)",
            len(gold_set & pred),
            len(pred - gold_set),
            len(gold_set - pred),
        ),
    ]
    actors, links, _ = resolve_mentions(mentions, {"seed": text})
    canon = dict(actors.select("actor_id", "canonical_name").iter_rows())
    iso = dict(actors.select("actor_id", "country_iso3").iter_rows())
    at = {
        _norm(text, s, e, "")[:2]: a
        for s, e, a in mentions.join(links, on="mention_id")
        .select("start_char", "end_char", "actor_id")
        .iter_rows()
    }
    expected = [(s, e, a) for s, e, _, a in gold if a]
    right = sum(
        1
        for s, e, a in expected
        if (s, e) in at
        and (
            canon.get(at[(s, e)]) == a
            or (len(a) == 3 and a.isupper() and at[(s, e)] == f"country:{a}")
        )
    )
    rows.append(
        Row(
            "actors",
            "seed article",
            "mention -> right actor",
            value=right / len(expected),
            note=f"({right}/{len(expected)})",
        )
    )
    people = [(s, e, a) for s, e, a in expected if not (len(a) == 3 and a.isupper())]
    del iso
    return rows + [
        Row(
            "actors",
            "seed article",
            "person mentions linked",
            value=sum(1 for s, e, a in people if (s, e) in at and canon.get(at[(s, e)]) == a)
            / len(people),
            note=f"({len(people)} gold)",
        )
    ]


def report() -> list[Row]:
    from transforms.nlp.pipeline import load_nlp

    nlp = load_nlp()
    items = plover_actors()
    preds = resolve_in_context(nlp, items)
    right = sum(1 for (p, _), (_, _, g) in zip(preds, items, strict=True) if p == g)
    answered = sum(1 for p, _ in preds if p)
    rows = [
        Row(
            "actors",
            "plover-gsr",
            "actor country accuracy",
            value=right / len(items),
            target=">= 0.92",
            note=f"({right}/{len(items)}; {answered} answered)",
        ),
        Row(
            "actors",
            "plover-gsr",
            "country precision answered",
            value=right / answered if answered else None,
        ),
    ]
    # How much the last-resort rule (first country named in the sentence) contributes.
    strict = sum(
        1
        for (p, how), (_, _, g) in zip(preds, items, strict=True)
        if p == g and how != "sentence_country"
    )
    rows.append(
        Row(
            "actors",
            "plover-gsr",
            "accuracy w/o sentence rule",
            value=strict / len(items),
            note=f"({strict}/{len(items)})",
        )
    )
    return rows + seed_rows(nlp)


def errors() -> list[tuple[str, str, str | None, str]]:
    """The PLOVER actors we get wrong (for reading, not for the table)."""
    from transforms.nlp.pipeline import load_nlp

    items = plover_actors()
    preds = resolve_in_context(load_nlp(), items)
    return [(a, g, p, how) for (_, a, g), (p, how) in zip(items, preds, strict=True) if p != g]
