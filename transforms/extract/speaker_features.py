"""What the learned claim-speaker ranker sees: the candidate speakers of one claim, as words.

The claim rules pick a speaker from the cue's subject (resolving pronouns and titles); where the
subject is "the railway official", "It" or "U.S. Air Force Chief of Staff, General Dave
Goldfein", the person or body the story names nearby is often the real source. The **speaker
ranker** (spaCy `textcat`, bag of words, trained by `make train`: training/claims/) reads one
(claim, candidate) pair and says whether the candidate is the claim's speaker. Candidates are the
rules' own choice and every person, organization or country named in the claim's sentence and
the two sentences before it, outside the claim's content. Training (on the rules' claims matched
to gold in the train stories) and the pipeline call the same functions.
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Doc, Span

from transforms.extract import doc_cache
from transforms.extract.event_features import _f

SPEAKER_ENTS = ("PERSON", "ORG", "GPE", "NORP")
YES, NO = "speaker", "other"
WINDOW = 2  # sentences before the claim's own


@dataclass
class Candidate:
    text: str
    start: int
    end: int
    span: Span | None  # None: the rules' choice when it is no entity of the window
    is_rule: bool


def _overlaps(a0: int, a1: int, b0: int, b1: int) -> bool:
    return a0 < b1 and b0 < a1


def candidates(doc: Doc, row: dict) -> list[Candidate]:
    """The rules' speaker, then the window's entities (closest first, one per surface text)."""
    text = doc_cache.text(doc)
    rs, re_ = row["speaker_text_start"], row["speaker_text_end"]
    out = [Candidate(row["speaker_text"] or "", rs or 0, re_ or 0, None, True)]
    sents = doc_cache.sents(doc)
    si = row["sentence_index"]
    seen = set()
    window = [e for s in sents[max(0, si - WINDOW) : si + 1] for e in doc_cache.span_ents(s)]
    for ent in sorted(window, key=lambda e: -e.start_char):
        if ent.label_ not in SPEAKER_ENTS:
            continue
        if _overlaps(ent.start_char, ent.end_char, row["content_start"], row["content_end"]):
            continue
        key = text[ent.start_char : ent.end_char].lower()
        if key in seen:
            continue
        seen.add(key)
        if rs is not None and (ent.start_char, ent.end_char) == (rs, re_):
            out[0].span = ent
            continue
        out.append(Candidate(ent.text, ent.start_char, ent.end_char, ent, False))
    return out


def features(doc: Doc, row: dict, cand: Candidate, rank: int, counts: dict) -> list[str]:
    """Features of one (claim, candidate) pair; `rank` is its order among the window's
    entities (0 = closest before the cue), `counts` the story's mentions per lower-cased text."""
    rtype = row["speaker_type"] or "none"
    rule_text = (row["speaker_text"] or "").lower()
    pronoun = rule_text in {"he", "she", "they", "it", "we", "i"}
    ent = cand.span.label_ if cand.span is not None else "none"
    feats = [
        _f("rtype", rtype),
        _f("ent", ent),
        _f("rt_ent", rtype, ent),
        _f("cue", row["cue_lemma"]),
        "direct" if row["is_direct"] else "indirect",
    ]
    if pronoun:
        feats.append("rule_pronoun")
    resolved = row["speaker_start"] != row["speaker_text_start"]
    if resolved:
        feats.append("rule_resolved")  # the rules' speaker is an antecedent, not the subject
    method = row["method"].split("+")[0]
    if cand.is_rule:
        feats += ["is_rule", _f("is_rule", rtype), _f("is_rule_m", method)]
        feats.append(_f("is_rule_conf", int(10 * (row["confidence"] or 0))))
        if resolved:
            feats.append("is_rule_resolved")
        if pronoun:
            feats.append("is_rule_pronoun")
        if cand.span is None:
            feats.append("rule_not_entity")
        return feats
    rule_name = (row["speaker_name"] or "").lower().split()
    if rule_name and cand.text.lower().split()[-1:] == rule_name[-1:]:
        feats.append("same_as_rule")
    rs, re_ = row["speaker_text_start"], row["speaker_text_end"]
    cue = row["cue_start"]
    sent_of = doc_cache.sentence_index(doc, cand.span.start)
    dist = row["sentence_index"] - sent_of
    feats += [_f("sd", dist), _f("rank", min(rank, 4)), _f("sd_ent", dist, ent)]
    feats.append("before_cue" if cand.start < cue else "after_cue")
    if rs is not None and rs <= cand.start and cand.end <= re_:
        feats += ["in_rule_span", _f("in_rule_span", rtype, ent)]
    n = counts.get(cand.text.lower(), 0)
    feats.append(_f("mentions", min(n, 5)))
    root = cand.span.root
    feats += [_f("dep", root.dep_), _f("head", root.head.lemma_.lower())]
    if root.head.i == cue or root.head.idx == cue:
        feats.append(_f("cue_child", root.dep_))
    return feats


def mention_counts(doc: Doc) -> dict[str, int]:
    out: dict[str, int] = {}
    for ent in doc_cache.ents(doc):
        if ent.label_ in SPEAKER_ENTS:
            out[ent.text.lower()] = out.get(ent.text.lower(), 0) + 1
    return out


def pairs(doc: Doc, row: dict, counts: dict) -> list[tuple[Candidate, list[str]]]:
    cands = candidates(doc, row)
    return [(c, features(doc, row, c, i - 1, counts)) for i, c in enumerate(cands)]


def resolve(cand: Candidate, row: dict) -> dict:
    """The speaker columns of a claim row for a candidate (the rules' own columns for theirs)."""
    keys = ("speaker_text", "speaker_text_start", "speaker_text_end", "speaker_name",
            "speaker_type", "speaker_country_iso3", "speaker_start", "speaker_end")  # fmt: skip
    if cand.is_rule:
        return {k: row[k] for k in keys}
    from transforms.extract.parties import party_for

    try:
        party = party_for(cand.span.root)
    except Exception:  # noqa: BLE001 - an odd parse costs only this candidate's name
        party = None
    kind = {"PERSON": "person", "ORG": "organization"}.get(cand.span.label_, "country")
    name, iso3 = cand.text, None
    if party is not None:
        name, iso3 = party.name, party.iso3
        kind = {"group": "organization"}.get(party.kind, party.kind)
    values = (cand.text, cand.start, cand.end, name, kind, iso3, cand.start, cand.end)
    return dict(zip(keys, values, strict=True))


def same_party(cols: dict, row: dict) -> bool:
    """Whether a candidate's speaker columns (`resolve`) name the party the rules' speaker already
    names: the same surname ("Countryman" for the rules' "he" resolved to Thomas Countryman), a
    span inside the rules' own ("Joonkook Hwang" in "South Korean Ambassador Joonkook Hwang"), or
    the country of the body or person the rules named ("Pakistan" for "the Pakistan military").
    The rules' row is then kept: it is the more specific, and keeps the pronoun and its
    antecedent as two spans."""
    rule_name = (row["speaker_name"] or "").lower().split()
    name = (cols["speaker_name"] or "").lower().split()
    if rule_name and name and rule_name[-1] == name[-1]:
        return True
    rs, re_ = row["speaker_text_start"], row["speaker_text_end"]
    if rs is not None and rs <= cols["speaker_text_start"] and cols["speaker_text_end"] <= re_:
        return True
    iso3 = row["speaker_country_iso3"]
    return (
        cols["speaker_type"] == "country"
        and iso3 is not None
        and cols["speaker_country_iso3"] == iso3
    )
