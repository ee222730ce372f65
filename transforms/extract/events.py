"""PLOVER events: who did what to whom, where and when, with the mode the text states it in.

One row per (trigger, actor, recipient) in a sentence. What is learned and what is rules:
- **Triggers and their type are learned** (`method` "learned"): the event-trigger tagger
  (transforms/nlp/event_triggers.py, trained by `make train` on the labelled corpus's `train`
  stories) marks the tokens that state an event, with one of the 20 PLOVER types of the corpus
  guidelines, and its probability (the row's `confidence`).
- Without the trained component in the pipeline (or with `triggers="lexicon"`), the lexicon
  (rules/event_lexicon.csv, written from CAMEO2PLOVER-2021.txt and the PLOVER manual) finds the
  triggers (`method` "lexicon"): verbs of the lexicon, adjectives of intent ("willing to") and
  event nouns carried by a light verb ("held talks"), with type refinements from the manual.
  `make eval` prints both on held-out stories; the learned triggers are the default because
  they win there (README, "What is extracted").
- **Arguments are rules** over the dependency parse, for either source: actor = the trigger's
  subject (inherited through xcomp/conj chains; the `by` agent of a passive); recipient = its
  direct object (or the object's possessor: "condemned North Korea's transfers"), else its
  with/to/against/on object, else the subject of its that-clause ("demanded that it withdraw").
  Both come from the trigger's own clause, never from elsewhere in the story; a place is never
  an actor; pronouns take their antecedent (parties.py).
- With the learned triggers, the **argument classifier** chooses actors and recipients among
  the parties of the sentence and the story's country, with the rules' answers among its
  features; the rules are its fallback (`choose_arguments`).
  An event with an actor and still no recipient is done to the actor's own country (most
  events whose clause names no target are domestic: the corpus codes them so), except the types
  the guidelines give no recipient (MOBILIZE, PROTEST: `no_recipient_types`).
- Place = an in/at object of the trigger's clause that is a GPE/LOC/FAC and not a party.
- Date = a DATE entity inside the trigger's clause resolved by dates.py against the article's
  date; a date after publication is kept only when the clause speaks of the future. Without
  one, the row falls back to the publication date with `date_method` "publication_date" (the
  event's own time expression is then null in `date_text`).
- Mode: denied (negated, or under deny/dismiss), hypothetical (if/unless, could/might/may, or
  demanded of someone), announced (will/shall/would, or under announce/pledge/promise/plan),
  historical (resolved date more than a year before publication), else asserted.
`is_main` marks the sentence's main event (the trigger nearest the root of the parse).
Word lists are data: rules/event_words.yaml.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
from dataclasses import dataclass, field, replace
from pathlib import Path

import polars as pl
import yaml
from spacy.tokens import Doc, Span, Token

from transforms.extract import dates, doc_cache, event_features, textcat
from transforms.extract.base import ArticleContext, stable_id
from transforms.extract.parties import (
    Party,
    country_reason,
    home_party,
    parties_for,
    with_country,
)
from transforms.refdata import country_names

RULES = Path(__file__).parent / "rules"
RULES_VERSION = "lexicons-2"
# The trigger detector's label of a candidate that is an event (Classifiers.trigger_detect).
EVENT = "EVENT"
# The 20 PLOVER types of the corpus guidelines (../shared/data/gold/train/README.md).
PLOVER_TYPES = [
    "AGREE",
    "CONSULT",
    "SUPPORT",
    "CONCEDE",
    "COOPERATE",
    "AID",
    "RETREAT",
    "INVESTIGATE",
    "DEMAND",
    "DISAPPROVE",
    "ACCUSE",
    "REJECT",
    "THREATEN",
    "SANCTION",
    "PROTEST",
    "CRIME",
    "MOBILIZE",
    "COERCE",
    "ASSAULT",
    "REQUEST",
]
COOPERATIVE = {"CONSULT", "SUPPORT", "COOPERATE", "AID", "CONCEDE", "RETREAT"}
CONFLICT = {"SANCTION", "PROTEST", "COERCE", "ASSAULT"}
LOCATION_LABELS = {"GPE", "LOC", "FAC"}
# The trained classifiers (`make train`: training/events/), loaded once per process.
MODELS_DIR = textcat.MODELS_ROOT / "events"

EVENT_MENTION_SCHEMA = {
    "event_mention_id": pl.String,
    "article_id": pl.String,
    "sentence_index": pl.Int32,
    "start_char": pl.Int32,
    "end_char": pl.Int32,
    "trigger_text": pl.String,
    "trigger_lemma": pl.String,
    "event_type": pl.String,
    "mode": pl.String,
    "actor_text": pl.String,
    "actor_start_char": pl.Int32,
    "actor_end_char": pl.Int32,
    "actor_name": pl.String,
    "actor_iso3": pl.String,
    "actor_kind": pl.String,
    "actor_country_reason": pl.String,
    "actor_country_confidence": pl.Float64,
    "recipient_text": pl.String,
    "recipient_start_char": pl.Int32,
    "recipient_end_char": pl.Int32,
    "recipient_name": pl.String,
    "recipient_iso3": pl.String,
    "recipient_kind": pl.String,
    "recipient_country_reason": pl.String,
    "recipient_country_confidence": pl.Float64,
    "place_text": pl.String,
    "place_start_char": pl.Int32,
    "place_end_char": pl.Int32,
    "date_text": pl.String,
    "event_date": pl.Date,
    "event_date_end": pl.Date,
    "date_precision": pl.String,
    "date_method": pl.String,
    "published_date": pl.Date,
    "is_main": pl.Boolean,
    "confidence": pl.Float64,
    "method": pl.String,
    "rules_version": pl.String,
    "extractor_version": pl.String,
}


def _load_words() -> dict[str, set[str]]:
    raw = yaml.safe_load((RULES / "event_words.yaml").read_text(encoding="utf-8"))
    return {key: {str(w) for w in words} for key, words in raw.items()}


WORDS = _load_words()


@functools.lru_cache(maxsize=1)
def lexicon() -> dict[tuple[str, str], list[tuple[str, str]]]:
    """(lemma, pos) -> [(event_type, condition)], conditional entries first."""
    out: dict[tuple[str, str], list[tuple[str, str]]] = {}
    with (RULES / "event_lexicon.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            out.setdefault((row["lemma"], row["pos"]), []).append(
                (row["event_type"], row["condition"])
            )
    for key in out:
        out[key].sort(key=lambda e: e[1] == "")
    return out


@dataclass
class Event:
    trigger: Token
    event_type: str
    actors: list[Party] = field(default_factory=list)
    recipients: list[Party] = field(default_factory=list)
    mode: str = "asserted"
    place: Span | None = None
    date: dates.ResolvedDate | None = None
    depth: int = 0
    is_main: bool = False
    confidence: float = 0.6
    method: str = "lexicon"


def _lemma(tok: Token) -> str:
    return tok.lemma_.lower()


def _depth(tok: Token) -> int:
    d = 0
    while tok.head != tok and d < 50:
        tok = tok.head
        d += 1
    return d


def _children(tok: Token, deps: set[str]) -> list[Token]:
    return [c for c in tok.children if c.dep_ in deps]


def _sentence_lemmas(sent: Span) -> set[str]:
    return {_lemma(t) for t in doc_cache.span_tokens(sent)}


def _condition(cond: str, tok: Token, sent: Span) -> bool:
    objects = _children(tok, {"dobj"})
    obj_lemmas = {_lemma(o) for o in objects}
    prts = {c.lower_ for c in tok.children if c.dep_ == "prt"}
    if cond == "":
        return True
    if cond == "military_context":
        return bool(_sentence_lemmas(sent) & WORDS["military_words"])
    if cond == "person_object":
        return any(o.ent_type_ == "PERSON" for o in objects)
    if cond == "call_for":
        return bool(prts & {"on", "upon"}) or any(
            c.dep_ in ("prep", "xcomp") and c.lower_ in ("for", "on") or c.dep_ == "xcomp"
            for c in tok.children
        )
    if cond == "labor":
        subj = _subject(tok)
        return not objects and (subj is None or _lemma(subj) in WORDS["labor_subjects"])
    if cond == "diplomat":
        return bool(obj_lemmas & WORDS["diplomat_objects"])
    if cond == "relations":
        return bool(obj_lemmas & WORDS["relations_objects"])
    if cond == "rule_out":
        return "out" in prts
    if cond == "turn_down":
        return "down" in prts
    if cond == "must":
        return any(t.lower_ == "must" for t in tok.subtree)
    if cond == "verbal":
        return (
            bool(obj_lemmas & WORDS["verbal_objects"])
            or (_lemma(tok) == "protest" and bool(objects))
            or (_lemma(tok) == "defend" and not (_sentence_lemmas(sent) & WORDS["armed_subjects"]))
        )
    if cond == "persons":
        held = objects + [c for c in tok.children if c.dep_ == "nsubjpass"]
        if tok.dep_ == "acl":
            held.append(tok.head)
        return any(
            o.ent_type_ in ("PERSON", "NORP") or _lemma(o) in WORDS["held_persons"] for o in held
        )
    if cond == "lodged":
        return _lemma(tok.head) in WORDS["lodge_verbs"]
    if cond == "mediation":
        return bool(obj_lemmas & WORDS["mediation_objects"])
    if cond == "military_object":
        return bool(obj_lemmas & WORDS["military_objects"])
    if cond == "civil":
        subj = _subject(tok)
        return subj is not None and _lemma(subj) in WORDS["civil_subjects"]
    return False


def _type_for(tok: Token, pos: str, sent: Span, entries: list | None = None) -> str | None:
    """The first lexicon type for (lemma, pos) whose condition holds; `entries`: that lexicon
    entry when the caller has looked it up already."""
    for etype, cond in lexicon().get((_lemma(tok), pos), []) if entries is None else entries:
        if _condition(cond, tok, sent):
            return etype
    return None


def _subject(tok: Token) -> Token | None:
    """The subject of the clause `tok` heads (climbing through xcomp, conj, participles), the
    agent of a passive, or None; kept per token while a Doc is extracted (the trigger features,
    the argument features and the rules ask it of the same tokens)."""
    memo = doc_cache.per_doc(tok.doc, "event_subjects", lambda _doc: {})
    if tok.i not in memo:
        memo[tok.i] = _find_subject(tok)
    return memo[tok.i]


def _find_subject(tok: Token) -> Token | None:
    cur = tok
    for _ in range(6):
        kids = list(cur.children)
        subj = next((c for c in kids if c.dep_ in ("nsubj", "csubj")), None)
        if subj is not None:
            return subj
        agent = next((c for c in kids if c.dep_ == "agent"), None)
        if agent is not None:
            pobj = next((g for g in agent.children if g.dep_ == "pobj"), None)
            if pobj is not None:
                return pobj
        if any(c.dep_ in ("nsubjpass", "auxpass") for c in kids):
            return None  # a passive without its agent names no actor
        if cur.dep_ == "xcomp" and cur.head != cur:
            # object control: "emboldening North Korea to violate" -> North Korea violates
            obj = next((c for c in cur.head.children if c.dep_ == "dobj"), None)
            if obj is not None:
                return obj
        participle = cur.tag_ in ("VBG", "VBN") and not any(
            c.dep_ in ("mark", "aux", "auxpass") for c in kids
        )
        if (
            cur.dep_ in ("xcomp", "conj") or (cur.dep_ == "advcl" and participle)
        ) and cur.head != cur:
            cur = cur.head
            continue
        if cur.dep_ in ("acomp",):
            cur = cur.head
            continue
        break
    # "In Seoul, South Korea and the EU condemned ...": spaCy hangs the subject on the fronted
    # place as its conjuncts; take them back when the clause has no subject of its own.
    for child in cur.children:
        if child.dep_ == "prep" and child.i < cur.i and child.i == doc_cache.sent_of(child).start:
            for pobj in child.children:
                conj = [c for c in pobj.children if c.dep_ == "conj"]
                if pobj.dep_ == "pobj" and conj:
                    return conj[0]
    return None


def _recipient_tokens(tok: Token, etype: str) -> list[Token]:
    out = _children(tok, {"dobj", "dative"})
    if not out and any(c.dep_ == "agent" for c in tok.children):
        out = _children(tok, {"nsubjpass"})
    preps = {"with", "to", "against", "on", "from", "for", "into", "upon"}
    for child in tok.children:
        if child.dep_ in ("prep", "dative") and child.lower_ in preps:
            out.extend(g for g in child.children if g.dep_ == "pobj")
        if child.dep_ == "prt" and child.lower_ in ("on", "upon"):
            out.extend(g for g in tok.children if g.dep_ == "dobj")
    for child in tok.children:
        if child.dep_ in ("ccomp", "xcomp"):
            out.extend(g for g in child.children if g.dep_ in ("nsubj", "nsubjpass"))
        # "shipped missiles ... for Russia to use"
        if child.dep_ in ("advcl", "relcl") and any(
            c.dep_ == "mark" and c.lower_ == "for" for c in child.children
        ):
            out.extend(g for g in child.children if g.dep_ == "nsubj")
    return out


def _recipients(tok: Token, etype: str, actors: list[Party]) -> list[Party]:
    for cand in _recipient_tokens(tok, etype):
        parties = parties_for(cand)
        if not parties:
            # "join Moscow's fight against Ukraine": the target of the action named by the object
            against = [
                g
                for c in cand.children
                if c.dep_ == "prep" and c.lower_ == "against"
                for g in c.children
                if g.dep_ == "pobj"
            ]
            parties = [p for g in against for p in parties_for(g)]
        if not parties:
            poss = [c for c in cand.children if c.dep_ == "poss"]
            parties = [p for c in poss for p in parties_for(c)]
        parties = [p for p in parties if all(not _same(p, a) for a in actors)]
        if parties:
            return parties
    return []


def _same(a: Party, b: Party) -> bool:
    if a.iso3 and b.iso3 and a.kind == b.kind == "country":
        return a.iso3 == b.iso3
    return (a.start_char, a.end_char) == (b.start_char, b.end_char)


def _place(tok: Token, exclude: list[Party]) -> Span | None:
    cur = tok
    for _ in range(4):
        for child in cur.children:
            if child.dep_ == "prep" and child.lower_ in ("in", "at"):
                for pobj in child.children:
                    ent = next(
                        (e for e in doc_cache.ents(tok.doc) if e.start <= pobj.i < e.end), None
                    )
                    if (
                        ent is not None
                        and ent.label_ in LOCATION_LABELS | {"ORG"}
                        and not any(p.start_char == ent.start_char for p in exclude)
                    ):
                        if ent.label_ == "ORG" and child.lower_ != "at":
                            continue  # "at the Kremlin", "at the United Nations" are places
                        return ent
                    # "in Russia's Kursk region"
                    for g in pobj.subtree:
                        e = next(
                            (x for x in doc_cache.ents(tok.doc) if x.start <= g.i < x.end), None
                        )
                        if (
                            e is not None
                            and e.label_ in LOCATION_LABELS
                            and not any(p.start_char == e.start_char for p in exclude)
                        ):
                            return e
        if cur.dep_ in ("xcomp", "conj", "ccomp", "advcl") and cur.head != cur:
            cur = cur.head
        else:
            break
    return None


def _date(tok: Token, published: dt.date) -> dates.ResolvedDate | None:
    subtree = {t.i for t in tok.subtree}
    # date modifiers attach to the verb ("on Monday") or its head clause ("greeting Choe on Monday")
    for ent in doc_cache.span_ents(doc_cache.sent_of(tok)):
        if ent.label_ in dates.DATE_LABELS and ent.root.i in subtree:
            hit = dates.resolve_entity(ent, published)
            if hit:
                return hit
    return None


def _date_and_mode(head: Token, published: dt.date) -> tuple[dates.ResolvedDate | None, str]:
    """The event's date and mode. The date is the trigger clause's own time expression, else
    the first one of its sentence that resolves (`date_method` "sentence:..."; on the train
    stories with their gold triggers this takes date accuracy from 0.80 to 0.82, and mode, read
    with that date, from 0.78 to 0.79); a date after
    publication is dropped unless the event is announced or hypothetical."""
    when = _date(head, published)
    if when is None:
        when = dates.resolve_sentence_date(doc_cache.sent_of(head), published)
        if when is not None:
            when = replace(when, method=f"sentence:{when.method}")
    mode = _mode(head, when, published)
    if when is not None and when.date > published and mode not in ("announced", "hypothetical"):
        when = None  # an event stated as done is not dated after its own article
    return when, mode


def _has_aux(tok: Token, words: set[str]) -> bool:
    return any(c.dep_ in ("aux", "auxpass") and c.lower_ in words for c in tok.children)


def _mode(tok: Token, event_date: dates.ResolvedDate | None, published: dt.date) -> str:
    if any(c.dep_ == "neg" for c in tok.children):
        return "denied"
    cur = tok
    for _ in range(4):
        if cur.head == cur:
            break
        cur = cur.head
        if _lemma(cur) in WORDS["deny_cues"]:
            return "denied"
    cur = tok
    for _ in range(3):
        if cur.head == cur:
            break
        if cur.dep_ in ("ccomp", "xcomp") and _lemma(cur.head) in WORDS["request_cues"]:
            return "hypothetical"  # demanded, urged, called for: not (yet) done
        if cur.head.pos_ == "NOUN" and any(
            c.dep_ == "det" and c.lower_ == "no" for c in cur.head.children
        ):
            return "denied"  # "no plans for Putin to meet Choe"
        cur = cur.head
    if any(
        c.dep_ == "mark" and c.lower_ in ("if", "unless", "whether") for c in tok.children
    ) or _has_aux(tok, WORDS["hypothetical_aux"]):
        return "hypothetical"
    if _has_aux(tok, WORDS["future_aux"] | {"would"}):
        return "announced"
    if tok.dep_ == "xcomp" and _lemma(tok.head) in WORDS["announce_cues"] | WORDS["intent_verbs"]:
        return "announced"
    if tok.dep_ == "xcomp" and _has_aux(tok.head, WORDS["future_aux"]):
        return "announced"
    if event_date and (published - event_date.date).days > 365:
        return "historical"
    return "asserted"


def _refine(tok: Token, etype: str, mode: str) -> str:
    objects = {_lemma(o) for o in tok.children if o.dep_ in ("dobj", "nsubjpass")}
    lemma = _lemma(tok)
    if lemma == "lift" and objects & WORDS["lift_objects"]:
        return "RETREAT"
    if lemma == "impose" and objects & WORDS["curfew_objects"]:
        return "COERCE"
    if lemma in ("send", "deploy") and objects & WORDS["troop_objects"]:
        if lemma == "send" and any("peacekeep" in t.lower_ for t in doc_cache.sent_tokens(tok)):
            return etype
        return "MOBILIZE"
    if lemma in ("withdraw", "recall") and objects & WORDS["envoy_objects"]:
        return "SANCTION"  # CAMEO 161 reduce or break diplomatic relations
    if lemma == "arrive":
        subj = _subject(tok)
        if subj is not None and _lemma(subj) in WORDS["arriving_forces"]:
            return "MOBILIZE"
    if lemma == "give" and any(c.dep_ == "prt" and c.lower_ == "up" for c in tok.children):
        return "RETREAT"  # "give up its nuclear weapons program"
    if lemma == "open" and objects & {"fire"}:
        return "ASSAULT"
    if lemma == "open" and objects & WORDS["probe_objects"]:
        return "INVESTIGATE"
    if lemma == "cancel" and objects & WORDS["meeting_objects"]:
        return "SANCTION"
    if lemma == "deny" and objects & WORDS["entry_objects"]:
        return "SANCTION"
    negated = any(c.dep_ == "neg" for c in tok.children)
    future = _has_aux(tok, WORDS["future_aux"] | {"would"})
    if etype in COOPERATIVE | {"AGREE"} and negated and future:
        return "REJECT"
    if (
        tok.dep_ == "xcomp"
        and _lemma(tok.head) in WORDS["refuse_verbs"]
        and etype in COOPERATIVE | {"AGREE"}
    ):
        return "REJECT"
    conditional = any(t.lower_ in ("unless", "if") for t in doc_cache.sent_tokens(tok))
    if etype in CONFLICT and mode == "announced":
        return "THREATEN"
    if etype == "RETREAT" and future and conditional:
        return "THREATEN"
    if etype in COOPERATIVE and mode == "announced" and future:
        return "AGREE"
    return etype


def _must_requests(sent: Span, published: dt.date, found: list[Event]) -> list[Event]:
    """'Russia said Sudan must return the helicopter': a demand by the speaker on the subject."""
    out = []
    for tok in doc_cache.span_tokens(sent):
        if tok.pos_ not in ("VERB", "AUX") or not _has_aux(tok, {"must"}):
            continue
        if tok.dep_ not in ("ccomp", "acl", "relcl", "advcl") or tok.head == tok:
            continue
        speaker_verb = tok.head
        if speaker_verb.pos_ == "NOUN":  # "a stern reminder that it must"
            speaker_verb = speaker_verb.head
        subj = _subject(speaker_verb)
        actors = parties_for(subj) if subj is not None else []
        target = next((c for c in tok.children if c.dep_ in ("nsubj", "nsubjpass")), None)
        recipients = [
            p
            for p in (parties_for(target) if target is not None else [])
            if all(not _same(p, a) for a in actors)
        ]
        when = _date(speaker_verb, published)
        out.append(
            Event(
                tok,
                "DEMAND",
                actors,
                recipients,
                _mode(speaker_verb, when, published),
                None,
                when,
                _depth(speaker_verb),
            )
        )
    return out


def _lexicon_triggers(sent: Span) -> list[tuple[Token, str, Token, float]]:
    """(trigger, type, head for arguments, confidence) of the lexicon rules."""
    out = []
    for tok in doc_cache.span_tokens(sent):
        etype = None
        head_for_args = tok
        if tok.pos_ in ("VERB",) or (tok.pos_ == "AUX" and tok.dep_ == "ROOT"):
            etype = _type_for(tok, "VERB", sent)
        elif tok.pos_ == "ADJ" and any(c.dep_ == "xcomp" for c in tok.children):
            etype = _type_for(tok, "ADJ", sent)
            head_for_args = tok.head if tok.dep_ == "acomp" else tok
            if etype == "AGREE":
                # "is prepared to impose martial law": intent to do harm is a threat
                comp = next(c for c in tok.children if c.dep_ == "xcomp")
                comp_type = _type_for(comp, "VERB", sent)
                if comp_type:
                    comp_type = _refine(comp, comp_type, "asserted")
                if comp_type in CONFLICT:
                    etype = "THREATEN"
        elif tok.pos_ in ("NOUN", "PROPN"):
            light = tok.head.pos_ in ("VERB", "AUX") and _lemma(tok.head) in WORDS["light_verbs"]
            if tok.dep_ in ("dobj", "attr", "nsubjpass") and light:
                etype = _type_for(tok, "NOUN", sent)
                if etype is None:
                    # "launched a mediation effort", "undertook a mediation mission"
                    for c in tok.children:
                        if c.dep_ in ("compound", "amod", "nmod") and etype is None:
                            etype = _type_for(c, "NOUN", sent)
                head_for_args = tok.head
            elif tok.dep_ == "nsubj" and _lemma(tok.head) in WORDS["ongoing_verbs"]:
                etype = _type_for(tok, "NOUN", sent)
                head_for_args = tok.head
            elif tok.dep_ == "pobj" and _lemma(tok) == "alert" and tok.head.lower_ == "on":
                etype = "MOBILIZE"
                head_for_args = tok.head.head
        if etype is None:
            continue
        if (
            tok.pos_ == "VERB"
            and {_lemma(c) for c in tok.children if c.dep_ in ("dobj", "nsubjpass")}
            & WORDS["non_event_objects"]
        ):
            continue  # "a video released by the Kremlin" is no release of persons
        if tok.dep_ == "acl" and _lemma(tok.head) in WORDS["non_event_objects"]:
            continue
        if etype == "REJECT" and any(
            c.dep_ == "xcomp" and _lemma(c) in WORDS["speech_complements"] for c in tok.children
        ):
            continue
        out.append((tok, etype, head_for_args, 0.6))
    return out


def _args_head(tok: Token) -> Token:
    """The token whose clause holds a learned trigger's arguments: the trigger itself for a
    verb; for an event noun or an adjective, the verb that carries it ("held talks", "is ready
    to"), climbing through prepositions ("during a news conference")."""
    if tok.pos_ in ("VERB", "AUX"):
        return tok
    cur = tok
    for _ in range(4):
        if cur.head == cur:
            break
        cur = cur.head
        if cur.pos_ in ("VERB", "AUX"):
            return cur
    return tok


class Classifiers:
    """The trigger, argument and mode classifiers (spaCy textcat, bag of words) and their
    thresholds."""

    scores = staticmethod(textcat.scores)

    def __init__(self, model_dir: Path):
        pipes, meta = textcat.load(
            model_dir, ["trigger_detect", "trigger_type", "argument", "mode"]
        )
        # the trigger score of a type is P(event) from trigger_detect times P(type | event) from
        # trigger_type (`_doc_trigger_scores`; why two stages: training/events/train.py, KINDS)
        self.trigger_detect, self.trigger_type = pipes["trigger_detect"], pipes["trigger_type"]
        self.argument, self.mode = pipes["argument"], pipes["mode"]
        self.meta = meta
        self.thresholds: dict[str, float] = dict(meta["thresholds"])
        # "learned" or "rules": which one won on the dev fold (training/events/train.py)
        self.mode_method: str = meta.get("mode_method", "rules")


@functools.lru_cache(maxsize=1)
def classifiers() -> Classifiers | None:
    """The trained classifiers, or None when `make train` has not built them (lexicon then)."""
    if not (MODELS_DIR / "training.json").exists():
        return None
    return Classifiers(MODELS_DIR)


def _lexicon_types(tok: Token) -> list[str]:
    pos = "VERB" if tok.pos_ in ("VERB", "AUX") else tok.pos_
    entries = lexicon().get((_lemma(tok), pos))
    if not entries:  # most candidates: no lexicon type, no condition to check
        return []
    hit = _type_for(tok, pos, doc_cache.sent_of(tok), entries)
    anyt = {t for t, _ in entries}
    return ([hit] if hit else []) + [f"any_{t}" for t in sorted(anyt - {hit})]


def trigger_evidence(tok: Token) -> tuple[list[str], Token | None, str | None]:
    """What the rules say of a candidate trigger, as the classifier's evidence: the lexicon's
    types for it, the subject of its clause, and the kind of party that subject names."""
    subject = _subject(_args_head(tok))
    kind = None
    if subject is not None:
        memo = doc_cache.per_doc(tok.doc, "event_subject_kinds", lambda _doc: {})
        if subject.i not in memo:
            parties = parties_for(subject)
            memo[subject.i] = parties[0].kind if parties else None
        kind = memo[subject.i]
    return _lexicon_types(tok), subject, kind


def argument_features_of(
    trigger: Token, event_type: str, parties: list[event_features.Candidate]
) -> list[tuple[event_features.Candidate, list[str]]]:
    """(candidate, features) for every party of the sentence against one trigger, and for the
    story's own country when the sentence does not name it."""
    head = _args_head(trigger)
    subject = _subject(head)
    rule_recipients = {t.i for t in _recipient_tokens(trigger, event_type)}
    if head != trigger:
        rule_recipients |= {t.i for t in _recipient_tokens(head, event_type)}
    doc = trigger.doc
    home = doc_cache.per_doc(doc, "home_party", home_party)
    home_iso3 = home.iso3 if home is not None else None
    cands = list(parties)
    if home is not None and all(c.party.iso3 != home_iso3 for c in cands):
        cands.append(event_features.Candidate(None, home))
    return [
        (
            cand,
            event_features.argument_features(
                trigger, head, event_type, cand, subject, rule_recipients, home_iso3
            ),
        )
        for cand in cands
    ]


def _doc_trigger_scores(doc: Doc) -> dict[int, tuple[str, float]]:
    """Token index -> (most probable event type, its probability) for every candidate token of
    the Doc, both trigger stages in one call (one call per Doc, not per sentence, the features
    hashed once): the probability of a type is P(event) x P(type | event)."""
    models = classifiers()
    cands = [t for t in doc_cache.tokens(doc) if event_features.is_trigger_candidate(t)]
    features = [event_features.used_trigger_features(t) for t in cands]
    (detect_labels, detect), (types, given) = textcat.probabilities_each(
        [models.trigger_detect, models.trigger_type], features
    )
    probs = detect[:, [detect_labels.index(EVENT)]] * given
    best = probs.argmax(axis=1)  # the first of equal ones, as max() over labels
    return {
        tok.i: (types[b], float(probs[row, b]))
        for row, (tok, b) in enumerate(zip(cands, best.tolist(), strict=True))
    }


def choose_arguments(
    tok: Token,
    head: Token,
    etype: str,
    pairs: list[tuple[event_features.Candidate, list[str]]],
    roles: list[dict[str, float]],
    th: dict[str, float],
) -> tuple[list[Party], list[Party]]:
    """Actors and recipients of one learned trigger from the argument classifier's `roles` of
    its candidate `pairs` (`argument_features_of`): up to three of each whose probability
    reaches the threshold, best first; without one, the rules' subject / object; without a
    recipient still, the actor's own country (`_own_country`). Each party with its country
    (`with_country`)."""
    ranked = sorted(
        zip([c for c, _ in pairs], roles, strict=True),
        key=lambda cr: -cr[1][event_features.ACTOR],
    )
    actors = [c.party for c, r in ranked if r[event_features.ACTOR] >= th["actor"]][:3]
    if not actors:
        subj = _subject(head)
        actors = parties_for(subj) if subj is not None else []
    ranked = sorted(ranked, key=lambda cr: -cr[1][event_features.RECIPIENT])
    recipients = [
        c.party
        for c, r in ranked
        if r[event_features.RECIPIENT] >= th["recipient"]
        and all(not _same(c.party, a) for a in actors)
    ][:3]
    if not recipients:
        recipients = _recipients(tok, etype, actors) or (
            _recipients(head, etype, actors) if head != tok else []
        )
    doc = tok.doc
    actors = [with_country(p, doc) for p in actors]
    recipients = [with_country(p, doc) for p in recipients]
    if not recipients and etype not in WORDS["no_recipient_types"]:
        recipients = [_own_country(p) for p in actors if p.iso3][:1]
    return actors, recipients


def _own_country(actor: Party) -> Party:
    """The country of an actor, as the recipient of an event whose clause names none: most
    such events are done at home (police arrest, protesters march against their government,
    a ministry bans), which the corpus codes with the actor's country on both sides. No words
    state it, so it has no text and no span (the warehouse then links it to no mention's
    actor); `country_reason` "actor_country" tells it apart."""
    return replace(
        actor,
        text=None,
        start_char=None,
        end_char=None,
        name=country_names().get(actor.iso3, actor.iso3),
        kind="country",
        country_reason="actor_country",
        country_confidence=None,
    )


def _learned_events(sent: Span, published: dt.date, models: Classifiers) -> list[Event]:
    """Events of one sentence by the trained classifiers; arguments fall back to the rules.
    The argument and mode classifiers score all the sentence's triggers in one call each."""
    scores = doc_cache.per_doc(sent.doc, "event_trigger_scores", _doc_trigger_scores)
    th = models.thresholds
    triggers = []
    for tok in doc_cache.span_tokens(sent):
        etype, prob = scores.get(tok.i, (None, 0.0))
        if etype is not None and prob >= th["trigger"]:
            triggers.append((tok, etype, prob))
    if not triggers:
        return []
    parties = event_features.party_candidates(sent)
    heads = [_args_head(tok) for tok, _, _ in triggers]
    pairs_of = [argument_features_of(tok, etype, parties) for tok, etype, _ in triggers]
    roles_of = textcat.grouped_scores(
        models.argument, [[f for _, f in pairs] for pairs in pairs_of]
    )
    dated = [_date_and_mode(head, published) for head in heads]
    modes = [mode for _, mode in dated]
    if models.mode_method == "learned":
        feats = [
            event_features.mode_features(head, when, published, mode)
            for head, (when, mode) in zip(heads, dated, strict=True)
        ]
        modes = [max(p, key=p.__getitem__) for p in models.scores(models.mode, feats)]
    found: list[Event] = []
    for (tok, etype, prob), head, pairs, roles, (when, _), mode in zip(
        triggers, heads, pairs_of, roles_of, dated, modes, strict=True
    ):
        actors, recipients = choose_arguments(tok, head, etype, pairs, roles, th)
        place = _place(head, actors + recipients)
        depth = _depth(head) if tok.pos_ in ("NOUN", "PROPN") else _depth(tok)
        found.append(
            Event(
                tok,
                etype,
                actors,
                recipients,
                mode,
                place,
                when,
                depth,
                confidence=prob,
                method="learned",
            )  # fmt: skip
        )
    return found


def events_in_sentence(sent: Span, published: dt.date, triggers: str = "auto") -> list[Event]:
    """Every event of one parsed sentence (actorless ones included; the caller filters).

    `triggers`: "learned" (the trained classifiers), "lexicon" (the rules), or "auto" (the
    learned ones when `make train` has built them, else the lexicon).
    """
    models = classifiers() if triggers in ("auto", "learned") else None
    if triggers == "learned" and models is None:
        raise FileNotFoundError(f"no trained event classifiers in {MODELS_DIR}: run `make train`")
    if models is not None:
        found = _learned_events(sent, published, models)
    else:
        found = _lexicon_events(sent, published)
    if found:
        main = min(found, key=lambda e: (e.depth, e.trigger.i))
        main.is_main = True
    return found


def _lexicon_events(sent: Span, published: dt.date) -> list[Event]:
    found: list[Event] = []
    for tok, etype, head_for_args, confidence in _lexicon_triggers(sent):
        subj = _subject(head_for_args)
        actors = parties_for(subj) if subj is not None else []
        if not actors and tok.pos_ == "NOUN":
            actors = [p for c in tok.children if c.dep_ == "poss" for p in parties_for(c)]
        recipients = _recipients(tok, etype, actors)
        if not recipients and head_for_args != tok:
            recipients = _recipients(head_for_args, etype, actors)
        if not recipients:
            # "offered to hand over to Great Britain", "promised to continue aid to Mozambique":
            # the recipient sits in the complement clause of the intent verb
            for comp in tok.children:
                if comp.dep_ in ("xcomp", "ccomp") and not recipients:
                    recipients = _recipients(comp, etype, actors)
                    for grand in comp.children:
                        if grand.dep_ == "xcomp" and not recipients:
                            recipients = _recipients(grand, etype, actors)
        if not recipients and _lemma(tok) in ("arrive", "visit"):
            # "arrived in Amman": the host of a visit
            for child in tok.children:
                if child.dep_ == "prep" and child.lower_ == "in":
                    for pobj in child.children:
                        recipients = [p for p in parties_for(pobj) if p.iso3] or recipients
        when, mode = _date_and_mode(head_for_args, published)
        etype = _refine(head_for_args if tok.pos_ == "VERB" else tok, etype, mode)
        place = _place(head_for_args, actors + recipients)
        depth = _depth(head_for_args) if tok.pos_ in ("NOUN", "PROPN") else _depth(tok)
        found.append(
            Event(
                tok,
                etype,
                actors,
                recipients,
                mode,
                place,
                when,
                depth,
                confidence=confidence,
                method="lexicon",
            )  # fmt: skip
        )
    found.extend(_must_requests(sent, published, found))
    return found


def event_rows(doc: Doc, article: ArticleContext, triggers: str = "auto") -> list[dict]:
    """Doc-level extractor registered in DOC_TABLES as `event_mentions` (events with an actor)."""
    with doc_cache.cached(doc):
        return _event_rows(doc, article, triggers)


def _event_rows(doc: Doc, article: ArticleContext, triggers: str) -> list[dict]:
    rows: list[dict] = []
    seen: set[str] = set()
    for index, sent in enumerate(doc_cache.sents(doc)):
        try:
            events = events_in_sentence(sent, article.published_date, triggers)
        except Exception:  # noqa: BLE001 - one odd parse costs only its own sentence
            continue
        for ev in events:
            if not ev.actors:
                continue
            for actor in ev.actors[:4]:
                for recipient in ev.recipients[:4] or [None]:
                    t = ev.trigger
                    mention_id = stable_id(
                        article.article_id,
                        t.idx,
                        ev.event_type,
                        actor.start_char,
                        recipient.start_char if recipient else -1,
                    )
                    if mention_id in seen:
                        continue
                    seen.add(mention_id)
                    rows.append(_row(article, index, ev, actor, recipient, mention_id))
    return rows


def _row(
    article: ArticleContext,
    index: int,
    ev: Event,
    actor: Party,
    recipient: Party | None,
    mention_id: str,
) -> dict:
    t = ev.trigger
    place = ev.place
    return {
        "event_mention_id": mention_id,
        "article_id": article.article_id,
        "sentence_index": index,
        "start_char": t.idx,
        "end_char": t.idx + len(t),
        "trigger_text": t.text,
        "trigger_lemma": _lemma(t),
        "event_type": ev.event_type,
        "mode": ev.mode,
        "actor_text": actor.text,
        "actor_start_char": actor.start_char,
        "actor_end_char": actor.end_char,
        "actor_name": actor.name,
        "actor_iso3": actor.iso3,
        "actor_kind": actor.kind,
        "actor_country_reason": country_reason(actor),
        "actor_country_confidence": actor.country_confidence,
        "recipient_text": recipient.text if recipient else None,
        "recipient_start_char": recipient.start_char if recipient else None,
        "recipient_end_char": recipient.end_char if recipient else None,
        "recipient_name": recipient.name if recipient else None,
        "recipient_iso3": recipient.iso3 if recipient else None,
        "recipient_kind": recipient.kind if recipient else None,
        "recipient_country_reason": country_reason(recipient),
        "recipient_country_confidence": recipient.country_confidence if recipient else None,
        "place_text": place.text if place is not None else None,
        "place_start_char": place.start_char if place is not None else None,
        "place_end_char": place.end_char if place is not None else None,
        "date_text": ev.date.raw if ev.date else None,
        "event_date": ev.date.date if ev.date else article.published_date,
        # the period's last day (dates.ResolvedDate.last_day): "the past month" runs to the
        # publication day, "early February" to the 10th
        "event_date_end": ev.date.last_day if ev.date else article.published_date,
        "date_precision": ev.date.precision if ev.date else "day",
        "date_method": ev.date.method if ev.date else "publication_date",
        "published_date": article.published_date,
        "is_main": ev.is_main,
        # the tagger's probability of the type (lexicon: 0.6), lowered without a recipient
        # read from the text (none, or the actor's own country: `_own_country`)
        "confidence": round(ev.confidence * (1.0 if recipient and recipient.text else 0.85), 4),
        "method": f"{ev.method}+rules",
        "rules_version": RULES_VERSION,
        "extractor_version": article.version,
    }
