"""Claims: who said what, with which cue and stance, from one parsed article.

Two passes over a spaCy Doc (the article text exactly as stored, so offsets index it):

1. Direct quotes. Quotation marks are paired on the raw text (curly and straight; a quote that
   runs over paragraphs reopens each paragraph). Each quote is tied to the nearest speech verb
   next to it in the same sentence ("...," Zelenskyy said. / Sybiha said, "..."), or to a cue
   verb whose object it is (Choe expressed "sincere, warm, comradely greetings"). A long quote
   with no cue of its own continues the previous quote's speaker (same or previous paragraph);
   short quotes without a cue are scare quotes and stay inside the indirect claim around them.
2. Indirect speech from the dependency parse: a cue verb (rules/claim_cues.yaml) with a subject
   and a content dependent (that-clause, object, infinitive, "accused Y of ..."), plus
   "according to X" and "as reported by X". Joint subjects give one claim per conjunct; two
   that-clauses after one cue give two claims.

Speakers are resolved within the article (see `SpeakerResolver`): person names and surnames to
the full name named before, pronouns to the last person (or group) that spoke or was the subject
before, role nouns ("the Russian leader") to the person the article gave that role, and the
rest typed as country, government, organization, document or unnamed source. The offsets of the
resolved mention are kept (speaker_start/speaker_end) so dbt joins the claim to the actor of that
entity mention.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import re
from bisect import bisect_right
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path

import polars as pl
import yaml
from spacy.tokens import Doc, Span, Token

from transforms.extract import (
    claim_features,
    cue_features,
    doc_cache,
    speaker_features,
    target_features,
    textcat,
)
from transforms.extract.numbers import numbers_in
from transforms.extract.quotes import (  # noqa: F401 (find_quotes, Quote: re-exported)
    CONTENT_STRIP,
    Quote,
    doc_quotes,
    ends_with_close_mark,
    find_quotes,
    is_close_mark,
    is_open_mark,
)
from transforms.file_cache import cached_json
from transforms.refdata import (
    country_alias,
    country_short_names,
    normalize_surface,
    organizations,
)

RULES = Path(__file__).parent / "rules" / "claim_cues.yaml"

CLAIM_SCHEMA = {
    "claim_id": pl.String,
    "article_id": pl.String,
    "sentence_index": pl.Int32,
    "speaker_text": pl.String,
    "speaker_text_start": pl.Int32,
    "speaker_text_end": pl.Int32,
    "speaker_name": pl.String,
    "speaker_type": pl.String,
    "speaker_country_iso3": pl.String,
    "speaker_start": pl.Int32,
    "speaker_end": pl.Int32,
    "cue": pl.String,
    "cue_lemma": pl.String,
    "cue_start": pl.Int32,
    "cue_end": pl.Int32,
    "content": pl.String,
    "content_start": pl.Int32,
    "content_end": pl.Int32,
    "is_direct": pl.Boolean,
    "stance": pl.String,
    "target_text": pl.String,
    "target_start": pl.Int32,
    "target_end": pl.Int32,
    "confidence": pl.Float64,
    "method": pl.String,
    "rules_version": pl.String,
    "extractor_version": pl.String,
}
CLAIM_NUMBER_SCHEMA = {
    "claim_id": pl.String,
    "article_id": pl.String,
    "number_text": pl.String,
    "number_start": pl.Int32,
    "number_end": pl.Int32,
    "value": pl.Float64,
    "unit": pl.String,
    "subject": pl.String,
    "extractor_version": pl.String,
}

SUBJECT_DEPS = ("nsubj", "nsubjpass")


@dataclass(frozen=True)
class Rules:
    version: str
    cues: dict
    phrases: list
    quote_verbs: frozenset
    content_stance: list
    person_pronouns: frozenset
    group_pronouns: frozenset
    person_roles: frozenset
    unnamed_heads: frozenset
    document_heads: frozenset
    government_words: re.Pattern  # any of the words as a whole word
    org_nouns: frozenset
    country_heads: frozenset
    media_words: frozenset
    media_names: frozenset
    described_speakers: bool  # "the Trump administration" keeps its words (described())
    appositive_names: bool  # "the journalist's lawyer, Duch Piseth," speaks as Duch Piseth
    spell_out_acronyms: bool  # SpeakerResolver.spelled_out: "DHS" -> the story's full name
    learned_speaker_country: bool  # story_country: the country chooser first
    subject_appositives: bool  # person_antecedent: an appositive counts only beside a subject
    target_pronouns: frozenset  # _target: a pronoun object of the cue names its antecedent
    described_not_person: bool  # "the Trump administration" is no antecedent of "he"
    recent_named_person: bool  # "Take ... Sibusiso Sithole, for example. ..., he said"
    trailing_person_names: bool  # "The mayor of London, Sadiq Khan, said": Sadiq Khan
    appositive_orgs: bool  # "the Islamist militant group al-Shabab" speaks as al-Shabab
    who_clause_persons: bool  # "Chalida Tajaroensuk, who heads ..." (tagged ORG) is a person
    withheld_negations: frozenset  # "has not said whether ...": `withheld`
    withheld_refusals: frozenset  # "declined to say ..."
    withheld_stance: str
    dateline: re.Pattern  # "WASHINGTON — " opening a story: not part of a claim's content
    definite_role_country: bool  # "the U.S. leader" -> the person titled "U.S. President ..."
    same_role_word: bool  # "the spokesman" -> the person introduced as a spokesman first
    entity_cut_names: bool  # "The Kenya Center [for Disease Control]": the entity's whole name
    comma_names: bool  # "the city's mayor, Jane Doyle, said" (misparsed) speaks as Jane Doyle
    more_full_names: bool  # full names: "Wang JunHao" (NER cut "Wang"), persons tagged ORG
    document_authors: bool  # "data from the Housing Data Archive" speaks as the archive
    inverted_split_quotes: bool  # '"We stand ready" tweeted Johnson "to help ..."': both parts
    adjunct_before_quote: bool  # 'Trump said on Friday "I can do it"': the adjunct is no object
    appositive_subjects: bool  # 'Speaking to AFP, the head of X, Jane Doe, said': Jane Doe
    adverb_claims: bool  # "The fire reportedly started at 7 p.m.": a claim of unnamed reports
    phrase_contents: bool  # phrases with their own content kinds ("called for an inquiry")
    quoted_reports: bool  # '"The charter says the courts are free," he said': the charter's too
    long_subject_quotes: bool  # '"...," Maria Lopez, an economist at ..., said': past 8 words
    conjoined_clauses: bool  # "said the roof fell in and everyone screamed": two claims
    according_to_clause: bool  # "X happened according to Y's report on Monday, which ...": X
    told_addressees: bool  # "Such matters, he told VOA, should be decided": VOA is no content
    object_asides: bool  # "criticized the plan, which ...": the object without its aside
    participle_cues: bool  # "..., saying the talks had failed": the head clause's subject
    pronoun_chains: bool  # "For Smith, ... he has ... '...,' he said": the earlier "he"'s person
    reported_adverbs: frozenset  # the adverbs ("reportedly")
    reported_adverb_speaker: str  # the speaker they name ("unnamed reports")


# Cue verbs induced from the labelled corpus by `make train` (training/claims/train.py): the
# lemmas its train stories use as claim cues often enough, that the hand list lacks. The hand
# list wins where both have a lemma. None: read transforms/models/claims/cues.json if built.
INDUCED_CUES_OVERRIDE: dict | None = None


def induced_cues() -> dict:
    if INDUCED_CUES_OVERRIDE is not None:
        return INDUCED_CUES_OVERRIDE
    path = Path(__file__).resolve().parents[1] / "models" / "claims" / "cues.json"
    if not path.exists():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))["cues"]


@functools.lru_cache(maxsize=1)
def rules() -> Rules:
    with RULES.open(encoding="utf-8") as fh:
        raw = yaml.safe_load(fh)
    return Rules(
        version=str(raw["version"]),
        cues={**induced_cues(), **raw["cues"]},
        phrases=raw["phrases"],
        quote_verbs=frozenset(raw["quote_verbs"]) | frozenset(raw["cues"]),
        # one alternation per stance: it matches where any of the stance's patterns does
        content_stance=[
            (item["stance"], re.compile("|".join(f"(?:{p})" for p in item["patterns"])))
            for item in raw["content_stance"]
        ],
        person_pronouns=frozenset(raw["pronouns"]["person"]),
        group_pronouns=frozenset(raw["pronouns"]["group"]),
        person_roles=frozenset(raw["person_roles"]),
        unnamed_heads=frozenset(raw["unnamed_heads"]),
        document_heads=frozenset(raw["document_heads"]),
        government_words=re.compile(
            r"\b(?:" + "|".join(re.escape(w) for w in raw["government_words"]) + r")\b"
        ),
        org_nouns=frozenset(raw["org_nouns"]),
        country_heads=frozenset(raw["country_heads"]),
        media_words=frozenset(raw["media"]["words"]),
        media_names=frozenset(raw["media"]["names"]),
        described_speakers=bool(raw.get("described_speakers", False)),
        appositive_names=bool(raw.get("appositive_names", False)),
        spell_out_acronyms=bool(raw.get("spell_out_acronyms", False)),
        learned_speaker_country=bool(raw.get("learned_speaker_country", False)),
        subject_appositives=bool(raw.get("subject_appositives", False)),
        target_pronouns=frozenset(raw.get("target_pronouns", [])),
        described_not_person=bool(raw.get("described_not_person", False)),
        recent_named_person=bool(raw.get("recent_named_person", False)),
        trailing_person_names=bool(raw.get("trailing_person_names", False)),
        appositive_orgs=bool(raw.get("appositive_orgs", False)),
        who_clause_persons=bool(raw.get("who_clause_persons", False)),
        withheld_negations=frozenset(raw["withheld"]["negations"]),
        withheld_refusals=frozenset(raw["withheld"]["refusals"]),
        withheld_stance=raw["withheld"]["stance"],
        dateline=re.compile(raw["dateline"]),
        definite_role_country=bool(raw.get("definite_role_country", False)),
        same_role_word=bool(raw.get("same_role_word", False)),
        entity_cut_names=bool(raw.get("entity_cut_names", False)),
        comma_names=bool(raw.get("comma_names", False)),
        more_full_names=bool(raw.get("more_full_names", False)),
        document_authors=bool(raw.get("document_authors", False)),
        inverted_split_quotes=bool(raw.get("inverted_split_quotes", False)),
        adjunct_before_quote=bool(raw.get("adjunct_before_quote", False)),
        appositive_subjects=bool(raw.get("appositive_subjects", False)),
        adverb_claims=bool(raw.get("adverb_claims", False)),
        phrase_contents=bool(raw.get("phrase_contents", False)),
        quoted_reports=bool(raw.get("quoted_reports", False)),
        long_subject_quotes=bool(raw.get("long_subject_quotes", False)),
        conjoined_clauses=bool(raw.get("conjoined_clauses", False)),
        participle_cues=bool(raw.get("participle_cues", False)),
        object_asides=bool(raw.get("object_asides", False)),
        told_addressees=bool(raw.get("told_addressees", False)),
        according_to_clause=bool(raw.get("according_to_clause", False)),
        pronoun_chains=bool(raw.get("pronoun_chains", False)),
        reported_adverbs=frozenset(raw.get("reported_adverbs", {}).get("words", [])),
        reported_adverb_speaker=raw.get("reported_adverbs", {}).get("speaker", ""),
    )


def country_of(text: str) -> tuple[str, str] | None:
    return country_alias(text)


# ---------------------------------------------------------------------------------------------
# Quotes


# The conventions and their pairing live in transforms/extract/quotes.py (also read by the event
# and party features); re-exported here for the callers of claims.find_quotes.


# ---------------------------------------------------------------------------------------------
# Claims


@dataclass
class Speaker:
    text: str
    text_start: int
    text_end: int
    name: str | None = None
    type: str | None = None
    country: str | None = None
    ref_start: int | None = None
    ref_end: int | None = None
    head_lemmas: frozenset = frozenset()
    described: bool = False  # named by its own description (SpeakerResolver.described)

    def named_again(self, text: str, start: int, end: int, **changes) -> Speaker:
        """This party, named again by `text` at start-end ("they", "the spokesman", an
        acronym): its name, type, country and reference, with `changes` (another reference, more
        head words)."""
        return dataclasses.replace(
            self, text=text, text_start=start, text_end=end, described=False, **changes
        )


@dataclass
class Claim:
    cue_tokens: list[Token]
    cue_lemma: str
    content_start: int
    content_end: int
    is_direct: bool
    stance: str
    speaker_head: Token | None
    method: str
    confidence: float
    target: Span | Token | None = None
    speaker: Speaker | None = None
    inherited: Claim | None = None  # a quote continuing an earlier quote's speaker
    extra: dict = field(default_factory=dict)

    @property
    def cue_start(self) -> int:
        return min(t.idx for t in self.cue_tokens)

    @property
    def cue_end(self) -> int:
        return max(t.idx + len(t.text) for t in self.cue_tokens)


def _strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and (text[start] in CONTENT_STRIP):
        start += 1
    while end > start and text[end - 1] in CONTENT_STRIP:
        end -= 1
    return start, end


def _token_span(tokens: list[Token]) -> tuple[int, int]:
    tokens = [t for t in tokens if not t.is_space]
    return min(t.idx for t in tokens), max(t.idx + len(t.text) for t in tokens)


def _subtree_chars(tok: Token, exclude: set[int] | None = None) -> tuple[int, int]:
    toks = [t for t in tok.subtree if not t.is_space and (exclude is None or t.i not in exclude)]
    if not toks:
        return tok.idx, tok.idx + len(tok.text)
    return _token_span(toks)


def _subject(verb: Token) -> Token | None:
    subjects = [c for c in verb.children if c.dep_ in SUBJECT_DEPS]
    if len(subjects) > 1:  # "The charity Doctors Without Borders says": two nsubj in a bad parse
        named = [c for c in subjects if any(t.pos_ == "PROPN" for t in c.subtree)]
        return (named or subjects)[-1]
    for child in subjects:
        return child
    # conjoined verbs share the subject: "condemned ... and demanded"; "met ... and said"
    if verb.dep_ in ("conj", "xcomp") and verb.head.pos_ in ("VERB", "AUX"):
        return _subject(verb.head)
    return _misparsed_subject(verb)


def _quote_subject(verb: Token) -> Token | None:
    """The speaker of '"...," warned Asli Aydintasbas': the parser may call it attr or dobj."""
    subj = _subject(verb)
    if subj is not None:
        return subj
    for child in verb.rights:
        if child.dep_ in ("attr", "dobj", "npadvmod") and child.pos_ in ("PROPN", "NOUN", "PRON"):
            return child
    return None


def _misparsed_subject(verb: Token) -> Token | None:
    """A root cue with no subject whose subject the parser hung on an opening phrase:
    "In Seoul, South Korea and the European Union jointly condemned ..." (Korea: conj of Seoul)."""
    if verb.dep_ != "ROOT":
        return None
    j = verb.i - 1
    if rules().appositive_subjects and j >= 1 and verb.doc[j].text == ",":
        # "Speaking to AFP, the president of the league, Jamel Msallem, said": the name the
        # parser hung in apposition on the opening phrase, right before the verb
        name = verb.doc[j - 1]
        if name.pos_ == "PROPN" and name.dep_ == "appos" and name.head.i < name.i:
            return name
    while j >= 0 and verb.doc[j].pos_ in ("ADV", "AUX", "PART"):
        j -= 1
    if j < 0 or verb.doc[j].pos_ not in ("PROPN", "NOUN") or verb.doc[j].dep_ != "conj":
        return None
    head = verb.doc[j]
    while head.dep_ == "conj" and head.head.dep_ == "conj":
        head = head.head
    return head


def _addressee(verb: Token, obj: Token) -> bool:
    """The object of "told" naming whom it was told to, a name or a pronoun ("Such matters, he
    told VOA, should be decided ...", "..., she told him, ..."): no content of its own."""
    return (
        verb.lemma_.lower() == "tell"
        and obj.dep_ == "dobj"
        and (obj.pos_ in ("PROPN", "PRON") or bool(obj.ent_type_))
    )


def _participle_subject(verb: Token) -> Token | None:
    """A cue in a participle clause speaks as the subject of the clause it modifies ("The
    minister left the meeting early, saying the talks had failed", "..., calling on donors to
    ..."): rules' participle_cues."""
    if not rules().participle_cues or verb.tag_ != "VBG" or verb.dep_ not in ("advcl", "conj"):
        return None
    head = verb.head
    if head.i == verb.i or head.pos_ not in ("VERB", "AUX") or head.i > verb.i:
        return None
    subj = _subject(head)
    if subj is None or subj.dep_ == "nsubjpass" or subj.i > verb.i:
        return None
    return subj


def _relative_subject(subj: Token) -> Token:
    """'Lynch, who runs a firm, said' parses 'who' as subject of relcl; the speaker is Lynch."""
    if subj.lower_ in ("who", "which", "that") and subj.head.dep_ == "relcl":
        return subj.head.head
    return subj


def _conjuncts(head: Token) -> list[Token]:
    """The joint speakers a subject names ("South Korea and the European Union"); a conjunct
    inside the head's own entity is part of its name ("the Islamic State of Iraq and the
    Levant")."""
    out = [head]
    for child in head.children:
        if (
            child.dep_ == "conj"
            and child.pos_ in ("PROPN", "NOUN", "PRON")
            and not _same_entity(head, child)
        ):
            out.extend(_conjuncts(child))
    return out


def _same_entity(a: Token, b: Token) -> bool:
    lo, hi = sorted((a.i, b.i))
    return bool(a.ent_type_) and all(t.ent_iob_ == "I" for t in a.doc[lo + 1 : hi + 1])


def _cue_words(verb: Token) -> list[Token]:
    """The cue as written: the verb plus its particle and the reporters/VOA of 'told reporters'."""
    words = [verb]
    for child in verb.children:
        if child.dep_ == "prt":
            words.append(child)
        if child.dep_ == "dobj" and child.lower_ == "reporters" and verb.lemma_ == "tell":
            words.append(child)
    for child in verb.children:
        if child.dep_ in ("aux",) and child.lemma_ == "be" and verb.tag_ == "VBG":
            words.append(child)
    return sorted(words, key=lambda t: t.i)


def _phrase_cue(verb: Token) -> tuple[list[Token], str, str] | None:
    """Multi-word cues of rules/claim_cues.yaml: neither confirmed nor denied; called on. A
    phrase with content kinds of its own ("called for") only with the phrase_contents switch."""
    lem = verb.lemma_.lower()
    for phrase in rules().phrases:
        words = phrase["words"]
        if "content" in phrase and not rules().phrase_contents:
            continue
        if words[0] == "neither" and lem == words[1]:
            pre = [c for c in verb.children if c.dep_ == "preconj" and c.lower_ == "neither"]
            conj = [c for c in verb.children if c.dep_ == "conj" and c.lemma_ == words[3]]
            nor = [c for c in verb.children if c.dep_ == "cc" and c.lower_ == "nor"]
            if pre and conj:
                return [pre[0], verb, *nor, conj[0]], phrase["lemma"], phrase["stance"]
        elif len(words) == 2 and lem == words[0]:
            part = [c for c in verb.children if c.dep_ in ("prep", "prt") and c.lower_ == words[1]]
            if not part and "content" in phrase:  # "called for the charges to be dropped"
                part = [m for m in _clause_marks(verb) if m.lower_ == words[1]]
            if part:
                return [verb, part[0]], phrase["lemma"], phrase["stance"]
    return None


def _quoted_report(verb: Token) -> bool:
    """A report nested inside someone's quote ('"The charter says the courts are independent,
    but ..." said ...'): a cue with a that-clause whose subject is no pronoun (a quoted "I think"
    or "he says" stays the quote's)."""
    subj = _subject(verb)
    return (
        subj is not None and subj.pos_ != "PRON" and any(c.dep_ == "ccomp" for c in verb.children)
    )


def _clause_marks(verb: Token) -> list[Token]:
    """The marks that open a clause of the verb right after it: the "for" of "called for the
    charges to be dropped" (the parser's advcl with a subject of its own)."""
    return [
        m
        for c in verb.rights
        if c.dep_ in ("advcl", "ccomp", "xcomp")
        for m in c.children
        if m.dep_ == "mark" and m.i == c.left_edge.i
    ]


def _phrase_kinds(cue_lemma: str, kinds: list[str]) -> list[str]:
    """A phrase's own content kinds ("called for X": for_phrase), else its verb's."""
    phrase = next((p for p in rules().phrases if p["lemma"] == cue_lemma), {})
    return list(phrase.get("content", kinds))


def _nonrestrictive(root: Token) -> set[int]:
    """Token ids of ', where ...' / ', which ...' relative clauses under root (cut from content)."""
    out: set[int] = set()
    for tok in root.subtree:
        if tok.dep_ == "relcl" and tok.left_edge.lower_ in ("where", "which"):
            prev = tok.doc[tok.left_edge.i - 1] if tok.left_edge.i else None
            if prev is not None and prev.text == ",":
                out |= {t.i for t in tok.subtree} | {prev.i}
    return out


def _ccomp_contents(verb: Token, text: str) -> list[tuple[int, int]]:
    """That-clauses: one range each, 'that' dropped; 'that A and that B' gives two ranges."""
    out = []
    for child in verb.children:
        if child.dep_ != "ccomp":
            continue
        split = [
            c
            for c in child.children
            if c.dep_ == "conj"
            and (
                any(m.dep_ == "mark" and m.lower_ == "that" for m in c.children)
                or (rules().conjoined_clauses and _own_clause(c))
            )
        ]
        exclude = _nonrestrictive(child)
        for c in split:
            exclude |= {t.i for t in c.subtree}
            exclude |= {t.i for t in child.children if t.dep_ == "cc" and t.i < c.i}
        for part, excl in [(child, exclude)] + [(c, None) for c in split]:
            toks = [t for t in part.subtree if (excl is None or t.i not in excl) and not t.is_space]
            # drop a leading 'that' (mark) and trailing punctuation
            while toks and (toks[0].lower_ == "that" and toks[0].dep_ in ("mark", "dobj")):
                toks = toks[1:]
            while toks and toks[0].is_punct:
                toks = toks[1:]
            while split and toks and (toks[-1].is_punct or toks[-1].dep_ == "cc"):
                toks = toks[:-1]  # "... was closed and": the "and" before the next clause
            if toks:
                a, b = _token_span(toks)
                out.append(_strip_span(text, a, b))
    # "told the official that she had..." can parse 'that' as the object of a clause
    return out


def _own_clause(conj: Token) -> bool:
    """A conjoined verb with a subject of its own: a second reported clause ("said the roof fell
    in and everyone started screaming"), not a second predicate of the first clause's subject."""
    return conj.pos_ in ("VERB", "AUX") and any(
        c.dep_ in SUBJECT_DEPS and c.lower_ not in ("who", "which", "that") for c in conj.children
    )


def _object_aside(obj: Token, toks: list[Token]) -> int | None:
    """Where the first aside a comma opens inside an object's words begins (the comma's index): a
    non-restrictive relative clause (", which takes effect in May", ", who ...") or an apposition
    (", a move that drew criticism"): said about the object, not part of the claim."""
    for ch in sorted(toks, key=lambda t: t.i):
        if ch.i < obj.i or ch.dep_ not in ("relcl", "appos", "acl"):
            continue
        prev = obj.doc[ch.left_edge.i - 1] if ch.left_edge.i else None
        if prev is None or prev.text != "," or prev.i <= obj.i:
            continue
        if ch.dep_ == "relcl" and ch.left_edge.lower_ not in ("which", "who", "whom", "where"):
            continue
        if ch.dep_ == "acl" and ch.tag_ not in ("VBG", "VBN"):
            continue
        return prev.i
    return None


def _dep_content(
    verb: Token, kinds: list[str], text: str
) -> tuple[tuple[int, int] | None, Token | None]:
    """Content from the cue's configured dependents, and the object token if it is a target."""
    children = list(verb.children)
    for kind in kinds:
        if kind == "object":
            for c in children:
                if c.dep_ in ("dobj",) and c.lower_ != "that":
                    toks = list(c.subtree)
                    # the object's modifiers the parser hung on the verb: "... in emergency aid"
                    for r in verb.rights:
                        if r.i <= c.i:
                            continue
                        if r.dep_ not in ("prep", "npadvmod", "advmod", "punct") or r.text in ".;":
                            break
                        toks.extend(r.subtree)
                    aside = _object_aside(c, toks) if rules().object_asides else None
                    if aside is not None:
                        toks = [t for t in toks if t.i < aside]
                    return _strip_span(text, *_token_span(toks)), c
        elif kind in ("xcomp", "xcomp_object"):
            for c in children:
                if c.dep_ == "xcomp":
                    toks = list(c.subtree)
                    if kind == "xcomp_object":
                        objs = [o for o in children if o.dep_ == "dobj" and o.i < c.i]
                        if objs:
                            toks = list(objs[0].subtree) + toks
                    a, b = _token_span(toks)
                    return _strip_span(text, a, b), None
                if c.dep_ == "ccomp" and kind == "xcomp_object":
                    return _strip_span(text, *_subtree_chars(c)), None
        elif kind == "for_phrase":
            # "called for an inquiry into the fire", "called for the charges to be dropped": the
            # noun phrase or the clause "for" opens, not the rest of the sentence
            # (a clause's "for" is its mark: the clause is its head; a preposition heads its own)
            marks = [(m, m.head) for m in _clause_marks(verb) if m.lower_ == "for"]
            preps = [(c, c) for c in children if c.dep_ == "prep" and c.lower_ == "for"]
            for word, root in marks + preps:
                toks = [t for t in root.subtree if t.i != word.i and not t.is_space]
                if toks:
                    return _strip_span(text, *_token_span(toks)), None
        elif kind in ("of", "for", "against", "about"):
            for c in children:
                if c.dep_ == "prep" and c.lower_ == kind:
                    objs = [o for o in c.children if o.dep_ in ("pcomp", "pobj")]
                    if objs:
                        end = c.i + 1
                        while end < len(verb.doc) and not _sentence_end(verb.doc[end]):
                            end += 1
                        toks = list(verb.doc[c.i + 1 : end])
                        if toks:
                            return _strip_span(text, *_token_span(toks)), None
        elif kind == "oprd":
            for c in children:
                if c.dep_ in ("oprd", "ccomp", "xcomp") and c.i > verb.i:
                    return _strip_span(text, *_subtree_chars(c)), None
    return None, None


def _in_quote(start: int, end: int, quotes: list[Quote]) -> Quote | None:
    for q in quotes:
        overlap = min(end, q.end) - max(start, q.start)
        if overlap > 0 and overlap >= 0.5 * (end - start):
            return q
    return None


def _stance_from_content(stance: str, content: str) -> str:
    if stance != "assert":
        return stance
    low = content.lower()
    for new, pattern in rules().content_stance:
        if pattern.search(low):
            return new
    return stance


def _sentence_end(tok: Token) -> bool:
    return tok.text in (".", "?", "!") or "\n" in tok.text


def _opens_sentence(doc: Doc, text: str, char: int) -> bool:
    before = text[:char].rstrip(" \t")
    return not before or before[-1] in ".!?\n" or ends_with_close_mark(doc, text, char)


def _quote_cue(doc: Doc, q: Quote, quotes: list[Quote]) -> tuple[Token | None, str]:
    """The speech verb a quote hangs on: after it ("...," X said) or before (X said, "...")."""
    verbs = rules().quote_verbs
    # after: tokens right after the closing mark up to the end of the sentence
    after = doc.char_span(q.close_char, len(doc_cache.text(doc)), alignment_mode="expand")
    best_after = None
    closes_sentence = doc_cache.text(doc)[q.start : q.close_mark].endswith(".")
    # long_subject_quotes: past 8 words when all before the verb is its subject's phrase ('"...,"
    # Maria Lopez, an economist at the Lima-based Institute of Peru, told Reuters')
    reach = 40 if rules().long_subject_quotes else 8
    if after is not None and not closes_sentence:
        for k, tok in enumerate(after):
            if k > reach or (k > 0 and _sentence_end(tok)) or is_open_mark(tok):
                break
            if tok.lemma_.lower() in verbs and tok.pos_ in ("VERB", "AUX"):
                subj = _quote_subject(tok)
                between = [t for t in after[:k] if not (t.is_punct or t.is_space)]
                allowed = {t.i for t in subj.subtree} if subj is not None else set()
                if all(t.i in allowed or t.dep_ in ("aux", "advmod", "neg") for t in between):
                    best_after = tok
                break
    # before: tokens back from the opening mark to the previous sentence end
    before = doc.char_span(0, q.open_char, alignment_mode="contract") if q.open_char else None
    best_before = None
    if before is not None and len(before):
        toks = doc_cache.span_tokens(before)
        gap = 0
        for tok in reversed(toks):
            if _sentence_end(tok) or is_close_mark(tok):
                break
            if tok.lemma_.lower() in verbs and tok.pos_ in ("VERB", "AUX"):
                best_before = tok
                break
            gap += 0 if tok.is_punct or tok.is_space else 1
            if gap > 4:
                break
        last = next((t for t in reversed(toks) if not t.is_space), None)
        if best_before is not None and last is not None and last.i != best_before.i:
            attached = last.head.i == best_before.i and last.dep_ in ("npadvmod", "dobj", "dative")
            subj = _quote_subject(best_before)
            if (
                rules().inverted_split_quotes
                and subj is not None
                and subj.i > best_before.i
                and last.i in {t.i for t in subj.subtree}
                and not any(q2.start <= t.idx < q2.end for t in subj.subtree for q2 in quotes)
                and any(
                    q2.close_char == len(doc_cache.text(doc)[: best_before.idx].rstrip())
                    for q2 in quotes
                )
            ):
                attached = True  # '"We stand ready" tweeted Johnson "to help ..."'
            if rules().adjunct_before_quote and all(
                _adjunct_of(t, best_before) for t in toks[best_before.i - toks[0].i + 1 :]
            ):
                attached = True  # 'Trump said on Friday "I can do it"'
            if (last.text not in (",", ":") and not attached) or gap > 4:
                best_before = None
    if best_after is not None and (best_before is None or _subject(best_after) is not None):
        return best_after, "after"
    if best_before is not None:
        return best_before, "before"
    return None, ""


def _adjunct_of(tok: Token, verb: Token) -> bool:
    """A space, or a token of a prepositional or noun-phrase adjunct of `verb` ("on Friday")."""
    return tok.is_space or any(
        a.head.i == verb.i and a.dep_ in ("prep", "npadvmod") for a in (tok, *tok.ancestors)
    )


def _object_cue(doc: Doc, q: Quote) -> Token | None:
    """A short quote that is (part of) the object of a cue verb: expressed "rock-solid" support."""
    span = doc.char_span(q.start, q.end, alignment_mode="expand")
    if span is None:
        return None
    tok = span.root
    hops = 0
    while tok.head.i != tok.i and hops < 3:
        if tok.dep_ not in (
            "dobj",
            "oprd",
            "amod",
            "compound",
            "npadvmod",
            "attr",
            "acomp",
            "nmod",
        ):
            return None
        tok = tok.head
        hops += 1
        if tok.lemma_.lower() in rules().cues and tok.pos_ == "VERB":
            cfg = rules().cues[tok.lemma_.lower()]
            if any(k in ("object", "oprd") for k in cfg.get("content", [])):
                return tok
            return None
    return None


def extract_claims(doc: Doc, cue_model: tuple | None = None) -> list[Claim]:
    """All claims of one Doc, speakers resolved, in text order. `cue_model`: (textcat,
    threshold) of the learned cue classifier, whose claims join the rules' (None: rules only).

    Computed once per `doc_cache.cached(doc)` scope, not kept in doc.user_data: the claims hold
    the Doc's tokens, so there they would make a reference cycle that keeps every parsed Doc
    in memory until Python's cyclic garbage collector runs.
    """
    with doc_cache.cached(doc):
        key = "claims" if cue_model is None else f"claims+cue{id(cue_model[0])}:{cue_model[1]}"
        return doc_cache.per_doc(doc, key, lambda d: _resolved_claims(d, cue_model))


def _resolved_claims(doc: Doc, cue_model: tuple | None = None) -> list[Claim]:
    claims = _extract(doc)
    if cue_model is not None:
        claims = sorted(
            claims + learned_cue_claims(doc, claims, cue_model),
            key=lambda c: (c.content_start, c.cue_start),
        )
    SpeakerResolver(doc).resolve(claims)
    text = doc_cache.text(doc)
    for c in claims:
        if withheld(c):
            c.stance = rules().withheld_stance
        starts_paragraph = not text[: c.content_start].strip() or text[c.content_start - 1] == "\n"
        dateline = starts_paragraph and rules().dateline.match(text, c.content_start, c.content_end)
        if dateline and c.content_end > dateline.end():
            c.content_start = dateline.end()
    claims = [c for c in claims if not _nested_same_speaker(c, claims)]
    claims = [
        c
        for c in claims
        if c.speaker is not None
        and c.content_end > c.content_start
        and c.speaker.type
        in rules().cues.get(c.cue_lemma, {}).get("subject_kinds", [c.speaker.type])
    ]
    return claims


def withheld(claim: Claim) -> bool:
    """A plain speech cue said not to have happened: negated ("has not said whether ...", "did
    not confirm") or refused ("declined to say"). The speaker withholds rather than asserts
    (claim_cues.yaml `withheld`). Cues whose lists name a stance ("did not deny") keep it."""
    if cue_stance(claim.cue_lemma) != "assert":
        return False
    R = rules()
    return any(
        any(ch.dep_ == "neg" or ch.lower_ in R.withheld_negations for ch in tok.children)
        or (tok.dep_ == "xcomp" and tok.head.lemma_.lower() in R.withheld_refusals)
        for tok in claim.cue_tokens
    )


def claim_cue_stance(claim: Claim) -> str:
    """The stance a claim's cue names: the cue lists' (`cue_stance`), or the withheld stance
    for a negated or refused speech cue (`withheld`): the learned stance decides neither."""
    return rules().withheld_stance if withheld(claim) else cue_stance(claim.cue_lemma)


def _nested_same_speaker(claim: Claim, claims: list[Claim]) -> bool:
    """'Sanchez said he would urge ...': the inner 'he ... urge' is the outer claim's content."""
    sp = claim.speaker
    if sp is None or claim.speaker_head is None or claim.speaker_head.pos_ != "PRON":
        return False
    return any(
        other is not claim
        and other.speaker is not None
        and other.speaker.name == sp.name
        and other.content_start <= claim.cue_start < other.content_end
        for other in claims
    )


def _extract(doc: Doc) -> list[Claim]:
    text = doc_cache.text(doc)
    R = rules()
    quotes = doc_quotes(doc)
    claims: list[Claim] = []
    used_verbs: set[int] = set()
    pending: list[Quote] = []

    def para_of(char: int) -> int:
        return text.count("\n\n", 0, char)

    for q in quotes:
        n_words = len(text[q.start : q.end].split())
        cue, side = _quote_cue(doc, q, quotes)
        if cue is None and n_words < 4:
            obj_cue = _object_cue(doc, q)
            if obj_cue is not None:
                claims.append(
                    Claim(
                        [obj_cue],
                        obj_cue.lemma_.lower(),
                        q.start,
                        q.end,
                        True,
                        R.cues[obj_cue.lemma_.lower()]["stance"],
                        _subject(obj_cue),
                        "quote_object",
                        0.7,
                    )
                )
                used_verbs.add(obj_cue.i)
            continue
        if cue is not None:
            subj = _quote_subject(cue) or _participle_subject(cue)
            if subj is None:
                continue
            subj = _relative_subject(subj)
            lemma = cue.lemma_.lower()
            stance = R.cues.get(lemma, {"stance": "assert"})["stance"]
            start, end, direct = q.start, q.end, True
            if side == "after" and n_words >= 1:
                # a partial quote: "In the past, the EU "was ruled by ..."," Sisci said
                sent_start = doc.char_span(q.open_char, q.open_char + 1, alignment_mode="expand")
                if sent_start is not None:
                    first = sent_start[0]
                    sent = doc_cache.sent_of(first)
                    prev = [
                        t for t in doc_cache.tokens(doc)[sent.start : first.i] if not t.is_space
                    ]
                    if (
                        prev
                        and not _sentence_end(prev[-1])
                        and prev[-1].text != ":"
                        and not is_close_mark(prev[-1])
                    ):
                        if not any(is_close_mark(t) for t in prev) and len(prev) <= 60:
                            start, direct = prev[0].idx, False
            if n_words < 4 and lemma not in R.cues:
                continue
            claim = Claim(
                _cue_words(cue),
                lemma,
                start,
                end,
                direct,
                _stance_from_content(stance, text[q.start : q.end]),
                subj,
                f"quote_{side}",
                0.9,
            )
            claims.append(claim)
            used_verbs.add(cue.i)
            if not direct:
                claim.method = "quote_partial"
        elif n_words >= 4 and _opens_sentence(doc, text, q.open_char):
            pending.append(q)  # a quote with no cue: continues the claim just before it

    # indirect speech
    for tok in doc_cache.tokens(doc):
        lemma = tok.lemma_.lower()
        if tok.lower_ == "according":
            claims.extend(_according_to(tok, text, quotes))
            continue
        if R.adverb_claims and tok.lower_ in R.reported_adverbs and tok.pos_ == "ADV":
            claims.extend(_reported_adverb(tok, text, quotes))
            continue
        if tok.pos_ not in ("VERB", "AUX") or lemma not in R.cues:
            continue
        quoted = any(q.start <= tok.idx < q.end for q in quotes)
        if quoted and not (R.quoted_reports and _quoted_report(tok)):
            continue  # "I think" inside a quote belongs to the quote
        if (
            tok.dep_ == "conj"
            and tok.head.lemma_ == "confirm"
            and any(c.dep_ == "preconj" for c in tok.head.children)
        ):
            continue  # the 'denied' of 'neither confirmed nor denied'
        cfg = R.cues[lemma]
        phrase = _phrase_cue(tok)
        cue_tokens, cue_lemma, stance = _cue_words(tok), lemma, cfg["stance"]
        kinds = list(cfg.get("content", []))
        if phrase:
            cue_tokens, cue_lemma, stance = phrase
            if cue_lemma == "neither_confirm_nor_deny":
                kinds = ["object"]
                deny = [t for t in cue_tokens if t.lemma_ == "deny"]
                tok_for_obj = deny[0] if deny else tok
            elif cue_lemma == "call_on":
                kinds = []
            else:
                kinds = _phrase_kinds(cue_lemma, kinds)
        # "as reported by Reuters", "as cited by TTG Asia"
        agent = [c for c in tok.children if c.dep_ == "agent"]
        if agent and any(c.dep_ == "mark" and c.lower_ == "as" for c in tok.children):
            pobj = [c for c in agent[0].children if c.dep_ == "pobj"]
            if pobj and tok.head.i != tok.i:
                exclude = {t.i for t in tok.subtree}
                a, b = _subtree_chars(tok.head, exclude)
                cue_tokens = sorted(
                    [tok, agent[0], *[c for c in tok.children if c.dep_ == "mark"]],
                    key=lambda t: t.i,
                )
                claims.append(
                    Claim(
                        cue_tokens,
                        lemma,
                        *_strip_span(text, a, b),
                        False,
                        stance,
                        pobj[0],
                        "as_reported_by",
                        0.6,
                    )
                )
            continue
        subj = _subject(tok) or _participle_subject(tok)
        if subj is None or subj.lower_ in ("there",):
            continue
        if subj.dep_ == "nsubjpass" and not cfg.get("passive_ok"):
            continue  # "Vietnam is expected to ...": not a statement by Vietnam
        subj = _relative_subject(subj)
        ranges: list[tuple[tuple[int, int], Token | None]] = []
        if cue_lemma == "call_on":
            on = [c for c in tok.children if c.lower_ == "on" and c.dep_ in ("prep", "prt")][0]
            toks = [t for t in on.subtree if t.i != on.i]
            for c in tok.children:
                if c.dep_ in ("advcl", "xcomp", "ccomp") and c.i > on.i:
                    toks += list(c.subtree)
            pobj = [c for c in on.children if c.dep_ == "pobj"]
            if toks:
                ranges.append((_strip_span(text, *_token_span(toks)), pobj[0] if pobj else None))
        else:
            for r in _ccomp_contents(tok, text):
                ranges.append((r, None))
            rest = [c for c in tok.rights if not c.is_punct and c.dep_ not in ("ccomp",)]
            nxt = doc[tok.i + 1] if tok.i + 1 < len(doc) else None
            if (
                len(ranges) == 1
                and ranges[0][0][1] <= subj.idx
                and rest
                and nxt is not None
                and nxt.text == ","
            ):
                toks = [t for t in doc_cache.sent_tokens(tok) if not t.is_space]
                ranges = [(_strip_span(text, *_token_span(toks)), None)]
            before_subj = doc[subj.left_edge.i - 1] if subj.left_edge.i > 0 else None
            if (
                not ranges
                and tok.dep_ in ("parataxis", "ccomp", "advcl")
                and tok.head.pos_ in ("VERB", "AUX")
                and before_subj is not None
                and (before_subj.is_punct or is_close_mark(before_subj))
                and not any(
                    c.dep_ in ("dobj", "ccomp", "xcomp")
                    and c.lower_ != "reporters"
                    and not (R.told_addressees and _addressee(tok, c))
                    for c in tok.children
                )
            ):
                exclude = {t.i for t in tok.subtree} | _nonrestrictive(tok.head)
                toks = [t for t in tok.head.subtree if t.i not in exclude and not t.is_space]
                after_cue = doc[tok.right_edge.i + 1] if tok.right_edge.i + 1 < len(doc) else None
                if after_cue is not None and after_cue.text == "," and toks and toks[0].i < tok.i:
                    # "That's one argument, he believes, for ...": the cue sits inside its content
                    sent = doc_cache.sent_tokens(tok)
                    toks = [t for t in sent if not t.is_space]
                while toks and (
                    toks[0].is_punct or (toks[0].lower_ == "that" and toks[0].dep_ == "mark")
                ):
                    toks = toks[1:]
                if toks:
                    ranges.append((_strip_span(text, *_token_span(toks)), None))
            if not ranges and kinds:
                source = tok_for_obj if phrase and cue_lemma == "neither_confirm_nor_deny" else tok
                r, obj = _dep_content(source, kinds, text)
                if r is not None:
                    ranges.append((r, obj))
        for (a, b), obj in ranges:
            if b <= a or "\n" in text[min(a, tok.idx) : max(b, tok.idx)]:
                continue  # a parse that runs across paragraphs
            q = _in_quote(a, b, quotes)
            if q is not None and tok.i in used_verbs:
                continue  # the quote itself is the claim (already made above)
            inside = q is not None and q.start <= a and b <= q.end
            if inside != quoted:
                # a clause inside a quote: the quote's speaker said it, not this subject; a report
                # inside a quote (quoted_reports) has its content there too
                continue
            if tok.i in used_verbs and any(
                c.content_start <= a < c.content_end or a <= c.content_start < b
                for c in claims
                if tok in c.cue_tokens
            ):
                continue
            content = text[a:b]
            claim_stance = _stance_from_content(stance, content)
            claims.append(
                Claim(
                    cue_tokens,
                    cue_lemma,
                    a,
                    b,
                    False,
                    claim_stance,
                    subj,
                    "indirect",
                    0.8 if obj is None else 0.7,
                    target=obj,
                )
            )
    for q in pending:
        before = [c for c in claims if c.cue_end <= q.open_char and c.speaker_head is not None]
        if not before:
            continue
        prev = max(before, key=lambda c: c.cue_start)
        if q.open_char - prev.cue_start > 600 or para_of(q.open_char) - para_of(prev.cue_start) > 1:
            continue
        claims.append(
            Claim(
                prev.cue_tokens,
                prev.cue_lemma,
                q.start,
                q.end,
                True,
                _stance_from_content(
                    R.cues.get(prev.cue_lemma, {"stance": "assert"})["stance"],
                    text[q.start : q.end],
                ),
                prev.speaker_head,
                "quote_continued",
                0.6,
                inherited=prev,
            )
        )
    claims.sort(key=lambda c: (c.content_start, c.cue_start))
    return claims


def _reported_adverb(tok: Token, text: str, quotes: list[Quote]) -> list[Claim]:
    """'The fire reportedly started at 7 p.m.', 'Reportedly, two people were killed': the clause
    the adverb modifies, attributed to unnamed reports (rules' reported_adverbs)."""
    head = tok.head
    while head.pos_ not in ("VERB", "AUX") and head.head.i != head.i:
        head = head.head  # "reportedly over 400 firefighters took part": the clause's verb
    if head.i == tok.i or any(q.start <= tok.idx < q.end for q in quotes):
        return []
    if head.lemma_.lower() in rules().quote_verbs:
        return []  # "a source reportedly said ...": the source's claim
    exclude = {tok.i} | _nonrestrictive(head)
    toks = [t for t in head.subtree if t.i not in exclude and not t.is_space]
    while toks and toks[0].is_punct:
        toks = toks[1:]
    if len(toks) < 2:
        return []
    a, b = _strip_span(text, *_token_span(toks))
    if "\n" in text[a:b]:
        return []
    return [Claim([tok], tok.lower_, a, b, False, "assert", tok, "reported_adverb", 0.6)]


def _according_to(tok: Token, text: str, quotes: list[Quote]) -> list[Claim]:
    to = [c for c in tok.children if c.lower_ == "to"]
    if not to:
        return []
    pobj = [c for c in to[0].children if c.dep_ == "pobj"]
    if not pobj:
        return []
    head = tok.head
    if head.i == tok.i:
        return []
    exclude = {t.i for t in tok.subtree}
    R = rules()
    subj = _subject(head)
    if (
        R.according_to_clause
        and head.dep_ == "conj"
        and subj is not None
        and subj.lower_ in ("who", "which")
        and subj.i > tok.i
        and head.head.i < tok.i
    ):
        # ", according to police, who said ...": a relative clause the parser made a conjunct;
        # the phrase is about the clause before it
        head = head.head
        exclude |= {t.i for t in tok.head.subtree if t.i > tok.i}
    cut = _nonrestrictive(head)
    toks = [t for t in head.subtree if t.i not in exclude | cut and not t.is_space]
    # the clause governed by the head verb, without the 'according to' phrase and its comma
    while toks and (toks[0].is_punct or (toks[0].lower_ == "that" and toks[0].dep_ == "mark")):
        toks = toks[1:]
    if not toks:
        return []
    # content runs from the first token after 'according to X,' when the phrase opens the clause
    after = [t for t in toks if t.i > max(exclude)]
    if after and min(exclude) <= toks[0].i + 1:
        toks = after
        while toks and toks[0].is_punct:
            toks = toks[1:]
    elif R.according_to_clause and all(t.is_punct for t in after):
        # "76 villages were affected according to the agency's report on Saturday.": the clause
        # before the phrase, not a span running through it to the full stop
        toks = [t for t in toks if t.i < min(exclude)]
        while toks and toks[-1].text in (",", ";", ":", "—", "–", "-"):
            toks = toks[:-1]
        if not toks:
            return []
    # stop at a non-restrictive relative clause (", where ...")
    a, b = _token_span(toks)
    a, b = _strip_span(text, a, b)
    return [
        Claim([tok, to[0]], "according_to", a, b, False, "assert", pobj[0], "according_to", 0.7)
    ]


# ---------------------------------------------------------------------------------------------
# Learned cues: candidates beyond the cue list (cue_features.py, training/claims/)

# Where a candidate cue's content is found when it has no that-clause, in this order: an
# infinitive with its object (urged Y to ...), the object (described X as Y), a prepositional
# complement (complained about ...), a predicate (declared X a day of mourning).
LEARNED_CONTENT_KINDS = ("xcomp_object", "object", "of", "about", "for", "against", "oprd")


def _subject_kind(subj: Token) -> str:
    R = rules()
    low, lemma = subj.lower_, subj.lemma_.lower()
    if subj.pos_ == "PRON":
        if low in R.person_pronouns:
            return "pron_person"
        return "pron_group" if low in R.group_pronouns else "pron_other"
    if subj.ent_type_:
        return subj.ent_type_.lower()
    if lemma in R.unnamed_heads or low in R.unnamed_heads:
        return "unnamed"
    if lemma in R.document_heads:
        return "document"
    if R.government_words.search(low):
        return "government"
    return "propn" if subj.pos_ == "PROPN" else "noun"


def cue_candidates(doc: Doc, claims: list[Claim]) -> list[tuple[Claim, list[str]]]:
    """Candidate claims on the verbs the rules made no claim from: every verb with a speaker
    (its subject, or that of the clause it modifies: "..., citing officials") and a content (its
    that-clause, else the first of LEARNED_CONTENT_KINDS), each with its features for the cue
    classifier. A candidate whose content is (mostly) a rules claim's content is left out."""
    text = doc_cache.text(doc)
    R = rules()
    hand = set(R.cues) - set(induced_cues())
    quotes = doc_quotes(doc)
    taken = {t.i for c in claims for t in c.cue_tokens}
    spans = [(c.content_start, c.content_end) for c in claims]
    out: list[tuple[Claim, list[str]]] = []
    for tok in doc_cache.tokens(doc):
        if tok.pos_ not in ("VERB", "AUX") or tok.dep_ in ("aux", "auxpass") or tok.i in taken:
            continue
        if any(q.start <= tok.idx < q.end for q in quotes):
            continue
        subj, via = _subject(tok), "own"
        if subj is None and tok.dep_ == "advcl" and tok.head.pos_ in ("VERB", "AUX"):
            subj, via = _subject(tok.head), "head"
        if subj is None or subj.lower_ in ("there", "what", "which"):
            continue
        subj = _relative_subject(subj)
        ranges, kind, target = _ccomp_contents(tok, text)[:1], "ccomp", None
        if not ranges:
            for kind in LEARNED_CONTENT_KINDS:
                r, target = _dep_content(tok, [kind], text)
                if r is not None:
                    ranges = [r]
                    break
        if not ranges:
            continue
        a, b = ranges[0]
        if b - a < 4 or "\n" in text[min(a, tok.idx) : max(b, tok.idx)] or a <= subj.idx < b:
            continue
        if any(min(b, e) - max(a, s) >= 0.5 * max(b - a, e - s) for s, e in spans):
            continue
        flags = []
        q = _in_quote(a, b, quotes)
        if q is not None and q.start <= a and b <= q.end:
            flags.append("in_quote")
        if any(s <= tok.idx < e for s, e in spans):
            flags.append("cue_in_claim")
        if any(c.dep_ == "neg" for c in tok.children):
            flags.append("neg")
        if subj.dep_ == "nsubjpass":
            flags.append("passive")
        lemma = tok.lemma_.lower()
        listed = "hand" if lemma in hand else "induced" if lemma in R.cues else "no"
        content = text[a:b]
        first, last = _token_at(doc, a), _token_at(doc, b - 1)
        feats = cue_features.cue_features(
            tok, subj, _subject_kind(subj), via, kind, len(content.split()), listed, flags,
            content=[t for t in doc_cache.tokens(doc)[first : last + 1] if not t.is_space],
            sentence=_sentence_facts(tok, claims, hand, quotes),
            governor=_governor(tok, hand, taken),
        )  # fmt: skip
        stance = R.cues.get(lemma, {"stance": "assert"})["stance"]
        claim = Claim(
            _cue_words(tok),
            lemma,
            a,
            b,
            False,
            _stance_from_content(stance, content),
            subj,
            "learned_cue",
            0.6,
            target=target,
        )
        out.append((claim, feats))
    return out


def _token_at(doc: Doc, char: int) -> int:
    """The index of the token holding character `char`."""
    starts = doc_cache.per_doc(doc, "token_starts", lambda d: [t.idx for t in doc_cache.tokens(d)])
    return max(0, bisect_right(starts, char) - 1)


def _sentence_facts(tok: Token, claims: list[Claim], hand: set, quotes: list[Quote]) -> list[str]:
    """What the cue's sentence holds besides the candidate (cue_features' `sentence`): a rules
    claim (its cue or content there: the sentence's statement is mostly found already), another
    verb of the hand cue list, a quotation."""
    sent = doc_cache.sent_of(tok)
    out = []
    if any(
        sent.start_char <= c.content_start < sent.end_char
        or any(sent.start <= t.i < sent.end for t in c.cue_tokens)
        for c in claims
    ):
        out.append("sent_claim")
    if any(
        t.i != tok.i and t.lemma_.lower() in hand and t.pos_ == "VERB"
        for t in doc_cache.span_tokens(sent)
    ):
        out.append("sent_hand_cue")
    if any(q.start < sent.end_char and sent.start_char < q.end for q in quotes):
        out.append("sent_quote")
    return out


def _governor(tok: Token, hand: set, taken: set[int]) -> list[str]:
    """The verbs the cue's clause hangs under, up to four heads and the first a cue list has
    (cue_features' `governor`): by the relation, which list has it, whether the rules made a
    claim from it, and how far up. "The minister said the government will raise taxes": the
    content of "raise" is what the minister said, a claim where the speech verb gave none."""
    cues = rules().cues
    out: list[str] = []
    node, rel, depth = tok, tok.dep_, 0
    while node.dep_ != "ROOT" and depth < 4:
        node, depth = node.head, depth + 1
        if node.pos_ in ("VERB", "AUX"):
            lemma = node.lemma_.lower()
            listed = "hand" if lemma in hand else "induced" if lemma in cues else "no"
            claim = "claim" if node.i in taken else "noclaim"
            out += [f"gov_{rel}_{listed}", f"gov_{listed}_{claim}", f"govd_{depth}_{listed}"]
            if listed != "no":
                break
        rel = node.dep_
    return out or ["gov_none"]


def learned_cue_claims(doc: Doc, claims: list[Claim], cue_model: tuple) -> list[Claim]:
    """The candidates (cue_candidates) the cue classifier `cue_model` = (textcat, threshold)
    scores at or above the threshold; their confidence is the classifier's probability."""
    textcat_pipe, threshold = cue_model
    cands = cue_candidates(doc, claims)
    if not cands:
        return []
    probs = textcat.scores(textcat_pipe, [f for _, f in cands])
    out = []
    for (claim, _), p in zip(cands, probs, strict=True):
        if p[cue_features.YES] >= threshold:
            claim.confidence = round(p[cue_features.YES], 2)
            out.append(claim)
    return out


# ---------------------------------------------------------------------------------------------
# Speakers


# "the National Hurricane Center (NHC)": a capitalized name and the short form it defines
ACRONYM_DEFINED = re.compile(
    r"((?:[A-Z][\w’'-]*\s+(?:(?:of|and|for|on|the|de)\s+)*)+[A-Z][\w’'-]*)\s+\(([A-Z][\w.]{1,9})\)"
)


# The gender a third-person pronoun asks of its antecedent's first name (`_gender_agrees`).
PRONOUN_GENDER = {"he": "male", "him": "male", "she": "female", "her": "female"}


class SpeakerResolver:
    """Resolves claim speakers within one article (see the module docstring)."""

    def __init__(self, doc: Doc):
        self.doc = doc
        self.ents = list(doc_cache.ents(doc))
        self.history: list[Speaker] = []
        self.aliases: dict[str, Speaker] = {}
        self._acronyms: dict[str, str] | None = None
        self.persons: list[tuple[str, int, int]] = []  # (full name, start, end) first mentions
        self._chained: dict[int, tuple | None] = {}  # pronoun_chains: token -> its person
        more = rules().more_full_names
        for ent in self.ents:
            if (ent.label_ == "PERSON" and len(ent) >= 2) or (
                # more_full_names: a one-word name the NER cut ("Wang" of "Wang JunHao"), a
                # person's name tagged ORG ("Ricardo Vello Ibanez, the governor")
                more
                and (
                    (ent.label_ == "PERSON" and len(self.full_text(ent).split()) >= 2)
                    or (ent.label_ == "ORG" and self._named_like_person(ent))
                )
            ):
                name = self.full_text(ent)
                if not any(p[0] == name for p in self.persons):
                    self.persons.append((name, ent.start_char, ent.end_char))

    def full_text(self, ent: Span) -> str:
        """The entity text extended over name tokens the NER cut off ("Choe Son" + "Hui")."""
        end = ent.end
        while (
            end < len(self.doc)
            and self.doc[end].pos_ == "PROPN"
            and self.doc[end].is_title
            and (self.doc[end - 1].head.i == end or self.doc[end].dep_ in ("appos", "compound"))
            and not any(
                e.start == end and (len(e) > 1 or e.label_ in ("DATE", "TIME", "CARDINAL"))
                for e in self.ents
            )
        ):
            end += 1
        return self.doc[ent.start : end].text

    # -- helpers ---------------------------------------------------------------------------------
    def person_for(self, text: str, before: int) -> tuple[str, int, int] | None:
        """The full name of the article whose tokens include this (sur)name."""
        words = set(normalize_surface(text).split())
        if not words:
            return None
        found = None
        for name, a, b in self.persons:
            parts = set(normalize_surface(name).split())
            if len(words) == 1 and not words <= parts:
                (w,) = words
                if len(w) >= 5 and any(
                    len(p) == len(w) and sum(x != y for x, y in zip(p, w, strict=True)) == 1
                    for p in parts
                ):
                    words = {
                        next(
                            p
                            for p in parts
                            if len(p) == len(w)
                            and sum(x != y for x, y in zip(p, w, strict=True)) == 1
                        )
                    }
            if words <= parts:
                if a <= before or found is None:
                    found = (name, a, b)
                if a <= before:
                    break
        return found

    def _ents_in(self, a: int, b: int) -> list[Span]:
        return [e for e in self.ents if e.start_char >= a and e.end_char <= b]

    def _title_country(self, tokens: list[Token]) -> str | None:
        for tok in tokens:
            hit = country_of(tok.text)
            if hit and hit[1] != "capital":
                return hit[0]
        # two-word demonyms (North Korean, South Korean)
        for t1, t2 in zip(tokens, tokens[1:], strict=False):
            hit = country_of(f"{t1.text} {t2.text}")
            if hit:
                return hit[0]
        return None

    def _person_title_tokens(self, ent_start: int) -> list[Token]:
        tok = self.doc.char_span(ent_start, ent_start + 1, alignment_mode="expand")
        if tok is None:
            return []
        i = tok[0].i
        out = []
        j = i - 1
        while j >= 0 and j >= i - 5:
            t = self.doc[j]
            if t.is_punct or t.is_space or t.pos_ in ("VERB", "AUX", "ADP", "DET", "PRON", "CCONJ"):
                break
            out.insert(0, t)
            j -= 1
        return out

    def _speaker_tokens(self, head: Token) -> list[Token]:
        left = head.left_edge.i
        toks = [t for t in doc_cache.tokens(self.doc)[left : head.i + 1] if not t.is_space]
        # include right-side name parts (flat names, "Associates" in "Dezan Shira & Associates")
        j = head.i + 1
        while (
            j < len(self.doc)
            and self.doc[j].dep_ in ("compound", "flat")
            and self.doc[j].head.i == head.i
        ):
            toks.append(self.doc[j])
            j += 1
        comma = j < len(self.doc) and self.doc[j].text == ","
        # appositive_orgs: a body's description names the organization in apposition ("the
        # Islamist militant group al-Shabab")
        org_head = (
            rules().appositive_orgs
            and head.pos_ == "NOUN"
            and head.lemma_.lower() not in rules().person_roles
            and not any(e.start <= head.i < e.end for e in self.ents)
        )
        for child in head.rights:
            if (
                child.dep_ == "appos"
                and (
                    child.i == j
                    or (
                        # "the journalist's lawyer, Duch Piseth,", "his daughter Linda Wu": the
                        # described person's name
                        rules().appositive_names
                        and child.left_edge.i == (j + 1 if comma else j)
                        and any(
                            (e.label_ == "PERSON" or (e.label_ == "ORG" and org_head))
                            and e.start <= child.i < e.end
                            for e in self.ents
                        )
                    )
                )
                and any(e.start <= child.i < e.end for e in self.ents)
            ):
                toks.extend(t for t in child.subtree if not t.is_space)
                break
        if rules().comma_names and comma and toks[-1].i == j - 1:
            toks += self._comma_name(head, j)
        if rules().trailing_person_names:
            toks += self._trailing_person(head, toks)
        unnamed = (
            head.lemma_.lower() in rules().unnamed_heads or head.lower_ in rules().unnamed_heads
        )
        for child in head.rights:
            if child.dep_ != "prep" or child.i != toks[-1].i + 1:
                continue
            pobj = [c for c in child.children if c.dep_ == "pobj"]
            if not pobj:
                continue
            titled = head.is_title and (child.lower_ == "of" or child.is_title)
            if (titled and head.pos_ in ("PROPN", "NOUN") and pobj[0].pos_ == "PROPN") or (
                unnamed and child.lower_ in ("in", "from") and pobj[0].pos_ == "PROPN"
            ):
                toks.extend(t for t in child.subtree if not t.is_space)
                continue  # "the Ministry of Foreign Affairs of the Republic of Korea"
            break
        while toks and (toks[0].is_punct or toks[0].dep_ == "cc"):
            toks = toks[1:]
        # drop a leading conjunct list: for 'South Korea and the European Union', the head of the
        # second conjunct has only its own left edge, the first has the conj to its right (cut).
        return toks

    def _comma_name(self, head: Token, comma: int) -> list[Token]:
        """A role description followed by a person's name set off by commas, whatever the parse
        made of it ("According to the city's mayor, Jane Doyle, police ..."): the comma and the
        name."""
        if head.pos_ != "NOUN" or head.lemma_.lower() not in rules().person_roles:
            return []
        if any(e.start <= head.i < e.end for e in self.ents):
            return []
        e = next((e for e in self.ents if e.start == comma + 1), None)
        if e is None or e.label_ != "PERSON":
            return []
        after = self.doc[e.end] if e.end < len(self.doc) else None
        if after is not None and after.text not in (",", ".", ";", ":"):
            return []
        return [t for t in self.doc[comma : e.end] if not t.is_space]

    def _cut_name(self, head: Token, toks: list[Token]) -> list[Token]:
        """The rest of a name the parse cut after the speaker's head: the organization or person
        entity around the head that runs on past the phrase ("The Kenya Center" of "The
        Kenya Center for Disease Control and Prevention"), or a year that closes a proper
        name ("Vision Partners 2030", "the Global Peace Index 2024")."""
        last = toks[-1].i
        for e in self.ents:
            if e.label_ in ("ORG", "PERSON", "FAC") and e.start <= head.i < e.end > last + 1:
                out = []
                for t in self.doc[last + 1 : e.end]:
                    if t.text in ("(", "[", ",", ";") or t.is_quote:
                        break  # "National Hurricane Center (NHC": the name, not its short form
                    out.append(t)
                return [t for t in out if not t.is_space]
        nxt = self.doc[last + 1] if last + 1 < len(self.doc) else None
        if (
            nxt is not None
            and head.pos_ == "PROPN"
            and last == head.i
            and nxt.head.i == head.i
            and nxt.dep_ == "nummod"
            and nxt.is_digit
            and len(nxt.text) == 4
        ):
            return [nxt]
        return []

    def _trailing_person(self, head: Token, toks: list[Token]) -> list[Token]:
        """The tokens that carry a description's phrase on to the person's name that closes it:
        "The head of the UK's counter terror police, Neil Basu", "Pakistan's permanent
        representative to the United Nations, Munir Akram". Only where the
        phrase names no person yet, its head is a common description (no entity), no verb or
        relative word comes between, and the name is not the object of a preposition ("a
        spokesman for President Donald Trump" stays the spokesman)."""
        if any(
            e.label_ == "PERSON" and toks[0].i <= e.start and e.end <= toks[-1].i + 1
            for e in self.ents
        ) or any(e.start <= head.i < e.end for e in self.ents):
            return []
        if head.pos_ not in ("NOUN", "PROPN") or not head.is_alpha:
            return []
        right = head.right_edge.i
        while right > toks[-1].i and (self.doc[right].is_punct or self.doc[right].is_space):
            right -= 1
        if right <= toks[-1].i:
            return []
        between = self.doc[toks[-1].i + 1 : right + 1]
        if any(t.pos_ in ("VERB", "AUX") or t.lower_ in ("who", "which", "that") for t in between):
            return []
        last = next(
            (e for e in reversed(self.ents) if e.label_ == "PERSON" and e.end - 1 == right), None
        )
        if last is None or last.start <= toks[-1].i or last.root.dep_ == "pobj":
            return []
        return [t for t in between if not t.is_space]

    def _register_acronym(self, head: Token, speaker: Speaker) -> None:
        """'The aid group, known by its French acronym MSF,' -> MSF names that speaker."""
        for child in head.rights:
            if child.dep_ in ("acl", "appos", "relcl"):
                for e in self.ents:
                    if child.left_edge.i <= e.start and e.end <= child.right_edge.i + 1:
                        if e.text.isupper() and 2 <= len(e.text) <= 6:
                            self.aliases[e.text] = speaker

    # -- resolution ------------------------------------------------------------------------------
    def resolve(self, claims: list[Claim]) -> None:
        expanded: list[Claim] = []
        for claim in sorted(claims, key=lambda c: c.cue_start):
            if claim.inherited is not None:
                if claim.inherited.speaker is not None:
                    claim.speaker = claim.inherited.speaker
                expanded.append(claim)
                continue
            head = claim.speaker_head
            if head is None:
                continue
            heads = _conjuncts(head)
            for k, h in enumerate(heads):
                c = claim if k == 0 else Claim(**{**claim.__dict__})
                c.speaker = self.speaker_of(h, exclude_conj=len(heads) > 1)
                if c.speaker is not None:
                    self.history.append(c.speaker)
                expanded.append(c)
        claims[:] = sorted(expanded, key=lambda c: (c.content_start, c.cue_start))

    def described(self, head: Token, sp: Speaker) -> str | None:
        """The speaker's own phrase (minus its determiner) when its head is a common noun that a
        name only modifies: "the C.A.R. military", "the Trump administration", "World Bank data",
        "Gee's mother" speak as the military, the administration, the data, the mother, not as
        the country, person or body their modifier names (the gold's source_canonical keeps the
        description). None when the phrase's head is itself a name or the name already ends in
        the head word."""
        if not rules().described_speakers or head.pos_ != "NOUN" or not sp.name:
            return None
        if any(e.start <= head.i < e.end for e in self.ents):
            return None
        R = rules()
        if head.lemma_.lower() in R.document_heads | R.org_nouns | R.country_heads or (
            head.lower_ in R.document_heads
        ):
            return None  # "CNN's projections", "the Reuters news agency", "the Chinese side"
        mods = [
            e
            for e in self._ents_in(sp.text_start, sp.text_end)
            if e.label_ in ("PERSON", "ORG", "GPE", "NORP", "FAC", "LOC") and e.end <= head.i
        ]
        if not mods:
            return None
        if head.lemma_.lower() in R.person_roles and all(e.label_ in ("GPE", "NORP") for e in mods):
            return None  # "the U.S. leader": a person the story names (role_antecedent)
        name = _strip_det(sp.text)
        last = normalize_surface(sp.name).split()[-1:]
        if last and last == normalize_surface(name).split()[-1:]:
            return None
        return name

    def acronyms(self) -> dict[str, str]:
        """Short forms the story spells out: "National Hurricane Center (NHC)", "the Philippine
        Institute of Volcanology and Seismology (Phivolcs)", and the initials of its multi-word
        names ("Department of Homeland Security" for DHS). Key: the form without dots."""
        if self._acronyms is not None:
            return self._acronyms
        out: dict[str, str] = {}
        text = doc_cache.text(self.doc)
        for m in ACRONYM_DEFINED.finditer(text):
            out.setdefault(m.group(2).replace(".", ""), _strip_det(m.group(1)))
        for ent in self.ents:
            if ent.label_ not in ("ORG", "GPE", "NORP", "FAC", "LOC") or len(ent) < 2:
                continue
            words = [t.text for t in ent if t.text[:1].isupper() and t.lower_ != "the"]
            initials = "".join(w[0] for w in words)
            if len(initials) >= 2:
                out.setdefault(initials, _strip_det(ent.text))
        self._acronyms = out
        return out

    def spelled_out(self, name: str) -> str | None:
        """The story's full name for a short form ("DHS", "the C.A.R."), else None."""
        if not rules().spell_out_acronyms:
            return None
        key = _strip_det(name).replace(".", "")
        if not (2 <= len(key) <= 8 and key.isalpha() and key[0].isupper()):
            return None
        if not (key.isupper() or key in self.acronyms()):
            return None
        full = self.acronyms().get(key)
        return full if full and full.replace(".", "") != key else None

    def speaker_of(self, head: Token, exclude_conj: bool = False) -> Speaker | None:
        R = rules()
        if R.adverb_claims and head.lower_ in R.reported_adverbs and head.pos_ == "ADV":
            end = head.idx + len(head.text)
            return Speaker(head.text, head.idx, end, R.reported_adverb_speaker, "unnamed")
        sp = self._speaker_of(head, exclude_conj)
        if sp is not None:
            name = self.described(head, sp)
            if name is not None:
                sp.name = name
                sp.described = True
            elif sp.name and sp.type != "person":
                full = self.spelled_out(sp.name)
                if full is not None:
                    sp.name = full
        if sp is not None and sp.name and sp.type in ("organization", "government", "unnamed"):
            words = set(normalize_surface(sp.name).split())
            for prev in reversed(self.history):
                if (
                    prev.name
                    and prev.type == sp.type
                    and len(prev.name) > len(sp.name)
                    and words <= set(normalize_surface(prev.name).split())
                ):
                    sp.name, sp.ref_start, sp.ref_end = prev.name, prev.ref_start, prev.ref_end
                    break
        return sp

    def _document_author(self, head: Token) -> Token | None:
        """The author a document's phrase names: "data from the Housing Data Archive", "a report
        issued by the Real Estate Institute", "a poll by Riverside College", "a situational report
        of the NDMA", "a memo posted online by Senator Jane Roe": the author's head token
        (a named entity, or a phrase with one: "the Mexican government")."""
        R = rules()
        if not (head.lemma_.lower() in R.document_heads or head.lower_ in R.document_heads):
            return None
        preps = []
        for child in head.rights:
            if child.dep_ == "prep" and child.lower_ in ("from", "by", "of"):
                preps.append(child)
            elif child.dep_ == "acl" and child.pos_ == "VERB":
                preps += [c for c in child.rights if c.dep_ == "agent"]
        for prep in preps:
            pobj = next((c for c in prep.children if c.dep_ == "pobj"), None)
            if pobj is None:
                continue
            named = [
                e
                for e in self.ents
                if e.label_ in ("ORG", "PERSON", "GPE", "NORP")
                and pobj.left_edge.i <= e.start
                and e.end <= pobj.i + 1
            ]
            if not named:
                continue
            if prep.lower_ == "of" and not (
                any(e.start <= pobj.i < e.end and e.label_ in ("ORG", "PERSON") for e in named)
            ):
                continue  # "a report of Russian troops": what it reports, not who wrote it
            return pobj
        return None

    def _speaker_of(self, head: Token, exclude_conj: bool = False) -> Speaker | None:
        R = rules()
        if R.document_authors:
            author = self._document_author(head)
            if author is not None:
                return self._speaker_of(author)
        toks = self._speaker_tokens(head)
        if exclude_conj:
            toks = [
                t
                for t in toks
                if t.i <= head.i or t.head.i == head.i and t.dep_ in ("compound", "flat")
            ]
            conj_children = [c for c in head.children if c.dep_ in ("conj", "cc")]
            if conj_children:
                toks = [t for t in toks if t.i < min(c.i for c in conj_children)]
        if toks and R.entity_cut_names:
            toks += self._cut_name(head, toks)
        if not toks:
            return None
        a, b = _token_span(toks)
        text = doc_cache.text(self.doc)[a:b]
        sp = Speaker(
            text,
            a,
            b,
            head_lemmas=frozenset(t.lemma_.lower() for t in toks if t.pos_ in ("NOUN", "PROPN")),
        )
        low_head = head.lower_
        ents = self._ents_in(a, b)
        persons = [e for e in ents if e.label_ == "PERSON"]
        # pronouns
        if head.pos_ == "PRON" and not ents:
            if low_head in R.person_pronouns:
                ante = self.person_antecedent(head)
                if ante is not None:
                    sp.name, sp.type, sp.country, sp.ref_start, sp.ref_end = ante
                    return sp
                return None
            if low_head in R.group_pronouns:
                for prev in reversed(self.history):
                    if prev.type != "person":
                        return prev.named_again(text, a, b)
                return None
            return None
        if persons:
            ent = persons[-1]
            full = self.person_for(ent.text, ent.start_char)
            name, ra, rb = full if full else (self.full_text(ent), ent.start_char, ent.end_char)
            title = [t for t in toks if t.idx < ent.start_char]
            country = self._title_country(title) or self._person_country(ra)
            sp.name, sp.type, sp.country, sp.ref_start, sp.ref_end = name, "person", country, ra, rb
            return sp
        # a single capitalized surname tagged as something else (Baerbock as ORG) or untagged
        proper = [t for t in toks if t.pos_ == "PROPN" or (t.pos_ == "INTJ" and t.is_title)]
        if proper and len(proper) <= 2:
            full = self.person_for(" ".join(t.text for t in proper), a)
            if full is not None and not any(e.label_ in ("GPE", "NORP") for e in ents):
                sp.name, sp.type, sp.country, sp.ref_start, sp.ref_end = (
                    full[0],
                    "person",
                    self._person_country(full[1]),
                    full[1],
                    full[2],
                )
                return sp
        if head.pos_ == "PROPN" and not any(e.start <= head.i < e.end for e in ents):
            # "Cornell's Casanova": a surname the story named in full, under another name's
            # possessive
            full = self.person_for(head.text, a)
            if full is not None:
                sp.name, sp.type, sp.ref_start, sp.ref_end = full[0], "person", full[1], full[2]
                sp.country = self._person_country(full[1])
                return sp
        orgs = [e for e in ents if e.label_ in ("ORG", "GPE", "NORP", "LOC", "FAC")]
        head_lemma = head.lemma_.lower()
        low_text = text.lower()
        head_in_ent = any(e.start <= head.i < e.end for e in ents)
        is_definite = (
            toks[0].lower_ in ("the", "this", "that")
            and not head_in_ent
            and not any(e.label_ in ("ORG", "PERSON", "GPE") for e in ents)
        )
        same_role = None
        if (
            R.same_role_word
            and toks[0].lower_ in ("the", "this", "that")
            and head.pos_ == "NOUN"
            and head_lemma in R.person_roles
            and not head_in_ent
            and not any(e.label_ in ("ORG", "PERSON") for e in ents)
        ):
            same_role = self.role_antecedent(toks, a, same_word=True)
        # role nouns and definite descriptions: the spokesman, the website, the official
        if is_definite:
            for prev in reversed(self.history):
                if head_lemma in prev.head_lemmas:
                    if same_role is not None and same_role[3] > prev.text_start:
                        break  # a person introduced with this very role after that speaker
                    return prev.named_again(text, a, b)
            for chunk in reversed([c for c in doc_cache.noun_chunks(self.doc) if c.end_char <= a]):
                if head_lemma in {t.lemma_.lower() for t in chunk if t.pos_ == "NOUN"}:
                    named = [
                        e
                        for e in self.ents
                        if e.label_ in ("ORG", "PERSON") and chunk.start <= e.start < chunk.end + 2
                    ]
                    if named and head_lemma not in R.person_roles:
                        e = named[0]
                        sp.name, sp.type, sp.ref_start, sp.ref_end = (
                            _strip_det(e.text),
                            "organization",
                            e.start_char,
                            e.end_char,
                        )
                        return sp
            if head_lemma in R.person_roles:
                ante = same_role or self.role_antecedent(toks, a)
                if ante is not None:
                    sp.name, sp.type, sp.country, sp.ref_start, sp.ref_end = ante
                    return sp
            if head_lemma in R.org_nouns:
                prev = next((p for p in reversed(self.history) if p.type == "organization"), None)
                if prev is not None:
                    self._register_acronym(head, prev)
                    return prev.named_again(text, a, b, head_lemmas=prev.head_lemmas | {head_lemma})
        if (
            R.definite_role_country
            and not is_definite
            and toks[0].lower_ == "the"
            and head.pos_ == "NOUN"
            and head_lemma in R.person_roles
            and not head_in_ent
            and ents
            and all(e.label_ in ("GPE", "NORP") and e.end <= head.i for e in ents)
        ):
            # "the U.S. leader", "the French foreign minister": the person the story titled so
            # (a country's, not a city's: "the Springfield mayor" may be anyone's)
            ante = None
            if self._title_country(toks):
                ante = same_role or self.role_antecedent(toks, a)
            if ante is not None:
                sp.name, sp.type, sp.country, sp.ref_start, sp.ref_end = ante
                return sp
        for ent in ents:
            if ent.text in self.aliases:
                prev = self.aliases[ent.text]
                return prev.named_again(text, a, b, ref_start=ent.start_char, ref_end=ent.end_char)
        if not head_in_ent and head.pos_ == "NOUN" and head_lemma in R.person_roles:
            sp.type, sp.name = "unnamed", _strip_det(text)
            sp.country = self._title_country(toks)
            return sp
        norp = [e for e in ents if e.label_ == "NORP"]
        if norp and head_lemma in R.country_heads and country_of(norp[0].text):
            iso = country_of(norp[0].text)[0]
            sp.type, sp.name, sp.country = "government", country_short_names().get(iso), iso
            sp.ref_start, sp.ref_end = norp[0].start_char, norp[0].end_char
            return sp
        names = [t for t in toks if t.pos_ == "PROPN" or (t.pos_ == "INTJ" and t.is_title)]
        if (
            len(names) >= 2
            and len(names) == len([t for t in toks if t.pos_ != "DET"])
            and not any(e.label_ in ("GPE", "NORP", "ORG", "LOC", "FAC") for e in ents)
            and all(t.is_title for t in names)
        ):
            name = " ".join(t.text for t in names)
            self.persons.append((name, a, b))
            sp.name, sp.type, sp.ref_start, sp.ref_end = name, "person", a, b
            return sp
        words = [t for t in toks if t.pos_ != "DET"]
        if (
            not ents
            and len(words) >= 2
            and all(t.is_title for t in words)
            and any(t.pos_ == "PROPN" for t in words)
        ):
            roles = [t for t in words if t.lemma_.lower() in R.person_roles]
            if roles and roles[-1].i < words[-1].i:
                # "Solo Mayor Hadi Rudyatmo": a titled name the NER missed
                name = " ".join(t.text for t in words if t.i > roles[-1].i)
                self.persons.append((name, a, b))
                sp.type, sp.name = "person", name
                sp.country = self._title_country(toks)
                return sp
            sp.type, sp.name = "organization", _strip_det(text)
            return sp
        gov = R.government_words.search(low_text) is not None
        if head_lemma in R.document_heads or low_head in R.document_heads:
            sp.type = "document"
        elif (
            head_lemma in R.unnamed_heads
            or low_head in R.unnamed_heads
            or (not orgs and head.tag_ in ("NNS",))
        ):
            sp.type = "unnamed"
        elif orgs:
            # the name the phrase ends on when a role word comes right before it ("Solo mayor
            # Hadi Rudyatmo" with the name tagged GPE after a city tagged ORG: the person), else
            # the last ORG, else the last name
            titled = [
                e
                for e in orgs
                if e.start <= head.i < e.end
                and e.start > 0
                and self.doc[e.start - 1].lemma_.lower() in R.person_roles
            ]
            ent = (
                titled[0]
                if titled
                else orgs[-1]
                if not any(e.label_ in ("ORG",) for e in orgs)
                else [e for e in orgs if e.label_ == "ORG"][-1]
            )
            hit = country_of(ent.text)
            sp.ref_start, sp.ref_end = ent.start_char, ent.end_char
            title = [t for t in toks if t.i < ent.start]
            if (
                ent.label_ in ("ORG", "GPE")
                and hit is None
                and title
                and title[-1].lemma_.lower() in R.person_roles
                and all(t.pos_ == "PROPN" for t in ent)
            ):
                # "Solo Mayor Hadi Rudyatmo" with the name tagged ORG
                self.persons.append((ent.text, ent.start_char, ent.end_char))
                sp.type, sp.name = "person", ent.text
                sp.country = self._title_country(title)
                return sp
            inner = [t for t in ent if t.lemma_.lower() in R.person_roles]
            named = [t for t in ent if inner and t.i > inner[-1].i]
            if (
                ent.label_ == "ORG"
                and len(named) >= 2
                and all(t.pos_ == "PROPN" and t.is_title for t in named)
            ):
                # "USAID Administrator Samantha Power" tagged one ORG: the person after the role
                name = " ".join(t.text for t in named)
                start, end = named[0].idx, ent.end_char
                self.persons.append((name, start, end))
                sp.type, sp.name, sp.ref_start, sp.ref_end = "person", name, start, end
                sp.country = self._title_country([t for t in toks if t.i < named[0].i])
                return sp
            if ent.label_ in ("GPE",) and hit:
                iso, kind = hit
                sp.country = iso
                sp.name = country_short_names().get(iso, ent.text)
                sp.type = "government" if kind == "capital" or gov else "country"
                return sp
            if ent.label_ == "NORP" and hit:
                sp.country = hit[0]
                sp.type = "government" if gov else ("unnamed" if head.pos_ == "NOUN" else "country")
                sp.name = (
                    _strip_det(text)
                    if head.pos_ == "NOUN"
                    else country_short_names().get(hit[0], ent.text)
                )
                return sp
            sp.type = "government" if gov else "organization"
            sp.name = _strip_det(ent.text)
            longer = [
                e
                for e in self.ents
                if e.label_ == "ORG"
                and e.start_char < ent.start_char
                and len(e.text) > len(ent.text)
                and set(normalize_surface(ent.text).split())
                <= set(normalize_surface(e.text).split())
            ]
            if longer:
                sp.name, sp.ref_start, sp.ref_end = (
                    _strip_det(longer[0].text),
                    longer[0].start_char,
                    longer[0].end_char,
                )
            sp.country = self._title_country(toks)
            return sp
        elif gov:
            sp.type = "government"
        else:
            sp.type = "unnamed" if head.pos_ == "NOUN" else "organization"
        sp.name = _strip_det(text)
        sp.country = self._title_country(toks)
        return sp

    def _person_country(self, ent_start: int) -> str | None:
        return self._title_country(self._person_title_tokens(ent_start))

    def _chained_antecedent(self, pron: Token) -> tuple | None:
        """person_antecedent of an earlier subject pronoun (`pronoun_chains`), once per token."""
        if pron.i not in self._chained:
            self._chained[pron.i] = None  # a chain never loops back to itself
            self._chained[pron.i] = self.person_antecedent(pron)
        return self._chained[pron.i]

    def person_antecedent(self, pron: Token) -> tuple | None:
        """The most recent person who spoke or was a subject before the pronoun, agreeing in
        gender where the first name tells it (gender-guesser); else the last person named."""
        want = PRONOUN_GENDER.get(pron.lower_)
        limit = pron.idx
        candidates: list[tuple[int, object, str]] = []
        last_any = None
        quotes = doc_quotes(self.doc)
        R = rules()
        # the window: the pronoun's sentence and the one before (its first token); where
        # recent_named_person is on, its start as a character offset too
        own = pron.sent
        window_first = self.doc[own.start - 1].sent.start if own.start > 0 else own.start
        window_start = self.doc[window_first].idx if R.recent_named_person else limit
        last_recent = None
        for ent in self.ents:
            if ent.end_char > limit:
                break
            if ent.label_ != "PERSON" and not (
                ent.label_ == "ORG"
                and (
                    (
                        self.person_for(ent.text, ent.start_char)
                        and all(t.pos_ == "PROPN" or t.is_punct for t in ent)
                    )
                    or self._named_like_person(ent)
                )
            ):
                continue
            if _in_quote(ent.start_char, ent.end_char, quotes) is not None:
                continue  # a person named inside a quotation is spoken of, not speaking
            full = self.person_for(ent.text, ent.start_char)
            name = full[0] if full else self.full_text(ent)
            if not _gender_agrees(name, want):
                continue
            last_any = ent
            if ent.start_char >= window_start:
                last_recent = ent
            root = ent.root
            if root.dep_ == "compound" and root.head.pos_ == "PROPN" and root.head.i == ent.end:
                root = root.head  # "Chin" of "Chin JouSen": the name the NER cut
            if root.dep_ in SUBJECT_DEPS or (
                root.dep_ == "appos"
                and (not R.subject_appositives or root.head.dep_ in SUBJECT_DEPS)
            ):
                candidates.append((ent.start_char, ent, name))
        for sp in self.history:
            if sp.text_start >= limit or not sp.name:
                continue
            if sp.described and R.described_not_person:
                continue  # "the Trump administration", "Gee's mother"
            if sp.type == "person" or (
                sp.type == "unnamed" and sp.head_lemmas & rules().person_roles
            ):
                if _gender_agrees(sp.name, want):
                    candidates.append((sp.text_start, sp, sp.name))
        if R.pronoun_chains and want is not None:
            # a "he" / "she" subject between the window's start and this pronoun stands for the
            # person this one does ("For Smith, ... He has ... '...,' he said")
            for t in self.doc[window_first : pron.i]:
                if (
                    PRONOUN_GENDER.get(t.lower_) == want
                    and t.dep_ in SUBJECT_DEPS
                    and _in_quote(t.idx, t.idx + len(t), quotes) is None
                    and not any(sp.text_start == t.idx for sp in self.history)
                ):
                    ante = self._chained_antecedent(t)
                    if ante is not None:
                        candidates.append((t.idx, ante, ante[0]))
        if last_recent is not None and not any(c[0] >= window_start for c in candidates):
            # no person is a subject in the pronoun's sentence or the one before: the last
            # person they name ("Take security guard Sibusiso Sithole, for example.")
            candidates.append((last_recent.start_char, last_recent, last_recent.text))
        if not candidates and last_any is not None:
            candidates.append((last_any.start_char, last_any, last_any.text))
        if not candidates:
            return None
        _, best, _ = max(candidates, key=lambda c: c[0])
        if isinstance(best, tuple):  # pronoun_chains: an earlier pronoun's person, resolved
            return best
        if isinstance(best, Speaker):
            return best.name, best.type, best.country, best.ref_start, best.ref_end
        full = self.person_for(best.text, best.start_char)
        name, ra, rb = full if full else (self.full_text(best), best.start_char, best.end_char)
        return name, "person", self._person_country(ra), ra, rb

    @staticmethod
    def _named_like_person(ent: Span) -> bool:
        """An entity tagged ORG that reads as a person's name: two or three capitalized proper
        nouns, the first a known first name ("Lydia Rosasi") or (`who_clause_persons`) the
        name followed by a "who" clause ("Chalida Tajaroensuk, who heads ...")."""
        if not (2 <= len(ent) <= 3 and all(t.pos_ == "PROPN" and t.is_title for t in ent)):
            return False
        if ent[0].lower_ in _first_name_genders():
            return True
        return rules().who_clause_persons and any(
            c.dep_ == "relcl" and c.left_edge.lower_ == "who" for c in ent.root.rights
        )

    def _appositive_title(self, end_char: int) -> list[Token]:
        """The description in apposition after a person's name: "Ahmed Khan, the army's
        spokesman, said" -> the army's spokesman (up to the next comma, verb or 8 words)."""
        span = self.doc.char_span(end_char - 1, end_char, alignment_mode="expand")
        if span is None:
            return []
        j = span[-1].i + 1
        if j >= len(self.doc) or self.doc[j].text != ",":
            return []
        out = []
        for t in self.doc[j + 1 : j + 9]:
            if t.is_punct or t.pos_ in ("VERB", "AUX") or t.lower_ in ("who", "which", "that"):
                break
            out.append(t)
        return out

    def role_antecedent(
        self, toks: list[Token], before: int, same_word: bool = False
    ) -> tuple | None:
        """'the Russian leader' -> the last person named with a role title (same nationality).
        same_word: only a person whose title (before the name or in apposition after it) has
        the phrase's own role word ("the spokesman" -> "..., a ministry spokesman,")."""
        want_country = self._title_country(toks)
        roles = [t.lemma_.lower() for t in toks if t.lemma_.lower() in rules().person_roles]
        role_toks = [t for t in toks if t.lemma_.lower() in rules().person_roles]
        want_qualifiers = _role_qualifiers(role_toks[-1]) if role_toks else frozenset()
        best = None
        for name, a, b in self.persons:
            if a >= before:
                continue
            title = self._person_title_tokens(a)
            if same_word:
                title = title + self._appositive_title(b)
                hits = [t for t in title if roles and t.lemma_.lower() == roles[-1]]
                if not hits or _role_qualifiers(hits[-1]) != want_qualifiers:
                    continue
            if not any(t.lemma_.lower() in rules().person_roles for t in title):
                continue
            country = self._title_country(title)
            if want_country and country != want_country:
                continue
            best = (name, "person", country, a, b)
        return best


ROLE_QUALIFIERS = frozenset({"vice", "deputy", "former", "ex", "assistant", "acting", "interim"})


def _role_qualifiers(role: Token) -> frozenset:
    """The words before a role noun that make it another role: "Vice-President", "former
    president", "deputy minister" (none for "the president")."""
    out = set()
    for t in role.doc[max(0, role.i - 3) : role.i]:
        if t.lower_ in ROLE_QUALIFIERS:
            out.add(t.lower_)
    return frozenset(out)


@functools.lru_cache(maxsize=1)
def _first_name_genders() -> dict[str, str]:
    """Lower-cased first name -> gender-guesser's answer for it (names it lacks: "unknown").

    Kept in a cache file (transforms/file_cache.py): parsing gender-guesser's name list costs
    0.75 s of CPU in every worker process; reading the answers back, a few milliseconds.
    """

    def answers() -> dict[str, str]:
        import gender_guesser.detector

        detector = gender_guesser.detector.Detector(case_sensitive=False)
        return {name: detector.get_gender(name) for name in detector.names}

    return cached_json("first-name-genders", ["gender-guesser", version("gender-guesser")], answers)


def _gender_agrees(name: str, want: str | None) -> bool:
    """False only when the first name is known to be of the other gender."""
    if want is None or not name:
        return True
    first = name.split()[0]
    guess = _first_name_genders().get(first.lower(), "unknown").replace("mostly_", "")
    if guess not in ("male", "female"):
        return True
    return guess == want


def _strip_det(text: str) -> str:
    """A name without its leading determiner, nor a trailing function word an entity span may
    end on ("The Ministry of Foreign Affairs of" -> "Ministry of Foreign Affairs")."""
    text = re.sub(r"\s+(of|the|and|for|in)$", "", text.strip(), flags=re.IGNORECASE)
    return re.sub(r"^(the|a|an|one|another|some|this|these)\s+", "", text, flags=re.IGNORECASE)


# ---------------------------------------------------------------------------------------------
# Rows


def _target(claim: Claim, doc: Doc, speaker: Speaker | None) -> tuple[str, int, int] | None:
    if claim.stance not in ("accuse", "condemn", "demand", "warn"):
        return None
    cue = claim.cue_tokens[0]
    cfg = rules().cues.get(claim.cue_lemma, {})
    candidates: list[Span] = []
    if claim.target is not None:
        t = claim.target
        span = doc[t.left_edge.i : t.right_edge.i + 1] if isinstance(t, Token) else t
        candidates += [
            e for e in doc_cache.ents(doc) if e.start >= span.start and e.end <= span.end
        ]
    for kind in cfg.get("target", []):
        for c in cue.children:
            if kind == "dobj" and c.dep_ == "dobj" and c.lower_ in rules().target_pronouns:
                # "accused him of ...": the person the pronoun stands for (person_antecedent)
                if not candidates and (ante := _pronoun_target(c, doc, speaker)) is not None:
                    return ante
            elif kind == "dobj" and c.dep_ == "dobj":
                span = doc[c.left_edge.i : c.i + 1]
                candidates += [
                    e
                    for e in doc_cache.ents(doc)
                    if e.start >= span.start and e.end <= span.end + len(list(c.conjuncts)) * 4
                ]
    content = doc.char_span(claim.content_start, claim.content_end, alignment_mode="expand")
    if content is not None:
        candidates += [e for e in doc_cache.span_ents(content)]
    for ent in candidates:
        if ent.label_ not in ("GPE", "ORG", "NORP", "PERSON", "LOC"):
            continue
        if _is_speaker(speaker, ent.text, ent.start_char):
            continue
        return ent.text, ent.start_char, ent.end_char
    return None


def _is_speaker(speaker: Speaker | None, name: str, start: int) -> bool:
    """Whether a target candidate (its name, where it starts) is the claim's own speaker: the
    speaker's mention itself, or the same name."""
    if speaker is None:
        return False
    return speaker.ref_start == start or bool(
        speaker.name and normalize_surface(name) == normalize_surface(speaker.name)
    )


def _pronoun_target(pron: Token, doc: Doc, speaker: Speaker | None) -> tuple[str, int, int] | None:
    """The person a pronoun object of the cue stands for (`SpeakerResolver.person_antecedent`:
    the last person who was a subject or was named before it, agreeing in gender), as a target:
    (full name, start and end of the mention), unless that person is the speaker. A person
    named before it in its own sentence comes first: an object pronoun stands for someone other
    than its clause's subject ("Trump lashed out at Mayor Muriel Bowser, accusing her of ...")."""
    resolver = SpeakerResolver(doc)
    want = PRONOUN_GENDER.get(pron.lower_)
    ante = None
    for ent in resolver.ents:
        if ent.label_ != "PERSON" or ent.start < pron.sent.start or ent.end > pron.i:
            continue
        full = resolver.person_for(ent.text, ent.start_char)
        name = full[0] if full else resolver.full_text(ent)
        if _gender_agrees(name, want) and not _is_speaker(speaker, name, ent.start_char):
            ante = (name, None, None, ent.start_char, ent.end_char)
    ante = ante or resolver.person_antecedent(pron)
    if ante is None or ante[3] is None:
        return None
    name, _, _, start, end = ante
    return None if _is_speaker(speaker, name, start) else (name, start, end)


def claim_rows(doc: Doc, article, method: str = "auto") -> list[dict]:
    """Rows of the `claims` table for one article (computed once per Doc: claim_number_rows
    reads the same rows from doc.user_data instead of extracting the claims a second time).
    `method`: "auto" (the learned cue, speaker and stance where `make train` built them and they
    won in training), "rules" (the rules alone) or "rules+cue" (the learned cue's claims too,
    with the rules' speaker and stance)."""
    cache_key = (_ROWS_KEY, article.article_id, article.version, method)
    if cache_key in doc.user_data:
        return doc.user_data[cache_key]
    with doc_cache.cached(doc):
        rows = _claim_rows(doc, article, method)
    doc.user_data[cache_key] = rows
    return rows


_ROWS_KEY = "newsledger_claim_rows"


def forget_claim_rows(doc: Doc) -> None:
    """Drop the rows `claim_rows` kept on this Doc, so that the next call extracts them again
    (after a change of the rules, as tests and experiments make)."""
    for key in [k for k in doc.user_data if isinstance(k, tuple) and k[:1] == (_ROWS_KEY,)]:
        del doc.user_data[key]


# -- the learned stance (`make train`: training/claims/) -----------------------------------------
MODELS_DIR = textcat.MODELS_ROOT / "claims"


class Classifiers:
    """The stance classifier and the speaker ranker (spaCy textcat, bag of words), and which
    method won for each in training."""

    scores = staticmethod(textcat.scores)

    def __init__(self, model_dir: Path):
        pipes, meta = textcat.load(model_dir, ["stance", "speaker"])
        self.stance, self.speaker = pipes["stance"], pipes["speaker"]
        self.meta = meta
        # the learned cue (training/claims/train.py): (textcat, threshold) when it won in
        # cross-validation, else None (the rules' cues alone)
        self.cue: tuple | None = None
        if meta.get("cue_method") == "learned" and (model_dir / "cue").exists():
            self.cue = (textcat.load(model_dir, ["cue"])[0]["cue"], meta["cue_threshold"])
        # "learned" or "rules": the speaker ranker or the rules' speaker, by cross-validation
        self.speaker_method: str = meta.get("speaker_method", "rules")
        # the target ranker (target_features) and its threshold when it won in
        # cross-validation, else None (the rules' target: `_target`)
        self.target: tuple | None = None
        if meta.get("target_method") == "learned" and (model_dir / "target").exists():
            self.target = (
                textcat.load(model_dir, ["target"])[0]["target"],
                meta["target_threshold"],
            )
        # "learned", "learned_on_assert" (only where the rules say "assert"),
        # "learned_on_cue_assert" (only where the cue lists say "assert", the content patterns
        # then being a feature, not the answer) or "rules": the most accurate in
        # cross-validation (training/claims/train.py)
        self.stance_method: str = meta.get("stance_method", "rules")


@functools.lru_cache(maxsize=1)
def classifiers() -> Classifiers | None:
    """The trained classifiers, or None when `make train` has not built them (rules then)."""
    if not (MODELS_DIR / "training.json").exists():
        return None
    return Classifiers(MODELS_DIR)


def cue_stance(cue_lemma: str) -> str:
    """The stance the cue lists give a cue lemma ("accuse" for "accuse"), "assert" for a plain
    speech verb or a cue they lack: before the content patterns (`content_stance`)."""
    cue = rules().cues.get(cue_lemma) or next(
        (p for p in rules().phrases if p["lemma"] == cue_lemma), {"stance": "assert"}
    )
    return cue["stance"]


def rule_stance(cue_lemma: str, content: str) -> str:
    """The rules' stance of a claim from its cue lemma and content (as training reads gold)."""
    return _stance_from_content(cue_stance(cue_lemma), content)


def learned_decides(method: str, rule: str, cue: str) -> bool:
    """Whether the stance classifier, rather than the rules, gives the stance of a claim whose
    rules' stance is `rule` and whose cue lists' stance is `cue` (cue_stance), under `method`:
    "rules" never, "learned" always, "learned_on_assert" where the rules say "assert",
    "learned_on_cue_assert" where the cue lists do (a cue that names its stance keeps it; a
    stance the content patterns gave a plain "said" is the classifier's to decide)."""
    return (
        method == "learned"
        or (method == "learned_on_assert" and rule == "assert")
        or (method == "learned_on_cue_assert" and cue == "assert")
    )


def learned_stances(claims: list[tuple[Claim, str]], models: Classifiers) -> list[str]:
    """The stance classifier's answer for each (claim, its content), in one call."""
    feats = [
        claim_features.stance_features(c.cue_lemma, content, c.is_direct, c.stance)
        for c, content in claims
    ]
    return [max(probs, key=probs.__getitem__) for probs in models.scores(models.stance, feats)]


def learned_targets(doc: Doc, rows: list[dict], model, threshold: float) -> None:
    """Each claim whose stance takes a target (accuse, condemn, demand, warn) takes the target
    ranker's best candidate (target_features: the names and noun phrases of its sentence and
    content) when its probability reaches `threshold`; else it keeps the rules' target."""
    groups = []
    for row in rows:
        if row["stance"] not in target_features.TARGET_STANCES:
            continue
        cands = target_features.candidates(doc, row)
        if cands:
            feats = [
                target_features.features(doc, row, c, i, len(cands)) for i, c in enumerate(cands)
            ]
            groups.append((row, cands, feats))
    all_probs = textcat.grouped_scores(model, [feats for _, _, feats in groups])
    for (row, cands, _), probs in zip(groups, all_probs, strict=True):
        best = max(range(len(cands)), key=lambda i: probs[i][target_features.YES])
        if probs[best][target_features.YES] >= threshold:
            c = cands[best]
            row["target_text"], row["target_start"], row["target_end"] = c.text, c.start, c.end


def rerank_speakers(doc: Doc, rows: list[dict], models: Classifiers) -> None:
    """Each claim's speaker: the candidate the ranker scores highest (the rules' speaker or a
    person, body or country named in the claim's sentence or the two before it), unless it names
    the party the rules' speaker already names (speaker_features.same_party)."""
    counts = speaker_features.mention_counts(doc)
    ranked = [(row, speaker_features.pairs(doc, row, counts)) for row in rows]
    ranked = [(row, pairs) for row, pairs in ranked if len(pairs) >= 2]
    all_probs = textcat.grouped_scores(
        models.speaker, [[f for _, f in pairs] for _, pairs in ranked]
    )
    for (row, pairs), probs in zip(ranked, all_probs, strict=True):
        best = max(range(len(pairs)), key=lambda i: probs[i][speaker_features.YES])
        if not best:
            continue
        cols = speaker_features.resolve(pairs[best][0], row)
        if not speaker_features.same_party(cols, row):
            row.update(cols)
            row["method"] = f"{row['method']}+speaker_ranked"


def _claim_rows(
    doc: Doc, article, method: str = "auto", cue_model: tuple | None = None
) -> list[dict]:
    """`cue_model`: the learned cue to use (training's cross-validation); by default the shipped
    one when `method` is "auto" or "rules+cue" (the shipped cue's claims with the rules' speaker
    and stance: the evaluation's baseline for the learned speaker and stance)."""
    models = classifiers() if method in ("auto", "rules+cue") else None
    if cue_model is None and models is not None:
        cue_model = models.cue
    if method == "rules+cue":
        models = None
    claims = extract_claims(doc, cue_model)
    if models is not None and models.stance_method != "rules":
        text = doc_cache.text(doc)
        deciding = [
            c
            for c in claims
            if learned_decides(models.stance_method, c.stance, claim_cue_stance(c))
        ]
        stances = learned_stances(
            [(c, text[c.content_start : c.content_end]) for c in deciding], models
        )
        for c, stance in zip(deciding, stances, strict=True):
            c.stance = stance
    rows = []
    seen = set()
    for c in claims:
        sp = c.speaker
        cue_tok = c.cue_tokens[0]
        target = _target(c, doc, sp)
        key = (c.content_start, c.content_end, sp.text_start, sp.name, c.cue_start)
        if key in seen:
            continue
        seen.add(key)
        confidence = c.confidence - (0.1 if sp.text_start != sp.ref_start else 0.0)
        rows.append(
            {
                "claim_id": _stable_id(
                    article.article_id,
                    c.cue_start,
                    c.content_start,
                    c.content_end,
                    sp.text_start,
                    sp.name,
                ),
                "article_id": article.article_id,
                "sentence_index": doc_cache.sentence_index(doc, cue_tok.i),
                "speaker_text": sp.text,
                "speaker_text_start": sp.text_start,
                "speaker_text_end": sp.text_end,
                "speaker_name": sp.name,
                "speaker_type": sp.type,
                "speaker_country_iso3": sp.country,
                "speaker_start": sp.ref_start if sp.ref_start is not None else sp.text_start,
                "speaker_end": sp.ref_end if sp.ref_end is not None else sp.text_end,
                "cue": doc_cache.text(doc)[c.cue_start : c.cue_end],
                "cue_lemma": c.cue_lemma,
                "cue_start": c.cue_start,
                "cue_end": c.cue_end,
                "content": doc_cache.text(doc)[c.content_start : c.content_end],
                "content_start": c.content_start,
                "content_end": c.content_end,
                "is_direct": c.is_direct,
                "stance": c.stance,
                "target_text": target[0] if target else None,
                "target_start": target[1] if target else None,
                "target_end": target[2] if target else None,
                "confidence": round(max(0.1, confidence), 2),
                "method": c.method,
                "rules_version": rules().version,
                "extractor_version": article.version,
            }
        )
    if models is not None and models.speaker_method == "learned":
        rerank_speakers(doc, rows, models)
    if models is not None and models.target is not None:
        learned_targets(doc, rows, *models.target)
    story_country(doc, rows)
    return rows


# Speakers whose country the story implies when their own words name none: a person, an unnamed
# source ("a local official"), a government ("the government"), an organization (not an
# international one, not a news outlet: `speaks_for_no_country`).
STORY_COUNTRY_TYPES = frozenset({"person", "unnamed", "government", "organization"})


def _grams(text: str | None) -> tuple[list[str], set[str]]:
    words = normalize_surface(text or "").split()
    n = len(words)
    return words, {" ".join(words[i:j]) for i in range(n) for j in range(i + 1, n + 1)}


def names_international(text: str | None) -> bool:
    """Whether the words name an organization of the reference list that has no country of its
    own (an international organization or a stateless group: "the European Commission", "EU
    officials", "European Union foreign policy chief Kaja Kallas")."""
    orgs = organizations()
    return any(g in orgs and orgs[g].iso3 is None for g in _grams(text)[1])


def speaks_for_no_country(row: dict) -> bool:
    """A speaker that acts for no country: any speaker whose words name an international
    organization of the reference list and no country (`names_international`; the phrase's own
    country is read first: "Pakistan's envoy to the U.N."), or an organization speaker naming
    a news outlet (claim_cues.yaml `media`)."""
    if names_international(row["speaker_text"]) or (
        row["speaker_type"] == "organization" and names_international(row["speaker_name"])
    ):
        return True
    if row["speaker_type"] != "organization":
        return False
    R = rules()
    for text in (row["speaker_name"], row["speaker_text"]):
        words, grams = _grams(text)
        if grams & R.media_names or any(w in R.media_words for w in words):
            return True
    return False


def introduction_country(doc: Doc, row: dict) -> str | None:
    """The country of the words that introduce a person where the story names them: the title
    before a mention of their surname ("Cameroonian activist Abanda") or an apposition after it
    ("Abanda, a Cameroonian activist"), the first such mention that names a country."""
    from transforms.actors import country_in_phrase

    name = (row["speaker_name"] or "").split()
    if not name:
        return None
    surname = name[-1]
    for ent in doc_cache.ents(doc):
        if ent.label_ != "PERSON" or surname not in ent.text.split():
            continue
        sent = doc_cache.sent_of(ent[0])
        before = [t for t in doc[max(sent.start, ent.start - 4) : ent.start] if not t.is_punct]
        after = [t for c in ent.root.children if c.dep_ == "appos" for t in c.subtree]
        for words in (before, after):
            hit = country_in_phrase(" ".join(t.text for t in words)) if words else None
            if hit is not None:
                return hit[0]
    return None


def story_country(doc: Doc, rows: list[dict]) -> None:
    """A speaker without a country takes, in order: a country its own words name ("the U.S.
    Congress", "Puerto Rico's governor": `actors.country_in_phrase`, method "+phrase_country");
    else, for a STORY_COUNTRY_TYPES type, the story's own country (its most-mentioned one,
    parties.home_party: what the event path uses too; in a story that names no country, the
    country its states and regions name most, `parties.home_region_country`: +2 right speaker
    countries of 811 on the train split, none lost; method "+story_country"). Documents and
    countries never take the story's country, nor an international organization or a news
    outlet (`speaks_for_no_country`). Decided on the train split's matched claims
    (evaluation/claims.py, "speaker country (matched)"): 0.665 with persons, unnamed sources
    and governments only, 0.736 with organizations too, 0.745 with the phrase first."""
    from transforms.actors import country_in_phrase
    from transforms.extract.parties import home_party, home_region_country

    home = doc_cache.per_doc(doc, "home_party", home_party)
    home_iso3 = home.iso3 if home is not None else home_region_country(doc)
    for row in rows:
        if chosen_country(doc, row):
            continue
        if row["speaker_country_iso3"] is not None:
            continue
        own = country_in_phrase(row["speaker_text"] or "")
        if own is not None:
            row["speaker_country_iso3"] = own[0]
            row["method"] = f"{row['method']}+phrase_country"
            continue
        intro = (
            introduction_country(doc, row)
            if row["speaker_type"] == "person" and not names_international(row["speaker_text"])
            else None
        )
        if intro is not None:
            row["speaker_country_iso3"] = intro
            row["method"] = f"{row['method']}+introduction_country"
        elif (
            home_iso3
            and row["speaker_type"] in STORY_COUNTRY_TYPES
            and not speaks_for_no_country(row)
        ):
            row["speaker_country_iso3"] = home_iso3
            row["method"] = f"{row['method']}+story_country"


# Speaker types the party country chooser decides for (the types events' and pledges' parties
# take its country for: parties.with_country); countries, governments and documents keep theirs.
CHOOSER_TYPES = frozenset({"person", "organization", "unnamed"})


def chosen_country(doc: Doc, row: dict) -> bool:
    """Give the row's speaker the learned country chooser's country (`country_chooser.choose` on
    the speaker's resolved mention, method "+chooser"); False where it gives no answer (no model,
    no candidate above its threshold) or the switch is off. An international organization's
    speaker keeps no country."""
    if not rules().learned_speaker_country or row["speaker_type"] not in CHOOSER_TYPES:
        return False
    from transforms.extract import country_chooser

    start, end = row["speaker_start"], row["speaker_end"]
    if start is None or end is None:
        return False
    choice = country_chooser.choose(doc, start, end, doc_cache.text(doc)[start:end])
    if choice is None:
        return False
    row["speaker_country_iso3"] = choice.iso3
    row["method"] = f"{row['method']}+chooser"
    return True


def claim_number_rows(doc: Doc, article) -> list[dict]:
    """Rows of the `claim_numbers` table: numbers with a unit inside each claim's content."""
    with doc_cache.cached(doc):
        return _claim_number_rows(doc, article)


def _claim_number_rows(doc: Doc, article) -> list[dict]:
    rows = []
    for row in claim_rows(doc, article):
        for num in numbers_in(doc, row["content_start"], row["content_end"]):
            rows.append(
                {
                    "claim_id": row["claim_id"],
                    "article_id": article.article_id,
                    "number_text": num.text,
                    "number_start": num.start,
                    "number_end": num.end,
                    "value": num.value,
                    "unit": num.unit,
                    "subject": num.subject,
                    "extractor_version": article.version,
                }
            )
    return rows


def _stable_id(*parts: object) -> str:
    import hashlib

    return hashlib.sha1("\x1f".join(map(str, parts)).encode("utf-8")).hexdigest()[:16]
