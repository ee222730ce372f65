"""The stage the words give a learned pledge anchor (an amount, or a statement without one).

The learned path's stage classifier (a bag of words) misses the grammar that names a stage; the
rules read it only where they find a pledge with both parties themselves. This reads the same
word lists at every anchor the statement classifier keeps, and its reading, when there is one,
decides the anchor's stage (`pledges.learned_found`). In this order:

1. a statement without an amount: the reading of its first aid noun that has one ("restoring
   humanitarian assistance", "denied funding");
2. a stage word inside the amount's own noun phrase: a stage noun ("$324 million in previously
   announced funds", "$600 billion commitment") or a participle / relative clause ("the $500
   million the United States has provided", "$250 million announced in March");
3. a request, budget or proposal as the subject of a clause above the anchor -> requested;
4. a strong stage noun (denied, requested, paused, resumed) between the anchor and its clause verb
   ("withholding of security aid");
5. a strong cue verb governing the clause verb ("asked Congress to provide", "delay ... aid"),
   except "seek to / commit to + transfer verb", the giver's own intention (pledged);
6. the clause verb's own stage (pledge, approve, distribute), when the anchor is in its object
   or prepositional phrase; a negated clause verb gives no reading;
7. the perfect of a transfer verb ("has provided $X") -> delivered;
8. a running total (rules/cumulative_cues.yaml) -> delivered, or pledged when planned /
   committed / pledged / announced / promised stand just before its amount;
9. will/would or plan/intend/seek to + a transfer verb -> pledged.
None: the words name no stage there, the classifier's stage stands.

The clause verb is the first verb above the anchor that does not only list parts ("this includes
$X": rules/anchor_stage.yaml `list_verbs`). Word lists: stage_cues.csv and aid_verbs.csv (shared
with the rules), anchor_stage_cues.csv (cue verbs and stage nouns read only here, so the rules'
own stage is unchanged) and anchor_stage.yaml. Written from the stage errors of the 5-fold
cross-validation over the train split (training/pledges/train.py measures them).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

import yaml
from spacy.tokens import Span, Token

RULES = Path(__file__).parent / "rules"
STRONG = frozenset({"denied", "requested", "paused", "resumed"})
_OBJECT_DEPS = ("dobj", "prep", "dative", "attr", "oprd", "nsubjpass", "npadvmod")
_STEPS = 8  # how far up the parse an anchor's chain of heads is followed


@dataclass(frozen=True)
class _Words:
    cues: dict[str, str]  # cue verb -> stage (stage_cues.csv and the VERB rows here)
    request_cues: frozenset[str]  # stage_cues.csv verbs that state a request (seek, ask)
    nouns: dict[str, str]  # stage noun -> stage (NOUN rows of anchor_stage_cues.csv)
    own: dict[str, str]  # aid verb -> the stage it states by itself (aid_verbs.csv)
    transfer: frozenset[str]  # aid verbs whose stage is their tense (give, provide)
    aid_nouns: frozenset[str]
    list_verbs: frozenset[str]
    future: frozenset[str]
    perfect: frozenset[str]
    future_heads: frozenset[str]
    request_subjects: frozenset[str]
    planned: re.Pattern
    planned_window: int


@functools.lru_cache(maxsize=1)
def words() -> _Words:
    # pledges.py imports this module: its lexicon reader is taken when first needed
    from transforms.extract.pledges import _read, lexicons

    nouns, verbs, cues = lexicons()
    rows = _read("anchor_stage_cues.csv")
    data = yaml.safe_load((RULES / "anchor_stage.yaml").read_text(encoding="utf-8"))
    return _Words(
        cues={**cues, **{r["lemma"]: r["stage"] for r in rows if r["pos"] == "VERB"}},
        request_cues=frozenset(k for k, s in cues.items() if s == "requested"),
        nouns={r["lemma"]: r["stage"] for r in rows if r["pos"] == "NOUN"},
        own={k: s for k, (_, s) in verbs.items() if s != "tense"},
        transfer=frozenset(k for k, (_, s) in verbs.items() if s == "tense"),
        aid_nouns=frozenset(
            [*(k for k, (_, aid) in nouns.items() if aid), *data["extra_aid_nouns"]]
        ),
        list_verbs=frozenset(data["list_verbs"]),
        future=frozenset(data["future_modals"]),
        perfect=frozenset(data["perfect_aux"]),
        future_heads=frozenset(data["future_heads"]),
        request_subjects=frozenset(data["request_subjects"]),
        planned=re.compile(data["planned_words"], re.IGNORECASE),
        planned_window=int(data["planned_window"]),
    )


def _lemma(tok: Token) -> str:
    return tok.lemma_.lower()


def _chain(tok: Token) -> list[Token]:
    """`tok` and its heads, up to the root or `_STEPS` steps."""
    out = [tok]
    while out[-1].head != out[-1] and len(out) <= _STEPS:
        out.append(out[-1].head)
    return out


def _aux(verb: Token) -> set[str]:
    return {c.lower_ for c in verb.children if c.dep_ in ("aux", "auxpass")}


def _is_verb(tok: Token) -> bool:
    return tok.pos_ in ("VERB", "AUX")


def anchor_stage(tok: Token, sent: Span, amounts: list) -> tuple[str, str] | None:
    """(stage, the words that gave it) for the anchor whose root token is `tok` (the amount's
    root, or the sentence root for a statement without an amount), or None. `amounts`: the
    sentence's money amounts (document offsets), for the running-total cue."""
    w = words()
    if tok.dep_ == "ROOT" and not (tok.like_num or tok.pos_ in ("NUM", "SYM")):
        # a statement without an amount: its aid noun's clause names the stage
        for t in sent:
            if t.pos_ == "NOUN" and _lemma(t) in w.aid_nouns:
                got = _reading(t, sent, amounts, w)
                if got:
                    return got[0], "aid noun: " + got[1]
    return _reading(tok, sent, amounts, w)


