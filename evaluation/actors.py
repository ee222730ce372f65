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

Both are in-sample: the actor rules were written and tuned on PLOVER-GSR ("plover-gsr
(in-sample, tuned)") and on the seed article ("seed article (in-sample)").

Held out: speaker countries of the labelled corpus (../shared/data/gold/train, `evaluation.corpus`).
Every gold claim (claims.jsonl) with a `source_country_iso3` is read the way the pipeline reads
a party: the learned country chooser (`transforms.extract.country_chooser.choose`) on the gold
speaker words located in the parsed story; where it gives no answer, the rules:
`transforms.actors.resolve_phrase(source_text, sentence)` (the phrase rules, with the sentence's
first named country as the last resort), then the story's most-mentioned country. The row
"..., rules)" is the rules alone, "..., phrase alone)" the phrase rules without the story's
country. Dataset `gold/train test (N st.)` is the `test` split (the figures to quote);
`train split (chooser in-sample)` is the `train` split, which the chooser is trained on.
Accuracy = right / all gold speakers with a country (no answer counts as wrong; a claim without
`source_text` counts as no answer); coverage = answered (an ISO3 returned) / all; precision =
right / answered. Pronoun speakers ("he", "she", "they", ...) cannot be resolved from the phrase
(only the sentence rule can answer them): the rows are repeated without them ("w/o pronouns").
An error table of the test split follows the figures.
Events' parties (events.jsonl `actor` / `recipient` with `actor_iso3` / `recipient_iso3`) carry a
canonical name, not a verbatim span: those whose name is written in the event's sentence are
read the same way (rows "event party country ..."; the others cannot be located and are counted
in the note), and "party country accuracy" pools speakers and those event parties: the issue's
"every gold party that has an ISO3" as far as a party can be found in the text.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from collections import Counter

import polars as pl

from evaluation.common import REPO, SHARED_DATA, ErrorTable, Row

CAMEO_TO_ISO3 = {"JAP": "JPN", "ITL": "ITA", "VTN": "VNM"}
NOT_COUNTRIES = {"IGO", "NGO", "IMG", "ISM"}
PLOVER_LABEL = "plover-gsr (in-sample, tuned)"
SEED_LABEL = "seed article (in-sample)"
TRAIN_LABEL = "train split (chooser in-sample)"


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
            SEED_LABEL,
            "mentions, bare sm",
            len(gold_set & bare),
            len(bare - gold_set),
            len(gold_set - bare),
        ),
        Row(
            "actors",
            SEED_LABEL,
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
            SEED_LABEL,
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
            SEED_LABEL,
            "person mentions linked",
            value=sum(1 for s, e, a in people if (s, e) in at and canon.get(at[(s, e)]) == a)
            / len(people),
            note=f"({len(people)} gold)",
        )
    ]


# -- held out: speaker countries of the labelled corpus -----------------------------------------
def is_pronoun(source_text: str | None) -> bool:
    """A speaker given only as a pronoun ("he", "She", "they"): no country in the phrase."""
    from evaluation.claims import PRONOUNS

    return bool(source_text) and source_text.strip().lower() in PRONOUNS


def speaker_items(split: str) -> list[dict]:
    """The gold claims of one corpus split whose speaker has a country."""
    from evaluation.corpus import records

    return [g for g in records("claims", split) if g.get("source_country_iso3")]


def event_party_items(split: str) -> tuple[list[dict], int]:
    """The gold event actors and recipients of one split with a country whose name is written in
    the event's sentence, as speaker-like records (`source_text` the name), and how many parties
    with a country were left out because their name is not in the sentence."""
    from evaluation.corpus import records

    out, missing = [], 0
    for rec in records("events", split):
        for role in ("actor", "recipient"):
            name, iso3, sentence = rec.get(role), rec.get(f"{role}_iso3"), rec.get("sentence")
            if not iso3:
                continue
            if not name or not sentence or name not in sentence:
                missing += 1
                continue
            out.append(
                {
                    "story_id": rec["story_id"],
                    "sentence": sentence,
                    "source_text": name,
                    "source_country_iso3": iso3,
                    "source_type": role,
                }
            )
    return out, missing


@functools.lru_cache(maxsize=4)
def story_countries(split: str) -> dict[str, str | None]:
    """Story id -> the story's own country (parties.home_party on the parsed story), what the
    claims extractor gives a speaker whose words name no country (claims.story_country).
    Computed once per split and process, like the parse it reads (the speakers' and the event
    parties' rows ask for it four times); callers only read the dict."""
    from evaluation.corpus import parsed
    from transforms.extract import doc_cache
    from transforms.extract.parties import home_party

    out = {}
    for story, doc, _ in parsed(split):
        with doc_cache.cached(doc):
            home = doc_cache.per_doc(doc, "home_party", home_party)
        out[story.id] = home.iso3 if home is not None else None
    return out


