"""What the learned cue classifier sees: one candidate cue token of a sentence, as feature words.

The rules find claims on the cue verbs of rules/claim_cues.yaml (and the cues `make train`
induced). Reporters use many more ("described X as", "questioned whether", "cited officials",
"pleaded with Y to"), and a listed verb is missed where the rules need a shape it lacks ("...,
saying that"). `claims.cue_candidates` turns every other verb of the text that has a speaker
(its subject, or the subject of the clause it hangs on) and a content (its that-clause, object,
infinitive or prepositional complement) into a candidate claim; the **cue classifier** (spaCy
`textcat`, bag of words, trained by `make train` on the train split: training/claims/) says which
candidates are claims. The features: the verb (lemma, its word classes from static vectors, so
what is learned on "contend" carries to "maintain"), whether a list has it, its place in the parse
and the verb it hangs on, its children, what kind of speaker and content it has.
"""

from __future__ import annotations

from spacy.tokens import Token

from transforms.extract import word_clusters
from transforms.extract.event_features import _f

YES, NO = "cue", "none"


def _bucket(n: int) -> str:
    return "1" if n <= 1 else "2_3" if n <= 3 else "4_8" if n <= 8 else "9_20" if n <= 20 else "21"


def cue_features(
    tok: Token,
    subj: Token,
    subj_kind: str,
    subj_via: str,
    content_kind: str,
    n_content_words: int,
    listed: str,
    flags: list[str],
) -> list[str]:
    """Features of one candidate: `tok` the cue verb, `subj` its speaker token, `subj_kind` what
    the speaker is (person, org, pronoun, unnamed, document ...), `subj_via` where the subject
    came from (the verb's own, or the clause above), `content_kind` which dependent gave the
    content (ccomp, xcomp_object, object, of ...), `listed` whether the hand list ("hand") or the
    induced list ("induced") has the lemma, `flags` other facts (content inside a quote, inside
    another claim's content, negated)."""
    lemma = tok.lemma_.lower()
    feats = [
        _f("l", lemma),
        _f("listed", listed),
        _f("tag", tok.tag_),
        _f("dep", tok.dep_),
        _f("hpos", tok.dep_, tok.head.pos_),
        _f("hl", tok.head.lemma_.lower()) if tok.head.i != tok.i else "hl_root",
        _f("ck", content_kind),
        _f("lck", lemma, content_kind),
        _f("sk", subj_kind),
        _f("sv", subj_via),
        _f("lsk", lemma, subj_kind),
        _f("cw", _bucket(n_content_words)),
        _f("sl", subj.lemma_.lower()) if subj.pos_ in ("NOUN", "PRON") else "sl_name",
    ]
    cls = word_clusters.classes(lemma)
    if cls is not None:
        feats += [_f("cc", cls[0]), _f("fc", cls[1]), _f("fck", cls[1], content_kind)]
    for child in tok.children:
        feats.append(_f("ch", child.dep_))
        if child.dep_ in ("prep", "prt", "neg", "aux", "mark", "advmod"):
            feats.append(_f("chw", child.dep_, child.lower_))
    feats += [_f("flag", f) for f in flags]
    return feats