def _reading(tok: Token, sent: Span, amounts: list, w: _Words) -> tuple[str, str] | None:
    # an amount (or an aid noun) rather than the sentence root
    inner = tok.like_num or tok.pos_ in ("NUM", "SYM") or tok.text == "$" or tok.dep_ != "ROOT"
    if inner:
        got = _inner_reading(tok, w)
        if got:
            return got
    chain = _chain(tok)
    verb = next((t for t in chain if _is_verb(t) and _lemma(t) not in w.list_verbs), None)
    for t in chain:
        if _is_verb(t):
            subjects = [c for c in t.children if c.dep_ in ("nsubj", "nsubjpass")]
            if any(_lemma(s) in w.request_subjects for s in subjects):
                return "requested", "subject " + _lemma(subjects[0])
    for t in chain[1:7]:
        if verb is not None and t.i == verb.i:
            break
        if t.pos_ == "NOUN" and w.nouns.get(_lemma(t)) in STRONG:
            return w.nouns[_lemma(t)], "noun " + _lemma(t)
    if verb is None:
        return None
    got = _governing_cue(verb, w)
    if got:
        return got
    lemma = _lemma(verb)
    if any(c.dep_ == "neg" for c in verb.children):
        return None
    # "committed to provide", "pledged to invest": the giver's intention
    if (
        verb.dep_ == "xcomp"
        and verb.head.pos_ == "VERB"
        and w.cues.get(_lemma(verb.head)) == "pledged"
    ):
        return "pledged", "intention " + _lemma(verb.head) + " to " + lemma
    if verb.dep_ == "pcomp" and verb.head.lower_ == "to":
        above = verb.head.head
        if "pledged" in (w.cues.get(_lemma(above)), w.cues.get(re.sub(r"t?ed$", "", above.lower_))):
            return "pledged", "intention " + _lemma(above) + " to " + lemma
    inside = tok.i == verb.i or any(
        tok.i in {x.i for x in o.subtree} for o in verb.children if o.dep_ in _OBJECT_DEPS
    )
    if verb.pos_ == "VERB" and inside:
        delivers_on = lemma == "deliver" and any(c.lower_ == "on" for c in verb.children)
        if lemma in w.own and not delivers_on:
            return w.own[lemma], "verb " + lemma
        if lemma in w.cues and verb.i != tok.i:
            return w.cues[lemma], "cue verb " + lemma
    aux = _aux(verb)
    transfer = lemma in w.transfer
    if transfer and aux & w.perfect and verb.tag_ == "VBN" and not aux & w.future:
        return "delivered", "perfect " + lemma
    if (inner and tok.dep_ != "ROOT") or tok.like_num:
        got = _running_total(tok, sent, amounts, w)
        if got:
            return got
    if transfer:
        head = verb.head if verb.dep_ == "xcomp" else None
        if aux & w.future or (head is not None and _lemma(head) in w.future_heads):
            return "pledged", "future " + lemma
    return None


