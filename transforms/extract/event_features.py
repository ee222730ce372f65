"""What the learned event classifiers see: candidates and their features, as words.

Two classifiers decide events (transforms/extract/events.py), both spaCy `textcat` components
with the bag-of-words architecture (a linear model over hashed features), trained by
`make train` on the labelled corpus (training/events/):
- the **trigger classifier** reads one candidate token (a verb, a noun, an adjective) and says
  which PLOVER type it triggers, or NONE;
- the **argument classifier** reads one (trigger, candidate party) pair of the sentence and says
  whether the party is the event's actor, its recipient, or neither.
Each example is a Doc whose words are feature strings ("l_attack", "lex_ASSAULT", "path_nsubj"),
so the model is spaCy's own and the features are plain data that a newcomer can print. The rules
of the old extractor enter as features (the lexicon's type for the lemma; whether the rules chose
this party as subject or object), so the model learns when to trust them.

Training (training/events/convert.py) and the pipeline call the same functions here, so the two
can never see different features.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import yaml
from spacy.tokens import Span, Token

from transforms.extract import doc_cache, lexicon_neighbours, quotes
from transforms.extract.parties import PERSON_PRONOUNS, PRONOUNS, Party, party_for

TRIGGER_POS = {"VERB", "NOUN", "ADJ", "AUX"}
NONE = "NONE"
ACTOR, RECIPIENT, NEITHER = "actor", "recipient", "none"
PARTY_ENTS = {"PERSON", "ORG", "GPE", "NORP"}
_SAFE = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_")
GROUPS_FILE = Path(__file__).parent / "rules" / "event_features.yaml"


@functools.lru_cache(maxsize=1)
def trigger_groups() -> frozenset[str]:
    """The trigger feature groups in use (rules/event_features.yaml, chosen by
    cross-validation on the train stories: training/events/cv.py)."""
    data = yaml.safe_load(GROUPS_FILE.read_text(encoding="utf-8"))
    return frozenset(data["trigger_groups"])


def group_of(feature: str) -> str:
    """A feature's group: its prefix before the first underscore ("lex_ASSAULT" -> "lex")."""
    return feature.split("_", 1)[0]


def keep_groups(features: list[str], groups) -> list[str]:
    return [f for f in features if group_of(f) in groups] or ["x"]


@functools.lru_cache(maxsize=200_000)
def _f(*parts: object) -> str:
    """One feature word: lower case, letters, digits and underscores only (the tokenizer keeps
    such a string whole, so training text and runtime Docs give the same words)."""
    text = "_".join(str(p).lower().replace(" ", "_") for p in parts)
    if not _SAFE.issuperset(text):
        text = "".join(ch for ch in text if ch in _SAFE)
    return text[:60] or "x"


def _lemma(tok: Token) -> str:
    return tok.lemma_.lower()


def is_trigger_candidate(tok: Token) -> bool:
    return tok.pos_ in TRIGGER_POS and tok.is_alpha and len(tok) > 1


def _lemma_positions(doc) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for t in doc_cache.tokens(doc):
        if t.pos_ in TRIGGER_POS:
            out.setdefault(t.lemma_.lower(), []).append(t.i)
    return out


def _in_quote(doc) -> list[bool]:
    """Per token: inside quotation marks of its sentence (an odd number of quotes before it)."""
    marks = quotes.mark_flags(doc)
    out = []
    for sent in doc_cache.sents(doc):
        odd = False
        for i in range(sent.start, sent.end):
            out.append(odd)
            if marks[i]:
                odd = not odd
    return out


def _context_features(tok: Token) -> list[str]:
    """Where the token sits in its story: how often its lemma came before (a repeat of an event
    is listed once), the sentence's position (news states the event first), inside a quote."""
    doc = tok.doc
    positions = doc_cache.per_doc(doc, "event_lemma_positions", _lemma_positions)
    before = sum(1 for i in positions.get(tok.lemma_.lower(), ()) if i < tok.i)
    sent_i = doc_cache.sentence_index(doc, tok.i)
    position = str(sent_i) if sent_i < 3 else "3_6" if sent_i < 7 else "7"
    feats = [_f("seen", min(before, 2)), _f("sent", position)]
    if doc_cache.per_doc(doc, "event_in_quote", _in_quote)[tok.i]:
        feats.append("in_quote")
    return feats


def all_trigger_features(tok: Token) -> list[str]:
    """Every trigger feature group (training writes them all; cross-validation chooses)."""
    from transforms.extract.events import trigger_evidence

    return trigger_features(tok, *trigger_evidence(tok))


