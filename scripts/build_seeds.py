"""Rebuild seeds/ from the shared corpora: the seed article plus VOA stories in the raw format.

Run from the repository root: `uv run python scripts/build_seeds.py`. Deterministic: the same
shared data gives the same files. Every story whose id appears in the dev gold labels is
included (so the evaluation can run on seeds/), then the remaining stories in id order up to
SEED_COUNT.
"""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
SEEDS = Path(__file__).resolve().parents[1] / "seeds"
SEED_COUNT = 40


def gold_story_ids() -> set[str]:
    ids: set[str] = set()
    for name in ("aid_pledges.jsonl", "claims.jsonl"):
        for line in (SHARED / "gold" / "dev" / name).read_text(encoding="utf-8").splitlines():
            if line.strip():
                ids.add(json.loads(line)["story_id"])
    return ids


# The side file's publisher column (read by the ingest as provenance, transforms/provenance.py).
PUBLISHER = "Voice of America"


def main() -> None:
    stories = [
        json.loads(line)
        for line in (SHARED / "voa" / "voa_stories.jsonl").read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    gold = gold_story_ids()
    chosen = [s for s in stories if s["id"] in gold]
    chosen += [s for s in sorted(stories, key=lambda s: s["id"]) if s["id"] not in gold]
    chosen = sorted(chosen[:SEED_COUNT], key=lambda s: s["id"])

    for old in SEEDS.glob("voa_*.txt"):
        old.unlink()
    seed_src = next((SHARED / "seed").glob("*.txt"))
    shutil.copyfile(seed_src, SEEDS / seed_src.name)

    with (SEEDS / "SOURCES.csv").open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["file", "voa_id", "published", "title", "url", "publisher"])
        for story in chosen:
            name = f"voa_{story['id']}.txt"
            # The raw format: " date YYYY-MM-DD " then the body; VOA bodies are one paragraph.
            body = story["text"].strip()
            (SEEDS / name).write_text(f" date {story['published'][:10]} {body}\n", encoding="utf-8")
            writer.writerow(
                [name, story["id"], story["published"], story["title"], story["url"], PUBLISHER]
            )


if __name__ == "__main__":
    main()
