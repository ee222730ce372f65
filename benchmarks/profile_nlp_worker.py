"""Where an NLP worker's time goes: spaCy's parse against the extractors (issue 6's profile).

    uv run python -m benchmarks.profile_nlp_worker CORPUS [N] [--no-profiler]

Runs, in this one process, what a worker of `newsledger run` does to a chunk
(transforms/nlp/run.py `_worker_chunk`) on the first N articles of CORPUS (default 400), keeping
the Docs so that spaCy's `nlp.pipe` and the extraction are timed apart, and prints a pyinstrument
profile of both. The process first does the fork server's warm-up (transforms/nlp/preload.py),
as a worker is forked after it. With --no-profiler only the two times (the profiler slows Python
code more than spaCy's compiled code). Output of a run: docs/profiles/nlp-worker-400.txt.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from pyinstrument import Profiler

from transforms.articles import ingest_folder
from transforms.extract.base import ArticleContext
from transforms.nlp.pipeline import extractor_version, load_nlp
from transforms.nlp.run import extract_docs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("n", type=int, nargs="?", default=400)
    parser.add_argument("--no-profiler", action="store_true")
    args = parser.parse_args()
    articles = ingest_folder(args.corpus).articles.head(args.n)
    version = extractor_version()
    contexts = [
        ArticleContext(article_id, published, version)
        for article_id, published in zip(
            articles["article_id"], articles["published_date"], strict=True
        )
    ]
    texts = articles["text"].to_list()
    import transforms.nlp.preload  # noqa: F401  (the fork server's warm-up, done on import)

    nlp = load_nlp()
    profiler = None if args.no_profiler else Profiler(interval=0.002)
    if profiler:
        profiler.start()
    started = time.perf_counter()
    docs = list(nlp.pipe(texts, batch_size=64))
    parsed = time.perf_counter()
    extract_docs(zip(docs, contexts, strict=True))
    extracted = time.perf_counter()
    if profiler:
        profiler.stop()
    spacy_s, extract_s = parsed - started, extracted - parsed
    print(
        f"# {len(texts)} articles, {sum(len(t.split()) for t in texts):,} words: spaCy nlp.pipe "
        f"{spacy_s:.1f} s, extraction + per-article actors {extract_s:.1f} s = "
        f"{extract_s / spacy_s:.0%} of spaCy"
    )
    if profiler:
        print(profiler.output_text(unicode=True, color=False))


if __name__ == "__main__":
    main()
