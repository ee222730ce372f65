"""What the learned claim-stance classifier sees: one claim's cue, content and the rules' answer,
as feature words.

The rules give a claim the default stance of its cue verb (rules/claim_cues.yaml), changed by a
few content patterns; "said" carries most accusations and condemnations, so the cue alone cannot
tell them apart. The **stance classifier** (spaCy `textcat`, bag of words, trained by
`make train` on the labelled corpus: training/claims/) reads the cue lemma, the rules' stance,
whether the claim is a direct quote, and the content's own words, and says which stance the claim
takes (assert, accuse, condemn, demand, warn, promise, deny, deny_or_unconfirmed, other).
Training reads gold claims (cue lemma, content text) and the pipeline reads its own claims
through the same function, so the two see the same features.
"""

from __future__ import annotations

import re

from transforms.extract.event_features import _f

WORD = re.compile(r"[a-z][a-z']*")
NEGATIONS = {"not", "n't", "no", "never", "nothing", "none", "nobody", "neither", "nor"}
STANCES = [
    "assert", "accuse", "condemn", "demand", "warn", "promise", "deny", "deny_or_unconfirmed",
    "other",
]  # fmt: skip


def _words(text: str) -> list[str]:
    return WORD.findall(text.lower().replace("’", "'"))


def stance_features(cue_lemma: str, content: str, is_direct: bool, rule_stance: str) -> list[str]:
    """Features of one claim: cue, the rules' stance, directness, the content's words, its word
    pairs ("we will", "accused of", "must stop": 5-fold CV accuracy 0.737 against 0.728 with the
    words alone) and its first three words (which carry "should", "must", "will" ...), negation.
    (The sentence's words outside the content were tried: 5-fold CV accuracy 0.693 against
    0.699 without.)"""
    words = _words(content)
    long = [w for w in words if len(w) > 1]
    feats = [
        _f("cue", cue_lemma),
        _f("rule", rule_stance),
        _f("cue_rule", cue_lemma, rule_stance),
        "direct" if is_direct else "indirect",
    ]
    feats += [_f("w", w) for w in long]
    feats += [_f("bi", a, b) for a, b in zip(long, long[1:], strict=False)]
    feats += [_f("first", w) for w in words[:3]]
    if NEGATIONS & set(words) or any(w.endswith("n't") for w in words):
        feats.append("neg")
    return feats