def used_trigger_features(tok: Token) -> list[str]:
    """The features the trigger classifier was trained on (the groups in use, in the same
    order as `keep_groups(all_trigger_features(tok), trigger_groups())`)."""
    from transforms.extract.events import trigger_evidence

    return trigger_features(tok, *trigger_evidence(tok), groups=trigger_groups()) or ["x"]


def trigger_features(
    tok: Token,
    lexicon_types: list[str],
    subject: Token | None,
    subject_kind: str | None,
    groups: frozenset[str] | None = None,
) -> list[str]:
    """Features of one candidate trigger token (`lexicon_types`: what the lexicon says of its
    lemma and part of speech, conditions checked; `subject`: the rules' subject of its clause,
    `subject_kind`: the kind of party it names, if any), of the feature `groups` asked for
    (default: all; only those are built, which matters for speed)."""
    feats: list[str] = []

    def add(group: str, *parts: object) -> None:
        if groups is None or group in groups:
            feats.append(_f(group, *parts))

    lemma = _lemma(tok)
    head = tok.head
    add("l", lemma)
    add("p", tok.pos_)
    add("t", tok.tag_)
    add("d", tok.dep_)
    add("lp", lemma, tok.pos_)
    add("hl", _lemma(head))
    add("hp", head.pos_)
    add("ld", lemma, tok.dep_)
    add("hld", _lemma(head), tok.dep_)
    for t in lexicon_types:
        add("lex", t)
        add("lexl", t, tok.pos_)
    if not lexicon_types:
        add("lex", "none")
    for child in tok.children:
        dep = child.dep_
        if dep == "neg":
            add("neg")
        elif dep in ("aux", "auxpass"):
            add("aux", child.lower_)
        elif dep == "prt":
            add("prt", child.lower_)
            add("lprt", lemma, child.lower_)
        elif dep in ("dobj", "attr", "nsubjpass"):
            add("obj", _lemma(child))
            add("lobj", lemma, _lemma(child))
            add("objent", child.ent_type_ or "none")
        elif dep == "prep":
            add("prep", child.lower_)
            add("lprep", lemma, child.lower_)
        elif dep in ("xcomp", "ccomp"):
            add(dep, _lemma(child))
            add("l" + dep, lemma, _lemma(child))
        elif dep in ("compound", "amod") and tok.pos_ == "NOUN":
            add("mod", _lemma(child))
    if subject is not None:
        add("subjent", subject.ent_type_ or subject.pos_)
        add("subjl", _lemma(subject))
        add("subjkind", subject_kind or "none")
        for t in lexicon_types[:1]:
            add("lexsubj", t, subject_kind or "none")
    else:
        add("subj", "none")
    if groups is None or groups & {"seen", "sent", "in"}:
        feats += _context_features(tok)
    if groups is None or "anc" in groups:
        # the clause it sits in: under a speech verb, under a request, a future or a negation
        cur, steps = tok, 0
        while cur.head != cur and steps < 3:
            add("anc", steps, _lemma(cur.head))
            cur = cur.head
            steps += 1
    if tok.dep_ == "ROOT":
        add("root")
    # the lexicon's two nearest types by word vectors, bucketed by similarity (>= 0.6, >= 0.5)
    if groups is None or "vsim" in groups:
        for t, sim in lexicon_neighbours.similar_types(lemma):
            add("vsim", t, 3 if sim >= 0.6 else 2)
    return feats


@dataclass(frozen=True)
class Candidate:
    """A party that may be an event's actor or recipient: one named in the sentence (`token`
    is the head of its mention), or the story's own country (`token` None), which the
    classifier learns to take when the sentence names none that fits."""

    token: Token | None
    party: Party


def party_candidates(sent: Span) -> list[Candidate]:
    """Every token of `sent` that names a party: entity heads, group nouns, pronouns."""
    out: list[Candidate] = []
    seen: set[tuple[int, int]] = set()
    for tok in doc_cache.span_tokens(sent):
        if not (
            tok.pos_ in ("PROPN", "NOUN") or tok.lower_ in PRONOUNS or tok.lower_ in PERSON_PRONOUNS
        ):
            continue
        if tok.ent_type_ in PARTY_ENTS:
            # a multi-word entity is read once, from its syntactic root
            ent = next((e for e in doc_cache.span_ents(sent) if e.start <= tok.i < e.end), None)
            if ent is not None and ent.root != tok:
                continue
        try:
            party = party_for(tok)
        except Exception:  # noqa: BLE001 - an odd parse costs only this candidate
            party = None
        if party is None:
            continue
        key = (party.start_char, party.end_char)
        if key in seen:
            continue
        seen.add(key)
        out.append(Candidate(tok, party))
    return out


