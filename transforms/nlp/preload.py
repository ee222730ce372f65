"""Imported once by the NLP pool's fork server (transforms/nlp/run.py): loads the pipeline there.

Every worker is then forked from a process that already holds spaCy and the loaded model, so a
new worker (each run, and each time the pool is replaced) starts in milliseconds instead of
importing spaCy and loading the model again (about 2-3 s of CPU per worker).

It also does here, once, what each worker's first chunk would otherwise pay for (~0.5 s of CPU
per worker, measured on 25 articles: first chunk 1.9 s, the next ones 1.3 s): the reference
files the actor resolver and the extractors read (refdata's cached loaders), the amount
parser's CLDR vocabulary, and the pipeline's first call. Nothing here imports Polars: its
thread pool must not exist in a process that forks.
The loaders are pure (files in, dicts out), so the rows a worker writes do not change.
"""

from transforms import refdata
from transforms.extract import money
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
        refdata.organizations,
        refdata.persons,
        refdata.petrarch_groups,
        refdata.surnames,
    ):
        loader()
    money.find_amounts(WARM_UP_TEXT)  # the CLDR currency vocabulary and its patterns (~0.4 s)
    for _ in nlp.pipe([WARM_UP_TEXT] * 4, batch_size=4):
        pass


warm()
