"""Imported once by the NLP pool's fork server (transforms/nlp/run.py): loads the pipeline there.

Every worker is then forked from a process that already holds spaCy and the loaded model, so a
new worker (each run, and each time the pool is replaced) starts in milliseconds instead of
importing spaCy and loading the model again (about 2-3 s of CPU per worker).

It also does here, once, what each worker's first chunk would otherwise pay for: the reference
files the actor resolver and the extractors read (refdata's cached loaders), the amount
parser's CLDR vocabulary, the trained classifiers (textcat.preload), the word classes, dateparser's
first parse, and the pipeline's first call. Measured 2026-12-04 on 20-article chunks: without
the classifiers, word classes and dateparser warmed here, a worker's first chunk took 2.1 s of
extraction and the next ones 0.4 s; with them, the first one 0.44 s.
Nothing here imports Polars: its thread pool must not exist in a process that forks.
The loaders are pure (files in, dicts out), so the rows a worker writes do not change.
"""

import datetime as dt

from transforms import refdata
from transforms.extract import dates, lexicon_neighbours, money, textcat, word_clusters
from transforms.nlp.pipeline import load_nlp

WARM_UP_TEXT = (
    "Germany pledged 200 million euros in humanitarian aid to Ukraine on Monday, "
    "Foreign Minister Annalena Baerbock said in Kyiv. The United Nations welcomed it."
)


def warm() -> None:
    nlp = load_nlp()
    for loader in (
        refdata.country_aliases,
        refdata.country_names,
        refdata.petrarch_country_terms,
        refdata.seats_of_government,
        refdata.party_titles,
        refdata.organizations,
        refdata.persons,
        refdata.petrarch_groups,
        refdata.surnames,
    ):
        loader()
    money.find_amounts(WARM_UP_TEXT)  # the CLDR currency vocabulary and its patterns (~0.4 s)
    textcat.preload()  # the events', claims', pledges' and party country classifiers (~0.6 s)
    word_clusters.classes("aid")  # the word class table (~0.3 s)
    lexicon_neighbours.similar_types("aid")  # the lexicon's nearest types by vectors (~0.1 s)
    # dateparser (~0.2 s): an expression our own rules do not read, or none of them reaches it
    dates.resolve("2024-03-04T12:00", dt.date(2024, 11, 4))
    for _ in nlp.pipe([WARM_UP_TEXT] * 4, batch_size=4):
        pass


warm()
