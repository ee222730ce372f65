"""What the learned pledge classifiers see: anchors, party candidates and their features, as words.

Two classifiers decide aid pledges (transforms/extract/pledges.py), both spaCy `textcat`
components with the bag-of-words architecture, trained by `make train` on the labelled corpus
(training/pledges/):
- the **statement classifier** reads one anchor of a sentence and says which stage of a transfer
  it states (pledged, allocated, delivered, requested, paused, resumed, denied), or NONE. An
  anchor is a money amount of the sentence ("$1 billion": the record has that amount) or the
  sentence itself (a transfer stated without an amount: "the U.S. sent vaccines to Nigeria");
- the **argument classifier** reads one (anchor, candidate party) pair and says whether the
  party is the donor, the recipient, or neither. The candidates are the sentence's parties
  (event_features.party_candidates) and the story's own country (a press release's "we").
The rule extractor's answers enter as features (its stage, whether it used this amount, the
donor and recipient it chose), so the model learns when to trust them. Training
(training/pledges/convert.py) and the pipeline call the same functions, so the two can never see
different features.
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Span, Token

from transforms.extract import doc_cache, event_features, word_clusters
from transforms.extract.event_features import Candidate, _f, _lemma
from transforms.extract.parties import home_party

NONE = "NONE"
STAGES = ["pledged", "allocated", "delivered", "requested", "paused", "resumed", "denied"]
DONOR, RECIPIENT, NEITHER = "donor", "recipient", "none"
CONTENT_POS = {"NOUN", "VERB", "ADJ", "ADV", "AUX", "PROPN", "ADP", "PART"}


@dataclass
class Anchor:
    """One place a pledge record can rest on: a money amount (`amount` set) or the sentence."""

    token: Token  # the amount's syntactic root, or the sentence root
    amount: object | None  # transforms.extract.money.Amount


@dataclass
class RuleHint:
    """What the rule extractor found in the sentence, as evidence for the classifiers."""

    stage: str
    amount_start: int | None  # char offset of the amount it used
    donor_token: Token | None
    recipient_token: Token | None


def anchors(sent: Span, amounts: list) -> list[Anchor]:
    """Every money amount of the sentence (by its root token), then the sentence itself."""
    out: list[Anchor] = []
    for amount in amounts:
        span = sent.doc.char_span(amount.start, amount.end, alignment_mode="expand")
        if span is None or not len(span):
            continue
        out.append(Anchor(span.root, amount))
    out.append(Anchor(sent.root, None))
    return out


def verb_above(tok: Token) -> Token:
    """The nearest verb at or above `tok` (the clause the anchor lies in)."""
    cur, steps = tok, 0
    while cur.pos_ not in ("VERB", "AUX") and cur.head != cur and steps < 6:
        cur = cur.head
        steps += 1
    return cur


def _clause(verb: Token) -> list[str]:
    feats = [_f("vl", _lemma(verb)), _f("vtag", verb.tag_)]
    for child in verb.children:
        if child.dep_ in ("aux", "auxpass"):
            feats.append(_f("aux", child.lower_))
        elif child.dep_ == "neg":
            feats.append("neg")
    if verb.dep_ in ("xcomp", "ccomp", "advcl", "conj") and verb.head != verb:
        feats.append(_f("upl", _lemma(verb.head)))
        feats += [_f("upaux", c.lower_) for c in verb.head.children if c.dep_ in ("aux", "neg")]
    return feats


def statement_features(anchor: Anchor, sent: Span, hints: list[RuleHint], n_amounts: int):
    """Features of one anchor: the sentence's words, the anchor's neighbourhood and clause, and
    what the rules found."""
    feats = [
        "a_amount" if anchor.amount is not None else "a_sentence",
        _f("n_amounts", min(n_amounts, 3)),
    ]
    for tok in doc_cache.span_tokens(sent):
        if tok.pos_ in CONTENT_POS and tok.is_alpha:
            feats.append(_f("w", _lemma(tok)))
            # the word's class from static vectors: aid words the labels never showed
            cls = word_clusters.classes(_lemma(tok))
            if cls is not None:
                feats.append(_f("wc", cls[1]))
    verb = verb_above(anchor.token)
    feats += _clause(verb)
    if anchor.amount is not None:
        tok = anchor.token
        feats += [_f("dep", tok.dep_), _f("h1", _lemma(tok.head)), _f("h1dep", tok.head.dep_)]
        if tok.head.head != tok.head:
            feats.append(_f("h2", _lemma(tok.head.head)))
        if tok.head.dep_ == "prep":
            feats.append(_f("prep", tok.head.lower_, _lemma(tok.head.head)))
        lo, hi = max(sent.start, tok.left_edge.i - 3), min(sent.end, tok.right_edge.i + 4)
        feats += [_f("win", _lemma(t)) for t in sent.doc[lo:hi] if t.is_alpha]
        feats += [_f("right", _lemma(c)) for c in tok.rights if c.is_alpha]
        feats.append(_f("cur", anchor.amount.currency or "none"))
        if anchor.amount.usd_stated:
            feats.append("usd_stated")
    for hint in hints:
        feats.append(_f("rule", hint.stage))
        if anchor.amount is not None and hint.amount_start == anchor.amount.start:
            feats.append(_f("rule_amount", hint.stage))
        if anchor.amount is None and hint.amount_start is None:
            feats.append(_f("rule_noamount", hint.stage))
    if not hints:
        feats.append("rule_none")
    return feats


def party_pairs(
    anchor: Anchor, parties: list[Candidate], hints: list[RuleHint]
) -> list[tuple[Candidate, list[str]]]:
    """(candidate, features) for every party of the sentence against one anchor, and for the
    story's own country when the sentence does not name it."""
    verb = verb_above(anchor.token)
    doc = anchor.token.doc
    home = doc_cache.per_doc(doc, "home_party", home_party)
    home_iso3 = home.iso3 if home is not None else None
    cands = list(parties)
    if home is not None and all(c.party.iso3 != home_iso3 for c in cands):
        cands.append(Candidate(None, home))
    donor_tok = next((h.donor_token for h in hints if h.donor_token is not None), None)
    recipients = {h.recipient_token.i for h in hints if h.recipient_token is not None}
    kind = "amount" if anchor.amount is not None else "sentence"
    # the countries of the rules' donor and recipients: another mention of the same country
    # ("German" in "German Foreign Minister ... said Germany will provide") is the same party
    donor_iso3 = {c.party.iso3 for c in cands if c.token is not None and c.token == donor_tok}
    recipient_iso3 = {
        c.party.iso3 for c in cands if c.token is not None and c.token.i in recipients
    }
    out = []
    for cand in cands:
        feats = event_features.argument_features(
            anchor.token, verb, kind, cand, donor_tok, recipients, home_iso3
        )
        if cand.party.iso3 and cand.party.iso3 in donor_iso3:
            feats.append("rule_donor_party")
        if cand.party.iso3 and cand.party.iso3 in recipient_iso3:
            feats.append("rule_recipient_party")
        if cand.token is not None:
            prep = next(
                (a for a in cand.token.ancestors if a.dep_ in ("prep", "dative", "agent")), None
            )
            if prep is not None and prep.head.i in {anchor.token.i, verb.i, anchor.token.head.i}:
                feats.append(_f("prep", prep.lower_))
        out.append((cand, feats))
    return out