def resolve_speakers(
    items: list[dict], homes: dict[str, str | None] | None = None
) -> list[tuple[str | None, str | None]]:
    """(predicted ISO3, resolver reason) per gold claim: the phrase rules on the gold speaker
    words and sentence; where they have no answer at all, the story's own country when `homes`
    is given (reason "story_country", as the pipeline does), else (None, None)."""
    from transforms.actors import resolve_phrase

    out = []
    for g in items:
        text = g.get("source_text")
        hit = resolve_phrase(text, g.get("sentence")) if text else None
        if not hit and homes and homes.get(g["story_id"]):
            hit = (homes[g["story_id"]], "story_country")
        out.append(hit if hit else (None, None))
    return out


def choose_speakers(items: list[dict], split: str) -> list[tuple[str | None, str | None]]:
    """(predicted ISO3, reason) per gold claim as the pipeline's parties get it: the learned
    country chooser (`transforms.extract.country_chooser.choose`) on the gold speaker words
    located in the parsed story (the gold sentence, then `source_text` inside it); where it has
    no answer (no model, no candidate, below its threshold) or the words are not found, the
    rules (`resolve_speakers` with the story's country)."""
    from evaluation.corpus import parsed
    from transforms.extract import country_chooser, doc_cache

    docs = {story.id: doc for story, doc, _ in parsed(split)}
    homes = story_countries(split)
    out = []
    for g, rule in zip(items, resolve_speakers(items, homes), strict=True):
        doc, text, sentence = docs.get(g["story_id"]), g.get("source_text"), g.get("sentence")
        at = doc.text.find(sentence) if doc is not None and text and sentence else -1
        inner = sentence.find(text) if at >= 0 else -1
        choice = None
        if inner >= 0:
            with doc_cache.cached(doc):
                start = at + inner
                choice = country_chooser.choose(doc, start, start + len(text), text)
        out.append((choice.iso3, choice.reason) if choice is not None else rule)
    return out


def speaker_error(gold: dict, pred: tuple[str | None, str | None]) -> str | None:
    """The kind of a speaker-country error, None when the predicted ISO3 is the gold one.

    No answer (no ISO3): "no answer: no source text", "no answer: pronoun", else by the gold
    source type ("no answer: person"), with the resolver's reason when it named a non-country
    ("no answer: organization, reason=organization_reference"). A wrong ISO3: "wrong: reason=X"
    ("wrong: pronoun, reason=sentence_country" for a pronoun speaker).
    """
    iso3, reason = pred
    if iso3 == gold.get("source_country_iso3"):
        return None
    text = gold.get("source_text")
    pronoun = is_pronoun(text)
    if iso3 is None:
        if not text:
            return "no answer: no source text"
        if pronoun:
            return "no answer: pronoun"
        kind = f"no answer: {gold.get('source_type') or 'unknown type'}"
        return f"{kind}, reason={reason}" if reason else kind
    return f"wrong: pronoun, reason={reason}" if pronoun else f"wrong: reason={reason}"


def speaker_counts(items: list[dict], preds: list[tuple[str | None, str | None]]) -> Counter:
    """n / right / answered over all gold speakers and over those that are not pronouns
    (`*_np`), plus the number of pronoun speakers and of claims without source text."""
    c = Counter()
    for g, (iso3, _) in zip(items, preds, strict=True):
        ok = iso3 is not None and iso3 == g["source_country_iso3"]
        keys = [""] if is_pronoun(g.get("source_text")) else ["", "_np"]
        for k in keys:
            c["n" + k] += 1
            c["right" + k] += ok
            c["answered" + k] += iso3 is not None
        c["pronouns"] += is_pronoun(g.get("source_text"))
        c["no_text"] += not g.get("source_text")
    return c


def _ratio(a: int, b: int) -> float | None:
    return a / b if b else None


def speaker_rows(dataset: str, c: Counter) -> list[Row]:
    """Accuracy, coverage and precision where answered; all speakers, then without pronouns."""
    rows = []
    names = {
        "": ("speaker country accuracy", "speaker country coverage", "speaker country precision"),
        "_np": (
            "speaker acc. w/o pronouns",
            "speaker cov. w/o pronouns",
            "speaker prec. w/o pronouns",
        ),
    }
    for k in ("", "_np"):
        acc, cov, prec = names[k]
        n, right, answered = c["n" + k], c["right" + k], c["answered" + k]
        extra = (
            f"; {c['pronouns']} pronouns, {c['no_text']} without source text"
            if not k
            else f"; {c['pronouns']} pronouns left out"
        )
        rows += [
            Row(
                "actors",
                dataset,
                acc,
                value=_ratio(right, n),
                note=f"({right}/{n}{extra})",
            ),
            Row(
                "actors",
                dataset,
                cov,
                value=_ratio(answered, n),
                note=f"({answered}/{n})",
            ),
            Row(
                "actors",
                dataset,
                prec,
                value=_ratio(right, answered),
                note=f"({right}/{answered})",
            ),
        ]
    return rows


