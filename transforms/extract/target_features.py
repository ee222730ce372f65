"""Candidates and features of a claim's target: whom an accusation, condemnation, demand or
warning is aimed at (`fct_claims.target_text`), for the learned target ranker.

The candidates are the names (PERSON, ORG, GPE, NORP, LOC, FAC entities) and the noun phrases
(spaCy's noun chunks, pronouns left out) of the cue's sentence and of the claim's content, minus
the speaker's own words. Each is described by where it sits against the cue and the content, its
dependency and head, the preposition it hangs on, its path up to the cue, its kind, and whether
the rules chose it (`claims._target`). A `textcat` over those words (training/claims/train.py,
`target_groups`) scores each candidate as the target or not; the claim takes the best one when
its probability reaches the threshold chosen by cross-validation, else the rules' target.
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

from transforms.extract import doc_cache

TARGET_STANCES = frozenset({"accuse", "condemn", "demand", "warn"})
NAME_LABELS = frozenset({"PERSON", "ORG", "GPE", "NORP", "LOC", "FAC"})
YES, NO = "target", "other"


@dataclass(frozen=True)
class Candidate:
    text: str
    start: int  # character offsets in the Doc's text
    end: int
    root: Token
    kind: str  # the entity label, or "chunk"
    is_rule: bool  # the rules' target (claims._target)


def _overlaps(a: int, b: int, c: int | None, d: int | None) -> bool:
    return c is not None and d is not None and a < d and c < b


def candidates(doc: Doc, row: dict) -> list[Candidate]:
    """The target candidates of one claim row, in text order (see the module's docstring)."""
    cue = doc.char_span(row["cue_start"], row["cue_end"], alignment_mode="expand")
    if cue is None or not len(cue):
        return []
    sent = doc_cache.sent_of(cue[0])
    lo = min(sent.start_char, row["content_start"])
    hi = max(sent.end_char, row["content_end"])

    def allowed(a: int, b: int) -> bool:
        return (
            lo <= a
            and b <= hi
            and not _overlaps(a, b, row["speaker_start"], row["speaker_end"])
            and not _overlaps(a, b, row["speaker_text_start"], row["speaker_text_end"])
            and not _overlaps(a, b, row["cue_start"], row["cue_end"])
        )

    rule = (row.get("target_start"), row.get("target_end"))
    out: dict[tuple[int, int], Candidate] = {}
    spans: list[tuple[Span, str]] = [
        (e, e.label_) for e in doc_cache.ents(doc) if e.label_ in NAME_LABELS
    ]
    spans += [(c, "chunk") for c in _chunks(doc) if c.root.pos_ != "PRON"]
    for span, kind in spans:
        a, b = span.start_char, span.end_char
        if (a, b) in out or not allowed(a, b):
            continue
        if kind == "chunk" and any(s <= a < e or s < b <= e for s, e in out):
            continue  # a noun phrase around a name already listed: the name is the candidate
        out[(a, b)] = Candidate(span.text, a, b, span.root, kind, (a, b) == rule)
    return sorted(out.values(), key=lambda c: c.start)


def _chunks(doc: Doc) -> list[Span]:
    return doc_cache.per_doc(doc, "noun_chunks", lambda d: list(d.noun_chunks))


def _path(tok: Token, cue: Token) -> str:
    """The dependency labels from `tok` up to the cue (at most 4 steps): "dobj", "pobj>prep",
    or "out" when the cue is not above it."""
    deps, cur = [], tok
    for _ in range(4):
        if cur == cue:
            return ">".join(deps) or "self"
        deps.append(cur.dep_)
        if cur.head == cur:
            break
        cur = cur.head
    return "cue" if cur == cue else "out"


def features(doc: Doc, row: dict, cand: Candidate, rank: int, n: int) -> list[str]:
    """The words the target classifier reads for one candidate of one claim row."""
    cue = doc.char_span(row["cue_start"], row["cue_end"], alignment_mode="expand")[0]
    root = cand.root
    if row["content_start"] <= cand.start and cand.end <= row["content_end"]:
        where = "content"
    else:
        where = "before" if cand.start < row["cue_start"] else "after"
    content_root = doc.char_span(row["content_start"], row["content_end"], alignment_mode="expand")
    in_content_first = (
        where == "content"
        and content_root is not None
        and not any(
            t.ent_type_ or t.pos_ in ("NOUN", "PROPN")
            for t in doc[content_root.start : root.left_edge.i]
        )
    )
    path = _path(root, cue)
    stance, lemma = row["stance"], (row["cue_lemma"] or "").lower()
    feats = [
        f"k_{cand.kind}",
        f"w_{where}",
        f"d_{root.dep_}",
        f"h_{root.head.lemma_.lower()}",
        f"dh_{root.dep_}_{root.head.lemma_.lower()}",
        f"path_{path}",
        f"s_{stance}",
        f"c_{lemma}",
        f"cd_{lemma}_{root.dep_}",
        f"sw_{stance}_{where}",
        f"sk_{stance}_{cand.kind}",
        f"cpath_{lemma}_{path}",
        f"rank_{min(rank, 3)}",
        f"last_{rank == n - 1}",
        f"tag_{root.tag_}",
    ]
    if root.dep_ == "pobj":
        prep = root.head
        feats += [f"prep_{prep.lower_}", f"preph_{prep.lower_}_{prep.head.lemma_.lower()}"]
    if cand.kind == "chunk":
        feats.append(f"r_{root.lemma_.lower()}")
    if in_content_first:
        feats.append("content_first")
    if root.dep_ in ("nsubj", "nsubjpass") and where == "content":
        feats.append("content_subject")
    if cand.is_rule:
        feats.append("rule")
    return feats
