"""Scale on paper from measured runs: the wall time of a day of articles on N workers.

`make bench` measures the time of each step of `newsledger run` at two or more corpus sizes on
this machine; this module fits each step's time as a line in the number of articles
(t = fixed + per_article * n, through the two largest sizes measured) and predicts a run of
`day` articles on N workers.

Assumptions (printed with the figures):
- a worker is one core like this machine's; the NLP shard steps (`nlp_parse`: parsing,
  extraction, per-article actors) fan out over workers with no loss, their measured time
  counted as core-seconds (time x the processes the run used);
- every other step runs once, on one core, at the measured rate: ingest, the cross-article
  actors and places, the event and pledge clusters, the dbt build (DuckDB has one writer),
  publish, and the start-up outside the steps;
- with three or more sizes measured, the line through the smaller ones is checked against the
  largest (`check`): its predicted wall time on the run's own processes against the measured one,
  and the steps it got most wrong;
- a day is processed as one run into an empty warehouse (the full-run figures); a day added to a
  warehouse already holding earlier days costs what the +1% rerun costs per new article plus the
  dbt work that grows with the warehouse, which the fit does not separate.
"""

from __future__ import annotations

PARALLEL_STEP = "nlp_parse"  # the NLP shard steps (`nlp_tables.nlp_parse[...]`)
WORKERS = (1, 2, 4, 8, 16, 32)


def stage_lines(results: list[dict]) -> dict[str, tuple[float, float]]:
    """(fixed seconds, seconds per article) per step, through the two largest sizes measured.

    With one size only, the whole time counts as per-article (no fixed part)."""
    ordered = sorted(results, key=lambda r: r["n"])
    small, large = (ordered[-2], ordered[-1]) if len(ordered) >= 2 else (None, ordered[-1])
    lines: dict[str, tuple[float, float]] = {}
    for stage, t_large in _measured_steps(large).items():
        if small is None:
            lines[stage] = (0.0, t_large / large["n"])
            continue
        t_small = small["stages"].get(stage, 0.0)
        slope = max(0.0, (t_large - t_small) / (large["n"] - small["n"]))
        lines[stage] = (max(0.0, t_large - slope * large["n"]), slope)
    return lines


def predict(results: list[dict], day: int, workers: int) -> tuple[float, dict[str, float]]:
    """Wall seconds of a `day`-article run on `workers` cores, and seconds per step."""
    procs = max(r["procs"] for r in results)
    per_stage: dict[str, float] = {}
    for stage, (fixed, per_article) in stage_lines(results).items():
        spread = procs / workers if PARALLEL_STEP in stage else 1.0  # NLP: core-seconds over N
        per_stage[stage] = fixed + per_article * day * spread
    return sum(per_stage.values()), per_stage


def serial_stages(per_stage: dict[str, float]) -> dict[str, float]:
    return {k: v for k, v in per_stage.items() if PARALLEL_STEP not in k}


def _measured_steps(run: dict) -> dict[str, float]:
    return {k: v for k, v in run["stages"].items() if not k.startswith("peak MB")}


def check(results: list[dict]) -> list[str]:
    """How far the lines hold one size further out: the largest size's run as predicted from the
    smaller sizes alone (on its own number of processes) against what it measured. Nothing with
    fewer than three sizes (two sizes give one line, which passes through both)."""
    ordered = sorted(results, key=lambda r: r["n"])
    if len(ordered) < 3:
        return []
    *smaller, largest = ordered
    wall, predicted = predict(smaller, largest["n"], workers=largest["procs"])
    measured = _measured_steps(largest)
    measured_wall = sum(measured.values())
    misses = sorted(
        ((predicted.get(k, 0.0) - measured.get(k, 0.0), k) for k in {*predicted, *measured}),
        key=lambda miss: -abs(miss[0]),
    )
    off = [
        f"{k} {miss / 60:+.1f} min" for miss, k in misses[:3] if abs(miss) >= 0.01 * measured_wall
    ]
    return [
        f"  check: the lines through {smaller[-2]['n']:,} and {smaller[-1]['n']:,} articles "
        f"predict the {largest['n']:,}-article run at {wall / 60:.1f} min; it took "
        f"{measured_wall / 60:.1f} min ({wall / measured_wall - 1:+.0%}); "
        + ("most off: " + ", ".join(off) if off else "no step off by 1% of the run or more")
    ]


def report(results: list[dict], day: int = 150_000) -> list[str]:
    """The printed extrapolation: wall time per worker count, and what stops scaling first."""
    sizes = ", ".join(f"{r['n']:,}" for r in sorted(results, key=lambda r: r["n"]))
    out = [
        f"\nscale on paper: a {day:,}-article day, from the runs at {sizes} articles "
        "(assumptions: benchmarks/scale.py)"
    ]
    knee = None
    for n in WORKERS:
        wall, per_stage = predict(results, day, n)
        serial = serial_stages(per_stage)
        serial_s = sum(serial.values())
        if knee is None and serial_s >= wall / 2:
            knee = n
        top, top_s = max(serial.items(), key=lambda kv: kv[1])
        out.append(
            f"  {n:>3} workers: {wall / 60:7.1f} min  (NLP fan-out {(wall - serial_s) / 60:6.1f}"
            f" min, single-process steps {serial_s / 60:5.1f} min; largest {top} "
            f"{top_s / 60:.1f} min)"
        )
    out.append(
        f"  stops scaling first: {top} (one process: {top_s / 60:.1f} min at any worker count)"
        + (f"; from {knee} workers the single-process steps are half the wall time" if knee else "")
    )
    return out + check(results)
