"""One learned chooser of a party's country, for every extractor's parties (issue 16).

For a party mention (a span of a parsed story and, when known, the party the dependency rules
read there) every existing strategy proposes a country: the mention's own (`parties.party_for`:
a nationality modifier, a possessor, a country name), the phrase rules
(`actors.resolve_phrase`: demonym, role, known person or organization, surname, place), the
words introducing the same surname elsewhere in the story and the countries of the sentence that
first names that person, a pronoun's antecedent, the countries named in the sentence and in the
two before it, the story's most-mentioned country, the story's first country (its dateline,
mostly). Each candidate country becomes one list of feature strings
(which strategies propose it, how often the story and the sentence name it, its rank in the
story, the mention's kind, head word and role word, crossed with the kind), and a `textcat` bag
of words trained on the train split's gold parties (training/actors/) scores it. The best
candidate wins; its probability is the country's confidence. Below the threshold chosen by
cross-validation the deterministic rules answer (`rules_country`). An international
organization named by the phrase (the reference list gives it no country) keeps none.

Scoring uses the trained weights directly (`textcat.scores`): no spaCy call per mention.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from dataclasses import dataclass

from spacy.tokens import Doc, Span

from transforms.extract import doc_cache, textcat

MODEL_DIR = textcat.MODELS_ROOT / "actors"
YES, NO = "yes", "no"
PRONOUNS = {"he", "she", "him", "her", "it", "they", "its", "their", "them", "his"}


@dataclass(frozen=True)
class Choice:
    iso3: str | None
    reason: str  # "chooser:<strongest strategy>", "rules:<reason>" or "international"
    confidence: float | None


@dataclass
class _Story:
    """Per-Doc facts every mention of the story reads once."""

    mentions: list[tuple[int, int, str]]  # (sentence index, start_char, iso3) of country words
    counts: Counter
    rank: dict[str, int]
    home: str | None
    first: str | None
    intro: dict[str, Counter]  # surname -> countries of the words introducing it
    named: dict[str, tuple[int, int]]  # surname -> (sentence index, start_char) of its first name
    places: list[tuple[int, str]]  # (sentence index, iso3) of places that are no country
    orgs: list[tuple[int, str]]  # (sentence index, iso3) of organizations of one country
    place_home: str | None  # the country the story's places lie in most


def _story(doc: Doc) -> _Story:
    from transforms.actors import country_in_phrase, resolve_country
    from transforms.extract.parties import _modifier_country

    mentions = []
    places = []
    orgs = []
    intro: dict[str, Counter] = {}
    named: dict[str, tuple[int, int]] = {}
    for ent in doc_cache.ents(doc):
        label = ent.label_
        hit = resolve_country(ent.text, label) if label in ("GPE", "NORP") else None
        if hit:
            mentions.append((doc_cache.sentence_index(doc, ent.start), ent.start_char, hit[0]))
        elif label in ("GPE", "LOC", "ORG"):
            # A place that is no country, of the country dictionary's cities, states and regions
            # ("Catalonia", "New York": a story set there may never name its country); or a body
            # of one country named near a party ("A spokesperson said the State Department ...").
            found = country_in_phrase(ent.text)
            if found:
                sent = doc_cache.sentence_index(doc, ent.start)
                (orgs if label == "ORG" else places).append((sent, found[0]))
        elif label == "PERSON":
            key = re.sub(r"['’]s?$", "", ent.text.split()[-1]).lower()
            named.setdefault(key, (doc_cache.sentence_index(doc, ent.start), ent.start_char))
            iso3 = _modifier_country(ent.root, ent)
            if iso3 is None:
                after = [t.text for c in ent.root.children if c.dep_ == "appos" for t in c.subtree]
                found = country_in_phrase(" ".join(after)) if after else None
                iso3 = found[0] if found else None
            if iso3:
                intro.setdefault(key, Counter())[iso3] += 1
    counts = Counter(iso for _, _, iso in mentions)
    order = sorted(counts, key=lambda c: (-counts[c], min(s for _, s, i in mentions if i == c)))
    place_counts = Counter(iso for _, iso in places)
    return _Story(
        mentions=mentions,
        counts=counts,
        rank={c: r for r, c in enumerate(order, 1)},
        home=order[0] if order else None,
        first=mentions[0][2] if mentions else None,
        intro=intro,
        named=named,
        places=places,
        orgs=orgs,
        place_home=place_counts.most_common(1)[0][0] if place_counts else None,
    )


def _phrase(text: str) -> tuple[str | None, str] | None:
    """The phrase's own country by the reference lists (parties._phrase_country: cached, no
    geocoding, which cost 2 ms a name in actors.resolve_phrase)."""
    from transforms.extract.parties import _phrase_country

    return _phrase_country(re.sub(r"\s*\([^)]*\)?", " ", text).strip() or text)


def _bucket(n: int) -> str:
    return "0" if n == 0 else "1" if n == 1 else "2" if n == 2 else "3-4" if n <= 4 else "5+"


def _surname(text: str) -> str | None:
    words = [w for w in re.findall(r"[\w\-’']+", text) if w[:1].isupper()]
    return re.sub(r"['’]s?$", "", words[-1]).lower() if words else None


def _mention_party(span: Span):
    from transforms.extract.parties import party_for

    try:
        return party_for(span.root)
    except Exception:  # noqa: BLE001 - a party the rules cannot read is no candidate
        return None


def candidates(doc: Doc, start: int, end: int, text: str, party=None) -> dict[str, list[str]]:
    """Candidate ISO3 -> its feature words, for the party mention doc.text[start:end]. `party`
    is what the rules read there (parties.party_for), found from the span when not given."""
    from transforms.extract.parties import _person_countries

    story = doc_cache.per_doc(doc, "country_chooser_story", _story)
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None or len(span) == 0:
        return {}
    if party is None:
        party = _mention_party(span)
    lower = text.strip().lower()
    pronoun = lower in PRONOUNS
    kind = "pron" if pronoun else (party.kind if party is not None else "none")
    head = re.findall(r"[^\W\d_]+", lower)
    mention = [f"k_{kind}", f"h_{head[-1] if head else '-'}"]
    from transforms.actors import role_in_phrase

    role = role_in_phrase(text)
    if role:
        mention.append("r_" + role.lower().replace(" ", "_"))
    proposals: dict[str, list[str]] = {}

    def propose(iso3: str | None, feature: str) -> None:
        if iso3:
            proposals.setdefault(iso3, []).append(feature)

    if party is not None and party.iso3:
        propose(party.iso3, f"own_{party.country_reason or 'mention'}")
    hit = None if pronoun else _phrase(text)
    if hit is not None:
        propose(hit[0], f"ph_{hit[1]}")
    surname = None if pronoun else _surname(text)
    if surname:
        for iso3 in story.intro.get(surname, Counter()):
            propose(iso3, "intro" if len(story.intro[surname]) == 1 else "intro_shared")
        propose(_person_countries(doc).get(surname), "intro_mod")
        # the countries of the sentence that first names the person, the nearest to the name
        # and any: news introduces a person once ("X, a researcher at a university in Kenya")
        # and later quotes them by surname in sentences naming no country, or another one
        named = story.named.get(surname)
        if named is not None:
            there = [(s, iso) for i, s, iso in story.mentions if i == named[0]]
            if there:
                propose(min(there, key=lambda m: abs(m[0] - named[1]))[1], "isent_near")
            for _, iso in there:
                propose(iso, "isent")
    if pronoun and party is not None:
        propose(party.iso3, "ante")
        if party.kind == "person":
            sn = _surname(party.name)
            for iso3 in story.intro.get(sn or "", Counter()):
                propose(iso3, "ante_intro")
    sent_i = doc_cache.sentence_index(doc, span.start)
    in_sent = [(s, iso) for i, s, iso in story.mentions if i == sent_i]
    outside = [(s, iso) for s, iso in in_sent if not start <= s < end]
    if outside:
        propose(outside[0][1], "sent_first")
        before = [iso for s, iso in outside if s < start]
        if before:
            propose(before[-1], "sent_near_before")
        after = [iso for s, iso in outside if s >= end]
        if after:
            propose(after[0], "sent_near_after")
    for _, iso in outside:
        propose(iso, "sent")
    for i, _, iso in story.mentions:
        if i in (sent_i - 1, sent_i - 2):
            propose(iso, f"prev{sent_i - i}")
    for i, iso in story.places:
        propose(iso, "place_sent" if i == sent_i else "place")
    propose(story.place_home, "place_home")
    for i, iso in story.orgs:
        if i == sent_i:
            propose(iso, "org_sent")
    propose(story.home, "home")
    for iso3 in story.counts:
        propose(iso3, "story")
    propose(story.first, "first")
    # the deterministic rules' answer, as `rules_country` gives it but from the cheap phrase
    # lookup: the phrase, else the sentence's first country, else the story's
    if hit is not None:
        propose(hit[0], "rule")
    elif in_sent:
        propose(in_sent[0][1], "rule")
    else:
        propose(story.home, "rule")
    out = {}
    sent_counts = Counter(iso for _, iso in in_sent)
    for iso3, feats in proposals.items():
        strategies = sorted(set(feats))
        words = [*mention, *strategies]
        words += [f"{f}|{kind}" for f in strategies]
        words += [f"{a}&{b}" for i, a in enumerate(strategies) for b in strategies[i + 1 :]]
        rank = story.rank.get(iso3)
        words.append(f"rank_{rank if rank and rank <= 3 else '4+' if rank else 'none'}")
        words.append(f"sc_{_bucket(story.counts.get(iso3, 0))}")
        words.append(f"ss_{_bucket(sent_counts.get(iso3, 0))}")
        words.append(f"n_strat_{min(len(strategies), 5)}")
        out[iso3] = words
    return out


def rules_country(doc: Doc, start: int, end: int, text: str, sentence: str | None = None):
    """(iso3, reason) of the deterministic rules as `evaluation.actors` reads a speaker phrase:
    the phrase rules with the sentence's first country as last resort (`actors.resolve_phrase`),
    else the story's most-mentioned country (`story_country`); (None, None) without any."""
    from transforms.actors import resolve_phrase

    hit = resolve_phrase(text, sentence) if text else None
    if hit:
        return hit
    story = doc_cache.per_doc(doc, "country_chooser_story", _story)
    return (story.home, "story_country") if story.home else (None, None)


