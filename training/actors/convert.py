"""Gold parties of the train split as mentions of the parsed stories: every claim speaker with a
country (`source_text` inside its sentence) and every event actor and recipient with a country
whose name is written in its sentence (events carry a canonical name; the others have no span)."""

from __future__ import annotations

from dataclasses import dataclass

from evaluation import corpus


@dataclass(frozen=True)
class Item:
    story_id: str
    fold: int
    start: int
    end: int
    text: str
    sentence: str
    gold: str
    source: str  # "claim" or "event"


def items(split: str = "train") -> list[Item]:
    """The gold parties with a country of one split, located in their story's text."""
    texts = {sid: corpus.stories()[sid].text for sid in corpus.story_ids(split)}
    out: list[Item] = []

    def add(rec: dict, text: str | None, gold: str | None, source: str) -> None:
        story = texts.get(rec["story_id"])
        sentence = rec.get("sentence") or ""
        if not text or not gold or story is None:
            return
        at = story.find(sentence) if sentence else -1
        inner = sentence.find(text) if at >= 0 else -1
        if inner < 0:
            return
        start = at + inner
        out.append(
            Item(rec["story_id"], corpus.fold_of(rec["story_id"]), start, start + len(text), text,
                 sentence, gold, source)
        )  # fmt: skip

    for rec in corpus.records("claims", split):
        add(rec, rec.get("source_text"), rec.get("source_country_iso3"), "claim")
    for rec in corpus.records("events", split):
        for role in ("actor", "recipient"):
            add(rec, rec.get(role), rec.get(f"{role}_iso3"), "event")
    return out