def _path(a: Token, b: Token) -> str:
    """Dependency path from a to b through their lowest common ancestor, at most 4 steps."""
    up_a = [a]
    while up_a[-1].head != up_a[-1] and len(up_a) < 8:
        up_a.append(up_a[-1].head)
    up_b = [b]
    while up_b[-1].head != up_b[-1] and len(up_b) < 8:
        up_b.append(up_b[-1].head)
    common = next((t for t in up_a if t in up_b), None)
    if common is None:
        return "far"
    ia, ib = up_a.index(common), up_b.index(common)
    if ia + ib > 4:
        return "far"
    ups = [t.dep_ for t in up_a[:ia]]
    downs = [t.dep_ + (f"_{t.lower_}" if t.dep_ == "prep" else "") for t in up_b[:ib]][::-1]
    return "^".join(ups) + "|" + "v".join(downs)


def argument_features(
    trigger: Token,
    args_head: Token,
    event_type: str,
    cand: Candidate,
    rule_subject: Token | None,
    rule_recipients: set[int],
    home_iso3: str | None,
) -> list[str]:
    """Features of one (trigger, candidate party) pair; `rule_subject` and `rule_recipients`
    (token indices) are what the dependency rules chose, given to the model as evidence;
    `home_iso3` is the story's most-mentioned country."""
    tok, party = cand.token, cand.party
    common = [
        _f("type", event_type),
        _f("kind", party.kind),
        _f("type_kind", event_type, party.kind),
        _f("tl", _lemma(trigger)),
    ]
    if home_iso3 and party.iso3 == home_iso3:
        common.append("is_home")
    if tok is None:
        return [*common, "virtual_home", _f("virtual_type", event_type)]
    path = _path(args_head, tok)
    tpath = _path(trigger, tok) if trigger != args_head else path
    dist = tok.i - trigger.i
    bucket = "0" if dist == 0 else ("l" if dist < 0 else "r") + str(min(abs(dist) // 3, 4))
    feats = [
        *common,
        _f("path", path),
        _f("tpath", tpath),
        _f("tpath", event_type, tpath),
        _f("dist", bucket),
        _f("ent", tok.ent_type_ or tok.pos_),
        _f("dep", tok.dep_),
        _f("headl", _lemma(tok.head)),
    ]
    if party.iso3:
        feats.append("has_iso3")
    if tok.lower_ in PRONOUNS or tok.lower_ in PERSON_PRONOUNS:
        feats.append("pronoun")
    if rule_subject is not None and (rule_subject.i == tok.i or tok in rule_subject.conjuncts):
        feats.append("rule_subject")
    if tok.i in rule_recipients:
        feats.append("rule_recipient")
    if tok.is_ancestor(trigger):
        feats.append("above_trigger")
    if trigger.is_ancestor(tok):
        feats.append("below_trigger")
    return feats


MODES = ["asserted", "announced", "hypothetical", "denied", "historical"]


def mode_features(head: Token, when, published, rule_mode: str) -> list[str]:
    """Features of an event's mode: the rules' answer, the clause's auxiliaries, negation,
    tense and marks, the verbs above it, and how far its date lies from publication."""
    feats = [_f("rule", rule_mode), _f("tag", head.tag_), _f("dep", head.dep_)]
    for child in head.children:
        if child.dep_ in ("aux", "auxpass"):
            feats.append(_f("aux", child.lower_))
        elif child.dep_ == "neg":
            feats.append("neg")
        elif child.dep_ == "mark":
            feats.append(_f("mark", child.lower_))
    cur, steps = head, 0
    while cur.head != cur and steps < 3:
        feats.append(_f("up", cur.dep_, _lemma(cur.head)))
        feats.append(_f("upl", _lemma(cur.head)))
        for child in cur.head.children:
            if child.dep_ in ("aux", "neg"):
                feats.append(_f("upaux", child.lower_))
        cur = cur.head
        steps += 1
    if when is None:
        feats.append("date_none")
        sent = doc_cache.sent_of(head)
        if any(t.like_num and len(t) == 4 and t.text[:2] in ("19", "20") for t in sent):
            feats.append("year_in_sentence")
    else:
        days = (published - when.date).days
        bucket = (
            "future" if days < 0 else "week" if days <= 7 else "month" if days <= 31
            else "year" if days <= 365 else "older"
        )  # fmt: skip
        feats += [_f("date", bucket), _f("prec", when.precision)]
    return feats
