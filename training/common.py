"""What every learned extractor's training shares: examples as Docs of feature words, DocBin
files split by the dev fold, one `spacy train` run per classifier on the shared bag-of-words
config, the fingerprint of what a model was trained from, and shipping the trained components.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import spacy
from spacy.tokens import Doc, DocBin

from evaluation import corpus

CONFIG = Path(__file__).resolve().parent / "textcat_bow.cfg"
DEV_FOLD = 0  # stories of fold 0 (corpus.fold_of) are the dev set; the test split is never read


@dataclass(frozen=True)
class Example:
    fold: int  # the story's fold (corpus.fold_of)
    kind: str  # which classifier it trains
    words: tuple[str, ...]  # the features
    label: str


def write(
    items: list[Example], out_dir: Path, labels: dict[str, list[str]], dev_fold: int = DEV_FOLD,
    words_of=None,
) -> None:  # fmt: skip
    """DocBin files {kind}_{train,dev}.spacy, one example per Doc whose words are its features
    (`words_of(example)` may select them) and whose `cats` hold its label."""
    vocab = spacy.blank("en").vocab
    bins = {
        (kind, part): DocBin(store_user_data=False) for kind in labels for part in ("train", "dev")
    }
    for ex in items:
        part = "dev" if ex.fold == dev_fold else "train"
        words = (words_of(ex) if words_of else list(ex.words)) or ["x"]
        doc = Doc(vocab, words=words)
        doc.cats = {lab: float(lab == ex.label) for lab in labels[ex.kind]}
        bins[ex.kind, part].add(doc)
    out_dir.mkdir(parents=True, exist_ok=True)
    for (kind, part), db in bins.items():
        db.to_disk(out_dir / f"{kind}_{part}.spacy")


def train_one(kind: str, work: Path, overrides: dict | None = None) -> Path:
    """`spacy train` of one classifier on work/{kind}_{train,dev}.spacy; the best model's path.
    `overrides` ({"training.optimizer.learn_rate": 0.001}) change the shared config for this
    classifier only (its trainer says why)."""
    out = work / f"out_{kind}"
    cmd = [
        sys.executable, "-m", "spacy", "train", str(CONFIG), "--output", str(out),
        "--paths.train", str(work / f"{kind}_train.spacy"),
        "--paths.dev", str(work / f"{kind}_dev.spacy"),
    ]  # fmt: skip
    for key, value in (overrides or {}).items():
        cmd += [f"--{key}", json.dumps(value)]
    subprocess.run(cmd, check=True)
    return out / "model-best"


def ship(built: dict[str, Path], target: Path) -> None:
    """Copy the trained pipelines into the shipped model folder (replacing it)."""
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    for kind, path in built.items():
        shutil.copytree(path, target / kind)
        # the temporary corpus paths mean nothing once shipped (and would differ per run)
        cfg = target / kind / "config.cfg"
        cfg.write_text(
            re.sub(r'(?m)^(train|dev) = "[^"]*"$', r"\1 = null", cfg.read_text()),
            encoding="utf-8",
        )


def fingerprint(files: list[Path], record_sets: list[str]) -> str:
    """SHA-256 of what decides a trained model: the shared config, the given code and rule files,
    the labelled `train` stories and their records of `record_sets`, the library versions."""
    from transforms.nlp.pipeline import pipeline_meta

    h = hashlib.sha256()
    for path in [CONFIG, Path(__file__), *files, *parse_inputs()]:
        h.update(path.name.encode() + b"\0" + path.read_bytes())
    for sid in corpus.story_ids("train"):
        story = corpus.stories()[sid]
        h.update(f"{sid}\0{story.published}\0{story.text}".encode())
    for name in record_sets:
        for rec in corpus.records(name, "train"):
            h.update(json.dumps(rec, sort_keys=True).encode())
    meta = pipeline_meta()
    h.update(f"spacy {spacy.__version__} {meta['name']} {meta['version']}".encode())
    return h.hexdigest()


def parse_inputs() -> list[Path]:
    """What decides the train stories' parse besides the spaCy package (whose name and version
    `fingerprint` hashes): our sentence rule and gazetteer components and the reference files
    they and the party code read (transforms/reference; documentation left out). Every model is
    trained on that parse, so a change there retrains them all."""
    from transforms.nlp import gazetteer, sentences

    root = Path(gazetteer.__file__).resolve().parents[1]
    reference = sorted(p for p in (root / "reference").iterdir() if p.suffix != ".md")
    return [Path(gazetteer.__file__).resolve(), Path(sentences.__file__).resolve(), *reference]


def chooser_inputs() -> list[Path]:
    """The party country chooser (transforms/extract/country_chooser.py and its shipped
    training.json): `parties.with_country` gives the event and pledge parties their country
    through it, which their thresholds' grids score, so it is part of their fingerprints
    (training/__main__.py trains it first)."""
    from transforms.extract import country_chooser

    meta = country_chooser.MODEL_DIR / "training.json"
    return [Path(country_chooser.__file__)] + ([meta] if meta.exists() else [])


def up_to_date(meta_path: Path, want: str, name: str) -> bool:
    if meta_path.exists() and json.loads(meta_path.read_text()).get("fingerprint") == want:
        print(f"{name}: up to date ({want[:12]}); FORCE=1 retrains")
        return True
    return False


@dataclass(frozen=True)
class Job:
    """One trainer's run: the model folder it ships to, the fingerprint it trains for, and a
    scratch folder (removed afterwards) for its DocBin files and `spacy train` outputs."""

    name: str
    target: Path
    want: str
    work: Path

    @property
    def meta_path(self) -> Path:
        return self.target / "training.json"

    def save(self, meta: dict) -> dict:
        """Write the model folder's training.json: the fingerprint, `meta`, then the dev fold, the
        date and the spaCy version. Returns what it wrote."""
        full = {
            "fingerprint": self.want,
            **meta,
            "dev_fold": DEV_FOLD,
            "trained_on": dt.date.today().isoformat(),
            "spacy": spacy.__version__,
        }
        self.meta_path.write_text(json.dumps(full, indent=1) + "\n", encoding="utf-8")
        return full


def trainer(name: str, target: Callable[[], Path], fingerprint: Callable[[], str]):
    """Make a trainer's body (`body(job)`) its `run(force=False) -> int`: skipped when the model
    folder's training.json already holds this fingerprint (unless forced), else the body runs
    with a fresh scratch folder, removed afterwards whatever happens."""

    def wrap(body: Callable[[Job], None]) -> Callable[..., int]:
        @functools.wraps(body)
        def run(force: bool = False) -> int:
            want, folder = fingerprint(), target()
            if not force and up_to_date(folder / "training.json", want, name):
                return 0
            work = Path(tempfile.mkdtemp(prefix="newsledger-train-"))
            try:
                body(Job(name, folder, want, work))
            finally:
                shutil.rmtree(work, ignore_errors=True)
            return 0

        return run

    return wrap
