"""PLOVER event-type accuracy and actor/recipient country accuracy on the PLOVER gold sentences.

Gold: ../shared/data/plover-gsr/PLOVER_GSR_CAMEO.json (322 sentences from the CAMEO manual,
coded with an older PLOVER draft). Older labels are mapped to the 16 types we emit as the
2021 CAMEO-to-PLOVER table does: DEMAND -> REQUEST, DISAPPROVE -> ACCUSE, INVESTIGATE ->
ACCUSE (CAMEO 09 "ACCUSE, investigate"), FIGHT -> ASSAULT.
Each sentence is parsed alone; the prediction is the type of its main event (the trigger
nearest the parse root), no event counting as wrong. Country accuracy is measured over
sentences whose gold source (target) holds at least one ISO3 country code (IGO, NGO and the old
JAP/ITL codes are not countries) and whose prediction has an actor (recipient) with an ISO3:
correct when that ISO3 is among gold's codes; coverage says how often we had one.
"""

from __future__ import annotations

import datetime as dt
import json

from evaluation.common import SHARED_DATA, Row

GOLD = SHARED_DATA / "plover-gsr" / "PLOVER_GSR_CAMEO.json"
LEGACY = {"DEMAND": "REQUEST", "DISAPPROVE": "ACCUSE", "INVESTIGATE": "ACCUSE", "FIGHT": "ASSAULT"}


def gold_records() -> list[dict]:
    records = json.loads(GOLD.read_text(encoding="utf-8"))
    out = []
    for r in records:
        if r.get("event") in (None, "DOCUMENT"):
            continue
        r = dict(r)
        r["event16"] = LEGACY.get(r["event"], r["event"])
        out.append(r)
    return out


def _codes(value) -> set[str]:
    if isinstance(value, list):
        return {a.get("code") for a in value if isinstance(a, dict) and a.get("code")}
    return set()


def predict(records: list[dict]):
    from transforms.extract.events import events_in_sentence
    from transforms.nlp.pipeline import load_nlp

    nlp = load_nlp()
    texts = [r["text"] for r in records]
    out = []
    for r, doc in zip(records, nlp.pipe(texts, batch_size=64), strict=True):
        try:
            published = dt.date.fromisoformat(r.get("date", "2000-01-01"))
        except ValueError:
            published = dt.date(2000, 1, 1)
        events = [e for s in doc.sents for e in events_in_sentence(s, published)]
        main = next((e for e in events if e.is_main), None)
        if main is None and events:
            main = events[0]
        out.append(main)
    return out


def report() -> list[Row]:
    if not GOLD.exists():
        return [Row("events", "plover-gsr", "missing", note=f"{GOLD} not found")]
    from transforms.actors import country_names

    countries = set(country_names())
    records = gold_records()
    preds = predict(records)
    correct = sum(
        p is not None and p.event_type == r["event16"] for r, p in zip(records, preds, strict=True)
    )
    no_event = sum(p is None for p in preds)
    rows = [
        Row(
            "events",
            f"plover-gsr {len(records)} sent.",
            "event type accuracy",
            value=correct / len(records),
            target=">=0.70",
            note=f"{correct}/{len(records)}; {no_event} sentences without an event",
        )
    ]
    for role, gold_key, attr in (
        ("actor", "source", "actors"),
        ("recipient", "target", "recipients"),
    ):
        n_gold = n_pred = n_ok = 0
        for r, p in zip(records, preds, strict=True):
            codes = _codes(r.get(gold_key)) & countries
            if not codes:
                continue
            n_gold += 1
            isos = [a.iso3 for a in getattr(p, attr, [])] if p is not None else []
            isos = [i for i in isos if i]
            if not isos:
                continue
            n_pred += 1
            n_ok += isos[0] in codes
        rows.append(
            Row(
                "events",
                f"plover-gsr {len(records)} sent.",
                f"{role} country accuracy",
                value=n_ok / n_pred if n_pred else None,
                note=f"{n_ok}/{n_pred} right where predicted; "
                f"coverage {n_pred}/{n_gold} gold with a country",
            )
        )
    return rows
