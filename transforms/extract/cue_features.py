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
and the verb it hangs on, its children, what kind of speaker and content it has; then the
content's own shape (a "that" / "whether" clause with a subject and a modal reads as a statement,
a bare noun phrase as an action's object), whether the speaker is named or a common noun and its
entity type, what the sentence holds besides (a rules claim, a listed cue, a quotation), the
listed cue verb the candidate's clause hangs under (the speech verb of "X said the House will
appoint managers": half of the train candidates whose content is a gold claim's sit on such an
embedded verb), and the lemma crossed with its tag and where its subject came from.
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
    content: list[Token] | tuple = (),
    sentence: list[str] | tuple = (),
    governor: list[str] | tuple = (),
) -> list[str]:
    """Features of one candidate: `tok` the cue verb, `subj` its speaker token, `subj_kind` what
    the speaker is (person, org, pronoun, unnamed, document ...), `subj_via` where the subject
    came from (the verb's own, or the clause above), `content_kind` which dependent gave the
    content (ccomp, xcomp_object, object, of ...), `listed` whether the hand list ("hand") or the
    induced list ("induced") has the lemma, `flags` other facts (content inside a quote, inside
    another claim's content, negated), `content` the content's tokens, `sentence` facts of the
    cue's sentence (claims._sentence_facts), `governor` the verb the cue's clause hangs under
    (claims._governor)."""
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
    if content:
        feats += _content_features(tok, lemma, content)
    feats += _speaker_features(subj, lemma)
    feats += [_f("cx", f) for f in sentence]
    feats.append(_f("cx", "root" if tok.dep_ == "ROOT" else "nonroot"))
    feats += [_f(f) for f in governor]
    feats += [_f("ltag", lemma, tok.tag_), _f("lsv", lemma, subj_via)]
    if cls is not None:
        feats += [_f("fsk", cls[1], subj_kind), _f("csk", cls[0], subj_kind)]
    return feats


# closed-class words a content opens with ("that", "whether", a pronoun subject, an article);
# any other first word counts by its part of speech
FUNCTION_STARTS = frozenset(
    "that whether if to the a an how why what when it he she they we i there his her their its"
    .split()
)  # fmt: skip
MODALS = frozenset("will would could should must may might can shall".split())
SUBJECT_DEPS = ("nsubj", "nsubjpass", "expl")


def _content_features(tok: Token, lemma: str, content: list[Token]) -> list[str]:
    """The content's shape: its first word, its mark ("that", "whether", "if", also when the
    parse left it before the content), the tag and part of speech of its root, the root's modal,
    negation and subject (a clause with a subject is what is said; a noun phrase mostly what is
    done), and whether it follows the cue and how far."""
    ids = {t.i for t in content}
    roots = [t for t in content if t.head.i not in ids or t.head.i == t.i]
    root = roots[0] if roots else content[0]
    first = content[0].lower_
    out = [_f("cf", first if first in FUNCTION_STARTS else content[0].pos_)]
    marks = [c.lower_ for c in root.children if c.dep_ == "mark"]
    mark = marks[0] if marks else "none"
    prev = tok.doc[content[0].i - 1] if content[0].i else None
    if prev is not None and prev.lower_ in ("that", "whether", "if") and mark == "none":
        mark = prev.lower_
    out += [_f("cm", mark), _f("lcm", lemma, mark), _f("crt", root.tag_), _f("crp", root.pos_)]
    for c in root.children:
        if c.dep_ in ("aux", "auxpass") and c.lower_ in MODALS:
            out.append(_f("cmod", c.lower_))
        if c.dep_ == "neg":
            out.append("cneg")
        if c.dep_ in SUBJECT_DEPS:
            out.append(_f("csub", c.pos_))
    if not any(c.dep_ in SUBJECT_DEPS for c in root.children):
        out.append("csub_none")
    out.append("cafter" if content[0].i > tok.i else "cbefore")
    gap = content[0].i - tok.i
    out.append(_f("cgap", _bucket(gap) if gap > 0 else "neg"))
    return out


def _speaker_features(subj: Token, lemma: str) -> list[str]:
    """The speaker: named (a proper noun in its phrase) or a common noun, also crossed with the
    lemma ("announce" by a named body vs by "the plan"), its phrase's entity types, number, an
    apposition, and the word classes of a common-noun head (what is learned on "officials"
    carries to "authorities")."""
    named = "named" if any(t.pos_ == "PROPN" for t in subj.subtree) else "common"
    out = [_f("sn", named), _f("lsn", lemma, named)]
    out += [_f("se", e) for e in sorted({t.ent_type_.lower() for t in subj.subtree if t.ent_type_})]
    out.append(_f("snum", "pl" if subj.tag_ in ("NNS", "NNPS") else "sg"))
    if any(c.dep_ == "appos" for c in subj.children):
        out.append("sappos")
    cls = word_clusters.classes(subj.lemma_.lower()) if subj.pos_ == "NOUN" else None
    if cls is not None:
        out += [_f("scc", cls[0]), _f("sfc", cls[1])]
    return out
