"""The performance benchmark (`make bench`): one run, figures printed as ratios.

For each corpus size it measures, on the same files:
- the ceiling: bare `nlp.pipe` of the pinned pipeline (same components, batch size and process
  count as the pipeline) over the article texts, in words/s;
- the whole pipeline end to end (`newsledger run` in a fresh process: ingest -> NLP -> actors ->
  dbt build -> publish), in words/s, with its time per stage and its peak resident memory
  (the run's process tree: ru_maxrss of the largest process);
- a rerun after adding 1% new files, as a share of the full run.
Then the ratio of peak memory between the largest and the smallest size.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.corpus import build_corpus

REPO = Path(__file__).resolve().parents[1]


def ceiling(input_dir: Path, n_process: int) -> tuple[float, int]:
    """Seconds and words for bare nlp.pipe over the corpus texts (run in a child process)."""
    code = f"""
import sys, time
from pathlib import Path
from transforms.articles import ingest_folder
from transforms.nlp.pipeline import load_nlp
texts = ingest_folder(Path({str(input_dir)!r}))
texts = texts.articles['text'].to_list()
nlp = load_nlp()
list(nlp.pipe(texts[:20]))  # warm-up, as the pipeline's model load is outside its NLP loop
t = time.perf_counter()
n = 0
for doc in nlp.pipe(texts, batch_size=64, n_process={n_process}):
    n += len(doc.ents) + sum(1 for _ in doc.sents)
print(time.perf_counter() - t, sum(len(x.split()) for x in texts))
"""
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO
    )
    seconds, words = out.stdout.split()
    return float(seconds), int(words)


def pipeline_run(input_dir: Path, warehouse: Path) -> tuple[float, dict[str, float], float]:
    """Wall seconds, seconds per stage, and peak RSS (MB) of one `newsledger run`."""
    code = (
        "import resource, subprocess, sys, json;"
        "p = subprocess.run(sys.argv[1:], capture_output=True, text=True);"
        "sys.stdout.write(p.stdout); sys.stderr.write(p.stderr);"
        "print('MAXRSS_KB', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss);"
        "sys.exit(p.returncode)"
    )
    cmd = [
        sys.executable,
        "-c",
        code,
        sys.executable,
        "-m",
        "orchestration.cli",
        "run",
        "--input",
        str(input_dir),
        "--warehouse",
        str(warehouse),
    ]
    env = {k: v for k, v in os.environ.items() if k != "DAGSTER_HOME"}
    started = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO, env=env)
    wall = time.perf_counter() - started
    if out.returncode != 0:
        raise SystemExit(f"pipeline run failed:\n{out.stdout[-2000:]}\n{out.stderr[-4000:]}")
    stages = {
        m.group(1): float(m.group(2))
        for m in re.finditer(r"^  (\S+)\s+([\d.]+) s$", out.stdout, flags=re.MULTILINE)
    }
    rss_kb = int(re.search(r"MAXRSS_KB (\d+)", out.stdout).group(1))
    return wall, stages, rss_kb / 1024


def measure(n: int, workdir: Path) -> dict:
    corpus = workdir / f"corpus_{n}"
    words = build_corpus(corpus, n)
    from transforms.nlp.run import default_processes

    procs = default_processes(n)
    ceil_s, ceil_words = ceiling(corpus, procs)
    warehouse = workdir / f"warehouse_{n}"
    full_s, stages, rss_mb = pipeline_run(corpus, warehouse)
    build_corpus(corpus, max(1, n // 100), start_index=n)  # 1% new files
    rerun_s, rerun_stages, _ = pipeline_run(corpus, warehouse)
    return {
        "n": n,
        "words": words,
        "procs": procs,
        "ceiling_wps": ceil_words / ceil_s,
        "e2e_wps": words / full_s,
        "full_s": full_s,
        "rerun_s": rerun_s,
        "rss_mb": rss_mb,
        "stages": stages,
        "rerun_stages": rerun_stages,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2000, 20000])
    parser.add_argument("--keep", action="store_true", help="keep the corpora and warehouses")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="newsledger-bench-"))
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
        f", load average {os.getloadavg()[0]:.2f}; work dir {workdir}"
    )
    results = []
    try:
        for n in args.sizes:
            r = measure(n, workdir)
            results.append(r)
            print(f"\n== {n} articles, {r['words']:,} words, n_process={r['procs']}")
            print(f"  ceiling (bare nlp.pipe)     {r['ceiling_wps']:10,.0f} words/s")
            print(
                f"  end to end (newsledger run) {r['e2e_wps']:10,.0f} words/s"
                f"   ratio {r['e2e_wps'] / r['ceiling_wps']:.2f}  (target >= 0.90)"
            )
            print(
                f"  full run {r['full_s']:.1f} s; rerun after +1% files {r['rerun_s']:.1f} s"
                f"   ratio {r['rerun_s'] / r['full_s']:.3f}  (target <= 0.05)"
            )
            print(f"  peak RSS {r['rss_mb']:.0f} MB  (target <= 2048)")
            print("  stages (full | rerun):")
            for step, s in r["stages"].items():
                print(f"    {step:<34} {s:8.1f} s | {r['rerun_stages'].get(step, 0):6.1f} s")
        if len(results) >= 2:
            small, large = results[0], results[-1]
            print(
                f"\npeak RSS {large['n']} / {small['n']} articles: "
                f"{large['rss_mb']:.0f} / {small['rss_mb']:.0f} MB = "
                f"{large['rss_mb'] / small['rss_mb']:.2f}  (target <= 1.30)"
            )
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    sys.exit(main())
