"""Build a deterministic benchmark corpus of raw article files from the shared VOA stories.

Articles are made of sentences recombined from the 89 VOA stories and the seed article, with
publication dates spread over 2023-2025; the same (n, seed) always gives the same files.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import re
from pathlib import Path

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
_SENTENCE_END = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"”’]))\s+(?=[A-Z“\"])")


def source_sentences() -> list[str]:
    sentences: list[str] = []
    for line in (SHARED / "voa" / "voa_stories.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            sentences.extend(_SENTENCE_END.split(json.loads(line)["text"]))
    seed = next((SHARED / "seed").glob("*.txt")).read_text(encoding="utf-8")
    sentences.extend(_SENTENCE_END.split(seed.split(" ", 3)[3].replace("\n\n", " ")))
    return [s.strip() for s in sentences if 20 <= len(s.strip()) <= 600]


def build_corpus(folder: Path, n: int, seed: int = 7, start_index: int = 0) -> int:
    """Write n article files into folder; returns the number of words written."""
    folder.mkdir(parents=True, exist_ok=True)
    sentences = source_sentences()
    words = 0
    for i in range(start_index, start_index + n):
        rng = random.Random(seed * 1_000_003 + i)
        k = rng.randint(8, 24)
        picked = [sentences[rng.randrange(len(sentences))] for _ in range(k)]
        paragraphs = [" ".join(picked[j : j + 3]) for j in range(0, k, 3)]
        date = dt.date(2023, 1, 1) + dt.timedelta(days=rng.randrange(3 * 365))
        text = "\n\n".join(paragraphs)
        (folder / f"bench_{i:06d}.txt").write_text(f" date {date.isoformat()} {text}\n")
        words += len(text.split())
    return words