def _governing_cue(verb: Token, w: _Words) -> tuple[str, str] | None:
    """A strong stage noun or cue verb above the clause verb ("asked Congress to provide $X")."""
    for t in _chain(verb)[1:7]:
        lemma = _lemma(t)
        if t.pos_ == "NOUN" and w.nouns.get(lemma) in STRONG:
            return w.nouns[lemma], "noun " + lemma
        if t.pos_ == "VERB" and lemma in w.cues:
            if w.cues[lemma] not in STRONG:
                return None
            # "DFC will seek to invest $X": the giver's own intention, not a request
            if (
                lemma in w.request_cues
                and verb.dep_ == "xcomp"
                and verb.head.i == t.i
                and not any(c.dep_ in ("dobj", "dative") for c in t.children)
            ):
                return "pledged", "intention " + lemma + " to " + _lemma(verb)
            return w.cues[lemma], "cue " + lemma
        if t.dep_ == "ROOT":
            return None
    return None


def _inner_reading(tok: Token, w: _Words) -> tuple[str, str] | None:
    """A stage word inside the amount's own noun phrase: its head noun or an `in` object ("$324
    million in previously announced funds"), or a participle / relative clause ("the $500
    million the United States has provided", "$250 million announced in March")."""
    heads = [tok]
    if tok.head.pos_ in ("NOUN", "PROPN", "NUM", "SYM") and tok.head.i != tok.i:
        heads.append(tok.head)
    for h in list(heads):
        heads += [
            g
            for c in h.children
            if c.dep_ == "prep" and c.lower_ == "in"
            for g in c.children
            if g.dep_ == "pobj"
        ]
    for h in heads:
        if h.pos_ == "NOUN" and _lemma(h) in w.nouns and h.i != tok.i:
            return w.nouns[_lemma(h)], "noun " + _lemma(h)
        for c in h.children:
            if c.dep_ not in ("acl", "relcl") or c.pos_ != "VERB":
                continue
            lemma = _lemma(c)
            if lemma in w.own:
                return w.own[lemma], "clause verb " + lemma
            if lemma in w.cues:
                return w.cues[lemma], "clause cue " + lemma
            if lemma in w.transfer:
                aux = _aux(c)
                if aux & w.future:
                    return "pledged", "clause future " + lemma
                if (aux & w.perfect and c.tag_ == "VBN") or c.tag_ == "VBD":
                    return "delivered", "clause past " + lemma
    return None


def _running_total(tok: Token, sent: Span, amounts: list, w: _Words) -> tuple[str, str] | None:
    """A running total ("bringing total U.S. assistance to $600 million") is delivered, unless
    the words just before its amount say it was planned or committed."""
    from transforms.extract.pledge_totals import cumulative_cue  # it imports pledges.py

    own = [a for a in amounts if a.start <= tok.idx < a.end]
    at = (own[0].start if own else tok.left_edge.idx) - sent.start_char
    text = sent.text
    if not cumulative_cue(text, at):
        return None
    if w.planned.search(text[max(0, at - w.planned_window) : at].lower()):
        return "pledged", "running total (planned or committed)"
    return "delivered", "running total"