@functools.lru_cache(maxsize=1)
def model() -> tuple | None:
    """(textcat, training.json) of the shipped chooser, None when none is shipped."""
    if not (MODEL_DIR / "training.json").exists():
        return None
    pipes, meta = textcat.load(MODEL_DIR, ["chooser"])
    return pipes["chooser"], meta


# the strategy a chosen country is reported by (match reason "chooser:<strategy>"): the first
# of these that proposed it
_REASON_ORDER = ["own", "ph", "intro", "isent", "ante", "sent", "prev", "home", "first", "story"]


def international(text: str) -> bool:
    """The phrase names an international organization (the reference list gives it none)."""
    hit = None if text.strip().lower() in PRONOUNS else _phrase(text)
    return hit is not None and hit[0] is None


def choose(doc: Doc, start: int, end: int, text: str, party=None) -> Choice | None:
    """The learned country of the party mention doc.text[start:end] (module docstring): the
    best-scoring candidate when its probability reaches the trained threshold; an
    international organization gets Choice(None, "international", None); None when there is no
    model, no candidate, or no candidate reaches the threshold (the caller's rules answer)."""
    if international(text):
        return Choice(None, "international", None)
    loaded = model()
    if loaded is None:
        return None
    pipe, meta = loaded
    cands = candidates(doc, start, end, text, party)
    if not cands:
        return None
    isos = sorted(cands)
    probs = [s[YES] for s in textcat.scores(pipe, [cands[i] for i in isos])]
    best = max(range(len(isos)), key=lambda k: (probs[k], -k))
    if probs[best] < meta["threshold"]:
        return None
    words = set(cands[isos[best]])
    reason = next(
        (w for p in _REASON_ORDER for w in sorted(words) if w.startswith(p) and "|" not in w
         and "&" not in w),
        "chooser",
    )  # fmt: skip
    return Choice(isos[best], f"chooser:{reason}", round(float(probs[best]), 4))