def speaker_errors(
    items: list[dict], preds: list[tuple[str | None, str | None]]
) -> tuple[Counter, dict[str, str]]:
    """Error kind -> count, and one example per kind: story: 'source_text' -> pred vs gold."""
    from evaluation.corpus import short_id

    counts, examples = Counter(), {}
    for g, pred in zip(items, preds, strict=True):
        kind = speaker_error(g, pred)
        if kind is None:
            continue
        counts[kind] += 1
        iso3, reason = pred
        said = f"'{g['source_text']}'" if g.get("source_text") else "(no source text)"
        got = f"{iso3} ({reason})" if iso3 else (f"none ({reason})" if reason else "none")
        examples.setdefault(
            kind,
            f"{short_id(g['story_id'])}: {said} -> {got} vs gold {g['source_country_iso3']}",
        )
    return counts, examples


def speaker_report() -> list[Row | ErrorTable]:
    """Held-out speaker-country rows (test split, then train) and the test split's error table."""
    from evaluation import corpus

    rows: list[Row | ErrorTable] = []
    tables: list[ErrorTable] = []
    for split in ("test", "train"):
        ids = corpus.story_ids(split, labelled_for="claims")
        if not ids:
            continue
        items = speaker_items(split)
        preds = choose_speakers(items, split)
        dataset = f"gold/train test ({len(ids)} st.)" if split == "test" else TRAIN_LABEL
        rows += speaker_rows(dataset, speaker_counts(items, preds))
        # the rules alone (phrase rules, then the story's country): what the chooser replaced
        rules = speaker_rows(
            f"{dataset[:-1]}, rules)",
            speaker_counts(items, resolve_speakers(items, story_countries(split))),
        )
        rows.append(rules[0])
        # the phrase rules alone, without the story's country: what the fallback adds
        alone = speaker_rows(
            f"{dataset[:-1]}, phrase alone)", speaker_counts(items, resolve_speakers(items))
        )
        rows.append(alone[0])
        parties, missing = event_party_items(split)
        party_preds = choose_speakers(parties, split)
        c = speaker_counts(parties, party_preds)
        r = speaker_counts(parties, resolve_speakers(parties, story_countries(split)))
        both = speaker_counts(items + parties, preds + party_preds)
        note = f"; {missing} event parties with a country whose name is not in the sentence"
        rows += [
            Row("actors", dataset, "event party country accuracy", value=_ratio(c["right"], c["n"]),
                note=f"({c['right']}/{c['n']}{note})"),
            Row("actors", f"{dataset[:-1]}, rules)", "event party country accuracy",
                value=_ratio(r["right"], r["n"]), note=f"({r['right']}/{r['n']})"),
            Row("actors", dataset, "party country accuracy", value=_ratio(both["right"], both["n"]),
                target=">= 0.92", note=f"(speakers, event parties: {both['right']}/{both['n']})"),
        ]  # fmt: skip
        if split == "test":
            counts, examples = speaker_errors(items, preds)
            tables.append(ErrorTable("actors", dataset, "speaker country", dict(counts), examples))
            counts, examples = speaker_errors(parties, party_preds)
            tables.append(
                ErrorTable("actors", dataset, "event party country", dict(counts), examples)
            )
    return rows + tables


def report() -> list[Row | ErrorTable]:
    from transforms.nlp.pipeline import load_nlp

    nlp = load_nlp()
    items = plover_actors()
    preds = resolve_in_context(nlp, items)
    right = sum(1 for (p, _), (_, _, g) in zip(preds, items, strict=True) if p == g)
    answered = sum(1 for p, _ in preds if p)
    rows = [
        Row(
            "actors",
            PLOVER_LABEL,
            "actor country accuracy",
            value=right / len(items),
            target=">= 0.92",
            note=f"({right}/{len(items)}; {answered} answered)",
        ),
        Row(
            "actors",
            PLOVER_LABEL,
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
            PLOVER_LABEL,
            "accuracy w/o sentence rule",
            value=strict / len(items),
            note=f"({strict}/{len(items)})",
        )
    )
    held_out = speaker_report()
    return (
        rows
        + [r for r in held_out if isinstance(r, Row)]
        + seed_rows(nlp)
        + [t for t in held_out if isinstance(t, ErrorTable)]
    )


def errors() -> list[tuple[str, str, str | None, str]]:
    """The PLOVER actors we get wrong (for reading, not for the table)."""
    from transforms.nlp.pipeline import load_nlp

    items = plover_actors()
    preds = resolve_in_context(load_nlp(), items)
    return [(a, g, p, how) for (_, a, g), (p, how) in zip(items, preds, strict=True) if p != g]
